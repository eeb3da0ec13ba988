"""The only way the holiday table changes: validate, write, audit, bump the revision, signal — in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from govhall.core.audit import record_event
from govhall.core.models import AuditEventType

from . import engine
from .choices import CalendarSource, DayKind
from .models import CalendarDay, CalendarRevision, CalendarYear
from .signals import calendar_changed, year_confirmed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NAME_MAX = CalendarDay._meta.get_field("name").max_length or 64
TITLE_MAX = CalendarYear._meta.get_field("notice_title").max_length or 200
WEEKDAYS = "一二三四五六日"


def _fmt(d: date) -> str:
    return f"{d:%Y-%m-%d}（周{WEEKDAYS[d.weekday()]}）"


def bump_revision() -> int:
    """Tell every process the table changed; call inside the writing transaction. Returns the new counter."""
    token = uuid.uuid4().hex
    now = timezone.now()
    if not CalendarRevision.objects.filter(pk=1).update(
        counter=F("counter") + 1, token=token, changed_at=now
    ):
        CalendarRevision.objects.create(pk=1, counter=1, token=token, changed_at=now)
    # Now for this thread (it sees its own uncommitted rows), and again after commit in case it reloaded
    # meanwhile. After a rollback the stale token no longer matches the database, so the periodic check reloads.
    engine.invalidate()
    transaction.on_commit(engine.invalidate)
    return CalendarRevision.objects.values_list("counter", flat=True).get(pk=1)


def year_snapshot(year: int) -> dict[str, Any]:
    cy = CalendarYear.objects.filter(pk=year).first()
    rows = CalendarDay.objects.filter(date__year=year).order_by("date")
    return {
        "year": year,
        "confirmed": bool(cy and cy.confirmed),
        "source": cy.source if cy else "",
        "notice_title": cy.notice_title if cy else "",
        "holidays": [[r.date.isoformat(), r.name] for r in rows if r.kind == DayKind.HOLIDAY],
        "makeup_days": [[r.date.isoformat(), r.name] for r in rows if r.kind == DayKind.MAKEUP],
    }


def validate_arrangement(
    year: int, holidays: Iterable[tuple[date, str]], makeup_days: Iterable[tuple[date, str]]
) -> list[str]:
    """Chinese error messages for a year's arrangement; empty when it can be confirmed."""
    errors: list[str] = []
    if not engine.MIN_YEAR <= year <= engine.MAX_YEAR:
        return [f"年度必须在 {engine.MIN_YEAR}–{engine.MAX_YEAR} 之间，收到 {year}"]
    seen: dict[date, str] = {}
    for kind_label, items in (("节假日", list(holidays)), ("调休上班日", list(makeup_days))):
        for d, name in items:
            if d.year != year:
                errors.append(f"{kind_label} {d:%Y-%m-%d} 不在 {year} 年内")
            if d in seen:
                if seen[d] == kind_label:
                    errors.append(f"{kind_label} {d:%Y-%m-%d} 重复录入")
                else:
                    errors.append(f"{d:%Y-%m-%d} 不能同时是节假日和调休上班日")
            seen[d] = kind_label
            if len(name) > NAME_MAX:
                errors.append(f"{d:%Y-%m-%d} 的节日名称过长（最多 {NAME_MAX} 字）")
            if kind_label == "节假日" and not name.strip():
                errors.append(f"节假日 {d:%Y-%m-%d} 缺少节日名称")
            if kind_label == "调休上班日" and d.weekday() < 5:
                errors.append(f"调休上班日 {_fmt(d)} 应为周六或周日（工作日本来就上班）")
    if not any(kind == "节假日" for kind in seen.values()):
        errors.append(f"{year} 年未录入任何节假日")
    return errors


