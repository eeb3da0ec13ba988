"""Reading results: a closed month's frozen results, or the month computed now; one person's sheet."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from govhall.cases.models import Case

from . import scoring
from .choices import MonthStatus, Title, UnitKind
from .models import Adjustment, EvaluationMonth, MonthlyResult

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
