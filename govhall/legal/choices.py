"""The legal office's choice classes: lawsuits, hearings, appearances and reconsiderations."""

from govhall.core.choices import ColoredChoices


class Stage(ColoredChoices):
    """审级. An appeal or a retrial is its own record pointing at the earlier instance."""

    FIRST = "first", "一审"
    APPEAL = "appeal", "二审（上诉）"
    RETRIAL = "retrial", "再审"


class LawsuitStatus(ColoredChoices):
    REGISTERED = "registered", "已登记（待答辩）"
    DEFENDED = "defended", "已答辩举证"
    JUDGED = "judged", "已裁判（上诉期内）"
    CLOSED = "closed", "已结案"


LawsuitStatus.set_colors(
    {
        LawsuitStatus.REGISTERED: "orange",
        LawsuitStatus.DEFENDED: "blue",
        LawsuitStatus.JUDGED: "purple",
        LawsuitStatus.CLOSED: "green",
    }
)


class Instrument(ColoredChoices):
    """判决 or 裁定: 《行政诉讼法》第八十五条 gives 15 days to appeal a judgment, 10 days a ruling."""

    JUDGMENT = "judgment", "判决"
    RULING = "ruling", "裁定"


class Outcome(ColoredChoices):
    """How the court disposed of the case, seen from the agency (被告)."""

    DISMISSED_CLAIM = "dismissed_claim", "驳回原告诉讼请求"
    DISMISSED_SUIT = "dismissed_suit", "驳回起诉（裁定）"
    WITHDRAWN = "withdrawn", "原告撤诉"
    APPEAL_REJECTED = "appeal_rejected", "驳回上诉、维持原判"
    REVOKED = "revoked", "撤销行政行为"
    PARTLY_REVOKED = "partly_revoked", "部分撤销"
    ORDERED_TO_ACT = "ordered_to_act", "责令履行法定职责"
    CONFIRMED_UNLAWFUL = "confirmed_unlawful", "确认违法"
    CONFIRMED_VOID = "confirmed_void", "确认无效"
    CHANGED = "changed", "变更"
    COMPENSATION = "compensation", "判决行政赔偿"
    REVERSED = "reversed", "二审改判（机关败诉）"
    REMANDED = "remanded", "发回重审"


# The outcomes in which the agency lost (败诉): the act was set aside, changed or found unlawful, or it must act or pay.
LOSS_OUTCOMES = frozenset(
    {
        Outcome.REVOKED,
        Outcome.PARTLY_REVOKED,
        Outcome.ORDERED_TO_ACT,
        Outcome.CONFIRMED_UNLAWFUL,
        Outcome.CONFIRMED_VOID,
        Outcome.CHANGED,
        Outcome.COMPENSATION,
        Outcome.REVERSED,
    }
)
# Outcomes that set the challenged act aside or change it: they feed back to the case the act was made in.
CORRECTING_OUTCOMES = frozenset(
    {
        Outcome.REVOKED,
        Outcome.PARTLY_REVOKED,
        Outcome.CHANGED,
        Outcome.CONFIRMED_UNLAWFUL,
        Outcome.CONFIRMED_VOID,
        Outcome.REVERSED,
    }
)
Outcome.set_colors({str(o): "red" for o in LOSS_OUTCOMES} | {str(Outcome.REMANDED): "orange"})


class AppearanceRuleKey(ColoredChoices):
    """The cases in which the agency's head must appear in court (Yuyao rules)."""

    FIRST_OF_YEAR = "first_of_year", "本机关当年第一起行政诉讼案件"
    MANY_PLAINTIFFS = "many_plaintiffs", "原告人数众多（达到人数标准）"
    MAJOR_IMPACT = "major_impact", "社会影响重大"
    APPEAL_AFTER_LOSS = "appeal_after_loss", "一审败诉后的二审案件"
    STATE_COMPENSATION = "state_compensation", "国家赔偿案件"
    NAMED = "named", "法院或法制机构要求负责人出庭"


class NamedBy(ColoredChoices):
    NONE = "", "无"
    COURT = "court", "人民法院建议"
    LEGAL_OFFICE = "legal_office", "法制机构要求"


class AbsenceReason(ColoredChoices):
    """Valid reasons a head may not appear (书面说明 at least 5 days before the hearing)."""

    ILLNESS = "illness", "因病不能出庭"
    OFFICIAL_DUTY = "official_duty", "因公外出或执行重大公务"
    EMERGENCY = "emergency", "处置突发事件"
    FORCE_MAJEURE = "force_majeure", "不可抗力"
    OTHER_APPROVED = "other_approved", "其他正当理由（经法制机构认可）"


