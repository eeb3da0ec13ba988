"""Special procedures and extensions from the case page; the scoped, filtered case list."""

from __future__ import annotations

from govhall.cases.choices import CaseStatus, PauseKind
from govhall.cases.models import Case, Pause
from govhall.clocks.choices import ClockState
from govhall.workbench import views

from .conftest import CANCEL, LOW_INCOME, accepted, case_url, submitted


def test_special_procedure_started_and_ended_by_the_departments_approver(hall, as_user):
    case = accepted(hall, LOW_INCOME)  # 民政局; the item allows publicity and site inspection
    approver = as_user("mz_approver")
    page = approver.get(case_url(case)).content.decode()
    form = page[page.index('id="action-special_start"') :]
    assert "公示" in form and "听证" not in form[: form.index("</form>")]
    bad = approver.post(
        case_url(case, "actions/special_start/"),
        {
            "special_start-kind": "publicity",
            "special_start-reason": "公示低保对象",
            "special_start-expected_days": "0",
        },
    )
    assert bad.status_code == 200 and "确保该值大于或等于1" in bad.content.decode()
    response = approver.post(
        case_url(case, "actions/special_start/"),
        {
            "special_start-kind": "publicity",
            "special_start-reason": "公示低保对象",
            "special_start-expected_days": "7",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED and case.clock.state == ClockState.PAUSED
    page = approver.get(case_url(case)).content.decode()
    assert "特别程序告知书" in page and "预计 7 个工作日" in page and 'id="action-special_end"' in page
    # The clerk of another department cannot start or end it; the action says why.
    response = as_user("clerk").post(case_url(case, "actions/special_end/"), {"special_end-result": "x"})
    assert response.status_code == 403
    assert (
        approver.post(
            case_url(case, "actions/special_end/"), {"special_end-result": "公示无异议"}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.clock.state == ClockState.RUNNING
    assert Pause.objects.get(case=case, kind=PauseKind.PUBLICITY).result == "公示无异议"


def test_extension_by_the_department_head_within_the_legal_limit(hall, as_user):
    case = accepted(hall)
    assert 'id="action-extend"' not in as_user("approver").get(case_url(case)).content.decode()
    head = as_user("head")
    due_before = case.clock.due_day
    too_long = head.post(
        case_url(case, "actions/extend/"), {"extend-amount": "11", "extend-reason": "需补充调查"}
    )
    assert too_long.status_code == 200 and "延长期限最多 10 个工作日" in too_long.content.decode()
    no_reason = head.post(case_url(case, "actions/extend/"), {"extend-amount": "5", "extend-reason": ""})
    assert no_reason.status_code == 200 and "这个字段是必填项" in no_reason.content.decode()
    response = head.post(
        case_url(case, "actions/extend/"), {"extend-amount": "5", "extend-reason": "需补充调查"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extended and case.clock.due_day > due_before
    page = head.get(case_url(case)).content.decode()
    assert "已批准延长 5 个工作日" in page and "延期办理通知书" in page and 'id="action-extend"' not in page
    # Once only (art. 42): a second request is refused as out of procedure.
    again = head.post(case_url(case, "actions/extend/"), {"extend-amount": "2", "extend-reason": "再延"})
    assert again.status_code == 200 and "不得再次延期" in again.content.decode()


def test_case_list_is_scoped_filtered_and_paged(hall, as_user, monkeypatch):
    cancel = [submitted(hall) for _ in range(3)]
    low_income = accepted(hall, LOW_INCOME)
    clerk2 = as_user("clerk2")  # 市场监管局 only, received nothing
    page = clerk2.get("/workbench/cases/").content.decode()
    assert all(c.number in page for c in cancel) and low_income.number not in page
    assert "共 3 件" in page
    mz = as_user("mz_approver").get("/workbench/cases/").content.decode()
    assert low_income.number in mz and cancel[0].number not in mz
    clerk = as_user("clerk")  # received all four
    found = clerk.get("/workbench/cases/", {"status": "in_progress"}).content.decode()
    assert low_income.number in found and cancel[0].number not in found
    found = clerk.get("/workbench/cases/", {"item": "注销"}).content.decode()
    assert "共 3 件" in found and low_income.number not in found
    found = clerk.get("/workbench/cases/", {"number": cancel[1].number[-3:]}).content.decode()
    assert "共 1 件" in found and cancel[1].number in found
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = clerk.get("/workbench/cases/").content.decode()
    second = clerk.get("/workbench/cases/", {"page": 2}, headers={"HX-Request": "true"}).content.decode()
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second and "<html" not in second
    numbers = list(Case.objects.order_by("-received_at", "-pk").values_list("number", flat=True))
    assert numbers[0] in first and numbers[2] in second and numbers[0] not in second
    assert as_user("applicant").get("/workbench/cases/").status_code == 403
    assert CANCEL in first
