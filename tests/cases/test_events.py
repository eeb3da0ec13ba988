"""The case event vocabulary and the timelines built from it: every code the actions write is a `CaseEvent`; the
public timeline shows public labels only, staff by role and no staff opinions; the workbench, the applicant's
pages and the API tell the same story."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from govhall.cases import actions
from govhall.cases.actions import OutOfProcedure
from govhall.cases.choices import CaseStatus, Channel
from govhall.cases.events import PROGRESS_TEXTS, PUBLIC_LABELS, TASK_EVENTS, CaseEvent
from govhall.cases.models import Case, Task
from govhall.cases.timeline import public_timeline, staff_timeline
from govhall.cases.uploads import Upload
from govhall.ledger import actions as ledger
from govhall.ledger.models import LedgerEntry

from .conftest import PDF, PERSON, Hall, uploads_for

CANCEL = "企业营业执照注销登记"  # standard process: review (special procedures allowed) → decide by the head
REVIEW_OPINION = "材料齐全，同意"
RETURN_OPINION = "补充核查债权债务"
EXTENSION_REASON = "需核查分支机构债务"


def open_task(case: Case) -> Task:
    return Task.objects.get(case=case, status__in=["open", "claimed"])


def submit(hall: Hall, *, skip: tuple[str, ...] = (), online: bool = False) -> Case:
    item = hall.item(CANCEL)
    return actions.submit_application(
        item=item,
        applicant=PERSON,
        channel=Channel.ONLINE if online else Channel.WINDOW,
        by=hall["applicant"] if online else hall["clerk"],
        uploads=uploads_for(item, skip=skip),
    )


def full_lifecycle(hall: Hall, at: Any) -> Case:
    """Online application → correction (partial, then complete) → acceptance → claim → special procedure →
    extension (and a refused second one) → approve → return → approve → approve → delivery."""
    charter = hall.item(CANCEL).materials.get(name="公司章程")
    with at(2026, 3, 2, 10):
        case = submit(hall, skip=("公司章程",), online=True)
        actions.request_correction(
            case, by=hall["clerk"], missing=[{"material": charter.pk, "reason": "未提交"}]
        )
    with at(2026, 3, 3, 9):
        actions.submit_correction(case, by=hall["applicant"], uploads=[Upload("other.pdf", PDF)])
        actions.submit_correction(case, by=hall["applicant"], uploads=[Upload("c.pdf", PDF, charter.pk)])
        actions.accept_case(case, by=hall["clerk"])
        review = open_task(case)
        actions.claim_task(review, by=hall["approver"])
        pause = actions.start_special_procedure(
            case, by=hall["approver"], kind="publicity", reason="注销前公示债权人", expected_days=5
        )
    with at(2026, 3, 10, 9):
        actions.end_special_procedure(pause, by=hall["approver"], result="公示期满无异议")
        actions.extend_case(case, by=hall["head"], amount=10, reason=EXTENSION_REASON)
        with pytest.raises(OutOfProcedure):
            actions.extend_case(case, by=hall["head"], amount=1, reason="再延")
        actions.act_on_task(review, by=hall["approver"], action="approve", opinion=REVIEW_OPINION)
        actions.act_on_task(
            open_task(case), by=hall["head"], action="return", return_to="review", opinion=RETURN_OPINION
        )
        actions.act_on_task(open_task(case), by=hall["approver"], action="approve", opinion="已核查")
        actions.act_on_task(open_task(case), by=hall["head"], action="approve", opinion="准予注销")
        actions.deliver_result(case, by=hall["clerk"])
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED and case.delivered_at is not None
    return case


def test_every_event_the_actions_write_is_a_case_event(hall: Hall, at: Any) -> None:
    full_lifecycle(hall, at)
    with at(2026, 3, 2, 10):
        withdrawn = submit(hall, online=True)
        actions.withdraw_case(withdrawn, by=hall["applicant"], reason="不再需要")
        refused = submit(hall)
        actions.refuse_application(refused, by=hall["clerk"], reasons="不符合法定条件")
        redirected = submit(hall)
        actions.redirect_application(
            redirected, by=hall["clerk"], agency="市市场监督管理局", reason="属市级权限"
        )
        submit(hall)  # left alone: deemed accepted when the intake clock runs out
        disapproved = submit(hall)
        actions.accept_case(disapproved, by=hall["clerk"])
        actions.act_on_task(open_task(disapproved), by=hall["approver"], action="approve")
        actions.act_on_task(
            open_task(disapproved), by=hall["head"], action="refuse", opinion="存在未结清债务"
        )
    with at(2026, 3, 10, 0, 0, 1):
        assert actions.deem_accepted_due() == 1

    written = set(LedgerEntry.objects.values_list("action", flat=True))
    assert written <= set(CaseEvent.values), written - set(CaseEvent.values)
    assert {
        CaseEvent.SUBMITTED,
        CaseEvent.ACCEPTED,
        CaseEvent.DEEMED_ACCEPTED,
        CaseEvent.CORRECTION_REQUESTED,
        CaseEvent.CORRECTION_SUBMITTED,
        CaseEvent.CORRECTION_COMPLETE,
        CaseEvent.REFUSED_INTAKE,
        CaseEvent.REDIRECTED,
        CaseEvent.TASK_CLAIMED,
        CaseEvent.TASK_APPROVE,
        CaseEvent.TASK_RETURN,
        CaseEvent.TASK_REFUSE,
        CaseEvent.DECIDED,
        CaseEvent.WITHDRAWN,
        CaseEvent.DELIVERED,
        CaseEvent.SPECIAL_PROCEDURE_STARTED,
        CaseEvent.SPECIAL_PROCEDURE_ENDED,
        CaseEvent.EXTENDED,
        CaseEvent.OUT_OF_PROCEDURE,
    } <= written


def test_vocabulary_is_consistent() -> None:
    assert set(TASK_EVENTS.values()) <= set(PUBLIC_LABELS)
    assert set(PROGRESS_TEXTS) <= set(PUBLIC_LABELS)  # a sentence for the public only where there is a label
    assert CaseEvent.TASK_CLAIMED.public_label is None and CaseEvent.OUT_OF_PROCEDURE.progress_text is None
    assert CaseEvent.ACCEPTED.label == "受理" and CaseEvent.ACCEPTED.public_label == "予以受理"
    assert CaseEvent.ACCEPTED.progress_text == "已受理"
    assert CaseEvent.EXTENDED.progress_text == PUBLIC_LABELS[CaseEvent.EXTENDED]  # falls back to the label
    assert CaseEvent.for_task("return") == CaseEvent.TASK_RETURN
    assert CaseEvent.parse("accepted") == CaseEvent.ACCEPTED and CaseEvent.parse("no_such_event") is None
    assert CaseEvent.OUT_OF_PROCEDURE.color == "red" and CaseEvent.SUBMITTED.color == "gray"


def test_public_timeline_shows_public_labels_and_hides_staff_events_and_opinions(hall: Hall, at: Any) -> None:
    case = full_lifecycle(hall, at)
    rows = public_timeline(case)
    titles = [r.title for r in rows]
    assert titles[:6] == [
        "提交申请",
        "一次性告知补正材料",
        "提交补正材料",
        "提交补正材料",
        "补正材料齐全",
        "予以受理",
    ]
    assert (
        "审查：办理完毕" in titles
        and "审批决定：退回重新办理" in titles
        and titles[-2:]
        == [
            "作出决定",
            "送达审批结果",
        ]
    )
    assert all(r.event.public_label for r in rows)
    assert not {CaseEvent.TASK_CLAIMED, CaseEvent.OUT_OF_PROCEDURE} & {r.event for r in rows}
    assert rows[2].detail == "仍需补正：公司章程"
    shown = " ".join(f"{r.title} {r.detail} {r.actor} {r.text}" for r in rows)
    for secret in (REVIEW_OPINION, RETURN_OPINION, "准予注销", "陈窗口", "黄审批", "梁局长", "再延"):
        assert secret not in shown
    # 《行政许可法》第四十二条: the reason of the extension is the applicant's to know.
    extended = next(r for r in rows if r.event == CaseEvent.EXTENDED)
    assert extended.detail == f"延长 10 个工作日；理由：{EXTENSION_REASON}"
    assert {r.actor for r in rows} == {"申请人", "窗口工作人员", "审批人员", "部门负责人"}

    staff = staff_timeline(case)
    assert len(staff) == LedgerEntry.objects.filter(subject=case.number).count()
    labels = [r.label for r in staff]
    assert "领取任务" in labels and "违规操作（已拒绝）" in labels and "受理" in labels
    returned = next(r for r in staff if r.event == CaseEvent.TASK_RETURN)
    assert returned.opinion == RETURN_OPINION and returned.actor == "梁局长"
    assert returned.detail == "审批决定；退回至“审查”"


def test_an_event_this_version_does_not_know_is_staff_only(hall: Hall, at: Any) -> None:
    with at(2026, 3, 2, 10):
        case = submit(hall)
        with transaction.atomic():
            ledger.append(
                subject=case.number, subject_id=case.pk, action="from_a_newer_version", actor_role="system"
            )
    assert [r.code for r in staff_timeline(case)] == ["submitted", "from_a_newer_version"]
    assert staff_timeline(case)[1].label == "from_a_newer_version"
    assert [r.event for r in public_timeline(case)] == [CaseEvent.SUBMITTED]


def _in_order(page: str, texts: list[str]) -> None:
    position = 0
    for text in texts:
        found = page.find(text, position)
        assert found >= 0, f"{text!r} missing (or out of order) after position {position}"
        position = found + len(text)


def test_workbench_portal_and_api_timelines_agree(hall: Hall, at: Any) -> None:
    case = full_lifecycle(hall, at)
    public = public_timeline(case)
    staff = staff_timeline(case)
    # The public rows are exactly the staff rows whose event has a public label, in the same order.
    assert [(r.at, r.event) for r in public] == [
        (r.at, r.event) for r in staff if r.event is not None and r.event.public_label
    ]

    approver = Client()
    approver.force_login(hall["approver"])
    workbench = approver.get(f"/workbench/cases/{case.number}/").content.decode()
    _in_order(workbench[workbench.index('id="timeline"') :], [r.label for r in staff])

    portal = Client().post("/progress/", {"number": case.number, "check_code": case.check_code})
    page = portal.content.decode()
    _in_order(page[page.index('id="timeline"') :], [r.title for r in public])

    api = Client().get("/api/v1/progress", {"number": case.number, "check_code": case.check_code})
    assert api.status_code == 200
    timeline = api.json()["timeline"]
    assert [e["title"] for e in timeline] == [r.title for r in public]
    assert [e["event"] for e in timeline] == [r.text for r in public]
    assert [e["actor"] for e in timeline] == [r.actor for r in public]
    assert [e["detail"] for e in timeline] == [r.detail for r in public]
    assert "“审查”办理完毕" in [e["event"] for e in timeline]
    assert "已作出审批决定：准予许可" in [e["event"] for e in timeline]
