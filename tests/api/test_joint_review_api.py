"""Binding joint review over HTTP: a grant against a failed join is 409 out_of_procedure, then 联审协调 and a grant."""

from __future__ import annotations

from typing import Any

import pytest

from govhall.cases.models import OutOfProcedureAttempt, Task
from govhall.ledger.models import LedgerEntry

from .cases_support import PERMIT, World, world_fixture  # noqa: F401  (fixture `world`)
from .test_cases_api import company, detail, ok

pytestmark = pytest.mark.django_db

APPROVERS = {"住建局": "zj_approver", "市场监管局": "approver", "民政局": "mz_approver"}


def _act(world: World, who: str, task: Task, action: str, opinion: str = "同意") -> Any:
    return world[who].post(f"/tasks/{task.pk}/actions", {"action": action, "opinion": opinion})


def test_refusal_binds_then_coordination_then_grant(world: World) -> None:
    number = world.accepted(PERMIT, applicant=company())
    ok(_act(world, "zj_approver", world.open_task(number), "approve"))
    branches = {
        t.department.short_name: t for t in Task.objects.filter(case__number=number, parallel_key="joint")
    }
    for dept, who in APPROVERS.items():
        refuse = dept == "民政局"
        ok(
            _act(
                world,
                who,
                branches[dept],
                "refuse" if refuse else "approve",
                "不符合规划" if refuse else "同意",
            )
        )
    decide = world.open_task(number)

    grant = _act(world, "zj_head", decide, "approve", "准予")
    assert grant.status_code == 409 and grant.json()["code"] == "out_of_procedure"
    assert "联合审查未通过" in grant.json()["detail"]
    assert OutOfProcedureAttempt.objects.filter(case__number=number, action="approve").count() == 1

    wrong = world["zj_approver"].post(f"/tasks/{decide.pk}/coordination", {"opinion": "协调"})
    assert wrong.status_code == 403
    empty = world["zj_head"].post(f"/tasks/{decide.pk}/coordination", {"opinion": ""})
    assert empty.status_code == 422 and empty.json()["detail"][0]["field"] == "opinion"
    started = world["zj_head"].post(f"/tasks/{decide.pk}/coordination", {"opinion": "召开联审协调会"})
    assert started.status_code == 201, started.content.decode()
    (new,) = started.json()
    assert new["task"]["department"]["name"] == "县民政局" and new["case_status"]["value"] == "in_progress"
    assert LedgerEntry.objects.filter(subject=number, action="coordination_started").exists()

    ok(_act(world, "mz_approver", Task.objects.get(pk=new["task"]["id"]), "approve", "经协调，同意"))
    assert ok(_act(world, "zj_head", world.open_task(number), "approve", "准予"))["case_status"]["value"] == (
        "concluded"
    )
    assert detail(world, number)["decision"]["value"] == "approved"
