from govhall.core.choices import ColoredChoices


class AlertLevel(ColoredChoices):
    YELLOW = "yellow", "黄灯预警"
    RED = "red", "红灯超期"


AlertLevel.set_colors({AlertLevel.YELLOW: "yellow", AlertLevel.RED: "red"})


class AlertKind(ColoredChoices):
    """What raised the alert: a clock of that kind, or another trigger of domain §8."""

    INTAKE = "intake", "受理超时"
    CASE = "case", "办件超时（承诺时限）"
    LEGAL = "legal", "办件超时（法定时限）"
    STEP = "step", "环节超时"
    DELIVERY = "delivery", "送达超时"
    ORDER = "order", "督办单逾期"
    COMPLAINT = "complaint", "投诉办理超时"
    RECTIFY = "rectify", "差评整改超时"
    HOTLINE = "hotline", "热线工单超时"
    INTEGRITY = "integrity", "廉政预警整改超时"
    OUT_OF_PROCEDURE = "out_of_procedure", "体外循环/违规操作"
    REFUSAL = "refusal", "不予受理"
    GOAL_REPORT = "goal_report", "目标月报逾期"


class CardLevel(ColoredChoices):
    YELLOW = "yellow", "黄牌"
    RED = "red", "红牌"


CardLevel.set_colors({CardLevel.YELLOW: "yellow", CardLevel.RED: "red"})


class OrderStatus(ColoredChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    OVERDUE = "overdue", "逾期未答复"
    # Answered, but after the order's own deadline: the answer is kept and the lateness stays on the record.
    ANSWERED_LATE = "late", "逾期答复"


OrderStatus.set_colors(
    {
        OrderStatus.OPEN: "blue",
        OrderStatus.ANSWERED: "green",
        OrderStatus.OVERDUE: "red",
        OrderStatus.ANSWERED_LATE: "orange",
    }
)


class OrderOrigin(ColoredChoices):
    """Who started the 督办: the watcher's escalation ladder, or a supervisor by hand."""

    AUTO = "auto", "系统自动督办"
    MANUAL = "manual", "人工督办"


class UrgeTarget(ColoredChoices):
    CASE = "case", "办件"
    ALERT = "alert", "告警"
    DEPARTMENT = "department", "部门"


class AccountabilityType(ColoredChoices):
    CRITICISM = "criticism", "通报批评"
    ADMONITION = "admonition", "诫勉谈话"
    TRANSFER = "transfer", "调离岗位（退回原单位）"
    OTHER = "other", "其他"


class AccountabilityStatus(ColoredChoices):
    PENDING = "pending", "待决定"
    DECIDED = "decided", "已决定"


AccountabilityStatus.set_colors(
    {AccountabilityStatus.PENDING: "orange", AccountabilityStatus.DECIDED: "green"}
)
