"""Intake decisions on the workbench case page belong to the case's department (issue #9 item 1): a co-department
approver who reaches the case through its joint-review task is refused, in Chinese, and nothing changes."""

from __future__ import annotations

from typing import Any

from govhall.cases import actions
from govhall.cases.choices import CaseStatus
from govhall.cases.models import Case, Task
from govhall.documents.models import Document

from .conftest import Hall, accepted, case_url

PERMIT = "建筑工程施工许可证核发"  # 住建局 leads; 市场监管局 and 民政局 co-review


def test_a_co_department_approver_cannot_refuse_or_redirect_the_intake(hall: Hall, as_user: Any) -> None:
    case = accepted(hall, PERMIT)
    lead = Task.objects.get(case=case, step_key="lead_review")
    actions.act_on_task(lead, by=hall["zj_approver"], action="approve", opinion="同意")
    # 住建局 asks for a correction during processing: the case is in 补正 again, open to an intake refusal.
    actions.request_correction(case, by=hall["zj_approver"], missing=[{"name": "消防设计审查意见"}])
    mz = as_user("mz_approver")
    assert mz.get(case_url(case)).status_code == 200  # visible through the 民政局 joint-review task
    response = mz.post(case_url(case, "actions/refuse/"), {"refuse-reasons": "不符合条件"})
    assert response.status_code == 403
    assert "受理部门" in response.content.decode()
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.CORRECTION
    assert not Document.objects.filter(case_number=case.number, kind="refusal").exists()
    # 住建局's own approver may.
    own = as_user("zj_approver").post(case_url(case, "actions/refuse/"), {"refuse-reasons": "不符合条件"})
    assert own.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NOT_ACCEPTED
