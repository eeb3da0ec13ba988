"""Indicator tables over a period, computed from DailyFact sums plus complaint and rating counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from govhall.cases.choices import CaseStatus
from govhall.cases.models import Case
from govhall.complaints.models import Complaint
from govhall.core.tz import SHANGHAI
from govhall.org.choices import SiteKind
from govhall.ratings.queries import rating_counts

from .indicators import INDICATORS, compute_all
from .models import COUNTERS, DailyFact

GROUPINGS = ("department", "window", "staff", "item", "site_level", "day", "month")
_LABEL_FIELDS = {
    "department": ("department__name", "department__sort_order"),
    "window": ("window__number", "window__name"),
    "staff": ("staff__name", "staff__employee_no"),
    "item": ("item__name",),
}


@dataclass
class Row:
    key: Any
    label: str
    sums: dict[str, int | None]
    values: dict[str, Decimal | int | None] = field(default_factory=dict)

    def cells(self) -> list[tuple[str, str]]:
        """(indicator code, displayed value) in indicator order."""
        return [(ind.code, ind.display(self.values[ind.code])) for ind in INDICATORS]


def _complaints(period: tuple[date, date], by: str | None, department: Any) -> dict[Any, int]:
    """Complaints received in the period, by department (key) or in total (key None); {} for other groupings."""
    if by not in (None, "department"):
        return {}
    start = datetime.combine(period[0], time(0), tzinfo=SHANGHAI)
    end = datetime.combine(period[1] + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    qs = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    if department is not None:
        qs = qs.filter(department=department)
    if by is None:
        return {None: qs.count()}
    return dict(qs.values_list("department").annotate(n=Count("pk")).values_list("department", "n"))


_COHORT_KEYS = {
    "department": "department_id",
    "window": "window_id",
    "item": "item_id",
    "site_level": "site__kind",
    "day": "accepted_day",
}


def _cohorts(period: tuple[date, date], by: str | None, department: Any) -> dict[Any, tuple[int, int]] | None:
    """The acceptance cohort behind 办结率: cases accepted in the period (their acceptance day) and, of those, the
    ones concluded before the period ended, by the grouping's key (one GROUP BY over the cases). Numerator and
    denominator count the same cases, so the rate never exceeds 100%, and a closed month never changes.
    None for groupings with no cohort (by staff member: acceptance and conclusion are different people)."""
    if by == "staff":
        return None
    start, end = period
    end_at = datetime.combine(end + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    qs = Case.objects.filter(accepted_day__gte=start, accepted_day__lte=end)
    if department is not None:
        qs = qs.filter(department=department)
    counts = {
        "n_accepted": Count("pk"),
        "n_concluded": Count("pk", filter=Q(status=CaseStatus.CONCLUDED, concluded_at__lt=end_at)),
    }
    if by is None:
        row = qs.aggregate(**counts)
        return {None: (row["n_accepted"], row["n_concluded"])}
    if by == "month":
        rows = qs.annotate(g=TruncMonth("accepted_day")).values("g").annotate(**counts).order_by()
        return {r["g"]: (r["n_accepted"], r["n_concluded"]) for r in rows}
    column = _COHORT_KEYS[by]
    rows = qs.values(column).annotate(**counts).order_by()
    out: dict[Any, tuple[int, int]] = {}
    for r in rows:
        key = r[column]
        if by == "site_level":
            key = key or ""
        out[key] = (r["n_accepted"], r["n_concluded"])
    return out


def _label(by: str | None, key: Any, row: dict[str, Any]) -> str:
    if by is None:
        return "合计"
    if key is None:
        return {"window": "（无窗口：网上或系统）", "staff": "（系统自动）"}.get(by, "（未指定）")
    if by == "department":
        return str(row["department__name"])
    if by == "window":
        return f"{row['window__number']}号窗口 {row['window__name']}"
    if by == "staff":
        return str(row["staff__name"])
    if by == "item":
        return str(row["item__name"])
    if by == "site_level":
        return str(SiteKind(key).label) if key else "网上申请"
    if by == "month":
        return f"{key:%Y-%m}"
    return key.isoformat() if isinstance(key, date) else str(key)


def indicator_table(period: tuple[date, date], *, by: str | None = None, department: Any = None) -> list[Row]:
    """One row per group (or a single "合计" row when `by` is None) with summed counters and every indicator.
    `period` is inclusive; `department` (a Department or its pk) restricts the facts."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    start, end = period
    qs = DailyFact.objects.filter(day__gte=start, day__lte=end)
    if department is not None:
        qs = qs.filter(department=department)
    sums = {name: Sum(name) for name in COUNTERS}
    rows: list[dict[str, Any]]
    group: str | None
    if by is None:
        rows = [qs.aggregate(**sums)]
        group = None
    elif by == "month":
        rows = list(
            qs.annotate(g_month=TruncMonth("day")).values("g_month").annotate(**sums).order_by("g_month")
        )
        group = "g_month"
    else:
        column = {
            "department": "department_id",
            "window": "window_id",
            "staff": "staff_id",
            "item": "item_id",
        }.get(by, by)
        labels = _LABEL_FIELDS.get(by, ())
        rows = list(qs.values(column, *labels).annotate(**sums).order_by(*(labels[-1:] or (column,)), column))
        group = column
    complaints = _complaints(period, by, department)
    ratings = rating_counts(period, by, department)
    cohorts = _cohorts(period, by, department)
    result = []
    for row in rows:
        key = row[group] if group else None
        if isinstance(key, datetime):
            key = key.date()
        counts: dict[str, int | None] = {name: int(row[name] or 0) for name in COUNTERS}
        # Complaints are counted only in total and by department (they carry no window/item/day fact).
        counts["complaints"] = complaints.get(key, 0) if by in (None, "department") else None
        # Ratings are counted by the day they were given; they carry no site level.
        rated = ratings.get(key, {}) if by != "site_level" else None
        for name in ("rated", "satisfied", "default_rated"):
            counts[name] = None if rated is None else rated.get(name, 0)
        cohort = cohorts.get(key, (0, 0)) if cohorts is not None else (None, None)
        counts["cohort_accepted"], counts["cohort_concluded"] = cohort
        out = Row(key=key, label=_label(by, key, row), sums=counts)
        out.values = compute_all(counts)
        result.append(out)
    return result
