"""Every change to the power list, the posts, the risk points, the warnings, the commitments and the rotations.

Each action runs in one transaction and writes its audit event; the warning's rectification plan is a clock of the
shared engine owned by the warning, so electronic supervision lights it and escalates it like any other time limit.
The background jobs at the end (registered from apps.py) disclose the exercises of powers, escalate late plans,
raise warnings by rule and send the rotation alerts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from govhall.calendars import engine
from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockKind, ClockState
from govhall.clocks.owner import ClockOwner
from govhall.core.audit import record_event
from govhall.core.clock import now as _now
from govhall.core.models import AuditEventType
from govhall.documents import actions as documents
from govhall.documents.choices import DocumentKind
from govhall.notifications.actions import notify
from govhall.org.models import Department, StaffProfile
from govhall.supervision.actions import department_heads

from . import disclosure_channels
from .choices import (
    NEXT_LEVEL,
    Channel,
    Discovery,
    RotationStatus,
    TriggerSource,
    TriggerTarget,
    WarningLevel,
    WarningStatus,
)
from .defaults import ensure_levels, ensure_rotation_limits
from .models import (
    POWER_TYPES,
    Commitment,
    ExerciseDisclosure,
    KeyDepartment,
    Post,
    PostAssignment,
    Power,
    PowerExercise,
    PowerStep,
    RiskLevel,
    RiskPoint,
    RotationLimit,
    RotationPlan,
    TriggerRule,
    Warning,
    WarningCounter,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from govhall.catalog.models import ServiceItem

NOTIFY_KIND = "integrity"

# Working days to hand in a rectification plan, by warning level, unless the issuer sets another term.
DEFAULT_PLAN_DAYS = {WarningLevel.BLUE: 15, WarningLevel.YELLOW: 10, WarningLevel.RED: 5}


def _user(user: User | None) -> User | None:
    return user if user is not None and user.pk else None


# ---------------------------------------------------------------- configuration


@transaction.atomic
def save_config(
    obj: RiskLevel | RotationLimit | TriggerRule | KeyDepartment, *, by: User | None = None
) -> Any:
    """Save a configuration row (grade, rotation limit, warning rule, key department) after validating it."""
    obj.full_clean()
    obj.save()
    record_event(AuditEventType.INTEGRITY_CONFIG_SAVED, actor=_user(by), obj=obj, after={"repr": str(obj)})
    return obj


@transaction.atomic
def delete_config(
    obj: RiskLevel | RotationLimit | TriggerRule | KeyDepartment, *, by: User | None = None
) -> None:
    from django.db.models import ProtectedError

    record_event(AuditEventType.INTEGRITY_CONFIG_SAVED, actor=_user(by), obj=obj, note="删除")
    try:
        obj.delete()
    except ProtectedError:
        raise ValidationError({"__all__": f"“{obj}”仍在使用中，不能删除。"}) from None


# ---------------------------------------------------------------- posts and powers


def _text(value: Any, field: str, label: str, max_length: int | None = None) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: f"请填写{label}。"})
    if max_length is not None and len(text) > max_length:
        raise ValidationError({field: f"{label}不能超过{max_length}个字。"})
    return text


@transaction.atomic
def save_post(
    *,
    department: Department,
    name: str,
    is_key: bool = False,
    specialised: bool = False,
    duties: str = "",
    by: User | None = None,
) -> Post:
    """Create the department's post of that name, or update its flags."""
    name = _text(name, "name", "岗位名称", 64)
    post, _created = Post.objects.update_or_create(
        department=department,
        name=name,
        defaults={"is_key": is_key, "specialised": specialised, "duties": duties},
    )
    record_event(AuditEventType.POST_SAVED, actor=_user(by), obj=post, after={"is_key": is_key})
    return post


@transaction.atomic
def assign_post(
    *, post: Post, staff: StaffProfile, start_date: dt.date, by: User | None = None
) -> PostAssignment:
    """Put `staff` in `post` from `start_date`."""
    if PostAssignment.objects.filter(post=post, staff=staff, end_date__isnull=True).exists():
        raise ValidationError({"staff": f"{staff.name}已在岗位“{post.name}”任职。"})
    assignment = PostAssignment.objects.create(post=post, staff=staff, start_date=start_date)
    record_event(
        AuditEventType.POST_SAVED,
        actor=_user(by),
        obj=assignment,
        after={"start_date": start_date.isoformat()},
    )
    return assignment


