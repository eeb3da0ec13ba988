"""The three national rates of the 12345 hotline (北京“接诉即办” practice), per department and month.

Each rate is counted over the work orders a department holds that were dispatched to it in the month (Shanghai
time): the order's *last* dispatch falls in the month and the department has not returned it. A rate whose
denominator is zero is None (shown as "—"), never 0% or 100%.

- 响应率 (response rate) = orders answered before their limit expired / orders answered, plus orders still open
  whose limit has expired. An order still open and still in time is not counted yet.
- 解决率 (resolution rate) = orders the caller said were solved at the call-back / orders whose caller was reached.
- 满意率 (satisfaction rate) = orders the caller rated 满意 or 基本满意 / orders whose caller was reached.

Unreached callers count in neither of the last two. These definitions are written out in docs/hotline.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from govhall.core.clock import now
from govhall.core.tz import SHANGHAI
from govhall.org.models import Department

from .choices import OrderStatus, Satisfaction
from .models import WorkOrder


@dataclass(frozen=True)
class DepartmentRates:
    department_id: int
    department: str
    dispatched: int
    answered: int
    answered_on_time: int
    overdue_open: int
    reached: int
    solved: int
    satisfied: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def response_rate(self) -> float | None:
        return self._rate(self.answered_on_time, self.answered + self.overdue_open)

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.solved, self.reached)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.reached)

    def as_dict(self) -> dict[str, object]:
        return {
            "department_id": self.department_id,
            "department": self.department,
            "dispatched": self.dispatched,
            "answered": self.answered,
            "answered_on_time": self.answered_on_time,
            "overdue_open": self.overdue_open,
            "reached": self.reached,
            "solved": self.solved,
            "satisfied": self.satisfied,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
        }


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=SHANGHAI)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end


def monthly_rates(
    month: date, *, orders: QuerySet[WorkOrder] | None = None, at: datetime | None = None
) -> list[DepartmentRates]:
    """The rates of every department with orders dispatched in `month` (any day of it), from `orders` (a scoped
    queryset; default all), ordered by department."""
    at = at or now()
    start, end = month_bounds(month)
    base = (
        (orders if orders is not None else WorkOrder.objects.all())
        .filter(department__isnull=False, dispatched_at__gte=start, dispatched_at__lt=end)
        .exclude(status__in=(OrderStatus.RETURNED, OrderStatus.TRANSFERRED))
    )
    answered = Q(answered_at__isnull=False)
    reached = Q(caller_reached=True)
    rows = (
        base.values("department_id")
        .annotate(
            dispatched=Count("pk"),
            answered=Count("pk", filter=answered),
            answered_on_time=Count("pk", filter=answered & Q(clock__late=False)),
            overdue_open=Count("pk", filter=Q(status=OrderStatus.DISPATCHED, clock__due_at__lte=at)),
            reached=Count("pk", filter=reached),
            solved=Count("pk", filter=reached & Q(solved=True)),
            satisfied=Count(
                "pk", filter=reached & Q(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC))
            ),
        )
        .order_by("department_id")
    )
    found: list[dict[str, Any]] = list(rows)
    names = dict(
        Department.objects.filter(pk__in=[r["department_id"] for r in found]).values_list("pk", "name")
    )
    return [DepartmentRates(department=names.get(r["department_id"], ""), **r) for r in found]
