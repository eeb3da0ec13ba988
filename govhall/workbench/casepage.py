"""The case page: what it shows (header, clocks, materials, tasks, flowchart, timeline, documents) and which action
forms a given user gets in the case's current state.

Showing a form is a convenience, not the permission: every POST goes to the case action, which checks again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe

from govhall.cases import actions as case_actions
from govhall.cases.choices import ACTIVE_TASK, CaseStatus, PauseKind, TaskAction, TaskStatus
from govhall.cases.limits import displayed_limits
from govhall.cases.models import Case, CorrectionNotice, Pause, Task
from govhall.cases.timeline import staff_timeline
from govhall.catalog.formfields import labelled
from govhall.clocks.actions import ClockStatus, status
from govhall.clocks.choices import ClockUnit
from govhall.clocks.models import Clock
from govhall.documents.models import Document
from govhall.org.access import departments_for, has_role
from govhall.org.choices import Role
from govhall.workflow import engine as wf
from govhall.workflow.flowchart import render_svg
from govhall.workflow.schema import ProcessSpec, Step

from . import forms as wb

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from govhall.org.models import Department


@dataclass
class Alert:
    """An error shown above the page: kind is "error", "conflict" (someone else acted first) or "violation"."""

    kind: str
    title: str
    messages: list[str] = field(default_factory=list)


@dataclass
class ClockRow:
    title: str
    clock: Clock
    status: ClockStatus


@dataclass
class TaskRow:
    task: Task
    status: ClockStatus | None
    can_claim: bool = False
    form: wb.TaskActForm | None = None


class Abilities:
    """What the user's roles and departments allow on this case (the forms to show)."""

    def __init__(self, user: User, case: Case) -> None:
        self.user = user
        self.departments = set(departments_for(user).values_list("pk", flat=True))
        self.clerk = has_role(user, Role.WINDOW_CLERK)
        self.agent = has_role(user, Role.AGENT)
        self.intake = self.clerk or has_role(user, Role.APPROVER)
        self.approver_here = has_role(user, Role.APPROVER) and case.department_id in self.departments
        self.head_here = has_role(user, Role.DEPARTMENT_HEAD) and case.department_id in self.departments

    def works_on(self, task: Task) -> bool:
        return (
            task.status in ACTIVE_TASK
            and has_role(self.user, task.role)
            and task.department_id in self.departments
            and task.assignee_id in (None, self.user.pk)
        )


# -- the case action forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    name: str
    title: str
    button: str
    form_class: type[forms.Form]
    run: Callable[[User, Case, Any], str]  # the form is the action's own form_class
    error_fields: dict[str, str] = field(default_factory=dict)
    danger: bool = False
    multipart: bool = False


def _due(case: Case) -> str:
    case.refresh_from_db()
    if case.clock is not None and case.clock.due_day is not None:
        return f"，承诺 {case.clock.due_day:%Y-%m-%d} 前办结"
    return ""


def _accept(user: User, case: Case, form: forms.Form) -> str:
    case_actions.accept_case(case, by=user)
    return f"已受理，已出具受理通知书{_due(case)}。"


def _correction(user: User, case: Case, form: wb.CorrectionForm) -> str:
    notice = case_actions.request_correction(
        case, by=user, missing=form.missing(), note=form.cleaned_data["note"]
    )
    return f"已出具一次性补正告知书，共 {len(notice.items)} 项。"


def _refuse(user: User, case: Case, form: forms.Form) -> str:
    data = form.cleaned_data
    case_actions.refuse_application(case, by=user, reasons=data["reasons"], remedies=data["remedies"])
    return "已作出不予受理决定，并出具决定书。"


def _redirect(user: User, case: Case, form: forms.Form) -> str:
    data = form.cleaned_data
    case_actions.redirect_application(case, by=user, agency=data["agency"], reason=data["reason"])
    return f"已告知申请人向{data['agency'].strip()}申请。"


def _instant(user: User, case: Case, form: forms.Form) -> str:
    case = case_actions.handle_instant(case, by=user, opinion=form.cleaned_data["opinion"])
    return "即办件已当场办结。" if case.decided_at else "已受理。"


def _submit_correction(user: User, case: Case, form: wb.SubmitCorrectionForm) -> str:
    case = case_actions.submit_correction(case, by=user, uploads=form.uploads)
    if case.status == CaseStatus.CORRECTION:
        return "已收到补正材料，但告知书所列材料尚未补齐。"
    return "补正材料已齐全，办件恢复办理。" if case.accepted_at else "补正材料已齐全，可以作出受理决定。"


