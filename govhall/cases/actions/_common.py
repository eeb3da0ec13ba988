"""Shared plumbing of the case actions: errors, permission checks, the audit chain, notices and numbering."""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model

from govhall.calendars import engine as calendar
from govhall.core import deferred, identifiers
from govhall.core.compiled import CompiledRead, update_later
from govhall.core.cursors import kept_cursor
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
M = TypeVar("M", bound="Model")

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
# How many guarded actions are running, one inside another (an instant case's acceptance and decision in its own).
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("case_action_depth", default=0)


def guarded(action: str, *, single_write: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the action in one transaction; an out-of-procedure attempt is rolled back, then recorded on its own.

    `single_write`: every write of the action leaves in one statement on PostgreSQL (an `if_changed()` guard with
    its writes), which is atomic by itself: called on its own, the action runs without a transaction of its own
    (`core.deferred.single_write`, which refuses a second write or a lock). An action that finds it needs more —
    a clock to resume first, a guard that matched nothing and must be explained under the lock — raises
    `deferred.NeedsTransaction` before anything is written, and runs again in a transaction, where
    `deferred.in_single_write()` is false. Called inside another action, or on SQLite, it runs in a transaction
    as any other."""

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
            depth = _depth.set(_depth.get() + 1)
            try:
                if single_write and outermost and connection.vendor == "postgresql":
                    try:
                        with deferred.single_write(), deferred.deferring():
                            result = fn(*args, **kwargs)
                            _flush(pending)
                            return result
                    except deferred.NeedsTransaction:
                        del pending[mark:]  # nothing was written: the careful path below starts afresh
                # On PostgreSQL the action's trailing writes (its audit entries last) ride on the statement after
                # them or leave together as one, inside the transaction (core.deferred).
                with transaction.atomic(), deferred.deferring():
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
                _depth.reset(depth)
                if outermost:
                    _pending_log.reset(token)

        return wrapper

    return decorate


def _flush(pending: list[dict[str, Any]], mark: int = 0, guard: deferred.Guard | None = None) -> None:
    """Queue the audit entries logged since `mark` as one INSERT with the action's trailing writes (with `guard`:
    with its writes, kept only if it changes rows)."""
    entries = pending[mark:]
    del pending[mark:]
    ledger.append_many(entries, later=True, guard=guard)


def send_log_ahead() -> None:
    """Queue the audit entries the action has logged so far as one INSERT now, so that they ride on its next
    statement (core.deferred) rather than leave alone before the commit: for an action whose last statement comes
    after its last entry (a step's tasks, opened after the acceptance or the join that opens them). In the
    outermost action only: a nested action's entries stay in the buffer, from which its failure removes them."""
    pending = _pending_log.get()
    if pending and _depth.get() == 1:
        _flush(pending)


@contextlib.contextmanager
def if_changed() -> Iterator[deferred.Guard]:
    """`core.deferred.if_changed()` in a case action: the audit entries logged in the block go with its guard too,
    and are written only if the guard changes rows."""
    pending = _pending_log.get()
    with deferred.if_changed() as guard:
        if pending is not None:
            mark = len(pending)
            guard.before_run = lambda: _flush(pending, mark, guard)
        yield guard


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


# The hot actions' lock, compiled once per connection (core.compiled): the statement is the same every time.
_LOCK_CASE: CompiledRead[Case] = CompiledRead(lambda pk: Case.objects.select_for_update().filter(pk=pk), int)


INTAKE_RELATED = ("item", "applicant", "department")
# The lock with related rows joined, one read per combination the actions ask for (a handful), each compiled once.
_LOCKS_WITH: dict[tuple[str, ...], CompiledRead[Case]] = {}


def lock_case(case: Case | int, *, related: tuple[str, ...] = INTAKE_RELATED) -> Case:
    """The case re-read under a lock on its own row only (`FOR UPDATE OF` the case table): locking the item,
    applicant or department rows too made concurrent actions deadlock with the foreign-key checks PostgreSQL runs
    at commit. `related` joins what the action needs of them, read fresh in the same statement (acceptance takes
    the item as it is then); claims and deliveries pass `related=()` — the lock alone, no join —, acting on a task
    joins the department its next step opens tasks for, and what else an action needs later it reads with
    `load_related`."""
    pk = case if isinstance(case, int) else case.pk
    found = _lock_read(related).objects(pk)
    if not found:
        raise Case.DoesNotExist(f"办件 {pk} 不存在")
    return found[0]


def lock_case_reading(
    case: Case, read: CompiledRead[M], *values: Any, related: tuple[str, ...] = INTAKE_RELATED
) -> tuple[Case, list[M]]:
    """`lock_case` with `read.objects(*values)` in the same statement (CompiledRead.objects_with), one round trip
    less. The read sees what was committed when the statement began, before it waited for the lock: read it
    again alone before acting on an answer the lock's holder may have changed."""
    found, rows = _lock_read(related).objects_with(read, (case.pk,), values)
    if not found:
        raise Case.DoesNotExist(f"办件 {case.pk} 不存在")
    return found[0], rows


def _lock_read(related: tuple[str, ...]) -> CompiledRead[Case]:
    if not related:  # select_related() without names would follow, and lock, every foreign key
        return _LOCK_CASE
    return _LOCKS_WITH.get(related) or _LOCKS_WITH.setdefault(
        related,
        CompiledRead(
            lambda pk: Case.objects.select_for_update(of=("self",)).select_related(*related).filter(pk=pk),
            int,
        ),
    )


def save_fields(case: Case, *names: str) -> None:
    """`case.save(update_fields=names)` on the hot path: one compiled UPDATE of those columns
    (core.compiled.update_later) of a case the action holds locked — which is why the row is known to exist, and
    why it may go out with the action's other trailing writes (core.deferred). No signal is sent; Case has no
    receivers."""
    update_later(Case, {name: getattr(case, name) for name in names}, pk=case.pk)


# load_related's reads, one per combination of names asked for (a handful in the code), each compiled once.
_RELATED_READS: dict[tuple[str, ...], CompiledRead[Case]] = {}


def load_related(case: Case, *names: str) -> None:
    """Read the case's related objects among `names` that are not loaded yet, in one query (no lock: the action
    holds the case row's lock, and no case action changes the item, applicant or department rows)."""
    missing = [name for name in names if name not in case._state.fields_cache]
    if not missing:
        return
    key = tuple(missing)
    read = _RELATED_READS.get(key)
    if read is None:
        read = _RELATED_READS.setdefault(
            key,
            CompiledRead(lambda pk: Case.objects.select_related(*key).only("pk", *key).filter(pk=pk), int),
        )
    (fresh,) = read.objects(case.pk)
    for name in missing:
        case._state.fields_cache[name] = fresh._state.fields_cache[name]


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
    title: str = "",
) -> Document:
    (document,) = issue_all(
        case,
        [notice(case, kind, at=at, paragraphs=paragraphs, rows=rows, remedies=remedies, title=title)],
        by=by,
        at=at,
    )
    return document


