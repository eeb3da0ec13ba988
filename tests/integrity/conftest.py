"""A small county for the integrity tests: three departments, posts, staff with roles, built by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.integrity import actions
from govhall.integrity.models import Post
from govhall.org.actions import create_department, create_staff
from govhall.org.models import Department, StaffProfile

SH = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@dataclass
class County:
    departments: dict[str, Department] = field(default_factory=dict)
    staff: dict[str, StaffProfile] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.staff[key]


def build_county() -> County:
    c = County()
    for key, name, short in (
        ("scjg", "示范县市场监督管理局", "市场监管局"),
        ("zjj", "示范县住房和城乡建设局", "住建局"),
    ):
        c.departments[key] = create_department(name=name, short_name=short, group="economic")
    d = c.departments
    for key, name, roles, depts in (
        ("supervisor", "钱监察", ("supervisor",), []),
        ("leader", "赵领导", ("leader",), []),
        ("head", "梁局长", ("department_head",), [d["scjg"]]),
        ("clerk", "陈科员", ("approver",), [d["scjg"]]),
        ("clerk2", "王科员", ("approver",), [d["scjg"]]),
        ("zj", "周科员", ("approver",), [d["zjj"]]),
    ):
        c.staff[key] = create_staff(key, name, f"I{len(c.staff) + 1:03d}", roles, depts)
    c.posts["license"] = actions.save_post(department=d["scjg"], name="许可审批岗", is_key=True)
    c.posts["inspect"] = actions.save_post(department=d["scjg"], name="日常检查岗")
    c.posts["archive"] = actions.save_post(department=d["scjg"], name="档案管理岗", specialised=True)
    c.posts["permit"] = actions.save_post(department=d["zjj"], name="施工许可岗", is_key=True)
    return c


@pytest.fixture
def county(db: Any) -> County:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        return build_county()
