"""The worker loop and rows that fail: a signal ends the loop after the round in hand; a failing row is pushed
back with back-off and recorded, and the other rows are processed."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from govhall.clocks.models import Clock
from govhall.core.models import AuditEvent, AuditEventType
from govhall.core.worker import deferred_ids, record_row_failure, run_loop
from govhall.supervision import actions as supervision
from govhall.supervision.models import Alert


@pytest.mark.django_db
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_round_lets_the_round_finish_then_stops(signum: int) -> None:
    before = signal.getsignal(signum)
    steps: list[str] = []

    def round_() -> dict[str, int]:
        steps.append("start")
        os.kill(os.getpid(), signum)
        time.sleep(0.05)  # the handler has run by now; the round carries on regardless
        steps.append("end")
        return {"done": 1}

    started = time.monotonic()
    rounds = run_loop(round_, once=False, interval=30)
    assert rounds == 1
    assert steps == ["start", "end"]
    assert time.monotonic() - started < 10  # did not sleep through the interval
    assert signal.getsignal(signum) == before


@pytest.mark.django_db
def test_without_a_signal_the_loop_keeps_going_and_reports_busy_rounds() -> None:
    reported: list[Any] = []
    results = iter([{"n": 2}, {"n": 0}, {"n": 1}])

    def round_() -> dict[str, int]:
        result = next(results)
        if result["n"] == 1:
            os.kill(os.getpid(), signal.SIGTERM)
        return result

    assert run_loop(round_, once=False, interval=0.01, report=reported.append) == 3
    assert reported == [{"n": 2}, {"n": 1}]  # the idle round is not reported


def _clock(at: dt.datetime, **kwargs: Any) -> Clock:
    start = at - dt.timedelta(days=10)
    return Clock.objects.create(
        kind="step",
        unit="workday",
        budget=5,
        started_at=start,
        start_day=start.date(),
        warn_at=at - dt.timedelta(days=2),
        due_at=at - dt.timedelta(hours=1),
        next_check_at=at - dt.timedelta(hours=1),
        **kwargs,
    )


@pytest.mark.django_db
def test_a_failing_clock_is_pushed_back_and_recorded_and_the_others_are_checked(monkeypatch: Any) -> None:
    at = timezone.now()
    good, bad, also_good = _clock(at), _clock(at), _clock(at)
    real = supervision._check_clock

    def check(clock: Clock, owner: Any, when: dt.datetime, policy: Any) -> int:
        if clock.pk == bad.pk:
            Alert.objects.create(
                clock=clock, level="red", kind="step", summary="half-written", raised_at=when
            )
            raise RuntimeError("owner record is broken")
        return real(clock, owner, when, policy)

    monkeypatch.setattr(supervision, "_check_clock", check)
    result = supervision.sweep_once(at=at)

    assert result.failed == 1 and result.alerts == 2
    assert set(Alert.objects.values_list("clock_id", flat=True)) == {good.pk, also_good.pk}  # bad rolled back
    bad.refresh_from_db()
    assert bad.next_check_at == at + dt.timedelta(seconds=60)
    event = AuditEvent.objects.get(event_type=AuditEventType.WORKER_ROW_FAILED)
    assert event.object_id == str(bad.pk) and event.after["task"] == "supervise"
    assert "owner record is broken" in event.after["error"] and event.after["attempt"] == 1

    # A restart right away does not retry it (no crash loop) ...
    assert supervision.sweep_once(at=at + dt.timedelta(seconds=1)).failed == 0
    # ... once due it is retried, and a second failure waits twice as long.
    later = at + dt.timedelta(seconds=61)
    assert supervision.sweep_once(at=later).failed == 1
    bad.refresh_from_db()
    assert bad.next_check_at == later + dt.timedelta(seconds=120)


@pytest.mark.django_db
def test_the_supervise_command_survives_a_failing_clock(monkeypatch: Any, capsys: Any) -> None:
    at = timezone.now()
    bad = _clock(at)

    def check(clock: Clock, owner: Any, when: dt.datetime, policy: Any) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(supervision, "_check_clock", check)
    call_command("supervise", "--once")
    assert '"failed": 1' in capsys.readouterr().out
    bad.refresh_from_db()
    assert bad.next_check_at is not None and bad.next_check_at > at


@pytest.mark.django_db
def test_back_off_doubles_up_to_the_cap_and_deferred_rows_are_listed(settings: Any) -> None:
    settings.GOVHALL_WORKER_RETRY_SECONDS = 60
    settings.GOVHALL_WORKER_MAX_RETRY_SECONDS = 200
    at = timezone.now()
    clock, other = _clock(at), _clock(at)
    delays = []
    for _ in range(4):
        retry = record_row_failure(clock, ValueError("bad"), task="test", at=at)
        delays.append((retry - at).total_seconds())
    assert delays == [60, 120, 200, 200]
    assert deferred_ids(Clock, at=at) == [str(clock.pk)]
    assert deferred_ids(Clock, at=at + dt.timedelta(seconds=201)) == []
    assert str(other.pk) not in deferred_ids(Clock, at=at)
