"""Counting rules (domain §3) pinned on real arrangements; pure, over the package-built calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from govhall.calendars import engine
from govhall.calendars.engine import WorkingCalendar

SH = ZoneInfo("Asia/Shanghai")
LUNCH = [(time(9), time(12)), (time(13, 30), time(17, 30))]


@pytest.fixture
def cal(package_calendar: WorkingCalendar) -> WorkingCalendar:
    return package_calendar


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


# --------------------------------------------------------------- working days (行政许可法 art. 82, 民法典 art. 201)


def test_start_day_is_not_counted(cal: WorkingCalendar) -> None:
    # Monday 2024-03-04 + 1 working day = Tuesday, even though Monday itself is a working day.
    assert engine.add_working_days(date(2024, 3, 4), 1, calendar=cal).value == date(2024, 3, 5)
    assert engine.add_working_days(date(2024, 3, 4), 5, calendar=cal).value == date(2024, 3, 11)


def test_spring_festival_2024_with_makeup_sunday(cal: WorkingCalendar) -> None:
    # Friday Feb 9 works; Feb 10–17 rest; Sunday Feb 18 is a make-up working day.
    r = engine.add_working_days(date(2024, 2, 8), 2, calendar=cal)
    assert (r.value, r.provisional) == (date(2024, 2, 18), False)
    assert engine.add_working_days(date(2024, 2, 9), 1, calendar=cal).value == date(2024, 2, 18)
    assert engine.add_working_days(date(2024, 2, 1), 2, calendar=cal).value == date(2024, 2, 4)


def test_spring_festival_2026_makeup_saturdays(cal: WorkingCalendar) -> None:
    assert engine.add_working_days(date(2026, 2, 13), 1, calendar=cal).value == date(2026, 2, 14)
    assert engine.add_working_days(date(2026, 2, 14), 1, calendar=cal).value == date(2026, 2, 24)
    # 20 working days from Feb 2: Feb 3–6 (4), 9–13 (5), 14 (1), 24–27 (4), 28 (1), Mar 2–6 (5) = 20.
    assert engine.add_working_days(date(2026, 2, 2), 20, calendar=cal).value == date(2026, 3, 6)


def test_national_day_2025(cal: WorkingCalendar) -> None:
    assert engine.add_working_days(date(2025, 9, 26), 1, calendar=cal).value == date(2025, 9, 28)
    assert engine.add_working_days(date(2025, 9, 30), 1, calendar=cal).value == date(2025, 10, 9)
    assert engine.add_working_days(date(2025, 10, 10), 1, calendar=cal).value == date(2025, 10, 11)
    assert engine.working_days_between(date(2025, 9, 26), date(2025, 10, 12), calendar=cal).value == 6


def test_2004_labour_day_week(cal: WorkingCalendar) -> None:
    assert engine.add_working_days(date(2004, 4, 30), 1, calendar=cal).value == date(2004, 5, 8)
    assert engine.add_working_days(date(2004, 4, 30), 3, calendar=cal).value == date(2004, 5, 10)


def test_zero_working_days_returns_start(cal: WorkingCalendar) -> None:
    r = engine.add_working_days(date(2027, 2, 6), 0, calendar=cal)
    assert (r.value, r.provisional) == (date(2027, 2, 6), False)


def test_crossing_into_unconfirmed_year_is_provisional(cal: WorkingCalendar) -> None:
    r = engine.add_working_days(date(2026, 12, 30), 3, calendar=cal)
    assert (r.value, r.provisional) == (date(2027, 1, 5), True)
    r = engine.add_working_days(date(2026, 12, 24), 3, calendar=cal)
    assert (r.value, r.provisional) == (date(2026, 12, 29), False)


def test_provisional_spring_festival_2027(cal: WorkingCalendar) -> None:
    r = engine.add_working_days(date(2027, 2, 4), 1, calendar=cal)
    assert (r.value, r.provisional) == (date(2027, 2, 9), True)


def test_long_period_spans_years(cal: WorkingCalendar) -> None:
    r = engine.add_working_days(date(2010, 1, 1), 2000, calendar=cal)
    assert engine.working_days_between(date(2010, 1, 1), r.value, calendar=cal).value == 2000
    assert r.provisional is False


@pytest.mark.parametrize("n", [-1, 1.5, "3", True])
def test_bad_counts_raise_in_chinese(cal: WorkingCalendar, n: object) -> None:
    with pytest.raises(ValueError, match="工作日数"):
        engine.add_working_days(date(2024, 1, 1), n, calendar=cal)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="自然日数"):
        engine.add_natural_days(date(2024, 1, 1), n, calendar=cal)  # type: ignore[arg-type]


def test_datetime_is_not_a_date(cal: WorkingCalendar) -> None:
    with pytest.raises(TypeError, match="date"):
        engine.add_working_days(datetime(2024, 1, 1, tzinfo=UTC), 1, calendar=cal)


# --------------------------------------------------------------- natural days (民法典 art. 203)


def test_natural_days_plain(cal: WorkingCalendar) -> None:
    r = engine.add_natural_days(date(2024, 3, 1), 10, calendar=cal)
    assert (r.value, r.provisional) == (date(2024, 3, 11), False)


def test_natural_days_ending_on_holiday_extend_to_next_working_day(cal: WorkingCalendar) -> None:
    # 2025-09-24 + 7 = Oct 1 (National Day); rest through Oct 8.
    assert engine.add_natural_days(date(2025, 9, 24), 7, calendar=cal).value == date(2025, 10, 9)
    # Ending on an ordinary Saturday → Monday.
    assert engine.add_natural_days(date(2024, 3, 2), 7, calendar=cal).value == date(2024, 3, 11)


def test_natural_days_ending_on_makeup_saturday_end_there(cal: WorkingCalendar) -> None:
    assert engine.add_natural_days(date(2026, 2, 7), 7, calendar=cal).value == date(2026, 2, 14)
    assert engine.add_natural_days(date(2025, 10, 4), 7, calendar=cal).value == date(2025, 10, 11)


def test_natural_days_zero(cal: WorkingCalendar) -> None:
    assert engine.add_natural_days(date(2024, 3, 4), 0, calendar=cal).value == date(2024, 3, 4)
    assert engine.add_natural_days(date(2024, 3, 9), 0, calendar=cal).value == date(2024, 3, 11)


def test_natural_days_provisional_only_when_examined_day_is_unconfirmed(cal: WorkingCalendar) -> None:
    assert engine.add_natural_days(date(2026, 12, 1), 10, calendar=cal).provisional is False
    r = engine.add_natural_days(date(2026, 12, 1), 60, calendar=cal)
    assert (r.value, r.provisional) == (date(2027, 2, 1), True)
    # Ending on 2027's provisional Spring Festival extends past it.
    assert engine.add_natural_days(date(2027, 1, 30), 6, calendar=cal).value == date(2027, 2, 9)


# --------------------------------------------------------------- between


def test_between_counts_half_open_interval(cal: WorkingCalendar) -> None:
    assert engine.working_days_between(date(2024, 3, 4), date(2024, 3, 4), calendar=cal).value == 0
    assert engine.working_days_between(date(2024, 3, 4), date(2024, 3, 5), calendar=cal).value == 1
    assert engine.working_days_between(date(2024, 3, 8), date(2024, 3, 10), calendar=cal).value == 0
    assert engine.working_days_between(date(2024, 2, 8), date(2024, 2, 19), calendar=cal).value == 3


def test_between_is_antisymmetric(cal: WorkingCalendar) -> None:
    r = engine.working_days_between(date(2024, 2, 19), date(2024, 2, 8), calendar=cal)
    assert (r.value, r.provisional) == (-3, False)


def test_between_across_years_and_provisional(cal: WorkingCalendar) -> None:
    r = engine.working_days_between(date(2026, 12, 31), date(2027, 1, 4), calendar=cal)
    assert (r.value, r.provisional) == (1, True)
    r = engine.working_days_between(date(2025, 12, 31), date(2026, 12, 31), calendar=cal)
    assert r.provisional is False
    assert r.value == sum(
        engine.is_working_day(date(2026, 1, 1) + timedelta(days=k), calendar=cal).value for k in range(365)
    )


# --------------------------------------------------------------- results and deadlines


def test_result_refuses_truth_testing(cal: WorkingCalendar) -> None:
    r = engine.is_working_day(date(2024, 2, 10), calendar=cal)
    assert r.value is False
    with pytest.raises(TypeError, match=r"\.value"):
        bool(r)


def test_deadline_is_end_of_day_in_shanghai() -> None:
    instant = engine.deadline_instant(date(2024, 2, 18))
    assert instant == datetime(2024, 2, 18, 16, 0, tzinfo=UTC)
    assert instant.tzinfo == UTC
    assert instant.astimezone(SH) == sh(2024, 2, 19, 0, 0)
    assert engine.local_date(instant - timedelta(microseconds=1)) == date(2024, 2, 18)


def test_deadline_after_working_days(cal: WorkingCalendar) -> None:
    r = engine.deadline_after_working_days(date(2026, 12, 30), 3, calendar=cal)
    assert (r.value, r.provisional) == (datetime(2027, 1, 5, 16, tzinfo=UTC), True)


def test_local_date_rejects_naive() -> None:
    with pytest.raises(ValueError, match="时区"):
        engine.local_date(datetime(2024, 1, 1, 12))


# --------------------------------------------------------------- office minutes


def test_office_minutes_inside_a_session(cal: WorkingCalendar) -> None:
    r = engine.add_office_minutes(sh(2024, 3, 4, 9, 10), 30, LUNCH, calendar=cal)
    assert r.value == sh(2024, 3, 4, 9, 40).astimezone(UTC)
    assert r.value.tzinfo == UTC and r.provisional is False


def test_office_minutes_across_lunch(cal: WorkingCalendar) -> None:
    r = engine.add_office_minutes(sh(2024, 3, 4, 11, 50), 30, LUNCH, calendar=cal)
    assert r.value == sh(2024, 3, 4, 13, 50)
    # Ending exactly at the session's end stays at 12:00.
    assert engine.add_office_minutes(sh(2024, 3, 4, 11, 30), 30, LUNCH, calendar=cal).value == sh(
        2024, 3, 4, 12, 0
    )
    # Starting during lunch waits for 13:30.
    assert engine.add_office_minutes(sh(2024, 3, 4, 12, 40), 30, LUNCH, calendar=cal).value == sh(
        2024, 3, 4, 14, 0
    )


def test_office_minutes_evening_and_weekend(cal: WorkingCalendar) -> None:
    # Friday 17:20 + 30 → 10 minutes Friday, 20 minutes Monday.
    assert engine.add_office_minutes(sh(2024, 3, 8, 17, 20), 30, LUNCH, calendar=cal).value == sh(
        2024, 3, 11, 9, 20
    )
    # Friday evening submission counts from Monday 09:00.
    assert engine.add_office_minutes(sh(2024, 3, 8, 20, 0), 30, LUNCH, calendar=cal).value == sh(
        2024, 3, 11, 9, 30
    )
    # Early morning before opening.
    assert engine.add_office_minutes(sh(2024, 3, 5, 7, 0), 30, LUNCH, calendar=cal).value == sh(
        2024, 3, 5, 9, 30
    )


def test_office_minutes_skip_holidays_and_use_makeup_days(cal: WorkingCalendar) -> None:
    # Thursday before 2024's Spring Festival: Friday Feb 9 works, then the make-up Sunday Feb 18.
    r = engine.add_office_minutes(sh(2024, 2, 9, 17, 0), 60, LUNCH, calendar=cal)
    assert r.value == sh(2024, 2, 18, 9, 30)
    # National Day 2025 starting on Sep 30 evening → Oct 9.
    assert engine.add_office_minutes(sh(2025, 9, 30, 18, 0), 30, LUNCH, calendar=cal).value == sh(
        2025, 10, 9, 9, 30
    )


def test_office_minutes_utc_input_and_provisional(cal: WorkingCalendar) -> None:
    # 2026-12-31 09:00 UTC is 17:00 Shanghai; 60 minutes → 30 on Dec 31, 30 on Jan 4 2027 (Jan 1 元旦, weekend).
    r = engine.add_office_minutes(datetime(2026, 12, 31, 9, 0, tzinfo=UTC), 60, LUNCH, calendar=cal)
    assert (r.value, r.provisional) == (sh(2027, 1, 4, 9, 30), True)


def test_office_minutes_default_sessions_from_settings(cal: WorkingCalendar, settings) -> None:
    settings.GOVHALL_DEFAULT_OFFICE_HOURS = "08:30-11:30，14:00-17:00"
    assert engine.add_office_minutes(sh(2024, 3, 4, 11, 0), 60, calendar=cal).value == sh(2024, 3, 4, 14, 30)


def test_office_minutes_zero_and_bad_input(cal: WorkingCalendar) -> None:
    start = sh(2024, 3, 9, 20, 0)
    assert engine.add_office_minutes(start, 0, LUNCH, calendar=cal).value == start
    with pytest.raises(ValueError, match="分钟数不能为负数"):
        engine.add_office_minutes(start, -5, LUNCH, calendar=cal)
    with pytest.raises(ValueError, match="时区"):
        engine.add_office_minutes(datetime(2024, 3, 9, 20), 5, LUNCH, calendar=cal)
    with pytest.raises(ValueError, match="重叠"):
        engine.add_office_minutes(start, 5, [(time(9), time(12)), (time(11), time(13))], calendar=cal)
    with pytest.raises(ValueError, match="晚于"):
        engine.add_office_minutes(start, 5, [(time(12), time(9))], calendar=cal)
    with pytest.raises(ValueError, match="不能为空"):
        engine.add_office_minutes(start, 5, [], calendar=cal)
    with pytest.raises(ValueError, match="格式错误"):
        engine.parse_sessions("9点-12点")


def test_office_minutes_between(cal: WorkingCalendar) -> None:
    r = engine.office_minutes_between(sh(2024, 3, 8, 11, 0), sh(2024, 3, 11, 10, 0), LUNCH, calendar=cal)
    # Fri 11:00–12:00 (60) + 13:30–17:30 (240) + Mon 09:00–10:00 (60).
    assert (r.value, r.provisional) == (360, False)
    assert (
        engine.office_minutes_between(
            sh(2024, 3, 11, 10, 0), sh(2024, 3, 8, 11, 0), LUNCH, calendar=cal
        ).value
        == -360
    )
    assert (
        engine.office_minutes_between(sh(2024, 2, 10, 9), sh(2024, 2, 17, 18), LUNCH, calendar=cal).value == 0
    )
    # Seconds are rounded down.
    assert (
        engine.office_minutes_between(
            sh(2024, 3, 4, 9, 0), sh(2024, 3, 4, 9, 0, 59), LUNCH, calendar=cal
        ).value
        == 0
    )
