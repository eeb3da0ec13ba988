"""A small hall built by hand for the evaluation tests: two floors, four windows, a clerk at each, an officer and
two leaders; four departments, two of them in the same group."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.test import TestCase

from govhall.core.tz import SHANGHAI
from govhall.org.actions import (
    create_department,
    create_hall,
    create_region,
    create_site,
    create_staff,
    create_window,
)
from govhall.org.models import Department, StaffProfile, Window


def local(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


class HallCase(TestCase):
    depts: dict[str, Department]
    windows: dict[str, Window]
    clerks: dict[str, StaffProfile]
    officer: User
    leader: User
    leader2: User

    @classmethod
    def setUpTestData(cls) -> None:
        region = create_region(code="450000000000", name="测试县", level="county")
        site = create_site(name="测试县政务服务中心", kind="center", region=region)
        hall = create_hall(site=site, name="一楼大厅", floors=2)
        cls.depts = {
            "scj": create_department(name="测试市场监管局", group="economic"),
            "swj": create_department(name="测试税务局", group="economic"),
            "gaj": create_department(name="测试公安局", group="enforcement"),
            "zfb": create_department(name="测试政府办", group="comprehensive"),
        }
        cls.windows = {
            "w1": create_window(
                hall=hall,
                number="A01",
                name="市场监管",
                kind="specialised",
                floor=1,
                department=cls.depts["scj"],
            ),
            "w2": create_window(
                hall=hall, number="A02", name="税务", kind="specialised", floor=1, department=cls.depts["swj"]
            ),
            "w3": create_window(
                hall=hall, number="A03", name="公安", kind="specialised", floor=1, department=cls.depts["gaj"]
            ),
            "w4": create_window(
                hall=hall,
                number="B01",
                name="政府办",
                kind="specialised",
                floor=2,
                department=cls.depts["zfb"],
            ),
        }
        cls.clerks = {}
        for n, key in enumerate(("w1", "w2", "w3", "w4"), start=1):
            w = cls.windows[key]
            cls.clerks[key] = create_staff(
                f"clerk{n}",
                f"窗口{n}",
                f"E{n:03d}",
                ("window_clerk",),
                [w.department] if w.department else [],
                window=w,
            )
        cls.officer = create_staff("officer", "绩效办", "P001", ("performance_officer",), []).user
        cls.leader = create_staff("leader", "领导甲", "L001", ("leader",), []).user
        cls.leader2 = create_staff("leader2", "领导乙", "L002", ("leader",), []).user

    def by_name(self, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {r["name"]: r for r in rows}
