"""The case-test hall plus a supervisor and a leader."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from govhall.cases import actions
from govhall.cases.models import Task
from govhall.org.actions import create_staff
from govhall.supervision.actions import sweep_once
from tests.cases.conftest import PERSON, Hall, at, build_hall, local, monday, uploads_for  # noqa: F401
from tests.shared import SharedData, shared_data, shared_or_built

CANCEL = "企业营业执照注销登记"  # standard template, promised 3 working days: review 2, decide 2


def build_supervision_hall() -> Hall:
    h = build_hall()
    h.users["supervisor"] = create_staff("supervisor", "钱监察", "T900", ("supervisor",), []).user
    h.users["leader"] = create_staff("leader", "赵领导", "T901", ("leader",), []).user
    return h


@pytest.fixture(scope="module")
def _shared_hall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SharedData[Hall]]:
    with shared_data("_shared_hall", monday(build_supervision_hall), django_db_blocker) as shared:
        yield shared


@pytest.fixture
def hall(_shared_hall: SharedData[Hall], db: Any) -> Hall:
    """Built once per module and shared (tests/shared.py); each test sees it as built and fresh instances."""
    return shared_or_built(_shared_hall, monday(build_supervision_hall), Hall.refreshed)


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