def _special_start(user: User, case: Case, form: forms.Form) -> str:
    data = form.cleaned_data
    pause = case_actions.start_special_procedure(
        case, by=user, kind=data["kind"], reason=data["reason"], expected_days=data["expected_days"]
    )
    return f"已启动{pause.get_kind_display()}程序，期间不计入办理时限，并已书面告知申请人。"


def open_pause(case: Case) -> Pause | None:
    return (
        case.pauses.filter(ended_at=None).exclude(kind=PauseKind.CORRECTION).order_by("-started_at").first()
    )


def _special_end(user: User, case: Case, form: forms.Form) -> str:
    pause = open_pause(case)
    if pause is None:
        raise ValidationError("没有进行中的特别程序")
    case_actions.end_special_procedure(pause, by=user, result=form.cleaned_data["result"])
    return f"{pause.get_kind_display()}程序已结束，恢复计时。"


def _extend(user: User, case: Case, form: forms.Form) -> str:
    data = form.cleaned_data
    case_actions.extend_case(case, by=user, amount=data["amount"], reason=data["reason"])
    return f"已批准延长 {data['amount']} 个工作日，并出具延期通知书{_due(case)}。"


def _deciding_task(case: Case) -> Task | None:
    spec = wf.spec_by_id(case.process_id)
    for task in case.tasks.filter(status__in=ACTIVE_TASK, parallel_key=""):
        if spec.has_step(task.step_key) and spec.step(task.step_key).decides:
            return task
    return None


def _coordinate(user: User, case: Case, form: forms.Form) -> str:
    task = _deciding_task(case)
    if task is None:
        raise ValidationError("办件尚未到达作出决定环节，不能启动联审协调")
    new = case_actions.start_coordination(task, by=user, opinion=form.cleaned_data["opinion"])
    return f"已启动联审协调，{'、'.join(t.department.name for t in new)}将重新提出审查意见"


def _withdraw(user: User, case: Case, form: forms.Form) -> str:
    case_actions.withdraw_case(case, by=user, reason=form.cleaned_data["reason"])
    return "已为申请人撤回申请，办件终止。"


def _deliver(user: User, case: Case, form: forms.Form) -> str:
    case_actions.deliver_result(case, by=user, method=form.cleaned_data["method"])
    return "已送达办理结果。"


CASE_ACTIONS: dict[str, CaseAction] = {
    a.name: a
    for a in (
        CaseAction("accept", "受理", "予以受理", wb.AcceptForm, _accept),
        CaseAction(
            "correction",
            "一次性告知补正",
            "出具补正告知书",
            wb.CorrectionForm,
            _correction,
            {"missing": "materials"},
        ),
        CaseAction("instant", "即办件当场办结", "受理并当场办结", wb.InstantForm, _instant),
        CaseAction("refuse", "不予受理", "不予受理", wb.RefuseApplicationForm, _refuse, danger=True),
        CaseAction("redirect", "非本机关职权", "告知向有权机关申请", wb.RedirectForm, _redirect, danger=True),
        CaseAction(
            "submit_correction",
            "提交补正材料",
            "提交补正材料",
            wb.SubmitCorrectionForm,
            _submit_correction,
            {"materials": "extra"},
            multipart=True,
        ),
        CaseAction("special_start", "启动特别程序", "启动特别程序", wb.SpecialStartForm, _special_start),
        CaseAction("special_end", "结束特别程序", "结束特别程序", wb.SpecialEndForm, _special_end),
        CaseAction("extend", "批准延期", "批准延期", wb.ExtendForm, _extend),
        CaseAction("coordinate", "联审协调", "启动联审协调", wb.CoordinationForm, _coordinate),
        CaseAction("withdraw", "撤回申请（代申请人）", "撤回申请", wb.WithdrawForm, _withdraw, danger=True),
        CaseAction("deliver", "送达结果", "确认送达", wb.DeliverForm, _deliver),
    )
}


def extension_limit(case: Case) -> int:
    # The cap is decided once, by the action that enforces it (《行政许可法》第四十二条).
    return case_actions.max_extension(case)