@transaction.atomic
def update_post(
    post: Post,
    *,
    name: str,
    is_key: bool,
    specialised: bool,
    duties: str = "",
    active: bool = True,
    by: User | None = None,
) -> Post:
    """Edit a post: its name and flags. The department stays: the risk points and assignments counted on the
    department's risk map were recorded against it."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    name = _text(name, "name", "岗位名称", 64)
    if Post.objects.filter(department_id=post.department_id, name=name).exclude(pk=post.pk).exists():
        raise ValidationError({"name": f"本部门已有名为“{name}”的岗位。"})
    before = {
        "name": post.name,
        "is_key": post.is_key,
        "specialised": post.specialised,
        "active": post.active,
    }
    post.name, post.is_key, post.specialised, post.duties, post.active = (
        name,
        is_key,
        specialised,
        duties.strip(),
        active,
    )
    post.save(update_fields=["name", "is_key", "specialised", "duties", "active"])
    record_event(
        AuditEventType.POST_SAVED,
        actor=_user(by),
        obj=post,
        before=before,
        after={"name": name, "is_key": is_key, "specialised": specialised, "active": active},
    )
    return post


@transaction.atomic
def end_assignment(
    assignment: PostAssignment, *, end_date: dt.date, by: User | None = None
) -> PostAssignment:
    """The staff member leaves the post on `end_date` (the last day held); the rotation clock stops counting."""
    assignment = PostAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.end_date is not None:
        raise ValidationError({"end_date": f"该任职已于{assignment.end_date.isoformat()}结束。"})
    if end_date < assignment.start_date:
        raise ValidationError({"end_date": f"离岗日期不能早于到岗日期{assignment.start_date.isoformat()}。"})
    assignment.end_date = end_date
    assignment.save(update_fields=["end_date"])
    record_event(
        AuditEventType.POST_SAVED, actor=_user(by), obj=assignment, after={"end_date": end_date.isoformat()}
    )
    return assignment


@transaction.atomic
def create_posts(
    department: Department, specs: Sequence[tuple[str, bool, bool]], *, by: User | None = None
) -> list[Post]:
    """A department's post inventory at once: (name, key post, specialised) each; names already there are kept."""
    have = {p.name: p for p in Post.objects.filter(department=department)}
    new = [
        Post(department=department, name=_text(name, "name", "岗位名称", 64), is_key=key, specialised=special)
        for name, key, special in specs
        if name not in have
    ]
    Post.objects.bulk_create(new)
    posts = {p.name: p for p in Post.objects.filter(department=department)}
    record_event(
        AuditEventType.POST_SAVED, actor=_user(by), obj=department, after={"posts": [p.name for p in new]}
    )
    return [posts[name] for name, _k, _s in specs]


@transaction.atomic
def assign_posts(
    rows: Sequence[tuple[Post, StaffProfile, dt.date]], *, by: User | None = None
) -> list[PostAssignment]:
    """Record who holds which post since when, for many staff at once (the initial inventory)."""
    held = set(
        PostAssignment.objects.filter(end_date__isnull=True, staff__in=[s for _p, s, _d in rows]).values_list(
            "post_id", "staff_id"
        )
    )
    new = []
    for post, staff, start in rows:
        if (post.pk, staff.pk) in held:
            raise ValidationError({"staff": f"{staff.name}已在岗位“{post.name}”任职。"})
        held.add((post.pk, staff.pk))
        new.append(PostAssignment(post=post, staff=staff, start_date=start))
    PostAssignment.objects.bulk_create(new)
    record_event(
        AuditEventType.POST_SAVED, actor=_user(by), subject=f"登记任职{len(new)}人", after={"count": len(new)}
    )
    return new


def _power_fields(
    code: str, name: str, power_type: str, legal_basis: str, process_template: str
) -> dict[str, str]:
    if power_type not in dict(POWER_TYPES):
        raise ValidationError({"power_type": f"未知的职权类型：{power_type}。"})
    from govhall.catalog.choices import ProcessTemplate

    if process_template and process_template not in ProcessTemplate.values:
        raise ValidationError({"process_template": f"未知的运行流程：{process_template}。"})
    return {
        "code": _text(code, "code", "职权编码", 40),
        "name": _text(name, "name", "职权名称", 200),
        "power_type": power_type,
        "legal_basis": _text(legal_basis, "legal_basis", "法律依据"),
        "process_template": process_template,
    }


