"""Complaint numbers from several application servers at once: no duplicate, no gap."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from govhall.complaints.actions import next_complaint_number


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_gives_distinct_consecutive_numbers() -> None:
    day = dt.date(2026, 9, 28)
    workers, each = 6, 5
    barrier = threading.Barrier(workers)
    got: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(each):
                with transaction.atomic():
                    number = next_complaint_number(day)
                with lock:
                    got.append(number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == [f"TS20260928{n:04d}" for n in range(1, workers * each + 1)]
