"""电子监察 (domain §8): yellow thresholds, the watcher's sweep, alerts, and the escalation ladder
reminder → yellow card + 督办单 (with its own clock) → red card + 整改通知 + 责任追究.

The sweep reads only clocks whose `next_check_at` has come (an index range), claiming them with
`SELECT … FOR UPDATE SKIP LOCKED` so several watcher processes share the work; the unique (clock, level) constraint on
`Alert` makes "each alert exactly once" hold even if two processes ever reached the same clock. The other triggers
(out-of-procedure attempts, intake refusals) are read from the hash-chained audit log after a cursor: its `seq` is
assigned under the chain-head lock, so it grows in commit order and a cursor never skips a late commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse

from govhall.calendars import engine
from govhall.cases.events import CaseEvent
from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockKind, ClockState, Light
from govhall.clocks.models import Clock
from govhall.clocks.owner import ClockOwner, subject_type
from govhall.core.audit import record_event
from govhall.core.clock import now as _now
from govhall.core.models import AuditEventType
from govhall.core.worker import record_row_failure
from govhall.notifications.actions import notify
from govhall.org.access import require_role
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile

from .choices import AccountabilityStatus, AccountabilityType, AlertKind, AlertLevel, CardLevel, OrderStatus
from .models import (
    Accountability,
    Alert,
    Card,
    RectificationNotice,
    SupervisionOrder,
    WarnRule,
    WatcherCursor,
)
from .policy import EscalationPolicy, escalation_policy
from .rules import warn_kwargs, warn_rule_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from govhall.cases.models import Case, Task
    from govhall.catalog.models import ServiceItem

__all__ = [
    "answer_order",
    "conduct_for",
    "decide_accountability",
    "department_heads",
    "process_triggers",
    "save_warn_rule",
    "sweep_once",
    "warn_kwargs",
    "warn_rule_for",
]

NOTIFY_KIND = "supervision"
LEDGER_CURSOR = "ledger"
# Audit-chain actions that are supervision triggers (domain §8 "other triggers").
TRIGGER_ACTIONS = {
    CaseEvent.OUT_OF_PROCEDURE: AlertKind.OUT_OF_PROCEDURE,
    CaseEvent.REFUSED_INTAKE: AlertKind.REFUSAL,
}


# ---------------------------------------------------------------- thresholds


def save_warn_rule(
    *,
    by: User,
    item: ServiceItem | None = None,
    step_key: str = "",
    units_left: int | None = None,
    ratio_used: Decimal | float | str | None = None,
) -> WarnRule:
    """Create or replace the rule for (item, step). Affects clocks started afterwards; running ones keep theirs."""
    require_role(
        by, Role.CENTER_ADMIN, Role.SUPERVISOR, message="只有中心管理员或效能监察人员可以设置预警阈值"
    )
    if (units_left is None) == (ratio_used is None):
        raise ValidationError("请设置剩余时限或已用比例之一（且只能设置一项）")
    ratio = Decimal(str(ratio_used)).quantize(Decimal("0.01")) if ratio_used is not None else None
    if ratio is not None and not Decimal("0") < ratio <= Decimal("1"):
        raise ValidationError({"ratio_used": "已用比例应大于 0 且不超过 1"})
    if units_left is not None and units_left < 0:
        raise ValidationError({"units_left": "剩余时限不能为负数"})
    with transaction.atomic():
        rule = WarnRule.objects.select_for_update().filter(item=item, step_key=step_key).first()
        before = {"units_left": rule.units_left, "ratio_used": str(rule.ratio_used)} if rule else None
        rule = rule or WarnRule(item=item, step_key=step_key)
        rule.units_left, rule.ratio_used = units_left, ratio
        rule.full_clean()
        rule.save()
        record_event(
            AuditEventType.WARN_RULE_SAVED,
            actor=by,
            obj=rule,
            before=before,
            after={"units_left": units_left, "ratio_used": str(ratio) if ratio is not None else None},
        )
    return rule


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    alerts: int = 0
    clocks: int = 0
    triggers: int = 0
    batches: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "alerts": self.alerts,
            "clocks": self.clocks,
            "triggers": self.triggers,
            "batches": self.batches,
            "failed": self.failed,
        }


@dataclass
class _Owner:
    """Whose alert it is, read from the clock's owner fields (`govhall.clocks.owner`). `case`, `task` and `order` are
    filled when the owning record is one of those, for the pages and the ladder that know them."""

    kind: str
    case: Case | None = None
    task: Task | None = None
    order: SupervisionOrder | None = None
    department: Department | None = None
    responsible: User | None = None
    label: str = ""
    link: str = ""


def department_heads(department: Department | None) -> list[User]:
    if department is None:
        return []
    users = get_user_model().objects.filter(
        groups__name=Role.DEPARTMENT_HEAD.value, staff__departments=department, is_active=True
    )
    return list(users.distinct().order_by("pk"))


def _owners(clocks_: list[Clock]) -> dict[int, _Owner]:
    """The owners of a batch of clocks, from their owner fields: one query each for the owning cases, tasks and
    orders (by their references, for the alert's links), one per department whose clock nobody holds (its head)."""
    from govhall.cases.models import Case, Task

    refs: dict[str, set[int]] = {}
    for clock in clocks_:
        if clock.owner_type and clock.owner_id is not None:
            refs.setdefault(clock.owner_type, set()).add(clock.owner_id)
    tasks = Task.objects.select_related("case").in_bulk(refs.get(subject_type(Task), set()))
    cases = Case.objects.in_bulk(refs.get(subject_type(Case), set()))
    orders = SupervisionOrder.objects.select_related("case").in_bulk(
        refs.get(subject_type(SupervisionOrder), set())
    )
    heads: dict[int, User | None] = {}
    owners: dict[int, _Owner] = {}
    for clock in clocks_:
        department = clock.owner_department
        responsible = clock.owner_responsible
        if responsible is None and department is not None:
            # Nobody holds it (a whole case, an unclaimed step, an unassigned complaint): the head answers for it.
            if department.pk not in heads:
                heads[department.pk] = next(iter(department_heads(department)), None)
            responsible = heads[department.pk]
        owner = _Owner(
            kind=clock.kind,
            department=department,
            responsible=responsible,
            label=clock.owner_label or clock.label or clock.get_kind_display(),
            link=clock.owner_link,
        )
        ref = clock.owner_id
        if clock.owner_type == subject_type(Task) and ref in tasks:
            owner.task = tasks[ref]
            owner.case = owner.task.case
        elif clock.owner_type == subject_type(Case):
            owner.case = cases.get(ref)
        elif clock.owner_type == subject_type(SupervisionOrder) and ref in orders:
            owner.order = orders[ref]
            owner.case = owner.order.case
        owners[clock.pk] = owner
    return owners


def _next_check(clock: Clock, light: Light, at: dt.datetime) -> dt.datetime | None:
    if light == Light.RED:
        return None
    if light == Light.YELLOW:
        return clock.due_at
    return clock.warn_at if clock.warn_at is not None and clock.warn_at > at else clock.due_at


def _claim(at: dt.datetime, batch: int) -> list[int]:
    qs = (
        Clock.objects.filter(next_check_at__lte=at)
        .select_for_update(skip_locked=True)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:batch]
    )
    return list(qs)


