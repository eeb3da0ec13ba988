"""Case actions: the only way a case changes state (each wraps its transaction, the audit chain, clocks and notices)."""

from ._common import OutOfProcedure, TaskConflict
from .instant import handle_instant
from .intake import (
    ApplicantData,
    accept_case,
    deem_accepted_due,
    missing_materials,
    redirect_application,
    refuse_application,
    request_correction,
    submit_application,
    submit_bundle,
    submit_correction,
)
from .processing import (
    act_on_task,
    claim_task,
    deliver_result,
    failed_joint_review,
    start_coordination,
    withdraw_case,
)
from .time_limits import end_special_procedure, extend_case, start_special_procedure

__all__ = [
    "ApplicantData",
    "OutOfProcedure",
    "TaskConflict",
    "accept_case",
    "act_on_task",
    "claim_task",
    "deem_accepted_due",
    "deliver_result",
    "end_special_procedure",
    "extend_case",
    "failed_joint_review",
    "handle_instant",
    "missing_materials",
    "redirect_application",
    "refuse_application",
    "request_correction",
    "start_coordination",
    "start_special_procedure",
    "submit_application",
    "submit_bundle",
    "submit_correction",
    "withdraw_case",
]
