"""A case's own time limits: fixed once at acceptance, then the only limits anything reads for that case.

The catalog item keeps changing (a center compresses its promised limits, a template gets new step shares); a case
accepted under one version must finish under the limits it was told in its acceptance notice (《行政许可法》第三十二条,
第四十二条). So acceptance copies the promised and legal limits with their units and the item version onto the case,
the green channel (绿色通道) is applied there once, with the template's exact arithmetic, and every reader — clocks,
step budgets, notices, the workbench and applicant pages, the API — uses the copy."""

from __future__ import annotations

from dataclasses import dataclass

from govhall.catalog import kept
from govhall.catalog.choices import TimeUnit
from govhall.catalog.models import ServiceItem
from govhall.workflow import engine as wf
from govhall.workflow.schema import Budget, ProcessSpec

from .models import Case


@dataclass(frozen=True)
class CaseLimits:
    """The limits of one case. `promised` is what applies (after the green channel); `catalog_promised` is the
    item's promised limit in the version the case was accepted under."""

    item_version: int
    catalog_promised: int
    promised: int
    promised_unit: str
    legal: int
    legal_unit: str

    @property
    def green_channel_shortened(self) -> bool:
        return self.promised < self.catalog_promised


def limits_for(item: ServiceItem, spec: ProcessSpec, *, green_channel: bool) -> CaseLimits:
    """The limits a case of `item` running on `spec` gets if accepted now."""
    promised = item.promised_limit
    if green_channel:
        # None: the template has no green channel, and the item's limit applies unchanged.
        shortened = wf.green_channel_limit(spec, promised)
        if shortened is not None:
            promised = shortened
    return CaseLimits(
        item_version=item.version,
        catalog_promised=item.promised_limit,
        promised=promised,
        promised_unit=item.promised_limit_unit,
        legal=item.legal_limit,
        legal_unit=item.legal_limit_unit,
    )


# The case's columns capture_limits sets, for the caller's save of them.
CAPTURED_FIELDS = (
    "item_version",
    "catalog_promised_limit",
    "promised_limit",
    "promised_limit_unit",
    "legal_limit",
    "legal_limit_unit",
    "join_rule",
    "join_ratio",
    "joint_department_ids",
)


def capture_limits(case: Case) -> CaseLimits:
    """Copy the limits and the joint review's join onto the case (the caller saves CAPTURED_FIELDS): from its item
    as it is now and its process version."""
    limits = limits_for(case.item, wf.spec_by_id(case.process_id), green_channel=case.green_channel)
    case.item_version = limits.item_version
    case.catalog_promised_limit = limits.catalog_promised
    case.promised_limit = limits.promised
    case.promised_limit_unit = limits.promised_unit
    case.legal_limit = limits.legal
    case.legal_limit_unit = limits.legal_unit
    # The joint review's join is fixed here too, with the limits (read by processing._joint_review).
    case.join_rule = case.item.join_rule
    case.join_ratio = case.item.join_ratio
    case.joint_department_ids = kept.joint_department_ids(case.item)
    return limits


def case_limits(case: Case) -> CaseLimits | None:
    """The case's own limits; None before acceptance (nothing has been promised yet)."""
    if (
        case.item_version is None
        or case.catalog_promised_limit is None
        or case.promised_limit is None
        or case.legal_limit is None
    ):
        return None
    return CaseLimits(
        item_version=case.item_version,
        catalog_promised=case.catalog_promised_limit,
        promised=case.promised_limit,
        promised_unit=case.promised_limit_unit,
        legal=case.legal_limit,
        legal_unit=case.legal_limit_unit,
    )


def own_limits(case: Case) -> CaseLimits:
    """The case's own limits, for readers that run only after acceptance (step budgets, notices)."""
    limits = case_limits(case)
    if limits is None:
        raise ValueError(f"办件 {case.number} 尚未受理，没有办理时限")
    return limits


def displayed_limits(case: Case) -> CaseLimits:
    """What a page shows: the case's own limits once accepted, before that what acceptance now would give."""
    return case_limits(case) or limits_for(
        case.item, wf.spec_by_id(case.process_id), green_channel=case.green_channel
    )


def step_budget(case: Case, budget: Budget) -> tuple[int, str]:
    """(amount, unit) of a step's budget: a share of the case's own promised limit (after the green channel, so a
    green-channel case's steps are shortened with it), or the template's fixed amount."""
    limits = own_limits(case)
    return wf.resolve_budget(budget, limits.promised, limits.promised_unit)


def limit_text(amount: int, unit: str) -> str:
    """The wording of the notices and the API: "7个工作日", "20自然日", "30分钟"."""
    label = TimeUnit(unit).label if unit in TimeUnit.values else unit
    return f"{amount}个{label}" if unit == TimeUnit.WORKDAY else f"{amount}{label}"


__all__ = [
    "CAPTURED_FIELDS",
    "CaseLimits",
    "capture_limits",
    "case_limits",
    "displayed_limits",
    "limit_text",
    "limits_for",
    "own_limits",
    "step_budget",
]
