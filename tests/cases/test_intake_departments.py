"""Intake decisions belong to the case's department or a comprehensive window configured to act for it
(issue #9 item 1): the role alone is not enough."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.cases import actions
from govhall.cases.choices import CaseStatus
from govhall.cases.models import Case, CaseGroup
from govhall.core.models import AuditEvent
from govhall.org.actions import create_staff, create_window, update_window
from govhall.org.models import Window

from .conftest import PERSON, Hall, uploads_for
from .test_bundles import make_bundle
from .test_bundles import submit as submit_bundle

CANCEL = "企业营业执照注销登记"  # 市场监管局
PERMIT = "建筑工程施工许可证核发"  # 住建局
LOW_INCOME = "最低生活保障对象认定"  # 民政局


def _submit(hall: Hall, name: str) -> Case:
    item = hall.item(name)
    return actions.submit_application(
        item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )


def _clerk_at(hall: Hall, username: str, window: Window | None, departments: list[Any]) -> Any:
    return create_staff(
        username, "窗口人员", f"X{len(hall.users):03d}", ["window_clerk"], departments, window=window
    ).user


def _window(
    hall: Hall, number: str, kind: str, *, department: str = "scjg", acts_for: tuple[str, ...] = ()
) -> Window:
    assert hall.catalog.window is not None
    d = hall.catalog.departments
    return create_window(
        hall=hall.catalog.window.hall,
        number=number,
        name="综合受理窗口" if kind == "comprehensive" else "专业窗口",
        kind=kind,
        department=d[department],
        acts_for=[d[key] for key in acts_for],
    )


def test_a_clerk_of_another_department_cannot_decide_the_intake(hall: Hall, at: Any) -> None:
    with at(2026, 3, 2, 10):
        mz_window = _window(hall, "C02", "specialised", department="mzj")
        mz_clerk = _clerk_at(hall, "mz_clerk", mz_window, [hall.catalog.departments["mzj"]])
        case = _submit(hall, CANCEL)
        for decide in (
            lambda: actions.accept_case(case, by=mz_clerk),
            lambda: actions.refuse_application(case, by=mz_clerk, reasons="不符合条件"),
            lambda: actions.redirect_application(case, by=mz_clerk, agency="市行政审批局"),
            lambda: actions.request_correction(case, by=mz_clerk, missing=[{"name": "清算报告"}]),
        ):
            with pytest.raises(PermissionDenied, match="受理部门"):
                decide()
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED
        # Its own department's cases it decides as before.
        own = _submit(hall, LOW_INCOME)
        actions.accept_case(own, by=mz_clerk)
        own.refresh_from_db()
        assert own.status == CaseStatus.IN_PROGRESS


def test_a_comprehensive_window_decides_for_the_departments_it_acts_for(hall: Hall, at: Any) -> None:
    with at(2026, 3, 2, 10):
        window = _window(hall, "B23", "comprehensive", department="zjj", acts_for=("mzj",))
        desk = _clerk_at(hall, "zh_clerk", window, [])  # the window's own department (住建局) comes with it
        actions.accept_case(_submit(hall, LOW_INCOME), by=desk)  # acts for 民政局
        actions.accept_case(_submit(hall, PERMIT), by=desk)  # the window's own department
        with pytest.raises(PermissionDenied, match="受理部门"):
            actions.accept_case(_submit(hall, CANCEL), by=desk)  # 市场监管局: not configured
        # A window that stops being comprehensive stops acting for others (and the change is audited).
        update_window(window, kind="specialised")
        assert not window.acts_for.exists()
        assert AuditEvent.objects.filter(after__acts_for=[]).exists()
        with pytest.raises(PermissionDenied, match="受理部门"):
            actions.accept_case(_submit(hall, LOW_INCOME), by=desk)


def test_only_a_comprehensive_window_acts_for_other_departments(hall: Hall) -> None:
    with pytest.raises(ValidationError) as exc:
        _window(hall, "C03", "specialised", department="mzj", acts_for=("scjg",))
    assert "综合受理窗口" in str(exc.value)


def test_a_bundle_is_decided_by_its_lead_department_only(hall: Hall, at: Any) -> None:
    with at(2026, 3, 2, 10):
        bundle = make_bundle(hall)  # led by 市场监管局, with a 人社局 member
        group = submit_bundle(hall, bundle)
        with pytest.raises(PermissionDenied, match="受理部门"):
            actions.accept_bundle(group, by=hall["rs_approver"])  # a member's department, not the lead
        with pytest.raises(PermissionDenied, match="受理部门"):
            actions.refuse_bundle(group, by=hall["rs_approver"], reasons="不符合条件")
        assert set(Case.objects.filter(group=group).values_list("status", flat=True)) == {
            CaseStatus.SUBMITTED
        }
        actions.accept_bundle(CaseGroup.objects.get(pk=group.pk), by=hall["approver"])  # 市场监管局
        assert set(Case.objects.filter(group=group).values_list("status", flat=True)) == {
            CaseStatus.IN_PROGRESS
        }
