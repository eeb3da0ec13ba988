from govhall.core.choices import ColoredChoices


class Discovery(ColoredChoices):
    """How a risk point was found (查找方式): by the post holder, pointed out by the public, assessed by deputies,
    or reviewed by the organisation."""

    SELF = "self", "自己找"
    PUBLIC = "public", "群众点"
    DEPUTY = "deputy", "代表评"
    ORGANISATION = "organisation", "组织审"


class Channel(ColoredChoices):
    """The public channels an exercise of power is disclosed on."""

    CATALOG = "catalog", "政府信息公开目录"
    FEED = "feed", "权力运行公开栏（网上动态公开）"


class WarningLevel(ColoredChoices):
    BLUE = "blue", "蓝色预警"
    YELLOW = "yellow", "黄色预警"
    RED = "red", "红色预警"


WarningLevel.set_colors({WarningLevel.BLUE: "blue", WarningLevel.YELLOW: "yellow", WarningLevel.RED: "red"})

# One level up when a rectification plan is late; red stays red (the supervision ladder takes over).
NEXT_LEVEL = {WarningLevel.BLUE: WarningLevel.YELLOW, WarningLevel.YELLOW: WarningLevel.RED}


class WarningStatus(ColoredChoices):
    OPEN = "open", "待报整改方案"
    PLANNED = "planned", "整改方案已报送"
    CLOSED = "closed", "已销号"
    ESCALATED = "escalated", "逾期升级"


WarningStatus.set_colors(
    {
        WarningStatus.OPEN: "orange",
        WarningStatus.PLANNED: "blue",
        WarningStatus.CLOSED: "green",
        WarningStatus.ESCALATED: "red",
    }
)


class TriggerSource(ColoredChoices):
    """What a warning rule counts (the electronic-supervision triggers and the complaints)."""

    RED_CARD = "red_card", "红牌"
    YELLOW_CARD = "yellow_card", "黄牌"
    RED_ALERT = "red_alert", "红灯超期告警"
    COMPLAINT = "complaint", "效能投诉"


class TriggerTarget(ColoredChoices):
    PERSON = "person", "个人"
    DEPARTMENT = "department", "单位"


class RotationStatus(ColoredChoices):
    PLANNED = "planned", "已计划"
    EXECUTED = "executed", "已轮岗"
    CANCELLED = "cancelled", "已取消"


RotationStatus.set_colors(
    {RotationStatus.PLANNED: "blue", RotationStatus.EXECUTED: "green", RotationStatus.CANCELLED: "gray"}
)


class DueState(ColoredChoices):
    OVERDUE = "overdue", "已超期"
    SOON = "soon", "即将到期"
    OK = "ok", "未到期"


DueState.set_colors({DueState.OVERDUE: "red", DueState.SOON: "yellow", DueState.OK: "green"})
