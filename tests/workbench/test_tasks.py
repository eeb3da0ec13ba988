"""Approvers' task list and the task forms: own departments only, claim, approve, return, conflicts."""

from __future__ import annotations

import re

from govhall.cases import actions as case_actions
from govhall.cases.choices import CaseStatus, Decision, TaskStatus
from govhall.cases.models import Case, Task, TaskAttachment
from govhall.clocks.models import Clock
from govhall.notifications.actions import notify
from tests.cases.conftest import PDF, local

from .conftest import LOW_INCOME, accepted, case_url, pdf_file

PERMIT = "建筑工程施工许可证核发"


def review_task(case: Case) -> Task:
    return Task.objects.get(case=case, status__in=["open", "claimed"])


def test_approver_sees_only_own_department_tasks(hall, as_user):
    case = accepted(hall)  # 市场监管局
    task = review_task(case)
    mine = as_user("approver").get("/workbench/tasks/").content.decode()
    assert (
        case.number in mine and "审查" in mine and "light light-green" in mine and "剩余 2 个工作日" in mine
    )
    stranger = as_user("zj_approver")  # 住建局
    assert case.number not in stranger.get("/workbench/tasks/").content.decode()
    assert stranger.get(case_url(case)).status_code == 404
    assert stranger.post(case_url(case, f"tasks/{task.pk}/claim/")).status_code == 404
    assert (
        stranger.post(
            case_url(case, f"tasks/{task.pk}/act/"), {f"task{task.pk}-action": "approve"}
        ).status_code
        == 404
    )
    # The clerk can see the case (she received it) but holds no approver role: the action refuses with a 403.
    clerk = as_user("clerk")
    page = clerk.get(case_url(case)).content.decode()
    assert f'id="task-form-{task.pk}"' not in page
    response = clerk.post(case_url(case, f"tasks/{task.pk}/act/"), {f"task{task.pk}-action": "approve"})
    assert response.status_code == 403 and "审批人员" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    # A role without tasks at all is refused the list.
    assert as_user("applicant").get("/workbench/tasks/").status_code == 403


