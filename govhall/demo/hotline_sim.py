"""The simulator's 12345 hotline: calls recorded over the simulated period as work orders of every category, most
dispatched to a department (some returned and re-dispatched), answered (a few late), called back and rated, and one
efficiency complaint handed over to the complaint flow. Everything goes through `hotline.actions`.

It drives the `Simulator` of `simulation.py` (passed in, not imported: the simulator imports this module)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from govhall.hotline import actions
from govhall.hotline.choices import Category, OrderStatus, Satisfaction, Urgency
from govhall.hotline.models import WorkOrder
from govhall.org.choices import Role
from govhall.org.models import Department

CALLS = [
    (Category.CONSULT, "咨询个体工商户营业执照办理需要哪些材料"),
    (Category.CONSULT, "咨询新生儿落户和医保参保的办理流程"),
    (Category.HELP, "小区路灯损坏多日，夜间出行不便，请求维修"),
    (Category.HELP, "农民工工资被拖欠三个月，请求协调"),
    (Category.COMPLAINT, "餐馆油烟扰民，多次协商无果"),
    (Category.COMPLAINT, "在政务服务中心窗口办理社保转移被要求反复提交材料"),
    (Category.REPORT, "举报某工地夜间违规施工"),
    (Category.SUGGESTION, "建议政务服务中心延长周末办理时间"),
]
WEIGHTS = [3, 2, 2, 1, 2, 1, 1, 1]
ANSWER_ROLES = (Role.DEPARTMENT_HEAD, Role.APPROVER)


class HotlineSimulation:
    def __init__(self, sim: Any, count: int) -> None:
        self.sim = sim
        self.rng = random.Random(sim.options.seed + 12345)
        self.count = count
        self.operator = (
            User.objects.filter(groups__name=Role.HOTLINE_OPERATOR.value, is_active=True)
            .order_by("pk")
            .first()
        )
        departments = {
            pk for (role, pk), users in sim.staff.by_role.items() if role in ANSWER_ROLES and users
        }
        self.departments = list(Department.objects.filter(pk__in=departments).order_by("pk"))
        self.transferred = False
        self.orders: list[int] = []

    def plan(self) -> None:
        if self.operator is None or len(self.departments) < 2 or not self.count:
            self.sim.log("没有热线话务员或承办部门：不模拟12345热线工单")
            return
        for i in range(self.count):
            day = self.rng.choice(self.sim.period)
            self.sim._at(self.sim.days.office_time(self.rng, day), self._record, i)

    def _record(self, i: int) -> None:
        # The first call of the run is an efficiency complaint about the hall: it goes into the complaint flow.
        category, content = CALLS[5] if i == 0 else self.rng.choices(CALLS, weights=WEIGHTS)[0]
        caller = self.rng.choice(self.sim.people.persons)
        urgent = self.rng.random() < 0.15 and category in (Category.HELP, Category.COMPLAINT)
        order = self.sim._call(
            "hotline.record_order",
            actions.record_order,
            by=self.operator,
            category=category,
            urgency=Urgency.URGENT if urgent else Urgency.ORDINARY,
            content=content,
            caller_name=caller.name,
            caller_phone=caller.phone,
        )
        self.orders.append(order.pk)
        if i == 0 and not self.transferred:
            self.transferred = True
            self.sim._call(
                "hotline.transfer_to_complaint", actions.transfer_to_complaint, order, by=self.operator
            )
            return
        if self.rng.random() < 0.9:
            self._later(order.recorded_at, self.rng.randint(5, 60), self._dispatch, order.pk, None)

    def _later(self, instant: datetime, minutes: int, fn: Any, *args: Any) -> None:
        self.sim._at(self.sim.days.after(instant, minutes), fn, *args)

    def _dispatch(self, pk: int, avoid: int | None) -> None:
        order = WorkOrder.objects.select_related("clock").get(pk=pk)
        choices = [d for d in self.departments if d.pk != avoid]
        department = self.rng.choice(choices)
        self.sim._call(
            "hotline.dispatch",
            actions.dispatch,
            order,
            by=self.operator,
            department=department,
        )
        if avoid is None and self.rng.random() < 0.12:
            self._later(
                self.sim.days.after(order.recorded_at, 60), self.rng.randint(30, 240), self._return, pk
            )
            return
        # Most answer well within the limit; about one in ten takes twice as long as it has.
        budget = order.clock.budget
        minutes = budget * (2 if self.rng.random() < 0.1 else self.rng.uniform(0.2, 0.8))
        if order.clock.unit == "workday":
            minutes *= 420
        self._later(self.sim.days.after(order.recorded_at, 61), max(10, int(minutes)), self._answer, pk)

    def _staff(self, department_id: int) -> User:
        for role in ANSWER_ROLES:
            if self.sim.staff.has(role, department_id):
                user: User = self.sim.staff.pick(self.rng, role, department_id)
                return user
        raise RuntimeError("no department staff")

    def _return(self, pk: int) -> None:
        order = WorkOrder.objects.get(pk=pk)
        if order.status != OrderStatus.DISPATCHED or order.department_id is None:
            return
        by = self._staff(order.department_id)
        self.sim._call(
            "hotline.return_order", actions.return_order, order, by=by, reason="不属于本部门职责，请改派"
        )
        self._later(
            self.sim.days.after(order.recorded_at, 1),
            self.rng.randint(10, 60),
            self._dispatch,
            pk,
            order.department_id,
        )

    def _answer(self, pk: int) -> None:
        order = WorkOrder.objects.select_related("clock").get(pk=pk)
        if order.status != OrderStatus.DISPATCHED or order.department_id is None:
            return
        by = self._staff(order.department_id)
        self.sim._call(
            "hotline.answer", actions.answer, order, by=by, text="已核实情况并答复来电人，问题已按规定处理。"
        )
        if self.rng.random() < 0.85:
            self._later(
                order.clock.stopped_at or order.recorded_at, self.rng.randint(60, 900), self._call_back, pk
            )

    def _call_back(self, pk: int) -> None:
        order = WorkOrder.objects.get(pk=pk)
        reached = self.rng.random() < 0.9
        solved = self.rng.random() < 0.8
        if not reached:
            self.sim._call(
                "hotline.call_back",
                actions.call_back,
                order,
                by=self.operator,
                reached=False,
                note="三次拨打无人接听",
            )
            return
        level = self.rng.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.DISSATISFIED],
            weights=[6, 3, 1] if solved else [1, 3, 6],
        )[0]
        self.sim._call(
            "hotline.call_back",
            actions.call_back,
            order,
            by=self.operator,
            reached=True,
            solved=solved,
            satisfaction=level,
        )

    def summary(self) -> dict[str, Any]:
        statuses = Counter(WorkOrder.objects.filter(pk__in=self.orders).values_list("status", flat=True))
        categories = Counter(WorkOrder.objects.filter(pk__in=self.orders).values_list("category", flat=True))
        return {
            "work_orders": len(self.orders),
            "by_status": {s.value: statuses.get(s.value, 0) for s in OrderStatus},
            "by_category": {c.value: categories.get(c.value, 0) for c in Category},
            "returned": WorkOrder.objects.filter(pk__in=self.orders, events__kind="returned")
            .distinct()
            .count(),
            "late_answers": WorkOrder.objects.filter(
                pk__in=self.orders, answered_at__isnull=False, clock__late=True
            ).count(),
        }
