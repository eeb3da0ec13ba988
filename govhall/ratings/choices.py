"""好差评 vocabulary (国办发〔2019〕51号《关于建立政务服务“好差评”制度提高政务服务水平的意见》; GB/T 39734-2020
政务服务评价工作指南, GB/T 39735-2020 政务服务评价工作指南 — content of the evaluation)."""

from __future__ import annotations

from govhall.core.choices import ColoredChoices


class Level(ColoredChoices):
    """The five national levels, shown as 5 to 1 stars; the last two are bad reviews (差评)."""

    VERY_SATISFIED = "5", "非常满意"
    SATISFIED = "4", "满意"
    FAIRLY_SATISFIED = "3", "基本满意"
    DISSATISFIED = "2", "不满意"
    VERY_DISSATISFIED = "1", "非常不满意"

    @property
    def stars(self) -> int:
        return int(self.value)

    @property
    def is_bad(self) -> bool:
        return self.value in BAD_LEVELS


Level.set_colors(
    {
        Level.VERY_SATISFIED: "green",
        Level.SATISFIED: "green",
        Level.FAIRLY_SATISFIED: "blue",
        Level.DISSATISFIED: "orange",
        Level.VERY_DISSATISFIED: "red",
    }
)

SATISFIED_LEVELS = (Level.VERY_SATISFIED.value, Level.SATISFIED.value, Level.FAIRLY_SATISFIED.value)
BAD_LEVELS = (Level.DISSATISFIED.value, Level.VERY_DISSATISFIED.value)


class RatingChannel(ColoredChoices):
    WINDOW = "window", "窗口评价器（一次一评）"
    QR = "qr", "扫码评价"
    ONLINE = "online", "网上评价（一事一评）"
    SMS = "sms", "短信评价"
    HOTLINE = "hotline", "热线评价（工作人员录入）"
    DEFAULT = "default", "默认评价（逾期未评价）"


RatingChannel.set_colors(
    {
        RatingChannel.WINDOW: "blue",
        RatingChannel.QR: "purple",
        RatingChannel.ONLINE: "green",
        RatingChannel.SMS: "orange",
        RatingChannel.HOTLINE: "orange",
        RatingChannel.DEFAULT: "gray",
    }
)


class Dimension(ColoredChoices):
    """Content dimensions in national practice: online services and on-site (offline) services are rated on
    different aspects, each on the same five levels."""

    OVERALL = "overall", "总体满意度"
    EFFICIENCY = "efficiency", "办事效率"
    GUIDE = "guide", "办事指南准确性"
    CONVENIENCE = "convenience", "办事便捷程度"
    PLATFORM = "platform", "平台易用性"
    SERVICE_LEVEL = "service_level", "服务水平"
    ATTITUDE = "attitude", "服务态度"


ONLINE_DIMENSIONS = (
    Dimension.OVERALL,
    Dimension.EFFICIENCY,
    Dimension.GUIDE,
    Dimension.CONVENIENCE,
    Dimension.PLATFORM,
)
OFFLINE_DIMENSIONS = (Dimension.OVERALL, Dimension.EFFICIENCY, Dimension.SERVICE_LEVEL, Dimension.ATTITUDE)


class ReviewStatus(ColoredChoices):
    """差评整改: verify → rectify → feed back (谁办理、谁负责)."""

    VERIFYING = "verifying", "待核实"
    RECTIFYING = "rectifying", "整改中"
    FEEDBACK = "feedback", "待反馈"
    CLOSED = "closed", "已反馈办结"
    WITHDRAWN = "withdrawn", "申诉成立，已撤销"


ReviewStatus.set_colors(
    {
        ReviewStatus.VERIFYING: "orange",
        ReviewStatus.RECTIFYING: "orange",
        ReviewStatus.FEEDBACK: "blue",
        ReviewStatus.CLOSED: "green",
        ReviewStatus.WITHDRAWN: "gray",
    }
)
OPEN_REVIEW = (ReviewStatus.VERIFYING, ReviewStatus.RECTIFYING, ReviewStatus.FEEDBACK)


class ReviewFinding(ColoredChoices):
    """核实结论 in the words of the national practice."""

    FIX_NOW = "fix_now", "问题清楚合理，立即整改"
    LEDGER = "ledger", "问题较复杂，建立台账限期整改"
    EXPLAIN = "explain", "诉求缺乏法定依据，做好解释说明"


ReviewFinding.set_colors(
    {ReviewFinding.FIX_NOW: "orange", ReviewFinding.LEDGER: "red", ReviewFinding.EXPLAIN: "blue"}
)


class CallbackResult(ColoredChoices):
    """回访结果."""

    SATISFIED = "satisfied", "回访满意"
    ACCEPTED = "accepted", "基本认可"
    DISSATISFIED = "dissatisfied", "仍不满意"
    UNREACHABLE = "unreachable", "无法联系"


CallbackResult.set_colors(
    {
        CallbackResult.SATISFIED: "green",
        CallbackResult.ACCEPTED: "blue",
        CallbackResult.DISSATISFIED: "red",
        CallbackResult.UNREACHABLE: "gray",
    }
)


class AppealStatus(ColoredChoices):
    PENDING = "pending", "待复核"
    UPHELD = "upheld", "申诉成立（不计入统计）"
    REJECTED = "rejected", "申诉不成立"


AppealStatus.set_colors(
    {AppealStatus.PENDING: "orange", AppealStatus.UPHELD: "green", AppealStatus.REJECTED: "red"}
)


class AppealGround(ColoredChoices):
    MISTAKEN = "mistaken", "误评（评价对象或事项错误）"
    MALICIOUS = "malicious", "恶意差评"
    UNRELATED = "unrelated", "与本单位服务无关（如法律法规规定事项）"


class RatingEventKind(ColoredChoices):
    """The record of a rating (评价档案): kept forever, also after an upheld appeal."""

    RATED = "rated", "提交评价"
    DEFAULTED = "defaulted", "逾期未评价，记为默认评价"
    VERIFIED = "verified", "核实差评"
    CALLED_BACK = "called_back", "回访"
    RECTIFIED = "rectified", "整改"
    FED_BACK = "fed_back", "反馈评价人"
    APPEALED = "appealed", "提出申诉"
    APPEAL_UPHELD = "appeal_upheld", "申诉成立，不计入统计"
    APPEAL_REJECTED = "appeal_rejected", "申诉不成立"
    INVITED = "invited", "发送评价短信"