def notice(
    case: Case,
    kind: str,
    *,
    at: datetime,
    paragraphs: list[str],
    rows: list[list[str]] | None = None,
    remedies: str = "",
    title: str = "",
) -> tuple[str, dict[str, Any]]:
    """A document of the case to issue with `issue_all`: (kind, content)."""
    content: dict[str, Any] = {
        "recipient": case.applicant_name,
        "paragraphs": paragraphs,
        "rows": rows or [],
        "date": calendar.local_date(at).isoformat(),
    }
    if remedies:
        content["remedies"] = remedies
    if title:
        content["title"] = title
    return kind, content


def issue_all(
    case: Case, notices: Sequence[tuple[str, dict[str, Any]]], *, by: User | None, at: datetime
) -> list[Document]:
    """Issue the case's documents of one decision together: their numbers taken in one statement."""
    return documents.issue_documents(
        notices,
        department=case.department,
        case_number=case.number,
        recipient=case.applicant_name,
        by=_user(by),
        at=at,
        later=True,  # the case actions read no document's key: it goes out with the trailing writes
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
        later=True,
    )


def _increment_case_counter(
    day: date, read: CompiledRead[Any] | None = None, values: tuple[Any, ...] = ()
) -> tuple[int | None, list[tuple[Any, ...]]]:
    """`UPDATE … SET last = last + 1 … RETURNING last`: one statement that takes the row lock before it reads;
    with `read`, `read.rows(*values)` rides on it (CompiledRead.rows_beside) and its rows come second."""
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(CaseNumberCounter._meta.db_table)} SET {qn('last')} = {qn('last')} + 1 "
        f"WHERE {qn('day')} = %s RETURNING {qn('last')}"
    )
    params = [connection.ops.adapt_datefield_value(day)]
    if read is not None:
        row, found = read.rows_beside(sql, params, *values)
        return (int(row[0]) if row else None), found
    cursor = kept_cursor()
    cursor.execute(sql, params)
    returned = cursor.fetchone()
    return (int(returned[0]) if returned else None), []


def next_case_number(day: date) -> str:
    """YYYYMMDD + 6-digit daily sequence, allocated under a row lock (safe with several application servers), gapless:
    a rolled-back action gives its number back."""
    return next_case_number_reading(day, None)[0]


def next_case_number_reading(
    day: date, read: CompiledRead[Any] | None, *values: Any
) -> tuple[str, list[tuple[Any, ...]]]:
    """`next_case_number(day)` and `read.rows(*values)` in the counter's statement: one round trip less for a
    read the caller needs anyway (an application reads its item's process version)."""
    last, found = _increment_case_counter(day, read, values)
    if last is None:
        # The day's first number: its counter row is made, and the read already came with the first statement.
        CaseNumberCounter.objects.bulk_create([CaseNumberCounter(day=day, last=0)], ignore_conflicts=True)
        last, _ = _increment_case_counter(day)
        assert last is not None
    return f"{day:%Y%m%d}{last:06d}", found


def new_check_code() -> str:
    """The public check code (查询码), shared with the complaints (see `core.identifiers.new_check_code`)."""
    return identifiers.new_check_code()


def fmt_day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
