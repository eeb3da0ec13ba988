"""Reading results: a closed month's frozen results, or the month computed now; one person's sheet."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet

from govhall.cases.models import Case
from govhall.org.access import department_ids, has_role
from govhall.org.choices import DepartmentGroup, Role

from . import scoring
from .access import may_read
from .choices import GoalCategory, Grade, MonthStatus, Title, UnitKind
from .models import (
    Adjustment,
    EvaluationMonth,
    EvaluationYear,
    Goal,
    MonthlyResult,
    YearAdjustment,
    YearResult,
)
from .yearly import evaluate_year

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> dt.date:
    m = _MONTH.match((text or "").strip())
    if not m:
        raise ValidationError({"month": "格式不正确，应为 YYYY-MM（如 2026-03）。"})
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def parse_year(text: str | int) -> int:
    try:
        year = int(text)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": "年度应为四位数字（如 2026）。"}) from exc
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度应在2000到2100之间。"})
    return year


def closed_period(month: dt.date) -> EvaluationMonth | None:
    return EvaluationMonth.objects.filter(month=month.replace(day=1), status=MonthStatus.CLOSED).first()


def _frozen(result: MonthlyResult) -> dict[str, Any]:
    adjustments = list(result.adjustments.all())
    return {
        "name": result.name,
        "result_id": result.pk,
        "id": result.window_id if result.unit == UnitKind.WINDOW else result.staff_id,
        "score": float(result.score),
        "rank": result.rank,
        "title": Title(result.title).label if result.title else "",
        "barred": result.barred,
        "adjusted_score": float(result.adjusted_score) if adjustments else None,
        "adjustments": [
            {"delta": float(a.delta), "reason": a.reason, "at": a.at.isoformat()} for a in adjustments
        ],
    }


def month_results(month: dt.date) -> dict[str, Any]:
    """{"month", "closed", "windows": [...], "staff": [...]}: frozen results of a closed month, else computed now."""
    period = closed_period(month)
    if period is not None:
        rows = (
            MonthlyResult.objects.filter(period=period)
            .prefetch_related(Prefetch("adjustments", queryset=Adjustment.objects.order_by("at", "pk")))
            .order_by("rank", "name")
        )
        out: dict[str, list[dict[str, Any]]] = {"windows": [], "staff": []}
        for r in rows:
            out["windows" if r.unit == UnitKind.WINDOW else "staff"].append(_frozen(r))
        return {"month": f"{month:%Y-%m}", "closed": True, **out}
    ev = scoring.evaluate(month)
    return {
        "month": f"{month:%Y-%m}",
        "closed": False,
        "windows": [u.as_dict() for u in ev.windows],
        "staff": [u.as_dict() for u in ev.staff],
    }


def staff_sheet(month: dt.date, staff_id: int) -> dict[str, Any] | None:
    """One staff member's sheet: every item with its figure, points and the records behind it."""
    period = closed_period(month)
    if period is not None:
        r = MonthlyResult.objects.filter(period=period, unit=UnitKind.STAFF, staff_id=staff_id).first()
        if r is None:
            return None
        sheet = _frozen(r) | {"items": r.items, "closed": True}
    else:
        ev = scoring.evaluate(month)
        unit = next((u for u in ev.staff if u.pk == staff_id), None)
        if unit is None:
            return None
        sheet = unit.as_dict() | {"items": [ln.as_dict() for ln in unit.lines], "closed": False}
    sheet["cases"] = concluded_cases(month, staff_id)
    return sheet


def concluded_cases(month: dt.date, staff_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The cases behind 办结件数, 按期办结率 and 提前办结 of a staff member (received by them, concluded in the month)."""
    start, end, _, _ = scoring.month_bounds(month)
    rows = (
        Case.objects.filter(concluded_at__gte=start, concluded_at__lt=end, received_by__staff__pk=staff_id)
        .values("number", "item__name", "concluded_at", "clock__late")
        .order_by("concluded_at")[:limit]
    )
    return [
        {
            "number": r["number"],
            "item": r["item__name"],
            "concluded_at": r["concluded_at"].isoformat() if r["concluded_at"] else None,
            "late": r["clock__late"],
        }
        for r in rows
    ]


def closed_year(year: int) -> EvaluationYear | None:
    return EvaluationYear.objects.filter(year=year, status=MonthStatus.CLOSED).first()


def _frozen_department(r: YearResult) -> dict[str, Any]:
    adjustments = list(r.adjustments.all())
    return {
        "name": r.name,
        "id": r.department_id,
        "result_id": r.pk,
        "group": DepartmentGroup(r.group).label if r.group else "",
        "score": float(r.score),
        "rank": r.rank,
        "grade": Grade(r.grade).label if r.grade else "",
        "best": r.best,
        "daily": float(r.daily),
        "year_end": float(r.year_end),
        "appraisal": float(r.appraisal),
        "vetoes": list(r.vetoes),
        "detail": r.detail,
        "adjusted_score": float(r.adjusted_score) if adjustments else None,
        "adjustments": [
            {"delta": float(a.delta), "reason": a.reason, "at": a.at.isoformat()} for a in adjustments
        ],
    }


def year_results(year: int) -> dict[str, Any]:
    """{"year", "closed", "departments": [...]}: the frozen rows of a closed year, else the year computed now."""
    period = closed_year(year)
    if period is not None:
        rows = (
            YearResult.objects.filter(period=period)
            .prefetch_related(Prefetch("adjustments", queryset=YearAdjustment.objects.order_by("at", "pk")))
            .order_by("position")
        )
        return {"year": year, "closed": True, "departments": [_frozen_department(r) for r in rows]}
    departments = [
        d.as_dict() | {"result_id": None, "adjusted_score": None, "adjustments": []}
        for d in evaluate_year(year)
    ]
    return {"year": year, "closed": False, "departments": departments}


def visible_goals(user: User | AnonymousUser, year: int) -> QuerySet[Goal]:
    """Readers see every goal of the year; a department head the goals their departments lead or assist, and the
    common goals (which apply to every department)."""
    goals = Goal.objects.filter(year=year).select_related("lead").prefetch_related("assisting")
    if may_read(user):
        return goals.order_by("category", "pk")
    if not has_role(user, Role.DEPARTMENT_HEAD):
        raise PermissionDenied("无权查看考评目标。")
    mine = department_ids(user)
    return (
        goals.filter(Q(category=GoalCategory.COMMON) | Q(lead_id__in=mine) | Q(assisting__in=mine))
        .distinct()
        .order_by("category", "pk")
    )