@transaction.atomic
def save_power(
    *,
    code: str,
    name: str,
    power_type: str,
    department: Department,
    legal_basis: str,
    process_template: str = "standard",
    item: ServiceItem | None = None,
    steps: Sequence[tuple[str, str, Sequence[Post]]] = (),
    by: User | None = None,
) -> Power:
    """Create or update the power with that code. `steps`: (key, name, posts exercising it) in order; given steps
    replace the power's steps (their risk points go with them)."""
    fields = _power_fields(code, name, power_type, legal_basis, process_template)
    if item is not None and Power.objects.filter(item=item).exclude(code=fields["code"]).exists():
        raise ValidationError({"item": f"事项“{item.name}”已对应另一项职权。"})
    power, _created = Power.objects.update_or_create(
        code=fields["code"], defaults={**fields, "department": department, "item": item}
    )
    if steps:
        power.steps.all().delete()
        for order, (key, step_name, posts) in enumerate(steps, start=1):
            for post in posts:
                if post.department_id != department.pk:
                    raise ValidationError({"steps": f"岗位“{post}”不属于实施部门{department.name}。"})
            step = PowerStep.objects.create(power=power, key=key, name=step_name, order=order)
            step.posts.set(posts)
        _refresh_levels([power.pk])
    record_event(AuditEventType.POWER_SAVED, actor=_user(by), obj=power, after=fields)
    return power


def _refresh_levels(power_ids: Iterable[int]) -> None:
    """Set each power's grade to the highest among its own and its steps' active risk points."""
    ids = list(power_ids)
    best: dict[int, tuple[int, int]] = {}
    points = RiskPoint.objects.filter(active=True).filter(Q(power_id__in=ids) | Q(step__power_id__in=ids))
    for power_id, step_power, rank, level_id in points.values_list(
        "power_id", "step__power_id", "level__rank", "level_id"
    ):
        pid = power_id or step_power
        if pid is not None and (pid not in best or rank < best[pid][0]):
            best[pid] = (rank, level_id)
    by_level: dict[int | None, list[int]] = defaultdict(list)
    for pid in ids:
        by_level[best[pid][1] if pid in best else None].append(pid)
    for grade, pids in by_level.items():
        for i in range(0, len(pids), 500):
            Power.objects.filter(pk__in=pids[i : i + 500]).update(level_id=grade)


@transaction.atomic
def record_risk_point(
    *,
    description: str,
    level: RiskLevel | str,
    discovery: str,
    measures: str = "",
    power: Power | None = None,
    step: PowerStep | None = None,
    post: Post | None = None,
    by: User | None = None,
    at: dt.datetime | None = None,
) -> RiskPoint:
    """Register a risk point on a power, one of its steps, or a post."""
    if power is None and step is None and post is None:
        raise ValidationError({"power": "风险点应落在某项职权、某个环节或某个岗位上。"})
    if discovery not in Discovery.values:
        raise ValidationError({"discovery": f"未知的查找方式：{discovery}。"})
    if isinstance(level, str):
        grade = ensure_levels().get(level)
        if grade is None:
            raise ValidationError({"level": f"未知的风险等级：{level}。"})
        level = grade
    if step is not None and power is None:
        power = step.power
    department_id = power.department_id if power is not None else post.department_id  # type: ignore[union-attr]
    point = RiskPoint.objects.create(
        power=power if step is None else None,
        step=step,
        post=post,
        description=_text(description, "description", "风险点描述"),
        discovery=discovery,
        level=level,
        measures=measures.strip(),
        department_id=department_id,
        created_at=at or _now(),
    )
    if power is not None:
        _refresh_levels([power.pk])
    record_event(AuditEventType.RISK_POINT_RECORDED, actor=_user(by), obj=point, after={"level": level.code})
    return point


