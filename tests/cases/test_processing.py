"""Processing along the template: steps, returns, joint review joins, out-of-procedure attempts, concurrency."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from govhall.cases import actions
from govhall.cases.actions import OutOfProcedure, TaskConflict
from govhall.cases.choices import CaseStatus, Decision, TaskStatus
from govhall.cases.models import Case, OutOfProcedureAttempt, Task
from govhall.clocks.actions import status
from govhall.clocks.choices import ClockState, Light
from govhall.documents.models import Document
from govhall.ledger import actions as ledger
from govhall.ledger.models import LedgerEntry
from govhall.workflow import engine as wf
from govhall.workflow.actions import save_definition

from .conftest import COMPANY, PERSON, build_hall, uploads_for

CANCEL = "企业营业执照注销登记"
PERMIT = "建筑工程施工许可证核发"  # joint review: 住建 leads, 市场监管 and 民政 co-review


def accepted(hall, name=CANCEL, applicant=PERSON):
    item = hall.item(name)
    clerk = hall["clerk"]
    case = actions.submit_application(
        item=item, applicant=applicant, channel="window", by=clerk, uploads=uploads_for(item)
    )
    actions.accept_case(case, by=clerk)
    case.refresh_from_db()
    return case


def open_task(case, **filters):
    return Task.objects.get(case=case, status__in=["open", "claimed"], **filters)


def test_standard_flow_to_decision_and_delivery(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        review = open_task(case)
        assert review.step_key == "review" and review.department.short_name == "市场监管局"
        actions.claim_task(review, by=hall["approver"])
        actions.act_on_task(review, by=hall["approver"], action="approve", opinion="材料齐全，同意")
        decide = open_task(case)
        assert decide.role == "department_head"
    with at(2026, 3, 3, 15):
        actions.act_on_task(decide, by=hall["head"], action="approve", opinion="准予注销")
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED and case.decision == Decision.APPROVED
    assert case.clock.state == ClockState.STOPPED and case.clock.late is False
    assert case.delivery_clock.due_day == dt.date(2026, 3, 17)  # art. 44: 10 working days after the decision
    assert Document.objects.filter(case_number=case.number, kind="approval").exists()
    with at(2026, 3, 4, 9):
        actions.deliver_result(case, by=hall["clerk"])
    case.refresh_from_db()
    assert case.delivery_clock.state == ClockState.STOPPED and case.delivered_at is not None


def test_a_decision_on_a_task_read_with_its_case_reads_the_item_and_applicant_with_the_lock(hall, at):
    """A task read with its case tells the action its step decides: the lock's read then brings the case's item and
    applicant, which the decision's documents need, and nothing reads them after — one statement fewer than for
    the same decision on a task read alone, with the same decision, documents and recipient."""
    from django.test.utils import CaptureQueriesContext

    decided = []
    # The first decision also makes the year's document counters and compiles the reads: a warm-up, not compared.
    for with_case in (False, False, True):
        with at(2026, 3, 2, 10):
            case = accepted(hall)
            review = open_task(case)
            actions.act_on_task(review, by=hall["approver"], action="approve", opinion="同意")
            decide = (
                Task.objects.select_related("case").get(pk=open_task(case).pk)
                if with_case
                else open_task(case)
            )
        with at(2026, 3, 3, 15), CaptureQueriesContext(connection) as queries:
            actions.act_on_task(decide, by=hall["head"], action="approve", opinion="准予注销")
        statements = [q["sql"] for q in queries.captured_queries]
        case.refresh_from_db()
        documents = sorted((d.kind, d.recipient) for d in Document.objects.filter(case_number=case.number))
        decided.append((case.status, case.decision, documents, statements))
    _, (status_a, decision_a, documents_a, alone), (status_b, decision_b, documents_b, with_case) = decided
    assert (status_a, decision_a) == (status_b, decision_b) == (CaseStatus.CONCLUDED, Decision.APPROVED)
    assert documents_a == documents_b and documents_a and all(r == PERSON.name for _, r in documents_a)
    assert len(with_case) == len(alone) - 1
    # The task, its case (locked), the department, the item and the applicant: one read.
    assert any('FROM "cases_task"' in sql and '"catalog_serviceitem"' in sql for sql in with_case)
    assert not any('FROM "cases_task"' in sql and '"catalog_serviceitem"' in sql for sql in alone)


def test_return_to_an_earlier_step_and_refusal_with_reasons(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        actions.act_on_task(open_task(case), by=hall["approver"], action="approve")
        decide = open_task(case)
        actions.act_on_task(
            decide, by=hall["head"], action="return", return_to="review", opinion="补充核查债权债务"
        )
        again = open_task(case)
        assert again.step_key == "review" and again.round == 2
        actions.act_on_task(again, by=hall["approver"], action="approve", opinion="已核查")
        with pytest.raises(ValidationError):
            actions.act_on_task(open_task(case), by=hall["head"], action="refuse", opinion="")
        actions.act_on_task(open_task(case), by=hall["head"], action="refuse", opinion="存在未结清债务")
    case.refresh_from_db()
    assert case.decision == Decision.REFUSED and case.decision_reason == "存在未结清债务"
    doc = Document.objects.get(case_number=case.number, kind="disapproval")
    assert "行政复议" in doc.content["remedies"]


def test_actions_outside_the_template_are_refused_and_recorded(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        review = open_task(case)
        # The standard template's review step can only approve; it cannot return or decide.
        with pytest.raises(OutOfProcedure):
            actions.act_on_task(review, by=hall["approver"], action="return", return_to="review", opinion="x")
        actions.act_on_task(review, by=hall["approver"], action="approve")
        decide = open_task(case)
        with pytest.raises(OutOfProcedure, match="不能退回"):
            actions.act_on_task(decide, by=hall["head"], action="return", return_to="nowhere", opinion="x")
        # Acting on a finished task is a conflict, not a second decision.
        with pytest.raises(TaskConflict):
            actions.act_on_task(review, by=hall["approver"], action="approve")
        # Another department's approver may not act at all.
        with pytest.raises(PermissionDenied):
            actions.act_on_task(decide, by=hall["zj_head"], action="approve")
    attempts = OutOfProcedureAttempt.objects.filter(case=case)
    assert attempts.count() == 2
    assert LedgerEntry.objects.filter(subject=case.number, action="out_of_procedure").count() == 2
    assert open_task(case).pk == decide.pk  # nothing moved


def _joint_case(hall):
    case = accepted(hall, PERMIT, applicant=COMPANY)
    actions.act_on_task(open_task(case), by=hall["zj_approver"], action="approve", opinion="牵头审查通过")
    branches = list(Task.objects.filter(case=case, parallel_key="joint").order_by("pk"))
    return case, branches


def test_joint_review_all_waits_for_every_department(hall, at):
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        assert sorted(b.department.short_name for b in branches) == ["住建局", "市场监管局", "民政局"]
        by_dept = {b.department.short_name: b for b in branches}
        actions.act_on_task(by_dept["住建局"], by=hall["zj_approver"], action="approve")
        actions.act_on_task(by_dept["市场监管局"], by=hall["approver"], action="approve")
        assert not Task.objects.filter(case=case, step_key="decide").exists()
        actions.act_on_task(by_dept["民政局"], by=hall["mz_approver"], action="approve")
        decide = open_task(case)
        assert decide.step_key == "decide" and decide.department.short_name == "住建局"
    joined = LedgerEntry.objects.get(subject=case.number, action="joint_review_joined")
    assert joined.after["verdict"] == "passed" and joined.after["approvals"] == 3


def test_joint_review_all_fails_once_every_department_answered(hall, at):
    # Binding joint review (issue #8): a refusal under 会签 no longer cancels the other branches; every department
    # gives its opinion, then the join fails and the head decides (on_fail → decide) — and may not grant.
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        by_dept = {b.department.short_name: b for b in branches}
        actions.act_on_task(by_dept["民政局"], by=hall["mz_approver"], action="refuse", opinion="不符合规划")
        assert Task.objects.filter(case=case, parallel_key="joint", status=TaskStatus.CANCELLED).count() == 0
        assert not Task.objects.filter(case=case, step_key="decide").exists()
        actions.act_on_task(by_dept["住建局"], by=hall["zj_approver"], action="approve")
        actions.act_on_task(by_dept["市场监管局"], by=hall["approver"], action="approve")
        assert open_task(case).step_key == "decide"
    joined = LedgerEntry.objects.get(subject=case.number, action="joint_review_joined")
    assert joined.after["verdict"] == "failed" and joined.after["refused_by"] == ["县民政局"]


def _use_join(rule, ratio=None):
    spec = wf.spec_of(wf.get_active("joint_review")).to_json()
    for step in spec["steps"]:
        if step["key"] == "joint":
            step["join"] = {"rule": rule, "ratio": ratio}
    save_definition(spec)


def test_joint_review_any_passes_at_first_approval(hall, at):
    _use_join("any")
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        sc = next(b for b in branches if b.department.short_name == "市场监管局")
        actions.act_on_task(sc, by=hall["approver"], action="approve")
        assert open_task(case).step_key == "decide"
        assert Task.objects.filter(case=case, parallel_key="joint", status=TaskStatus.CANCELLED).count() == 2


def test_joint_review_ratio(hall, at):
    _use_join("ratio", 0.6)  # 2 of 3
    with at(2026, 3, 2, 10):
        case, branches = _joint_case(hall)
        by_dept = {b.department.short_name: b for b in branches}
        actions.act_on_task(by_dept["民政局"], by=hall["mz_approver"], action="refuse", opinion="有异议")
        actions.act_on_task(by_dept["住建局"], by=hall["zj_approver"], action="approve")
        assert not Task.objects.filter(case=case, step_key="decide").exists()
        actions.act_on_task(by_dept["市场监管局"], by=hall["approver"], action="approve")
        assert open_task(case).step_key == "decide"


def test_step_overdue_inside_an_on_time_case(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall, PERMIT, applicant=COMPANY)
        lead = open_task(case)
        step_due = lead.clock.due_at
        assert step_due < case.clock.due_at
    # Just after the step's deadline: the step is red, the case (5 working days) is still not red.
    with at(2026, 3, 2, 10) as traveller:
        traveller.move_to(step_due + dt.timedelta(minutes=1))
        lead.clock.refresh_from_db()
        assert status(lead.clock).light == Light.RED
        assert status(case.clock).light != Light.RED
        actions.act_on_task(lead, by=hall["zj_approver"], action="approve")
    lead.refresh_from_db()
    assert lead.clock.late is True


def test_special_procedure_only_where_the_template_allows_it(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)  # standard: review allows special procedures, decide does not
        actions.act_on_task(open_task(case), by=hall["approver"], action="approve")
        with pytest.raises(OutOfProcedure, match="不允许启动特别程序"):
            actions.start_special_procedure(
                case, by=hall["approver"], kind="publicity", reason="公示", expected_days=5
            )
    assert OutOfProcedureAttempt.objects.filter(case=case, action="special_procedure").exists()


def test_bundle_cases_are_concluded_together(hall, at):
    from govhall.catalog.actions import create_bundle, set_bundle_status

    d = hall.catalog.departments
    bundle = create_bundle(
        code="B001",
        name="我要注销企业",
        lead_department=d["scjg"],
        promised_limit=5,
        promised_limit_unit="workday",
        items=[hall.item(CANCEL), hall.item("失业保险金申领")],
    )
    bundle = set_bundle_status(bundle, "published") or bundle
    bundle.refresh_from_db()
    with at(2026, 3, 2, 10):
        uploads = {i.pk: uploads_for(i) for i in bundle.items.all()}
        group = actions.submit_bundle(
            bundle=bundle, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads
        )
        cases = list(group.cases.order_by("pk"))
        assert len(cases) == 2
        actions.accept_bundle(group, by=hall["clerk"])  # one intake decision for the bundle
        first, second = cases
        actions.act_on_task(open_task(first), by=hall["approver"], action="approve")
        actions.act_on_task(open_task(first), by=hall["head"], action="approve")
        first.refresh_from_db()
        assert first.status == CaseStatus.DECIDED and first.concluded_at is None
    with at(2026, 3, 3, 10):
        actions.act_on_task(open_task(second), by=hall["rs_approver"], action="approve")
        decide = open_task(second)
    assert decide.role == "department_head"
    # 人社局 has no head in this hall: give one.
    from govhall.org.actions import create_staff

    rs_head = create_staff("rs_head", "钱局长", "T900", ["department_head"], [d["rsj"]]).user
    with at(2026, 3, 3, 11):
        actions.act_on_task(decide, by=rs_head, action="approve")
    first.refresh_from_db()
    second.refresh_from_db()
    group.refresh_from_db()
    assert first.status == second.status == CaseStatus.CONCLUDED
    assert first.concluded_at == second.concluded_at == group.concluded_at


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_people_act_on_one_task_exactly_one_succeeds(reference_data):
    import time_machine

    from .conftest import local

    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        hall = build_hall()
        case = accepted(hall)
    task = open_task(case)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def act(user):
        try:
            barrier.wait()
            actions.act_on_task(
                Task.objects.get(pk=task.pk), by=user, action="approve", opinion=user.username
            )
            results.append("ok")
        except TaskConflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(hall[name],)) for name in ("approver", "approver2")]
    # time-machine patches the clock process-wide, so both threads act at 11:00.
    with time_machine.travel(local(2026, 3, 2, 11), tick=False):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(results) == ["conflict", "ok"]
    assert Task.objects.filter(case=case, step_key="decide").count() == 1
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_claim_on_its_own_is_one_statement_and_races_an_approval_without_the_case_lock(reference_data):
    """A claim's writes leave in one statement, atomic by itself: no BEGIN, no COMMIT. It takes no case lock, so it
    races an approval of the same open task at the task's row: exactly one of them wins, and the loser writes
    nothing (no task change, no clock change, no audit entry)."""
    import time_machine
    from django.test.utils import CaptureQueriesContext

    from .conftest import local

    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        hall = build_hall()
        alone, case = accepted(hall), accepted(hall)
    first = open_task(alone)
    with time_machine.travel(local(2026, 3, 2, 10), tick=False), CaptureQueriesContext(connection) as sent:
        actions.claim_task(first, by=hall["approver"])
    # Reads (the user's roles, the case number: this task was read without its case), then the one write — no
    # BEGIN, no COMMIT, no lock.
    sql = [q["sql"] for q in sent.captured_queries]
    assert [s[:4] for s in sql if not s.startswith("SELECT")] == ["WITH"], sql
    assert not any("FOR UPDATE" in s for s in sql), sql
    assert Task.objects.get(pk=first.pk).status == TaskStatus.CLAIMED
    assert LedgerEntry.objects.filter(subject_id=alone.pk, action="task_claimed").count() == 1
    # Claimed again by the same person: the guard matches nothing, nothing is written, and the audit entry that
    # was not written leaves no hole in the writer's numbers (verify_audit would read one as a deleted entry).
    assert actions.claim_task(first, by=hall["approver"]).assignee_id == hall["approver"].pk
    assert LedgerEntry.objects.filter(subject_id=alone.pk, action="task_claimed").count() == 1
    actions.act_on_task(Task.objects.get(pk=first.pk), by=hall["approver"], action="approve")
    ledger.link()
    assert ledger.verify().ok

    task = open_task(case)
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def run(name, call):
        try:
            barrier.wait()
            call()
            results[name] = "ok"
        except TaskConflict:
            results[name] = "conflict"
        finally:
            connection.close()

    claimant, approver = hall["approver2"], hall["approver"]
    threads = [
        threading.Thread(target=run, args=("claim", lambda: actions.claim_task(task, by=claimant))),
        threading.Thread(
            target=run,
            args=(
                "approve",
                lambda: actions.act_on_task(Task.objects.get(pk=task.pk), by=approver, action="approve"),
            ),
        ),
    ]
    with time_machine.travel(local(2026, 3, 2, 11), tick=False):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(results.values()) == ["conflict", "ok"], results
    task.refresh_from_db()
    claims = LedgerEntry.objects.filter(subject_id=case.pk, action="task_claimed").count()
    if results["claim"] == "ok":
        assert (task.status, task.assignee_id, claims) == (TaskStatus.CLAIMED, claimant.pk, 1)
        assert task.clock.owner_responsible_id == claimant.pk
    else:
        assert (task.status, task.assignee_id, claims) == (TaskStatus.DONE, approver.pk, 0)
        assert task.clock.owner_responsible_id == approver.pk


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_approval_that_waited_for_the_case_lock_sees_the_claim_made_meanwhile(reference_data):
    """act_on_task reads the task in the statement that locks the case. Another action holds the case lock and
    claims the task meanwhile; the approval waits, then reads the case as that action left it and the task perhaps
    as it was before (PostgreSQL re-reads only the locked row). The approval must not complete a task someone else
    has just claimed."""
    import time

    import time_machine
    from django.db import connections, transaction

    from .conftest import local

    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        hall = build_hall()
        case = accepted(hall)
    task = open_task(case)
    results: list[str] = []

    def approve() -> None:
        try:
            actions.act_on_task(Task.objects.get(pk=task.pk), by=hall["approver"], action="approve")
            results.append("ok")
        except TaskConflict:
            results.append("conflict")
        finally:
            connection.close()

    with time_machine.travel(local(2026, 3, 2, 11), tick=False):
        approval = threading.Thread(target=approve)
        with transaction.atomic():
            # An action that holds the case lock (a claim alone takes none) and claims the task meanwhile.
            Case.objects.select_for_update().get(pk=case.pk)
            actions.claim_task(task, by=hall["approver2"])
            approval.start()
            with connections["default"].cursor() as cursor:
                for _ in range(200):  # until the approval waits for the lock (at most 10 s)
                    cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.05)
                else:
                    pytest.fail("the approval never waited for the case lock")
        approval.join()
    assert results == ["conflict"]
    task.refresh_from_db()
    assert (task.status, task.assignee_id) == (TaskStatus.CLAIMED, hall["approver2"].pk)
    assert not Task.objects.filter(case=case, step_key="decide").exists()


def _concluded(hall):
    case = accepted(hall)
    review = open_task(case)
    actions.act_on_task(review, by=hall["approver"], action="approve", opinion="同意")
    actions.act_on_task(open_task(case), by=hall["head"], action="approve", opinion="准予")
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED
    return case


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_delivery_on_its_own_is_one_write_and_a_second_one_is_out_of_procedure(reference_data):
    """A delivery reads the case without a lock and writes with one statement (the case's `delivered_at`, only
    while still empty, with the clock's stop and the audit entry riding on it): no BEGIN, no COMMIT, no lock."""
    import time_machine
    from django.test.utils import CaptureQueriesContext

    from .conftest import local

    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        hall = build_hall()
        case = _concluded(hall)
    with time_machine.travel(local(2026, 3, 4, 9), tick=False), CaptureQueriesContext(connection) as sent:
        actions.deliver_result(case, by=hall["clerk"])
    sql = [q["sql"] for q in sent.captured_queries]
    assert [s[:4] for s in sql if not s.startswith("SELECT")] == ["WITH"], sql
    assert not any("FOR UPDATE" in s for s in sql), sql
    case.refresh_from_db()
    assert case.delivered_at is not None and case.delivery_clock.state == ClockState.STOPPED
    assert LedgerEntry.objects.filter(subject_id=case.pk, action="delivered").count() == 1
    with pytest.raises(OutOfProcedure, match="已送达"):
        actions.deliver_result(case, by=hall["clerk"])
    assert LedgerEntry.objects.filter(subject_id=case.pk, action="delivered").count() == 1
    assert OutOfProcedureAttempt.objects.filter(case=case, action="deliver").count() == 1
    ledger.link()
    assert ledger.verify().ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_case_at_once_deliver_it_once(reference_data):
    """Both read the case undelivered; the UPDATE that requires `delivered_at` still empty lets one through, and
    the other, having written nothing, runs again under the case lock and is refused as already delivered."""
    import time_machine

    from .conftest import local

    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        hall = build_hall()
        case = _concluded(hall)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def deliver(clerk):
        try:
            barrier.wait()
            actions.deliver_result(Case.objects.get(pk=case.pk), by=clerk)
            results.append("ok")
        except OutOfProcedure:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(hall[name],)) for name in ("clerk", "clerk2")]
    with time_machine.travel(local(2026, 3, 4, 9), tick=False):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(results) == ["ok", "refused"]
    assert LedgerEntry.objects.filter(subject_id=case.pk, action="delivered").count() == 1
    case.refresh_from_db()
    assert case.delivered_at is not None and case.delivery_clock.state == ClockState.STOPPED


