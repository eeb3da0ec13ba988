"""A hall with two queues for the queue tests: the test hall (tests/cases/conftest.py) with its comprehensive
window A05 (clerks `clerk` and `clerk2`) and a second window A06 for 市场监管 with its own clerk `clerk3`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import transaction

from govhall.org.actions import create_staff
from govhall.org.models import Window
from govhall.queueing.actions import ensure_hall_queues
from govhall.queueing.models import Queue
from tests.cases.conftest import Hall, at, build_hall, local  # noqa: F401  (at: fixture)


@dataclass
class QueueHall:
    hall: Hall
    a05: Window
    a06: Window
    comprehensive: Queue
    market: Queue

    def __getitem__(self, key: str) -> Any:
        return self.hall[key]


def build_queue_hall() -> QueueHall:
    hall = build_hall()
    a05 = hall.catalog.window
    assert a05 is not None
    d = hall.catalog.departments
    a06 = Window.objects.create(
        hall=a05.hall, floor=1, number="A06", name="市场监管窗口", kind="specialised", department=d["scjg"]
    )
    profile = create_staff("clerk3", "赵窗口", "T100", ("window_clerk",), [d["scjg"]], window=a06)
    hall.users["clerk3"] = profile.user
    comprehensive, market = ensure_hall_queues(a05.hall)
    return QueueHall(hall, a05, a06, comprehensive, market)


@pytest.fixture(scope="module")
def _module_qhall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[QueueHall]:
    """Built once per module inside a transaction rolled back at the end; each test runs in a savepoint of it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
                built = build_queue_hall()
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def qhall(_module_qhall: QueueHall, db: Any) -> QueueHall:
    for queue in (_module_qhall.comprehensive, _module_qhall.market):
        queue.refresh_from_db()
    return _module_qhall