@transaction.atomic
def record_risk_points(
    specs: Sequence[dict[str, Any]], *, by: User | None = None, at: dt.datetime | None = None
) -> int:
    """Register many risk points at once (an inventory campaign's results): each spec has the keyword arguments of
    `record_risk_point`; all are validated first, then written with one INSERT and one audit event."""
    levels = ensure_levels()
    at = at or _now()
    rows: list[RiskPoint] = []
    powers: set[int] = set()
    for n, spec in enumerate(specs, start=1):
        power, step, post = spec.get("power"), spec.get("step"), spec.get("post")
        level = spec.get("level")
        if isinstance(level, str):
            level = levels.get(level)
        if level is None:
            raise ValidationError({"level": f"第{n}个风险点：未知的风险等级。"})
        if spec.get("discovery") not in Discovery.values:
            raise ValidationError({"discovery": f"第{n}个风险点：未知的查找方式。"})
        if power is None and step is None and post is None:
            raise ValidationError({"power": f"第{n}个风险点应落在某项职权、某个环节或某个岗位上。"})
        owner = power if power is not None else step.power if step is not None else None
        department_id = owner.department_id if owner is not None else post.department_id  # type: ignore[union-attr]
        if owner is not None:
            powers.add(owner.pk)
        rows.append(
            RiskPoint(
                power=power if step is None else None,
                step=step,
                post=post,
                description=_text(spec.get("description"), "description", f"第{n}个风险点的描述"),
                discovery=spec["discovery"],
                level=level,
                measures=str(spec.get("measures") or "").strip(),
                department_id=department_id,
                created_at=at,
            )
        )
    RiskPoint.objects.bulk_create(rows, batch_size=500)
    _refresh_levels(powers)
    record_event(
        AuditEventType.RISK_POINT_RECORDED,
        actor=_user(by),
        subject=f"批量登记风险点{len(rows)}个",
        after={"count": len(rows)},
    )
    return len(rows)


@transaction.atomic
def revise_risk_points(changes: Sequence[tuple[RiskPoint, dict[str, Any]]], *, by: User | None = None) -> int:
    """Change the grade, how found or measures of recorded points (a re-imported inventory): each change is
    (point, {"level": RiskLevel, "discovery": str, "measures": str} — any of them); the powers' grades follow."""
    levels = ensure_levels()
    powers: set[int] = set()
    for n, (point, diff) in enumerate(changes, start=1):
        level = diff.get("level", point.level)
        if isinstance(level, str):
            level = levels.get(level)
        if level is None:
            raise ValidationError({"level": f"第{n}个风险点：未知的风险等级。"})
        discovery = diff.get("discovery", point.discovery)
        if discovery not in Discovery.values:
            raise ValidationError({"discovery": f"第{n}个风险点：未知的查找方式。"})
        RiskPoint.objects.filter(pk=point.pk).update(
            level=level, discovery=discovery, measures=str(diff.get("measures", point.measures)).strip()
        )
        owner = point.power_id or (point.step.power_id if point.step is not None else None)
        if owner is not None:
            powers.add(owner)
    _refresh_levels(powers)
    record_event(
        AuditEventType.RISK_POINT_RECORDED,
        actor=_user(by),
        subject=f"修改风险点{len(changes)}个",
        after={"count": len(changes)},
    )
    return len(changes)


# ---------------------------------------------------------------- dynamic disclosure of exercises


def _exercise_text(case: Any, power: Power) -> tuple[str, str]:
    decided = engine.local_date(case.decided_at)
    title = f"{power.department.name}{power.name}（{case.number}）"
    outcome = case.get_decision_display() or "已决定"
    summary = (
        f"职权：{power.code} {power.name}（{power.get_power_type_display()}）。"
        f"办件编号：{case.number}；事项：{case.item.name}；决定日期：{decided.isoformat()}；"
        f"处理结果：{outcome}。依据：{power.legal_basis[:200]}"
    )
    return title[:200], summary


def disclose_exercises(*, limit: int = 200, at: dt.datetime | None = None) -> int:
    """Record and disclose the decided cases of items linked to a power, oldest first, a batch at a time.

    Each exercise goes to the public feed of this module; those of powers graded to need two channels (A) go to
    the government information disclosure catalog as well. Runs in the worker, never inside a case action."""
    from govhall.cases.models import Case

    at = at or _now()
    pending = list(
        Case.objects.filter(decided_at__isnull=False, decided_at__lte=at, item__power__isnull=False)
        .filter(power_exercise__isnull=True)
        .select_related("item__power__department", "item__power__level", "item")
        .order_by("decided_at", "pk")[:limit]
    )
    done = 0
    for case in pending:
        with transaction.atomic():
            power = case.item.power
            title, summary = _exercise_text(case, power)
            exercise, created = PowerExercise.objects.get_or_create(
                case=case,
                defaults={
                    "power": power,
                    "level": power.level,
                    "department": power.department,
                    "title": title,
                    "summary": summary,
                    "decided_at": case.decided_at,
                    "recorded_at": at,
                },
            )
            if not created:
                continue
            publish_exercise(exercise, at=at)
            done += 1
    if done:
        record_event(
            AuditEventType.POWER_EXERCISES_DISCLOSED, subject=f"{done}条权力运行记录", after={"count": done}
        )
    return done


