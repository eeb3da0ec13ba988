"""Reads of the integrity module: rotations due, the risk map, the disclosure check, red-warning departments, the
conduct file, the public power list."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from govhall.calendars import engine
from govhall.org.models import Department, StaffProfile

from .choices import DueState, WarningLevel
from .models import (
    Commitment,
    KeyDepartment,
    Post,
    PostAssignment,
    Power,
    PowerExercise,
    RiskLevel,
    RiskPoint,
    RotationLimit,
    Warning,
)

# ---------------------------------------------------------------- rotation


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class RotationDue:
    assignment: PostAssignment
    max_years: int
    due_on: dt.date  # the last day the post may still be held is the day before
    alert_on: dt.date
    state: DueState


def _limits() -> dict[bool, RotationLimit]:
    from .defaults import ensure_rotation_limits

    return ensure_rotation_limits()


def due_for(assignment: PostAssignment, today: dt.date, limit: RotationLimit) -> RotationDue:
    due_on = add_years(assignment.start_date, limit.max_years)
    alert_on = due_on - dt.timedelta(days=limit.alert_days)
    state = DueState.OVERDUE if today >= due_on else DueState.SOON if today >= alert_on else DueState.OK
    return RotationDue(assignment, limit.max_years, due_on, alert_on, state)


def rotation_due(
    today: dt.date, *, department: Department | None = None, everyone: bool = False
) -> list[RotationDue]:
    """Open assignments on posts with a limit (specialised posts have none) that are due or within the alert
    period on `today` (all of them with `everyone`), soonest first. A holder reaches the limit on the anniversary
    of the start date: from that day on the rotation is overdue."""
    out: list[RotationDue] = []
    for key_post, limit in _limits().items():
        rows = PostAssignment.objects.filter(
            end_date__isnull=True, post__is_key=key_post, post__specialised=False
        ).select_related("post__department", "staff__user")
        if department is not None:
            rows = rows.filter(post__department=department)
        if not everyone:
            cutoff = add_years(today + dt.timedelta(days=limit.alert_days), -limit.max_years)
            rows = rows.filter(start_date__lte=cutoff)
        out.extend(due_for(a, today, limit) for a in rows)
    if not everyone:
        out = [d for d in out if d.state != DueState.OK]
    out.sort(key=lambda d: (d.due_on, d.assignment.pk))
    return out


# ---------------------------------------------------------------- risk map


@dataclass
class MapRow:
    pk: int
    name: str
    department: str
    key: bool
    counts: dict[str, int] = field(default_factory=dict)
    color: str = "blue"
    level: str = ""


def _colour(rows: list[MapRow], levels: list[RiskLevel]) -> None:
    for row in rows:
        for level in levels:  # highest grade first
            if row.counts.get(level.code):
                row.color, row.level = level.color, level.code
                break
        else:
            row.color, row.level = "blue", ""


def risk_map(department: Department | None = None) -> dict[str, Any]:
    """The map by department and by post: counts of active risk points per grade, coloured by the highest grade
    found (no point at all: blue). Two grouped queries whatever the number of points."""
    levels = list(RiskLevel.objects.order_by("rank"))
    code_of = {level.pk: level.code for level in levels}
    points = RiskPoint.objects.filter(active=True)
    if department is not None:
        points = points.filter(department=department)
    keys = set(KeyDepartment.objects.values_list("department_id", flat=True))
    by_dept: dict[int, dict[str, int]] = defaultdict(dict)
    for dept_id, level_id, n in points.values_list("department_id", "level_id").annotate(n=Count("id")):
        by_dept[dept_id][code_of[level_id]] = n
    departments = Department.objects.filter(pk__in=set(by_dept) | keys).order_by("sort_order", "pk")
    dept_rows = [MapRow(d.pk, d.name, d.name, d.pk in keys, dict(by_dept.get(d.pk, {}))) for d in departments]
    # A post's points: those on the post, and those on the steps it exercises.
    by_post: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for post_id, level_id, n in (
        points.filter(post__isnull=False).values_list("post_id", "level_id").annotate(n=Count("id"))
    ):
        by_post[post_id][code_of[level_id]] += n
    for post_id, level_id, n in (
        points.filter(step__isnull=False, step__posts__isnull=False)
        .values_list("step__posts", "level_id")
        .annotate(n=Count("id"))
    ):
        by_post[post_id][code_of[level_id]] += n
    posts = Post.objects.filter(Q(pk__in=list(by_post)) | Q(is_key=True)).select_related("department")
    if department is not None:
        posts = posts.filter(department=department)
    post_rows = [
        MapRow(p.pk, p.name, p.department.name, p.is_key, dict(by_post.get(p.pk, {})))
        for p in posts.order_by("department__sort_order", "department_id", "name")
    ]
    _colour(dept_rows, levels)
    _colour(post_rows, levels)
    totals = {level.code: sum(r.counts.get(level.code, 0) for r in dept_rows) for level in levels}
    return {"levels": levels, "departments": dept_rows, "posts": post_rows, "totals": totals}


# ---------------------------------------------------------------- disclosure check


@dataclass(frozen=True)
class DisclosureGap:
    case_number: str
    power_code: str
    power_name: str
    department: str
    decided_at: dt.datetime
    channels: list[str]
    required: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case_number,
            "power": self.power_code,
            "name": self.power_name,
            "department": self.department,
            "decided_at": self.decided_at.isoformat(),
            "channels": self.channels,
            "required": self.required,
        }


def disclosure_gaps(*, level_code: str = "A", until: dt.datetime | None = None) -> list[DisclosureGap]:
    """Every decided case of an item linked to a power of that grade not yet disclosed on as many public channels
    as the grade requires: recorded exercises short of channels, and decided cases not recorded at all."""
    from govhall.cases.models import Case

    level = RiskLevel.objects.filter(code=level_code).first()
    if level is None:
        return []
    gaps: list[DisclosureGap] = []
    exercises = (
        PowerExercise.objects.filter(level=level)
        .annotate(n=Count("disclosures"))
        .filter(n__lt=level.channels_required)
        .select_related("power", "department", "case")
        .prefetch_related("disclosures")
    )
    for e in exercises:
        gaps.append(
            DisclosureGap(
                e.case.number,
                e.power.code,
                e.power.name,
                e.department.name,
                e.decided_at,
                sorted(d.channel for d in e.disclosures.all()),
                level.channels_required,
            )
        )
    unrecorded = Case.objects.filter(
        decided_at__isnull=False, item__power__level=level, power_exercise__isnull=True
    ).select_related("item__power__department")
    if until is not None:
        unrecorded = unrecorded.filter(decided_at__lte=until)
    for case in unrecorded:
        power = case.item.power
        assert case.decided_at is not None
        gaps.append(
            DisclosureGap(
                case.number,
                power.code,
                power.name,
                power.department.name,
                case.decided_at,
                [],
                level.channels_required,
            )
        )
    gaps.sort(key=lambda g: (g.decided_at, g.case_number))
    return gaps


# ---------------------------------------------------------------- contract and conduct file


def red_warning_departments(year: int) -> dict[int, str]:
    """Department id → reason, for the departments (or their staff) that received a red warning in `year`
    (Shanghai calendar year); the evaluation's one-vote veto reads it."""
    start = engine.deadline_instant(dt.date(year - 1, 12, 31))
    end = engine.deadline_instant(dt.date(year, 12, 31))
    out: dict[int, str] = {}
    rows = (
        Warning.objects.filter(level=WarningLevel.RED, issued_at__gte=start, issued_at__lt=end)
        .select_related("person")
        .order_by("issued_at", "pk")
    )
    for w in rows:
        if w.department_id not in out:
            who = f"（{w.person.name}）" if w.person is not None else ""
            out[w.department_id] = f"{year}年受到红色廉政预警{w.number}{who}：{w.reason}"[:200]
    return out


