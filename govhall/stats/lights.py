"""The one definition of a light (green, yellow, red) over open cases and steps, used by every page that counts them:
the supervision board, the big screen (大屏), the department screen, the workbench homes and the monthly report.

A case is red when the promised clock (承诺时限) of an open case has run out: a running clock from its `due_at`, a paused
clock when it was already overdue when it stopped. Yellow: a running clock past its warning instant. The conditions
give the same answer as `clocks.actions.light_at` for one clock, as GROUP BY queries whose cost does not depend on the
number of open cases beyond the rows counted. Alerts (告警) are a different thing: an alert is raised once per clock
and level and stays on the board while its clock runs; pages show both figures with these names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from govhall.cases.choices import OPEN_STATUSES, TaskStatus
from govhall.cases.models import Case, Task
from govhall.clocks.choices import ClockState, Light

OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED)


def _light_q(prefix: str, at: dt.datetime) -> dict[str, Q]:
    """Conditions on a clock reached through `prefix` that give the same light as `clocks.actions.light_at`: a
    running clock is red from `due_at`, yellow from `warn_at`; a paused clock is frozen at the instant it stopped."""
    p = prefix
    running, paused = Q(**{f"{p}state": ClockState.RUNNING}), Q(**{f"{p}state": ClockState.PAUSED})
    red = (running & Q(**{f"{p}due_at__lte": at})) | (
        paused & Q(**{f"{p}due_at__lte": F(f"{p}paused_since")})
    )
    yellow = running & Q(**{f"{p}due_at__gt": at, f"{p}warn_at__lte": at})
    return {"red": red, "yellow": yellow}


def _light_counts(qs: QuerySet[Any], prefix: str, at: dt.datetime, *group: str) -> list[dict[str, Any]]:
    """Green/yellow/red counts of the clocks reached through `prefix`, one row per `group` (one query; no group: one
    row for everything)."""
    conditions = _light_q(prefix, at)
    qs = qs.filter(**{f"{prefix}state__in": (ClockState.RUNNING, ClockState.PAUSED)})
    counts = {
        "total": Count("pk"),
        "red": Count("pk", filter=conditions["red"]),
        "yellow": Count("pk", filter=conditions["yellow"]),
    }
    rows = list(qs.values(*group).annotate(**counts).order_by(*group)) if group else [qs.aggregate(**counts)]
    for row in rows:
        row["green"] = row["total"] - row["red"] - row["yellow"]
    return rows


def case_lights(at: dt.datetime, department: int | None = None) -> list[dict[str, Any]]:
    """Lights of the promised clocks of open cases, by department (one GROUP BY query)."""
    qs = Case.objects.filter(status__in=OPEN_STATUSES, clock__isnull=False)
    if department is not None:
        qs = qs.filter(department_id=department)
    rows = _light_counts(qs, "clock__", at, "department_id", "department__name")
    return [
        {
            "department_id": r["department_id"],
            "department": r["department__name"],
            "green": r["green"],
            "yellow": r["yellow"],
            "red": r["red"],
        }
        for r in sorted(rows, key=lambda r: (-r["red"], -r["yellow"], r["department__name"]))
    ]


def step_totals(at: dt.datetime, department: int | None = None) -> dict[str, int]:
    """Lights of open steps (one query): an overdue step is a violation even when the case is still in time."""
    qs = Task.objects.filter(status__in=OPEN_TASK_STATUSES, clock__isnull=False)
    if department is not None:
        qs = qs.filter(department_id=department)
    row = _light_counts(qs, "clock__", at)[0]
    return {light: row[light] for light in Light.values}


def task_lights(at: dt.datetime, department: int) -> list[dict[str, Any]]:
    """Open tasks of one department by step and light (one GROUP BY query)."""
    qs = Task.objects.filter(department_id=department, status__in=OPEN_TASK_STATUSES, clock__isnull=False)
    rows = _light_counts(qs, "clock__", at, "step_name")
    return [
        {"step": r["step_name"], "green": r["green"], "yellow": r["yellow"], "red": r["red"]} for r in rows
    ]


def light_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {light: sum(r[light] for r in rows) for light in Light.values}


def case_light_totals(at: dt.datetime, department: int | None = None) -> dict[str, int]:
    """Green/yellow/red open cases of the whole center (or one department): the 办件红灯 every page shows."""
    return light_totals(case_lights(at, department))


def red_case_filter(at: dt.datetime) -> Q:
    """The red condition on a Case queryset (open cases only), for lists that filter by light."""
    return Q(status__in=OPEN_STATUSES) & _light_q("clock__", at)["red"]


def yellow_case_filter(at: dt.datetime) -> Q:
    return Q(status__in=OPEN_STATUSES) & _light_q("clock__", at)["yellow"]


def green_case_filter(at: dt.datetime) -> Q:
    q = _light_q("clock__", at)
    return (
        Q(status__in=OPEN_STATUSES, clock__state__in=(ClockState.RUNNING, ClockState.PAUSED))
        & ~q["red"]
        & ~q["yellow"]
    )
