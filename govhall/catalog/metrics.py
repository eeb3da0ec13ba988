"""Derived catalog figures (domain §4), computed in one place so the dashboard, the portal and reports agree.

Every figure is a :class:`Ratio`: the value with the numerator and denominator it came from and the Chinese
formula text the UI shows beside it. Figures over a set of items are single aggregate queries.

Time units. A legal limit in working days and a promised limit in minutes ("20 working days → 30 minutes")
is the compression the reform is proudest of, so limits of different units are compared, not refused:
both are converted to *working minutes* with

- 1 hour = 60 minutes;
- 1 working day = 8 hours (国务院关于职工工作时间的规定: eight hours a day, forty a week);
- 1 natural day = 5/7 working day (a week has five working days; holidays and make-up days are
  ignored, which moves a 20-day limit by less than one day).

Conversions that involve natural days are estimates; :func:`promised_exceeds_legal` therefore only
reports a promised limit as too long when that holds for every calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast

from .choices import HandlingKind, ItemStatus, TimeUnit
from .models import ServiceItem

MINUTES_PER_HOUR = 60
HOURS_PER_WORKDAY = 8
WORKDAYS_PER_NATURAL_DAY = Fraction(5, 7)

# Working minutes per unit; Fractions keep 5/7 exact when comparing limits in Python.
UNIT_MINUTES: dict[str, Fraction] = {
    TimeUnit.MINUTE: Fraction(1),
    TimeUnit.HOUR: Fraction(MINUTES_PER_HOUR),
    TimeUnit.WORKDAY: Fraction(HOURS_PER_WORKDAY * MINUTES_PER_HOUR),
    TimeUnit.DAY: HOURS_PER_WORKDAY * MINUTES_PER_HOUR * WORKDAYS_PER_NATURAL_DAY,
}

FORMULAS: dict[str, str] = {
    "compression": "时限压缩率 = 1 − 承诺办结时限 ÷ 法定办结时限（单位不同时折算为工作分钟：1小时=60分钟，"
    "1个工作日=8小时，1个自然日=5/7个工作日；法定时限为0的事项不计算）",
    "average_compression": "平均压缩率 = 各事项时限压缩率之和 ÷ 可计算压缩率的事项数",
    "overall_compression": "总体压缩率 = 1 − 承诺办结时限合计 ÷ 法定办结时限合计（均折算为工作分钟）",
    "residency": "进驻率 = 进驻大厅办理的事项数（事项标为进驻大厅且实施部门已进驻中心）"
    " ÷ 应进驻事项数（已发布事项，实施部门在用）",
    "instant": "即办件占比 = 即办件数 ÷ 已发布事项数",
    "zero_visit": "零跑动事项占比 = 到现场0次的事项数 ÷ 已发布事项数",
    "at_most_one_visit": "“最多跑一次”事项占比 = 到现场不超过1次的事项数 ÷ 已发布事项数",
}


@dataclass(frozen=True)
class Ratio:
    """value is a fraction (0.25 for 25 %) or None when the denominator is zero."""

    value: float | None
    numerator: float
    denominator: float
    formula: str

    @property
    def percent(self) -> float | None:
        return None if self.value is None else round(self.value * 100, 2)

    def display(self) -> str:
        return "—" if self.percent is None else f"{self.percent:.2f}%"


def _ratio(numerator: float | None, denominator: float | None, formula_key: str) -> Ratio:
    num = numerator or 0
    den = denominator or 0
    return Ratio(num / den if den else None, num, den, FORMULAS[formula_key])


def to_working_minutes(amount: int, unit: str) -> Fraction:
    return amount * UNIT_MINUTES[TimeUnit(unit)]


def compression(legal: int, legal_unit: str, promised: int, promised_unit: str) -> Ratio:
    """压缩率 of one item; None when the legal limit is zero (nothing to compress)."""
    legal_minutes = to_working_minutes(legal, legal_unit)
    promised_minutes = to_working_minutes(promised, promised_unit)
    if not legal_minutes:
        return Ratio(None, float(promised_minutes), 0.0, FORMULAS["compression"])
    value = 1 - promised_minutes / legal_minutes
    return Ratio(float(value), float(promised_minutes), float(legal_minutes), FORMULAS["compression"])


def item_compression(item: ServiceItem) -> Ratio:
    return compression(item.legal_limit, item.legal_limit_unit, item.promised_limit, item.promised_limit_unit)


def promised_exceeds_legal(legal: int, legal_unit: str, promised: int, promised_unit: str) -> bool:
    """True only when the promised limit is longer than the legal one under any calendar.

    Same unit, or minutes against hours: exact. Working days promised against natural days allowed: N working
    days always span at least N natural days. Every other mix depends on the calendar and is accepted."""
    if promised_unit == legal_unit:
        return promised > legal
    sub_day = {TimeUnit.MINUTE, TimeUnit.HOUR}
    if promised_unit in sub_day and legal_unit in sub_day:
        return to_working_minutes(promised, promised_unit) > to_working_minutes(legal, legal_unit)
    if promised_unit == TimeUnit.WORKDAY and legal_unit == TimeUnit.DAY:
        return promised > legal
    return False


def _minutes_expr(amount_field: str, unit_field: str) -> Case:
    return Case(
        *[
            When(**{unit_field: unit}, then=Cast(F(amount_field), FloatField()) * Value(float(factor)))
            for unit, factor in UNIT_MINUTES.items()
        ],
        default=Value(None),
        output_field=FloatField(),
    )


def default_items(queryset: QuerySet[ServiceItem] | None = None) -> QuerySet[ServiceItem]:
    """Published items: the figures describe the catalog the public sees."""
    if queryset is not None:
        return queryset
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)


def average_compression(queryset: QuerySet[ServiceItem] | None = None) -> Ratio:
    qs = default_items(queryset).order_by().filter(legal_limit__gt=0)
    per_item = Value(1.0) - _minutes_expr("promised_limit", "promised_limit_unit") / _minutes_expr(
        "legal_limit", "legal_limit_unit"
    )
    agg = qs.aggregate(total=Sum(per_item, output_field=FloatField()), n=Count("pk"))
    return _ratio(agg["total"], agg["n"], "average_compression")


def overall_compression(queryset: QuerySet[ServiceItem] | None = None) -> Ratio:
    qs = default_items(queryset).order_by().filter(legal_limit__gt=0)
    agg = qs.aggregate(
        promised=Sum(_minutes_expr("promised_limit", "promised_limit_unit")),
        legal=Sum(_minutes_expr("legal_limit", "legal_limit_unit")),
    )
    promised, legal = agg["promised"] or 0.0, agg["legal"] or 0.0
    value = 1 - promised / legal if legal else None
    return Ratio(value, promised, legal, FORMULAS["overall_compression"])


def _share(queryset: QuerySet[ServiceItem] | None, condition: Q, formula_key: str) -> Ratio:
    agg = default_items(queryset).order_by().aggregate(num=Count("pk", filter=condition), den=Count("pk"))
    return _ratio(agg["num"], agg["den"], formula_key)


def residency_rate(queryset: QuerySet[ServiceItem] | None = None) -> Ratio:
    """进驻率. Items of a department that is not in the center count against the rate: they should be there.

    Pass a queryset to split the figure (e.g. approval items and public services, as Hohhot reports them)."""
    qs = default_items(queryset).filter(department__active=True)
    return _share(qs, Q(in_hall=True, department__in_hall=True), "residency")


def instant_share(queryset: QuerySet[ServiceItem] | None = None) -> Ratio:
    return _share(queryset, Q(handling_kind=HandlingKind.INSTANT), "instant")


def zero_visit_share(queryset: QuerySet[ServiceItem] | None = None) -> Ratio:
    return _share(queryset, Q(visits=0), "zero_visit")


def at_most_one_visit_share(queryset: QuerySet[ServiceItem] | None = None) -> Ratio:
    return _share(queryset, Q(visits__lte=1), "at_most_one_visit")


def catalog_summary(queryset: QuerySet[ServiceItem] | None = None) -> dict[str, Ratio]:
    """All figures for a dashboard card, keyed like FORMULAS (without the per-item compression)."""
    return {
        "average_compression": average_compression(queryset),
        "overall_compression": overall_compression(queryset),
        "residency": residency_rate(queryset),
        "instant": instant_share(queryset),
        "zero_visit": zero_visit_share(queryset),
        "at_most_one_visit": at_most_one_visit_share(queryset),
    }
