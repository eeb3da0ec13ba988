"""Loading the official arrangements that the chinesecalendar package ships (2004–2026) into the table.

Called by migration 0002 with the historical models, so it must not import the app's models. The year range
is fixed rather than "whatever the installed package knows": a later package release must not silently turn
a year the administrators have not confirmed into a confirmed one when a fresh database is migrated."""

from __future__ import annotations

from datetime import date
from typing import Any

SEED_FIRST_YEAR = 2004
SEED_LAST_YEAR = 2026


def package_arrangement(year: int) -> tuple[dict[date, str], dict[date, str]]:
    """(holidays, make-up working days) for one year from the package, keyed by date, valued by Chinese name."""
    from chinese_calendar import constants

    def chinese(value: str) -> str:
        return str(constants.Holiday(value).chinese)

    holidays = {d: chinese(v) for d, v in constants.holidays.items() if d.year == year}
    makeups = {d: chinese(v) for d, v in constants.workdays.items() if d.year == year}
    return holidays, makeups


def seed_from_package(
    year_model: Any,
    day_model: Any,
    first: int = SEED_FIRST_YEAR,
    last: int = SEED_LAST_YEAR,
    now: Any = None,
) -> int:
    """Insert years first..last that are not in the table yet; returns the number of years added.

    Years already present are left alone so that re-running never overwrites an administrator's correction."""
    present = set(year_model.objects.filter(year__range=(first, last)).values_list("year", flat=True))
    years, days = [], []
    for year in range(first, last + 1):
        if year in present:
            continue
        holidays, makeups = package_arrangement(year)
        years.append(
            year_model(
                year=year,
                confirmed=True,
                source="seed",
                notice_title=f"国务院办公厅关于{year}年部分节假日安排的通知（据 chinesecalendar 软件包数据）",
                confirmed_at=now,
            )
        )
        days += [day_model(date=d, kind="holiday", name=n) for d, n in sorted(holidays.items())]
        days += [day_model(date=d, kind="makeup", name=n) for d, n in sorted(makeups.items())]
    year_model.objects.bulk_create(years)
    day_model.objects.bulk_create(days, batch_size=500)
    return len(years)
