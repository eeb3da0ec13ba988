"""Binding joint review (并联审批): every join rule with refusals in every position, the coordination step
(联审协调), grants against a failed join refused as out of procedure, and the join a case captures from its item."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.cases import actions
from govhall.cases.actions import OutOfProcedure
from govhall.cases.choices import CaseStatus, Decision, JoinResult, TaskStatus
from govhall.cases.events import CaseEvent
from govhall.cases.models import Case, JointReview, OutOfProcedureAttempt, Task
from govhall.catalog import actions as catalog_actions
from govhall.clocks.choices import ClockState
from govhall.clocks.models import Clock
from govhall.ledger.actions import verify
from govhall.ledger.models import LedgerEntry

from .conftest import COMPANY, Hall, uploads_for

PERMIT = "建筑工程施工许可证核发"  # joint review: 住建 leads, 市场监管 and 民政 co-review (tests/cases/conftest.py)
# The order the departments answer in, and who answers for each.
ORDER = ("住建局", "市场监管局", "民政局")
APPROVER = {"住建局": "zj_approver", "市场监管局": "approver", "民政局": "mz_approver"}


def _set_join(hall: Hall, rule: str, ratio: float | None = None) -> None:
    item = hall.item(PERMIT)
    catalog_actions.update_item(item, join_rule=rule, join_ratio=ratio, note="测试汇合规则")


def _joint_case(hall: Hall) -> tuple[Case, dict[str, Task]]:
    item = hall.item(PERMIT)
    case = actions.submit_application(
        item=item, applicant=COMPANY, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )
    actions.accept_case(case, by=hall["clerk"])
    lead = Task.objects.get(case=case, status="open")
    actions.act_on_task(lead, by=hall["zj_approver"], action="approve", opinion="牵头审查通过")
    branches = {t.department.short_name: t for t in Task.objects.filter(case=case, parallel_key="joint")}
    assert set(branches) == set(ORDER)
    return case, branches


def _answer(hall: Hall, task: Task, dept: str, refuse: bool) -> None:
    if refuse:
        actions.act_on_task(task, by=hall[APPROVER[dept]], action="refuse", opinion=f"{dept}不同意")
    else:
        actions.act_on_task(task, by=hall[APPROVER[dept]], action="approve", opinion="同意")


def _decide_task(case: Case) -> Task | None:
    return Task.objects.filter(case=case, step_key="decide", status__in=["open", "claimed"]).first()


def _refused_by_civil_affairs(hall: Hall) -> tuple[Case, Task]:
    """A joint case whose join failed on 民政局's refusal alone, at its decision task."""
    case, branches = _joint_case(hall)
    _answer(hall, branches["住建局"], "住建局", False)
    _answer(hall, branches["市场监管局"], "市场监管局", False)
    _answer(hall, branches["民政局"], "民政局", True)
    decide = _decide_task(case)
    assert decide is not None
    return case, decide


def _joined(case: Case) -> list[dict[str, Any]]:
    return [
        e.after
        for e in LedgerEntry.objects.filter(
            subject=case.number, action=CaseEvent.JOINT_REVIEW_JOINED
        ).order_by("seq")
    ]


def _grant_is_refused(hall: Hall, case: Case, decide: Task) -> None:
    with pytest.raises(OutOfProcedure, match="联合审查未通过"):
        actions.act_on_task(decide, by=hall["zj_head"], action="approve", opinion="准予")
    attempt = OutOfProcedureAttempt.objects.get(case=case)
    assert attempt.task_id == decide.pk and attempt.action == "approve"
    assert LedgerEntry.objects.filter(subject=case.number, action=CaseEvent.OUT_OF_PROCEDURE).count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.decision == ""
    assert _decide_task(case) == decide  # nothing moved
    # The grant is refused after its task's statement completed the task and stopped its clocks (the failed join is
    # read in that statement): all of it rolled back.
    running = Clock.objects.filter(pk__in=[decide.clock_id, case.clock_id, case.legal_clock_id])
    assert set(running.values_list("state", flat=True)) == {ClockState.RUNNING}
    assert Task.objects.get(pk=decide.pk).completed_at is None


