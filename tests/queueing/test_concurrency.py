"""Real concurrency on PostgreSQL: kiosks taking tickets at the same instant never share a number, and two clerks
pressing “叫下一号” at once never call the same ticket."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection

from govhall.org.actions import create_staff
from govhall.queueing import actions
from govhall.queueing.models import Ticket, TicketCounter
from tests.cases.conftest import local

from .conftest import build_queue_hall

pytestmark = pytest.mark.postgres_only


def run_together(n: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
                results.append(work(index))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_concurrent_kiosks_get_distinct_consecutive_numbers(reference_data: None) -> None:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        qhall = build_queue_hall()
    queue = qhall.comprehensive

    def take(_: int) -> str:
        return actions.take_ticket(queue=queue).number

    numbers, errors = run_together(8, take)
    assert errors == []
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 9)]
    assert TicketCounter.objects.get(queue=queue).last == 8
    assert Ticket.objects.filter(queue=queue).count() == 8


def test_two_clerks_calling_at_once_call_different_tickets(reference_data: None) -> None:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        qhall = build_queue_hall()
        # A second window for the comprehensive queue, with its own clerk.
        from govhall.org.models import Window

        a07 = Window.objects.create(
            hall=qhall.a05.hall, floor=1, number="A07", name="综合窗口二", kind="comprehensive"
        )
        qhall.comprehensive.windows.add(a07)
        other = create_staff("clerk4", "钱窗口", "T101", ("window_clerk",), [], window=a07).user
        for _ in range(3):
            actions.take_ticket(queue=qhall.comprehensive)
    clerks = [qhall["clerk"], other]

    def call(index: int) -> str | None:
        ticket = actions.call_next(by=clerks[index])
        return ticket.number if ticket else None

    called, errors = run_together(2, call)
    assert errors == []
    assert sorted(n for n in called if n) == ["A001", "A002"]
    assert Ticket.objects.filter(status="called").values("window").distinct().count() == 2