def test_a_delivery_whose_clock_is_not_running_takes_the_careful_path(hall, at):
    """Nothing pauses a delivery clock today; if one were paused, the delivery resumes it before stopping it, as
    stop_clocks does, in a transaction (on PostgreSQL the one-statement delivery steps aside for it)."""
    from govhall.clocks import actions as clock_actions

    with at(2026, 3, 2, 10):
        case = _concluded(hall)
    with at(2026, 3, 3, 10):
        clock_actions.pause_clock(case.delivery_clock)
    with at(2026, 3, 4, 10):
        actions.deliver_result(case, by=hall["clerk"])
    case.refresh_from_db()
    assert case.delivered_at is not None
    assert case.delivery_clock.state == ClockState.STOPPED and case.delivery_clock.paused_since is None
    assert LedgerEntry.objects.filter(subject_id=case.pk, action="delivered").count() == 1


def test_an_approval_whose_step_clock_is_paused_resumes_it_before_stopping_it(hall, at):
    """The step clock stops in the statement that completes the task, only if it is running; one that is not
    (paused) is resumed and then stopped after it, as stop_clocks does."""
    from govhall.clocks import actions as clock_actions

    with at(2026, 3, 2, 10):
        case = accepted(hall)
        review = open_task(case)
    with at(2026, 3, 2, 11):
        clock_actions.pause_clock(review.clock)
    with at(2026, 3, 3, 10):
        actions.act_on_task(review, by=hall["approver"], action="approve", opinion="同意")
    review.refresh_from_db()
    clock = review.clock
    assert review.status == TaskStatus.DONE
    assert clock.state == ClockState.STOPPED and clock.paused_since is None
    assert clock.owner_responsible_id == hall["approver"].pk


