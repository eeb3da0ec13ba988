"""The owners of case clocks (see `govhall.clocks.owner`): the whole-case clocks belong to the case's department, a
step's clock to the task's department and, once claimed, to its assignee."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from govhall.clocks.owner import ClockOwner

if TYPE_CHECKING:
    from govhall.org.models import Department

    from .models import Case


def case_link(number: str) -> str:
    return reverse("workbench:case", args=[number])


def case_clock_owner(case: Case, what: str) -> ClockOwner:
    """A whole-case clock of an existing case ("办件 2026… 承诺办结时限")."""
    return ClockOwner(
        label=f"办件 {case.number} {what}",
        link=case_link(case.number),
        department=case.department,
        subject=case,
    )


def new_case_clock_owner(number: str, what: str, department: Department) -> ClockOwner:
    """A clock started before its case row exists (the clock is a column of it): the case is attached afterwards with
    `clocks.set_clock_owner(clock, subject=case)`."""
    return ClockOwner(label=f"办件 {number} {what}", link=case_link(number), department=department)


def step_clock_owner(case: Case, name: str, department: Department) -> ClockOwner:
    """A step's clock, nobody holding it yet; the task is attached once created, the assignee when claimed."""
    return ClockOwner(
        label=f"办件 {case.number} 环节“{name}”", link=case_link(case.number), department=department
    )
