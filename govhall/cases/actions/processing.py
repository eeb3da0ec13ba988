"""Processing along the item's process template: tasks, joint review, returns, the decision and conclusion."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import IntegerField, Value

from govhall.catalog.choices import JoinRule
from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockKind, ClockState
from govhall.clocks.thresholds import warn_kwargs
from govhall.core import deferred
from govhall.core.clock import now
from govhall.core.compiled import (
    CompiledRead,
    insert_objects,
    insert_unless_conflict,
    insert_unless_conflict_reading,
    update_later,
    update_rows,
)
from govhall.org.access import require_role
from govhall.org.choices import Role
from govhall.org.models import Department
from govhall.workflow import engine as wf
from govhall.workflow.schema import Actor

from ..choices import ACTIVE_TASK, CaseStatus, Decision, JoinResult, TaskAction, TaskStatus
from ..events import CaseEvent
from ..limits import step_budget
from ..models import Case, JointReview, Task, TaskAttachment
from ..owners import case_clock_owner, step_clock_owner
from ..uploads import Upload, sm3_hex
from ._common import (
    DEFAULT_REMEDIES,
    OutOfProcedure,
    TaskConflict,
    fmt_day,
    guarded,
    if_changed,
    issue,
    issue_all,
    load_related,
    log,
    notice,
    require_staff,
    save_fields,
    send_log_ahead,
    tell_applicant,
)
from ._common import (
    lock_case as _lock_case,
)

# 《行政许可法》 art. 44: the permit is issued and delivered within 10 days of the decision.
DELIVERY_LIMIT_WORKDAYS = 10

# The reads every task action makes, compiled once per connection (core.compiled).
_JOINT_REVIEW: CompiledRead[JointReview] = CompiledRead(
    lambda case_id, step_key: JointReview.objects.filter(case_id=case_id, step_key=step_key).order_by("pk")[
        :1
    ],
    int,
    str,
)
_BRANCH_TASKS: CompiledRead[Task] = CompiledRead(
    lambda case_id, parallel_key, round_: Task.objects.filter(
        case_id=case_id, parallel_key=parallel_key, round__gte=round_
    ).order_by("pk"),
    int,
    str,
    int,
)
_OPEN_TASKS: CompiledRead[Task] = CompiledRead(
    lambda case_id: Task.objects.filter(case_id=case_id, status__in=ACTIVE_TASK).values_list(
        "pk", "clock_id"
    ),
    int,
)
# A grant reads both after completing its task: the open tasks it cancels, and a failed join that forbids it — one
# read, rows ("task", key, clock, "") and ("join", key, None, rule), so that both ride on the task's statement.
_OPEN_TASKS_AND_FAILED_JOINS: CompiledRead[Task] = CompiledRead(
    lambda case_id, again: (
        Task.objects.filter(case_id=case_id, status__in=ACTIVE_TASK)
        .values_list(Value("task"), "pk", "clock_id", Value(""))
        .union(
            JointReview.objects.filter(case_id=again, result=JoinResult.FAILED).values_list(
                Value("join"), "pk", Value(None, output_field=IntegerField()), "rule"
            ),
            all=True,
        )
    ),
    int,
    int,
)
_OPEN_BRANCH_TASKS: CompiledRead[Task] = CompiledRead(
    lambda case_id, parallel_key: Task.objects.filter(
        case_id=case_id, status__in=ACTIVE_TASK, parallel_key=parallel_key
    ).values_list("pk", "clock_id"),
    int,
    str,
)

# What a claim's audit entry names of a case, when the caller read the task without it (a request reads it with).
_CASE_NUMBER: CompiledRead[Case] = CompiledRead(
    lambda pk: Case.objects.only("pk", "number").filter(pk=pk), int
)


# The task acted on with its case and the case's department, the case's row locked (FOR UPDATE OF the case only):
# the lock and the task in one statement.
_TASK_LOCKING_CASE: CompiledRead[Task] = CompiledRead(
    lambda pk: Task.objects.select_for_update(of=("case",)).select_related("case__department").filter(pk=pk),
    int,
)
# The same with the case's item and applicant, which a decision's documents need: for a task at the deciding step.
# Still only the case's row is locked (locking the item's or the applicant's would deadlock with the foreign-key
# checks of concurrent actions, see lock_case).
_TASK_LOCKING_CASE_TO_DECIDE: CompiledRead[Task] = CompiledRead(
    lambda pk: (
        Task.objects.select_for_update(of=("case",))
        .select_related("case__department", "case__item", "case__applicant")
        .filter(pk=pk)
    ),
    int,
)


def _at_deciding_step(task: Task) -> bool:
    """Whether the caller's task is at the step that decides, told without a read when its case came with it (a
    request reads the task with its case; so does the benchmark). A hint only, for choosing the lock's read: wrong
    or unknown, it costs a read later (load_related) or a few columns, never a different result."""
    if task.parallel_key or not Task.case.is_cached(task) or task.case.process_id is None:
        return False
    spec = wf.spec_by_id(task.case.process_id)
    return spec.has_step(task.step_key) and bool(spec.step(task.step_key).decides)


def _lock_through_task(pk: int, *, to_decide: bool = False) -> tuple[Case, Task]:
    """The case locked and the task read in one statement. When the lock had to wait for another action on the
    case, PostgreSQL re-reads the locked case row as that action left it, but not the task row joined to it: the
    task's status and assignee may be what they were before. They only ever move forward (open → claimed → done or
    cancelled), so a task read as closed or as someone else's is closed or someone else's now, and the UPDATE that
    completes it names the status and assignee it was read with — a task that moved since matches nothing and the
    action ends in TaskConflict, exactly as the separate read after the lock ended it. `to_decide`: bring the
    case's item and applicant too."""
    found = (_TASK_LOCKING_CASE_TO_DECIDE if to_decide else _TASK_LOCKING_CASE).objects(pk)
    if not found:
        raise Task.DoesNotExist(f"任务 {pk} 不存在")
    task = found[0]
    return task.case, task