def make_form(name: str, case: Case, data: Any = None, files: Any = None) -> forms.Form:
    """The form of a case action, unbound (to show) or bound to a POST."""
    spec = CASE_ACTIONS[name]
    kwargs: dict[str, Any] = {"prefix": name}
    if name == "correction":
        kwargs["item"] = case.item
        if data is None:
            kwargs["initial"] = {"materials": [m.pk for m in case_actions.missing_materials(case)]}
    elif name == "special_start":
        kwargs["item"] = case.item
    elif name == "extend":
        kwargs["limit"] = extension_limit(case)
    elif name == "submit_correction":
        notice = CorrectionNotice.objects.filter(case=case).first()
        kwargs["listed"] = notice.items if notice else []
    return spec.form_class(data, files, **kwargs)


def _open_steps(case: Case, tasks: list[Task], spec: ProcessSpec) -> list[Step]:
    steps = []
    for task in tasks:
        if task.status in ACTIVE_TASK:
            try:
                steps.append(spec.step(task.parallel_key or task.step_key))
            except KeyError:
                continue
    return steps


def available_actions(ability: Abilities, case: Case, tasks: list[Task], spec: ProcessSpec) -> list[str]:
    s = case.status
    has_notice = CorrectionNotice.objects.filter(case=case).exists()
    names = []
    if s == CaseStatus.SUBMITTED and ability.intake:
        names.append("accept")
        if case.item.is_instant:
            names.append("instant")
    if not has_notice and (
        (s == CaseStatus.SUBMITTED and ability.intake)
        or (s == CaseStatus.IN_PROGRESS and ability.approver_here)
    ):
        names.append("correction")
    if s == CaseStatus.CORRECTION and (ability.clerk or ability.agent):
        names.append("submit_correction")
    if ability.intake and (
        s == CaseStatus.SUBMITTED or (s == CaseStatus.CORRECTION and case.accepted_at is None)
    ):
        names.append("refuse")
    if ability.intake and s == CaseStatus.SUBMITTED:
        names.append("redirect")
    if (
        s == CaseStatus.IN_PROGRESS
        and ability.approver_here
        and any(step.special_procedures for step in _open_steps(case, tasks, spec))
    ):
        names.append("special_start")
    if s == CaseStatus.SUSPENDED and ability.approver_here and open_pause(case) is not None:
        names.append("special_end")
    if (
        ability.head_here
        and s in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED)
        and not case.extended
        and case.clock is not None
        and case.clock.unit != ClockUnit.MINUTE
    ):
        names.append("extend")
    if (
        s == CaseStatus.IN_PROGRESS
        and ability.head_here
        and case_actions.failed_joint_review(case) is not None
        and _deciding_task(case) is not None
    ):
        names.append("coordinate")
    if (
        s == CaseStatus.CONCLUDED
        and case.decided_at is not None
        and case.delivered_at is None
        and (ability.clerk or ability.agent)
    ):
        names.append("deliver")
    if ability.clerk and s in (
        CaseStatus.SUBMITTED,
        CaseStatus.CORRECTION,
        CaseStatus.IN_PROGRESS,
        CaseStatus.SUSPENDED,
    ):
        names.append("withdraw")
    if case.group_id is not None:
        # 一件事: intake and delivery are decided once for the whole bundle, on its own page; a member's own
        # correction during processing stays here.
        names = [
            n for n in names if n not in BUNDLE_LEVEL or (case.accepted_at is not None and n in REVIEW_LEVEL)
        ]
    return names


BUNDLE_LEVEL = frozenset(
    {"accept", "instant", "correction", "submit_correction", "refuse", "redirect", "deliver"}
)
REVIEW_LEVEL = frozenset({"correction", "submit_correction"})


# -- tasks -----------------------------------------------------------------------------------------------------


def task_form(task: Task, spec: ProcessSpec, data: Any = None, files: Any = None) -> wb.TaskActForm:
    try:
        step = spec.step(task.parallel_key or task.step_key)
    except KeyError:
        step = None
    if task.parallel_key:
        allowed = [TaskAction.APPROVE, TaskAction.REFUSE]
        returns: list[tuple[str, str]] = []
    else:
        allowed = [a for a in TaskAction if step is not None and a.value in wf.allowed_actions(step)]
        if step is not None and step.decides and case_actions.failed_joint_review(task.case) is not None:
            # A failed joint review binds: the page offers no grant (the action refuses one anyway).
            allowed = [a for a in allowed if a != TaskAction.APPROVE]
        returns = []
        if step is not None:
            for key in step.return_to:
                try:
                    returns.append((key, spec.step(key).name))
                except KeyError:
                    continue
    return wb.TaskActForm(
        data, files, prefix=f"task{task.pk}", actions=[a.value for a in allowed], return_choices=returns
    )


