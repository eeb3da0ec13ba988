"""The only writers of queues and tickets: take a ticket (取号), call (叫号), recall, start serving, finish, no-show,
transfer, link the case the ticket became.

Every action runs in one transaction, locks the ticket row it changes, checks who acts (a window clerk at the
window the ticket is at) and writes a typed `TicketEvent`; queue configuration goes to the audit log. Wrong input
raises a ValidationError keyed by field in Chinese, the wrong person PermissionDenied."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from govhall.calendars.engine import local_date
from govhall.cases.choices import Channel
from govhall.cases.models import Case
from govhall.catalog.models import ServiceItem
from govhall.core.audit import record_event
from govhall.core.clock import now
from govhall.core.models import AuditEventType
from govhall.org.access import require_role
from govhall.org.choices import Role, WindowKind
from govhall.org.models import Department, Hall, StaffProfile, Window

from . import queries
from .choices import AT_WINDOW, TicketChannel, TicketEventType, TicketStatus
from .models import Queue, Ticket, TicketCounter, TicketEvent, prefix_validator

# --------------------------------------------------------------------------- queues (configuration)


def _queue_fields(queue: Queue) -> dict[str, Any]:
    return {
        "hall": queue.hall_id,
        "prefix": queue.prefix,
        "name": queue.name,
        "window_kind": queue.window_kind,
        "department": queue.department_id,
        "windows": sorted(queue.windows.values_list("number", flat=True)),
        "minutes_per_ticket": queue.minutes_per_ticket,
        "active": queue.active,
    }


@transaction.atomic
def create_queue(
    *,
    hall: Hall,
    prefix: str,
    name: str,
    windows: Iterable[Window] = (),
    window_kind: str = "",
    department: Department | None = None,
    minutes_per_ticket: int = 8,
    sort_order: int = 0,
    by: User | None = None,
) -> Queue:
    prefix = (prefix or "").strip().upper()
    try:
        prefix_validator(prefix)
    except ValidationError as exc:
        raise ValidationError({"prefix": exc.messages}) from exc
    if not (name or "").strip():
        raise ValidationError({"name": "请填写队列名称"})
    if Queue.objects.filter(hall=hall, prefix=prefix).exists():
        raise ValidationError({"prefix": f"本大厅已有前缀为 {prefix} 的队列"})
    if minutes_per_ticket < 1:
        raise ValidationError({"minutes_per_ticket": "预估每号办理分钟数至少为 1"})
    windows = list(windows)
    if any(w.hall_id != hall.pk for w in windows):
        raise ValidationError({"windows": "叫号窗口必须在本大厅"})
    queue = Queue.objects.create(
        hall=hall,
        prefix=prefix,
        name=name.strip(),
        window_kind=window_kind,
        department=department,
        minutes_per_ticket=minutes_per_ticket,
        sort_order=sort_order,
    )
    queue.windows.set(windows)
    # Queues are part of the hall's organisation (which windows call which numbers).
    record_event(
        AuditEventType.ORG_UNIT_CREATED, actor=by, obj=queue, after=_queue_fields(queue), note="创建排队队列"
    )
    return queue


def _prefixes() -> Iterable[str]:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0 on a ticket
    yield from letters
    for a in letters:
        for b in letters:
            yield a + b


# Window types served from one hall-wide queue each, in this order before the departments' own queues.
SHARED_KINDS = (
    (WindowKind.COMPREHENSIVE, "综合受理"),
    (WindowKind.INQUIRY, "咨询导办"),
    (WindowKind.AGENT, "帮办代办"),
    (WindowKind.DELIVERY, "出件取证"),
)


@transaction.atomic
def ensure_hall_queues(hall: Hall, *, by: User | None = None) -> list[Queue]:
    """Give a hall its default queues when it has none: one per shared window type (综合受理, 咨询导办, 帮办代办,
    出件取证) that the hall has, then one per department for its specialised windows. Idempotent: a hall that has
    queues is left as it is."""
    existing = list(Queue.objects.filter(hall=hall))
    if existing:
        return existing
    windows = list(Window.objects.filter(hall=hall, active=True).select_related("department"))
    prefixes = iter(_prefixes())
    created = []
    for order, (kind, name) in enumerate(SHARED_KINDS):
        of_kind = [w for w in windows if w.kind == kind]
        if of_kind:
            created.append(
                create_queue(
                    hall=hall,
                    prefix=next(prefixes),
                    name=name,
                    window_kind=kind,
                    windows=of_kind,
                    sort_order=order,
                    by=by,
                )
            )
    by_department: dict[int, list[Window]] = {}
    departments: dict[int, Department] = {}
    for window in windows:
        if window.department is not None and window.kind == WindowKind.SPECIALISED:
            by_department.setdefault(window.department.pk, []).append(window)
            departments[window.department.pk] = window.department
    ordered = sorted(departments.values(), key=lambda d: (d.sort_order, d.name))
    for n, department in enumerate(ordered, start=len(SHARED_KINDS)):
        created.append(
            create_queue(
                hall=hall,
                prefix=next(prefixes),
                name=department.short_name or department.name,
                window_kind=WindowKind.SPECIALISED,
                department=department,
                windows=by_department[department.pk],
                sort_order=n,
                by=by,
            )
        )
    return created


# --------------------------------------------------------------------------- taking a ticket


def next_seq(queue: Queue, day: date) -> int:
    """The queue's next number of the day. The UPDATE takes the counter row's lock before anyone reads the value,
    so two kiosks taking a ticket at the same instant get consecutive numbers, never the same one. Call inside
    the taking transaction."""
    counter = TicketCounter.objects.filter(queue=queue, day=day)
    if not counter.update(last=F("last") + 1):
        TicketCounter.objects.bulk_create(
            [TicketCounter(queue=queue, day=day, last=0)], ignore_conflicts=True
        )
        counter.update(last=F("last") + 1)
    last: int = counter.values_list("last", flat=True).get()
    return last


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


def _event(
    ticket: Ticket, kind: TicketEventType, *, at: Any, by: User | None, window: Window | None, note: str = ""
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=at,
        actor=by if by is not None and by.pk else None,
        window=window,
        note=note[:200],
    )


def take_ticket(
    *,
    queue: Queue | None = None,
    item: ServiceItem | None = None,
    hall: Hall | None = None,
    channel: str = TicketChannel.KIOSK,
    by: User | None = None,
) -> Ticket:
    """A ticket in a queue, or in the queue that serves an item in a hall. From the kiosk nobody is signed in; a
    window clerk may take one for a person at the window (channel window)."""
    if channel not in TicketChannel.values:
        raise ValidationError({"channel": "取号方式不正确"})
    if channel == TicketChannel.WINDOW:
        require_role(by, Role.WINDOW_CLERK, message="只有窗口工作人员可以代为取号")
    if item is not None and queue is None:
        hall = hall or queries.default_hall()
        queue = queries.queue_for_item(hall, item) if hall is not None else None
        if queue is None:
            raise ValidationError({"item": f"本大厅没有办理“{item.name}”的队列，请到咨询导办台咨询"})
    if queue is None:
        raise ValidationError({"queue": "请选择要办理的业务"})
    if not queue.active:
        raise ValidationError({"queue": f"“{queue.name}”暂停取号"})
    at = now()
    day = local_date(at)
    with transaction.atomic():
        seq = next_seq(queue, day)
        ahead = Ticket.objects.filter(
            queue=queue, day=day, status=TicketStatus.WAITING, target_window__isnull=True
        ).count()
        ticket = Ticket.objects.create(
            queue=queue,
            day=day,
            seq=seq,
            number=format_number(queue.prefix, seq),
            code=secrets.token_urlsafe(9)[:12],
            item=item,
            channel=channel,
            taken_at=at,
            ahead_at_take=ahead,
            estimate_minutes=queries.estimate_minutes(queue, ahead, at),
            taken_by=by if channel == TicketChannel.WINDOW else None,
        )
        _event(
            ticket, TicketEventType.TAKEN, at=at, by=by, window=None, note=item.name if item else queue.name
        )
    return ticket


# --------------------------------------------------------------------------- at the window


def clerk_window(user: User | AnonymousUser | None) -> Window:
    """The window a clerk sits at (工作人员 → 所在窗口); calling needs one."""
    require_role(user, Role.WINDOW_CLERK, message="叫号需要“窗口工作人员”角色")
    assert user is not None and user.pk is not None  # require_role passed: a signed-in staff member
    profile = (
        StaffProfile.objects.filter(user_id=user.pk, active=True)
        .select_related("window", "window__hall")
        .first()
    )
    if profile is None or profile.window is None or not profile.window.active:
        raise PermissionDenied("您没有分配在岗窗口，请联系中心管理员在“工作人员”中设置所在窗口")
    return profile.window


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _at_my_window(ticket: Ticket, by: User, what: str) -> Window:
    window = clerk_window(by)
    if ticket.window_id != window.pk:
        raise PermissionDenied(f"{ticket.number} 号不在您的窗口，不能{what}")
    return window


def _finish_open(window: Window, by: User, at: Any) -> None:
    """Calling the next number ends the service of the one being served; a number called but not yet served must
    be handled first (start serving, no-show or transfer)."""
    today = Ticket.objects.select_for_update().filter(window=window, status__in=AT_WINDOW, day=local_date(at))
    for ticket in today:
        if ticket.status == TicketStatus.CALLED:
            raise ValidationError(
                {"ticket": f"{ticket.number} 号已叫未办，请先点“开始办理”“过号”或“转窗”再叫下一号"}
            )
        ticket.status, ticket.finished_at = TicketStatus.DONE, at
        ticket.save(update_fields=["status", "finished_at"])
        _event(ticket, TicketEventType.FINISHED, at=at, by=by, window=window, note="叫下一号时结束")


def _mark_called(ticket: Ticket, window: Window, by: User, at: Any) -> Ticket:
    ticket.status = TicketStatus.CALLED
    ticket.window = window
    ticket.target_window = None
    ticket.first_called_at = ticket.first_called_at or at
    ticket.last_called_at = at
    ticket.call_count += 1
    ticket.save(
        update_fields=["status", "window", "target_window", "first_called_at", "last_called_at", "call_count"]
    )
    _event(ticket, TicketEventType.CALLED, at=at, by=by, window=window)
    return ticket


@transaction.atomic
def call_next(*, by: User) -> Ticket | None:
    """Call the next ticket for the clerk's window: tickets transferred to it first, then its queues in order of
    taking. None when nobody waits. Two windows calling at once never get the same ticket: the candidate row is
    locked (SKIP LOCKED on PostgreSQL) and changed only while still waiting."""
    window = clerk_window(by)
    at = now()
    _finish_open(window, by, at)
    for _attempt in range(5):
        candidate = (
            queries.waiting_for_window(window, local_date(at))
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if candidate is None:
            return None
        ticket = _locked(candidate)
        if ticket.status == TicketStatus.WAITING:
            return _mark_called(ticket, window, by, at)
    return None


@transaction.atomic
def call_ticket(ticket: Ticket, *, by: User) -> Ticket:
    """Call one chosen waiting ticket (指定叫号), e.g. an applicant with an appointment or in need of priority."""
    window = clerk_window(by)
    at = now()
    ticket = _locked(ticket)
    if ticket.status != TicketStatus.WAITING:
        raise ValidationError({"ticket": f"{ticket.number} 号当前{ticket.get_status_display()}，不能叫号"})
    if not queries.waiting_for_window(window, ticket.day).filter(pk=ticket.pk).exists():
        raise PermissionDenied(f"{ticket.number} 号不由您的窗口叫号")
    _finish_open(window, by, at)
    return _mark_called(ticket, window, by, at)


@transaction.atomic
def recall(ticket: Ticket, *, by: User) -> Ticket:
    """Call the same number again (重呼); the waiting time stays measured to the first call."""
    ticket = _locked(ticket)
    window = _at_my_window(ticket, by, "重呼")
    if ticket.status != TicketStatus.CALLED:
        raise ValidationError({"ticket": f"{ticket.number} 号当前{ticket.get_status_display()}，不能重呼"})
    at = now()
    ticket.last_called_at = at
    ticket.call_count += 1
    ticket.save(update_fields=["last_called_at", "call_count"])
    _event(
        ticket, TicketEventType.RECALLED, at=at, by=by, window=window, note=f"第 {ticket.call_count} 次呼叫"
    )
    return ticket


@transaction.atomic
def start_serving(ticket: Ticket, *, by: User) -> Ticket:
    ticket = _locked(ticket)
    window = _at_my_window(ticket, by, "开始办理")
    if ticket.status != TicketStatus.CALLED:
        raise ValidationError(
            {"ticket": f"{ticket.number} 号当前{ticket.get_status_display()}，不能开始办理"}
        )
    at = now()
    ticket.status, ticket.served_at, ticket.served_by = TicketStatus.SERVING, at, by
    ticket.save(update_fields=["status", "served_at", "served_by"])
    _event(ticket, TicketEventType.SERVING, at=at, by=by, window=window)
    return ticket


@transaction.atomic
def finish(ticket: Ticket, *, by: User) -> Ticket:
    ticket = _locked(ticket)
    window = _at_my_window(ticket, by, "结束办理")
    if ticket.status != TicketStatus.SERVING:
        raise ValidationError(
            {"ticket": f"{ticket.number} 号当前{ticket.get_status_display()}，不能结束办理"}
        )
    at = now()
    ticket.status, ticket.finished_at = TicketStatus.DONE, at
    ticket.save(update_fields=["status", "finished_at"])
    _event(ticket, TicketEventType.FINISHED, at=at, by=by, window=window)
    return ticket


@transaction.atomic
def no_show(ticket: Ticket, *, by: User) -> Ticket:
    """The person did not come to the window after being called (过号)."""
    ticket = _locked(ticket)
    window = _at_my_window(ticket, by, "过号")
    if ticket.status != TicketStatus.CALLED:
        raise ValidationError({"ticket": f"{ticket.number} 号当前{ticket.get_status_display()}，不能过号"})
    at = now()
    ticket.status, ticket.finished_at = TicketStatus.NO_SHOW, at
    ticket.save(update_fields=["status", "finished_at"])
    _event(
        ticket, TicketEventType.NO_SHOW, at=at, by=by, window=window, note=f"呼叫 {ticket.call_count} 次未到"
    )
    return ticket


@transaction.atomic
def transfer(ticket: Ticket, *, to: Window, by: User, note: str = "") -> Ticket:
    """Send a called or served ticket to another window of the hall (转窗): it waits there ahead of new tickets."""
    ticket = _locked(ticket)
    window = _at_my_window(ticket, by, "转窗")
    if ticket.status not in AT_WINDOW:
        raise ValidationError({"ticket": f"{ticket.number} 号当前{ticket.get_status_display()}，不能转窗"})
    if to.pk == window.pk:
        raise ValidationError({"window": "请选择其他窗口"})
    if not to.active or to.hall_id != window.hall_id:
        raise ValidationError({"window": "只能转到本大厅启用中的窗口"})
    at = now()
    ticket.status, ticket.window, ticket.target_window, ticket.priority = TicketStatus.WAITING, None, to, 1
    ticket.served_at, ticket.served_by = None, None
    ticket.save(update_fields=["status", "window", "target_window", "priority", "served_at", "served_by"])
    _event(
        ticket,
        TicketEventType.TRANSFERRED,
        at=at,
        by=by,
        window=window,
        note=f"转至{to.number}号窗口" + (f"：{note.strip()}" if note.strip() else ""),
    )
    return ticket


# --------------------------------------------------------------------------- the case a ticket became


@transaction.atomic
def link_case(ticket: Ticket, case: Case, *, by: User) -> Ticket:
    """Tie a ticket to the application the clerk received from its holder at the window."""
    ticket = _locked(ticket)
    window = _at_my_window(ticket, by, "关联办件")
    if ticket.status not in (TicketStatus.SERVING, TicketStatus.DONE):
        raise ValidationError({"case_number": f"{ticket.number} 号尚未开始办理，不能关联办件"})
    if ticket.case_id is not None:
        if ticket.case_id == case.pk:
            return ticket
        raise ValidationError(
            {"case_number": f"{ticket.number} 号已关联办件 {ticket.case.number if ticket.case else ''}"}
        )
    if case.channel != Channel.WINDOW:
        raise ValidationError({"case_number": f"办件 {case.number} 不是窗口收件，不能关联排队号"})
    if Ticket.objects.filter(case=case).exists():
        raise ValidationError({"case_number": f"办件 {case.number} 已关联其他排队号"})
    ticket.case = case
    ticket.save(update_fields=["case"])
    _event(ticket, TicketEventType.CASE_LINKED, at=now(), by=by, window=window, note=case.number)
    return ticket


def serving_ticket(user: User) -> Ticket | None:
    """The ticket the clerk is serving now and that has no case yet (the one an intake belongs to)."""
    return (
        Ticket.objects.filter(
            served_by=user, status=TicketStatus.SERVING, case__isnull=True, day=local_date(now())
        )
        .select_related("queue")
        .order_by("-served_at")
        .first()
    )


def link_serving_ticket(case: Case, *, by: User) -> Ticket | None:
    """After a window intake: link the ticket the clerk is serving, if any (none for a walk-in without ticket)."""
    if case.channel != Channel.WINDOW:
        return None
    ticket = serving_ticket(by)
    if ticket is None:
        return None
    return link_case(ticket, case, by=by)