def _raise_alert(
    *,
    level: str,
    owner: _Owner,
    at: dt.datetime,
    clock: Clock | None = None,
    source: str | None = None,
    summary: str = "",
    due_at: dt.datetime | None = None,
    responsible: User | None = None,
) -> Alert | None:
    """Create the alert unless it exists; None when another process (or an earlier sweep) raised it."""
    try:
        with transaction.atomic():
            return Alert.objects.create(
                clock=clock,
                source=source,
                level=level,
                kind=owner.kind,
                case=owner.case,
                task=owner.task,
                department=owner.department,
                responsible=responsible if responsible is not None else owner.responsible,
                summary=summary[:200],
                label=owner.label[:200],
                link=owner.link[:200],
                raised_at=at,
                due_at=due_at,
            )
    except IntegrityError:
        return None


def sweep_once(
    *, at: dt.datetime | None = None, batch: int = 200, policy: EscalationPolicy | None = None
) -> SweepResult:
    """One sweep: every clock due at `at` (batch by batch, one transaction each), then the incremental triggers."""
    at = at or _now()
    policy = policy or escalation_policy()
    result = SweepResult()
    while True:
        with transaction.atomic():
            ids = _claim(at, batch)
            if not ids:
                break
            result.batches += 1
            due = list(
                Clock.objects.filter(pk__in=ids)
                .select_related("owner_department", "owner_responsible")
                .order_by("next_check_at", "pk")
            )
            owners = _owners(due)
            for clock in due:
                result.clocks += 1
                try:
                    with transaction.atomic():
                        result.alerts += _check_clock(clock, owners[clock.pk], at, policy)
                except Exception as exc:
                    # One clock that cannot be checked must not stop the sweep, nor crash every restart: its
                    # check is pushed back (with back-off) and the failure recorded for the operator.
                    result.failed += 1
                    retry_at = record_row_failure(clock, exc, task="supervise", at=at)
                    Clock.objects.filter(pk=clock.pk).update(next_check_at=retry_at)
        if len(ids) < batch:
            break
    result.triggers = process_triggers(at=at, batch=batch)
    result.alerts += result.triggers
    return result