def _joint_review(
    case: Case,
    step: Any,
    *,
    at: datetime,
    round_: int,
    opening: bool = False,
    read: tuple[list[JointReview], list[Department]] | None = None,
) -> tuple[JointReview, bool, list[Department] | None]:
    """The case's join of parallel step `step`, fixed the first time the step opens from what the case was accepted
    with (limits.capture_limits): the item's own rule (else the template's) and the item's co-departments. Returns
    (review, created, its departments when just created — read once, for the branches).

    `opening`: the step is opening, which for almost every case is its first pass, so the review is inserted
    without looking first (INSERT … ON CONFLICT DO NOTHING on the one review per case and step): one statement
    instead of a read that finds nothing and the INSERT. A later pass (after a return) finds its review there,
    inserts nothing and reads it, as without `opening`.

    `read`: the review found and the co-departments, read by the caller with the case locked (a task's statement,
    _opening_read_along). No review: the new one goes in with the action's trailing writes, its key drawn ahead
    (every action that opens a review holds the case's lock, so none can have appeared since)."""
    if read is not None:
        found_review, departments = read
        if found_review:
            return found_review[0], False, None
        review = _new_review(case, step, at=at, round_=round_, rule=case.join_rule, ratio=case.join_ratio)
        insert_objects([review], later=True, draw_keys=True)
        _link_departments(review, departments)
        return review, True, departments
    if opening and case.joint_department_ids:
        # The review's departments are read in its INSERT's statement: one round trip where there were two.
        ids = case.joint_department_ids
        review = _new_review(case, step, at=at, round_=round_, rule=case.join_rule, ratio=case.join_ratio)
        inserted, departments = insert_unless_conflict_reading(review, _departments_read(len(ids)), *ids)
        if inserted:
            _link_departments(review, departments)
            return review, True, departments
    elif opening and case.joint_department_ids is not None:
        review = _new_review(case, step, at=at, round_=round_, rule=case.join_rule, ratio=case.join_ratio)
        if insert_unless_conflict(review):
            return review, True, []
    found = _JOINT_REVIEW.objects(case.pk, step.key)
    if found:
        return found[0], False, None
    if case.joint_department_ids is not None:
        review = _new_review(case, step, at=at, round_=round_, rule=case.join_rule, ratio=case.join_ratio)
        insert_objects([review])
        return review, True, _store_departments(review, case.joint_department_ids)
    # Only a case without a copy (none should be left after migration 0009) reads the live item.
    item = case.item
    review = _new_review(case, step, at=at, round_=round_, rule=item.join_rule, ratio=item.join_ratio)
    insert_objects([review])
    departments = list(item.joint_departments.all())
    _link_departments(review, departments)
    return review, True, departments


def _new_review(case: Case, step: Any, *, at: datetime, round_: int, rule: str, ratio: Any) -> JointReview:
    own = bool(rule)
    return JointReview(
        case=case,
        step_key=step.key,
        rule=rule if own else step.join.rule,
        ratio=ratio if own else step.join.ratio,
        opened_at=at,
        round=round_,
    )


# Departments by their keys, compiled once per number of keys (a joint review's co-departments: two or three).
_DEPARTMENTS_BY_KEY: dict[int, CompiledRead[Department]] = {}


def _departments_read(count: int) -> CompiledRead[Department]:
    read = _DEPARTMENTS_BY_KEY.get(count)
    if read is None:
        read = _DEPARTMENTS_BY_KEY.setdefault(
            count, CompiledRead(lambda *pks: Department.objects.filter(pk__in=pks), *([int] * count))
        )
    return read


def _store_departments(review: JointReview, department_ids: Sequence[int]) -> list[Department]:
    departments = list(Department.objects.filter(pk__in=department_ids))
    _link_departments(review, departments)
    return departments


def _link_departments(review: JointReview, departments: list[Department]) -> None:
    # A new review has no departments yet: one INSERT, without set()'s read of the current ones.
    through = JointReview.departments.through
    insert_objects([through(jointreview=review, department=d) for d in departments], later=True)


def _open_joint_review(
    case: Case,
    step: Any,
    *,
    at: datetime,
    round_: int,
    opening: tuple[list[JointReview], list[Department]] | None = None,
) -> list[Department]:
    """Open a pass of the joint review; a later pass (after a return) reuses what was captured and restarts it.
    Returns the review's co-departments in their order. `opening`: the review and co-departments as the caller
    read them (_opening_read_along)."""
    review, created, departments = _joint_review(case, step, at=at, round_=round_, opening=True, read=opening)
    if not created:
        review.round, review.result, review.coordinating = round_, JoinResult.PENDING, False
        review.save(update_fields=["round", "result", "coordinating"])
    if departments is None:
        return list(review.departments.order_by("sort_order", "pk"))
    return sorted(departments, key=lambda d: (d.sort_order, d.pk))


@dataclass(frozen=True)
class _NewTask:
    step: Any
    name: str
    actor: Actor | None
    budget: Any
    department: Department
    parallel_key: str = ""
    branch_key: str = ""


