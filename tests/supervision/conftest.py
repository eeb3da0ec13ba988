"""The case-test hall plus a supervisor and a leader."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from govhall.cases import actions
from govhall.cases.models import Task
from govhall.org.actions import create_staff
from govhall.supervision.actions import sweep_once
from tests.cases.conftest import PERSON, Hall, at, build_hall, local, uploads_for  # noqa: F401

CANCEL = "企业营业执照注销登记"  # standard template, promised 3 working days: review 2, decide 2


@pytest.fixture
def hall(db: Any) -> Hall:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        h = build_hall()
        h.users["supervisor"] = create_staff("supervisor", "钱监察", "T900", ("supervisor",), []).user
        h.users["leader"] = create_staff("leader", "赵领导", "T901", ("leader",), []).user
        return h


def accepted(hall: Hall, name: str = CANCEL) -> Any:
    item = hall.item(name)
    case = actions.submit_application(
        item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )
    actions.accept_case(case, by=hall["clerk"])
    case.refresh_from_db()
    return case


def open_task(case: Any) -> Task:
    return Task.objects.select_related("clock").get(case=case, status__in=["open", "claimed"])


def sweep_at(when: Any) -> int:
    """One watcher sweep at an exact instant; returns the number of alerts raised."""
    with time_machine.travel(when, tick=False):
        return sweep_once().alerts
