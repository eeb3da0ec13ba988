"""The one time zone of the calendar. Instants are stored in UTC; working days, office hours, report periods and
the times printed on notices are those of Beijing time, whatever the server's own zone is."""

from __future__ import annotations

from zoneinfo import ZoneInfo

SHANGHAI_NAME = "Asia/Shanghai"
SHANGHAI = ZoneInfo(SHANGHAI_NAME)
