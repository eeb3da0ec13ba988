"""Hypothesis properties tying the counting rules together (pure, over the shared package-built calendar)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from govhall.calendars import engine
from govhall.calendars.engine import WorkingCalendar

starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=400)
LUNCH = [(time(9), time(12)), (time(13, 30), time(17, 30))]
SH = ZoneInfo("Asia/Shanghai")


def naive_add(cal: WorkingCalendar, start: date, n: int) -> date:
    d = start
    while n:
        d += timedelta(days=1)
        n -= cal.is_working_day(d)
    return d


@settings(max_examples=200, deadline=None)
@given(start=starts, n=counts)
def test_between_inverts_add(package_calendar: WorkingCalendar, start: date, n: int) -> None:
    cal = package_calendar
    end = engine.add_working_days(start, n, calendar=cal)
    assert engine.working_days_between(start, end.value, calendar=cal).value == n
    assert end.value == naive_add(cal, start, n)
    if n > 0:
        assert cal.is_working_day(end.value)
        # Nothing earlier than the result completes the count.
        assert engine.working_days_between(start, end.value - timedelta(days=1), calendar=cal).value == n - 1
    last_confirmed = date(2026, 12, 31)
    assert end.provisional == (n > 0 and end.value > last_confirmed)


@settings(max_examples=150, deadline=None)
@given(start=starts, n=counts, m=counts)
def test_add_is_monotonic_and_composes(
    package_calendar: WorkingCalendar, start: date, n: int, m: int
) -> None:
    cal = package_calendar
    a = engine.add_working_days(start, n, calendar=cal).value
    b = engine.add_working_days(start, n + m, calendar=cal).value
    assert a <= b
    assert engine.add_working_days(a, m, calendar=cal).value == b


@settings(max_examples=150, deadline=None)
@given(a=starts, b=starts)
def test_between_is_antisymmetric(package_calendar: WorkingCalendar, a: date, b: date) -> None:
    cal = package_calendar
    ab = engine.working_days_between(a, b, calendar=cal)
    ba = engine.working_days_between(b, a, calendar=cal)
    assert ab.value == -ba.value
    assert ab.provisional == ba.provisional
    assert abs(ab.value) <= abs((b - a).days)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=counts)
def test_natural_days_extend_to_a_working_day(package_calendar: WorkingCalendar, start: date, n: int) -> None:
    cal = package_calendar
    end = engine.add_natural_days(start, n, calendar=cal).value
    assert end >= start + timedelta(days=n)
    assert cal.is_working_day(end)
    # Every day skipped over is a rest day (the extension stops at the first working day).
    assert all(not cal.is_working_day(start + timedelta(days=k)) for k in range(n, (end - start).days))


@settings(max_examples=100, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SH)
    ),
    minutes=st.integers(min_value=0, max_value=3000),
)
def test_office_minutes_add_and_between_agree(
    package_calendar: WorkingCalendar, start: datetime, minutes: int
) -> None:
    cal = package_calendar
    end = engine.add_office_minutes(start, minutes, LUNCH, calendar=cal).value
    assert end >= start
    assert engine.office_minutes_between(start, end, LUNCH, calendar=cal).value == minutes
    if minutes:
        local = end.astimezone(SH)
        assert cal.is_working_day(local.date())
        assert any(s < local.time() <= e for s, e in LUNCH)
        assert (
            engine.office_minutes_between(start, end - timedelta(seconds=1), LUNCH, calendar=cal).value
            == minutes - 1
        )
