"""A small market-supervision bureau: five inspectors (one also sitting in 县教育局, whose canteen is supervised),
a head, two risk classes with their frequencies, a three-line checklist and the credit rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.core.identifiers import USCC_ALPHABET, uscc_check_char
from govhall.inspections import actions
from govhall.inspections.models import ChecklistItem, CreditRule, Frequency, RiskClass, SupervisedEntity
from govhall.org.actions import create_staff
from govhall.org.models import Department

SH = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def uscc(serial: int) -> str:
    first17 = f"92450921MA{serial:06d}0"
    assert all(c in USCC_ALPHABET for c in first17)
    return first17 + uscc_check_char(first17)


@dataclass
class Bureau:
    scjg: Department
    jyj: Department
    users: dict[str, Any] = field(default_factory=dict)
    risk: dict[str, RiskClass] = field(default_factory=dict)
    checklist: list[ChecklistItem] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.users[key]

    def entity(self, serial: int, **kw: Any) -> SupervisedEntity:
        args: dict[str, Any] = {
            "by": None,
            "uscc": uscc(serial),
            "name": f"示范餐馆{serial}号",
            "department": self.scjg,
            "business_form": "餐饮服务经营者",
        }
        args.update(kw)
        return actions.save_entity(**args)


def build_bureau() -> Bureau:
    scjg = Department.objects.create(name="县市场监督管理局", short_name="市场监管局", group="enforcement")
    jyj = Department.objects.create(name="县教育局", short_name="教育局", group="comprehensive")
    b = Bureau(scjg, jyj)
    names = ["甲检查", "乙检查", "丙检查", "丁检查", "戊检查"]
    for n, name in enumerate(names, start=1):
        depts = [scjg, jyj] if n == 5 else [scjg]
        b.users[f"i{n}"] = create_staff(f"insp{n}", name, f"I{n:03d}", ("inspector",), depts).user
    b.users["head"] = create_staff("inshead", "梁局长", "I100", ("department_head",), [scjg]).user
    b.users["outsider"] = create_staff("outsider", "外人", "I200", ("approver",), [jyj]).user
    b.risk["low"] = RiskClass.objects.create(code="A", name="低风险", rank=1, business_forms="食品销售经营者")
    b.risk["high"] = RiskClass.objects.create(
        code="C", name="较高风险", rank=3, business_forms="餐饮服务经营者、单位食堂"
    )
    for risk, per_year in (
        (b.risk["low"], {"A": 1, "B": 1, "C": 2, "D": 4}),
        (b.risk["high"], {"A": 2, "B": 4, "C": 6, "D": 12}),
    ):
        for grade, n in per_year.items():
            Frequency.objects.create(risk_class=risk, grade=grade, per_year=n)
    b.checklist = [
        ChecklistItem.objects.create(code="1.1", text="许可证悬挂在醒目位置", sort_order=1),
        ChecklistItem.objects.create(code="2.1", text="从业人员持有效健康证明", sort_order=2),
        ChecklistItem.objects.create(
            code="3.1", text="未使用超过保质期的食品原料", serious=True, sort_order=3
        ),
    ]
    CreditRule.objects.create(grade="B", metric="findings", count=3, window_days=365)
    CreditRule.objects.create(grade="C", metric="failed", count=1, window_days=365)
    CreditRule.objects.create(grade="C", metric="late_rectify", count=1, window_days=365)
    CreditRule.objects.create(grade="D", metric="referrals", count=1, window_days=730)
    return b


@pytest.fixture
def bureau(db: Any) -> Bureau:
    with time_machine.travel(local(2026, 1, 5, 9, 0), tick=False):
        return build_bureau()


@pytest.fixture
def at() -> Any:
    def _at(*args: int) -> Any:
        return time_machine.travel(local(*args), tick=False)

    return _at


def answers(b: Bureau, *failed: str) -> list[actions.Answer]:
    return [
        actions.Answer(item, item.code not in failed, "现场发现" if item.code in failed else "")
        for item in b.checklist
    ]