POSITIONS = {
    "first": {0},
    "middle": {1},
    "last": {2},
    "all": {0, 1, 2},
    "none": set(),
}


@pytest.mark.parametrize("where", list(POSITIONS))
def test_all_every_department_answers_and_a_refusal_binds(hall, at, where):
    refusing = POSITIONS[where]
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        for index, dept in enumerate(ORDER):
            assert _decide_task(case) is None  # the join waits for every department
            _answer(hall, branches[dept], dept, index in refusing)
            if index < 2:
                # No branch is cancelled by a refusal: each department gives its own opinion.
                assert not Task.objects.filter(case=case, status=TaskStatus.CANCELLED).exists()
        decide = _decide_task(case)
        assert decide is not None
        (joined,) = _joined(case)
        assert joined["rule"] == "all" and joined["total"] == 3 and joined["cancelled"] == []
        assert joined["refusals"] == len(refusing)
        review = JointReview.objects.get(case=case)
        if refusing:
            assert joined["verdict"] == "failed" and review.result == JoinResult.FAILED
            _grant_is_refused(hall, case, decide)
            actions.act_on_task(decide, by=hall["zj_head"], action="refuse", opinion="联合审查未通过")
            case.refresh_from_db()
            assert case.decision == Decision.REFUSED
        else:
            assert joined["verdict"] == "passed" and review.result == JoinResult.PASSED
            actions.act_on_task(decide, by=hall["zj_head"], action="approve", opinion="准予")
            case.refresh_from_db()
            assert case.decision == Decision.APPROVED


@pytest.mark.parametrize("where", list(POSITIONS))
def test_any_first_approval_joins_and_cancels_the_rest_on_record(hall, at, where):
    refusing = POSITIONS[where]
    _set_join(hall, "any")
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        first_approval = next((i for i in range(3) if i not in refusing), None)
        for index, dept in enumerate(ORDER):
            if first_approval is not None and index > first_approval:
                assert Task.objects.get(pk=branches[dept].pk).status == TaskStatus.CANCELLED
                continue
            assert _decide_task(case) is None
            _answer(hall, branches[dept], dept, index in refusing)
        decide = _decide_task(case)
        assert decide is not None
        (joined,) = _joined(case)
        if first_approval is None:  # every department refused
            assert joined["verdict"] == "failed" and joined["refusals"] == 3 and joined["cancelled"] == []
            _grant_is_refused(hall, case, decide)
        else:
            assert joined["verdict"] == "passed" and joined["approvals"] == 1
            cancelled = [ORDER[i] for i in range(first_approval + 1, 3)]
            assert [c["department"] for c in joined["cancelled"]] == [
                branches[d].department.name for d in cancelled
            ]
            actions.act_on_task(decide, by=hall["zj_head"], action="approve", opinion="准予")
            case.refresh_from_db()
            assert case.decision == Decision.APPROVED


@pytest.mark.parametrize(
    ("refusing", "verdict"),
    [
        ({0}, "passed"),  # refusal first; 2 of 3 still approve
        ({1}, "passed"),
        ({2}, "passed"),  # ratio already met before the last answers: the last still gives its opinion
        ({0, 1}, "failed"),  # ratio out of reach after the second answer: the last still gives its opinion
        ({0, 1, 2}, "failed"),
        (set(), "passed"),
    ],
)
def test_ratio_waits_for_every_department(hall, at, refusing, verdict):
    _set_join(hall, "ratio", 0.6)  # ceil(0.6 × 3) = 2 approvals needed
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        for dept in ORDER:
            assert (
                _decide_task(case) is None
            )  # met or out of reach, the join closes only with the last answer
            _answer(hall, branches[dept], dept, ORDER.index(dept) in refusing)
        (joined,) = _joined(case)
        assert joined["rule"] == "ratio" and joined["ratio"] == 0.6 and joined["verdict"] == verdict
        assert joined["cancelled"] == [] and joined["refusals"] == len(refusing)
        decide = _decide_task(case)
        assert decide is not None
        if verdict == "failed":
            _grant_is_refused(hall, case, decide)
        else:
            actions.act_on_task(decide, by=hall["zj_head"], action="approve", opinion="准予")


