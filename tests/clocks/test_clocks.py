"""The one clock engine: deadlines per unit, pauses that stop the clock exactly, extensions, provisional years."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from govhall.calendars import engine
from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockState, Light

SH = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


pytestmark = pytest.mark.django_db


def test_working_day_clock_expires_at_midnight_of_the_nth_working_day():
    # Friday 2026-09-25; National Day 1–7 October (make-up Sunday 27 Sept and Saturday 10 Oct).
    c = clocks.start_clock(kind="case", amount=5, unit="workday", at=local(2026, 9, 25, 10))
    assert c.due_day == engine.add_working_days(dt.date(2026, 9, 25), 5).value
    assert c.due_at == engine.deadline_instant(c.due_day)
    assert clocks.light_at(c, c.due_at - dt.timedelta(seconds=1)) == Light.YELLOW
    assert clocks.light_at(c, c.due_at) == Light.RED
    assert clocks.light_at(c, local(2026, 9, 25, 11)) == Light.GREEN


def test_natural_day_clock_rolls_over_a_holiday():
    # 20 natural days from 11 September 2026 end on 1 October, a holiday → the next working day (民法典 art. 203).
    c = clocks.start_clock(kind="case", amount=20, unit="day", at=local(2026, 9, 11, 10))
    assert c.due_day == engine.add_natural_days(dt.date(2026, 9, 11), 20).value
    assert c.due_day > dt.date(2026, 10, 1)


def test_office_minute_clock_runs_only_in_office_hours():
    c = clocks.start_clock(kind="step", amount=30, unit="minute", at=local(2026, 3, 6, 17, 15))  # Friday
    assert c.due_at == local(2026, 3, 9, 9, 15).astimezone(dt.UTC)  # 15 min Friday, 15 min Monday
    hours = clocks.start_clock(kind="step", amount=1, unit="hour", at=local(2026, 3, 2, 11, 30))
    assert hours.budget == 60 and hours.due_at == local(2026, 3, 2, 14, 0).astimezone(dt.UTC)


def test_pause_stops_a_working_day_clock_exactly():
    start = local(2026, 3, 2, 10)  # Monday
    c = clocks.start_clock(kind="case", amount=5, unit="workday", at=start)
    assert c.due_day == dt.date(2026, 3, 9)
    clocks.pause_clock(c, at=local(2026, 3, 3, 15))  # Tuesday
    assert c.state == ClockState.PAUSED and c.next_check_at is None
    # While paused, the light and the remaining budget are frozen.
    assert clocks.light_at(c, local(2026, 3, 30, 9)) == Light.GREEN
    assert clocks.remaining(c, local(2026, 3, 30, 9)) == 4
    clocks.resume_clock(c, at=local(2026, 3, 6, 9))  # Friday: Wed, Thu, Fri not counted
    assert c.paused_amount == 3
    assert c.due_day == dt.date(2026, 3, 12)
    assert c.pauses.get().amount == 3


def test_pause_across_a_weekend_costs_no_working_days():
    c = clocks.start_clock(kind="case", amount=2, unit="workday", at=local(2026, 3, 2, 10))
    clocks.pause_clock(c, at=local(2026, 3, 6, 18))  # Friday evening
    clocks.resume_clock(c, at=local(2026, 3, 8, 20))  # Sunday evening
    assert c.paused_amount == 0 and c.due_day == dt.date(2026, 3, 4)


def test_pause_of_a_minute_clock_counts_office_minutes():
    c = clocks.start_clock(kind="step", amount=60, unit="minute", at=local(2026, 3, 2, 9, 0))
    clocks.pause_clock(c, at=local(2026, 3, 2, 9, 30))
    clocks.resume_clock(c, at=local(2026, 3, 2, 14, 0))  # 09:30–12:00 and 13:30–14:00 = 180 min
    assert c.paused_amount == 180
    assert c.due_at == local(2026, 3, 2, 14, 30).astimezone(dt.UTC)


@settings(max_examples=40, deadline=None)
@given(
    budget=st.integers(1, 15),
    pause_start=st.integers(0, 20),
    pause_len=st.integers(0, 20),
)
def test_paused_clock_expires_exactly_as_much_later_as_it_was_stopped(budget, pause_start, pause_len):
    start_day = dt.date(2026, 3, 2)
    c = clocks.start_clock(kind="case", amount=budget, unit="workday", at=local(2026, 3, 2, 10))
    p1 = start_day + dt.timedelta(days=pause_start)
    p2 = p1 + dt.timedelta(days=pause_len)
    clocks.pause_clock(c, at=local(p1.year, p1.month, p1.day, 12))
    clocks.resume_clock(c, at=local(p2.year, p2.month, p2.day, 12))
    stopped = engine.working_days_between(p1, p2).value
    assert c.due_day == engine.add_working_days(start_day, budget + stopped).value
    # Working days counted against the budget between start and the deadline, minus the paused ones, equal the budget.
    assert engine.working_days_between(start_day, c.due_day).value - stopped == budget


def test_extension_moves_the_deadline_and_turns_the_light_green_again():
    c = clocks.start_clock(kind="case", amount=3, unit="workday", at=local(2026, 3, 2, 10))
    assert clocks.light_at(c, local(2026, 3, 5, 10)) == Light.YELLOW
    clocks.extend_clock(c, 10, at=local(2026, 3, 5, 10))
    assert c.due_day == dt.date(2026, 3, 19)
    assert clocks.light_at(c, local(2026, 3, 5, 10)) == Light.GREEN
    with pytest.raises(ValidationError):
        clocks.extend_clock(c, 0)


def test_stop_records_lateness():
    c = clocks.start_clock(kind="step", amount=1, unit="workday", at=local(2026, 3, 2, 10))
    clocks.stop_clock(c, at=local(2026, 3, 4, 0, 0, 1))
    assert c.late is True and clocks.light_at(c, local(2026, 3, 5)) == Light.RED
    d = clocks.start_clock(kind="step", amount=1, unit="workday", at=local(2026, 3, 2, 10))
    clocks.stop_clock(d, at=local(2026, 3, 3, 23, 59))
    assert d.late is False


def test_provisional_deadline_is_recomputed_when_the_year_is_confirmed():
    from govhall.calendars.actions import confirm_year

    # A deadline in 2027, a year with no official arrangement yet.
    c = clocks.start_clock(kind="case", amount=20, unit="workday", at=local(2026, 12, 21, 10))
    assert c.provisional
    provisional_due = c.due_day
    # Suppose the State Council makes Monday 4 January 2027 a holiday too.
    from govhall.calendars.engine import provisional_holidays

    holidays = dict(provisional_holidays(2027))
    holidays[dt.date(2027, 1, 4)] = "元旦"
    confirm_year(
        2027,
        holidays=sorted(holidays.items()),
        notice_title="国务院办公厅关于2027年部分节假日安排的通知（测试）",
    )
    c.refresh_from_db()
    assert not c.provisional
    assert c.due_day == engine.add_working_days(dt.date(2026, 12, 21), 20).value
    assert c.due_day > provisional_due


def test_configured_thresholds_for_day_and_minute_clocks():
    start = local(2026, 3, 2, 10)  # Monday
    units = clocks.start_clock(kind="step", amount=5, unit="workday", at=start, warn_units=2)
    assert units.warn_at == local(2026, 3, 6, 0, 0)  # yellow for the last two working days (Fri, Mon)
    ratio = clocks.start_clock(kind="step", amount=10, unit="workday", at=start, warn_ratio=0.5)
    assert ratio.warn_at == engine.deadline_instant(dt.date(2026, 3, 9))  # 5 of 10 working days used
    natural = clocks.start_clock(kind="step", amount=10, unit="day", at=start, warn_units=3)
    assert natural.warn_at == engine.deadline_instant(dt.date(2026, 3, 9))
    minutes = clocks.start_clock(
        kind="step", amount=60, unit="minute", at=local(2026, 3, 2, 9), warn_ratio=0.5
    )
    assert minutes.warn_at == local(2026, 3, 2, 9, 30).astimezone(dt.UTC)
    left = clocks.start_clock(kind="step", amount=2, unit="hour", at=local(2026, 3, 2, 9), warn_units=1)
    assert left.warn_units == 60 and left.warn_at == local(2026, 3, 2, 10, 0).astimezone(dt.UTC)
    default = clocks.start_clock(kind="step", amount=60, unit="minute", at=local(2026, 3, 2, 9))
    assert default.warn_at == local(2026, 3, 2, 9, 48).astimezone(dt.UTC)  # 80% by default
    with pytest.raises(ValidationError):
        clocks.start_clock(kind="step", amount=5, unit="workday", at=start, warn_units=1, warn_ratio=0.5)
    with pytest.raises(ValidationError):
        clocks.start_clock(kind="step", amount=5, unit="workday", at=start, warn_ratio=1.5)


def test_configured_threshold_follows_pause_and_extension():
    c = clocks.start_clock(kind="case", amount=10, unit="workday", at=local(2026, 3, 2, 10), warn_ratio=0.5)
    assert c.warn_at == engine.deadline_instant(dt.date(2026, 3, 9))
    clocks.pause_clock(c, at=local(2026, 3, 3, 10))
    clocks.resume_clock(c, at=local(2026, 3, 5, 10))  # Wed, Thu not counted: total 12, half = 6 working days
    assert c.paused_amount == 2 and c.warn_at == engine.deadline_instant(dt.date(2026, 3, 10))
    assert c.next_check_at == c.warn_at
    clocks.extend_clock(c, 4, at=local(2026, 3, 6, 10))  # total 16, half = 8
    assert c.warn_at == engine.deadline_instant(dt.date(2026, 3, 12)) and c.next_check_at == c.warn_at
    u = clocks.start_clock(kind="case", amount=3, unit="workday", at=local(2026, 3, 2, 10), warn_units=1)
    clocks.extend_clock(
        u, 5, at=local(2026, 3, 4, 10)
    )  # already yellow: green again, yellow one day before the new end
    assert u.due_at == engine.deadline_instant(dt.date(2026, 3, 12))
    assert u.warn_at == engine.deadline_instant(dt.date(2026, 3, 11)) and u.next_check_at == u.warn_at
    assert clocks.light_at(u, local(2026, 3, 5, 10)) == Light.GREEN