def _spawn_tasks(case: Case, new: list[_NewTask], *, at: datetime, round_: int) -> list[Task]:
    """Open tasks with their step clocks: the tasks inserted with their clocks, each clock naming its task as its
    owner, in one statement on PostgreSQL (three elsewhere) — however many branches a joint review opens."""
    specs = []
    for spec in new:
        assert spec.actor is not None, "a task step names its actor (workflow validation)"
        amount, unit = step_budget(case, spec.budget)
        specs.append(
            {
                "kind": ClockKind.STEP,
                "amount": amount,
                "unit": unit,
                "at": at,
                "label": spec.name[:100],
                "owner": step_clock_owner(case, spec.name, spec.department),
                **warn_kwargs(case.item_id, spec.step.key),
            }
        )
    tasks = [
        Task(
            case=case,
            step_key=spec.step.key,
            step_name=spec.name,
            parallel_key=spec.parallel_key,
            branch_key=spec.branch_key,
            round=round_,
            department=spec.department,
            role=spec.actor.role if spec.actor is not None else "",
            status=TaskStatus.OPEN,
            created_at=at,
        )
        for spec in new
    ]
    clocks.start_clocks_of(list(zip(specs, tasks, strict=True)), "clock")
    return tasks


def _enter(
    case: Case,
    key: str,
    *,
    by: User | None,
    at: datetime,
    round_: int = 1,
    opening: tuple[list[JointReview], list[Department]] | None = None,
) -> None:
    """Open step `key`: its task, or a joint review's branch tasks. `opening`: what the caller read for the joint
    review it opens (_opening_read_along)."""
    spec = wf.spec_by_id(case.process_id)
    step = wf.resolve(spec, key, case.form_data)
    if step.kind == "end":
        return
    # The entries logged before the step opens (an acceptance's, a join's verdict) ride on its INSERT.
    send_log_ahead()
    if step.kind == "task":
        _spawn_tasks(
            case,
            [_NewTask(step, step.name, step.actor, step.budget, case.department)],
            at=at,
            round_=round_,
        )
        return
    co_departments = _open_joint_review(case, step, at=at, round_=round_, opening=opening)
    branches = wf.expand_branches(step, case.department, co_departments)
    _spawn_tasks(
        case,
        [_branch_task(step, branch, department) for branch, department in branches],
        at=at,
        round_=round_,
    )


def _branch_task(step: Any, branch: Any, department: Any, suffix: str = "") -> _NewTask:
    where = f"（{department.short_name or department.name}）" if branch.per_department else ""
    return _NewTask(
        step=step,
        name=f"{step.name}·{branch.name}{where}{suffix}",
        actor=branch.actor,
        budget=branch.budget,
        department=department,
        parallel_key=step.key,
        branch_key=f"{branch.key}:{department.pk}",
    )


def start_flow(case: Case, *, by: User | None, at: datetime) -> None:
    spec = wf.spec_by_id(case.process_id)
    _enter(case, spec.start, by=by, at=at)


def open_tasks(case: Case) -> list[Task]:
    return list(case.tasks.filter(status__in=ACTIVE_TASK).select_related("clock"))


def pause_case_clocks(case: Case, *, at: datetime) -> None:
    for clock in (case.clock, case.legal_clock):
        if clock is not None:
            clocks.pause_clock(clock, at=at)
    for task in open_tasks(case):
        if task.clock is not None:
            clocks.pause_clock(task.clock, at=at)


def resume_case_clocks(case: Case, *, at: datetime) -> None:
    for clock in (case.clock, case.legal_clock):
        if clock is not None:
            clocks.resume_clock(clock, at=at)
    for task in open_tasks(case):
        if task.clock is not None:
            clocks.resume_clock(task.clock, at=at)


def _step_of(case: Case, task: Task) -> Any:
    return wf.spec_by_id(case.process_id).step(task.parallel_key or task.step_key)


@guarded("claim", single_write=True)
def claim_task(task: Task, *, by: User) -> Task:
    """Take a task to work on it; exactly one of two simultaneous claimants gets it: the UPDATE that finds the task
    still open. No case lock: a claim changes the task and its clock only, the UPDATE's own row lock settles a race
    with any other action on the task (an approval, a cancellation), and an action holding the case lock that
    read the task before the claim completes it only as read (`act_on_task`). The claim's audit entry and the
    clock's responsible person ride on that UPDATE, so on PostgreSQL the whole claim is one statement, without a
    transaction of its own (`guarded(single_write=True)`)."""
    at = now()
    require_staff(by, task.role, task.department_id, "领取任务")
    case = task.case if Task.case.is_cached(task) else _CASE_NUMBER.objects(task.case_id)[0]
    with if_changed() as guard:
        # The claim's audit entry and the clock's responsible person belong to a claim that happened: they go out
        # with the claim's conditional UPDATE (one statement) and take effect only if it finds the task open.
        if task.clock_id is not None:
            # Whoever claims a step answers for its time limit from now on (one UPDATE; the clock is not read).
            clocks.set_responsible(task.clock_id, by)
        log(
            case,
            CaseEvent.TASK_CLAIMED,
            by=by,
            role=task.role,
            at=at,
            after={"task": task.pk, "step": task.step_key},
        )
        updated = update_rows(
            Task,
            {"status": TaskStatus.CLAIMED, "assignee": by, "claimed_at": at},
            pk=task.pk,
            status=TaskStatus.OPEN,
            guard=guard,
        )
    if not updated:
        current = Task.objects.select_related("assignee").get(pk=task.pk)
        if current.status == TaskStatus.CLAIMED and current.assignee_id == by.pk:
            return current
        who = getattr(getattr(current.assignee, "staff", None), "name", None) or getattr(
            current.assignee, "username", "他人"
        )
        raise TaskConflict(f"该任务已由{who}领取或办理，请刷新")
    task.status, task.assignee, task.claimed_at = TaskStatus.CLAIMED, by, at
    if task.clock_id is not None and Task.clock.is_cached(task) and task.clock is not None:
        task.clock.owner_responsible = by
    return task