def test_coordination_new_round_then_grant(hall, at):
    with at(2026, 3, 2, 10):
        case, decide = _refused_by_civil_affairs(hall)
    with at(2026, 3, 3, 10):
        # Only the lead department's head, at the deciding step, with the matter written down.
        with pytest.raises(PermissionDenied):
            actions.start_coordination(decide, by=hall["head"], opinion="协调")
        with pytest.raises(ValidationError, match="协调事项"):
            actions.start_coordination(decide, by=hall["zj_head"], opinion=" ")
        new = actions.start_coordination(
            decide, by=hall["zj_head"], opinion="召开联审协调会，民政局就规划意见重新审查"
        )
        assert [t.department.short_name for t in new] == ["民政局"]
        assert new[0].round == decide.round + 1 and new[0].step_name.endswith("联审协调")
        decide.refresh_from_db()
        assert decide.status == TaskStatus.CANCELLED
        started = LedgerEntry.objects.get(subject=case.number, action=CaseEvent.COORDINATION_STARTED)
        assert started.after["departments"] == ["县民政局"] and started.after["coordination"] == 1
        assert started.opinion == "召开联审协调会，民政局就规划意见重新审查"
        assert started.actor_id == hall["zj_head"].pk
        review = JointReview.objects.get(case=case)
        assert review.result == JoinResult.PENDING and review.coordinating
    with at(2026, 3, 4, 10):
        actions.act_on_task(new[0], by=hall["mz_approver"], action="approve", opinion="经协调，同意")
        joined = _joined(case)
        assert [j["verdict"] for j in joined] == ["failed", "passed"]
        assert joined[1]["approvals"] == 3  # the two earlier approvals stand
        ended = LedgerEntry.objects.get(subject=case.number, action=CaseEvent.COORDINATION_ENDED)
        assert ended.after == {"step": "joint", "coordination": 1, "verdict": "passed"}
        decide2 = _decide_task(case)
        assert decide2 is not None and decide2.pk != decide.pk
        actions.act_on_task(decide2, by=hall["zj_head"], action="approve", opinion="准予")
    case.refresh_from_db()
    assert case.decision == Decision.APPROVED and case.status == CaseStatus.CONCLUDED
    assert verify().ok


def test_coordination_refused_again_still_binds(hall, at):
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        for dept in ORDER:
            _answer(hall, branches[dept], dept, dept != "住建局")
        decide = _decide_task(case)
        assert decide is not None
        new = actions.start_coordination(decide, by=hall["zj_head"], opinion="协调")
        assert sorted(t.department.short_name for t in new) == ["市场监管局", "民政局"]
        _answer(hall, new[0], new[0].department.short_name, False)
        assert _decide_task(case) is None  # the other refusing department has not answered yet
        _answer(hall, new[1], new[1].department.short_name, True)
        decide2 = _decide_task(case)
        assert decide2 is not None
        assert _joined(case)[-1]["verdict"] == "failed"
        _grant_is_refused(hall, case, decide2)


def test_coordination_only_after_a_failed_join(hall, at):
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        with pytest.raises(OutOfProcedure):  # at a branch, while the review runs
            actions.start_coordination(branches["住建局"], by=hall["zj_approver"], opinion="协调")
        for dept in ORDER:
            _answer(hall, branches[dept], dept, False)
        decide = _decide_task(case)
        assert decide is not None
        with pytest.raises(OutOfProcedure, match="联合审查未通过"):
            actions.start_coordination(decide, by=hall["zj_head"], opinion="协调")
    assert OutOfProcedureAttempt.objects.filter(case=case, action="coordination").count() == 2
    assert _decide_task(case) == decide


