"""What the applicant's pages share (single cases and 一件事 bundles): masking, the deadline and steps shown to the
public, the navigation context."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.urls import reverse_lazy

from govhall.clocks.actions import status as clock_status
from govhall.clocks.choices import ClockState, ClockUnit

from .choices import ACTIVE_TASK, ApplicantKind, CaseStatus
from .models import Case, Task

LOGIN_URL = reverse_lazy("login")

# Sections that apps above the cases add to the applicant's case page (the 好差评 rating and its rectification
# feedback), registered from their AppConfig.ready(): cases may not import them. A panel returns safe HTML.
CasePanel = Callable[[HttpRequest, Case], str]
_case_panels: list[CasePanel] = []


def register_case_panel(panel: CasePanel) -> None:
    if panel not in _case_panels:
        _case_panels.append(panel)


def case_panels(request: HttpRequest, case: Case) -> list[str]:
    return [panel(request, case) for panel in _case_panels]


def mask_name(name: str, kind: str = ApplicantKind.PERSON) -> str:
    """张三 → 张*, 欧阳明华 → 欧***; organisations keep their first two and last four characters."""
    name = name.strip()
    if not name:
        return ""
    if kind == ApplicantKind.ENTERPRISE and len(name) > 6:
        return name[:2] + "*" * (len(name) - 6) + name[-4:]
    return name[0] + "*" * max(1, len(name) - 1)


def _deadline(case: Case) -> dict[str, Any]:
    """Promised deadline (or, before acceptance, the date by which the hall must answer) for display."""
    clock = case.clock if case.clock is not None else case.intake_clock
    if clock is None or case.status in (CaseStatus.NOT_ACCEPTED, CaseStatus.REDIRECTED, CaseStatus.WITHDRAWN):
        return {}
    state = clock_status(clock)
    due: date | None = clock.due_day
    return {
        "label": "承诺办结期限" if case.clock is not None else "受理审查期限",
        "due_day": due,
        "due_at": clock.due_at if clock.unit == ClockUnit.MINUTE else None,
        "paused": clock.state == ClockState.PAUSED,
        "stopped": clock.state == ClockState.STOPPED,
        "remaining": state.remaining_text,
        "provisional": clock.provisional,
        "light": state.light,
    }


def _current_steps(case: Case) -> list[str]:
    if case.status == CaseStatus.SUBMITTED:
        return ["受理审查"]
    if case.status == CaseStatus.CORRECTION:
        return ["等待申请人补正材料"]
    return list(
        Task.objects.filter(case=case, status__in=ACTIVE_TASK)
        .order_by("pk")
        .values_list("step_name", flat=True)
    )


def _nav(request: HttpRequest) -> dict[str, Any]:
    return {"nav_user": request.user if request.user.is_authenticated else None}
