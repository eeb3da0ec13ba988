"""The simulator's food-safety inspections: the demo county's food licences become supervised entities (through the
licence job), more operators are generated, and a year of inspections runs up to the end of the simulated period:
quarterly routine plans by risk class and frequency, three special campaigns (春节 holiday, school surroundings in
the autumn term, dairy products), 双随机 draws, checklist records with rapid tests, rectification orders on the clock
(a few late), referrals, and a regrade after each quarter. Everything goes through `inspections.actions`."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User

from govhall.catalog.models import ServiceItem
from govhall.core.clock import frozen_at
from govhall.core.tz import SHANGHAI
from govhall.demo.county import make_uscc
from govhall.inspections import actions
from govhall.inspections.choices import InspectionStatus, Result
from govhall.inspections.models import (
    ChecklistItem,
    CreditRule,
    Frequency,
    Inspection,
    InspectionPlan,
    LicenceItem,
    RiskClass,
    SupervisedEntity,
)
from govhall.org.actions import create_staff
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile

SH = SHANGHAI
# Kept small so that `simulate` stays fast: every result is published, and publishing is most of the cost.
GENERATED = 40
INSPECTORS = ["蒙志强", "覃海燕", "黄立新", "韦春梅", "陆建华", "梁晓东"]
RISKS = [  # code, name, rank, business forms
    ("A", "低风险", 1, "食品销售经营者"),
    ("B", "中等风险", 2, "单位食堂"),
    ("C", "较高风险", 3, "餐饮服务经营者"),
]
FREQUENCY = {"A": (1, 1, 2, 4), "B": (1, 2, 3, 6), "C": (2, 3, 4, 12)}  # grades A B C D, per year
CHECKLIST = [
    ("1.1", "食品经营许可证在有效期内并悬挂于醒目位置", False),
    ("1.2", "从业人员持有效健康证明上岗", False),
    ("2.1", "原料进货查验记录完整，索证索票齐全", False),
    ("2.2", "未采购使用超过保质期或腐败变质的食品原料", True),
    ("3.1", "加工制作场所清洁，生熟分开", False),
    ("3.2", "餐饮具清洗消毒设施正常使用", False),
    ("4.1", "食品添加剂专人专柜、专用工具、专用台账", True),
]
RULES = [  # grade, metric, count, window days
    ("B", "findings", 3, 365),
    ("C", "failed", 1, 365),
    ("C", "late_rectify", 1, 365),
    ("D", "failed", 2, 365),
    ("D", "referrals", 1, 730),
]
NAMES = [
    "老友粉店",
    "螺蛳粉馆",
    "客家酿豆腐",
    "沙田柚副食店",
    "好又多超市",
    "糖水铺",
    "烧鸭店",
    "米粉厂直营店",
]
TOWNS = ["容州镇", "杨梅镇", "灵山镇", "六王镇", "黎村镇", "自良镇", "松山镇", "县底镇"]
PRODUCTS = ["乳制品", "肉制品", "粮油", "酒类", "饮料", "糕点"]
SAMPLES = [
    ("青菜", "有机磷和氨基甲酸酯类农药残留"),
    ("猪肉", "瘦肉精"),
    ("米粉", "吊白块"),
    ("食用油", "酸价"),
]


def _uscc(serial: int) -> str:
    # 92: 个体工商户, the usual form of a small food business; the county's own code helper keeps it valid.
    return make_uscc("92", serial)


def _instant(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SH)


class InspectionSimulation:
    def __init__(self, seed: int, period: tuple[date, date], log: Callable[[str], None]) -> None:
        self.rng = random.Random(seed + 1515)
        self.end = period[1]
        self.start = self.end - timedelta(days=364)
        self.log = log
        self.department = Department.objects.filter(short_name="市场监管局").first()
        self.checklist: list[ChecklistItem] = []
        self.results: Counter[str] = Counter()
        self.rectified: Counter[str] = Counter()
        self.referrals = 0
        # The inspectors' User objects, reused so that their roles are read once, not at every action.
        self.users: dict[int, User] = {}

    # ------------------------------------------------------------------ configuration and people
    def configure(self) -> None:
        food = ServiceItem.objects.filter(name="食品经营许可证核发").order_by("pk").first()
        if food is not None and not LicenceItem.objects.filter(item=food).exists():
            actions.save_config(LicenceItem(item=food, licence_name="食品经营许可证"), by=None)
        for code, name, rank, forms in RISKS:
            risk = RiskClass.objects.filter(code=code).first() or actions.save_config(
                RiskClass(code=code, name=name, rank=rank, business_forms=forms), by=None
            )
            for grade, per_year in zip("ABCD", FREQUENCY[code], strict=True):
                if not Frequency.objects.filter(risk_class=risk, grade=grade).exists():
                    actions.save_config(Frequency(risk_class=risk, grade=grade, per_year=per_year), by=None)
        for n, (code, text, serious) in enumerate(CHECKLIST, start=1):
            if not ChecklistItem.objects.filter(sector="food", code=code).exists():
                actions.save_config(
                    ChecklistItem(code=code, text=text, serious=serious, sort_order=n), by=None
                )
        if not CreditRule.objects.exists():
            for grade, metric, count, window in RULES:
                actions.save_config(
                    CreditRule(grade=grade, metric=metric, count=count, window_days=window), by=None
                )
        self.checklist = list(ChecklistItem.objects.filter(sector="food", active=True))

    def inspectors(self) -> list[User]:
        assert self.department is not None
        # The demo login `inspector` (seed_demo) is one of the pool; the simulation only tops it up to six.
        have = list(actions.inspectors_for(self.department))
        for n, name in enumerate(INSPECTORS[len(have) :], start=len(have) + 1):
            if not StaffProfile.objects.filter(employee_no=f"JC{n:03d}").exists():
                have.append(
                    create_staff(
                        f"inspector{n}", name, f"JC{n:03d}", (Role.INSPECTOR,), [self.department]
                    ).user
                )
        return have

    def entities(self) -> int:
        assert self.department is not None
        with frozen_at(_instant(self.end, 17)):
            licensed = actions.sync_licences(limit=10_000)
        for n in range(1, GENERATED + 1):
            if SupervisedEntity.objects.filter(uscc=_uscc(n)).exists():
                continue
            form = self.rng.choices(["餐饮服务经营者", "食品销售经营者", "单位食堂"], weights=[6, 4, 1])[0]
            with frozen_at(_instant(self.start - timedelta(days=30), 9)):
                actions.save_entity(
                    by=None,
                    uscc=_uscc(n),
                    name=f"容县{self.rng.choice(TOWNS)}{self.rng.choice(NAMES)}{n}号",
                    department=self.department,
                    business_form=form,
                    address=f"{self.rng.choice(TOWNS)}中山路{self.rng.randint(1, 300)}号",
                    near_school=self.rng.random() < 0.2,
                    rural_market=self.rng.random() < 0.25,
                    product_kinds="、".join(self.rng.sample(PRODUCTS, 2)),
                )
        return licensed

    # ------------------------------------------------------------------ the year
    def _record(self, insp: Inspection) -> None:
        day = insp.planned_on
        at = _instant(day, self.rng.choice((9, 10, 14, 15)))
        roll = self.rng.random()
        failed: set[str] = set()
        if roll < 0.06:
            failed = {self.rng.choice([c.code for c in self.checklist if c.serious])}
        elif roll < 0.30:
            failed = set(
                self.rng.sample([c.code for c in self.checklist if not c.serious], self.rng.randint(1, 2))
            )
        answers = [actions.Answer(c, c.code not in failed) for c in self.checklist]
        tests = []
        if self.rng.random() < 0.4:
            sample, item = self.rng.choice(SAMPLES)
            tests.append(actions.Test(sample, item, "positive" if self.rng.random() < 0.03 else "negative"))
        first, second = self.users[insp.inspector_id], self.users[insp.second_inspector_id]
        with frozen_at(at):
            done = actions.record_inspection(insp, by=first, answers=answers, tests=tests)
        self.results[done.result] += 1
        if done.result == Result.PASS:
            return
        days = 10 if done.result == Result.RECTIFY else 5
        with frozen_at(at + timedelta(minutes=30)):
            order = actions.order_rectification(
                done, by=first, requirement="按检查发现问题逐项整改", days=days
            )
        if done.result == Result.FAIL and self.rng.random() < 0.5:
            with frozen_at(at + timedelta(hours=1)):
                actions.refer_case(
                    done,
                    by=first,
                    reason="检查发现违法行为，依法移送立案查处",
                    to_unit="县市场监管局执法大队",
                )
            self.referrals += 1
        late = self.rng.random() < 0.1
        review = (order.clock.due_day or day) + timedelta(days=3 if late else -2)
        if review < self.end:
            with frozen_at(max(_instant(review, 10), at + timedelta(hours=2))):
                order = actions.complete_rectification(order, by=second, note="复查已整改")
            self.rectified[order.status] += 1

    def _run_plan(self, plan: InspectionPlan, seed: str) -> int:
        with frozen_at(_instant(plan.starts_on, 9)):
            try:
                plan = actions.draw_plan(plan, by=None, seed=seed)
            except Exception as exc:
                self.log(f"检查计划“{plan.name}”未抽取：{exc}")
                return 0
        count = 0
        for insp in plan.inspections.order_by("planned_on", "pk"):
            if insp.planned_on <= self.end:
                self._record(insp)
                count += 1
        return count

    def year(self, inspectors: list[User]) -> dict[str, int]:
        assert self.department is not None
        planner = inspectors[0]
        self.users = {u.pk: u for u in inspectors}
        counts = {"routine": 0, "special": 0, "regraded": 0}
        specials = {
            1: ("春节节前食品安全专项检查", "holiday", "", 12),
            2: ("秋季开学校园周边食品安全专项检查", "school", "", 0),
            3: ("乳制品质量安全专项检查", "product", "乳制品", 10),
        }
        for quarter in range(4):
            q_start = self.start + timedelta(days=91 * quarter)
            q_end = min(q_start + timedelta(days=90), self.end)
            with frozen_at(_instant(q_start, 8)):
                routine = actions.create_plan(
                    by=planner,
                    name=f"{q_start:%Y年%m月}起季度日常监督检查",
                    kind="routine",
                    department=self.department,
                    starts_on=q_start,
                    ends_on=q_end,
                )
            counts["routine"] += self._run_plan(routine, f"routine-{q_start:%Y%m%d}")
            if quarter in specials:
                name, campaign, product, size = specials[quarter]
                c_start = q_start + timedelta(days=20)
                with frozen_at(_instant(c_start, 8)):
                    special = actions.create_plan(
                        by=planner,
                        name=name,
                        kind="special",
                        campaign=campaign,
                        product_kind=product,
                        department=self.department,
                        starts_on=c_start,
                        ends_on=c_start + timedelta(days=14),
                        sample_size=size,
                    )
                counts["special"] += self._run_plan(special, f"{campaign}-{c_start:%Y%m%d}")
            with frozen_at(_instant(q_end, 17)):
                counts["regraded"] += actions.regrade_all()["changed"]
        return counts


def run(
    *, seed: int, period: tuple[date, date], case_pks: Sequence[int], log: Callable[[str], None]
) -> dict[str, Any]:
    sim = InspectionSimulation(seed, period, log)
    if sim.department is None:
        log("没有市场监管局：不模拟食品安全监督检查")
        return {}
    sim.configure()
    inspectors = sim.inspectors()
    licensed = sim.entities()
    counts = sim.year(inspectors)
    grades = Counter(SupervisedEntity.objects.values_list("grade", flat=True))
    return {
        "licences_from_cases": licensed,
        "entities": SupervisedEntity.objects.count(),
        "inspections": Inspection.objects.exclude(status=InspectionStatus.PLANNED).count(),
        **counts,
        "results": dict(sorted(sim.results.items())),
        "rectified": dict(sorted(sim.rectified.items())),
        "referrals": sim.referrals,
        "grades": dict(sorted(grades.items())),
    }
