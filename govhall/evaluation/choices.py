from govhall.core.choices import ColoredChoices


class UnitKind(ColoredChoices):
    """What a monthly result scores: a window or a staff member."""

    WINDOW = "window", "窗口"
    STAFF = "staff", "工作人员"


class AppliesTo(ColoredChoices):
    WINDOW = "window", "仅窗口"
    STAFF = "staff", "仅工作人员"
    BOTH = "both", "窗口和工作人员"


class ItemKey(ColoredChoices):
    """The monthly scheme's items. The first group is counted from the record, the second is entered."""

    CASES_HANDLED = "cases_handled", "办结件数"
    ON_TIME_RATE = "on_time_rate", "按期办结率"
    EARLY = "early", "提前办结件数"
    OVERDUE_STEPS = "overdue_steps", "超期环节"
    ALERTS = "alerts", "监察告警"
    YELLOW_CARDS = "yellow_cards", "黄牌"
    RED_CARDS = "red_cards", "红牌"
    COMPLAINTS_UPHELD = "complaints_upheld", "投诉属实"
    SATISFACTION = "satisfaction", "满意率"
    BAD_REVIEWS = "bad_reviews", "差评"
    OUT_OF_PROCEDURE = "out_of_procedure", "体外循环/违规操作"
    PEER_REVIEW = "peer_review", "楼层互评"
    RECOMMENDATIONS = "recommendations", "楼层推荐"
    ATTENDANCE = "attendance", "考勤"
    PANEL = "panel", "评委评分"
    DEDUCTIONS = "deductions", "扣分"


AUTOMATIC_ITEMS = frozenset(
    {
        ItemKey.CASES_HANDLED,
        ItemKey.ON_TIME_RATE,
        ItemKey.EARLY,
        ItemKey.OVERDUE_STEPS,
        ItemKey.ALERTS,
        ItemKey.YELLOW_CARDS,
        ItemKey.RED_CARDS,
        ItemKey.COMPLAINTS_UPHELD,
        ItemKey.SATISFACTION,
        ItemKey.BAD_REVIEWS,
        ItemKey.OUT_OF_PROCEDURE,
    }
)


class Title(ColoredChoices):
    NONE = "", "—"
    RED_FLAG = "red_flag", "红旗窗口"
    QUALITY = "quality", "优质服务窗口"
    STAR = "star", "服务之星"
    MODEL_POST = "model_post", "示范岗"


Title.set_colors(
    {Title.RED_FLAG: "red", Title.QUALITY: "orange", Title.STAR: "yellow", Title.MODEL_POST: "blue"}
)


class MonthStatus(ColoredChoices):
    OPEN = "open", "考评中"
    CLOSED = "closed", "已结账"


MonthStatus.set_colors({MonthStatus.OPEN: "blue", MonthStatus.CLOSED: "green"})


class GoalCategory(ColoredChoices):
    FUNCTIONAL = "functional", "职能目标"
    COMMON = "common", "共性目标"


class ReviewKind(ColoredChoices):
    SPOT_CHECK = "spot_check", "季度抽查"
    HALF_YEAR = "half_year", "半年小结"
    YEAR_END = "year_end", "年终考评"


class ReportStatus(ColoredChoices):
    PLANNED = "planned", "待报送"
    SUBMITTED = "submitted", "已报送"
    LATE = "late", "逾期报送"


ReportStatus.set_colors(
    {ReportStatus.PLANNED: "blue", ReportStatus.SUBMITTED: "green", ReportStatus.LATE: "red"}
)


class LeaderGrade(ColoredChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"


LEADER_GRADE_POINTS = {"excellent": 100, "good": 85, "fair": 70, "poor": 50}


class SurveyAnswer(ColoredChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


SURVEY_POINTS = {"satisfied": 100, "basic": 80, "dissatisfied": 0}


class Grade(ColoredChoices):
    ADVANCED = "advanced", "先进"
    GOOD = "good", "良好"
    PASS = "pass", "达标"
    ADMONISH = "admonish", "诫勉"


Grade.set_colors({Grade.ADVANCED: "red", Grade.GOOD: "blue", Grade.PASS: "gray", Grade.ADMONISH: "orange"})
