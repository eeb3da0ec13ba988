"""Confirming a year and single-day edits: validation, audit, revision, cache invalidation, signals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from govhall.calendars import actions, engine
from govhall.calendars.choices import CalendarSource, DayKind
from govhall.calendars.models import CalendarDay, CalendarRevision, CalendarYear
from govhall.calendars.signals import calendar_changed, year_confirmed
from govhall.core.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db

TITLE_2027 = "国务院办公厅关于2027年部分节假日安排的通知"


def span(first: date, last: date, name: str) -> list[tuple[date, str]]:
    return [(first + timedelta(days=k), name) for k in range((last - first).days + 1)]


# A plausible 2027 arrangement (the real notice is not out yet): Spring Festival Feb 5–12 with make-up days.
HOLIDAYS_2027 = span(date(2027, 1, 1), date(2027, 1, 3), "元旦") + span(
    date(2027, 2, 5), date(2027, 2, 12), "春节"
)
MAKEUPS_2027 = [(date(2027, 2, 14), "春节"), (date(2027, 2, 20), "春节")]


@pytest.fixture
def admin_user() -> User:
    return User.objects.create_superuser("calendar-admin", password="x")


def confirm_2027(actor: User | None = None) -> CalendarYear:
    return actions.confirm_year(
        2027, holidays=HOLIDAYS_2027, makeup_days=MAKEUPS_2027, notice_title=TITLE_2027, actor=actor
    )


def test_confirming_makes_results_definitive_and_changes_them(admin_user: User) -> None:
    before = engine.add_working_days(date(2027, 2, 4), 1)
    assert (before.value, before.provisional) == (date(2027, 2, 9), True)

    cy = confirm_2027(admin_user)

    after = engine.add_working_days(date(2027, 2, 4), 1)
    assert (after.value, after.provisional) == (date(2027, 2, 14), False)
    assert engine.is_working_day(date(2027, 2, 20)).value is True
    # Dates the provisional rule rested on but the notice does not (here 清明 was not entered) now work.
    assert engine.is_working_day(date(2027, 4, 5)).value is True
    assert (cy.confirmed, cy.source, cy.notice_title, cy.confirmed_by) == (
        True,
        CalendarSource.NOTICE,
        TITLE_2027,
        admin_user,
    )
    assert cy.confirmed_at is not None


def test_confirmation_is_audited_with_before_and_after(admin_user: User) -> None:
    confirm_2027(admin_user)
    event = AuditEvent.objects.get(event_type=AuditEventType.CALENDAR_YEAR_CONFIRMED)
    assert event.actor == admin_user
    assert event.before is not None and event.after is not None
    assert event.object_id == "2027"
    assert event.before["confirmed"] is False and event.before["holidays"] == []
    assert event.after["confirmed"] is True
    assert ["2027-02-14", "春节"] in event.after["makeup_days"]
    assert len(event.after["holidays"]) == 11


def test_reconfirming_replaces_the_years_rows() -> None:
    confirm_2027()
    actions.confirm_year(2027, holidays=[(date(2027, 1, 1), "元旦")], notice_title="更正通知")
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind")) == [
        (date(2027, 1, 1), DayKind.HOLIDAY)
    ]
    # Other years untouched.
    assert CalendarDay.objects.filter(date__year=2026).count() > 30


def test_confirmation_bumps_revision_and_signals() -> None:
    received: list[tuple[str, object]] = []

    def on_confirmed(sender: object, year: int, **kwargs: object) -> None:
        received.append(("confirmed", year))

    def on_changed(sender: object, years: frozenset[int], **kwargs: object) -> None:
        received.append(("changed", years))

    rev = CalendarRevision.objects.get(pk=1)
    year_confirmed.connect(on_confirmed)
    calendar_changed.connect(on_changed)
    try:
        confirm_2027()
    finally:
        year_confirmed.disconnect(on_confirmed)
        calendar_changed.disconnect(on_changed)
    assert received == [("confirmed", 2027), ("changed", frozenset({2027}))]
    new = CalendarRevision.objects.get(pk=1)
    assert new.counter == rev.counter + 1 and new.token != rev.token


def test_receiver_failure_rolls_the_confirmation_back() -> None:
    def broken(sender: object, **kwargs: object) -> None:
        raise RuntimeError("recompute failed")

    year_confirmed.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            confirm_2027()
    finally:
        year_confirmed.disconnect(broken)
    assert not CalendarYear.objects.filter(pk=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


@pytest.mark.parametrize(
    ("holidays", "makeups", "message"),
    [
        ([(date(2026, 12, 31), "元旦")], [], "不在 2027 年内"),
        ([(date(2027, 2, 6), "春节")], [(date(2027, 2, 6), "春节")], "不能同时是节假日和调休上班日"),
        ([(date(2027, 2, 6), "春节")], [(date(2027, 2, 10), "春节")], "应为周六或周日"),
        ([(date(2027, 2, 6), "")], [], "缺少节日名称"),
        ([(date(2027, 2, 6), "春节"), (date(2027, 2, 6), "春节")], [], "重复录入"),
        ([], [(date(2027, 2, 13), "春节")], "未录入任何节假日"),
    ],
)
def test_confirmation_validation(holidays: list, makeups: list, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.confirm_year(2027, holidays=holidays, makeup_days=makeups, notice_title=TITLE_2027)
    assert any(message in m for m in exc.value.messages)
    assert not CalendarYear.objects.filter(pk=2027).exists()
    assert not AuditEvent.objects.exists()


def test_notice_title_required() -> None:
    with pytest.raises(ValidationError, match="通知标题"):
        actions.confirm_year(2027, holidays=HOLIDAYS_2027, notice_title="  ")


def test_set_and_remove_single_day(admin_user: User) -> None:
    # A one-off holiday in a confirmed year (like 2015-09-03).
    assert engine.is_working_day(date(2026, 3, 3)).value is True
    actions.set_day(date(2026, 3, 3), DayKind.HOLIDAY, "临时放假", actor=admin_user)
    assert engine.is_working_day(date(2026, 3, 3)).value is False
    actions.set_day(date(2026, 3, 7), DayKind.MAKEUP, "临时放假", actor=admin_user)
    assert engine.is_working_day(date(2026, 3, 7)).value is True
    actions.remove_day(date(2026, 3, 3), actor=admin_user)
    assert engine.is_working_day(date(2026, 3, 3)).value is True
    events = list(AuditEvent.objects.filter(event_type=AuditEventType.CALENDAR_DAY_CHANGED).order_by("id"))
    assert [(e.before, e.after and e.after["kind"]) for e in events] == [
        (None, "holiday"),
        (None, "makeup"),
        ({"date": "2026-03-03", "kind": "holiday", "name": "临时放假"}, None),
    ]


def test_single_day_edits_are_validated() -> None:
    with pytest.raises(ValidationError, match="尚未确认"):
        actions.set_day(date(2027, 3, 3), DayKind.HOLIDAY, "临时放假")
    with pytest.raises(ValidationError, match="应为周六或周日"):
        actions.set_day(date(2026, 3, 3), DayKind.MAKEUP, "")
    with pytest.raises(ValidationError, match="必须填写节日名称"):
        actions.set_day(date(2026, 3, 3), DayKind.HOLIDAY, "")
    with pytest.raises(ValidationError, match="无需删除"):
        actions.remove_day(date(2026, 3, 3))
    assert not AuditEvent.objects.exists()


def test_cache_is_reused_within_the_window(django_assert_num_queries, settings) -> None:
    settings.GOVHALL_CALENDAR_CACHE_SECONDS = 3600
    engine.get_calendar()
    with django_assert_num_queries(0):
        for k in range(50):
            engine.add_working_days(date(2026, 1, 1) + timedelta(days=k), 20)


def test_in_process_cache_invalidated_immediately_by_actions(settings) -> None:
    settings.GOVHALL_CALENDAR_CACHE_SECONDS = 3600
    assert engine.get_calendar().is_confirmed(2027) is False
    confirm_2027()
    assert engine.get_calendar().is_confirmed(2027) is True


def test_other_process_change_seen_after_revision_check(settings, django_assert_num_queries) -> None:
    """Simulate another process: it writes rows and a new token without touching our in-memory snapshot."""
    settings.GOVHALL_CALENDAR_CACHE_SECONDS = 3600
    cal = engine.get_calendar()
    CalendarDay.objects.create(date=date(2026, 3, 4), kind=DayKind.HOLIDAY, name="临时放假")
    CalendarRevision.objects.filter(pk=1).update(token="changed-elsewhere")
    # Within the window the stale snapshot is trusted…
    assert engine.get_calendar() is cal
    assert engine.is_working_day(date(2026, 3, 4)).value is True
    # …and once the window has passed, one query notices the new token and the table is re-read.
    settings.GOVHALL_CALENDAR_CACHE_SECONDS = 0
    assert engine.is_working_day(date(2026, 3, 4)).value is False
    with django_assert_num_queries(1):
        engine.get_calendar()