def publish_exercise(exercise: PowerExercise, *, at: dt.datetime | None = None) -> list[ExerciseDisclosure]:
    """Publish the exercise on the channels its grade requires (at least one: the public feed)."""
    at = at or _now()
    required = exercise.level.channels_required if exercise.level is not None else 1
    channels = [Channel.FEED] + ([Channel.CATALOG] if required >= 2 else [])
    have = set(exercise.disclosures.values_list("channel", flat=True))
    made = []
    for channel in channels:
        if channel in have:
            continue
        url = (
            exercise.get_absolute_url() if channel == Channel.FEED else disclosure_channels.publish(exercise)
        )
        made.append(
            ExerciseDisclosure.objects.create(exercise=exercise, channel=channel, url=url, published_at=at)
        )
    return made


# ---------------------------------------------------------------- warnings


def _next_number(year: int) -> str:
    counter, _ = WarningCounter.objects.get_or_create(year=year)
    counter = WarningCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"LZYJ{year}{counter.last:05d}"


@transaction.atomic
def issue_warning(
    *,
    level: str,
    department: Department,
    reason: str,
    person: StaffProfile | None = None,
    plan_days: int | None = None,
    rule: TriggerRule | None = None,
    escalated_from: Warning | None = None,
    by: User | None = None,
    at: dt.datetime | None = None,
) -> Warning:
    """Warn a unit (or a person of it): number the warning, issue the supervision letter for sealing, and start the
    clock of the rectification plan (working days)."""
    if level not in WarningLevel.values:
        raise ValidationError({"level": f"未知的预警等级：{level}。"})
    reason = _text(reason, "reason", "预警事由")
    days = plan_days if plan_days is not None else DEFAULT_PLAN_DAYS[WarningLevel(level)]
    if days < 1 or days > 60:
        raise ValidationError({"plan_days": "整改方案报送时限应为1至60个工作日。"})
    at = at or _now()
    warning = Warning.objects.create(
        number=_next_number(engine.local_date(at).year),
        level=level,
        department=department,
        person=person,
        reason=reason,
        rule=rule,
        escalated_from=escalated_from,
        issued_at=at,
        issued_by=_user(by),
        plan_days=days,
    )
    responsible = person.user if person is not None else None
    link = reverse("integrity:warning", args=[warning.pk])
    warning.plan_clock = clocks.start_clock(
        kind=ClockKind.INTEGRITY,
        amount=days,
        unit="workday",
        at=at,
        label=f"廉政预警{warning.number}整改方案",
        owner=ClockOwner(
            label=f"廉政预警 {warning.number} 整改方案报送",
            link=link,
            department=department,
            responsible=responsible,
            subject=warning,
        ),
    )
    target = f"{department.name}{person.name if person else ''}"
    due = warning.plan_clock.due_day
    warning.letter = documents.issue_document(
        kind=DocumentKind.INTEGRITY_LETTER,
        department=department,
        case_number=warning.number,
        recipient=target,
        content={
            "title": "廉政风险预警监察建议书",
            "paragraphs": [
                f"经监测，{target}存在以下廉政风险：{reason}",
                f"现对你{'单位' if person is None else ''}发出{warning.get_level_display()}。"
                f"请于{due.isoformat() if due else ''}前报送整改方案，逾期未报送的，预警等级将逐级升级。",
            ],
            "rows": [["预警编号", warning.number], ["预警等级", warning.get_level_display()]],
            "date": engine.local_date(at).isoformat(),
        },
        by=_user(by),
        at=at,
    )
    warning.save(update_fields=["plan_clock", "letter"])
    record_event(
        AuditEventType.INTEGRITY_WARNING_ISSUED,
        actor=_user(by),
        obj=warning,
        after={"level": level, "department": department.pk, "person": person.pk if person else None},
    )
    recipients = [responsible] if responsible is not None else department_heads(department)
    for user in recipients:
        notify(
            title=f"{warning.get_level_display()}：{warning.number}",
            body=f"{reason}。请在{days}个工作日内报送整改方案。",
            user=user,
            kind=NOTIFY_KIND,
            link=link,
            at=at,
        )
    return warning


def _lock(warning: Warning) -> Warning:
    return Warning.objects.select_for_update(of=("self",)).get(pk=warning.pk)


