"""Time not counted (art. 45 special procedures) and extensions (art. 42)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from govhall.calendars import engine as calendar
from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockUnit
from govhall.core.clock import now
from govhall.org.choices import Role
from govhall.workflow import engine as wf

from ..choices import CaseStatus, PauseKind
from ..events import CaseEvent
from ..models import Case, Extension, Pause
from ._common import OutOfProcedure, fmt_day, guarded, issue, log, require_staff, tell_applicant
from ._common import lock_case as _lock_case
from .processing import _step_of, open_tasks, pause_case_clocks, resume_case_clocks

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Art. 42: +10 working days with the agency head's approval; art. 26 joint handling: +15 (same-level government).
MAX_EXTENSION = 10
MAX_EXTENSION_JOINT = 15


def max_extension(case: Case) -> int:
    """The most working days one extension may add: 15 under joint handling (《行政许可法》第二十六条), otherwise 10
    (《行政许可法》第四十二条). The one place that decides it, for the action and for the workbench form."""
    return MAX_EXTENSION_JOINT if wf.spec_by_id(case.process_id).code == "joint_review" else MAX_EXTENSION


@guarded("special_procedure")
def start_special_procedure(case: Case, *, by: User, kind: str, reason: str, expected_days: int) -> Pause:
    """Stop the case and step clocks for a hearing, expert review, inspection… and tell the applicant in writing how
    long it is expected to take (art. 45)."""
    at = now()
    case = _lock_case(case)
    require_staff(by, Role.APPROVER, case.department_id, "启动特别程序")
    if kind == PauseKind.CORRECTION or kind not in PauseKind.values:
        raise ValidationError({"kind": "请选择特别程序类型（听证、检验、检测、鉴定、专家评审等）"})
    if not reason.strip():
        raise ValidationError({"reason": "请写明启动特别程序的事由"})
    if not isinstance(expected_days, int) or expected_days <= 0:
        raise ValidationError({"expected_days": "请填写特别程序预计所需工作日（正整数）"})
    if case.status != CaseStatus.IN_PROGRESS:
        raise OutOfProcedure(
            f"办件当前状态为“{case.get_status_display()}”，不能启动特别程序",
            case=case,
            action="special_procedure",
        )
    tasks = open_tasks(case)
    if not any(_step_of(case, t).special_procedures for t in tasks):
        raise OutOfProcedure(
            "当前环节不允许启动特别程序（流程未设置该节点）",
            case=case,
            task=tasks[0] if tasks else None,
            action="special_procedure",
        )
    allowed = case.item.special_procedures or []
    if allowed and kind not in allowed:
        labels = "、".join(PauseKind(k).label for k in allowed if k in PauseKind.values)
        raise OutOfProcedure(f"该事项的特别程序只有：{labels}", case=case, action="special_procedure")
    pause = Pause.objects.create(
        case=case, kind=kind, reason=reason.strip(), expected_days=expected_days, started_at=at, started_by=by
    )
    pause_case_clocks(case, at=at)
    case.status = CaseStatus.SUSPENDED
    case.save(update_fields=["status"])
    label = PauseKind(kind).label
    log(
        case,
        CaseEvent.SPECIAL_PROCEDURE_STARTED,
        by=by,
        role=Role.APPROVER,
        at=at,
        before={"status": CaseStatus.IN_PROGRESS},
        after={"status": case.status, "kind": kind, "expected_days": expected_days},
        opinion=reason,
    )
    expected_end = calendar.add_working_days(calendar.local_date(at), expected_days).value
    issue(
        case,
        "special_procedure",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）申请的“{case.item.name}”，依法需要进行{label}。事由：{reason.strip()}",
            f"预计需要 {expected_days} 个工作日（约至{fmt_day(expected_end)}）。依照《中华人民共和国行政许可法》第四十五条，"
            f"{label}所需时间不计算在办理期限内。",
        ],
        rows=[["办件编号", case.number], ["特别程序", label], ["预计所需时间", f"{expected_days}个工作日"]],
    )
    tell_applicant(
        case,
        f"启动{label}程序",
        f"预计需要 {expected_days} 个工作日，期间不计入办理时限。",
        at=at,
        kind="special_procedure",
    )
    return pause


@guarded("special_procedure_end")
def end_special_procedure(pause: Pause, *, by: User, result: str = "") -> Pause:
    at = now()
    case = _lock_case(pause.case_id)
    require_staff(by, Role.APPROVER, case.department_id, "结束特别程序")
    pause = Pause.objects.get(pk=pause.pk)
    if pause.ended_at is not None or case.status != CaseStatus.SUSPENDED:
        raise OutOfProcedure("该特别程序已经结束", case=case, action="special_procedure_end")
    pause.ended_at = at
    pause.ended_by = by
    pause.result = result.strip()
    pause.save(update_fields=["ended_at", "ended_by", "result"])
    case.status = CaseStatus.IN_PROGRESS
    case.save(update_fields=["status"])
    resume_case_clocks(case, at=at)
    log(
        case,
        CaseEvent.SPECIAL_PROCEDURE_ENDED,
        by=by,
        role=Role.APPROVER,
        at=at,
        before={"status": CaseStatus.SUSPENDED},
        after={"status": case.status, "pause": pause.pk},
        opinion=result,
    )
    return pause


@guarded("extend")
def extend_case(case: Case, *, by: User, amount: int, reason: str) -> Extension:
    """Art. 42: extend by up to 10 working days (15 for joint handling) with the department head's approval; once."""
    at = now()
    case = _lock_case(case)
    require_staff(by, Role.DEPARTMENT_HEAD, case.department_id, "批准延期")
    if case.status not in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED):
        raise OutOfProcedure(
            f"办件当前状态为“{case.get_status_display()}”，不能延期", case=case, action="extend"
        )
    if case.extended:
        raise OutOfProcedure("该办件已延期一次，依法不得再次延期", case=case, action="extend")
    if (
        case.clock is None
        or case.legal_clock is None
        or ClockUnit.MINUTE in (case.clock.unit, case.legal_clock.unit)
    ):
        raise OutOfProcedure("即办件不适用延期", case=case, action="extend")
    limit = max_extension(case)
    if not isinstance(amount, int) or not 1 <= amount <= limit:
        raise ValidationError({"amount": f"延长期限应为 1 至 {limit} 个工作日"})
    if not reason.strip():
        raise ValidationError({"reason": "延期必须说明理由，并告知申请人"})
    extension = Extension.objects.create(
        case=case, amount=amount, reason=reason.strip(), approved_by=by, approved_at=at
    )
    for clock in (case.clock, case.legal_clock):
        # A promised limit in natural days is extended by the same number of working days' worth of natural days.
        clocks.extend_clock(clock, amount if clock.unit == ClockUnit.WORKDAY else amount * 7 // 5, at=at)
    case.extended = True
    case.save(update_fields=["extended"])
    log(
        case,
        CaseEvent.EXTENDED,
        by=by,
        role=Role.DEPARTMENT_HEAD,
        at=at,
        after={"amount": amount, "due": case.clock.due_day.isoformat() if case.clock.due_day else None},
        opinion=reason,
    )
    due = case.clock.due_day
    issue(
        case,
        "extension",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）申请的“{case.item.name}”，因{reason.strip()}，不能在规定期限内作出决定。经本机关负责人批准，"
            f"依照《中华人民共和国行政许可法》第四十二条，办理期限延长 {amount} 个工作日"
            + (f"，将于{fmt_day(due)}前作出决定。" if due else "。"),
        ],
        rows=[["办件编号", case.number], ["延长期限", f"{amount}个工作日"]],
    )
    tell_applicant(
        case,
        "办理期限延长",
        f"“{case.item.name}”延长 {amount} 个工作日：{reason.strip()}",
        at=at,
        kind="extended",
    )
    return extension


__all__ = ["end_special_procedure", "extend_case", "max_extension", "start_special_procedure"]
