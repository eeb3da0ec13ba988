"""Case actions: the only way a case changes state (each wraps its transaction, the audit chain, clocks and notices)."""

from ._common import OutOfProcedure, TaskConflict
from .bundles import (
    accept_bundle,
    deliver_bundle,
    refuse_bundle,
    request_bundle_correction,
    submit_bundle,
    submit_bundle_correction,
)
from .deemed import deem_accepted_due
from .instant import handle_instant
from .intake import (
    ApplicantData,
    accept_case,
    missing_materials,
    redirect_application,
    refuse_application,
    request_correction,
    submit_application,
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
from .time_limits import end_special_procedure, extend_case, max_extension, start_special_procedure

__all__ = [
    "ApplicantData",
    "OutOfProcedure",
    "TaskConflict",
    "accept_bundle",
    "accept_case",
    "act_on_task",
    "claim_task",
    "deem_accepted_due",
    "deliver_bundle",
    "deliver_result",
    "end_special_procedure",
    "extend_case",
    "failed_joint_review",
    "handle_instant",
    "max_extension",
    "missing_materials",
    "redirect_application",
    "refuse_application",
    "refuse_bundle",
    "request_bundle_correction",
    "request_correction",
    "start_coordination",
    "start_special_procedure",
    "submit_application",
    "submit_bundle",
    "submit_bundle_correction",
    "submit_correction",
    "withdraw_case",
]
