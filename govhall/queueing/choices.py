from govhall.core.choices import ColoredChoices


class TicketStatus(ColoredChoices):
    """Where a queue ticket (排队号) stands: waiting, called to a window, being served, finished, missed, cancelled."""

    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    SERVING = "serving", "办理中"
    DONE = "done", "已办结"
    NO_SHOW = "no_show", "过号"
    CANCELLED = "cancelled", "已作废"


TicketStatus.set_colors(
    {
        TicketStatus.WAITING: "blue",
        TicketStatus.CALLED: "orange",
        TicketStatus.SERVING: "green",
        TicketStatus.DONE: "gray",
        TicketStatus.NO_SHOW: "red",
        TicketStatus.CANCELLED: "gray",
    }
)

OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)
AT_WINDOW = (TicketStatus.CALLED, TicketStatus.SERVING)


class TicketChannel(ColoredChoices):
    KIOSK = "kiosk", "自助取号机"
    WINDOW = "window", "窗口代取"


TicketChannel.set_colors({TicketChannel.KIOSK: "blue", TicketChannel.WINDOW: "purple"})


class TicketEventType(ColoredChoices):
    """The typed history of a ticket; each row is written in the transaction of the action that changes it."""

    TAKEN = "taken", "取号"
    CALLED = "called", "叫号"
    RECALLED = "recalled", "重呼"
    SERVING = "serving", "开始办理"
    FINISHED = "finished", "办理结束"
    NO_SHOW = "no_show", "过号"
    TRANSFERRED = "transferred", "转窗"
    CASE_LINKED = "case_linked", "关联办件"
    CANCELLED = "cancelled", "作废"


TicketEventType.set_colors(
    {
        TicketEventType.TAKEN: "blue",
        TicketEventType.CALLED: "orange",
        TicketEventType.RECALLED: "orange",
        TicketEventType.SERVING: "green",
        TicketEventType.FINISHED: "gray",
        TicketEventType.NO_SHOW: "red",
        TicketEventType.TRANSFERRED: "purple",
        TicketEventType.CASE_LINKED: "green",
        TicketEventType.CANCELLED: "gray",
    }
)