# Checked by every action on a task: Choices.values builds its list anew on each use.
_TASK_ACTIONS = frozenset(TaskAction.values)


@guarded("task_action")
def act_on_task(
    task: Task,
    *,
    by: User,
    action: str,
    opinion: str = "",
    return_to: str | None = None,
    attachments: Sequence[Upload] = (),
) -> Task:
    """Approve, return or refuse at a step, as far as the template allows it there (otherwise: out of procedure)."""
    at = now()
    # The department joined in: the next step's tasks and clocks belong to it (one join, no read of its own later);
    # at the deciding step the item and applicant too, for the decision's documents.
    case, task = _lock_through_task(task.pk, to_decide=_at_deciding_step(task))
    require_staff(by, task.role, task.department_id, "办理")
    if action not in _TASK_ACTIONS:
        raise ValidationError({"action": "操作应为同意、退回或不同意"})
    if task.status not in ACTIVE_TASK:
        raise TaskConflict(f"该任务{task.get_status_display()}，不能重复办理")
    if task.status == TaskStatus.CLAIMED and task.assignee_id != by.pk:
        raise TaskConflict("该任务已由他人领取，请刷新")
    step = _step_of(case, task)
    if case.status != CaseStatus.IN_PROGRESS:
        raise OutOfProcedure(
            f"办件当前状态为“{case.get_status_display()}”，不能办理", case=case, task=task, action=action
        )
    branch = None
    if task.parallel_key:
        branch = next(b for b in step.branches if task.branch_key.startswith(f"{b.key}:"))
        allowed: set[str] = {TaskAction.APPROVE.value, TaskAction.REFUSE.value}
    else:
        allowed = wf.allowed_actions(step)
    if action not in allowed:
        raise OutOfProcedure(
            f"“{task.step_name}”环节不允许“{TaskAction(action).label}”操作",
            case=case,
            task=task,
            action=action,
        )
    if action == TaskAction.RETURN and (not return_to or not wf.can_return(step, return_to)):
        raise OutOfProcedure(
            f"“{task.step_name}”环节不能退回到“{return_to or '（未指定）'}”",
            case=case,
            task=task,
            action=action,
        )
    if action in (TaskAction.RETURN, TaskAction.REFUSE) and not opinion.strip():
        raise ValidationError({"opinion": "退回或不同意必须填写意见"})
    for upload in attachments:
        upload.check("attachments")
    with if_changed() as guard:
        # The step's clock stops in the task's statement (its UPDATE rides on the task's and reports its count),
        # naming who acted as the one who answered for the step (the claimant already is; acted on without a
        # claim, the one who acted).
        # A decision stops the case's clocks as well, in the same UPDATE (see decide).
        deciding = branch is None and step.decides and action in (TaskAction.APPROVE, TaskAction.REFUSE)
        finish_stop = clocks.stop_clocks_with_guard(
            [task.clock_id],
            at=at,
            responsible=by,
            keeping=[case.clock_id, case.legal_clock_id] if deciding else (),
        )
        # What the action reads next rides on the task's statement, which runs after the lock (so it sees what any
        # earlier action on the case left) and shows the tasks as they were before it: the one acted on is still
        # open in those rows, and is taken as done below.
        read_after: Callable[[], list[tuple[Any, ...]]] | None = None
        # A grant's read brings the failed join that forbids it too (checked below: refused, the whole action rolls
        # back, as if it had been refused before it wrote).
        granting = deciding and action == TaskAction.APPROVE
        # The step a plain approval or a reviewer's refusal goes on to; when it opens a joint review, what the
        # opening reads — the review of an earlier pass, if any, and the co-departments — rides along too.
        entering = None
        if branch is None and not step.decides and action in (TaskAction.APPROVE, TaskAction.REFUSE):
            entering = str(step.on_fail or step.next) if action == TaskAction.REFUSE else str(step.next)
        opening: Callable[[], tuple[list[JointReview], list[Department]]] | None = None
        if branch is not None:
            read_after = _BRANCHES_WITH_REVIEW.rows_with(guard, case.pk, step.key, step.key)
        elif granting:
            read_after = _OPEN_TASKS_AND_FAILED_JOINS.rows_with(guard, case.pk, case.pk)
        elif action == TaskAction.RETURN or step.decides:
            read_after = _OPEN_TASKS.rows_with(guard, case.pk)
        elif entering is not None:
            opening = _opening_read_along(guard, case, entering)
        # The action's own audit entry, like the claim's, goes out with the task's statement and only if that
        # completes the task: a branch whose join is still pending writes nothing after it.
        log(
            case,
            CaseEvent.for_task(action),
            by=by,
            role=task.role,
            at=at,
            before={"task": task.pk, "step": task.step_key},
            after={"outcome": action, "return_to": return_to, "branch": task.branch_key},
            opinion=opinion.strip(),
        )
        updated = update_rows(
            Task,
            {
                "status": TaskStatus.DONE,
                "outcome": action,
                "opinion": opinion.strip(),
                "completed_at": at,
                "assignee": by,
                "claimed_at": task.claimed_at or at,
            },
            # As read with the lock (see _lock_through_task): still open, or still claimed by the one acting.
            pk=task.pk,
            status=task.status,
            assignee=task.assignee_id,
            guard=guard,
        )
    if not updated:
        raise TaskConflict("该任务已被他人办理，请刷新")
    if granting:
        assert read_after is not None
        failed_joins = sorted((pk, rule) for kind, pk, _, rule in read_after() if kind == "join")
        if failed_joins:
            _refuse_grant_against_join(failed_joins[0][1], case=case, task=task, action=action)
    finish_stop()  # a paused clock, which the UPDATE did not stop, is resumed and stopped now
    task.status, task.outcome, task.opinion, task.completed_at = TaskStatus.DONE, action, opinion.strip(), at
    task.assignee, task.claimed_at = by, task.claimed_at or at
    others_open = None
    if granting:
        assert read_after is not None
        others_open = [
            (pk, clock_id) for kind, pk, clock_id, _ in read_after() if kind == "task" and pk != task.pk
        ]
    elif read_after is not None and branch is None:
        others_open = [(pk, clock_id) for pk, clock_id in read_after() if pk != task.pk]
    for upload in attachments:
        TaskAttachment.objects.create(
            task=task,
            name=upload.filename[:200],
            file=upload.as_file(),
            size=len(upload.content),
            sm3=sm3_hex(upload.content),
            uploaded_at=at,
        )
    if branch is not None:
        assert read_after is not None
        _after_branch(case, task, step, by=by, at=at, rows=read_after())
    elif action == TaskAction.RETURN:
        _cancel_open(case, at=at, open_=others_open)
        _enter(case, str(return_to), by=by, at=at, round_=task.round + 1)
    elif step.decides:
        decide(
            case,
            Decision.APPROVED if action == TaskAction.APPROVE else Decision.REFUSED,
            by=by,
            at=at,
            reasons=opinion.strip(),
            join_checked=True,
            open_=others_open,
            case_clocks_stopped=deciding,  # stopped with the task, above
        )
    else:
        # An approval, or a reviewer's 不同意 (an opinion with reasons, passed on to the step that decides on it).
        assert entering is not None
        _enter(case, entering, by=by, at=at, round_=task.round, opening=opening() if opening else None)
    return task