# -- flowchart ----------------------------------------------------------------------------------------------------


def _dept_name(department: Department) -> str:
    return str(department.short_name or department.name)


def flowchart(case: Case, tasks: list[Task], spec: ProcessSpec) -> SafeString:
    current = {t.parallel_key or t.step_key for t in tasks if t.status in ACTIVE_TASK}
    done = {t.parallel_key or t.step_key for t in tasks if t.status == TaskStatus.DONE} - current
    if case.decided_at is not None:
        done |= {s.key for s in spec.steps if s.kind == "end"}
    branch_names: dict[str, list[str]] = {}
    joint = list(case.item.joint_departments.order_by("sort_order", "pk"))
    # Once a parallel step opened, the case shows the co-departments it captured then, not the item's current ones.
    captured = {
        r.step_key: list(r.departments.order_by("sort_order", "pk")) for r in case.joint_reviews.all()
    }
    for step in spec.steps:
        if step.kind != "parallel":
            continue
        try:
            instances = wf.expand_branches(step, case.department, captured.get(step.key, joint))
        except ValidationError:
            continue
        for branch, department in instances:
            names = branch_names.setdefault(branch.key, [])
            if _dept_name(department) not in names:
                names.append(_dept_name(department))
    limits = displayed_limits(case)
    svg = render_svg(
        spec,
        current=current,
        done=done,
        branch_names=branch_names,
        promised=(limits.promised, limits.promised_unit),
        lead_name=_dept_name(case.department),
    )
    # render_svg escapes every text it draws (it returns well-formed XML).
    return mark_safe(svg)


# -- the page --------------------------------------------------------------------------------------------------


def clock_rows(case: Case) -> list[ClockRow]:
    rows = []
    if (
        case.intake_clock is not None
        and case.accepted_at is None
        and case.status
        in (
            CaseStatus.SUBMITTED,
            CaseStatus.CORRECTION,
        )
    ):
        rows.append(ClockRow("受理审查时限", case.intake_clock, status(case.intake_clock)))
    if case.clock is not None:
        rows.append(ClockRow("承诺办结时限", case.clock, status(case.clock)))
    if case.legal_clock is not None:
        rows.append(ClockRow("法定办结时限", case.legal_clock, status(case.legal_clock)))
    if case.delivery_clock is not None:
        rows.append(ClockRow("送达时限", case.delivery_clock, status(case.delivery_clock)))
    return rows


def context(
    user: User,
    case: Case,
    *,
    bound: dict[str, forms.Form] | None = None,
    bound_tasks: dict[int, wb.TaskActForm] | None = None,
    alert: Alert | None = None,
) -> dict[str, Any]:
    bound = bound or {}
    bound_tasks = bound_tasks or {}
    spec = wf.spec_of(case.process)
    tasks = list(
        case.tasks.select_related("department", "assignee__staff", "clock")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )
    ability = Abilities(user, case)
    task_rows = []
    for task in tasks:
        row = TaskRow(task, status(task.clock) if task.clock is not None else None)
        if ability.works_on(task):
            row.can_claim = task.status == TaskStatus.OPEN
            row.form = bound_tasks.get(task.pk) or task_form(task, spec)
        task_rows.append(row)
    names = available_actions(ability, case, tasks, spec)
    for name in bound:  # a rejected form stays on the page with its errors even if the state moved on
        if name not in names:
            names.append(name)
    action_forms = [(CASE_ACTIONS[n], bound.get(n) or make_form(n, case)) for n in names]
    materials = list(case.materials.select_related("material").order_by("for_correction", "pk"))
    correction = CorrectionNotice.objects.filter(case=case).first()
    return {
        "case": case,
        "alert": alert,
        "clocks": clock_rows(case),
        "materials": materials,
        "missing": case_actions.missing_materials(case) if case.status == CaseStatus.SUBMITTED else [],
        "correction": correction,
        "tasks": task_rows,
        "flowchart": flowchart(case, tasks, spec),
        "timeline": staff_timeline(case, steps={t.pk: t.step_name for t in tasks}, spec=spec),
        "documents": list(Document.objects.filter(case_number=case.number).order_by("issued_at", "pk")),
        "pauses": list(case.pauses.order_by("started_at")),
        "extensions": list(case.extensions.select_related("approved_by__staff").order_by("approved_at")),
        "action_forms": action_forms,
        # The entries under the item's field labels (catalog.FormField), in the form's order.
        "form_data": labelled(case.item.form_fields.all(), case.form_data or {}),
    }