def _check_clock(clock: Clock, owner: _Owner, at: dt.datetime, policy: EscalationPolicy) -> int:
    light = clocks.light_at(clock, at) if clock.state == ClockState.RUNNING else Light.GREEN
    raised = 0
    if light in (Light.YELLOW, Light.RED):
        level = AlertLevel.RED if light == Light.RED else AlertLevel.YELLOW
        alert = _raise_alert(
            level=level, owner=owner, at=at, clock=clock, summary=owner.label, due_at=clock.due_at
        )
        if alert is not None:
            raised = 1
            _escalate(alert, owner, policy, at)
    clock.next_check_at = _next_check(clock, light, at) if clock.state == ClockState.RUNNING else None
    Clock.objects.filter(pk=clock.pk).update(next_check_at=clock.next_check_at)
    return raised


# ---------------------------------------------------------------- the ladder


def _reach(
    user: User | None,
    *,
    title: str,
    body: str,
    case_number: str = "",
    at: dt.datetime,
    link: str = "",
) -> None:
    if user is None:
        return
    staff = getattr(user, "staff", None)
    try:
        notify(
            title=title,
            body=body,
            user=user,
            phone=getattr(staff, "phone", "") or "",
            email=user.email or "",
            kind=NOTIFY_KIND,
            case_number=case_number,
            at=at,
            link=link,
        )
    except ValidationError:
        # A malformed phone or address on a staff record must not stop supervision: the in-app message still goes.
        notify(title=title, body=body, user=user, kind=NOTIFY_KIND, case_number=case_number, at=at, link=link)


def _escalate(alert: Alert, owner: _Owner, policy: EscalationPolicy, at: dt.datetime) -> None:
    number = owner.case.number if owner.case is not None else ""
    if owner.order is not None:
        if alert.level == AlertLevel.YELLOW and policy.remind_on_yellow:
            for head in owner.order.addressees.all():
                _reach(
                    head,
                    title=f"督办单 {owner.order.number} 即将到期",
                    body=owner.order.content,
                    case_number=number,
                    at=at,
                )
        elif alert.level == AlertLevel.RED:
            _order_overdue(owner.order, alert, policy, at)
        return
    if alert.level == AlertLevel.YELLOW:
        if policy.remind_on_yellow:
            _reach(
                alert.responsible,
                title=f"时限预警：{alert.summary}",
                body=f"{alert.summary} 即将到期（{_local(alert.due_at)}），请抓紧办理。",
                case_number=number,
                at=at,
                link=alert.link,
            )
        return
    if alert.kind in policy.escalate_kinds and alert.department is not None:
        _issue_card(
            CardLevel.YELLOW, alert, reason=f"{alert.summary} 超过时限（{_local(alert.due_at)}）", at=at
        )
        _issue_order(alert, owner, policy, at)


def _local(instant: dt.datetime | None) -> str:
    if instant is None:
        return ""
    return f"{instant.astimezone(engine.CALENDAR_TZ):%Y-%m-%d %H:%M}"


def _issue_card(
    level: str, alert: Alert, *, reason: str, at: dt.datetime, person: User | None = None
) -> Card:
    card = Card.objects.create(
        level=level,
        person=person if person is not None else alert.responsible,
        department=alert.department,
        reason=reason,
        alert=alert,
        issued_at=at,
    )
    record_event(
        AuditEventType.SUPERVISION_CARD_ISSUED,
        obj=card,
        after={"level": level, "alert": alert.pk},
        note=reason,
    )
    _reach(
        card.person,
        title=f"电子监察{card.get_level_display()}",
        body=reason,
        case_number=alert.case.number if alert.case is not None else "",
        at=at,
    )
    return card