def test_a_decision_stops_the_case_clocks_with_the_deciding_task_and_names_no_one_on_them(hall, at):
    """The deciding task's UPDATE carries the stop of its step clock and of the case's promised and legal clocks,
    one UPDATE for the three: the decider answers for the step clock, the case clocks keep their responsible person
    (none); a case clock that is not running (paused here) is resumed and stopped after it, as stop_clocks does."""
    from govhall.clocks import actions as clock_actions

    with at(2026, 3, 2, 10):
        case = accepted(hall)
        actions.act_on_task(open_task(case), by=hall["approver"], action="approve", opinion="同意")
        deciding = open_task(case)
    with at(2026, 3, 2, 11):
        clock_actions.pause_clock(case.legal_clock)
    clock_updates: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if 'UPDATE "clocks_clock"' in sql:
            clock_updates.append(sql)
        return execute(sql, params, many, context)

    with at(2026, 3, 3, 10), connection.execute_wrapper(record):
        actions.act_on_task(deciding, by=hall["head"], action="approve", opinion="准予")
    case.refresh_from_db()
    deciding.refresh_from_db()
    step_clock, promised, legal = deciding.clock, case.clock, case.legal_clock
    assert case.status == CaseStatus.CONCLUDED
    assert all(
        c.state == ClockState.STOPPED and c.stopped_at is not None for c in (step_clock, promised, legal)
    )
    assert legal.paused_since is None
    assert step_clock.owner_responsible_id == hall["head"].pk
    assert promised.owner_responsible_id is None and legal.owner_responsible_id is None
    # One UPDATE for the three, naming the decider on the step clock alone (on PostgreSQL inside the task's
    # statement); the paused one resumed and stopped after it.
    together = [sql for sql in clock_updates if '"owner_responsible_id" = CASE WHEN' in sql]
    assert len(together) == 1
    assert ("cases_task" in together[0]) == (connection.vendor == "postgresql")
