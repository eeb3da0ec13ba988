"""Art. 45 special procedures stop the clocks exactly; art. 42 extension; clocks follow a confirmed year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.cases import actions
from govhall.cases.actions import OutOfProcedure
from govhall.cases.choices import CaseStatus
from govhall.cases.models import Extension, Task
from govhall.clocks.actions import status
from govhall.clocks.choices import ClockState, Light
from govhall.documents.models import Document
from govhall.notifications.models import Notification

from .conftest import PERSON, uploads_for

SUBSIDY = "最低生活保障对象认定"  # special_procedure template, promised 20 working days, publicity allowed
CANCEL = "企业营业执照注销登记"


def accepted(hall, name, *, by="clerk"):
    item = hall.item(name)
    case = actions.submit_application(
        item=item, applicant=PERSON, channel="window", by=hall[by], uploads=uploads_for(item)
    )
    actions.accept_case(case, by=hall["clerk"])
    case.refresh_from_db()
    return case


@pytest.fixture
def subsidy_clerk(hall):
    # 民政局 items are received by a 民政 clerk.
    from govhall.org.actions import create_staff

    d = hall.catalog.departments
    hall.users["mz_clerk"] = create_staff(
        "mz_clerk",
        "民政窗口",
        "T800",
        ["window_clerk"],
        [d["mzj"]],
        window=None,
        sites=[hall.catalog.window.hall.site],
    ).user
    return hall


def test_special_procedure_stops_case_and_step_clocks_exactly(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall, CANCEL)  # promised 3 working days → Thursday 5 March
        review = Task.objects.get(case=case, status="open")
        step_due_before = review.clock.due_day
        assert case.clock.due_day == dt.date(2026, 3, 5)
    with at(2026, 3, 3, 9):
        with pytest.raises(ValidationError) as exc:
            actions.start_special_procedure(
                case, by=hall["approver"], kind="publicity", reason="公示", expected_days=0
            )
        assert "expected_days" in exc.value.message_dict
        pause = actions.start_special_procedure(
            case, by=hall["approver"], kind="publicity", reason="注销前公示债权人", expected_days=5
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    assert case.clock.state == ClockState.PAUSED and case.legal_clock.state == ClockState.PAUSED
    notice = Document.objects.get(case_number=case.number, kind="special_procedure")
    assert "5 个工作日" in " ".join(notice.content["paragraphs"])
    assert Notification.objects.filter(case_number=case.number, kind="special_procedure").exists()
    # While suspended nobody may decide, and the light does not turn red even long after the old deadline.
    review.refresh_from_db()
    with at(2026, 3, 6, 9):
        with pytest.raises(OutOfProcedure):
            actions.act_on_task(review, by=hall["approver"], action="approve")
        assert status(case.clock).light != Light.RED
    with at(2026, 3, 10, 16):  # Tuesday: Wed 4 … Tue 10 = 5 working days not counted
        actions.end_special_procedure(pause, by=hall["approver"], result="公示期满无异议")
    case.refresh_from_db()
    review.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.clock.paused_amount == 5
    assert case.clock.due_day == dt.date(2026, 3, 12)  # 5 March + 5 working days
    assert review.clock.due_day == step_due_before + (dt.date(2026, 3, 12) - dt.date(2026, 3, 5))


def test_extension_under_article_42(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall, CANCEL)
        with pytest.raises(PermissionDenied):
            actions.extend_case(case, by=hall["approver"], amount=5, reason="情况复杂")
    with at(2026, 3, 5, 10):
        assert status(case.clock).light == Light.YELLOW
        with pytest.raises(ValidationError) as exc:
            actions.extend_case(case, by=hall["head"], amount=11, reason="情况复杂")
        assert "amount" in exc.value.message_dict
        with pytest.raises(ValidationError):
            actions.extend_case(case, by=hall["head"], amount=5, reason="")
        actions.extend_case(case, by=hall["head"], amount=10, reason="需核查分支机构债务")
        case.refresh_from_db()
        assert status(case.clock).light == Light.GREEN
    assert case.clock.due_day == dt.date(2026, 3, 19)
    assert case.legal_clock.due_day == dt.date(2026, 4, 7)  # 15 + 10 working days (清明 4–6 April 2026)
    ext = Extension.objects.get(case=case)
    assert ext.approved_by == hall["head"] and ext.amount == 10
    assert Document.objects.filter(case_number=case.number, kind="extension").exists()
    assert Notification.objects.filter(case_number=case.number, kind="extended").exists()
    with at(2026, 3, 6, 10), pytest.raises(OutOfProcedure, match="不得再次延期"):
        actions.extend_case(case, by=hall["head"], amount=1, reason="再延")


def test_correction_during_processing_pauses_and_resumes(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall, CANCEL)
    with at(2026, 3, 3, 10):
        actions.request_correction(
            case, by=hall["approver"], missing=[{"name": "清税证明", "reason": "审查中发现缺少"}]
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION and case.clock.state == ClockState.PAUSED
    from govhall.cases.uploads import Upload

    from .conftest import PDF

    with at(2026, 3, 5, 10):
        actions.submit_correction(case, by=hall["clerk"], uploads=[Upload("清税证明.pdf", PDF)])
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.clock.due_day == dt.date(2026, 3, 9)  # Wed 4 and Thu 5 not counted


def test_subsidy_template_allows_special_procedure_at_its_own_step(subsidy_clerk, at):
    hall = subsidy_clerk
    with at(2026, 3, 2, 10):
        case = accepted(hall, SUBSIDY, by="mz_clerk")
        review = Task.objects.get(case=case, status="open")
        actions.act_on_task(review, by=hall["mz_approver"], action="approve")
        special = Task.objects.get(case=case, status="open")
        assert special.step_key == "special"
        with pytest.raises(OutOfProcedure, match="特别程序只有"):
            actions.start_special_procedure(
                case, by=hall["mz_approver"], kind="hearing", reason="听证", expected_days=3
            )
        actions.start_special_procedure(
            case, by=hall["mz_approver"], kind="publicity", reason="张榜公示", expected_days=7
        )


def test_one_extension_cap_for_the_action_and_the_workbench_form(hall, at):
    from govhall.workbench.casepage import extension_limit

    with at(2026, 3, 2, 10):
        plain = accepted(hall, CANCEL)
        joint = accepted(hall, "建筑工程施工许可证核发", by="clerk")
    # 《行政许可法》第四十二条: 10 working days; joint handling (第二十六条): 15.
    assert actions.max_extension(plain) == extension_limit(plain) == 10
    assert actions.max_extension(joint) == extension_limit(joint) == 15
