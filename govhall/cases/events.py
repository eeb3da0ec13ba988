"""The one vocabulary of case events: the `action` of every case entry in the audit chain.

Each event has its code (what the chain stores, never to be renamed: old entries keep it), the label staff see
on the workbench timeline, and the label the applicant and the public see — or none, when the event stays on the
staff side (claims, refused out-of-procedure attempts). Statistics and supervision match on these members, never
on string literals."""

from __future__ import annotations

from django.db import models


class CaseEvent(models.TextChoices):
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