def _issue_order(alert: Alert, owner: _Owner, policy: EscalationPolicy, at: dt.datetime) -> SupervisionOrder:
    assert alert.department is not None
    number = f"DB{engine.local_date(at):%Y%m%d}{alert.pk:07d}"
    # The order belongs to the department it is addressed to; its heads answer it.
    order_clock = clocks.start_clock(
        kind=ClockKind.ORDER,
        amount=policy.order_days,
        unit="workday",
        at=at,
        label="督办答复时限",
        owner=ClockOwner(label=f"督办单 {number} 答复时限", department=alert.department),
    )
    heads = department_heads(alert.department)
    content = (
        f"{alert.summary} 已超过办理时限（{_local(alert.due_at)}）。请于 {_local(order_clock.due_at)} 前督促办结，"
        "并在系统中书面答复原因及整改措施。"
    )
    order = SupervisionOrder.objects.create(
        number=number,
        alert=alert,
        case=owner.case,
        department=alert.department,
        responsible=alert.responsible,
        content=content,
        clock=order_clock,
        issued_at=at,
    )
    clocks.set_clock_owner(order_clock, subject=order, link=reverse("supervision:order", args=[order.pk]))
    order.addressees.set(heads)
    record_event(
        AuditEventType.SUPERVISION_ORDER_ISSUED,
        obj=order,
        after={
            "department": alert.department_id,
            "due_at": order_clock.due_at.isoformat() if order_clock.due_at else None,
        },
    )
    for head in heads:
        _reach(
            head,
            title=f"督办单 {order.number}",
            body=content,
            case_number=alert.case.number if alert.case is not None else "",
            at=at,
        )
    return order


def _order_overdue(order: SupervisionOrder, alert: Alert, policy: EscalationPolicy, at: dt.datetime) -> None:
    if (
        order.status == OrderStatus.ANSWERED
        and order.answered_at is not None
        and order.clock.due_at is not None
        and order.answered_at < order.clock.due_at
    ):
        return
    if order.status == OrderStatus.OPEN:
        order.status = OrderStatus.OVERDUE
        order.save(update_fields=["status"])
    if not policy.red_card_on_order_overdue:
        return
    person = order.responsible or (order.addressees.order_by("pk").first())
    reason = f"督办单 {order.number} 逾期未答复（答复期限 {_local(order.clock.due_at)}）"
    _issue_card(CardLevel.RED, alert, reason=reason, at=at, person=person)
    notice = RectificationNotice.objects.create(
        order=order, department=order.department, text=f"{reason}。{policy.rectification_text}", issued_at=at
    )
    record = Accountability.objects.create(
        order=order, person=person, department=order.department, opened_at=at
    )
    record_event(
        AuditEventType.SUPERVISION_ORDER_OVERDUE,
        obj=order,
        after={"rectification": notice.pk, "accountability": record.pk},
    )
    for head in order.addressees.all():
        _reach(
            head,
            title=f"整改通知（{order.number}）",
            body=notice.text,
            case_number=order.case.number if order.case is not None else "",
            at=at,
        )


