"""Shared plumbing of the case actions: errors, permission checks, the audit chain, notices and numbering."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from govhall.calendars import engine as calendar
from govhall.core import identifiers
from govhall.documents import actions as documents
from govhall.documents.models import Document
from govhall.ledger import actions as ledger
from govhall.notifications.actions import notify
from govhall.org.access import has_role, require_role
from govhall.org.choices import Role

from ..events import CaseEvent
from ..models import Case, CaseNumberCounter, OutOfProcedureAttempt, Task

P = ParamSpec("P")
R = TypeVar("R")

# 《行政复议法》(2023) art. 20: 60 days; 《行政诉讼法》 art. 46: six months.
DEFAULT_REMEDIES = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法向本级人民政府申请行政复议，"
    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)


class OutOfProcedure(ValidationError):
    """An action the process does not allow at this point. Refused, and recorded for supervision (domain §8)."""

    def __init__(self, message: str, *, case: Case, task: Task | None = None, action: str = "") -> None:
        super().__init__(message)
        self.case = case
        self.task = task
        self.action = action


class TaskConflict(ValidationError):
    """Someone else acted on the task first."""


# Audit entries of the running action, written together at the very end of the outermost action: one INSERT of
# unlinked entries, no lock (the linker chains them after the commit; docs/audit.md).
_pending_log: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "case_log", default=None
)


def guarded(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the action in one transaction; an out-of-procedure attempt is rolled back, then recorded on its own."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            pending = _pending_log.get()
            outermost = pending is None
            if outermost:
                pending = []
                token = _pending_log.set(pending)
            assert pending is not None
            mark = len(pending)
            try:
                with transaction.atomic():
                    result = fn(*args, **kwargs)
                    if outermost:
                        _flush(pending)
                    return result
            except BaseException as exc:
                del pending[mark:]  # the savepoint rolled these rows back
                if isinstance(exc, OutOfProcedure) and outermost:
                    _pending_log.reset(token)
                    outermost = False
                    by = kwargs.get("by")
                    _record_attempt(exc, action, by if isinstance(by, User) else None)
                raise
            finally:
                if outermost:
                    _pending_log.reset(token)

        return wrapper

    return decorate


def _flush(pending: list[dict[str, Any]]) -> None:
    ledger.append_many(list(pending))
    pending.clear()


def _record_attempt(exc: OutOfProcedure, action: str, by: User | None) -> None:
    from govhall.core.clock import now

    at = now()
    reason = "；".join(exc.messages)
    with transaction.atomic():
        OutOfProcedureAttempt.objects.create(
            case=exc.case, task=exc.task, user=_user(by), action=exc.action or action, reason=reason, at=at
        )
        log(
            exc.case,
            CaseEvent.OUT_OF_PROCEDURE,
            by=by,
            role=acting_role(by),
            after={"action": exc.action or action},
            opinion=reason,
            at=at,
        )


def _user(by: User | None) -> User | None:
    return by if getattr(by, "pk", None) else None


def acting_role(by: User | None, preferred: str = "") -> str:
    if _user(by) is None:
        return "system"
    if preferred and has_role(by, preferred):
        return preferred
    for role in (Role.WINDOW_CLERK, Role.AGENT, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.APPLICANT):
        if has_role(by, role):
            return role.value
    return "user"


def lock_case(case: Case | int, *, related: tuple[str, ...] = ("item", "applicant", "department")) -> Case:
    """The case under a lock on its own row only (`of`): locking the item, applicant or department rows too makes
    concurrent actions deadlock with the foreign-key checks PostgreSQL runs at commit. Few joins on purpose: each
    costs query planning on every action; clocks are read when an action needs them."""
    pk = case if isinstance(case, int) else case.pk
    if not related:  # select_related() without names would follow, and lock, every foreign key
        return Case.objects.select_for_update().get(pk=pk)
    return Case.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


def require_staff(by: User | None, role: Role | str, department_id: int, what: str) -> None:
    """The acting user must hold `role` in the department (domain §1: approvers act for their own department only)."""
    require_role(by, role, department=department_id, what=what)


def log(
    case: Case,
    event: CaseEvent,
    *,
    by: User | None,
    role: str = "",
    at: datetime,
    before: Any = None,
    after: Any = None,
    opinion: str = "",
) -> None:
    entry = {
        "subject": case.number,
        "subject_id": case.pk,
        "action": event.value,
        "actor": _user(by),
        "actor_role": role or acting_role(by),
        "before": before,
        "after": after,
        "opinion": opinion,
        "at": at,
    }
    pending = _pending_log.get()
    if pending is None:
        ledger.append(**entry)
    else:
        pending.append(entry)


def issue(
    case: Case,
    kind: str,
    *,
    by: User | None,
    at: datetime,
    paragraphs: list[str],
    rows: list[list[str]] | None = None,
    remedies: str = "",
) -> Document:
    content: dict[str, Any] = {
        "recipient": case.applicant_name,
        "paragraphs": paragraphs,
        "rows": rows or [],
        "date": calendar.local_date(at).isoformat(),
    }
    if remedies:
        content["remedies"] = remedies
    return documents.issue_document(
        kind=kind,
        department=case.department,
        case_number=case.number,
        recipient=case.applicant_name,
        content=content,
        by=_user(by),
        at=at,
    )


def tell_applicant(case: Case, title: str, body: str, *, at: datetime, kind: str) -> None:
    notify(
        title=title,
        body=body,
        user=case.applicant.user,
        phone=case.applicant_phone,
        name=case.applicant_name,
        kind=kind,
        case_number=case.number,
        link=f"/my/cases/{case.number}/",
        at=at,
    )


def next_case_number(day: date) -> str:
    """YYYYMMDD + 6-digit daily sequence, allocated under a row lock (safe with several application servers)."""
    # Increment first: the UPDATE takes the row lock before anyone reads the value.
    counter = CaseNumberCounter.objects.filter(day=day)
    if not counter.update(last=F("last") + 1):
        CaseNumberCounter.objects.bulk_create([CaseNumberCounter(day=day, last=0)], ignore_conflicts=True)
        counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"{day:%Y%m%d}{last:06d}"


def new_check_code() -> str:
    """The public check code (查询码), shared with the complaints (see `core.identifiers.new_check_code`)."""
    return identifiers.new_check_code()


def fmt_day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
