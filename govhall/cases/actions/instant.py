"""即办件: accepted and decided at the window in one sitting, through the intake and the processing actions.

A module of its own so that intake (which starts the flow processing runs) and processing never import each other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..choices import ACTIVE_TASK, TaskAction
from ..models import Case, Task
from ._common import OutOfProcedure, guarded
from .intake import accept_case
from .processing import act_on_task

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@guarded("instant")
def handle_instant(case: Case, *, by: User, opinion: str = "") -> Case:
    """即办件 (art. 34): accepted and decided at the window in one sitting."""
    if not case.item.is_instant:
        raise OutOfProcedure("该事项不是即办件，不能当场办结", case=case, action="instant")
    accept_case(case, by=by)
    for task in Task.objects.filter(case=case, status__in=ACTIVE_TASK):
        act_on_task(task, by=by, action=TaskAction.APPROVE, opinion=opinion or "当场办结")
    case.refresh_from_db()
    return case


__all__ = ["handle_instant"]