def answer_order(order: SupervisionOrder, *, by: User, text: str) -> SupervisionOrder:
    """The department head answers the order: its clock stops and, in time, no red card follows."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写答复内容"})
    require_role(
        by,
        Role.DEPARTMENT_HEAD,
        department=order.department_id,
        message="只有被督办部门的负责人可以答复督办单",
    )
    at = _now()
    with transaction.atomic():
        # Lock the order's clock first: the watcher claims it with SKIP LOCKED, so it cannot raise the red alert
        # while the answer is being written, and sees a stopped clock afterwards.
        clock = Clock.objects.select_for_update().get(pk=order.clock_id)
        order = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.ANSWERED:
            raise ValidationError("该督办单已答复")
        late = clock.due_at is not None and at >= clock.due_at
        order.answer, order.answered_at, order.answered_by = text, at, by
        if order.status == OrderStatus.OPEN and not late:
            order.status = OrderStatus.ANSWERED
        order.save(update_fields=["answer", "answered_at", "answered_by", "status"])
        clocks.stop_clock(clock, at=at)
        record_event(
            AuditEventType.SUPERVISION_ORDER_ANSWERED,
            actor=by,
            obj=order,
            after={"late": late, "status": order.status},
            note=text[:500],
        )
        if late:
            # Answered after its deadline but before the watcher got there: the red rung still applies, once.
            owner = _owners([clock])[clock.pk]
            alert = _raise_alert(
                level=AlertLevel.RED,
                owner=owner,
                at=at,
                clock=clock,
                summary=owner.label,
                due_at=clock.due_at,
            )
            if alert is not None:
                _order_overdue(order, alert, escalation_policy(), at)
    return order


def decide_accountability(record: Accountability, *, by: User, type: str, decision: str) -> Accountability:
    """A supervisor records the accountability decision (通报批评, 诫勉谈话, 调离岗位…)."""
    require_role(by, Role.SUPERVISOR, message="只有效能监察人员可以作出责任追究决定")
    if type not in AccountabilityType.values:
        raise ValidationError({"type": "请选择追究方式"})
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": "请填写决定内容"})
    with transaction.atomic():
        record = Accountability.objects.select_for_update().get(pk=record.pk)
        if record.status != AccountabilityStatus.PENDING:
            raise ValidationError("该责任追究记录已作出决定")
        record.type, record.decision = type, decision
        record.status, record.decided_by, record.decided_at = AccountabilityStatus.DECIDED, by, _now()
        record.save(update_fields=["type", "decision", "status", "decided_by", "decided_at"])
        record_event(
            AuditEventType.ACCOUNTABILITY_DECIDED,
            actor=by,
            obj=record,
            after={"type": type},
            note=decision[:500],
        )
    return record


# ---------------------------------------------------------------- other triggers


def process_triggers(*, at: dt.datetime | None = None, batch: int = 500) -> int:
    """Raise one alert per new out-of-procedure attempt and intake refusal recorded in the audit chain after the
    cursor. Returns the number of alerts raised. Another process holding the cursor makes this a no-op."""
    from govhall.cases.models import Case, OutOfProcedureAttempt
    from govhall.ledger.actions import link
    from govhall.ledger.models import LedgerEntry, LedgerHead

    at = at or _now()
    raised = 0
    link()  # what the actions wrote and the linker has not chained yet (a no-op when another linker is at it)
    with transaction.atomic():
        WatcherCursor.objects.bulk_create([WatcherCursor(name=LEDGER_CURSOR)], ignore_conflicts=True)
        cursor = WatcherCursor.objects.select_for_update(skip_locked=True).filter(name=LEDGER_CURSOR).first()
        if cursor is None:
            return 0
        head = LedgerHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
        entries = list(
            LedgerEntry.objects.filter(
                seq__gt=cursor.position, seq__lte=head, action__in=list(TRIGGER_ACTIONS)
            )
            .order_by("seq")
            .values("seq", "action", "subject_id", "actor_id", "at", "opinion")[:batch]
        )
        cases = Case.objects.select_related("department").in_bulk(
            [e["subject_id"] for e in entries if e["subject_id"]]
        )
        for entry in entries:
            case = cases.get(entry["subject_id"])
            kind = TRIGGER_ACTIONS[CaseEvent(entry["action"])]
            owner = _Owner(kind=kind, case=case, department=case.department if case else None)
            responsible = (
                get_user_model().objects.filter(pk=entry["actor_id"]).first() if entry["actor_id"] else None
            )
            if kind == AlertKind.OUT_OF_PROCEDURE and case is not None:
                attempt = (
                    OutOfProcedureAttempt.objects.filter(case=case, at=entry["at"])
                    .select_related("task__department")
                    .first()
                )
                if attempt is not None and attempt.task is not None:
                    owner.task, owner.department = attempt.task, attempt.task.department
            label = "违规操作" if kind == AlertKind.OUT_OF_PROCEDURE else "不予受理"
            alert = _raise_alert(
                level=AlertLevel.RED if kind == AlertKind.OUT_OF_PROCEDURE else AlertLevel.YELLOW,
                owner=owner,
                at=at,
                source=f"ledger:{entry['seq']}",
                responsible=responsible,
                summary=f"{case.number if case else ''} {label}：{entry['opinion']}",
            )
            raised += alert is not None
        cursor.position = entries[-1]["seq"] or head if len(entries) == batch else head
        cursor.save(update_fields=["position"])
    return raised


# ---------------------------------------------------------------- conduct file


@dataclass
class Conduct:
    staff: StaffProfile
    alerts: QuerySet[Alert]
    cards: QuerySet[Card]
    orders: QuerySet[SupervisionOrder]
    accountability: QuerySet[Accountability]


def conduct_for(staff: StaffProfile) -> Conduct:
    """作风档案: the person's alerts, cards, the orders addressed to them or naming them, accountability records."""
    user = staff.user_id
    return Conduct(
        staff=staff,
        alerts=Alert.objects.filter(responsible=user).select_related("case", "department"),
        cards=Card.objects.filter(person=user).select_related("department", "alert"),
        orders=(
            SupervisionOrder.objects.filter(addressees=user)
            | SupervisionOrder.objects.filter(responsible=user)
        )
        .distinct()
        .select_related("department", "case"),
        accountability=Accountability.objects.filter(person=user).select_related("department", "order"),
    )