def test_a_running_case_keeps_the_join_it_captured(hall, at):
    _set_join(hall, "any")
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        # The administrator changes the item while the case is in joint review: all must agree, 民政 removed.
        item = hall.item(PERMIT)
        scjg = branches["市场监管局"].department
        catalog_actions.update_item(item, join_rule="all", joint_departments=[scjg], note="改规则")
        review = JointReview.objects.get(case=case)
        assert review.rule == "any"
        assert sorted(d.short_name for d in review.departments.all()) == ["市场监管局", "民政局"]
        # A return after the join re-opens the review with what the case captured, not the item's new setting.
        _answer(hall, branches["民政局"], "民政局", False)
        decide = _decide_task(case)
        assert decide is not None
        actions.act_on_task(
            decide, by=hall["zj_head"], action="return", return_to="lead_review", opinion="补充"
        )
        lead = Task.objects.get(case=case, step_key="lead_review", status="open")
        actions.act_on_task(lead, by=hall["zj_approver"], action="approve")
        again = Task.objects.filter(case=case, parallel_key="joint", round=lead.round, status="open")
        assert sorted(t.department.short_name for t in again) == sorted(ORDER)
        review.refresh_from_db()
        assert review.rule == "any" and review.round == lead.round and review.result == JoinResult.PENDING
    # A new case takes the item's new setting.
    with at(2026, 3, 3, 10):
        case2, branches2 = _joint_case_two(hall)
        assert JointReview.objects.get(case=case2).rule == "all"
        assert sorted(branches2) == ["住建局", "市场监管局"]


def _joint_case_two(hall: Hall) -> tuple[Case, dict[str, Task]]:
    item = hall.item(PERMIT)
    case = actions.submit_application(
        item=item, applicant=COMPANY, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )
    actions.accept_case(case, by=hall["clerk"])
    lead = Task.objects.get(case=case, status="open")
    actions.act_on_task(lead, by=hall["zj_approver"], action="approve")
    return case, {t.department.short_name: t for t in Task.objects.filter(case=case, parallel_key="joint")}


def test_an_edit_between_acceptance_and_the_joint_step_does_not_reach_the_case(hall, at):
    _set_join(hall, "any")
    item = hall.item(PERMIT)
    with at(2026, 3, 2, 10):
        case = actions.submit_application(
            item=item, applicant=COMPANY, channel="window", by=hall["clerk"], uploads=uploads_for(item)
        )
        actions.accept_case(case, by=hall["clerk"])
        case.refresh_from_db()
        assert case.join_rule == "any" and case.join_ratio is None
        assert case.joint_department_ids == sorted(item.joint_departments.values_list("pk", flat=True))
        # Accepted, still in lead review: the administrator makes it "all must agree" and drops 民政.
        scjg = hall.catalog.departments["scjg"]
        catalog_actions.update_item(item, join_rule="all", joint_departments=[scjg], note="改规则")
        lead = Task.objects.get(case=case, status="open")
        actions.act_on_task(lead, by=hall["zj_approver"], action="approve", opinion="牵头审查通过")
    review = JointReview.objects.get(case=case)
    assert review.rule == "any"
    assert sorted(d.short_name for d in review.departments.all()) == ["市场监管局", "民政局"]
    branches = {t.department.short_name for t in Task.objects.filter(case=case, parallel_key="joint")}
    assert branches == set(ORDER)


def test_a_case_accepted_before_the_snapshot_reads_its_item(hall, at):
    _set_join(hall, "any")
    item = hall.item(PERMIT)
    with at(2026, 3, 2, 10):
        case = actions.submit_application(
            item=item, applicant=COMPANY, channel="window", by=hall["clerk"], uploads=uploads_for(item)
        )
        actions.accept_case(case, by=hall["clerk"])
        # Test setup: a case from before migration 0009, with no copy of its join.
        Case.objects.filter(pk=case.pk).update(join_rule="", join_ratio=None, joint_department_ids=None)
        lead = Task.objects.get(case=case, status="open")
        actions.act_on_task(lead, by=hall["zj_approver"], action="approve", opinion="牵头审查通过")
    review = JointReview.objects.get(case=case)
    assert review.rule == "any" and review.departments.count() == 2


