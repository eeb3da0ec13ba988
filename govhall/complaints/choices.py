from govhall.core.choices import ColoredChoices


class ComplaintChannel(ColoredChoices):
    HALL = "hall", "现场"
    PHONE = "phone", "电话（工作人员录入）"
    ONLINE = "online", "网上"
    HOTLINE = "hotline", "12345热线"
    OPEN311 = "open311", "外部应用（Open311）"


class ComplaintStatus(ColoredChoices):
    RECEIVED = "received", "已受理"
    ASSIGNED = "assigned", "已交办"
    INVESTIGATING = "investigating", "调查中"
    CONCLUDED = "concluded", "已办结"


ComplaintStatus.set_colors(
    {
        ComplaintStatus.RECEIVED: "blue",
        ComplaintStatus.ASSIGNED: "purple",
        ComplaintStatus.INVESTIGATING: "orange",
        ComplaintStatus.CONCLUDED: "green",
    }
)


class Finding(ColoredChoices):
    SUBSTANTIATED = "substantiated", "属实"
    PARTLY = "partly", "部分属实"
    UNSUBSTANTIATED = "unsubstantiated", "不属实"


Finding.set_colors({Finding.SUBSTANTIATED: "red", Finding.PARTLY: "orange", Finding.UNSUBSTANTIATED: "green"})


class Responsibility(ColoredChoices):
    """责任认定, in the words of the escalation ladder (domain §8)."""

    NONE = "none", "不予追究"
    WARNING = "warning", "提醒（黄牌警示）"
    CRITICISM = "criticism", "通报批评"
    ACCOUNTABILITY = "accountability", "责任追究"


Responsibility.set_colors(
    {
        Responsibility.NONE: "gray",
        Responsibility.WARNING: "yellow",
        Responsibility.CRITICISM: "orange",
        Responsibility.ACCOUNTABILITY: "red",
    }
)
