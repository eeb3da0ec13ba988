"""manage.py simulate: applications driven through the real actions over simulated working days."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from govhall.calendars import engine as calendar
from govhall.cases.choices import CaseStatus, PauseKind, TaskAction
from govhall.cases.models import Case, CorrectionNotice, Extension, OutOfProcedureAttempt, Pause, Task
from govhall.clocks.choices import ClockState
from govhall.complaints.models import Complaint
from govhall.demo.simulation import Options, Simulator
from govhall.documents.choices import DocumentStatus
from govhall.documents.models import Document
from govhall.hotline.models import WorkOrder
from govhall.ledger.models import LedgerEntry
from govhall.org.access import departments_for, has_role
from govhall.queueing import queries as queue_queries
from govhall.queueing.choices import TicketStatus
from govhall.queueing.models import Queue, Ticket

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)  # a Monday; no holiday in the following weeks


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def simulate(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("simulate", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def verify_audit() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), err.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def rolled_back() -> Iterator[Any]:
    """Run a block and undo what it wrote (so two simulations can start from the same database)."""

    class _Undo(Exception):
        pass

    def run(fn: Any) -> Any:
        result: list[Any] = []
        try:
            with transaction.atomic():
                result.append(fn())
                raise _Undo
        except _Undo:
            pass
        return result[0]

    yield run


def test_summary_adds_up_and_agrees_with_the_database(demo_county: Any) -> None:
    summary = simulate("--cases", "60", "--days", "8", "--seed", "5", "--start", START.isoformat())

    cases = Case.objects.all()
    assert summary["cases"] == 60 == cases.count()
    # 好差评: the applicants rated concluded cases through the rating actions; the summary agrees with the tables.
    from govhall.ratings.models import BadReview, Rating

    assert summary["ratings"]["rated"] == Rating.objects.count() > 0
    assert summary["ratings"].get("bad_reviews", 0) == BadReview.objects.count()
    assert not Rating.objects.exclude(case__status=CaseStatus.CONCLUDED).exists()
    by_status = summary["by_status"]
    assert set(by_status) == set(CaseStatus.values)
    assert sum(by_status.values()) == 60
    for status, count in by_status.items():
        assert cases.filter(status=status).count() == count, status
    assert summary["concluded"] == by_status[CaseStatus.CONCLUDED] == summary["on_time"] + summary["late"]
    assert (
        summary["concluded"] > 0 and by_status[CaseStatus.IN_PROGRESS] + by_status[CaseStatus.SUBMITTED] > 0
    )
    assert summary["on_time"] == cases.filter(status=CaseStatus.CONCLUDED, clock__late=False).count()
    assert summary["refused_at_intake"] == by_status[CaseStatus.NOT_ACCEPTED]
    assert summary["withdrawn"] == by_status[CaseStatus.WITHDRAWN]
    assert summary["refused_at_decision"] == cases.filter(decision="refused").count()
    assert summary["deemed_accepted"] == cases.filter(intake_outcome="deemed").count()
    assert summary["corrections"] == CorrectionNotice.objects.count()
    assert summary["extensions"] == Extension.objects.count()
    assert summary["special_procedures"] == Pause.objects.exclude(kind=PauseKind.CORRECTION).count()
    assert summary["returns"] == Task.objects.filter(outcome=TaskAction.RETURN).count()
    assert summary["out_of_procedure_attempts"] == OutOfProcedureAttempt.objects.count()
    assert summary["joint_reviews"] == cases.filter(tasks__parallel_key="joint").distinct().count()
    assert summary["period"] == [START.isoformat(), "2026-03-11"]
    assert isinstance(summary["seconds"], float)

    # 12345 work orders: a mix of categories through the hotline actions, one handed over to the complaint flow.
    hotline = summary["hotline"]
    assert hotline["work_orders"] == WorkOrder.objects.count() >= 6
    assert sum(hotline["by_status"].values()) == hotline["work_orders"]
    assert len([c for c, n in hotline["by_category"].items() if n]) >= 3
    assert hotline["by_status"]["transferred"] == 1 == Complaint.objects.filter(channel="hotline").count()
    assert (
        hotline["by_status"]["dispatched"] + hotline["by_status"]["answered"] + hotline["by_status"]["closed"]
        > 0
    )
    assert WorkOrder.objects.filter(status="closed", satisfaction__gt="").exists()

    # Every decided case has its promised clock stopped at the decision; every delivery follows a decision.
    for case in cases.filter(decided_at__isnull=False).select_related("clock"):
        assert case.clock is not None and case.clock.state == ClockState.STOPPED
        assert case.clock.stopped_at == case.decided_at
        assert case.delivered_at is None or case.delivered_at >= case.decided_at
    # Each application carries its item's form filled in as an applicant would (no placeholder), checked by the
    # same rules as the online form; extra entries only where a process template reads them.
    for case in cases.select_related("item").prefetch_related("item__form_fields"):
        keys = {f.key for f in case.item.form_fields.all()}
        required = {f.key for f in case.item.form_fields.all() if f.required}
        assert "simulated" not in case.form_data
        assert required <= set(case.form_data) <= keys | {"site_inspection_waived"}, (
            case.item.name,
            case.form_data,
        )
    # Documents were issued but not sealed: that is run_jobs' work.
    assert Document.objects.exists()
    assert not Document.objects.exclude(status=DocumentStatus.PENDING).exists()

    # Time advanced in order: the audit chain's instants never go back and stay inside the period.
    instants = list(LedgerEntry.objects.order_by("seq").values_list("at", flat=True))
    assert instants == sorted(instants)
    first = calendar.deadline_instant(START - timedelta(days=1))
    assert first <= instants[0] and instants[-1] <= calendar.deadline_instant(date(2026, 3, 11))
    # Work happened in office hours (09:00–12:00, 13:30–17:30) on working days, except the system's own
    # deemed acceptances at 24:00 and online submissions.
    staff_actions = LedgerEntry.objects.exclude(actor_role__in=["system", "applicant", "user"])
    for at, action in staff_actions.values_list("at", "action"):
        local = at.astimezone(calendar.CALENDAR_TZ)
        assert calendar.is_working_day(local.date()).value, (action, local)
        minutes = local.hour * 60 + local.minute
        assert 9 * 60 <= minutes <= 12 * 60 or 13 * 60 + 30 <= minutes <= 17 * 60 + 30, (action, local)

    # Each department's work was done by its own staff (the actions enforce it; the simulator found them).
    for task in Task.objects.filter(status="done").select_related("assignee"):
        assert has_role(task.assignee, task.role)
        assert departments_for(task.assignee).filter(pk=task.department_id).exists()


def test_the_same_seed_gives_the_same_summary(demo_county: Any, rolled_back: Any) -> None:
    args = ("--cases", "16", "--days", "4", "--start", START.isoformat())
    first = rolled_back(lambda: simulate(*args, "--seed", "11"))
    assert not Case.objects.exists()
    second = rolled_back(lambda: simulate(*args, "--seed", "11"))
    # Another seed, the cases alone (the other modules' share does not change with the cases).
    other = simulate(*args, "--seed", "12", "--cases-only")
    for summary in (first, second, other):
        summary.pop("seconds")
    assert first == second
    assert {"disclosure", "legal", "evaluation", "integrity", "inspections", "rulemaking"} <= set(first)
    assert set(other) < set(first) and other != {key: first[key] for key in other}


def test_verify_audit_passes_after_simulating_and_fails_after_tampering(
    demo_county: Any, on_postgres: bool
) -> None:
    simulate("--cases", "20", "--days", "5", "--seed", "3", "--start", START.isoformat())
    code, out = verify_audit()
    entries = LedgerEntry.objects.count()
    assert code == 0 and out == f"审计链完整：共 {entries} 条记录\n"
    assert entries > 20

    # Running again with --if-empty does nothing once cases exist (make run's second start).
    assert simulate_if_empty() == ""
    assert Case.objects.count() == 20

    target = LedgerEntry.objects.order_by("seq")[entries // 2]
    if on_postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL govhall.ledger_maintenance = 'on'")
    LedgerEntry.objects.filter(pk=target.pk).update(opinion=target.opinion + "（已改）")
    code, err = verify_audit()
    assert code == 1
    assert f"第 {target.seq} 条记录的内容与其哈希不符（记录被篡改）" in err


def simulate_if_empty() -> str:
    out = io.StringIO()
    call_command("simulate", "--cases", "5", "--days", "2", "--if-empty", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_missing_staff_are_created_once(demo_county: Any) -> None:
    def prepared() -> Simulator:
        simulator = Simulator(Options(cases=5, days=2, seed=1, start=START))
        simulator.prepare()
        return simulator

    first = prepared()
    users = get_user_model().objects.filter(username__startswith="sim-", staff__isnull=False)
    assert sorted(first.staff.created) == sorted(users.values_list("username", flat=True))
    # Every department an item of the mix needs has a clerk, and an approver and a head where its process
    # has review and decision steps.
    for item in first.items:
        assert first.staff.has("window_clerk", item.department_id), item.name
        if item.process_template != "instant":
            assert first.staff.has("approver", item.department_id), item.name
            assert first.staff.has("department_head", item.department_id), item.name
        for co in item.joint_departments.all():
            assert first.staff.has("approver", co.pk), (item.name, co.name)
    assert prepared().staff.created == []


def test_nothing_to_simulate_and_bad_arguments(demo_county: Any) -> None:
    summary = simulate("--cases", "0", "--days", "1", "--start", START.isoformat(), "--cases-only")
    assert (
        summary["cases"] == 0 and sum(summary["by_status"].values()) == 0 and summary["on_time_rate"] is None
    )
    with pytest.raises(CommandError):
        call_command("simulate", "--cases", "5", "--days", "0", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("simulate", "--cases", "5", "--days", "3", "--start", "2026-13-01", stdout=io.StringIO())


def test_a_run_keeps_no_query_log_and_gives_debug_back(demo_county: Any, settings: Any) -> None:
    # DEBUG would log every one of the run's queries; it is off during the run and back on after, even on failure.
    settings.DEBUG = True
    simulator = Simulator(Options(cases=3, days=1, seed=2, start=START))
    simulator.prepare()
    connection.queries_log.clear()
    simulator.run()
    assert simulator.queries > 0
    assert len(connection.queries_log) == 0
    assert settings.DEBUG is True

    failing = Simulator(Options(cases=1, days=1, seed=2, start=START))
    failing.prepare()

    def boom() -> None:
        raise RuntimeError("stop")

    failing._run = boom  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        failing.run()
    assert settings.DEBUG is True


def test_bundle_applications_are_simulated_once_each(demo_county: Any, rolled_back: Any) -> None:
    from govhall.cases.models import CaseGroup

    def run() -> tuple[int, int, int, int, int]:
        simulate(
            "--cases",
            "5",
            "--days",
            "10",
            "--bundles",
            "5",
            "--seed",
            "2",
            "--start",
            START.isoformat(),
            "--cases-only",
        )
        groups = list(CaseGroup.objects.all())
        acceptance = Document.objects.filter(case_number__in=[g.number for g in groups], kind="acceptance")
        members = Case.objects.filter(group__in=groups)
        per_member = Document.objects.filter(case_number__in=members.values("number"), kind="acceptance")
        delivered = sum(1 for g in groups if g.delivered_at is not None)
        concluded = sum(1 for g in groups if g.concluded_at is not None)
        return len(groups), acceptance.count(), per_member.count(), delivered, concluded

    groups, notices, member_notices, delivered, concluded = rolled_back(run)
    assert groups == 5 and notices == 5 and member_notices == 0  # every demo bundle once
    # Members are handled in parallel to the end, and a concluded bundle is handed over once.
    assert concluded >= 1 and 1 <= delivered <= concluded


def test_simulated_window_cases_come_through_the_queue(demo_county: Any) -> None:
    """The queue hook (govhall/demo/queues.py): window applicants take a ticket, wait a realistic time, are called
    by the clerk who receives them, and their case is linked to the ticket."""
    assert Queue.objects.filter(name="综合受理").exists()
    assert (
        simulate("--cases", "40", "--days", "2", "--seed", "3", "--start", START.isoformat(), "--cases-only")[
            "cases"
        ]
        == 40
    )
    tickets = Ticket.objects.all()
    window_cases = Case.objects.filter(channel="window")
    assert tickets.exists() and tickets.count() <= window_cases.count()
    # Every ticket was called by the clerk who received its case, and became that case.
    for ticket in tickets.select_related("case"):
        assert ticket.status == TicketStatus.DONE, ticket
        assert ticket.case is not None and ticket.case.channel == "window"
        assert ticket.case.received_by_id == ticket.served_by_id
        assert ticket.first_called_at is not None and ticket.first_called_at <= ticket.case.received_at
    figures = queue_queries.published_waits(date(2026, 3, 1), date(2026, 3, 31))["overall"]
    assert figures.called == tickets.count() and figures.not_called == 0
    assert figures.average_minutes is not None and 2 <= figures.average_minutes <= 60
    assert figures.longest_minutes is not None and figures.longest_minutes <= 76
    # Numbers run per queue and day without gaps.
    for queue_id, day in tickets.values_list("queue_id", "day").distinct():
        seqs = sorted(tickets.filter(queue_id=queue_id, day=day).values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
