"""The simulator's public disclosure: over the simulated period, departments register information as it is formed
(most published within the 20 working days of 《政府信息公开条例》第二十六条, a few late, a few still waiting),
publish some at once, correct and withdraw a few; citizens and companies file information requests online, by letter
and at the window, which the departments' 政务公开专员 clarify, refer to third parties, extend with the head's
approval and answer with every outcome of 第三十六条. Everything goes through `disclosure.actions`, each at its own
simulated instant (`core.clock.frozen_at`), in time order."""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.calendars.engine import add_working_days, is_working_day
from govhall.core.clock import frozen_at
from govhall.core.identifiers import resident_id_check_char
from govhall.core.tz import SHANGHAI
from govhall.demo.county import make_uscc
from govhall.disclosure import actions
from govhall.disclosure.models import DisclosureRecord, InfoRequest
from govhall.org.actions import create_staff
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile

RECORDS = [
    ("normative", "关于进一步规范{d}行政审批事项办理的通知", "valid"),
    ("plan", "{d}{y}年工作要点", "na"),
    ("budget", "{d}{y}年部门预算公开说明", "na"),
    ("statistics", "{d}{m}月份业务统计数据", "na"),
    ("personnel", "{d}公开招聘工作人员拟聘用人员公示", "na"),
    ("procurement", "{d}办公设备采购项目中标结果公告", "na"),
    ("power", "{d}权力清单和责任清单（动态调整）", "valid"),
    ("supervision", "{d}{m}月份“双随机、一公开”抽查结果", "na"),
    ("decision", "关于{d}重大行政决策事项目录的公告", "na"),
]
REQUESTS = [
    "本村{y}年土地征收补偿安置方案及批复文件",
    "某小区规划许可证及总平面图",
    "{y}年城区道路改造工程的招标文件和中标通知书",
    "本人房屋所在地块的征收决定及附图",
    "县城污水处理厂环评批复",
    "{y}年农村危房改造补助资金发放名单",
    "某企业的营业执照登记资料",
    "关于我反映问题的处理情况",
]
# (outcome, reason, weight)
OUTCOMES = [
    ("disclosed", "", 30),
    ("already_public", "", 15),
    ("partly", "third_party", 10),
    ("withheld", "process", 5),
    ("withheld", "third_party", 4),
    ("not_exist", "", 12),
    ("not_this_agency", "", 8),
    ("needs_creation", "", 3),
    ("special_procedure", "", 3),
    ("repeated", "", 3),
    ("not_processed", "petition", 3),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def _instant(day: date, rng: random.Random) -> datetime:
    minutes = rng.randint(0, 420)
    start = time(9, 0) if minutes < 180 else time(13, 30)
    base = datetime.combine(day, start, tzinfo=SHANGHAI)
    return base + timedelta(minutes=minutes % 180)


def _resident_id(rng: random.Random) -> str:
    first = f"450921{rng.randint(1955, 2002)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first + resident_id_check_char(first)


class DisclosureSimulation:
    def __init__(self, *, seed: int, period: tuple[date, date], log: Callable[[str], None]) -> None:
        self.rng = random.Random(seed + 1402)
        self.start, self.end = period
        self.log = log
        self.queue: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self.counter = itertools.count()
        self.errors: Counter[str] = Counter()
        self.records: list[int] = []
        self.requests: list[int] = []
        self.days = [
            self.start + timedelta(days=i)
            for i in range((self.end - self.start).days + 1)
            if is_working_day(self.start + timedelta(days=i)).value
        ]
        self.departments = list(
            Department.objects.filter(active=True, in_hall=True).order_by("sort_order", "pk")[:8]
        )
        self.officers: dict[int, User] = {}
        self.heads: dict[int, User | None] = {}

    # -- people

    def _officer(self, department: Department) -> User:
        if department.pk not in self.officers:
            username = f"gk{department.pk:03d}"
            # The agency's own disclosure officer when it has one (the demo login gk_officer of 政务服务局), so
            # that person's home shows the requests and drafts; otherwise one created for the simulation.
            profile = (
                StaffProfile.objects.filter(
                    departments=department,
                    active=True,
                    user__is_active=True,
                    user__groups__name=Role.DISCLOSURE_OFFICER.value,
                )
                .select_related("user")
                .order_by("pk")
                .first()
            ) or StaffProfile.objects.filter(user__username=username).select_related("user").first()
            if profile is None:
                name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) + self.rng.choice(GIVEN)
                profile = create_staff(
                    username, name, f"GK{department.pk:04d}", (Role.DISCLOSURE_OFFICER,), [department]
                )
            self.officers[department.pk] = profile.user
        return self.officers[department.pk]

    def _head(self, department: Department) -> User | None:
        if department.pk not in self.heads:
            self.heads[department.pk] = (
                User.objects.filter(
                    groups__name=Role.DEPARTMENT_HEAD.value, staff__departments=department, is_active=True
                )
                .order_by("pk")
                .first()
            )
        return self.heads[department.pk]

    # -- scheduling

    def at(self, instant: datetime, fn: Callable[..., None], *args: Any) -> None:
        if instant.astimezone(SHANGHAI).date() <= self.end:
            heapq.heappush(self.queue, (instant, next(self.counter), fn, args))

    def later(self, instant: datetime, workdays: int, fn: Callable[..., None], *args: Any) -> None:
        day = add_working_days(instant.astimezone(SHANGHAI).date(), workdays).value
        self.at(_instant(day, self.rng), fn, *args)

    def call(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ValidationError, PermissionDenied) as exc:
            self.errors[name] += 1
            self.log(f"政务公开模拟：{name} 未执行（{exc}）")
            return None

    def run(self) -> dict[str, Any]:
        if not self.departments or not self.days:
            self.log("没有部门或工作日：不模拟政务公开")
            return {"records": 0, "requests": 0}
        for department in self.departments:
            self._officer(department)
        n_records = max(4, 2 * len(self.days))
        n_requests = max(3, int(0.8 * len(self.days)))
        for i in range(n_records):
            self.at(_instant(self.rng.choice(self.days), self.rng), self._record, i)
        for i in range(n_requests):
            self.at(_instant(self.rng.choice(self.days), self.rng), self._request, i)
        while self.queue:
            instant, _, fn, args = heapq.heappop(self.queue)
            with frozen_at(instant):
                fn(*args)
        return self.summary()

    # -- the catalog

    def _record(self, i: int) -> None:
        department = self.rng.choice(self.departments)
        category, title, validity = self.rng.choice(RECORDS)
        day = self.rng.choice(self.days)
        title = title.format(d=department.short_name or department.name, y=day.year, m=day.month)
        officer = self._officer(department)
        kwargs: dict[str, Any] = {
            "actor": officer,
            "organ": department,
            "title": title,
            "category": category,
            "validity": validity,
            "summary": f"{department.name}依法主动公开：{title}。",
        }
        if category == "normative":
            kwargs["document_number"] = (
                f"{(department.short_name or department.name)[:4]}发〔{day.year}〕{i + 1}号"
            )
        if self.rng.random() < 0.4:
            record = self.call("disclosure.publish_record", actions.publish_record, **kwargs)
        else:
            record = self.call("disclosure.draft_record", actions.draft_record, **kwargs)
            if record is not None:
                # Most are published in a week or two; one in eight takes longer than the 20 working days.
                days = self.rng.randint(21, 26) if self.rng.random() < 0.125 else self.rng.randint(1, 12)
                self.later(record.created_at, days, self._publish, record.pk)
        if record is None:
            return
        self.records.append(record.pk)
        if record.index_number and self.rng.random() < 0.05:
            self.later(record.created_at, self.rng.randint(1, 5), self._withdraw, record.pk)

    def _publish(self, pk: int) -> None:
        record = DisclosureRecord.objects.select_related("organ").get(pk=pk)
        self.call(
            "disclosure.publish_draft", actions.publish_draft, record, actor=self._officer(record.organ)
        )

    def _withdraw(self, pk: int) -> None:
        record = DisclosureRecord.objects.select_related("organ").get(pk=pk)
        self.call(
            "disclosure.withdraw_record",
            actions.withdraw_record,
            record,
            actor=self._officer(record.organ),
            reason="内容有误，更正后重新发布",
        )

    # -- requests

    def _request(self, i: int) -> None:
        department = self.rng.choice(self.departments)
        officer = self._officer(department)
        channel = self.rng.choices(["online", "letter", "window"], weights=[6, 2, 2])[0]
        person = self.rng.random() < 0.8
        name = (
            self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) + self.rng.choice(GIVEN)
            if person
            else f"广西某{self.rng.choice(['建筑', '律师事务所', '科技', '物业'])}有限公司"
        )
        kind = "person" if person else self.rng.choice(["business", "legal_service", "other_org"])
        description = self.rng.choice(REQUESTS).format(y=self.start.year - 1)
        request = self.call(
            "disclosure.file_request",
            actions.file_request,
            by=officer if channel != "online" else None,
            organ=department,
            channel=channel,
            requester_kind=kind,
            requester_name=name,
            requester_id_number=_resident_id(self.rng)
            if person
            else make_uscc("91", self.rng.randint(1000, 99999)),
            phone=f"13{self.rng.randint(100000000, 999999999)}",
            description=description,
        )
        if request is None:
            return
        self.requests.append(request.pk)
        roll = self.rng.random()
        if roll < 0.12:
            self.later(request.received_at, self.rng.randint(1, 5), self._clarify, request.pk)
        elif roll < 0.2:
            self.later(request.received_at, self.rng.randint(2, 6), self._consult, request.pk)
        else:
            self._plan_answer(request)

    def _plan_answer(self, request: InfoRequest) -> None:
        start = request.clarified_at or request.consult_ended_at or request.received_at
        late = self.rng.random() < 0.06
        if self.rng.random() < 0.08:
            self.later(start, self.rng.randint(12, 18), self._extend, request.pk)
            return
        self.later(
            start, self.rng.randint(21, 23) if late else self.rng.randint(2, 16), self._answer, request.pk
        )

    def _clarify(self, pk: int) -> None:
        request = InfoRequest.objects.select_related("organ", "clock").get(pk=pk)
        done = self.call(
            "disclosure.request_clarification",
            actions.request_clarification,
            request,
            by=self._officer(request.organ),
            items="请写明所需信息的具体名称、文号或形成时间",
        )
        if done is not None and self.rng.random() < 0.75:
            self.later(done.clarify_requested_at, self.rng.randint(2, 8), self._clarified, pk)

    def _clarified(self, pk: int) -> None:
        request = InfoRequest.objects.get(pk=pk)
        done = self.call(
            "disclosure.clarify_request",
            actions.clarify_request,
            request,
            description=f"{request.description}（{self.start.year - 1}年，县政府批复）",
        )
        if done is not None:
            self._plan_answer(done)

    def _consult(self, pk: int) -> None:
        request = InfoRequest.objects.select_related("organ", "clock").get(pk=pk)
        done = self.call(
            "disclosure.start_consultation",
            actions.start_consultation,
            request,
            by=self._officer(request.organ),
            third_party="广西某房地产开发有限公司",
        )
        if done is not None:
            self.later(done.consult_started_at, self.rng.randint(3, 15), self._consult_end, pk)

    def _consult_end(self, pk: int) -> None:
        request = InfoRequest.objects.select_related("organ", "clock").get(pk=pk)
        done = self.call(
            "disclosure.end_consultation",
            actions.end_consultation,
            request,
            by=self._officer(request.organ),
            opinion=self.rng.choice(["同意公开", "不同意公开，涉及商业秘密"]),
        )
        if done is not None:
            self._plan_answer(done)

    def _extend(self, pk: int) -> None:
        request = InfoRequest.objects.select_related("organ", "clock").get(pk=pk)
        head = self._head(request.organ)
        if head is not None:
            self.call(
                "disclosure.extend_request",
                actions.extend_request,
                request,
                by=head,
                reason="需要调取档案核实",
            )
        self.later(request.received_at, self.rng.randint(22, 35), self._answer, pk)

    def _answer(self, pk: int) -> None:
        request = InfoRequest.objects.select_related("organ", "clock").get(pk=pk)
        if not request.is_open or request.status == "clarifying":
            return
        outcome, reason, _ = self.rng.choices(OUTCOMES, weights=[w for *_, w in OUTCOMES])[0]
        kwargs: dict[str, Any] = {"outcome": outcome, "reason_category": reason}
        if outcome in ("disclosed", "partly"):
            kwargs["answer_text"] = "所申请信息见附件。"
        if outcome == "already_public":
            kwargs["where_public"] = "县人民政府门户网站“政府信息公开”专栏"
        if outcome == "not_this_agency":
            kwargs["right_agency"] = "县自然资源局（联系电话0775-0000000）"
        self.call(
            "disclosure.answer_request",
            actions.answer_request,
            request,
            by=self._officer(request.organ),
            **kwargs,
        )

    def summary(self) -> dict[str, Any]:
        records = DisclosureRecord.objects.filter(pk__in=self.records)
        requests = InfoRequest.objects.filter(pk__in=self.requests)
        return {
            "records": len(self.records),
            "records_by_status": dict(Counter(records.values_list("status", flat=True))),
            "records_published_late": records.filter(clock__late=True).count(),
            "requests": len(self.requests),
            "requests_by_status": dict(Counter(requests.values_list("status", flat=True))),
            "requests_by_outcome": dict(
                Counter(requests.exclude(outcome="").values_list("outcome", flat=True))
            ),
            "refused_actions": dict(self.errors),
        }


def run(
    *, seed: int, period: tuple[date, date], case_pks: Sequence[int], log: Callable[[str], None]
) -> dict[str, Any]:
    return DisclosureSimulation(seed=seed, period=period, log=log).run()