class AppearanceStatus(ColoredChoices):
    """Per hearing: did a head of the agency appear."""

    PENDING = "pending", "待开庭"
    HEAD_APPEARED = "head_appeared", "负责人出庭"
    EXCUSED = "excused", "负责人书面说明不能出庭（委托工作人员）"
    ABSENT = "absent", "负责人未出庭且无正当理由"
    NOT_REQUIRED = "not_required", "无需负责人出庭（委托工作人员）"


AppearanceStatus.set_colors(
    {
        AppearanceStatus.PENDING: "gray",
        AppearanceStatus.HEAD_APPEARED: "green",
        AppearanceStatus.EXCUSED: "yellow",
        AppearanceStatus.ABSENT: "red",
        AppearanceStatus.NOT_REQUIRED: "blue",
    }
)


class ActSource(ColoredChoices):
    """What the challenged act is: a case of this platform, an answer to an information request, or described in words."""

    CASE = "case", "本平台办件"
    INFO_REQUEST = "info_request", "政府信息公开申请答复"
    OTHER = "other", "其他行政行为"


class ReconStatus(ColoredChoices):
    RECEIVED = "received", "已收到（受理审查中）"
    ACCEPTED = "accepted", "已受理（审理中）"
    REFUSED = "refused", "不予受理"
    HEARD = "heard", "已审理（待决定）"
    DECIDED = "decided", "已作出复议决定"


ReconStatus.set_colors(
    {
        ReconStatus.RECEIVED: "orange",
        ReconStatus.ACCEPTED: "blue",
        ReconStatus.REFUSED: "gray",
        ReconStatus.HEARD: "purple",
        ReconStatus.DECIDED: "green",
    }
)


class ReconProcedure(ColoredChoices):
    NORMAL = "normal", "普通程序"
    SIMPLIFIED = "simplified", "简易程序"


class RefusalGround(ColoredChoices):
    """Why an application is not accepted: the acceptance conditions of 《行政复议法》（2023年修订）第三十条."""

    NO_ACT = "no_act", "无明确的被申请人或行政行为"
    NOT_PARTY = "not_party", "申请人与被申请行政复议的行政行为无利害关系"
    OUT_OF_SCOPE = "out_of_scope", "不属于行政复议范围"
    TOO_LATE = "too_late", "超过法定申请期限且无正当理由"
    NOT_COMPETENT = "not_competent", "不属于本机关管辖"
    REPEATED = "repeated", "已受理过同一申请或已向法院起诉并立案"


class ReconOutcome(ColoredChoices):
    """The decisions of 《行政复议法》（2023年修订）第五章, and the case ending without one."""

    CHANGED = "changed", "变更"
    REVOKED = "revoked", "撤销"
    CONFIRMED_UNLAWFUL = "confirmed_unlawful", "确认违法"
    ORDERED_TO_ACT = "ordered_to_act", "责令履行"
    CONFIRMED_VOID = "confirmed_void", "确认无效"
    UPHELD = "upheld", "维持"
    REJECTED = "rejected", "驳回复议请求"
    MEDIATED = "mediated", "调解或和解结案"
    TERMINATED = "terminated", "终止（申请人撤回等）"


# 纠错: the decisions that correct the agency (the 纠错率 of the annual report); the first four set the act aside.
RECON_CORRECTED = frozenset(
    {
        ReconOutcome.CHANGED,
        ReconOutcome.REVOKED,
        ReconOutcome.CONFIRMED_UNLAWFUL,
        ReconOutcome.ORDERED_TO_ACT,
        ReconOutcome.CONFIRMED_VOID,
    }
)
RECON_FEEDS_BACK = frozenset(
    {ReconOutcome.CHANGED, ReconOutcome.REVOKED, ReconOutcome.CONFIRMED_UNLAWFUL, ReconOutcome.CONFIRMED_VOID}
)
ReconOutcome.set_colors({str(o): "red" for o in RECON_CORRECTED} | {str(ReconOutcome.UPHELD): "green"})


class CorrectionSource(ColoredChoices):
    RECONSIDERATION = "reconsideration", "行政复议决定"
    LAWSUIT = "lawsuit", "人民法院裁判"
