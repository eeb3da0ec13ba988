from govhall.core.choices import ColoredChoices


class Sector(ColoredChoices):
    """The supervised sector: the same engine serves any of them; the seeds describe food safety."""

    FOOD = "food", "食品"
    DRUG = "drug", "药品"
    OTHER = "other", "其他"


class Grade(ColoredChoices):
    """诚信等级 (credit grade) of a supervised entity, A best."""

    A = "A", "A级（诚信）"
    B = "B", "B级（基本诚信）"
    C = "C", "C级（失信）"
    D = "D", "D级（严重失信）"


Grade.set_colors({Grade.A: "green", Grade.B: "blue", Grade.C: "yellow", Grade.D: "red"})

GRADE_ORDER = {Grade.A: 0, Grade.B: 1, Grade.C: 2, Grade.D: 3}


class PlanKind(ColoredChoices):
    ROUTINE = "routine", "日常检查（按风险等级和频次）"
    SPECIAL = "special", "专项检查"


PlanKind.set_colors({PlanKind.ROUTINE: "blue", PlanKind.SPECIAL: "orange"})


class Campaign(ColoredChoices):
    """What a special inspection campaign covers (专项整治)."""

    NONE = "", "（日常检查）"
    HOLIDAY = "holiday", "节假日"
    SCHOOL = "school", "校园周边"
    RURAL_MARKET = "rural_market", "农村集贸市场"
    PRODUCT = "product", "重点品种"


class PlanStatus(ColoredChoices):
    DRAFT = "draft", "草拟"
    DRAWN = "drawn", "已抽取并公开"
    CLOSED = "closed", "已完成"


PlanStatus.set_colors({PlanStatus.DRAFT: "gray", PlanStatus.DRAWN: "blue", PlanStatus.CLOSED: "green"})


class InspectionStatus(ColoredChoices):
    PLANNED = "planned", "待检查"
    DONE = "done", "已检查"
    RECTIFYING = "rectifying", "整改中"
    CLOSED = "closed", "已办结"


InspectionStatus.set_colors(
    {
        InspectionStatus.PLANNED: "gray",
        InspectionStatus.DONE: "green",
        InspectionStatus.RECTIFYING: "orange",
        InspectionStatus.CLOSED: "green",
    }
)


class Result(ColoredChoices):
    """The published outcome of one inspection."""

    PASS = "pass", "符合"
    RECTIFY = "rectify", "基本符合（责令整改）"
    FAIL = "fail", "不符合"


Result.set_colors({Result.PASS: "green", Result.RECTIFY: "yellow", Result.FAIL: "red"})


class TestResult(ColoredChoices):
    NEGATIVE = "negative", "阴性（合格）"
    POSITIVE = "positive", "阳性（不合格）"


TestResult.set_colors({TestResult.NEGATIVE: "green", TestResult.POSITIVE: "red"})


class OrderStatus(ColoredChoices):
    OPEN = "open", "整改中"
    DONE = "done", "已整改"
    LATE = "late", "逾期后整改"


OrderStatus.set_colors({OrderStatus.OPEN: "orange", OrderStatus.DONE: "green", OrderStatus.LATE: "red"})


class Metric(ColoredChoices):
    """What a credit rule counts in the entity's record over its window."""

    FAILED = "failed", "检查结果不符合次数"
    FINDINGS = "findings", "问题项数"
    SERIOUS = "serious", "严重问题项数"
    POSITIVE_TESTS = "positive_tests", "快检阳性次数"
    LATE_RECTIFY = "late_rectify", "逾期整改次数"
    REFERRALS = "referrals", "移送立案次数"
