"""The case page: header, clocks, flowchart, timeline, files, and the intake action forms."""

from __future__ import annotations

from govhall.cases import actions
from govhall.cases.choices import CaseStatus, IntakeOutcome
from govhall.cases.models import Case, CorrectionNotice, OutOfProcedureAttempt
from govhall.documents.models import Document
from tests.cases.conftest import PDF, local

from .conftest import SOLE_TRADER, accepted, case_url, pdf_file, submitted


def test_missing_material_blocks_acceptance_with_the_chinese_reason(hall, as_user):
    case = submitted(hall, skip=("公司章程",))
    clerk = as_user("clerk")
    page = clerk.get(case_url(case)).content.decode()
    assert "材料不齐全：缺少“公司章程”" in page
    response = clerk.post(case_url(case, "actions/accept/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "受理未完成" in page and "材料不齐全（缺少：公司章程），应一次性告知补正，不能受理" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_one_time_correction_through_the_forms(hall, as_user):
    case = submitted(hall, skip=("公司章程",))
    clerk = as_user("clerk")
    charter = case.item.materials.get(name="公司章程")
    page = clerk.get(case_url(case)).content.decode()
    # The missing required material is ticked already.
    assert (
        f'value="{charter.pk}"' in page
        and "checked" in page[page.index(f'value="{charter.pk}"') - 200 :][:400]
    )
    empty = clerk.post(case_url(case, "actions/correction/"), {"correction-reason": "缺少"})
    assert empty.status_code == 200 and "请勾选或填写需要补正的全部材料" in empty.content.decode()
    assert not CorrectionNotice.objects.exists()
    response = clerk.post(
        case_url(case, "actions/correction/"),
        {
            "correction-materials": [str(charter.pk)],
            "correction-reason": "须全体股东签字",
            "correction-extra_items": "股东会决议: 原件\n清算报告",
            "correction-note": "补齐后到A05窗口",
        },
    )
    assert response.status_code == 302
    notice = CorrectionNotice.objects.get(case=case)
    assert notice.items == [
        {"material": charter.pk, "name": "公司章程", "reason": "须全体股东签字"},
        {"material": None, "name": "股东会决议", "reason": "原件"},
        {"material": None, "name": "清算报告", "reason": ""},
    ]
    page = clerk.get(case_url(case)).content.decode()
    assert "已出具一次性补正告知书，共 3 项" in page and "补正材料通知书" in page
    assert 'id="action-correction"' not in page and 'id="action-submit_correction"' in page
    # A second notice is against the law (art. 32: once): refused, recorded, and shown as such.
    again = clerk.post(case_url(case, "actions/correction/"), {"correction-extra_items": "身份证明"})
    assert again.status_code == 200
    assert "不符合办理流程" in again.content.decode() and "不得再次要求补正" in again.content.decode()
    assert OutOfProcedureAttempt.objects.filter(case=case, action="correction").count() == 1
    # The clerk hands in the listed material and one extra file for the free-text items.
    response = clerk.post(
        case_url(case, "actions/submit_correction/"),
        {
            f"submit_correction-material_{charter.pk}": pdf_file("章程.pdf"),
            "submit_correction-extra": pdf_file("决议.pdf"),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert clerk.post(case_url(case, "actions/accept/")).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.intake_outcome == IntakeOutcome.ACCEPTED


def test_refuse_and_redirect_need_their_reasons(hall, as_user):
    clerk = as_user("clerk")
    case = submitted(hall)
    response = clerk.post(case_url(case, "actions/refuse/"), {"refuse-reasons": " "})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert (
        clerk.post(case_url(case, "actions/refuse/"), {"refuse-reasons": "申请人不具备主体资格"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_ACCEPTED and case.intake_reason == "申请人不具备主体资格"
    other = submitted(hall)
    clerk.post(case_url(other, "actions/redirect/"), {"redirect-agency": "市行政审批局"})
    other.refresh_from_db()
    assert other.status == CaseStatus.REDIRECTED and other.redirect_agency == "市行政审批局"
    assert "有权机关" in clerk.get(case_url(other)).content.decode()


def test_instant_item_is_decided_at_the_window(hall, as_user):
    case = submitted(hall, SOLE_TRADER)
    clerk = as_user("clerk")
    assert 'id="action-instant"' in clerk.get(case_url(case)).content.decode()
    response = clerk.post(case_url(case, "actions/instant/"), {"instant-opinion": "当场办结"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED and case.decided_at is not None
    page = clerk.get(case_url(case)).content.decode()
    assert "即办件已当场办结" in page and "送达时限" in page and 'id="action-deliver"' in page
    assert clerk.post(case_url(case, "actions/deliver/"), {"deliver-method": "窗口领取"}).status_code == 302
    case.refresh_from_db()
    assert case.delivered_at is not None


def test_case_page_shows_flowchart_timeline_and_clock_lights(hall, as_user, clock):
    case = accepted(hall)
    approver = as_user("approver")
    approver.post(case_url(case, f"tasks/{case.tasks.get().pk}/claim/"))
    page = approver.get(case_url(case)).content.decode()
    # Flowchart: the review step is the current one.
    assert "<svg" in page and "标准承诺件流程流程图" in page and "当前步骤：审查" in page
    # Timeline from the audit chain, in Chinese, with who did it.
    timeline = page[page.index('id="timeline"') :]
    for text in ("收件", "受理", "领取任务", "陈窗口", "黄审批", "窗口工作人员", "审批人员"):
        assert text in timeline
    # Clocks: promised 3 working days from Monday (due Thursday), legal 15 beside it, both green.
    clocks = page[page.index('id="clocks"') : page.index('id="tasks"')]
    assert "承诺办结时限" in clocks and "法定办结时限" in clocks
    assert "剩余 3 个工作日" in clocks and "剩余 15 个工作日" in clocks
    assert clocks.count("light light-green") == 2 and "受理审查时限" not in clocks
    # Thursday: the last day of the promise is yellow; the next Monday it is red and overdue.
    clock.move_to(local(2026, 3, 5, 10, 0))
    clocks = approver.get(case_url(case)).content.decode()
    assert 'data-clock="case"' in clocks
    promised = clocks[clocks.index('data-clock="case"') : clocks.index('data-clock="legal"')]
    assert "light light-yellow" in promised and "今日到期" in promised
    clock.move_to(local(2026, 3, 9, 10, 0))
    page = approver.get(case_url(case)).content.decode()
    promised = page[page.index('data-clock="case"') : page.index('data-clock="legal"')]
    assert "light light-red" in promised and "已超期 2 个工作日" in promised


def test_files_are_served_only_within_scope(hall, as_user):
    case = accepted(hall)
    material = case.materials.first()
    response = as_user("clerk").get(case_url(case, f"materials/{material.pk}/"))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert as_user("zj_approver").get(case_url(case, f"materials/{material.pk}/")).status_code == 404
    other = accepted(hall)
    assert as_user("clerk").get(case_url(other, f"materials/{material.pk}/")).status_code == 404
    document = Document.objects.get(case_number=case.number, kind="acceptance")
    response = as_user("approver").get(case_url(case, f"documents/{document.pk}/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert as_user("mz_approver").get(case_url(case, f"documents/{document.pk}/")).status_code == 404
    assert as_user("clerk").get(case_url(other, f"documents/{document.pk}/")).status_code == 404


def test_withdrawal_by_the_clerk_for_the_applicant(hall, as_user):
    case = accepted(hall)
    clerk = as_user("clerk")
    assert (
        clerk.post(case_url(case, "actions/withdraw/"), {"withdraw-reason": "申请人书面申请撤回"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert not case.tasks.filter(status__in=["open", "claimed"]).exists()
    # An approver may not withdraw for the applicant: the action refuses, the page says so in Chinese.
    other = accepted(hall)
    response = as_user("approver").post(case_url(other, "actions/withdraw/"), {"withdraw-reason": "x"})
    assert (
        response.status_code == 403
        and "只有申请人本人或窗口工作人员可以撤回申请" in response.content.decode()
    )
    assert Case.objects.get(pk=other.pk).status == CaseStatus.IN_PROGRESS


def test_unknown_action_and_get_on_action_urls(hall, as_user):
    case = submitted(hall)
    clerk = as_user("clerk")
    assert clerk.post(case_url(case, "actions/nonsense/")).status_code == 404
    assert clerk.get(case_url(case, "actions/accept/")).status_code == 405
    assert 'id="action-accept"' in clerk.get(case_url(case)).content.decode()
    actions.accept_case(case, by=hall["clerk"])
    assert 'id="action-accept"' not in clerk.get(case_url(case)).content.decode()