def _opening_read_along(
    guard: deferred.Guard, case: Case, key: str
) -> Callable[[], tuple[list[JointReview], list[Department]]] | None:
    """When step `key` opens a joint review of the case's captured co-departments: its review of an earlier pass
    (none on the first) and the co-departments, read in the statement of `guard` (the task's), for
    `_joint_review`. None for any other step, and on SQLite: no round trip to save there, where the read ahead
    would be one statement more than the opening's own INSERT and read."""
    ids = case.joint_department_ids
    if not ids or case.process_id is None or connection.vendor != "postgresql":
        return None
    step = wf.resolve(wf.spec_by_id(case.process_id), key, case.form_data)
    if step.kind != "parallel":
        return None
    return _JOINT_REVIEW.objects_with_along(
        guard, _departments_read(len(ids)), (case.pk, step.key), tuple(ids)
    )


def _cancel_open(
    case: Case,
    *,
    at: datetime,
    parallel_key: str | None = None,
    open_: Sequence[tuple[int, int | None]] | None = None,
) -> None:
    """Cancel the case's open tasks (of one parallel step) and stop their clocks: one read, then one UPDATE each for
    the tasks and the clocks when there are any. `open_`: their (task, clock) ids, when the caller has just read
    them with the case locked."""
    if open_ is None and parallel_key is None:
        open_ = _OPEN_TASKS.rows(case.pk)
    elif open_ is None:
        open_ = _OPEN_BRANCH_TASKS.rows(case.pk, parallel_key)
    if not open_:
        return
    update_later(Task, {"status": TaskStatus.CANCELLED, "completed_at": at}, pk__in=[pk for pk, _ in open_])
    clocks.stop_clocks([clock_id for _, clock_id in open_], at=at)


def _current_branches(case: Case, review: JointReview) -> list[Task]:
    """The latest task of every branch instance in the review's current pass (a coordination round replaces
    only the refusing branches' tasks; the others keep the opinion they gave)."""
    latest: dict[str, Task] = {}
    # Without their departments: only a refusal or a coordination names them (read then, per task).
    for branch_task in _BRANCH_TASKS.objects(case.pk, review.step_key, review.round):
        latest[branch_task.branch_key] = branch_task
    return list(latest.values())


# The review of a parallel step with the tasks of the step, in one statement: the tasks joined to their case's
# review of that step (one per case and step) and read as plain columns, whose first part makes the task and whose
# last makes the review (the same rows as _JOINT_REVIEW, then the step's tasks of every round: those of the current
# pass are _BRANCH_TASKS's rows, the open ones _OPEN_BRANCH_TASKS's).
_TASK_FIELDS = tuple(Task._meta.concrete_fields)
_REVIEW_FIELDS = tuple(JointReview._meta.concrete_fields)
_TASK_ATTNAMES = [f.attname for f in _TASK_FIELDS]
_REVIEW_ATTNAMES = [f.attname for f in _REVIEW_FIELDS]
_BRANCHES_WITH_REVIEW: CompiledRead[Task] = CompiledRead(
    lambda case_id, parallel_key, step_key: (
        Task.objects.filter(
            case_id=case_id,
            parallel_key=parallel_key,
            case__joint_reviews__step_key=step_key,
        )
        .order_by("pk")
        .values_list(
            *(f.name for f in _TASK_FIELDS), *(f"case__joint_reviews__{f.name}" for f in _REVIEW_FIELDS)
        )
    ),
    int,
    str,
    str,
)


