"""The 审查 step: the reviewer may disagree with reasons (不同意), an opinion passed on to the deciding step as the
template allows; the head then decides on it. Audited in the case ledger."""

from __future__ import annotations

from govhall.cases.choices import CaseStatus, Decision, TaskStatus
from govhall.cases.models import Case, Task
from govhall.ledger.models import LedgerEntry

from .conftest import accepted, case_url

FOOD = "食品经营许可证核发"  # the site-inspection template: review → (inspection) → decision


def open_task(case: Case) -> Task:
    return Task.objects.get(case=case, status__in=["open", "claimed"])


def test_reviewer_disagrees_with_reasons_and_the_head_decides(hall, as_user):
    case = accepted(hall, FOOD)
    review = open_task(case)
    assert review.step_key == "review"
    approver = as_user("approver")
    page = approver.get(case_url(case)).content.decode()
    form = page.split(f'id="task-form-{review.pk}"', 1)[1].split("</form>", 1)[0]
    assert 'value="approve"' in form and 'value="refuse"' in form and "不同意" in form

    # No reasons: refused, nothing changes.
    response = approver.post(case_url(case, f"tasks/{review.pk}/act/"), {f"task{review.pk}-action": "refuse"})
    assert response.status_code in (200, 400) and "必须填写意见" in response.content.decode()
    review.refresh_from_db()
    assert review.status != TaskStatus.DONE

    reasons = "经营场所平面布局图与实际不符，建议不予许可"
    response = approver.post(
        case_url(case, f"tasks/{review.pk}/act/"),
        {f"task{review.pk}-action": "refuse", f"task{review.pk}-opinion": reasons},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == TaskStatus.DONE and review.outcome == "refuse" and review.opinion == reasons
    # Straight to the decision: no inspection is sent out on an application the reviewer disagrees with.
    decide = open_task(case)
    assert decide.step_key == "decide" and decide.role == "department_head"
    entry = LedgerEntry.objects.filter(subject=case.number, opinion=reasons).get()
    assert entry.after["outcome"] == "refuse"
    # The head sees the reviewer's reasons and may return the case to the review (the template allows it) …
    head = as_user("head")
    assert reasons in head.get(case_url(case)).content.decode()
    response = head.post(
        case_url(case, f"tasks/{decide.pk}/act/"),
        {
            f"task{decide.pk}-action": "return",
            f"task{decide.pk}-opinion": "请核实现场",
            f"task{decide.pk}-return_to": "review",
        },
    )
    assert response.status_code == 302
    review2 = open_task(case)
    assert review2.step_key == "review" and review2.round == 2
    # … and after a second disagreement decide not to grant.
    approver.post(
        case_url(case, f"tasks/{review2.pk}/act/"),
        {f"task{review2.pk}-action": "refuse", f"task{review2.pk}-opinion": "核实后仍不符合条件"},
    )
    decide2 = open_task(case)
    head.post(
        case_url(case, f"tasks/{decide2.pk}/act/"),
        {f"task{decide2.pk}-action": "refuse", f"task{decide2.pk}-opinion": "经营场所不符合食品安全条件"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED and case.decision == Decision.REFUSED
