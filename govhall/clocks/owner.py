"""Whose clock it is: the owner contract between the modules that start clocks and supervision.

A module that puts something on a time limit starts the clock with a `ClockOwner`: the responsible department and
person, a label saying what the limit is ("办件 2026… 承诺办结时限"), the staff page of the thing, and the owning record
itself. Supervision reads only these fields, so the thing gets lights, alerts and the escalation ladder without any
change there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from govhall.org.models import Department


@dataclass(frozen=True)
class ClockOwner:
    """`responsible` is the person answering for the clock now (a task's assignee, a complaint's handler); None while
    nobody holds it, when the head of `department` answers for it. `subject` is the owning record; one created after
    its clock (the clock is a column of it) is attached with `set_clock_owner(clock, subject=…)`."""

    label: str
    link: str = ""
    department: Department | None = None
    responsible: User | None = None
    subject: models.Model | None = None


def subject_type(model: type[models.Model] | models.Model) -> str:
    """The generic reference's type: the model's label, e.g. "cases.task"."""
    return model._meta.label_lower