def _review_and_branches(
    case: Case, step: Any, *, at: datetime, round_: int, acted: Task, rows: list[tuple[Any, ...]]
) -> tuple[JointReview, list[Task], list[tuple[int, int | None]] | None]:
    """`_joint_review`, `_current_branches` and the step's open (task, clock) ids from `_BRANCHES_WITH_REVIEW`'s
    rows, read with the statement that completed `acted` (so its row is as it was before: `acted` itself stands in
    for it). The review exists once its step has opened, and `acted` is one of the step's tasks, so the read finds
    at least that row; a case whose step opened before joins were captured has none yet and takes the two steps,
    which create it (and no open ids: _cancel_open reads them)."""
    if not rows:
        review, _, _ = _joint_review(case, step, at=at, round_=round_)
        return review, _current_branches(case, review), None
    width = len(_TASK_ATTNAMES)
    review = JointReview.from_db(DEFAULT_DB_ALIAS, _REVIEW_ATTNAMES, rows[0][width:])
    latest: dict[str, Task] = {}
    open_: list[tuple[int, int | None]] = []
    # By task, as the read orders them: a later round's task of a branch replaces an earlier one's.
    for row in sorted(rows, key=lambda row: row[0]):
        branch_task = (
            acted if row[0] == acted.pk else Task.from_db(DEFAULT_DB_ALIAS, _TASK_ATTNAMES, row[:width])
        )
        if branch_task.status in ACTIVE_TASK:
            open_.append((branch_task.pk, branch_task.clock_id))
        if branch_task.round >= review.round:
            latest[branch_task.branch_key] = branch_task
    return review, list(latest.values()), open_


def _answered(task: Task, outcome: TaskAction) -> bool:
    return task.status == TaskStatus.DONE and task.outcome == outcome


def _after_branch(
    case: Case, task: Task, step: Any, *, by: User, at: datetime, rows: list[tuple[Any, ...]]
) -> None:
    # A case whose parallel step opened before joins were captured gets its review now, from its item.
    review, current, open_ = _review_and_branches(case, step, at=at, round_=task.round, acted=task, rows=rows)
    total = len(current)
    approvals = sum(1 for t in current if _answered(t, TaskAction.APPROVE))
    refusals = [t for t in current if _answered(t, TaskAction.REFUSE)]
    verdict = wf.join_outcome(wf.join_of(review.rule, review.ratio), total, approvals, len(refusals))
    if verdict == "pending":
        return
    # Only under "any" can the join close with branches still open; they are cancelled, and the entry says so.
    cancelled = [t for t in current if t.status in ACTIVE_TASK]
    _cancel_open(case, at=at, parallel_key=step.key, open_=open_)
    after = {
        "step": step.key,
        "rule": review.rule,
        "ratio": review.ratio,
        "verdict": verdict,
        "approvals": approvals,
        "refusals": len(refusals),
        "total": total,
        "refused_by": [t.department.name for t in refusals],
        "cancelled": [{"task": t.pk, "department": t.department.name} for t in cancelled],
    }
    log(case, CaseEvent.JOINT_REVIEW_JOINED, by=None, role="system", at=at, after=after)
    if review.coordinating:
        log(
            case,
            CaseEvent.COORDINATION_ENDED,
            by=None,
            role="system",
            at=at,
            after={"step": step.key, "coordination": review.coordinations, "verdict": verdict},
        )
    review.result = JoinResult.PASSED if verdict == "passed" else JoinResult.FAILED
    review.coordinating = False
    # The verdict leaves with the next statement (core.deferred sends it ahead of one that reads the reviews).
    update_later(JointReview, {"result": review.result, "coordinating": False}, pk=review.pk)
    target = step.next if verdict == "passed" else (step.on_fail or step.next)
    _enter(case, str(target), by=by, at=at, round_=task.round)


# Read by every decision (compiled once per connection): the first failed join of a case, as `.first()` gives it.
_FAILED_JOIN: CompiledRead[JointReview] = CompiledRead(
    lambda pk: JointReview.objects.filter(case_id=pk, result=JoinResult.FAILED).order_by("pk")[:1], int
)


def failed_joint_review(case: Case) -> JointReview | None:
    """The case's joint review whose join failed (and was not coordinated since), if any: it forbids a grant."""
    found = _FAILED_JOIN.objects(case.pk)
    return found[0] if found else None


def _forbid_grant_against_join(case: Case, *, task: Task | None, action: str) -> None:
    """A refusal under the join rule binds the lead department (《行政许可法》第二十六条: the departments handle a
    joint licence together, each on its own statutory duty): no grant, only a refusal or a coordination."""
    failed = failed_joint_review(case)
    if failed is not None:
        _refuse_grant_against_join(failed.rule, case=case, task=task, action=action)


def _refuse_grant_against_join(rule: str, *, case: Case, task: Task | None, action: str) -> NoReturn:
    raise OutOfProcedure(
        f"联合审查未通过（{JoinRule(rule).label}），不能准予许可；"
        "只能作出不予许可决定，或启动联审协调后由不同意的部门重新提出意见",
        case=case,
        task=task,
        action=action,
    )


