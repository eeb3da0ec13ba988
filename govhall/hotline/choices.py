from govhall.core.choices import ColoredChoices


class Category(ColoredChoices):
    """工单类别 of the 12345 hotline (国办发〔2020〕53号)."""

    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"


Category.set_colors(
    {
        Category.CONSULT: "blue",
        Category.HELP: "green",
        Category.COMPLAINT: "orange",
        Category.REPORT: "red",
        Category.SUGGESTION: "purple",
    }
)


class Urgency(ColoredChoices):
    URGENT = "urgent", "紧急"
    ORDINARY = "ordinary", "一般"


Urgency.set_colors({Urgency.URGENT: "red", Urgency.ORDINARY: "gray"})


class LimitUnit(ColoredChoices):
    """A work order limit is counted in office hours (紧急) or working days (一般) on the one clock engine."""

    HOUR = "hour", "小时（办公时间）"
    WORKDAY = "workday", "工作日"


class OrderSource(ColoredChoices):
    PHONE = "phone", "12345电话"
    OPEN311 = "open311", "外部应用（Open311）"


class OrderStatus(ColoredChoices):
    RECORDED = "recorded", "已登记"
    DISPATCHED = "dispatched", "已派单"
    RETURNED = "returned", "已退单"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"
    TRANSFERRED = "transferred", "已转效能投诉"


OrderStatus.set_colors(
    {
        OrderStatus.RECORDED: "blue",
        OrderStatus.DISPATCHED: "purple",
        OrderStatus.RETURNED: "orange",
        OrderStatus.ANSWERED: "yellow",
        OrderStatus.CLOSED: "green",
        OrderStatus.TRANSFERRED: "gray",
    }
)

OPEN_STATUSES = (OrderStatus.RECORDED, OrderStatus.DISPATCHED, OrderStatus.RETURNED)


class Satisfaction(ColoredChoices):
    """The caller's rating of the answer at the call-back (回访)."""

    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


Satisfaction.set_colors(
    {Satisfaction.SATISFIED: "green", Satisfaction.BASIC: "blue", Satisfaction.DISSATISFIED: "red"}
)


class EventKind(ColoredChoices):
    """One line of a work order's history."""

    RECORDED = "recorded", "登记"
    DISPATCHED = "dispatched", "派单"
    REDISPATCHED = "redispatched", "改派"
    RETURNED = "returned", "退单"
    ANSWERED = "answered", "答复"
    CALLED_BACK = "called_back", "回访"
    TRANSFERRED = "transferred", "转效能投诉"