def _stop(warning: Warning, at: dt.datetime) -> None:
    if warning.plan_clock is not None and warning.plan_clock.state != ClockState.STOPPED:
        clocks.stop_clock(warning.plan_clock, at=at)


@transaction.atomic
def submit_plan(
    warning: Warning, *, plan: str, by: User | None = None, at: dt.datetime | None = None
) -> Warning:
    """The warned unit or person hands in the rectification plan: the clock stops."""
    warning = _lock(warning)
    if warning.status != WarningStatus.OPEN:
        raise ValidationError(
            {"status": f"预警{warning.number}当前为“{warning.get_status_display()}”，不能报送方案。"}
        )
    at = at or _now()
    warning.plan = _text(plan, "plan", "整改方案")
    warning.plan_submitted_at = at
    warning.status = WarningStatus.PLANNED
    _stop(warning, at)
    warning.save(update_fields=["plan", "plan_submitted_at", "status"])
    record_event(AuditEventType.INTEGRITY_WARNING_PLANNED, actor=_user(by), obj=warning)
    return warning


@transaction.atomic
def close_warning(
    warning: Warning, *, note: str, by: User | None = None, at: dt.datetime | None = None
) -> Warning:
    """销号: the rectification is checked and the warning closed."""
    warning = _lock(warning)
    if warning.status in (WarningStatus.CLOSED, WarningStatus.ESCALATED):
        raise ValidationError({"status": f"预警{warning.number}已{warning.get_status_display()}。"})
    at = at or _now()
    warning.closing_note = _text(note, "note", "销号意见")
    warning.closed_at = at
    warning.status = WarningStatus.CLOSED
    _stop(warning, at)
    warning.save(update_fields=["closing_note", "closed_at", "status"])
    record_event(AuditEventType.INTEGRITY_WARNING_CLOSED, actor=_user(by), obj=warning)
    return warning


def escalate_overdue_warnings(*, at: dt.datetime | None = None, limit: int = 100) -> int:
    """Warnings whose plan is past its deadline go one level up (blue → yellow → red), each escalation a new
    warning with its own letter and clock; a late red warning stays red and is left to the supervision ladder."""
    at = at or _now()
    due = list(
        Warning.objects.filter(
            status=WarningStatus.OPEN,
            level__in=list(NEXT_LEVEL),
            plan_clock__state=ClockState.RUNNING,
            plan_clock__due_at__lt=at,
        )
        .select_related("department", "person__user", "plan_clock")
        .order_by("plan_clock__due_at")[:limit]
    )
    done = 0
    for warning in due:
        with transaction.atomic():
            locked = _lock(warning)
            if locked.status != WarningStatus.OPEN:
                continue
            locked.status = WarningStatus.ESCALATED
            locked.save(update_fields=["status"])
            _stop(warning, at)
            record_event(
                AuditEventType.INTEGRITY_WARNING_ESCALATED,
                obj=locked,
                after={"to": NEXT_LEVEL[WarningLevel(warning.level)]},
            )
            issue_warning(
                level=NEXT_LEVEL[WarningLevel(warning.level)],
                department=warning.department,
                person=warning.person,
                reason=f"预警{warning.number}逾期未报送整改方案（原事由：{warning.reason}）",
                escalated_from=locked,
                rule=warning.rule,
                at=at,
            )
            done += 1
    return done


def _counts(rule: TriggerRule, since: dt.datetime, until: dt.datetime) -> dict[tuple[int, int | None], int]:
    """(department id, staff id or None) → number of the rule's events in [since, until)."""
    from govhall.complaints.models import Complaint
    from govhall.supervision.models import Alert, Card

    person = rule.target == TriggerTarget.PERSON
    rows: Iterable[tuple[Any, ...]]
    if rule.source in (TriggerSource.RED_CARD, TriggerSource.YELLOW_CARD):
        level = "red" if rule.source == TriggerSource.RED_CARD else "yellow"
        cards = Card.objects.filter(
            level=level, issued_at__gte=since, issued_at__lt=until, department__isnull=False
        )
        if person:
            rows = cards.filter(person__staff__isnull=False).values_list("department_id", "person__staff__id")
        else:
            rows = cards.values_list("department_id", "department_id")
    elif rule.source == TriggerSource.RED_ALERT:
        alerts = Alert.objects.filter(
            level="red", raised_at__gte=since, raised_at__lt=until, department__isnull=False
        )
        if person:
            rows = alerts.filter(responsible__staff__isnull=False).values_list(
                "department_id", "responsible__staff__id"
            )
        else:
            rows = alerts.values_list("department_id", "department_id")
    else:
        complaints = Complaint.objects.filter(
            received_at__gte=since, received_at__lt=until, department__isnull=False
        )
        if person:
            rows = complaints.filter(staff__isnull=False).values_list("department_id", "staff_id")
        else:
            rows = complaints.values_list("department_id", "department_id")
    counts: dict[tuple[int, int | None], int] = defaultdict(int)
    for department_id, who in rows:
        counts[(department_id, who if person else None)] += 1
    return counts


