"""The live supervision screen (大屏) for the hall's display and the per-department view (domain §8, issue #4 item 4).

Every figure is one aggregate query whose cost does not depend on how many cases are open beyond the rows it counts:
lights are a single GROUP BY over the promised clocks of open cases, the overdue list reads the indexed `due_at`
range of running clocks, today's figures are date ranges, and the trend's past days come from the statistics' daily
facts. The page itself holds no figures: it fetches `data.json` every 15 seconds, so a kiosk that logged in once
stays current."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from govhall.calendars import engine
from govhall.cases.choices import OPEN_STATUSES, CaseStatus
from govhall.cases.models import Case
from govhall.clocks.choices import ClockKind, ClockState, Light
from govhall.clocks.models import Clock
from govhall.core.clock import now as _now
from govhall.org.access import has_role, require_role
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile
from govhall.stats.lights import OPEN_TASK_STATUSES, case_lights, step_totals, task_lights

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

REFRESH_SECONDS = 15
OVERDUE_LIMIT = 20
TREND_DAYS = 30
SCREEN_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.CENTER_ADMIN)


# ---------------------------------------------------------------- today, overdue, trend


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=engine.CALENDAR_TZ)
    return start, start + dt.timedelta(days=1)


def today_figures(at: dt.datetime, department: int | None = None) -> dict[str, Any]:
    """Cases received and concluded on the Shanghai day of `at` (one query)."""
    start, end = _day_range(engine.local_date(at))
    received = Q(received_at__gte=start, received_at__lt=end)
    concluded = Q(status=CaseStatus.CONCLUDED, concluded_at__gte=start, concluded_at__lt=end)
    # status IN (every status) lets PostgreSQL use the (status, received_at) index for the received range.
    qs = Case.objects.filter(Q(status__in=CaseStatus.values) & received | concluded)
    if department is not None:
        qs = qs.filter(department_id=department)
    figures = qs.aggregate(received=Count("pk", filter=received), concluded=Count("pk", filter=concluded))
    return {"day": engine.local_date(at).isoformat(), **figures}


def overdue_text(seconds: int) -> str:
    minutes = max(1, seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分钟" if mins else f"{hours}小时"
    return f"{mins}分钟"


def overdue_list(
    at: dt.datetime, department: int | None = None, limit: int = OVERDUE_LIMIT
) -> list[dict[str, Any]]:
    """Open cases and steps whose running clock is red, the most recently overdue first (one query on the indexed
    `due_at`; a clock belongs to a case by its promised clock or to a step by its task; the department is the
    clock owner's)."""
    qs = Clock.objects.filter(
        state=ClockState.RUNNING, due_at__lte=at, kind__in=(ClockKind.CASE, ClockKind.STEP)
    ).filter(
        Q(kind=ClockKind.CASE, promised_case__status__in=OPEN_STATUSES)
        | Q(kind=ClockKind.STEP, task__status__in=OPEN_TASK_STATUSES)
    )
    if department is not None:
        qs = qs.filter(owner_department_id=department)
    qs = qs.select_related(
        "owner_department",
        "promised_case__item",
        "task__case__item",
    ).order_by("-due_at", "-pk")[:limit]
    out = []
    for clock in qs:
        task = getattr(clock, "task", None) if clock.kind == ClockKind.STEP else None
        case = task.case if task is not None else getattr(clock, "promised_case", None)
        if case is None or clock.due_at is None:
            continue
        seconds = int((at - clock.due_at).total_seconds())
        out.append(
            {
                "number": case.number,
                "item": case.item.name,
                "department": clock.owner_department.name if clock.owner_department else "",
                "step": task.step_name if task is not None else "",
                "kind": "step" if task is not None else "case",
                "due_at": clock.due_at.astimezone(engine.CALENDAR_TZ).strftime("%Y-%m-%d %H:%M"),
                "overdue_seconds": seconds,
                "overdue": overdue_text(seconds),
            }
        )
    return out


def trend(at: dt.datetime, department: int | None = None, days: int = TREND_DAYS) -> dict[str, Any]:
    """Cases accepted and concluded per Shanghai day over the last `days` days including today (two queries).

    Past days come from the statistics' daily facts (govhall.stats: a few rows per day, whatever the history), the
    same counters the monthly report publishes; today, which the facts may not have folded yet, is counted live."""
    from govhall.stats.models import DailyFact

    today = engine.local_date(at)
    first = today - dt.timedelta(days=days - 1)
    facts = DailyFact.objects.filter(day__gte=first, day__lt=today)
    if department is not None:
        facts = facts.filter(department_id=department)
    past = {
        r["day"]: r
        for r in facts.values("day").annotate(accepted=Sum("accepted"), concluded=Sum("concluded")).order_by()
    }
    start, end = _day_range(today)
    live = Case.objects.filter(
        Q(accepted_at__gte=start, accepted_at__lt=end) | Q(concluded_at__gte=start, concluded_at__lt=end)
    )
    if department is not None:
        live = live.filter(department_id=department)
    now_counts = live.aggregate(
        accepted=Count("pk", filter=Q(accepted_at__gte=start, accepted_at__lt=end)),
        concluded=Count(
            "pk", filter=Q(status=CaseStatus.CONCLUDED, concluded_at__gte=start, concluded_at__lt=end)
        ),
    )
    labels = [first + dt.timedelta(days=n) for n in range(days)]
    by_day = {**past, today: now_counts}
    return {
        "days": [d.isoformat() for d in labels],
        "accepted": [int((by_day.get(d) or {}).get("accepted") or 0) for d in labels],
        "concluded": [int((by_day.get(d) or {}).get("concluded") or 0) for d in labels],
    }


def _totals(lights: list[dict[str, Any]]) -> dict[str, int]:
    return {light: sum(r[light] for r in lights) for light in Light.values}


def screen_data(at: dt.datetime | None = None, department: int | None = None) -> dict[str, Any]:
    """Everything the screen shows, as JSON-ready data. Six queries (seven with a department), whatever the number
    of open cases."""
    at = at or _now()
    lights = case_lights(at, department)
    data: dict[str, Any] = {
        "at": at.astimezone(engine.CALENDAR_TZ).strftime("%Y-%m-%d %H:%M:%S"),
        "refresh_seconds": REFRESH_SECONDS,
        "lights": {"departments": lights, "total": _totals(lights)},
        "steps": {"total": step_totals(at, department)},
        "today": today_figures(at, department),
        "overdue": overdue_list(at, department),
        "trend": trend(at, department),
    }
    if department is not None:
        tasks = task_lights(at, department)
        data["tasks"] = {"steps": tasks, "total": _totals(tasks)}
    return data


# ---------------------------------------------------------------- access and views


def _check_screen(user: User | AnonymousUser) -> None:
    require_role(user, *SCREEN_ROLES, message="只有效能监察人员、领导和中心管理员可以查看监察大屏")


def _check_department(user: User | AnonymousUser, department: Department) -> None:
    if has_role(user, Role.SUPERVISOR, Role.LEADER):
        return
    if (
        has_role(user, Role.DEPARTMENT_HEAD)
        and user.is_authenticated
        and StaffProfile.objects.filter(user=user, departments=department).exists()
    ):
        return
    raise PermissionDenied("只有本部门负责人、效能监察人员和领导可以查看部门监察屏")


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    _check_screen(request.user)
    return render(
        request,
        "supervision/screen.html",
        {"data_url": reverse("screens:data"), "refresh_seconds": REFRESH_SECONDS, "title": "电子监察大屏"},
    )


@login_required
def screen_json(request: HttpRequest) -> JsonResponse:
    _check_screen(request.user)
    return _json(screen_data())


@login_required
def department_screen(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk)
    _check_department(request.user, department)
    return render(
        request,
        "supervision/department_screen.html",
        {
            "department": department,
            "data_url": reverse("screens:department_data", args=[department.pk]),
            "refresh_seconds": REFRESH_SECONDS,
            "title": f"{department.name} 电子监察",
        },
    )


@login_required
def department_json(request: HttpRequest, pk: int) -> JsonResponse:
    department = get_object_or_404(Department, pk=pk)
    _check_department(request.user, department)
    data = screen_data(department=department.pk)
    data["department"] = {"id": department.pk, "name": department.name}
    return _json(data)


def _json(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