@dataclass
class ConductFile:
    staff: StaffProfile
    warnings: QuerySet[Warning]
    commitments: QuerySet[Commitment]
    complaints: QuerySet[Any]
    supervision: Any
    assignments: QuerySet[PostAssignment]


def conduct_file(staff: StaffProfile) -> ConductFile:
    """作风档案: warnings, commitments, posts held, beside the cards and alerts of supervision and the complaints."""
    from govhall.complaints.models import Complaint
    from govhall.supervision.actions import conduct_for

    return ConductFile(
        staff=staff,
        warnings=Warning.objects.filter(person=staff).select_related("department"),
        commitments=Commitment.objects.filter(staff=staff),
        complaints=Complaint.objects.filter(staff=staff).order_by("-received_at"),
        supervision=conduct_for(staff),
        assignments=PostAssignment.objects.filter(staff=staff).select_related("post__department"),
    )


# ---------------------------------------------------------------- power list


def powers(
    *,
    department: int | None = None,
    power_type: str = "",
    level: str = "",
    q: str = "",
) -> QuerySet[Power]:
    rows = Power.objects.filter(active=True).select_related("department", "level", "item")
    if department:
        rows = rows.filter(department_id=department)
    if power_type:
        rows = rows.filter(power_type=power_type)
    if level:
        rows = rows.filter(level__code=level)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(code__icontains=q))
    points = (
        RiskPoint.objects.filter(active=True).select_related("level", "step").order_by("level__rank", "id")
    )
    return rows.prefetch_related(
        Prefetch("risk_points", queryset=points),
        Prefetch("steps__risk_points", queryset=points),
        "steps__posts",
    ).order_by("code")


def public_feed(limit: int = 50) -> QuerySet[PowerExercise]:
    return PowerExercise.objects.select_related("power", "department", "level").order_by(
        "-decided_at", "-pk"
    )[:limit]