def test_the_review_and_its_current_branches_read_together_equal_the_two_reads(hall, at):
    """The branch action reads the review and the tasks of its current pass in one statement: the same review and
    the same tasks, field by field, as the review read alone and then the branch tasks of its round — here after a
    coordination, when the current pass mixes two rounds and an earlier task of a branch is replaced — and the
    open tasks of the step, which a join cancels, as their own read gives them."""
    from govhall.cases.actions import processing
    from govhall.workflow import engine as wf

    with at(2026, 3, 2, 10):
        case, decide = _refused_by_civil_affairs(hall)
    with at(2026, 3, 3, 10):
        actions.start_coordination(decide, by=hall["zj_head"], opinion="召开联审协调会")
    case.refresh_from_db()
    step = wf.spec_by_id(case.process_id).step("joint")

    def fields(obj: Any) -> dict[str, Any]:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    # As the branch action has them: the rows read with the statement that completes a task (here nothing is
    # completed), the task acted on (the coordination's new one) standing in for its row.
    rows = processing._BRANCHES_WITH_REVIEW.rows(case.pk, "joint", "joint")
    acted = Task.objects.get(case=case, parallel_key="joint", round=2)
    review, current, open_ = processing._review_and_branches(
        case, step, at=case.accepted_at, round_=1, acted=acted, rows=rows[::-1]
    )
    alone, _, _ = processing._joint_review(case, step, at=case.accepted_at, round_=1)
    assert fields(review) == fields(alone)
    assert review.coordinating and review._state.adding is False
    expected = processing._current_branches(case, alone)
    assert [fields(t) for t in current] == [fields(t) for t in expected]
    assert len(current) == 3 and sorted(t.round for t in current) == [1, 1, 2]
    # The open branch tasks, as _cancel_open would read them: the coordination's new task alone.
    assert open_ is not None and sorted(open_) == sorted(processing._OPEN_BRANCH_TASKS.rows(case.pk, "joint"))
    assert [pk for pk, _ in open_] == [t.pk for t in current if t.round == 2]
    assert any(t is acted for t in current)


def test_a_return_before_the_joint_step_opens_its_review_again(hall, at):
    """Opening the step inserts its review without reading first; a second pass (the decision returned the case to
    the lead's review after a failed join) finds the review there, inserts nothing, and restarts it: one review per
    case and step, the new round's branches, the failed result cleared — so the grant is allowed once all agree."""
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        review = JointReview.objects.get(case=case)
        departments = sorted(review.departments.values_list("pk", flat=True))
        for index, dept in enumerate(ORDER):
            _answer(hall, branches[dept], dept, index == 1)
        decide = _decide_task(case)
        assert decide is not None
        assert JointReview.objects.get(case=case).result == JoinResult.FAILED
    with at(2026, 3, 3, 10):
        actions.act_on_task(
            decide, by=hall["zj_head"], action="return", opinion="请牵头部门补充审查", return_to="lead_review"
        )
        lead = Task.objects.get(case=case, step_key="lead_review", status="open")
        assert lead.round == decide.round + 1
        actions.act_on_task(lead, by=hall["zj_approver"], action="approve", opinion="补充审查通过")
        again = JointReview.objects.get(case=case)  # still the one review of the step
        assert again.pk == review.pk and again.opened_at == review.opened_at
        assert again.round == lead.round and again.result == JoinResult.PENDING and not again.coordinating
        assert sorted(again.departments.values_list("pk", flat=True)) == departments
        second = {
            t.department.short_name: t
            for t in Task.objects.filter(case=case, parallel_key="joint", round=lead.round)
        }
        assert set(second) == set(ORDER) and all(t.status == TaskStatus.OPEN for t in second.values())
    with at(2026, 3, 4, 10):
        for dept in ORDER:
            assert _decide_task(case) is None  # the new pass waits for every department again
            _answer(hall, second[dept], dept, False)
        assert [j["verdict"] for j in _joined(case)] == ["failed", "passed"]
        decide2 = _decide_task(case)
        assert decide2 is not None
        actions.act_on_task(decide2, by=hall["zj_head"], action="approve", opinion="准予")
    case.refresh_from_db()
    assert case.decision == Decision.APPROVED and case.status == CaseStatus.CONCLUDED
    assert verify().ok
