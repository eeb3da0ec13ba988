"""The one vocabulary of case events: the `action` of every case entry in the audit chain.

Each event has its code (what the chain stores, never to be renamed: old entries keep it), the label staff see
on the workbench timeline (the choice label), a colour, and the label the applicant and the public see — or none,
when the event stays on the staff side (claims, refused out-of-procedure attempts). The public progress query of
the API also has a one-line sentence per event (`PROGRESS_TEXTS`, falling back to the public label). Statistics and
supervision match on these members, never on string literals; `govhall.cases.timeline` turns entries into rows."""

from __future__ import annotations

from govhall.core.choices import ColoredChoices

from .choices import TaskAction


class CaseEvent(ColoredChoices):
    SUBMITTED = "submitted", "收件"
    ACCEPTED = "accepted", "受理"
    DEEMED_ACCEPTED = "deemed_accepted", "逾期未告知，视为受理"
    CORRECTION_REQUESTED = "correction_requested", "一次性告知补正"
    CORRECTION_SUBMITTED = "correction_submitted", "提交补正材料"
    CORRECTION_COMPLETE = "correction_complete", "补正材料齐全"
    REFUSED_INTAKE = "refused_intake", "不予受理"
    REDIRECTED = "redirected", "告知向有权机关申请"
    TASK_CLAIMED = "task_claimed", "领取任务"
    TASK_APPROVE = "task_approve", "同意"
    TASK_RETURN = "task_return", "退回"
    TASK_REFUSE = "task_refuse", "不同意"
    JOINT_REVIEW_JOINED = "joint_review_joined", "并联审批汇总"
    COORDINATION_STARTED = "coordination_started", "启动联审协调"
    COORDINATION_ENDED = "coordination_ended", "联审协调结束"
    DECIDED = "decided", "作出决定"
    CONCLUDED_WITH_GROUP = "concluded_with_group", "联办一并办结"
    WITHDRAWN = "withdrawn", "撤回申请"
    DELIVERED = "delivered", "送达结果"
    SPECIAL_PROCEDURE_STARTED = "special_procedure_started", "启动特别程序"
    SPECIAL_PROCEDURE_ENDED = "special_procedure_ended", "结束特别程序"
    EXTENDED = "extended", "延长办理期限"
    OUT_OF_PROCEDURE = "out_of_procedure", "违规操作（已拒绝）"
    # New events: add a member here (and its public label below, if the applicant should see it).

    @classmethod
    def parse(cls, code: str) -> CaseEvent | None:
        """The member for a stored code, or None for a code this version does not know (kept as written)."""
        try:
            return cls(code)
        except ValueError:
            return None

    @classmethod
    def for_task(cls, action: TaskAction | str) -> CaseEvent:
        return TASK_EVENTS[TaskAction(action)]

    @property
    def public_label(self) -> str | None:
        """What the applicant and the public read; None for a staff-only event."""
        return PUBLIC_LABELS.get(self)

    @property
    def progress_text(self) -> str | None:
        """The public progress query's one-line sentence (API `event`); None for a staff-only event."""
        if self not in PUBLIC_LABELS:
            return None
        return PROGRESS_TEXTS.get(self, PUBLIC_LABELS[self])


CaseEvent.set_colors(
    {
        CaseEvent.ACCEPTED: "green",
        CaseEvent.DEEMED_ACCEPTED: "green",
        CaseEvent.CORRECTION_REQUESTED: "orange",
        CaseEvent.REFUSED_INTAKE: "red",
        CaseEvent.TASK_APPROVE: "green",
        CaseEvent.TASK_RETURN: "orange",
        CaseEvent.TASK_REFUSE: "red",
        CaseEvent.DECIDED: "purple",
        CaseEvent.CONCLUDED_WITH_GROUP: "purple",
        CaseEvent.SPECIAL_PROCEDURE_STARTED: "yellow",
        CaseEvent.EXTENDED: "yellow",
        CaseEvent.OUT_OF_PROCEDURE: "red",
    }
)

# The event each outcome of a step writes (act_on_task).
TASK_EVENTS: dict[TaskAction, CaseEvent] = {
    TaskAction.APPROVE: CaseEvent.TASK_APPROVE,
    TaskAction.RETURN: CaseEvent.TASK_RETURN,
    TaskAction.REFUSE: CaseEvent.TASK_REFUSE,
}

# What the applicant and the public see; an event missing here is staff-only.
PUBLIC_LABELS: dict[CaseEvent, str] = {
    CaseEvent.SUBMITTED: "提交申请",
    CaseEvent.ACCEPTED: "予以受理",
    CaseEvent.DEEMED_ACCEPTED: "视为受理（逾期未告知补正）",
    CaseEvent.CORRECTION_REQUESTED: "一次性告知补正材料",
    CaseEvent.CORRECTION_SUBMITTED: "提交补正材料",
    CaseEvent.CORRECTION_COMPLETE: "补正材料齐全",
    CaseEvent.REFUSED_INTAKE: "不予受理",
    CaseEvent.REDIRECTED: "告知向有权机关申请",
    CaseEvent.TASK_APPROVE: "办理完毕",
    CaseEvent.TASK_RETURN: "退回重新办理",
    CaseEvent.TASK_REFUSE: "提出不同意意见",
    CaseEvent.JOINT_REVIEW_JOINED: "联合审查完成",
    CaseEvent.COORDINATION_STARTED: "启动联审协调，有关部门重新提出审查意见",
    CaseEvent.COORDINATION_ENDED: "联审协调结束",
    CaseEvent.DECIDED: "作出决定",
    CaseEvent.CONCLUDED_WITH_GROUP: "一件事联办统一办结",
    CaseEvent.SPECIAL_PROCEDURE_STARTED: "启动特别程序（所需时间不计入办理时限）",
    CaseEvent.SPECIAL_PROCEDURE_ENDED: "特别程序结束",
    CaseEvent.EXTENDED: "经负责人批准延长办理期限",
    CaseEvent.WITHDRAWN: "申请人撤回申请",
    CaseEvent.DELIVERED: "送达审批结果",
}

# The public progress query (API) tells each public event as a sentence of what has happened; an event missing
# here uses its public label. Only public events may appear.
PROGRESS_TEXTS: dict[CaseEvent, str] = {
    CaseEvent.SUBMITTED: "申请已提交",
    CaseEvent.ACCEPTED: "已受理",
    CaseEvent.DEEMED_ACCEPTED: "逾期未告知补正，依法视为受理",
    CaseEvent.CORRECTION_SUBMITTED: "已提交补正材料",
    CaseEvent.CORRECTION_COMPLETE: "补正材料已齐全，恢复办理",
    CaseEvent.REDIRECTED: "不属于本机关职权，已告知向有权机关申请",
    CaseEvent.TASK_REFUSE: "审查不同意",
    CaseEvent.SPECIAL_PROCEDURE_ENDED: "特别程序结束，恢复办理",
    CaseEvent.DECIDED: "已作出审批决定",
    CaseEvent.CONCLUDED_WITH_GROUP: "一件事联办事项全部办结",
    CaseEvent.WITHDRAWN: "申请已撤回",
    CaseEvent.DELIVERED: "办理结果已送达",
}