@guarded("coordination")
def start_coordination(task: Task, *, by: User, opinion: str) -> list[Task]:
    """联审协调: after a joint review failed, the lead department head, at the deciding step, records the
    coordination and sends the case back to the departments that refused: each gets a new branch task (a new
    round) and gives a new opinion; the approvals stand. The join is then evaluated again. Returns the new tasks."""
    at = now()
    case = _lock_case(task.case_id)
    task = Task.objects.get(pk=task.pk)
    require_staff(by, task.role, task.department_id, "启动联审协调")
    if task.status not in ACTIVE_TASK:
        raise TaskConflict(f"该任务{task.get_status_display()}，不能启动联审协调")
    if task.status == TaskStatus.CLAIMED and task.assignee_id != by.pk:
        raise TaskConflict("该任务已由他人领取，请刷新")
    spec = wf.spec_by_id(case.process_id)
    step = _step_of(case, task)
    review = failed_joint_review(case)
    if case.status != CaseStatus.IN_PROGRESS or not step.decides or task.parallel_key or review is None:
        raise OutOfProcedure(
            "只有联合审查未通过、办件到达作出决定环节时，才能启动联审协调",
            case=case,
            task=task,
            action="coordination",
        )
    if not opinion.strip():
        raise ValidationError({"opinion": "启动联审协调必须写明协调事项"})
    parallel = spec.step(review.step_key)
    refused = [t for t in _current_branches(case, review) if _answered(t, TaskAction.REFUSE)]
    _cancel_open(case, at=at)
    review.result, review.coordinating = JoinResult.PENDING, True
    review.coordinations += 1
    review.save(update_fields=["result", "coordinating", "coordinations"])
    log(
        case,
        CaseEvent.COORDINATION_STARTED,
        by=by,
        role=task.role,
        at=at,
        before={"task": task.pk, "step": task.step_key},
        after={
            "step": parallel.key,
            "coordination": review.coordinations,
            "departments": [t.department.name for t in refused],
        },
        opinion=opinion.strip(),
    )
    new = []
    for old in refused:
        branch = next(b for b in parallel.branches if old.branch_key.startswith(f"{b.key}:"))
        new.append(_branch_task(parallel, branch, old.department, suffix="·联审协调"))
    return _spawn_tasks(case, new, at=at, round_=task.round + 1)


def decide(
    case: Case,
    decision: Decision,
    *,
    by: User,
    at: datetime,
    reasons: str = "",
    join_checked: bool = False,
    open_: Sequence[tuple[int, int | None]] | None = None,
    case_clocks_stopped: bool = False,
) -> None:
    """The decision (准予/不予许可). Stops the case clocks and starts the art. 44 delivery clock. A case of a bundle
    waits for the others and all are concluded together. `join_checked`: the caller (act_on_task) has just
    refused a grant against a failed join itself. `open_`: the case's open (task, clock) ids, when the caller
    has just read them (see _cancel_open). `case_clocks_stopped`: the caller has stopped the case's clocks
    already, with the deciding task's (act_on_task)."""
    if decision == Decision.REFUSED and not reasons:
        raise ValidationError({"opinion": "不予许可必须说明理由"})
    if decision == Decision.APPROVED and not join_checked:
        _forbid_grant_against_join(case, task=None, action="decide")
    _cancel_open(case, at=at, open_=open_)
    load_related(case, "item", "applicant", "department")
    case.decision = decision
    case.decision_reason = reasons
    case.decided_at = at
    if not case_clocks_stopped:
        clocks.stop_clocks([case.clock_id, case.legal_clock_id], at=at)
    (case.delivery_clock,) = clocks.start_clocks(
        [
            {
                "kind": ClockKind.DELIVERY,
                "amount": DELIVERY_LIMIT_WORKDAYS,
                "unit": "workday",
                "at": at,
                "label": "送达时限",
                "owner": case_clock_owner(case, "送达时限"),
            }
        ]
    )
    case.status = CaseStatus.DECIDED if case.group_id else CaseStatus.CONCLUDED
    if case.status == CaseStatus.CONCLUDED:
        case.concluded_at = at
    save_fields(case, "decision", "decision_reason", "decided_at", "delivery_clock", "status", "concluded_at")
    log(
        case,
        CaseEvent.DECIDED,
        by=by,
        at=at,
        after={"decision": decision, "status": case.status},
        opinion=reasons,
    )
    if decision == Decision.APPROVED:
        grant = [
            notice(
                case,
                "approval",
                at=at,
                paragraphs=[
                    f"你（单位）于{fmt_day(case.accepted_day or at.date())}提出的“{case.item.name}”申请，经审查，符合法定条件、标准，"
                    "依照《中华人民共和国行政许可法》第三十八条第一款，决定准予行政许可。",
                    f"请凭本决定书领取{case.item.result_name or '审批结果'}。",
                ],
                rows=[["办件编号", case.number], ["事项", case.item.name]],
            )
        ]
        if case.item.result_name:
            grant.append(
                notice(
                    case,
                    "certificate",
                    at=at,
                    # Titled with the licence's own name; the holder is the recipient line, printed once.
                    title=case.item.result_name,
                    paragraphs=[f"经审查，准予“{case.item.name}”，特发此证。"],
                    rows=[
                        ["证照名称", case.item.result_name],
                        ["持证人", case.applicant_name],
                        ["证件号码", case.applicant.id_number],
                        ["办件编号", case.number],
                    ],
                )
            )
        issue_all(case, grant, by=by, at=at)  # the decision and its licence numbered in one statement
    else:
        issue(
            case,
            "disapproval",
            by=by,
            at=at,
            paragraphs=[
                f"你（单位）提出的“{case.item.name}”申请，经审查，决定不予行政许可。理由如下：",
                reasons,
            ],
            rows=[["办件编号", case.number]],
            remedies=DEFAULT_REMEDIES,
        )
    tell_applicant(
        case,
        "审批结果",
        f"“{case.item.name}”已作出{decision.label}决定，请查看决定书。",
        at=at,
        kind="decided",
    )
    if case.group_id:
        _conclude_group_if_ready(case, at=at)


