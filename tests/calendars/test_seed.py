"""The data migration: 2004–2026 from the chinesecalendar package, pinned against the published notices."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from govhall.calendars import engine
from govhall.calendars.choices import CalendarSource, DayKind
from govhall.calendars.models import CalendarDay, CalendarRevision, CalendarYear

pytestmark = pytest.mark.django_db


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def rows(year: int, kind: str) -> dict[date, str]:
    return dict(CalendarDay.objects.filter(date__year=year, kind=kind).values_list("date", "name"))


def test_years_2004_to_2026_are_seeded_and_confirmed() -> None:
    years = CalendarYear.objects.order_by("year")
    assert [y.year for y in years] == list(range(2004, 2027))
    assert all(y.confirmed and y.source == CalendarSource.SEED for y in years)
    assert CalendarRevision.objects.get(pk=1).token


def test_spring_festival_2024() -> None:
    holidays, makeups = rows(2024, DayKind.HOLIDAY), rows(2024, DayKind.MAKEUP)
    assert [d for d in holidays if d.month == 2] == days(date(2024, 2, 10), date(2024, 2, 17))
    assert {holidays[d] for d in days(date(2024, 2, 10), date(2024, 2, 17))} == {"春节"}
    assert {d: n for d, n in makeups.items() if n == "春节"} == {
        date(2024, 2, 4): "春节",
        date(2024, 2, 18): "春节",
    }
    assert date(2024, 2, 4).weekday() == date(2024, 2, 18).weekday() == 6


def test_spring_festival_2026() -> None:
    holidays, makeups = rows(2026, DayKind.HOLIDAY), rows(2026, DayKind.MAKEUP)
    assert [d for d, n in holidays.items() if n == "春节"] == days(date(2026, 2, 15), date(2026, 2, 23))
    assert sorted(d for d, n in makeups.items() if n == "春节") == [date(2026, 2, 14), date(2026, 2, 28)]
    assert date(2026, 2, 14).weekday() == date(2026, 2, 28).weekday() == 5


def test_national_day_2025_with_mid_autumn() -> None:
    holidays, makeups = rows(2025, DayKind.HOLIDAY), rows(2025, DayKind.MAKEUP)
    assert [d for d in holidays if d.month == 10] == days(date(2025, 10, 1), date(2025, 10, 8))
    assert holidays[date(2025, 10, 6)] == "中秋"
    assert holidays[date(2025, 10, 1)] == "国庆节"
    assert sorted(d for d, n in makeups.items() if n == "国庆节") == [date(2025, 9, 28), date(2025, 10, 11)]


def test_2004_golden_weeks() -> None:
    holidays, makeups = rows(2004, DayKind.HOLIDAY), rows(2004, DayKind.MAKEUP)
    assert [d for d, n in holidays.items() if n == "春节"] == days(date(2004, 1, 22), date(2004, 1, 28))
    assert [d for d, n in holidays.items() if n == "劳动节"] == days(date(2004, 5, 1), date(2004, 5, 7))
    assert sorted(makeups) == [
        date(2004, 1, 17),
        date(2004, 1, 18),
        date(2004, 5, 8),
        date(2004, 5, 9),
        date(2004, 10, 9),
        date(2004, 10, 10),
    ]
    # 清明 only became a public holiday in 2008.
    assert "清明" not in holidays.values()


def test_one_off_holiday_2015_is_seeded() -> None:
    assert rows(2015, DayKind.HOLIDAY)[date(2015, 9, 3)].startswith("中国人民抗日战争")


def test_loaded_calendar_matches_package_for_every_seeded_day() -> None:
    cal = engine.load_calendar()
    mismatches = [
        d
        for d in days(date(2004, 1, 1), date(2026, 12, 31))
        if cal.is_working_day(d) != chinese_calendar.is_workday(d)
    ]
    assert mismatches == []
    assert cal.confirmed_years == list(range(2004, 2027))


def test_seed_is_idempotent() -> None:
    from govhall.calendars.seed import seed_from_package

    before = CalendarDay.objects.count()
    assert seed_from_package(CalendarYear, CalendarDay) == 0
    assert CalendarDay.objects.count() == before
