"""The case-test hall plus two supervisors (complaint handlers) and a leader."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from govhall.cases import actions as case_actions
from govhall.cases.models import Case
from govhall.complaints import actions
from govhall.complaints.models import Complaint
from govhall.org.actions import create_staff
from tests.cases.conftest import PERSON, Hall, at, build_hall, local, monday, uploads_for  # noqa: F401
from tests.shared import SharedData, shared_data, shared_or_built

CANCEL = "企业营业执照注销登记"


def build_complaints_hall() -> Hall:
    h = build_hall()
    d = h.catalog.departments
    h.users["supervisor"] = create_staff("supervisor", "钱监察", "T900", ("supervisor",), [d["scjg"]]).user
    h.users["supervisor2"] = create_staff("supervisor2", "冯监察", "T902", ("supervisor",), []).user
    h.users["leader"] = create_staff("leader", "赵领导", "T901", ("leader",), []).user
    return h


@pytest.fixture(scope="module")
def _shared_hall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SharedData[Hall]]:
    with shared_data("_shared_hall", monday(build_complaints_hall), django_db_blocker) as shared:
        yield shared


@pytest.fixture
def hall(_shared_hall: SharedData[Hall], db: Any) -> Hall:
    """Built once per module and shared (tests/shared.py); each test sees it as built and fresh instances."""
    return shared_or_built(_shared_hall, monday(build_complaints_hall), Hall.refreshed)


def make_case(hall: Hall) -> Case:
    item = hall.item(CANCEL)
    case = case_actions.submit_application(
        item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )
    case.refresh_from_db()
    return case


def phone_complaint(hall: Hall, **kw: Any) -> Complaint:
    args: dict[str, Any] = {
        "channel": "phone",
        "by": hall["clerk"],
        "complainant_name": "张三",
        "phone": "13800138000",
        "content": "窗口人员态度生硬，推诿不办",
    }
    args.update(kw)
    return actions.receive_complaint(**args)


def investigating(hall: Hall, **kw: Any) -> Complaint:
    c = phone_complaint(hall, **kw)
    actions.assign(c, by=hall["supervisor"], to=hall["supervisor"])
    return actions.start_investigation(c, by=hall["supervisor"], notes="调取窗口录像，询问当事人")