@transaction.atomic
def confirm_year(
    year: int,
    *,
    holidays: Iterable[tuple[date, str]],
    makeup_days: Iterable[tuple[date, str]] = (),
    notice_title: str,
    actor: User | None = None,
    source: str = CalendarSource.NOTICE,
) -> CalendarYear:
    """Enter a year's official arrangement (replacing any rows it had) and mark it confirmed.

    Results that were provisional because of this year become definitive; `year_confirmed` and
    `calendar_changed` are sent so the deadlines computed provisionally can be recomputed."""
    holidays = [(d, name.strip()) for d, name in holidays]
    makeup_days = [(d, name.strip()) for d, name in makeup_days]
    notice_title = notice_title.strip()
    errors = validate_arrangement(year, holidays, makeup_days)
    if source == CalendarSource.NOTICE and not notice_title:
        errors.append("请填写通知标题（如：国务院办公厅关于某年部分节假日安排的通知）")
    if len(notice_title) > TITLE_MAX:
        errors.append(f"通知标题过长（最多 {TITLE_MAX} 字）")
    if errors:
        raise ValidationError(errors)

    # Serialises concurrent confirmations of the same year (a no-op on SQLite, whose writers are serial anyway).
    CalendarYear.objects.select_for_update().filter(pk=year).first()
    before = year_snapshot(year)
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=DayKind.HOLIDAY, name=n) for d, n in sorted(holidays)]
        + [CalendarDay(date=d, kind=DayKind.MAKEUP, name=n) for d, n in sorted(makeup_days)]
    )
    cy, _ = CalendarYear.objects.update_or_create(
        pk=year,
        defaults={
            "confirmed": True,
            "source": source,
            "notice_title": notice_title,
            "confirmed_at": timezone.now(),
            "confirmed_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    bump_revision()
    record_event(
        AuditEventType.CALENDAR_YEAR_CONFIRMED,
        actor=actor,
        obj=cy,
        before=before,
        after=year_snapshot(year),
        note=notice_title,
    )
    year_confirmed.send(sender=CalendarYear, year=year, calendar_year=cy, actor=actor)
    calendar_changed.send(sender=CalendarYear, years=frozenset({year}), actor=actor)
    return cy


def check_day(day: date, kind: str, name: str = "") -> list[str]:
    """Chinese errors for setting one day (set_day and the admin form share it); empty when it may be saved."""
    engine.check_date(day)
    if not CalendarYear.objects.filter(pk=day.year, confirmed=True).exists():
        return [f"{day.year} 年尚未确认，不能单独修改某一天；请先录入并确认该年的全年节假日安排"]
    name = name.strip()
    errors = []
    if kind not in DayKind.values:
        errors.append(f"类型必须是 {'、'.join(DayKind.values)} 之一，收到 {kind!r}")
    if kind == DayKind.HOLIDAY and not name:
        errors.append("节假日必须填写节日名称")
    if kind == DayKind.MAKEUP and day.weekday() < 5:
        errors.append(f"调休上班日 {_fmt(day)} 应为周六或周日（工作日本来就上班）")
    if len(name) > NAME_MAX:
        errors.append(f"节日名称过长（最多 {NAME_MAX} 字）")
    return errors


def _day_dict(row: CalendarDay | None) -> dict[str, str] | None:
    return None if row is None else {"date": row.date.isoformat(), "kind": row.kind, "name": row.name}


@transaction.atomic
def set_day(
    day: date, kind: str, name: str = "", *, actor: User | None = None, note: str = ""
) -> CalendarDay:
    """Mark one day of a confirmed year as a holiday or a make-up working day (a correction, or a one-off
    holiday such as 2015-09-03), replacing whatever that day was."""
    engine.check_date(day)
    CalendarYear.objects.select_for_update().filter(pk=day.year).first()
    errors = check_day(day, kind, name)
    if errors:
        raise ValidationError(errors)
    name = name.strip()
    existing = CalendarDay.objects.filter(date=day).first()
    before = _day_dict(existing)
    row, _ = CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
    bump_revision()
    record_event(
        AuditEventType.CALENDAR_DAY_CHANGED,
        actor=actor,
        obj=row,
        before=before,
        after=_day_dict(row),
        note=note,
    )
    calendar_changed.send(sender=CalendarYear, years=frozenset({day.year}), actor=actor)
    return row


@transaction.atomic
def remove_day(day: date, *, actor: User | None = None, note: str = "") -> None:
    """Make one day of a confirmed year an ordinary day again (weekday works, weekend rests)."""
    engine.check_date(day)
    if not CalendarYear.objects.select_for_update().filter(pk=day.year, confirmed=True).exists():
        raise ValidationError(
            f"{day.year} 年尚未确认，不能单独修改某一天；请先录入并确认该年的全年节假日安排"
        )
    row = CalendarDay.objects.filter(date=day).first()
    if row is None:
        raise ValidationError(f"{day:%Y-%m-%d} 不是节假日或调休上班日，无需删除")
    # Audit before deleting: the event names the row by its primary key.
    record_event(
        AuditEventType.CALENDAR_DAY_CHANGED,
        actor=actor,
        obj=row,
        before=_day_dict(row),
        after=None,
        note=note or f"删除 {row}",
    )
    row.delete()
    bump_revision()
    calendar_changed.send(sender=CalendarYear, years=frozenset({day.year}), actor=actor)
