"""Intake decisions belong to the case's department (issue #9 item 1): an approver of another department who holds a
joint-review task on the case can see it, but may not decide its intake through POST /cases/{n}/intake."""

from __future__ import annotations

import pytest

from govhall.cases.models import Case, Task
from govhall.documents.models import Document
from govhall.ledger.models import LedgerEntry

from .cases_support import PERMIT, World, world_fixture  # noqa: F401  (fixture `world`)
from .test_cases_api import company, ok

pytestmark = pytest.mark.django_db


def _in_correction_with_joint_tasks(world: World) -> str:
    """A 住建局 permit in joint review (民政局 holds a branch task), then 住建局's correction notice during processing:
    the case is back in 补正 status, where the intake decisions apply again."""
    number = world.accepted(PERMIT, applicant=company())
    ok(world["zj_approver"].post(f"/tasks/{world.open_task(number).pk}/actions", {"action": "approve"}))
    assert Task.objects.filter(case__number=number, department__short_name="民政局", status="open").exists()
    body = {"decision": "correction", "missing": [{"name": "消防设计审查意见", "reason": "缺"}]}
    assert ok(world["zj_approver"].post(f"/cases/{number}/intake", body))["status"]["value"] == "correction"
    return number


def test_an_approver_with_only_a_joint_task_cannot_refuse_the_intake(world: World) -> None:
    number = _in_correction_with_joint_tasks(world)
    outsider = world["mz_approver"]  # 民政局: sees the case through its joint-review task
    assert outsider.get(f"/cases/{number}").status_code == 200
    refusal = {"decision": "refuse", "reasons": "不符合条件"}
    response = outsider.post(f"/cases/{number}/intake", refusal)
    assert response.status_code == 403, response.content.decode()
    assert "受理部门" in response.json()["detail"]
    case = Case.objects.get(number=number)
    assert case.status == "correction" and case.intake_outcome == "accepted"
    assert not Document.objects.filter(case_number=number, kind="refusal").exists()
    assert not LedgerEntry.objects.filter(subject=number, action="refused_intake").exists()
    # The case's own department still decides.
    decided = ok(world["zj_approver"].post(f"/cases/{number}/intake", refusal))
    assert decided["status"]["value"] == "not_accepted"
