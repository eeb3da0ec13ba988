"""Processing along the item's process template: tasks, joint review, returns, the decision and conclusion."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockKind
from govhall.core.clock import now
from govhall.org.access import has_role
from govhall.org.choices import Role
from govhall.supervision.rules import warn_kwargs
from govhall.workflow import engine as wf

from ..choices import ACTIVE_TASK, CaseStatus, Decision, TaskAction, TaskStatus
from ..models import Case, Task, TaskAttachment
from ..uploads import Upload, sm3_hex
from ._common import (
    DEFAULT_REMEDIES,
    OutOfProcedure,
    TaskConflict,
    fmt_day,
    guarded,
    issue,
    log,
    require_staff,
    tell_applicant,
)

# 《行政许可法》 art. 44: the permit is issued and delivered within 10 days of the decision.
DELIVERY_LIMIT_WORKDAYS = 10


def _joint_departments(case: Case) -> list[Any]:
    cached: list[Any] | None = getattr(case, "_joint_departments", None)
    if cached is None:
        cached = list(case.item.joint_departments.order_by("sort_order", "pk"))
        setattr(case, "_joint_departments", cached)  # noqa: B010 - a per-instance cache, not a model field
    return cached


def _spawn_task(
    case: Case,
    *,
    step: Any,
    name: str,
    actor: Any,
    budget: Any,
    department: Any,
    at: datetime,
    round_: int,
    parallel_key: str = "",
    branch_key: str = "",
) -> Task:
    amount, unit = wf.resolve_budget(budget, case.item.promised_limit, case.item.promised_limit_unit)
    clock = clocks.start_clock(
        kind=ClockKind.STEP,
        amount=amount,
        unit=unit,
        at=at,
        label=name[:100],
        **warn_kwargs(case.item, step.key),
    )
    return Task.objects.create(
        case=case,
        step_key=step.key,
        step_name=name,
        parallel_key=parallel_key,
        branch_key=branch_key,
        round=round_,
        department=department,
        role=actor.role,
        status=TaskStatus.OPEN,
        created_at=at,
        clock=clock,
    )


def _enter(case: Case, key: str, *, by: Any, at: datetime, round_: int = 1) -> None:
    spec = wf.spec_by_id(case.process_id)
    step = wf.resolve(spec, key, case.form_data)
    if step.kind == "end":
        return
    if step.kind == "task":
        _spawn_task(
            case,
            step=step,
            name=step.name,
            actor=step.actor,
            budget=step.budget,
            department=case.department,
            at=at,
            round_=round_,
        )
        return
    branches = wf.expand_branches(step, case.department, _joint_departments(case))
    for branch, department in branches:
        suffix = f"（{department.short_name or department.name}）" if branch.per_department else ""
        _spawn_task(
            case,
            step=step,
            name=f"{step.name}·{branch.name}{suffix}",
            actor=branch.actor,
            budget=branch.budget,
            department=department,
            at=at,
            round_=round_,
            parallel_key=step.key,
            branch_key=f"{branch.key}:{department.pk}",
        )


def start_flow(case: Case, *, by: Any, at: datetime) -> None:
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


def _lock_case(case: Case | int, *, related: tuple[str, ...] = ("item", "applicant", "department")) -> Case:
    """The case under a lock on its own row only (see intake._lock for why not the related rows). Few joins on
    purpose: each costs query planning on every action; clocks are read when an action needs them."""
    pk = case if isinstance(case, int) else case.pk
    if not related:  # select_related() without names would follow, and lock, every foreign key
        return Case.objects.select_for_update().get(pk=pk)
    return Case.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


def _step_of(case: Case, task: Task) -> Any:
    return wf.spec_by_id(case.process_id).step(task.parallel_key or task.step_key)


@guarded("claim")
def claim_task(task: Task, *, by: Any) -> Task:
    """Take a task to work on it; exactly one of two simultaneous claimants gets it."""
    at = now()
    case = _lock_case(task.case_id, related=())
    require_staff(by, task.role, task.department_id, "领取任务")
    updated = Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        status=TaskStatus.CLAIMED, assignee=by, claimed_at=at
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
    log(case, "task_claimed", by=by, role=task.role, at=at, after={"task": task.pk, "step": task.step_key})
    return task


@guarded("task_action")
def act_on_task(
    task: Task,
    *,
    by: Any,
    action: str,
    opinion: str = "",
    return_to: str | None = None,
    attachments: Sequence[Upload] = (),
) -> Task:
    """Approve, return or refuse at a step, as far as the template allows it there (otherwise: out of procedure)."""
    at = now()
    case = _lock_case(task.case_id)
    task = Task.objects.select_related("clock").get(pk=task.pk)
    require_staff(by, task.role, task.department_id, "办理")
    if action not in TaskAction.values:
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
    updated = Task.objects.filter(pk=task.pk, status__in=ACTIVE_TASK).update(
        status=TaskStatus.DONE,
        outcome=action,
        opinion=opinion.strip(),
        completed_at=at,
        assignee=by,
        claimed_at=task.claimed_at or at,
    )
    if not updated:
        raise TaskConflict("该任务已被他人办理，请刷新")
    if task.clock is not None:
        clocks.stop_clock(task.clock, at=at)
    for upload in attachments:
        TaskAttachment.objects.create(
            task=task,
            name=upload.filename[:200],
            file=upload.as_file(),
            size=len(upload.content),
            sm3=sm3_hex(upload.content),
            uploaded_at=at,
        )
    log(
        case,
        f"task_{action}",
        by=by,
        role=task.role,
        at=at,
        before={"task": task.pk, "step": task.step_key},
        after={"outcome": action, "return_to": return_to, "branch": task.branch_key},
        opinion=opinion.strip(),
    )
    if branch is not None:
        _after_branch(case, task, step, by=by, at=at)
    elif action == TaskAction.RETURN:
        _cancel_open(case, at=at)
        _enter(case, str(return_to), by=by, at=at, round_=task.round + 1)
    elif step.decides:
        decide(
            case,
            Decision.APPROVED if action == TaskAction.APPROVE else Decision.REFUSED,
            by=by,
            at=at,
            reasons=opinion.strip(),
        )
    else:
        _enter(case, str(step.next), by=by, at=at, round_=task.round)
    task.status, task.outcome, task.opinion, task.completed_at = TaskStatus.DONE, action, opinion.strip(), at
    task.assignee = by
    return task


def _cancel_open(case: Case, *, at: datetime, parallel_key: str | None = None) -> None:
    qs = case.tasks.filter(status__in=ACTIVE_TASK)
    if parallel_key is not None:
        qs = qs.filter(parallel_key=parallel_key)
    for task in qs.select_related("clock"):
        task.status = TaskStatus.CANCELLED
        task.completed_at = at
        task.save(update_fields=["status", "completed_at"])
        if task.clock is not None:
            clocks.stop_clock(task.clock, at=at)


def _after_branch(case: Case, task: Task, step: Any, *, by: Any, at: datetime) -> None:
    siblings = list(
        case.tasks.filter(parallel_key=step.key, round=task.round).values_list("status", "outcome")
    )
    total = len(siblings)
    approvals = sum(1 for s, o in siblings if s == TaskStatus.DONE and o == TaskAction.APPROVE)
    refusals = sum(1 for s, o in siblings if s == TaskStatus.DONE and o == TaskAction.REFUSE)
    verdict = wf.evaluate_join(step.join, total, approvals, refusals)
    if verdict == "pending":
        return
    _cancel_open(case, at=at, parallel_key=step.key)
    log(
        case,
        "joint_review_joined",
        by=None,
        role="system",
        at=at,
        after={
            "step": step.key,
            "rule": step.join.rule,
            "verdict": verdict,
            "approvals": approvals,
            "refusals": refusals,
            "total": total,
        },
    )
    target = step.next if verdict == "passed" else (step.on_fail or step.next)
    _enter(case, str(target), by=by, at=at, round_=task.round)


def decide(case: Case, decision: Decision, *, by: Any, at: datetime, reasons: str = "") -> None:
    """The decision (准予/不予许可). Stops the case clocks and starts the art. 44 delivery clock. A case of a bundle
    waits for the others and all are concluded together."""
    if decision == Decision.REFUSED and not reasons:
        raise ValidationError({"opinion": "不予许可必须说明理由"})
    _cancel_open(case, at=at)
    case.decision = decision
    case.decision_reason = reasons
    case.decided_at = at
    clocks.stop_clocks([case.clock, case.legal_clock], at=at)
    case.delivery_clock = clocks.start_clock(
        kind=ClockKind.DELIVERY, amount=DELIVERY_LIMIT_WORKDAYS, unit="workday", at=at, label="送达时限"
    )
    case.status = CaseStatus.DECIDED if case.group_id else CaseStatus.CONCLUDED
    if case.status == CaseStatus.CONCLUDED:
        case.concluded_at = at
    case.save()
    log(case, "decided", by=by, at=at, after={"decision": decision, "status": case.status}, opinion=reasons)
    if decision == Decision.APPROVED:
        issue(
            case,
            "approval",
            by=by,
            at=at,
            paragraphs=[
                f"你（单位）于{fmt_day(case.accepted_day or at.date())}提出的“{case.item.name}”申请，经审查，符合法定条件、标准，"
                "依照《中华人民共和国行政许可法》第三十八条第一款，决定准予行政许可。",
                f"请凭本决定书领取{case.item.result_name or '审批结果'}。",
            ],
            rows=[["办件编号", case.number], ["事项", case.item.name]],
        )
        if case.item.result_name:
            issue(
                case,
                "certificate",
                by=by,
                at=at,
                paragraphs=[f"{case.applicant.name}：", f"经审查，准予“{case.item.name}”，特发此证。"],
                rows=[
                    ["证照名称", case.item.result_name],
                    ["持证人", case.applicant.name],
                    ["证件号码", case.applicant.id_number],
                    ["办件编号", case.number],
                ],
            )
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
            log(member, "concluded_with_group", by=None, role="system", at=at, after={"group": group.number})
    group.concluded_at = at
    group.save(update_fields=["concluded_at"])


@guarded("withdraw")
def withdraw_case(case: Case, *, by: Any, reason: str = "") -> Case:
    """The applicant withdraws an application that has not been decided (a clerk may record it for them)."""
    at = now()
    case = _lock_case(case)
    is_owner = case.applicant.user_id is not None and case.applicant.user_id == getattr(by, "pk", None)
    if not is_owner and not has_role(by, Role.WINDOW_CLERK):
        raise PermissionDenied("只有申请人本人或窗口工作人员可以撤回申请")
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
        "withdrawn",
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


@guarded("deliver")
def deliver_result(case: Case, *, by: Any, method: str = "窗口领取", in_bundle: bool = False) -> Case:
    """Hand over the result (art. 44): stops the delivery clock. A bundle's members are handed over together
    (bundles.deliver_bundle), never one by one."""
    at = now()
    case = _lock_case(case)
    if case.decided_at is None or case.delivered_at is not None:
        raise OutOfProcedure("办件尚未作出决定或已送达", case=case, action="deliver")
    if case.group_id is not None and not in_bundle:
        raise OutOfProcedure("本件属于一件事联办，办理结果须整件事一次送达", case=case, action="deliver")
    if case.status == CaseStatus.DECIDED:
        raise OutOfProcedure("一件事联办的其他事项尚未办结，须一并送达", case=case, action="deliver")
    if not (has_role(by, Role.WINDOW_CLERK) or has_role(by, Role.AGENT)):
        raise PermissionDenied("送达需要窗口工作人员或代办员角色")
    case.delivered_at = at
    case.save(update_fields=["delivered_at"])
    if case.delivery_clock:
        clocks.stop_clock(case.delivery_clock, at=at)
    log(case, "delivered", by=by, at=at, after={"method": method})
    return case


@guarded("instant")
def handle_instant(case: Case, *, by: Any, opinion: str = "") -> Case:
    """即办件 (art. 34): accepted and decided at the window in one sitting."""
    from .intake import accept_case

    if not case.item.is_instant:
        raise OutOfProcedure("该事项不是即办件，不能当场办结", case=case, action="instant")
    accept_case(case, by=by)
    for task in Task.objects.filter(case=case, status__in=ACTIVE_TASK):
        act_on_task(task, by=by, action=TaskAction.APPROVE, opinion=opinion or "当场办结")
    case.refresh_from_db()
    return case


__all__ = [
    "act_on_task",
    "claim_task",
    "decide",
    "deliver_result",
    "handle_instant",
    "open_tasks",
    "pause_case_clocks",
    "resume_case_clocks",
    "start_flow",
    "withdraw_case",
]
