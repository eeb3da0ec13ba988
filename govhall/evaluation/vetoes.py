"""One-vote veto (一票否决) sources: key → dotted path of `fn(year: int) -> dict[int, str]` (department id → reason).

The veto items themselves are data (`VetoItem`, each naming one of these keys); a source is imported only when an
evaluation runs, so sources of modules above this one can be added by path (e.g. `legal_appearance`:
govhall.legal.queries.appearance_failures, `integrity_red_warning`: govhall.integrity.queries.red_warning_departments)
without this module importing them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import import_module

from govhall.complaints.models import Complaint
from govhall.core.tz import SHANGHAI
from govhall.supervision.choices import CardLevel
from govhall.supervision.models import Card

from .models import VetoFinding, VetoItem

SOURCES: dict[str, str] = {
    "supervision_red_card": "govhall.evaluation.vetoes.red_card_departments",
    "complaint_upheld": "govhall.evaluation.vetoes.upheld_complaint_departments",
    "manual": "govhall.evaluation.vetoes.manual_vetoes",
    # A head of agency who failed to appear in court two years running (the Yuyao rules) bars the year's honours.
    "legal_appearance": "govhall.legal.queries.appearance_failures",
    "integrity_red_warning": "govhall.integrity.queries.red_warning_departments",
}

# (key, name, source, active by default)
DEFAULT_ITEMS = [
    ("red_card", "年度内被亮红牌（效能问责）", "supervision_red_card", True),
    ("complaint_upheld", "年度内有属实的效能投诉", "complaint_upheld", False),
    ("manual", "其他一票否决事项（人工登记：安全事故、违纪案件等）", "manual", True),
    ("legal_appearance", "连续两年未落实行政机关负责人出庭应诉", "legal_appearance", True),
    ("integrity_red_warning", "年度内受到廉政红色预警", "integrity_red_warning", True),
]


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 1, 1, tzinfo=SHANGHAI),
        dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI),
    )


def red_card_departments(year: int) -> dict[int, str]:
    start, end = _year_bounds(year)
    out: dict[int, str] = {}
    for dept, reason in Card.objects.filter(
        level=CardLevel.RED, issued_at__gte=start, issued_at__lt=end, department__isnull=False
    ).values_list("department_id", "reason"):
        out.setdefault(dept, f"红牌：{reason[:60]}")
    return out


def upheld_complaint_departments(year: int) -> dict[int, str]:
    start, end = _year_bounds(year)
    out: dict[int, str] = {}
    for dept, number in Complaint.objects.filter(
        concluded_at__gte=start,
        concluded_at__lt=end,
        finding__in=("substantiated", "partly"),
        department__isnull=False,
    ).values_list("department_id", "number"):
        out.setdefault(dept, f"属实投诉 {number}")
    return out


def manual_vetoes(year: int) -> dict[int, str]:
    out: dict[int, str] = {}
    for dept, reason in VetoFinding.objects.filter(year=year).values_list("department_id", "reason"):
        out.setdefault(dept, reason)
    return out


def ensure_default_items() -> None:
    for key, name, source, active in DEFAULT_ITEMS:
        VetoItem.objects.get_or_create(key=key, defaults={"name": name, "source": source, "active": active})


def source_function(key: str) -> Callable[[int], dict[int, str]] | None:
    path = SOURCES.get(key)
    if path is None:
        return None
    module, _, name = path.rpartition(".")
    fn: Callable[[int], dict[int, str]] = getattr(import_module(module), name)
    return fn


def vetoed(year: int) -> dict[int, list[str]]:
    """Department id → the reasons of every active veto item that names it in `year`."""
    ensure_default_items()
    out: dict[int, list[str]] = {}
    for item in VetoItem.objects.filter(active=True).order_by("pk"):
        fn = source_function(item.source)
        if fn is None:
            continue
        for dept, reason in fn(year).items():
            out.setdefault(dept, []).append(f"{item.name}：{reason}")
    return out