def test_claim_then_approve_then_the_head_decides(hall, as_user):
    case = accepted(hall)
    task = review_task(case)
    approver = as_user("approver")
    assert approver.post(case_url(case, f"tasks/{task.pk}/claim/")).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CLAIMED and task.assignee == hall["approver"]
    response = approver.post(
        case_url(case, f"tasks/{task.pk}/act/"),
        {
            f"task{task.pk}-action": "approve",
            f"task{task.pk}-opinion": "材料齐全，同意",
            f"task{task.pk}-attachment": pdf_file("核查.pdf"),
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.outcome == "approve" and task.opinion == "材料齐全，同意"
    attachment = TaskAttachment.objects.get(task=task)
    download = approver.get(case_url(case, f"attachments/{attachment.pk}/"))
    assert b"".join(download.streaming_content) == PDF
    decide = review_task(case)
    assert decide.role == "department_head"
    assert case.number not in approver.get("/workbench/tasks/").content.decode()
    head = as_user("head")
    page = head.get(case_url(case)).content.decode()
    assert "退回到" in page and "不同意" in page  # the decision step allows return and refusal
    response = head.post(
        case_url(case, f"tasks/{decide.pk}/act/"),
        {f"task{decide.pk}-action": "approve", f"task{decide.pk}-opinion": "准予注销"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED and case.decision == Decision.APPROVED
    page = head.get(case_url(case)).content.decode()
    assert "准予行政许可决定书" in page
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", page).group(1)
    done = desc[desc.index("已完成：") :]
    assert {"审查", "审批决定", "办结"} <= set(done.removeprefix("已完成：").rstrip("。").split("、"))
    assert "当前步骤" not in desc


def test_return_needs_an_opinion_and_a_target(hall, as_user):
    case = accepted(hall)
    approver = as_user("approver")
    task = review_task(case)
    approver.post(case_url(case, f"tasks/{task.pk}/act/"), {f"task{task.pk}-action": "approve"})
    decide = review_task(case)
    head = as_user("head")
    response = head.post(case_url(case, f"tasks/{decide.pk}/act/"), {f"task{decide.pk}-action": "return"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "退回或不同意必须填写意见" in page and "请选择退回到哪个环节" in page
    response = head.post(
        case_url(case, f"tasks/{decide.pk}/act/"),
        {
            f"task{decide.pk}-action": "return",
            f"task{decide.pk}-return_to": "review",
            f"task{decide.pk}-opinion": "补充核查债务",
        },
    )
    assert response.status_code == 302
    again = review_task(case)
    assert again.step_key == "review" and again.round == 2
    timeline = approver.get(case_url(case)).content.decode()
    timeline = timeline[timeline.index('id="timeline"') :]
    assert "退回至“审查”" in timeline and "补充核查债务" in timeline


def test_a_second_approval_of_the_same_task_shows_the_conflict(hall, as_user):
    case = accepted(hall)
    task = review_task(case)
    first, second = as_user("approver"), as_user("approver2")
    # Both have the page open; the first claims and approves.
    assert f'id="task-form-{task.pk}"' in second.get(case_url(case)).content.decode()
    first.post(case_url(case, f"tasks/{task.pk}/act/"), {f"task{task.pk}-action": "approve"})
    response = second.post(case_url(case, f"tasks/{task.pk}/act/"), {f"task{task.pk}-action": "approve"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "已由他人办理" in page and "不能重复办理" in page
    assert Task.objects.filter(case=case, step_key="decide").count() == 1


def test_a_claim_taken_by_someone_else_is_a_conflict(hall, as_user):
    case = accepted(hall)
    task = review_task(case)
    as_user("approver").post(case_url(case, f"tasks/{task.pk}/claim/"))
    other = as_user("approver2")
    page = other.get(case_url(case)).content.decode()
    assert "由 黄审批 办理中" in page and f'id="task-form-{task.pk}"' not in page
    response = other.post(case_url(case, f"tasks/{task.pk}/claim/"))
    assert response.status_code == 409 and "已由他人办理" in response.content.decode()
    response = other.post(case_url(case, f"tasks/{task.pk}/act/"), {f"task{task.pk}-action": "approve"})
    assert response.status_code == 409 and "该任务已由他人领取" in response.content.decode()
    task.refresh_from_db()
    assert task.assignee == hall["approver"] and task.status == TaskStatus.CLAIMED


def test_task_list_sorted_by_deadline_with_htmx_refresh(hall, as_user, clock):
    accepted(hall, LOW_INCOME)  # 民政局, promised 20 working days
    approver = as_user("mz_approver")
    clock.move_to(local(2026, 3, 3, 10, 0))
    fast = accepted(hall, LOW_INCOME)
    # Shorten the later case's review step: it now expires first and must be listed first.
    step = review_task(fast).clock
    Clock.objects.filter(pk=step.pk).update(due_at=local(2026, 3, 4, 0, 0), due_day=local(2026, 3, 3).date())
    page = approver.get("/workbench/tasks/").content.decode()
    assert 'hx-trigger="every 30s"' in page
    partial = approver.get("/workbench/tasks/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "<table" in partial
    numbers = [n for n in Case.objects.order_by("pk").values_list("number", flat=True)]
    assert partial.index(numbers[1]) < partial.index(numbers[0])


def test_home_counts_tasks_and_unread_notifications(hall, as_user):
    accepted(hall)
    notify(title="督办提醒", body="请尽快办理", user=hall["approver"], kind="supervision")
    approver = as_user("approver")
    page = approver.get("/workbench/").content.decode()
    assert '<strong id="open-tasks">1</strong>' in page and '<strong id="unread-count">1</strong>' in page
    assert "督办提醒" in page
    assert approver.post("/workbench/notifications/read/").status_code == 302
    page = approver.get("/workbench/").content.decode()
    assert '<strong id="unread-count">0</strong>' in page and "没有未读消息" in page
    assert '<strong id="open-tasks">0</strong>' in as_user("zj_approver").get("/workbench/").content.decode()


def test_joint_review_branch_is_worked_by_the_co_department(hall, as_user):
    case = accepted(hall, PERMIT)  # 住建局 leads; 市场监管局 and 民政局 co-review
    lead = Task.objects.get(case=case, step_key="lead_review")
    as_user("zj_approver").post(case_url(case, f"tasks/{lead.pk}/act/"), {f"task{lead.pk}-action": "approve"})
    mz_task = Task.objects.get(case=case, parallel_key="joint", department__short_name="民政局")
    mz = as_user("mz_approver")
    assert case.number in mz.get("/workbench/tasks/").content.decode()
    page = mz.get(case_url(case)).content.decode()
    assert "当前步骤：联合审查" in page and "民政局" in page
    form = page[page.index(f'id="task-form-{mz_task.pk}"') :]
    form = form[: form.index("</form>")]
    assert 'value="approve"' in form and 'value="refuse"' in form and 'value="return"' not in form
    # Only the branch of one's own department gets a form.
    others = Task.objects.filter(case=case, parallel_key="joint").exclude(pk=mz_task.pk)
    assert all(f'id="task-form-{t.pk}"' not in page for t in others)
    # Binding joint review: every department gives its opinion; the other two agree first (setup).
    for other in others:
        who = "zj_approver" if other.department.short_name == "住建局" else "approver"
        case_actions.act_on_task(other, by=hall[who], action="approve", opinion="同意")
    response = mz.post(
        case_url(case, f"tasks/{mz_task.pk}/act/"),
        {f"task{mz_task.pk}-action": "refuse", f"task{mz_task.pk}-opinion": "涉及养老设施用地，不同意"},
    )
    assert response.status_code == 302
    mz_task.refresh_from_db()
    assert mz_task.outcome == "refuse"
    # The all-join fails with the refusal: the lead's head decides next.
    assert Task.objects.get(case=case, status="open").step_key == "decide"


def test_failed_joint_review_offers_no_grant_but_a_coordination(hall, as_user):
    case = accepted(hall, PERMIT)
    lead = Task.objects.get(case=case, step_key="lead_review")
    case_actions.act_on_task(lead, by=hall["zj_approver"], action="approve")
    for branch in Task.objects.filter(case=case, parallel_key="joint").select_related("department"):
        name = branch.department.short_name
        who = {"住建局": "zj_approver", "市场监管局": "approver", "民政局": "mz_approver"}[name]
        refuse = name == "民政局"
        case_actions.act_on_task(
            branch, by=hall[who], action="refuse" if refuse else "approve", opinion="不同意" if refuse else ""
        )
    decide = Task.objects.get(case=case, status="open")
    head = as_user("zj_head")
    page = head.get(case_url(case)).content.decode()
    form = page[page.index(f'id="task-form-{decide.pk}"') :]
    form = form[: form.index("</form>")]
    assert 'value="approve"' not in form and 'value="refuse"' in form
    assert "启动联审协调" in page
    # A forged grant is refused by the form (and by the action behind it: tests/cases/test_joint_review.py).
    forged = head.post(case_url(case, f"tasks/{decide.pk}/act/"), {f"task{decide.pk}-action": "approve"})
    assert forged.status_code == 200
    decide.refresh_from_db()
    case.refresh_from_db()
    assert decide.status == TaskStatus.OPEN and case.decision == ""
    response = head.post(case_url(case, "actions/coordinate/"), {"coordinate-opinion": "召开联审协调会"})
    assert response.status_code == 302
    again = Task.objects.get(case=case, status="open")
    assert again.department.short_name == "民政局" and again.parallel_key == "joint"
    assert "联审协调" in again.step_name