def apply_trigger_rules(*, at: dt.datetime | None = None) -> int:
    """Raise the warnings the active rules call for: at most one per rule, target and window."""
    at = at or _now()
    raised = 0
    for rule in TriggerRule.objects.filter(active=True):
        since = at - dt.timedelta(days=rule.window_days)
        counts = _counts(rule, since, at)
        hits = {key: n for key, n in counts.items() if n >= rule.threshold}
        if not hits:
            continue
        already = set(
            Warning.objects.filter(rule=rule, issued_at__gte=since, escalated_from__isnull=True).values_list(
                "department_id", "person_id"
            )
        )
        departments = Department.objects.in_bulk({d for d, _ in hits})
        people = StaffProfile.objects.select_related("user").in_bulk({p for _, p in hits if p is not None})
        for (department_id, person_id), n in sorted(hits.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            if (department_id, person_id) in already:
                continue
            issue_warning(
                level=rule.level,
                department=departments[department_id],
                person=people.get(person_id) if person_id is not None else None,
                reason=f"{rule.window_days}天内{TriggerSource(rule.source).label}{n}次（规则：{rule.name}）",
                rule=rule,
                at=at,
            )
            raised += 1
    return raised


# ---------------------------------------------------------------- commitments


@transaction.atomic
def sign_commitment(
    *,
    staff: StaffProfile,
    year: int,
    text: str,
    signed_on: dt.date,
    by: User | None = None,
    at: dt.datetime | None = None,
) -> Commitment:
    """Record the staff member's 廉政风险承诺书 for the year (one a year)."""
    if signed_on.year not in (year, year - 1):
        raise ValidationError({"signed_on": f"签订日期{signed_on.isoformat()}不在{year}年度内（或上年末）。"})
    if Commitment.objects.filter(staff=staff, year=year).exists():
        raise ValidationError({"year": f"{staff.name}已登记{year}年度承诺书。"})
    commitment = Commitment.objects.create(
        staff=staff,
        year=year,
        text=_text(text, "text", "承诺内容"),
        signed_on=signed_on,
        recorded_by=_user(by),
        recorded_at=at or _now(),
    )
    record_event(AuditEventType.COMMITMENT_SIGNED, actor=_user(by), obj=commitment)
    return commitment


@transaction.atomic
def sign_commitments(
    rows: Sequence[tuple[StaffProfile, dt.date]],
    *,
    year: int,
    text: str,
    by: User | None = None,
    at: dt.datetime | None = None,
) -> int:
    """A department's commitments signed together at the start of the year (one text, one date each)."""
    text = _text(text, "text", "承诺内容")
    done = set(Commitment.objects.filter(year=year).values_list("staff_id", flat=True))
    new = [
        Commitment(
            staff=staff, year=year, text=text, signed_on=day, recorded_by=_user(by), recorded_at=at or _now()
        )
        for staff, day in rows
        if staff.pk not in done
    ]
    for c in new:
        if c.signed_on.year not in (year, year - 1):
            raise ValidationError(
                {"signed_on": f"签订日期{c.signed_on.isoformat()}不在{year}年度内（或上年末）。"}
            )
    Commitment.objects.bulk_create(new)
    record_event(AuditEventType.COMMITMENT_SIGNED, actor=_user(by), subject=f"{year}年度承诺书{len(new)}份")
    return len(new)


# ---------------------------------------------------------------- rotation


@transaction.atomic
def plan_rotation(
    *,
    assignment: PostAssignment,
    to_post: Post,
    planned_on: dt.date,
    note: str = "",
    by: User | None = None,
    at: dt.datetime | None = None,
) -> RotationPlan:
    if assignment.end_date is not None:
        raise ValidationError({"assignment": "该任职已结束，无需轮岗。"})
    if to_post.pk == assignment.post_id:
        raise ValidationError({"to_post": "轮岗应调整到另一岗位。"})
    if planned_on < assignment.start_date:
        raise ValidationError({"planned_on": "计划轮岗日期不能早于到岗日期。"})
    if assignment.rotation_plans.filter(status=RotationStatus.PLANNED).exists():
        raise ValidationError({"assignment": "该任职已有待执行的轮岗计划。"})
    plan = RotationPlan.objects.create(
        assignment=assignment,
        to_post=to_post,
        planned_on=planned_on,
        note=note,
        created_by=_user(by),
        created_at=at or _now(),
    )
    record_event(
        AuditEventType.ROTATION_PLANNED, actor=_user(by), obj=plan, after={"on": planned_on.isoformat()}
    )
    return plan


@transaction.atomic
def execute_rotation(
    plan: RotationPlan, *, on: dt.date | None = None, by: User | None = None
) -> PostAssignment:
    """Carry out the plan: the old assignment ends the day before `on`, the new one starts on `on`."""
    plan = RotationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != RotationStatus.PLANNED:
        raise ValidationError({"status": f"轮岗计划当前为“{plan.get_status_display()}”，不能执行。"})
    on = on or engine.local_date(_now())
    assignment = PostAssignment.objects.select_for_update().get(pk=plan.assignment_id)
    if on <= assignment.start_date:
        raise ValidationError({"on": "轮岗日期应晚于原岗位到岗日期。"})
    assignment.end_date = on - dt.timedelta(days=1)
    assignment.save(update_fields=["end_date"])
    new = PostAssignment.objects.create(post=plan.to_post, staff=assignment.staff, start_date=on)
    plan.status = RotationStatus.EXECUTED
    plan.executed_on = on
    plan.save(update_fields=["status", "executed_on"])
    record_event(AuditEventType.ROTATION_EXECUTED, actor=_user(by), obj=plan, after={"on": on.isoformat()})
    return new


@transaction.atomic
def cancel_rotation(plan: RotationPlan, *, reason: str, by: User | None = None) -> RotationPlan:
    plan = RotationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != RotationStatus.PLANNED:
        raise ValidationError({"status": f"轮岗计划当前为“{plan.get_status_display()}”，不能取消。"})
    plan.status = RotationStatus.CANCELLED
    plan.note = _text(reason, "reason", "取消理由", 200)
    plan.save(update_fields=["status", "note"])
    record_event(
        AuditEventType.ROTATION_PLANNED, actor=_user(by), obj=plan, note="取消", after={"cancelled": True}
    )
    return plan


def send_rotation_alerts(*, at: dt.datetime | None = None) -> int:
    """Tell the staff member and their department heads once, `alert_days` ahead of the rotation due date."""
    from .queries import rotation_due

    at = at or _now()
    today = engine.local_date(at)
    sent = 0
    for due in rotation_due(today):
        if due.assignment.alerted_at is not None or due.alert_on > today:
            continue
        with transaction.atomic():
            updated = PostAssignment.objects.filter(pk=due.assignment.pk, alerted_at__isnull=True).update(
                alerted_at=at
            )
            if not updated:
                continue
            post = due.assignment.post
            body = (
                f"{due.assignment.staff.name}自{due.assignment.start_date.isoformat()}起在“{post.name}”岗位任职，"
                f"按同一岗位不超过{due.max_years}年的规定，应于{due.due_on.isoformat()}前轮岗。"
            )
            for user in [due.assignment.staff.user, *department_heads(post.department)]:
                notify(title="轮岗提醒", body=body, user=user, kind=NOTIFY_KIND, at=at)
            sent += 1
    return sent


# ---------------------------------------------------------------- the worker's jobs


def warnings_job() -> int:
    return escalate_overdue_warnings() + apply_trigger_rules()


__all__ = [
    "apply_trigger_rules",
    "assign_post",
    "assign_posts",
    "cancel_rotation",
    "close_warning",
    "create_posts",
    "disclose_exercises",
    "end_assignment",
    "ensure_levels",
    "ensure_rotation_limits",
    "escalate_overdue_warnings",
    "execute_rotation",
    "issue_warning",
    "plan_rotation",
    "publish_exercise",
    "record_risk_point",
    "record_risk_points",
    "revise_risk_points",
    "save_post",
    "save_power",
    "send_rotation_alerts",
    "sign_commitment",
    "sign_commitments",
    "submit_plan",
    "update_post",
]
