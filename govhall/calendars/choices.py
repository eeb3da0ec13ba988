from __future__ import annotations

from govhall.core.choices import ColoredChoices


class DayKind(ColoredChoices):
    HOLIDAY = "holiday", "休（节假日）"
    MAKEUP = "makeup", "班（调休上班）"


DayKind.set_colors({DayKind.HOLIDAY: "red", DayKind.MAKEUP: "blue"})


class CalendarSource(ColoredChoices):
    SEED = "seed", "chinesecalendar 软件包初始化"
    NOTICE = "notice", "依国务院办公厅通知录入"


CalendarSource.set_colors({CalendarSource.SEED: "gray", CalendarSource.NOTICE: "green"})
