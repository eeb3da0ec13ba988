"""Scoped reads of cases and tasks: who may see what (domain §1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from govhall.core.compiled import CompiledRead
from govhall.org.access import department_ids, has_role, is_center_wide
from govhall.org.choices import Role

from .choices import ACTIVE_TASK
from .models import Case, CaseGroup, Task

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


# What a case's page or API answer shows of its related rows, read with the case in one statement.
CASE_PAGE_RELATED = (
    "item",
    "applicant",
    "department",
    "group",
    "process",
    "clock",
    "legal_clock",
    "intake_clock",
    "delivery_clock",
)


def cases_visible_to(user: User | AnonymousUser) -> QuerySet[Case]:
    """Center-wide roles see every case; department staff their departments' cases and cases with a task of theirs;
    clerks and agents what they received; an applicant their own."""
    qs = Case.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser or is_center_wide(user):
        return qs
    condition = Q(applicant__user=user) | Q(received_by=user)
    depts = department_ids(user)
    if depts and (
        has_role(user, Role.APPROVER)
        or has_role(user, Role.DEPARTMENT_HEAD)
        or has_role(user, Role.WINDOW_CLERK)
    ):
        # EXISTS rather than a join on the tasks: a join needs DISTINCT, and DISTINCT over a case row with its
        # select_related joins made PostgreSQL plan (and sort) a ten-table query for every single-case read.
        condition |= Q(department_id__in=depts) | Q(
            Exists(Task.objects.filter(case_id=OuterRef("pk"), department_id__in=depts))
        )
    return qs.filter(condition)


# Department staff see the cases that have a task of their departments (cases_visible_to).
_SEE_THEIR_DEPARTMENTS_TASKS = (Role.APPROVER, Role.DEPARTMENT_HEAD, Role.WINDOW_CLERK)

# A case page or API answer starts with this read (core.compiled: built once per connection). Whether the user may
# see the case is then `may_see_case`, not a filter in the statement: the statement keeps one shape for everyone.
_CASE_BY_NUMBER = CompiledRead(
    lambda number: Case.objects.filter(number=number).select_related(*CASE_PAGE_RELATED), str
)


def may_see_case(user: User | AnonymousUser, case: Case) -> bool:
    """`cases_visible_to`'s rule for one case already read (with its applicant): decided from the user's cached
    roles and departments, the task leg alone asking the database. tests/cases/test_compiled_reads.py holds the two
    to the same answer for every user and case of the test hall."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or is_center_wide(user):
        return True
    if case.received_by_id == user.pk:
        return True
    if case.applicant_id is not None and case.applicant.user_id == user.pk:
        return True
    depts = department_ids(user)
    if depts and any(has_role(user, r) for r in _SEE_THEIR_DEPARTMENTS_TASKS):
        if case.department_id in depts:
            return True
        return Task.objects.filter(case_id=case.pk, department_id__in=depts).exists()
    return False


def access_case(user: User | AnonymousUser, number: str) -> Case:
    from django.http import Http404

    found = _CASE_BY_NUMBER.objects(number) if getattr(user, "is_authenticated", False) else []
    if not found or not may_see_case(user, found[0]):
        raise Http404("办件不存在或无权查看")
    return found[0]


# Every task request starts with this read (core.compiled: built once per connection).
_TASK_WITH_CASE = CompiledRead(lambda pk: Task.objects.select_related("case").filter(pk=pk), int)


def access_task(user: User | AnonymousUser, task_id: int) -> Task | None:
    """The task with its case, when the user may see that case. The usual request — a center-wide user, or staff
    acting on a task of their own department, which makes the case theirs to see by `cases_visible_to`'s own rule —
    is decided from the user's cached roles and departments; any other runs the visibility query."""
    if not getattr(user, "is_authenticated", False):
        return None
    found = _TASK_WITH_CASE.objects(task_id)
    if not found:
        return None
    task = found[0]
    if user.is_superuser or is_center_wide(user):
        return task
    if task.department_id in department_ids(user) and any(
        has_role(user, r) for r in _SEE_THEIR_DEPARTMENTS_TASKS
    ):
        return task
    return task if cases_visible_to(user).filter(pk=task.case_id).exists() else None


def tasks_for(user: User | AnonymousUser) -> QuerySet[Task]:
    """Open tasks the user may claim or act on: their departments, a role they hold, unclaimed or claimed by them."""
    roles = [
        r for r in (Role.WINDOW_CLERK, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.AGENT) if has_role(user, r)
    ]
    if not getattr(user, "is_authenticated", False) or not roles:
        return Task.objects.none()
    return (
        Task.objects.filter(department_id__in=department_ids(user), role__in=roles, status__in=ACTIVE_TASK)
        .filter(Q(assignee=None) | Q(assignee=user))
        .select_related("case", "case__item", "case__applicant", "clock", "department")
        .order_by("clock__due_at", "pk")
    )


def find_by_check_code(number: str, check_code: str) -> Case | None:
    """Public progress query: the case number plus its 6-digit check code."""
    if not number or not check_code:
        return None
    return (
        Case.objects.filter(number=number.strip(), check_code=check_code.strip())
        .select_related("item", "department", "clock", "applicant")
        .first()
    )


def groups_visible_to(user: User | AnonymousUser) -> QuerySet[CaseGroup]:
    """A bundle application is visible to whoever may see one of its member cases."""
    return CaseGroup.objects.filter(pk__in=cases_visible_to(user).exclude(group=None).values("group_id"))


def access_group(user: User | AnonymousUser, number: str) -> CaseGroup:
    from django.http import Http404

    group = (
        groups_visible_to(user)
        .filter(number=number.strip().upper())
        .select_related("bundle__lead_department", "applicant")
        .first()
    )
    if group is None:
        raise Http404("一件事联办不存在或无权查看")
    return group


def find_group_by_check_code(number: str, check_code: str) -> CaseGroup | None:
    """Public progress of a bundle: its L-number plus its own 6-digit check code."""
    if not number or not check_code:
        return None
    return (
        CaseGroup.objects.filter(number=number.strip().upper(), check_code=check_code.strip())
        .exclude(check_code="")
        .select_related("bundle", "applicant")
        .first()
    )
