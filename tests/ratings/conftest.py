"""The case-test hall plus a supervisor, a hotline operator, and helpers for concluded cases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from govhall.cases import actions as case_actions
from govhall.cases.models import Case
from govhall.org.actions import create_staff
from tests.cases.conftest import PERSON, Hall, build_hall, local, monday, uploads_for
from tests.shared import SharedData, shared_data, shared_or_built

INSTANT = "企业营业执照设立登记"
APPLICANT_PW = "govhall-test-pw"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def build_rating_hall() -> Hall:
    h = build_hall()
    d = h.catalog.departments
    h.users["supervisor"] = create_staff("supervisor", "钱监察", "T900", ("supervisor",), [d["scjg"]]).user
    h.users["operator"] = create_staff("operator", "孙话务", "T903", ("hotline_operator",), []).user
    h.users["leader"] = create_staff("leader", "赵领导", "T901", ("leader",), []).user
    return h


@pytest.fixture(scope="module")
def _shared_hall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SharedData[Hall]]:
    with shared_data("_shared_hall", monday(build_rating_hall), django_db_blocker) as shared:
        yield shared


@pytest.fixture
def hall(_shared_hall: SharedData[Hall], db: Any) -> Hall:
    """Built once per module and shared (tests/shared.py); each test sees it as built and fresh instances."""
    return shared_or_built(_shared_hall, monday(build_rating_hall), Hall.refreshed)


@pytest.fixture
def at() -> Any:
    def _at(*args: int) -> Any:
        return time_machine.travel(local(*args), tick=False)

    return _at


def window_case(hall: Hall, *, conclude: bool = True) -> Case:
    """An instant item received and (by default) concluded at the comprehensive window by the clerk."""
    item = hall.item(INSTANT)
    case = case_actions.submit_application(
        item=item,
        applicant=PERSON,
        channel="window",
        by=hall["clerk"],
        uploads=uploads_for(item),
        window=hall.catalog.window,
    )
    if conclude:
        case_actions.handle_instant(case, by=hall["clerk"])
    case.refresh_from_db()
    return case


def online_case(hall: Hall) -> Case:
    """An online application of the applicant account, concluded at the window."""
    item = hall.item(INSTANT)
    case = case_actions.submit_application(
        item=item, applicant=PERSON, channel="online", by=hall["applicant"], uploads=uploads_for(item)
    )
    case_actions.handle_instant(case, by=hall["clerk"])
    case.refresh_from_db()
    return case
