"""The case-test hall plus a 12345 operator (sitting in 民政局), a supervisor and the departments'
staff who answer work orders (市场监管 approver/head, 住建 approver/head)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from govhall.hotline import actions
from govhall.hotline.models import WorkOrder
from govhall.org.actions import create_staff
from tests.cases.conftest import Hall, at, build_hall, local, monday  # noqa: F401
from tests.shared import SharedData, shared_data, shared_or_built


def add_hotline_staff(h: Hall) -> Hall:
    d = h.catalog.departments
    h.users["operator"] = create_staff("operator", "韦话务", "T950", ("hotline_operator",), [d["mzj"]]).user
    h.users["supervisor"] = create_staff("supervisor", "钱监察", "T900", ("supervisor",), [d["scjg"]]).user
    return h


def build_hotline_hall() -> Hall:
    return add_hotline_staff(build_hall())


@pytest.fixture(scope="module")
def _shared_hall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SharedData[Hall]]:
    with shared_data("_shared_hall", monday(build_hotline_hall), django_db_blocker) as shared:
        yield shared


@pytest.fixture
def hall(_shared_hall: SharedData[Hall], db: Any) -> Hall:
    """Built once per module and shared (tests/shared.py); each test sees it as built and fresh instances."""
    return shared_or_built(_shared_hall, monday(build_hotline_hall), Hall.refreshed)


def call(hall: Hall, **kw: Any) -> WorkOrder:
    args: dict[str, Any] = {
        "by": hall["operator"],
        "category": "help",
        "caller_name": "张三",
        "caller_phone": "13800138000",
        "content": "小区路灯坏了一个月，请求维修",
    }
    args.update(kw)
    return actions.record_order(**args)
