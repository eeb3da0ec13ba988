"""The lifecycle as a django-viewflow 2 flow: every human step a View task (claimed by `assign`, done by `execute`),
the joint review a parallel Split/Join. Process data lives in viewflow's own Process.data (JSON)."""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import UpdateProcessView


def _view() -> Any:
    return UpdateProcessView.as_view(fields=[])


class LifecycleFlow(flow.Flow):
    # One row lock on the process (SELECT … FOR UPDATE), as govhall locks the case row.
    lock_impl = lock.select_for_update_lock

    submit = flow.StartHandle(this.start_case).Next(this.accept)
    accept = flow.View(_view()).Assign(username="clerk").Next(this.review)
    review = flow.View(_view()).Next(this.split)
    split = flow.Split().Next(this.joint_lead).Next(this.joint_co1).Next(this.joint_co2)
    joint_lead = flow.View(_view()).Next(this.join)
    joint_co1 = flow.View(_view()).Next(this.join)
    joint_co2 = flow.View(_view()).Next(this.join)
    join = flow.Join().Next(this.decide)
    decide = flow.View(_view()).Next(this.deliver)
    deliver = flow.View(_view()).Assign(username="clerk").Next(this.end)
    end = flow.End()

    def start_case(self, activation: Any, applicant: str = "", channel: str = "window") -> Any:
        activation.process.data = {"applicant": applicant, "channel": channel, "opinions": {}}
        return activation.process