def _conclude_group_if_ready(case: Case, *, at: datetime) -> None:
    from ..models import CaseGroup

    assert case.group_id is not None
    group = CaseGroup.objects.select_for_update().get(pk=case.group_id)
    members = list(Case.objects.filter(group=group))
    if any(
        m.status
        in (CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED)
        for m in members
    ):
        return
    for member in members:
        if member.status == CaseStatus.DECIDED:
            member.status = CaseStatus.CONCLUDED
            member.concluded_at = at
            member.save(update_fields=["status", "concluded_at"])
            log(
                member,
                CaseEvent.CONCLUDED_WITH_GROUP,
                by=None,
                role="system",
                at=at,
                after={"group": group.number},
            )
    group.concluded_at = at
    group.save(update_fields=["concluded_at"])


@guarded("withdraw")
def withdraw_case(case: Case, *, by: User, reason: str = "") -> Case:
    """The applicant withdraws an application that has not been decided (a clerk may record it for them)."""
    at = now()
    case = _lock_case(case)
    is_owner = case.applicant.user_id is not None and case.applicant.user_id == getattr(by, "pk", None)
    if not is_owner:
        require_role(by, Role.WINDOW_CLERK, message="只有申请人本人或窗口工作人员可以撤回申请")
    if case.status not in (
        CaseStatus.SUBMITTED,
        CaseStatus.CORRECTION,
        CaseStatus.IN_PROGRESS,
        CaseStatus.SUSPENDED,
    ):
        raise OutOfProcedure(
            f"办件当前状态为“{case.get_status_display()}”，不能撤回", case=case, action="withdraw"
        )
    before = case.status
    _cancel_open(case, at=at)
    clocks.stop_clocks([case.intake_clock, case.clock, case.legal_clock], at=at)
    case.status = CaseStatus.WITHDRAWN
    case.closed_at = at
    case.save(update_fields=["status", "closed_at"])
    log(
        case,
        CaseEvent.WITHDRAWN,
        by=by,
        at=at,
        before={"status": before},
        after={"status": case.status},
        opinion=reason,
    )
    issue(
        case,
        "withdrawal",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）申请撤回“{case.item.name}”申请，本机关已终止办理。"
            + (f"撤回理由：{reason}" if reason else "")
        ],
        rows=[["办件编号", case.number]],
    )
    if case.group_id:
        _conclude_group_if_ready(case, at=at)
    return case


# A delivery on its own reads the case with its delivery clock, without a lock (its one statement decides).
_CASE_FOR_DELIVERY: CompiledRead[Case] = CompiledRead(
    lambda pk: Case.objects.select_related("delivery_clock").filter(pk=pk), int
)


def _require_deliverable(case: Case, *, in_bundle: bool) -> None:
    if case.decided_at is None or case.delivered_at is not None:
        raise OutOfProcedure("办件尚未作出决定或已送达", case=case, action="deliver")
    if case.group_id is not None and not in_bundle:
        raise OutOfProcedure("本件属于一件事联办，办理结果须整件事一次送达", case=case, action="deliver")
    if case.status == CaseStatus.DECIDED:
        raise OutOfProcedure("一件事联办的其他事项尚未办结，须一并送达", case=case, action="deliver")


@guarded("deliver", single_write=True)
def deliver_result(case: Case, *, by: User, method: str = "窗口领取", in_bundle: bool = False) -> Case:
    """Hand over the result (art. 44): stops the delivery clock. A bundle's members are handed over together
    (bundles.deliver_bundle), never one by one.

    On its own on PostgreSQL a delivery is one statement without a transaction (`guarded(single_write=True)`): the
    case is read without a lock, and the UPDATE that sets `delivered_at` — only while it is still empty and the
    status still the one read — carries the clock's stop and the audit entry (`if_changed`). Two deliveries of
    one case: the second finds `delivered_at` set and writes nothing. When the clock is not running (a delivery
    clock is never paused, but stop_clocks would resume one first) or the UPDATE matched nothing, the delivery
    runs again in a transaction with the case locked, which stops the clock carefully or says what changed."""
    at = now()
    if not deferred.in_single_write():
        case = _lock_case(case, related=())
        _require_deliverable(case, in_bundle=in_bundle)
        require_role(by, Role.WINDOW_CLERK, Role.AGENT, message="送达需要窗口工作人员或代办员角色")
        # The clock first: its UPDATE reads a row count, the case's columns go out with the trailing writes.
        clocks.stop_clocks([case.delivery_clock_id], at=at)
        case.delivered_at = at
        save_fields(case, "delivered_at")
        log(case, CaseEvent.DELIVERED, by=by, at=at, after={"method": method})
        return case
    found = _CASE_FOR_DELIVERY.objects(case.pk)
    if not found:
        raise Case.DoesNotExist(f"办件 {case.pk} 不存在")
    case = found[0]
    _require_deliverable(case, in_bundle=in_bundle)
    require_role(by, Role.WINDOW_CLERK, Role.AGENT, message="送达需要窗口工作人员或代办员角色")
    clock = case.delivery_clock
    if clock is None or clock.state != ClockState.RUNNING:
        raise deferred.NeedsTransaction
    with if_changed() as guard:
        clocks.stop_running_later(clock, at=at)
        log(case, CaseEvent.DELIVERED, by=by, at=at, after={"method": method})
        delivered = update_rows(
            Case, {"delivered_at": at}, pk=case.pk, delivered_at=None, status=case.status, guard=guard
        )
    if not delivered:
        raise deferred.NeedsTransaction
    case.delivered_at = at
    return case


__all__ = [
    "act_on_task",
    "claim_task",
    "decide",
    "deliver_result",
    "failed_joint_review",
    "open_tasks",
    "pause_case_clocks",
    "resume_case_clocks",
    "start_coordination",
    "start_flow",
    "withdraw_case",
]
