"""The case-test hall plus a 12345 operator (sitting in 民政局), a supervisor and the departments'
staff who answer work orders (市场监管 approver/head, 住建 approver/head)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from govhall.hotline import actions
from govhall.hotline.models import WorkOrder
from govhall.org.actions import create_staff
from tests.cases.conftest import Hall, at, build_hall, local  # noqa: F401


def add_hotline_staff(h: Hall) -> Hall:
    d = h.catalog.departments
    h.users["operator"] = create_staff("operator", "韦话务", "T950", ("hotline_operator",), [d["mzj"]]).user
    h.users["supervisor"] = create_staff("supervisor", "钱监察", "T900", ("supervisor",), [d["scjg"]]).user
    return h


@pytest.fixture
def hall(db: Any) -> Hall:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        return add_hotline_staff(build_hall())


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
