"""The provisional rule for unconfirmed years (domain §3): weekends plus statutory dates, no make-up days."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from lunardate import LunarDate

from govhall.calendars import engine


def test_2027_statutory_dates_from_lunar_conversion() -> None:
    h = engine.provisional_holidays(2027)
    # 2027 lunar new year is Feb 6; the twelfth month of 2026 has 29 days, so 除夕 is lunar 12/29 = Feb 5.
    assert LunarDate.from_solar_date(2027, 2, 5) == LunarDate(2026, 12, 29)
    assert sorted(d for d, n in h.items() if n == "春节") == [date(2027, 2, k) for k in (5, 6, 7, 8)]
    assert h[date(2027, 4, 5)] == "清明"
    assert h[date(2027, 6, 9)] == "端午"
    assert h[date(2027, 9, 15)] == "中秋"
    assert h[date(2027, 1, 1)] == "元旦"
    assert [d for d, n in h.items() if n == "劳动节"] == [date(2027, 5, 1), date(2027, 5, 2)]
    assert [d for d, n in h.items() if n == "国庆节"] == [date(2027, 10, k) for k in (1, 2, 3)]
    assert len(h) == 13


def test_chuxi_when_twelfth_month_has_30_days() -> None:
    # 2024's new year (Feb 10) followed a 30-day twelfth month: 除夕 is lunar 12/30.
    h = engine.provisional_holidays(2024)
    assert LunarDate.from_solar_date(2024, 2, 9) == LunarDate(2023, 12, 30)
    assert sorted(d for d, n in h.items() if n == "春节") == [date(2024, 2, k) for k in (9, 10, 11, 12)]


@pytest.mark.parametrize(
    ("year", "day"),
    [
        (2024, date(2024, 4, 4)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 4, 5)),
        (2028, date(2028, 4, 4)),
        (2030, date(2030, 4, 5)),
        (1999, date(1999, 4, 5)),
    ],
)
def test_qingming_solar_term(year: int, day: date) -> None:
    assert [d for d, n in engine.provisional_holidays(year).items() if n == "清明"] == [day]


@pytest.mark.parametrize("year", range(2008, 2027))
def test_provisional_dates_are_official_rest_days(year: int) -> None:
    """Every official arrangement since 2008 rests on the statutory dates, so the provisional dates must be
    rest days there too: checks the lunar and solar-term conversions against 19 years of notices."""
    new_year = LunarDate(year, 1, 1).to_solar_date()
    expected_rest = [
        d
        for d, n in engine.provisional_holidays(year).items()
        # 除夕 worked in 2014–2024; 劳动节 had one statutory day (May 1) until the 2024 revision took effect.
        if not (n == "春节" and d < new_year) and not (d == date(year, 5, 2) and year < 2025)
    ]
    assert len(expected_rest) >= 10
    assert [d for d in expected_rest if chinese_calendar.is_workday(d)] == []


def test_unconfirmed_week_has_no_makeup_days(package_calendar: engine.WorkingCalendar) -> None:
    # The week around 2027's Spring Festival: Mon Feb 1 – Sun Feb 14.
    week = [date(2027, 2, 1) + timedelta(days=k) for k in range(14)]
    working = [d for d in week if engine.is_working_day(d, calendar=package_calendar).value]
    assert working == [date(2027, 2, k) for k in (1, 2, 3, 4, 9, 10, 11, 12)]
    info = engine.describe_day(date(2027, 2, 13), calendar=package_calendar)
    assert (info.working, info.reason, info.provisional) == (False, "weekend", True)
    info = engine.describe_day(date(2027, 2, 5), calendar=package_calendar)
    assert (info.working, info.reason, info.name, info.provisional) == (False, "holiday", "春节", True)


def test_holidays_falling_on_weekend_are_not_shifted(package_calendar: engine.WorkingCalendar) -> None:
    # 2027-05-01/02 are Saturday/Sunday: no substitute Monday in a provisional year.
    assert date(2027, 5, 1).weekday() == 5
    assert engine.is_working_day(date(2027, 5, 3), calendar=package_calendar).value is True


def test_years_before_2004_are_provisional(package_calendar: engine.WorkingCalendar) -> None:
    day = engine.is_working_day(date(2003, 10, 2), calendar=package_calendar)
    assert (day.value, day.provisional) == (False, True)
    r = engine.add_working_days(date(2003, 12, 30), 2, calendar=package_calendar)
    assert (r.value, r.provisional) == (date(2004, 1, 2), True)
    # Starting on Dec 31 examines only 2004 days.
    r = engine.add_working_days(date(2003, 12, 31), 2, calendar=package_calendar)
    assert (r.value, r.provisional) == (date(2004, 1, 5), False)


def test_package_solar_terms_cover_the_supported_range() -> None:
    for year in (engine.MIN_YEAR, engine.MAX_YEAR):
        assert any(
            n == "清明" for _, n in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
        )
        assert len(engine.provisional_holidays(year)) == 13


@pytest.mark.parametrize("bad", [date(1899, 12, 31), date(2100, 1, 1)])
def test_outside_supported_range_raises(bad: date, package_calendar: engine.WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="超出工作日历支持的范围"):
        engine.is_working_day(bad, calendar=package_calendar)
