"""The watcher: exact yellow/red instants (holiday, pause, extension), alerts exactly once, only due clocks read."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.calendars import engine
from govhall.cases import actions
from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockState
from govhall.clocks.models import Clock
from govhall.supervision.actions import sweep_once
from govhall.supervision.models import Alert

from .conftest import accepted, local, open_task, sweep_at

SECOND = dt.timedelta(seconds=1)


def step_alerts(task):
    return list(Alert.objects.filter(task=task).order_by("pk").values_list("level", flat=True))


def test_step_turns_yellow_and_red_at_exact_instants_across_national_day(hall, at):
    # Wednesday 30 September 2026; National Day 1–7 October, Saturday 10 October a make-up working day.
    with at(2026, 9, 30, 10):
        case = accepted(hall)
        task = open_task(case)
    assert task.clock.budget == 2  # half of the 3-day promise, rounded up
    # Working days after 30 Sept: 8 Oct, 9 Oct → due at 24:00 on the 9th; yellow for the whole last day.
    assert task.clock.warn_at == local(2026, 10, 9, 0, 0)
    assert task.clock.due_at == local(2026, 10, 10, 0, 0)
    assert sweep_at(local(2026, 10, 1, 9)) == 0
    sweep_at(local(2026, 10, 9, 0, 0) - SECOND)
    assert step_alerts(task) == []
    sweep_at(local(2026, 10, 9, 0, 0))
    assert step_alerts(task) == ["yellow"]
    yellow = Alert.objects.get(task=task)
    assert yellow.kind == "step" and yellow.department == task.department and yellow.case == case
    sweep_at(local(2026, 10, 10, 0, 0) - SECOND)
    assert step_alerts(task) == ["yellow"]
    sweep_at(local(2026, 10, 10, 0, 0))
    assert step_alerts(task) == ["yellow", "red"]
    task.clock.refresh_from_db()
    assert task.clock.next_check_at is None
    # Later sweeps raise nothing more for that step.
    sweep_at(local(2026, 10, 12, 9))
    assert step_alerts(task) == ["yellow", "red"]


def test_a_paused_step_raises_nothing_and_resumes_with_a_later_deadline(hall, at):
    with at(2026, 3, 2, 10):  # Monday
        case = accepted(hall, "最低生活保障对象认定")
        task = open_task(case)
    old_warn, old_due = task.clock.warn_at, task.clock.due_at
    with at(2026, 3, 3, 10):
        pause = actions.start_special_procedure(
            case, by=hall["mz_approver"], kind="publicity", reason="公示", expected_days=5
        )
    task.clock.refresh_from_db()
    assert task.clock.state == ClockState.PAUSED and task.clock.next_check_at is None
    sweep_at(old_due + dt.timedelta(days=3))  # long past the old deadline: the paused step is not even read
    assert step_alerts(task) == []
    with at(2026, 3, 10, 10):  # Wed 4 … Tue 10 March: 5 working days not counted
        actions.end_special_procedure(pause, by=hall["mz_approver"], result="公示期满")
    task.clock.refresh_from_db()
    budget = task.clock.budget
    assert task.clock.paused_amount == 5
    assert task.clock.due_at == engine.deadline_instant(
        engine.add_working_days(dt.date(2026, 3, 2), budget + 5).value
    )
    assert task.clock.warn_at == engine.deadline_instant(
        engine.add_working_days(dt.date(2026, 3, 2), budget + 4).value
    )
    assert task.clock.warn_at > old_due > old_warn
    sweep_at(task.clock.warn_at - SECOND)
    assert step_alerts(task) == []
    sweep_at(task.clock.warn_at)
    assert step_alerts(task) == ["yellow"]
    sweep_at(task.clock.due_at - SECOND)
    assert step_alerts(task) == ["yellow"]
    sweep_at(task.clock.due_at)
    assert step_alerts(task) == ["yellow", "red"]


def test_a_case_extended_under_art_42_turns_green_and_goes_red_at_the_new_deadline(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
    old_due = case.clock.due_at
    assert old_due == local(2026, 3, 6, 0, 0)  # Tue, Wed, Thu
    sweep_at(case.clock.warn_at)
    assert Alert.objects.filter(clock=case.clock, level="yellow").count() == 1
    with at(2026, 3, 5, 16):
        actions.extend_case(case, by=hall["head"], amount=5, reason="需要补充核查")
    case.clock.refresh_from_db()
    assert case.clock.due_at == local(2026, 3, 13, 0, 0)
    assert case.clock.next_check_at == case.clock.warn_at == local(2026, 3, 12, 0, 0)
    with time_machine.travel(local(2026, 3, 6, 9), tick=False):
        assert clocks.status(case.clock).light == "green"
    sweep_at(old_due)
    assert not Alert.objects.filter(clock=case.clock, level="red").exists()
    sweep_at(local(2026, 3, 13, 0, 0) - SECOND)
    assert not Alert.objects.filter(clock=case.clock, level="red").exists()
    sweep_at(local(2026, 3, 13, 0, 0))
    red = Alert.objects.get(clock=case.clock, level="red")
    assert red.kind == "case" and red.due_at == local(2026, 3, 13, 0, 0)
    assert red.responsible == hall["head"]  # whole-case clock: the department head answers for it


def test_a_clock_found_already_red_raises_red_only_once(hall):
    start = local(2026, 3, 2, 10)
    clock = clocks.start_clock(kind="step", amount=1, unit="workday", at=start)
    assert sweep_at(local(2026, 3, 20, 9)) == 1
    assert sweep_at(local(2026, 3, 20, 9)) == 0
    assert list(Alert.objects.filter(clock=clock).values_list("level", flat=True)) == ["red"]


def test_a_sweep_reads_only_due_clocks(hall):
    """The cost of a sweep does not depend on how many clocks are open."""
    base = local(2026, 3, 2, 10)

    def open_clocks(n):
        Clock.objects.bulk_create(
            Clock(
                kind="step",
                unit="workday",
                budget=5,
                started_at=base,
                start_day=base.date(),
                due_at=local(2026, 4, 1),
                warn_at=local(2026, 3, 31),
                next_check_at=local(2026, 3, 31),
            )
            for _ in range(n)
        )

    def queries_for_one_due():
        clocks.start_clock(kind="step", amount=1, unit="workday", at=base)  # yellow from 3 March 00:00
        with time_machine.travel(local(2026, 3, 3, 9), tick=False), CaptureQueriesContext(connection) as ctx:
            result = sweep_once()
        assert result.alerts == 1 and result.clocks == 1
        return len(ctx.captured_queries)

    queries_for_one_due()  # the first sweep fills the per-process caches (warning rules) and links the chain
    open_clocks(10)
    few = queries_for_one_due()
    open_clocks(2_000)
    many = queries_for_one_due()
    assert few == many
    assert Clock.objects.filter(next_check_at__isnull=False).count() > 2_000


def test_supervise_once_prints_the_count_and_a_json_line(hall, capsys):
    clocks.start_clock(kind="step", amount=1, unit="workday", at=local(2026, 3, 2, 10))
    clocks.start_clock(kind="step", amount=5, unit="workday", at=local(2026, 3, 2, 10))
    with time_machine.travel(local(2026, 3, 3, 9), tick=False):
        call_command("supervise", "--once")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "产生告警 1 条"
    assert json.loads(lines[1])["alerts"] == 1


@pytest.mark.parametrize("units", [None, 2])
def test_unique_constraint_keeps_one_alert_per_clock_and_level(hall, units):
    from django.db import IntegrityError, transaction

    clock = clocks.start_clock(
        kind="step", amount=3, unit="workday", at=local(2026, 3, 2, 10), warn_units=units
    )
    Alert.objects.create(clock=clock, level="yellow", kind="step", raised_at=local(2026, 3, 4))
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(clock=clock, level="yellow", kind="step", raised_at=local(2026, 3, 4))
    # The sweep meets the existing alert and neither fails nor duplicates it.
    sweep_at(clock.warn_at)
    assert Alert.objects.filter(clock=clock).count() == 1
