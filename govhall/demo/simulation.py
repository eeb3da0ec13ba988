"""A simulated history for the hall: N applications driven through the real case actions over D working days.

`simulate()` (and `manage.py simulate`) gives a development or demo database the history a running center has —
open cases with green, yellow and red lights, corrections, special procedures, extensions, returns, joint reviews,
refusals, deemed acceptances, late steps — without a line of hand-written fixture data. Every change goes through
`govhall.cases.actions`, so the audit chain, clocks, documents and notifications are exactly what real use would
have produced; time is driven by `govhall.core.clock.frozen_at`, one event at a time, in instant order.

Realism (rates are shares of all applications; see the constants below):

- arrivals fall on the working days of the period, weighted to busy items (licences people need often, main items
  over their 注销/补办 sub-items, a long tail) and to Monday mornings; window and agent applications in office
  hours, online ones from 08:00 to 22:00;
- channels 60% window, 30% online (items that allow it), 10% village agent points;
- window clerks decide on intake at once, online and agent applications within two working days; instant items
  (即办件) are decided at the window in one sitting;
- staff handle each step somewhere inside its time budget, usually early; a few steps are handled after their
  deadline, which makes a few cases late;
- documents are issued and stay pending: sealing is `run_jobs`'s (or the first download's) work.

Determinism: all choices come from `random.Random` seeded with `seed` (one generator per application, so a
case's plan does not depend on what other cases did), staff and items are taken in a stable order, and events at
the same instant run in the order they were scheduled. The same seed and start on the same data give the same
summary."""

from __future__ import annotations

import bisect
import hashlib
import heapq
import hmac
import itertools
import random
import time as _time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from govhall.calendars import engine as calendar
from govhall.cases import actions
from govhall.cases.choices import (
    ACTIVE_TASK,
    CaseStatus,
    Channel,
    Decision,
    IntakeOutcome,
    PauseKind,
    TaskAction,
    TaskStatus,
)
from govhall.cases.models import (
    Case,
    CaseGroup,
    CorrectionNotice,
    Extension,
    OutOfProcedureAttempt,
    Pause,
    Task,
)
from govhall.cases.uploads import Upload
from govhall.catalog import actions as catalog_actions
from govhall.catalog.choices import ItemStatus, OnlineDepth, ServiceTarget
from govhall.catalog.models import ServiceItem
from govhall.clocks.choices import ClockUnit
from govhall.core.clock import frozen_at, now
from govhall.core.identifiers import resident_id_check_char
from govhall.demo.ratings import rate_cases
from govhall.ledger.actions import link as link_audit
from govhall.org.choices import Role
from govhall.org.models import Department, Site, StaffProfile, Window
from govhall.workflow import engine as wf
from govhall.workflow.schema import ProcessSpec, Step

from . import forms as demo_forms
from .county import DEPARTMENTS, make_uscc
from .hotline_sim import HotlineSimulation
from .loader import seed_demo
from .modules import run_modules
from .queues import QueueHook

# --------------------------------------------------------------------------------------------- rates

CHANNELS = ((Channel.WINDOW, 0.60), (Channel.ONLINE, 0.30), (Channel.AGENT, 0.10))
# Intake outcomes (shares of all applications).
P_CORRECTION = 0.10  # one-time correction notices, at intake and (a fifth of them) during review
P_CORRECTION_IN_REVIEW = 0.2  # share of the corrections asked for by the reviewer rather than at intake
P_REFUSED_AT_INTAKE = 0.02
P_REDIRECTED = 0.01
P_UNANSWERED = 0.03  # of online and agent applications: nobody answers, deemed accepted after 5 working days
# Processing (shares of all applications; drawn among the cases that can have them).
P_SPECIAL = 0.03
P_EXTENSION = 0.03
P_RETURN = 0.05
P_REFUSED_AT_DECISION = 0.05
P_WITHDRAWN = 0.01
P_OUT_OF_PROCEDURE = 0.01  # a staff member tries an action the process does not allow (refused and recorded)
P_LATE_STEP = 0.04  # a step handled after its own deadline
# Corrections take the applicant 1–3 working days; special procedures a few working days.
CORRECTION_DAYS = (1, 3)
SPECIAL_DAYS = (2, 6)

PDF = b"%PDF-1.4\n% govhall simulated material\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"

# The working day's sessions the simulated staff keep (the demo halls' hours; settings' default otherwise).
ONLINE_HOURS = (time(8, 0), time(22, 0))

_CO_DEPARTMENTS = {
    # Joint review (并联审批) partners of a lead department, by demo department key (govhall.demo.county).
    "zjj": ("zrj", "rfb"),
    "zrj": ("zjj", "fgj"),
    "slj": ("zrj", "sthj"),
    "qxj": ("zjj", "yjj"),
    "rfb": ("zjj", "zrj"),
    "fgj": ("zrj", "sthj"),
}
_DEFAULT_CO = ("zjj", "zrj", "sthj")

_REFUSAL_REASONS = (
    "申请事项依法不需要取得行政许可",
    "申请人不具备申请资格：申请主体不符合《办事指南》规定的受理条件",
    "申请事项不属于本级机关受理范围，且申请人拒绝补正后重新申请",
)
_DECISION_REFUSALS = (
    "经现场核查，经营场所不符合规定的条件",
    "申请材料所述情况与实际不符，不符合法定条件",
    "专家评审意见认为项目不符合相关标准",
    "联审部门提出否决意见，申请不符合法定条件",
)
_RETURN_REASONS = ("审查意见不完整，请补充核查情况", "审查意见与现场情况不一致，请重新审查", "请补充审查依据")
_EXTENSION_REASONS = ("需组织多部门会商", "案情复杂，需进一步核实申请材料", "需征求利害关系人意见")
_REDIRECT_AGENCIES = ("玉林市市场监督管理局", "玉林市自然资源局", "玉林市生态环境局", "自治区交通运输厅")

_SURNAMES = "陈李黄梁刘杨何覃罗莫韦钟林苏谢冯庞卢朱周吴张王邓徐潘蒙甘劳"
_GIVEN = "伟强磊军勇杰涛明超刚华芳娜敏静丽艳娟霞平婷雪琳瑶慧燕红萍琪怡宇鹏凯斌波康豪轩然新生荣光梅兰菊玲"
_PLACES = (
    "容州",
    "杨梅",
    "灵山",
    "六王",
    "黎村",
    "杨村",
    "县底",
    "自良",
    "松山",
    "石头",
    "十里",
    "浪水",
    "石寨",
    "罗江",
)
_TRADES = (
    ("好味", "餐饮"), ("兴旺", "商贸"), ("顺达", "物流"), ("绿源", "农业"), ("恒通", "建筑"), ("安康", "医药"),
    ("金穗", "食品"), ("宏图", "科技"), ("民乐", "文化"), ("鑫源", "建材"), ("沙田柚", "种植"), ("云海", "旅游"),
)  # fmt: skip


class SimulationError(RuntimeError):
    """An action refused what the simulator expected it to accept: a bug in the simulator or in the actions."""


# --------------------------------------------------------------------------------------------- time


class _Days:
    """Working days and office time around the simulated period (pure arithmetic after construction)."""

    def __init__(self, first: date, last: date, sessions: Sequence[tuple[time, time]]) -> None:
        self.sessions = tuple(sessions)
        # Deadlines of steps and cases reach well past the period; a year beyond it covers every limit in use.
        lo, hi = first - timedelta(days=31), last + timedelta(days=400)
        self.workdays: list[date] = [
            d
            for d in (lo + timedelta(days=i) for i in range((hi - lo).days + 1))
            if calendar.is_working_day(d).value
        ]

    def between(self, a: date, b: date) -> list[date]:
        """Working days d with a <= d <= b."""
        lo = bisect.bisect_left(self.workdays, a)
        hi = bisect.bisect_right(self.workdays, b)
        return self.workdays[lo:hi]

    def add(self, d: date, n: int) -> date:
        return calendar.add_working_days(d, n).value

    def is_working(self, d: date) -> bool:
        i = bisect.bisect_left(self.workdays, d)
        if i < len(self.workdays) and self.workdays[i] == d:
            return True
        if self.workdays[0] <= d <= self.workdays[-1]:
            return False
        return calendar.is_working_day(d).value

    def next_working(self, d: date) -> date:
        while not self.is_working(d):
            d += timedelta(days=1)
        return d

    def local(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=calendar.CALENDAR_TZ)

    def office_time(
        self, rng: random.Random, d: date, *, not_before: datetime | None = None, morning_bias: float = 0.5
    ) -> datetime:
        """A random minute of office time on working day `d` (or the next one with time left), strictly after
        `not_before`. A whole day is split between its first session and the rest by `morning_bias`."""
        d = self.next_working(d)
        while True:
            slots = []
            for start, end in self.sessions:
                lo, hi = self.local(d, start), self.local(d, end)
                if not_before is not None and not_before >= lo:
                    lo = not_before + timedelta(minutes=1)
                if lo < hi:
                    slots.append((lo, hi))
            if slots:
                if len(slots) == len(self.sessions) > 1:
                    lo, hi = slots[0] if rng.random() < morning_bias else rng.choice(slots[1:])
                else:
                    lo, hi = rng.choices(slots, weights=[(b - a).total_seconds() for a, b in slots])[0]
                span = max(1, int((hi - lo).total_seconds() // 60))
                return lo + timedelta(minutes=rng.randrange(span), seconds=rng.randrange(60))
            d = self.next_working(d + timedelta(days=1))
            not_before = None

    def after(self, instant: datetime, minutes: int) -> datetime:
        """`minutes` of office time after `instant` (starting at the next session when outside office hours)."""
        return calendar.add_office_minutes(instant, max(1, minutes), self.sessions).value


# --------------------------------------------------------------------------------------------- people


@dataclass
class Staff:
    """Who acts for whom: users by (role, department), taken in username order so that runs are reproducible."""

    by_role: dict[tuple[str, int], list[User]] = field(default_factory=dict)
    agents: list[tuple[User, Site | None]] = field(default_factory=list)
    window_of: dict[int, int | None] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> Staff:
        staff = cls()
        by_role: dict[tuple[str, int], list[User]] = defaultdict(list)
        profiles = (
            StaffProfile.objects.filter(user__is_active=True)
            .select_related("user", "window")
            .prefetch_related("departments", "user__groups", "sites")
            .order_by("user__username")
        )
        for profile in profiles:
            user = profile.user
            staff.window_of[user.pk] = profile.window_id
            roles = {g.name for g in user.groups.all()}
            departments = {d.pk for d in profile.departments.all()}
            if profile.window is not None and profile.window.department_id:
                departments.add(profile.window.department_id)
            for role in roles:
                for dept in sorted(departments):
                    by_role[(role, dept)].append(user)
            if Role.AGENT in roles:
                sites = sorted(profile.sites.all(), key=lambda s: s.pk)
                village = [s for s in sites if s.kind == "village"] or sites
                staff.agents.append((user, village[0] if village else None))
        staff.by_role = dict(by_role)
        return staff

    def has(self, role: str, department_id: int) -> bool:
        return bool(self.by_role.get((role, department_id)))

    def pick(self, rng: random.Random, role: str, department_id: int) -> User:
        people = self.by_role.get((role, department_id))
        if not people:
            raise SimulationError(f"部门 {department_id} 没有“{Role(role).label}”")
        return rng.choice(people)


def _dept_key(department: Department) -> str:
    for plan in DEPARTMENTS:
        if plan.name == department.name:
            return plan.key
    return f"d{department.pk}"


class _People:
    """Applicants: a reproducible pool of persons and enterprises with valid identifiers, some of whom come back."""

    def __init__(self, seed: int, size: int) -> None:
        rng = random.Random(f"people-{seed}")
        self.persons: list[actions.ApplicantData] = []
        self.companies: list[actions.ApplicantData] = []
        seen: set[str] = set()
        while len(self.persons) < size:
            name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
            birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 54))
            first17 = f"450921{birth:%Y%m%d}{rng.randrange(1000):03d}"
            number = first17 + resident_id_check_char(first17)
            if number in seen:
                continue
            seen.add(number)
            phone = rng.choice(("138", "139", "150", "177", "188", "199")) + f"{rng.randrange(10**8):08d}"
            self.persons.append(
                actions.ApplicantData(kind="person", name=name, id_number=number, phone=phone)
            )
        for k in range(max(10, size // 3)):
            place = _PLACES[k % len(_PLACES)]
            brand, trade = _TRADES[(k // len(_PLACES)) % len(_TRADES)]
            suffix = "" if k < len(_PLACES) * len(_TRADES) else str(k // (len(_PLACES) * len(_TRADES)) + 1)
            legal = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
            phone = rng.choice(("135", "136", "158", "183", "189")) + f"{rng.randrange(10**8):08d}"
            self.companies.append(
                actions.ApplicantData(
                    kind="enterprise",
                    name=f"容县{place}{brand}{trade}{suffix}有限公司",
                    id_number=make_uscc("91", 20000 + k),
                    phone=phone,
                    legal_representative=legal,
                    address=f"广西容县{place}镇",
                )
            )
        self.accounts: dict[str, Any] = {}
        self._group: Group | None = None

    def pick(self, rng: random.Random, target: str) -> actions.ApplicantData:
        if target == ServiceTarget.ENTERPRISE or (target == ServiceTarget.BOTH and rng.random() < 0.3):
            pool = self.companies
        else:
            pool = self.persons
        # A skewed pick: a few people come back several times, most apply once.
        return pool[min(len(pool) - 1, int(len(pool) * rng.random() ** 1.3))]

    def account(self, who: actions.ApplicantData) -> User:
        """The applicant's own login for online applications (created once; no password, as a fixture)."""
        user = self.accounts.get(who.id_number)
        if user is None:
            users = get_user_model()
            user, created = users.objects.get_or_create(
                username=account_name(who.id_number), defaults={"first_name": who.name[:150]}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                if self._group is None:
                    self._group, _ = Group.objects.get_or_create(name=Role.APPLICANT.value)
                user.groups.add(self._group)
            self.accounts[who.id_number] = user
        return user


def account_name(id_number: str) -> str:
    """sim-<12 hex>: stable for one identity on one installation (a re-run finds the same account), and never
    the ID number itself, which would otherwise reach every page and the immutable ledger that names the actor.
    Keyed by the secret key, as a bare hash of an ID number is quickly reversed by trying every birth date."""
    digest = hmac.new(settings.SECRET_KEY.encode(), id_number.upper().encode(), hashlib.sha256)
    return f"sim-{digest.hexdigest()[:12]}"


# --------------------------------------------------------------------------------------------- preparation


def _ensure_demo(log: Callable[[str], None]) -> None:
    if not ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).exists():
        log("没有已发布的事项：载入演示县数据（seed_demo）")
        seed_demo()


def _ensure_joint_departments(items: Iterable[ServiceItem], log: Callable[[str], None]) -> None:
    """A joint-review item without co-departments cannot leave its first step (the parallel step needs at least
    one); give such items the usual partners of their lead department so that joint reviews happen."""
    by_key = {_dept_key(d): d for d in Department.objects.filter(active=True)}
    for item in items:
        if item.process_template != "joint_review" or item.joint_departments.exists():
            continue
        lead = _dept_key(item.department)
        partners = [by_key[k] for k in _CO_DEPARTMENTS.get(lead, _DEFAULT_CO) if k in by_key and k != lead]
        if not partners:
            partners = [d for k, d in sorted(by_key.items()) if d.pk != item.department_id][:2]
        catalog_actions.update_item(
            item, joint_departments=partners[:2], note="模拟：补充并联审批联审部门", actor=None
        )
        log(f"并联审批事项“{item.name}”未配置联审部门，设为：{'、'.join(d.name for d in partners[:2])}")


def _spec_roles(spec: ProcessSpec) -> set[tuple[str, str]]:
    """(role, "lead"|"joint") of every actor of a process."""
    roles: set[tuple[str, str]] = set()
    for step in spec.steps:
        if step.actor is not None:
            roles.add((step.actor.role, step.actor.department))
        for branch in step.branches:
            roles.add((branch.actor.role, branch.actor.department))
    return roles


def ensure_staff(items: Sequence[ServiceItem], staff: Staff, log: Callable[[str], None]) -> Staff:
    """Departments whose items the simulation uses get a clerk, an approver and a head when the demo has none
    (usernames sim-<department>-clerk / -approver / -head, created through org.actions.create_staff)."""
    from govhall.org import actions as org_actions

    needed: dict[int, set[str]] = defaultdict(set)
    specs: dict[str, ProcessSpec] = {}
    for item in items:
        if item.process_template not in specs:
            specs[item.process_template] = wf.spec_of(wf.get_active(item.process_template))
        needed[item.department_id].add(Role.WINDOW_CLERK)  # intake of online and agent applications, delivery
        for role, where in _spec_roles(specs[item.process_template]):
            if where == "lead":
                needed[item.department_id].add(role)
            else:
                for dept in item.joint_departments.all():
                    needed[dept.pk].add(role)
        if item.process_template != "instant":
            needed[item.department_id].add(Role.DEPARTMENT_HEAD)  # extensions (art. 42)
    suffix = {Role.WINDOW_CLERK: "clerk", Role.APPROVER: "approver", Role.DEPARTMENT_HEAD: "head"}
    title = {Role.WINDOW_CLERK: "窗口", Role.APPROVER: "审批员", Role.DEPARTMENT_HEAD: "负责人"}
    center = Site.objects.filter(kind="center").order_by("pk").first()
    users = get_user_model()
    departments = Department.objects.in_bulk(list(needed))
    created = False
    for dept_id in sorted(needed):
        dept = departments[dept_id]
        key = _dept_key(dept)
        for role in sorted(needed[dept_id]):
            if staff.has(role, dept_id) or role not in suffix:
                continue
            username = f"sim-{key}-{suffix[Role(role)]}"
            if users.objects.filter(username=username).exists():
                continue  # exists but lacks the role or the department: leave a person's account as it is
            window = Window.objects.filter(department=dept, active=True).order_by("number").first()
            is_clerk = role == Role.WINDOW_CLERK
            org_actions.create_staff(
                username,
                f"{dept.short_name or dept.name[:20]}{title[Role(role)]}"[:32],
                f"SIM-{key}-{suffix[Role(role)]}".upper()[:32],
                [role],
                [dept],
                [center] if is_clerk and window is None and center is not None else [],
                window=window if is_clerk else None,
                title=f"模拟{Role(role).label}",
            )
            staff.created.append(username)
            created = True
            log(f"创建模拟工作人员 {username}（{dept.name}，{Role(role).label}）")
    if not created:
        return staff
    fresh = Staff.load()
    fresh.created = staff.created
    return fresh


# --------------------------------------------------------------------------------------------- the mix


_BUSY_WORDS = (
    ("营业执照", 6.0), ("个体工商户", 5.0), ("食品经营", 4.0), ("不动产", 4.0), ("社会保险", 4.0), ("医疗保险", 3.5),
    ("公积金", 3.0), ("户口", 3.5), ("居民身份证", 3.5), ("驾驶证", 3.0), ("机动车", 2.5), ("发票", 3.0),
    ("税", 2.0), ("养老", 2.5), ("就业", 2.0), ("最低生活保障", 2.0), ("婚姻", 2.0), ("卫生许可", 2.0),
    ("医师", 1.5), ("出生医学证明", 2.0), ("道路运输", 1.5), ("建筑", 1.2),
)  # fmt: skip
_SUB_ITEM_WORDS = (
    ("注销", 0.35),
    ("补办", 0.35),
    ("补发", 0.35),
    ("遗失", 0.35),
    ("变更", 0.6),
    ("延续", 0.6),
)


def item_weight(item: ServiceItem) -> float:
    """How busy an item is, relative to others: the demo catalog carries no volumes, so this estimates them from
    the name (licences and registrations people need often), sub-items (注销/补办 are rarer than 新办), whether
    the item is in the hall, and a fixed per-item spread (a long tail, the same in every run)."""
    weight = 1.0
    for word, factor in _BUSY_WORDS:
        if word in item.name:
            weight = max(weight, factor)
    for word, factor in _SUB_ITEM_WORDS:
        if word in item.name:
            weight *= factor
    if item.is_instant:
        weight *= 1.5
    if not item.in_hall:
        weight *= 0.3
    if item.process_template in ("joint_review", "report_upward"):
        weight *= 0.6
    spread = random.Random(hashlib.sha256(item.impl_code.encode()).hexdigest()).lognormvariate(0, 0.7)
    return weight * spread


# --------------------------------------------------------------------------------------------- one application


@dataclass
class _Plan:
    index: int
    rng: random.Random
    item: ServiceItem
    spec: ProcessSpec
    channel: str
    applicant: actions.ApplicantData
    arrival: datetime
    intake: str  # "accept" | "correction" | "refuse" | "redirect" | "unanswered"
    review_correction: bool = False
    special: bool = False
    extend: bool = False
    give_back: bool = False  # a return at the deciding step
    refuse: bool = False
    withdraw: bool = False
    out_of_procedure: bool = False
    green: bool = False
    # state
    case: Case | None = None
    owner: User | None = None  # the applicant's account (online)
    agent: User | None = None
    agent_site: Site | None = None
    clerk: User | None = None
    missing: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[Upload] = field(default_factory=list)
    actors: dict[tuple[str, int], User] = field(default_factory=dict)
    seen_tasks: set[int] = field(default_factory=set)
    act_token: dict[int, int] = field(default_factory=dict)
    waiting: list[int] = field(default_factory=list)
    special_started: bool = False
    returned: bool = False
    extension_planned: bool = False
    out_of_procedure_done: bool = False
    branch_refused: bool = False
    delivered_planned: bool = False
    group: CaseGroup | None = None  # the 一件事 the case belongs to: delivered once, for the whole bundle


def _uses_special(spec: ProcessSpec, step: Step) -> bool:
    if not step.special_procedures:
        return False
    # In the special-procedure template the procedure belongs to its own step; elsewhere to the review.
    has_own = any(s.key == "special" for s in spec.steps)
    return step.key == "special" if has_own else True


# --------------------------------------------------------------------------------------------- the simulator


@dataclass
class Options:
    cases: int
    days: int
    seed: int = 0
    start: date | None = None
    bundles: int = 0  # 一件事 applications, on top of `cases` (their member cases are not in the summary)


class Simulator:
    def __init__(self, options: Options, *, log: Callable[[str], None] | None = None) -> None:
        if options.cases < 0 or options.days < 1:
            raise ValueError("cases must be >= 0 and days >= 1")
        self.options = options
        self.log = log or (lambda message: None)
        self._queue: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = itertools.count()
        self.plans: list[_Plan] = []
        self.case_pks: list[int] = []
        self._unanswered: dict[int, _Plan] = {}
        self._token = itertools.count(1)
        # Per action: [calls, queries, seconds] — the hot spots, for `simulate --profile`.
        self.stats: dict[str, list[Any]] = {}
        self._queries = [0]
        self._supervised: set[int] = set()

    # ----------------------------------------------------------------- setup

    def _period(self) -> list[date]:
        days = self.options.days
        if self.options.start is not None:
            d = self.options.start
            out: list[date] = []
            while len(out) < days:
                if calendar.is_working_day(d).value:
                    out.append(d)
                d += timedelta(days=1)
            return out
        # By default the period ends on the last working day before today, so the history leads up to now.
        d = calendar.local_date(now()) - timedelta(days=1)
        back: list[date] = []
        while len(back) < days:
            if calendar.is_working_day(d).value:
                back.append(d)
            d -= timedelta(days=1)
        return sorted(back)

    def prepare(self) -> None:
        _ensure_demo(self.log)
        self.period = self._period()
        from django.conf import settings

        sessions = calendar.parse_sessions(settings.GOVHALL_DEFAULT_OFFICE_HOURS)
        center = Site.objects.filter(kind="center").order_by("pk").first()
        hall = center.halls.order_by("pk").first() if center is not None else None
        if hall is not None and hall.sessions.exists():
            sessions = tuple((s.start, s.end) for s in hall.sessions.order_by("start"))
        self.days = _Days(self.period[0], self.period[-1], sessions)
        items = list(
            ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, department__active=True)
            .exclude(process_template="bundle")
            .select_related("department", "window")
            .prefetch_related("materials")
            .order_by("impl_code")
        )
        with transaction.atomic():
            _ensure_joint_departments(items, self.log)
        usable = [i for i in items if i.process_template != "joint_review" or i.joint_departments.exists()]
        self.staff = Staff.load()
        with transaction.atomic():
            self.staff = ensure_staff(usable, self.staff, self.log)
        self.items = usable
        self.specs = {code: wf.spec_of(wf.get_active(code)) for code in {i.process_template for i in usable}}
        self.weights = [item_weight(i) for i in usable]
        self.people = _People(self.options.seed, max(30, int(self.options.cases * 0.8)))
        if not self.staff.agents:
            self.log("没有村级代办员：代办渠道的申请改为窗口受理")
        self._plan_arrivals()
        # 取号叫号: window applicants take a ticket before they reach the window (govhall/demo/queues.py).
        self.queues = QueueHook(self)
        self.queues.schedule()
        # 12345 hotline work orders over the same period (govhall/demo/hotline_sim.py).
        self.hotline = HotlineSimulation(self, max(6, self.options.cases // 8) if self.options.cases else 0)
        self.hotline.plan()

    def _plan_arrivals(self) -> None:
        options = self.options
        cum = list(itertools.accumulate(self.weights))
        day_weight = [(1.3, 1.1, 1.0, 1.0, 0.85, 0.6, 0.6)[d.weekday()] for d in self.period]
        total = cum[-1]
        instant_share = sum(w for i, w in zip(self.items, self.weights, strict=True) if i.is_instant) / total
        processing = max(0.05, (1 - instant_share) * (1 - P_CORRECTION - P_REFUSED_AT_INTAKE - P_REDIRECTED))
        # Rates are shares of all applications; each is drawn among the cases that can have it.
        self.p_special = min(1.0, P_SPECIAL / processing)
        self.p_extend = min(1.0, P_EXTENSION / processing)
        self.p_return = min(1.0, P_RETURN / processing)
        self.p_refuse = min(1.0, P_REFUSED_AT_DECISION / (1 - P_REFUSED_AT_INTAKE - P_REDIRECTED))
        self.p_withdraw = min(1.0, P_WITHDRAWN / max(0.05, 1 - instant_share * CHANNELS[0][1]))
        self.p_oop = min(1.0, P_OUT_OF_PROCEDURE / processing)
        self.p_review_correction = min(1.0, P_CORRECTION * P_CORRECTION_IN_REVIEW / processing)
        arrivals = []
        for index in range(options.cases):
            case_rng = random.Random(f"case-{options.seed}-{index}")
            item = self.items[bisect.bisect_left(cum, case_rng.random() * total)]
            day = case_rng.choices(self.period, weights=day_weight)[0]
            channel = case_rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
            if channel == Channel.ONLINE and item.online_depth < OnlineDepth.PREVIEW:
                channel = Channel.WINDOW
            if channel == Channel.AGENT and not self.staff.agents:
                channel = Channel.WINDOW
            if channel == Channel.ONLINE:
                start, end = ONLINE_HOURS
                minutes = (end.hour - start.hour) * 60
                arrival = self.days.local(day, start) + timedelta(
                    minutes=case_rng.randrange(minutes), seconds=case_rng.randrange(60)
                )
            else:
                arrival = self.days.office_time(case_rng, day, morning_bias=0.6)
            arrivals.append((arrival, index, case_rng, item, channel))
        arrivals.sort(key=lambda a: (a[0], a[1]))
        for arrival, index, case_rng, item, channel in arrivals:
            plan = self._plan(index, case_rng, item, channel, arrival)
            self.plans.append(plan)
            self._at(arrival, self._arrive, plan)
        for day in self._calendar_days():
            self._at(calendar.deadline_instant(day), self._day_end)
        self._plan_bundles(day_weight)

    # ----------------------------------------------------------------- 一件事

    def _plan_bundles(self, day_weight: list[float]) -> None:
        from govhall.cases.bundles import published_bundles

        bundles = [
            b
            for b in published_bundles().order_by("code")
            if self.staff.has(Role.WINDOW_CLERK.value, b.lead_department_id)
        ]
        for n in range(self.options.bundles if bundles else 0):
            rng = random.Random(f"bundle-{self.options.seed}-{n}")
            day = rng.choices(self.period, weights=day_weight)[0]
            self._at(
                self.days.office_time(rng, day, morning_bias=0.6),
                self._bundle_arrive,
                rng,
                bundles[n % len(bundles)],
            )

    def _bundle_arrive(self, rng: random.Random, bundle: Any) -> None:
        """One window intake for the whole bundle, accepted at once; each member then runs like any case."""
        from govhall.cases.bundles import form_materials

        clerk = self.staff.pick(rng, Role.WINDOW_CLERK.value, bundle.lead_department_id)
        items = list(bundle.items.order_by("bundle_entries__order"))
        applicant = self.people.pick(rng, items[0].target)
        uploads = [
            Upload(filename=f"bundle-{m.pk}.pdf", content=PDF, material_id=m.pk)
            for m, _ in form_materials(bundle)
            if m.required and not m.e_license_ok
        ]
        # One form for the bundle: every member item's fields, each once.
        form: dict[str, Any] = {}
        for item in items:
            for form_field in item.form_fields.all():
                if form_field.key not in form and (form_field.required or rng.random() < 0.5):
                    form[form_field.key] = demo_forms.sample_value(form_field, applicant, rng)
        group = self._call(
            "submit_bundle",
            actions.submit_bundle,
            bundle=bundle,
            applicant=applicant,
            channel=Channel.WINDOW,
            by=clerk,
            form_data=form,
            uploads=uploads,
        )
        self._call("accept_bundle", actions.accept_bundle, group, by=clerk)
        for index, case in enumerate(Case.objects.filter(group=group).select_related("item").order_by("pk")):
            plan = _Plan(
                index=100_000 + index,
                rng=rng,
                item=case.item,
                spec=wf.spec_by_id(case.process_id),
                channel=Channel.WINDOW,
                applicant=applicant,
                arrival=now(),
                intake="accept",
                case=case,
                # The member's own window (its department's clerk) acts on its window steps.
                clerk=clerk
                if case.department_id == bundle.lead_department_id
                else self.staff.pick(rng, Role.WINDOW_CLERK.value, case.department_id),
                group=group,
            )
            self._schedule_tasks(plan)

    def _calendar_days(self) -> Iterator[date]:
        d = self.period[0]
        while d <= self.period[-1]:
            yield d
            d += timedelta(days=1)

    def _plan(
        self, index: int, rng: random.Random, item: ServiceItem, channel: str, arrival: datetime
    ) -> _Plan:
        spec = self.specs[item.process_template]
        applicant = self.people.pick(rng, item.target)
        roll = rng.random()
        if roll < P_REFUSED_AT_INTAKE:
            intake = "refuse"
        elif roll < P_REFUSED_AT_INTAKE + P_REDIRECTED:
            intake = "redirect"
        elif roll < P_REFUSED_AT_INTAKE + P_REDIRECTED + P_CORRECTION * (1 - P_CORRECTION_IN_REVIEW):
            intake = "correction"
        elif channel != Channel.WINDOW and rng.random() < P_UNANSWERED:
            intake = "unanswered"
        else:
            intake = "accept"
        processing = not item.is_instant
        plan = _Plan(
            index=index,
            rng=rng,
            item=item,
            spec=spec,
            channel=channel,
            applicant=applicant,
            arrival=arrival,
            intake=intake,
            review_correction=processing and rng.random() < self.p_review_correction,
            special=processing and rng.random() < self.p_special,
            extend=processing and rng.random() < self.p_extend,
            give_back=processing and rng.random() < self.p_return,
            refuse=rng.random() < self.p_refuse,
            withdraw=(processing or channel != Channel.WINDOW) and rng.random() < self.p_withdraw,
            out_of_procedure=processing and rng.random() < self.p_oop,
            green=item.process_template == "joint_review"
            and channel == Channel.WINDOW
            and rng.random() < 0.2,
        )
        plan.clerk = self._clerk_for(plan)
        if channel == Channel.AGENT:
            plan.agent, plan.agent_site = plan.rng.choice(self.staff.agents)
        return plan

    def _clerk_for(self, plan: _Plan) -> User:
        item = plan.item
        clerks = self.staff.by_role.get((Role.WINDOW_CLERK.value, item.department_id), [])
        if not clerks:
            raise SimulationError(f"“{item.department.name}”没有窗口工作人员")
        at_window = [c for c in clerks if item.window_id and self.staff.window_of.get(c.pk) == item.window_id]
        return plan.rng.choice(at_window or clerks)

    # ----------------------------------------------------------------- the event loop

    def _at(self, instant: datetime, fn: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._queue, (instant, next(self._seq), fn, args))

    def _count(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self._queries[0] += 1
        return execute(sql, params, many, context)

    def run(self) -> None:
        # No query log (DEBUG keeps one per query) and one transaction per simulated day instead of one per
        # action: the actions' own atomic blocks become savepoints, and SQLite commits 60 times, not 20,000.
        with _query_log_off(), connection.execute_wrapper(self._count):
            self._run()
            if self.options.start is None:  # the history leads up to now: show today's queues on the screens
                with transaction.atomic():
                    self.queues.live_today()
        self.queries = self._queries[0]

    def _run(self) -> None:
        end = calendar.deadline_instant(self.period[-1])
        current_day: date | None = None
        with ExitStack() as day:
            while self._queue:
                instant, _, fn, args = heapq.heappop(self._queue)
                if instant > end:
                    break
                today = calendar.local_date(instant)
                if today != current_day:
                    day.close()  # commits the previous day
                    day.enter_context(transaction.atomic())
                    current_day = today
                    if self.days.is_working(today):
                        self.log(f"{today.isoformat()}：已收件 {len(self.case_pks)} 件")
                with frozen_at(instant):
                    fn(*args)
        self._queue.clear()

    # ----------------------------------------------------------------- intake

    def _uploads(self, plan: _Plan) -> list[Upload]:
        materials = [m for m in plan.item.materials.all() if m.required and not m.e_license_ok]
        optional = [m for m in plan.item.materials.all() if m.required and m.e_license_ok]
        skip: list[Any] = []
        if plan.intake == "correction" and materials:
            skip = plan.rng.sample(materials, k=min(len(materials), plan.rng.choice((1, 1, 2))))
        files = [
            Upload(filename=f"sim{plan.index:06d}-{m.seq:02d}.pdf", content=PDF, material_id=m.pk)
            for m in materials
            if m not in skip
        ]
        # Sometimes the applicant brings the paper licence although the e-licence would do.
        files += [
            Upload(filename=f"sim{plan.index:06d}-{m.seq:02d}.pdf", content=PDF, material_id=m.pk)
            for m in optional
            if plan.rng.random() < 0.2
        ]
        if plan.intake == "correction":
            if skip:
                plan.missing = [{"material": m.pk, "name": m.name, "reason": "未提交"} for m in skip]
                plan.corrections = [
                    Upload(filename=f"sim{plan.index:06d}-{m.seq:02d}b.pdf", content=PDF, material_id=m.pk)
                    for m in skip
                ]
            else:
                plan.missing = [{"material": None, "name": "申请表申请人签字页", "reason": "申请表未签字"}]
                plan.corrections = [
                    Upload(filename=f"sim{plan.index:06d}-sign.pdf", content=PDF, label="申请表申请人签字页")
                ]
        return files

    def _form(self, plan: _Plan) -> dict[str, Any]:
        """The item's application form filled in as this applicant would (govhall/demo/forms.py)."""
        form: dict[str, Any] = {}
        for form_field in plan.item.form_fields.all():
            if form_field.required or plan.rng.random() < 0.5:
                form[form_field.key] = demo_forms.sample_value(form_field, plan.applicant, plan.rng)
        if plan.spec.code == "site_inspection" and "site_inspection_waived" not in form:
            form["site_inspection_waived"] = plan.rng.random() < 0.3
        return form

    def _arrive(self, plan: _Plan) -> None:
        item = plan.item
        if plan.channel == Channel.ONLINE:
            plan.owner = self.people.account(plan.applicant)
            by: User | None = plan.owner
        elif plan.channel == Channel.AGENT:
            by = plan.agent
        else:
            by = plan.clerk
        at = now()
        if plan.channel == Channel.WINDOW:
            self.queues.call(plan)
        appointment = None
        if plan.channel == Channel.WINDOW and plan.rng.random() < 0.15:
            appointment = at.replace(minute=0 if at.minute < 30 else 30, second=0, microsecond=0)
        case = self._call(
            "submit",
            actions.submit_application,
            item=item,
            applicant=plan.applicant,
            channel=plan.channel,
            by=by,
            form_data=self._form(plan),
            uploads=self._uploads(plan),
            site=plan.agent_site if plan.channel == Channel.AGENT else None,
            appointment_at=appointment,
            green_channel=plan.green,
        )
        plan.case = case
        self.case_pks.append(case.pk)
        if plan.channel == Channel.WINDOW:
            self.queues.link(plan)
        if plan.withdraw:
            # Applicants who change their mind do so soon, mostly before the case is decided.
            self._at(self.days.after(at, plan.rng.randint(15, 300)), self._withdraw, plan)
        if plan.intake == "unanswered":
            self._unanswered[case.pk] = plan
            return
        if plan.channel == Channel.WINDOW:
            when = self.days.after(at, plan.rng.randint(3, 15))
        else:
            when = self.days.after(at, plan.rng.randint(15, 2 * 420))
        self._at(when, self._intake, plan)

    def _intake(self, plan: _Plan) -> None:
        if plan.channel == Channel.WINDOW:
            self.queues.finish(plan)
        case = self._case(plan)
        if case.status == CaseStatus.IN_PROGRESS:
            self._schedule_tasks(plan)  # deemed accepted before the clerk got to it
            return
        if case.status != CaseStatus.SUBMITTED:
            return  # withdrawn meanwhile
        clerk = plan.clerk
        if plan.intake == "refuse":
            self._call(
                "refuse_application",
                actions.refuse_application,
                case,
                by=clerk,
                reasons=plan.rng.choice(_REFUSAL_REASONS),
            )
            return
        if plan.intake == "redirect":
            self._call(
                "redirect",
                actions.redirect_application,
                case,
                by=clerk,
                agency=plan.rng.choice(_REDIRECT_AGENCIES),
                reason="该事项由上级机关实施",
            )
            return
        if plan.intake == "correction" and plan.missing:
            self._call(
                "correction",
                actions.request_correction,
                case,
                by=clerk,
                missing=plan.missing,
                note="请一次性补齐以上材料",
            )
            self._schedule_correction(plan)
            return
        if plan.item.is_instant and plan.spec.code == "instant":
            if plan.refuse:
                self._call("accept", actions.accept_case, case, by=clerk)
                self._schedule_tasks(plan, immediate=True)
            else:
                self._call("instant", actions.handle_instant, case, by=clerk, opinion="材料齐全，当场办结")
                self._after_decision(plan, immediate=True)
            return
        self._call("accept", actions.accept_case, case, by=clerk)
        self._schedule_tasks(plan)

    def _schedule_correction(self, plan: _Plan) -> None:
        rng = plan.rng
        day = self.days.add(calendar.local_date(now()), rng.randint(*CORRECTION_DAYS))
        if plan.owner is not None and rng.random() < 0.8:
            start, end = ONLINE_HOURS
            when = self.days.local(day, start) + timedelta(
                minutes=rng.randrange((end.hour - start.hour) * 60)
            )
        else:
            when = self.days.office_time(rng, day)
        self._at(when, self._supply_correction, plan)

    def _supply_correction(self, plan: _Plan) -> None:
        case = self._case(plan)
        if case.status != CaseStatus.CORRECTION:
            return
        by: User | None
        if plan.owner is not None:
            by = plan.owner
        elif plan.channel == Channel.AGENT:
            by = plan.agent
        else:
            by = plan.clerk
        self._call("submit_correction", actions.submit_correction, case, by=by, uploads=plan.corrections)
        case = self._case(plan)
        at = now()
        if case.status == CaseStatus.SUBMITTED:
            plan.missing = []
            plan.intake = "accept"
            self._at(
                self.days.after(at, plan.rng.randint(5, 60 if by is plan.clerk else 420)), self._intake, plan
            )
        elif case.status == CaseStatus.IN_PROGRESS:
            self._resume(plan)

    # ----------------------------------------------------------------- processing

    def _case(self, plan: _Plan) -> Case:
        assert plan.case is not None
        case = plan.case
        row = Case.objects.filter(pk=case.pk).values("status", "decided_at", "delivered_at", "extended").get()
        case.status = row["status"]
        case.decided_at = row["decided_at"]
        case.delivered_at = row["delivered_at"]
        case.extended = row["extended"]
        return case

    def _actor(self, plan: _Plan, role: str, department_id: int) -> User:
        key = (role, department_id)
        if key not in plan.actors:
            if role == Role.WINDOW_CLERK and department_id == plan.item.department_id:
                assert plan.clerk is not None  # every plan is made with its clerk
                plan.actors[key] = plan.clerk
            else:
                plan.actors[key] = self.staff.pick(plan.rng, role, department_id)
        return plan.actors[key]

    def _step(self, plan: _Plan, task: Task) -> Step:
        return plan.spec.step(task.parallel_key or task.step_key)

    def _schedule_tasks(self, plan: _Plan, *, immediate: bool = False) -> None:
        assert plan.case is not None
        tasks = list(
            Task.objects.filter(case_id=plan.case.pk, status__in=ACTIVE_TASK)
            .select_related("clock")
            .order_by("pk")
        )
        fresh = [t for t in tasks if t.pk not in plan.seen_tasks]
        if not fresh:
            return
        case_clock = Case.objects.filter(pk=plan.case.pk).values_list("clock__due_day", "clock__due_at").get()
        at = now()
        for task in fresh:
            plan.seen_tasks.add(task.pk)
            step = self._step(plan, task)
            actor = self._actor(plan, task.role, task.department_id)
            if immediate:
                when = self.days.after(at, plan.rng.randint(1, 5))
            else:
                when = self._act_time(plan, task, case_clock)
            claim = min(self.days.after(at, plan.rng.randint(2, 90)), when - timedelta(seconds=1))
            if claim > at and not immediate:
                self._at(claim, self._claim, plan, task, actor)
            self._plan_act(plan, task, when)
            if (
                plan.special
                and not plan.special_started
                and not task.parallel_key
                and _uses_special(plan.spec, step)
            ):
                plan.special_started = True
                self._at(self._between(plan, at, when), self._start_special, plan, task)
            elif plan.review_correction and not task.parallel_key and step.key in ("review", "lead_review"):
                plan.review_correction = False
                self._at(self._between(plan, at, when), self._review_correction, plan, task)
            if plan.extend and not plan.extension_planned and step.decides:
                plan.extension_planned = True
                self._at(self._between(plan, at, when), self._extend, plan, task)

    def _between(self, plan: _Plan, a: datetime, b: datetime) -> datetime:
        """An office-hours instant some way from `a` to `b` (staff work in office hours even when the system
        opened the task at midnight)."""
        minutes = calendar.office_minutes_between(a, b, self.days.sessions).value
        return self.days.after(a, max(1, int(minutes * plan.rng.uniform(0.1, 0.6))))

    def _act_time(self, plan: _Plan, task: Task, case_clock: tuple[date | None, datetime | None]) -> datetime:
        """When the step is handled: inside its budget (and the case's), usually early; a few late."""
        rng = plan.rng
        at = now()
        clock = task.clock
        late = rng.random() < P_LATE_STEP
        if clock is None or clock.due_at is None:
            return self.days.after(at, rng.randint(30, 420))
        case_due_day, case_due_at = case_clock
        if clock.unit == ClockUnit.MINUTE:
            if late:
                return self.days.after(clock.due_at, rng.randint(5, 90))
            due_at = min(clock.due_at, case_due_at) if case_due_at else clock.due_at
            left = calendar.office_minutes_between(at, due_at, self.days.sessions).value
            return self.days.after(at, max(1, int(left * rng.uniform(0.05, 0.6))))
        assert clock.due_day is not None
        today = calendar.local_date(at)
        if late:
            day = self.days.add(max(clock.due_day, today), rng.choice((1, 1, 1, 2, 3)))
            return self.days.office_time(rng, day, not_before=at)
        bound = min(clock.due_day, case_due_day) if case_due_day else clock.due_day
        days = self.days.between(today, bound)
        if not days:
            return self.days.office_time(rng, today, not_before=at)
        # Most steps are done well before their deadline; the exponent skews the pick to the early days.
        day = days[min(len(days) - 1, int(len(days) * rng.random() ** 1.8))]
        return self.days.office_time(rng, day, not_before=at)

    def _plan_act(self, plan: _Plan, task: Task, when: datetime) -> None:
        token = next(self._token)
        plan.act_token[task.pk] = token
        self._at(when, self._act, plan, task.pk, token)

    def _claim(self, plan: _Plan, task: Task, actor: User) -> None:
        current = Task.objects.filter(pk=task.pk).values_list("status", flat=True).get()
        if current != TaskStatus.OPEN:
            return
        self._call("claim", actions.claim_task, task, by=actor)

    def _act(self, plan: _Plan, task_pk: int, token: int) -> None:
        if plan.act_token.get(task_pk) != token:
            return  # rescheduled
        case = self._case(plan)
        task = Task.objects.select_related("clock").get(pk=task_pk)
        if task.status not in ACTIVE_TASK:
            return  # cancelled by a join, a return or a withdrawal
        if case.status in (CaseStatus.SUSPENDED, CaseStatus.CORRECTION):
            plan.waiting.append(task_pk)
            return
        if case.status != CaseStatus.IN_PROGRESS:
            return
        step = self._step(plan, task)
        actor = self._actor(plan, task.role, task.department_id)
        rng = plan.rng
        if plan.out_of_procedure and not plan.out_of_procedure_done and not task.parallel_key:
            forbidden = [
                a for a in (TaskAction.REFUSE, TaskAction.RETURN) if a not in wf.allowed_actions(step)
            ]
            if forbidden:
                plan.out_of_procedure_done = True
                try:
                    actions.act_on_task(
                        task,
                        by=actor,
                        action=forbidden[0],
                        opinion="不符合条件",
                        return_to=step.return_to[0] if step.return_to else "review",
                    )
                except actions.OutOfProcedure:
                    pass
                else:
                    raise SimulationError(f"{case.number}：“{task.step_name}”环节竟允许了 {forbidden[0]}")
                task = Task.objects.select_related("clock").get(pk=task_pk)
        action, opinion, return_to = (
            TaskAction.APPROVE,
            rng.choice(("同意", "符合条件，同意", "经审查，同意")),
            None,
        )
        if task.parallel_key:
            if (
                plan.refuse
                and not plan.branch_refused
                and task.branch_key.startswith("co:")
                and rng.random() < 0.5
            ):
                plan.branch_refused = True
                action, opinion = TaskAction.REFUSE, "经审查，不符合本部门审查标准，不同意"
        elif step.decides:
            if plan.give_back and not plan.returned and "return" in step.actions and step.return_to:
                plan.returned = True
                action, opinion, return_to = TaskAction.RETURN, rng.choice(_RETURN_REASONS), step.return_to[0]
            elif plan.refuse or plan.branch_refused:
                action, opinion = TaskAction.REFUSE, rng.choice(_DECISION_REFUSALS)
        self._call(
            f"task_{action}",
            actions.act_on_task,
            task,
            by=actor,
            action=action,
            opinion=opinion,
            return_to=return_to,
        )
        case = self._case(plan)
        if case.decided_at is not None:
            self._after_decision(plan)
        else:
            self._schedule_tasks(plan)

    def _resume(self, plan: _Plan) -> None:
        """The case runs again after a pause: the steps that waited are handled within their (moved) budgets."""
        waiting, plan.waiting = plan.waiting, []
        assert plan.case is not None
        tasks = (
            Task.objects.filter(case_id=plan.case.pk, status__in=ACTIVE_TASK)
            .select_related("clock")
            .order_by("pk")
        )
        case_clock = Case.objects.filter(pk=plan.case.pk).values_list("clock__due_day", "clock__due_at").get()
        for task in tasks:
            if task.pk in waiting or task.pk in plan.seen_tasks:
                self._plan_act(plan, task, self._act_time(plan, task, case_clock))
        self._schedule_tasks(plan)

    # ----------------------------------------------------------------- pauses, extensions, withdrawals

    def _start_special(self, plan: _Plan, task: Task) -> None:
        case = self._case(plan)
        if case.status != CaseStatus.IN_PROGRESS:
            return
        if Task.objects.filter(pk=task.pk).values_list("status", flat=True).get() not in ACTIVE_TASK:
            return
        rng = plan.rng
        allowed = [
            k for k in (plan.item.special_procedures or []) if k in PauseKind.values and k != "correction"
        ]
        kind = rng.choice(
            allowed or [PauseKind.EXPERT_REVIEW.value, PauseKind.TESTING.value, PauseKind.INSPECTION.value]
        )
        days = rng.randint(*SPECIAL_DAYS)
        approver = self._actor(plan, Role.APPROVER.value, plan.item.department_id)
        pause = self._call(
            "special_procedure",
            actions.start_special_procedure,
            case,
            by=approver,
            kind=kind,
            reason=f"依法需要{PauseKind(kind).label}",
            expected_days=days,
        )
        end_day = self.days.add(calendar.local_date(now()), max(1, days + rng.choice((-1, 0, 0, 1))))
        self._at(self.days.office_time(rng, end_day), self._end_special, plan, pause)

    def _end_special(self, plan: _Plan, pause: Pause) -> None:
        case = self._case(plan)
        if case.status != CaseStatus.SUSPENDED:
            return
        approver = self._actor(plan, Role.APPROVER.value, plan.item.department_id)
        self._call(
            "special_procedure_end",
            actions.end_special_procedure,
            pause,
            by=approver,
            result=plan.rng.choice(
                ("程序已完成，结论为符合要求", "专家评审通过", "检验检测合格", "公示期满无异议")
            ),
        )
        self._resume(plan)

    def _review_correction(self, plan: _Plan, task: Task) -> None:
        case = self._case(plan)
        if case.status != CaseStatus.IN_PROGRESS or CorrectionNotice.objects.filter(case_id=case.pk).exists():
            return
        if Task.objects.filter(pk=task.pk).values_list("status", flat=True).get() not in ACTIVE_TASK:
            return
        approver = self._actor(plan, Role.APPROVER.value, plan.item.department_id)
        plan.missing = [
            {"material": None, "name": "补充说明材料", "reason": "审查中发现申请材料内容需补充说明"}
        ]
        plan.corrections = [
            Upload(filename=f"sim{plan.index:06d}-extra.pdf", content=PDF, label="补充说明材料")
        ]
        self._call(
            "correction",
            actions.request_correction,
            case,
            by=approver,
            missing=plan.missing,
            note="请补充说明后提交",
        )
        self._schedule_correction(plan)

    def _extend(self, plan: _Plan, task: Task) -> None:
        case = self._case(plan)
        if case.status not in (CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED) or case.extended:
            return
        head = self._actor(plan, Role.DEPARTMENT_HEAD.value, plan.item.department_id)
        amount = plan.rng.choice((5, 10, 10))
        self._call(
            "extend",
            actions.extend_case,
            case,
            by=head,
            amount=amount,
            reason=plan.rng.choice(_EXTENSION_REASONS),
        )
        # The extension is why the decision takes longer: move it into the new time.
        current = Task.objects.filter(pk=task.pk).select_related("clock").first()
        if current is None or current.status not in ACTIVE_TASK or task.pk in plan.waiting:
            return
        due = Case.objects.filter(pk=case.pk).values_list("clock__due_day", flat=True).get()
        at = now()
        if due is None:
            return
        days = self.days.between(calendar.local_date(at), due)
        if days:
            day = days[int(len(days) * plan.rng.uniform(0.3, 0.9))]
            self._plan_act(plan, current, self.days.office_time(plan.rng, day, not_before=at))

    def _withdraw(self, plan: _Plan) -> None:
        case = self._case(plan)
        if case.status not in (
            CaseStatus.SUBMITTED,
            CaseStatus.CORRECTION,
            CaseStatus.IN_PROGRESS,
            CaseStatus.SUSPENDED,
        ):
            return
        by = plan.owner if plan.owner is not None else plan.clerk
        self._call(
            "withdraw",
            actions.withdraw_case,
            case,
            by=by,
            reason=plan.rng.choice(("申请人主动撤回", "申请人决定暂不办理", "申请人需重新准备材料")),
        )
        self._unanswered.pop(case.pk, None)

    # ----------------------------------------------------------------- decision, delivery, day end

    def _after_decision(self, plan: _Plan, *, immediate: bool = False) -> None:
        case = self._case(plan)
        if case.status != CaseStatus.CONCLUDED or plan.delivered_planned:
            return
        plan.delivered_planned = True
        at = now()
        if immediate and plan.channel == Channel.WINDOW:
            when = self.days.after(at, plan.rng.randint(1, 5))  # 当场出件
        else:
            when = self.days.after(at, plan.rng.randint(30, 3 * 420))
        self._at(when, self._deliver, plan)

    def _deliver(self, plan: _Plan) -> None:
        case = self._case(plan)
        if case.delivered_at is not None or case.status != CaseStatus.CONCLUDED:
            return
        if plan.group is not None:
            self._call("deliver_bundle", actions.deliver_bundle, plan.group, by=plan.clerk, method="窗口领取")
            return
        if plan.channel == Channel.AGENT:
            by, method = plan.agent, "代办员送达"
        elif plan.channel == Channel.ONLINE:
            by, method = plan.clerk, plan.rng.choice(("邮寄送达", "电子送达", "窗口领取"))
        else:
            by, method = plan.clerk, "窗口领取"
        self._call("deliver", actions.deliver_result, case, by=by, method=method)

    def _day_end(self) -> None:
        while actions.deem_accepted_due(limit=200) == 200:
            pass
        self._supervise_by_hand()
        # The actions wrote their audit entries unlinked; the linker (run_jobs, link_audit) chains them.
        link_audit()
        if not self._unanswered:
            return
        deemed = set(
            Case.objects.filter(
                pk__in=list(self._unanswered), intake_outcome=IntakeOutcome.DEEMED
            ).values_list("pk", flat=True)
        )
        for pk in sorted(deemed):
            plan = self._unanswered.pop(pk)
            self._schedule_tasks(plan)

    def _supervise_by_hand(self) -> None:
        """At the end of a day the supervisor acts by hand on the open case that has been red longest: a 催办, and
        every third time a 督办单 (govhall.supervision.actions), so the board and the homes show manual work."""
        from govhall.stats.lights import red_case_filter
        from govhall.supervision.actions import issue_order, urge

        supervisor = (
            get_user_model().objects.filter(groups__name=Role.SUPERVISOR.value, is_active=True).first()
        )
        if supervisor is None:
            return
        red = (
            Case.objects.filter(red_case_filter(now()))
            .exclude(pk__in=self._supervised)
            .select_related("department")
            .order_by("clock__due_at", "pk")
            .first()
        )
        if red is None:
            return
        self._supervised.add(red.pk)
        try:
            if len(self._supervised) % 3 == 0:
                issue_order(
                    by=supervisor,
                    case=red,
                    content=f"办件 {red.number} 已超过承诺时限，请说明原因并尽快办结。",
                )
            else:
                urge(by=supervisor, case=red, text=f"办件 {red.number} 已超过承诺时限，请尽快办结。")
        except ValidationError:
            pass  # a department without a head to reach: nothing to do by hand

    # ----------------------------------------------------------------- calling actions

    def _call(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run an action the simulator expects to succeed; a refusal stops the run with where and when."""
        stats = self.stats.setdefault(name, [0, 0, 0.0])
        queries_before = self._queries[0]
        started = _time.perf_counter()
        try:
            return fn(*args, **kwargs)
        except (ValidationError, PermissionDenied) as exc:
            subject = getattr(args[0], "number", "") or getattr(getattr(args[0], "case", None), "number", "")
            when = calendar.local_date(now()).isoformat() if args else ""
            raise SimulationError(
                f"{when} {name} {subject}: {'；'.join(getattr(exc, 'messages', [str(exc)]))}"
            ) from exc
        finally:
            stats[0] += 1
            stats[1] += self._queries[0] - queries_before
            stats[2] += _time.perf_counter() - started

    # ----------------------------------------------------------------- summary

    def summary(self, seconds: float) -> dict[str, Any]:
        summary = summarize(self.case_pks, seconds=seconds, period=(self.period[0], self.period[-1]))
        summary["hotline"] = self.hotline.summary()
        return summary


@contextmanager
def _query_log_off() -> Iterator[None]:
    """With DEBUG on, Django times, formats and keeps every query in `connection.queries`: a simulation runs tens of
    thousands, so the log is switched off for the run and DEBUG restored afterwards (also when the run fails)."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


def _chunks(values: Sequence[int], size: int = 500) -> Iterator[list[int]]:
    for i in range(0, len(values), size):
        yield list(values[i : i + size])


def summarize(
    case_pks: Sequence[int], *, seconds: float = 0.0, period: tuple[date, date] | None = None
) -> dict[str, Any]:
    """Figures over the given cases, read back from the database (so they describe what the actions did).

    Counts add up: `by_status` sums to `cases`, and `concluded = on_time + late` (late: the promised clock had
    expired when the decision was made). `average_duration_workdays` is the mean number of working days from the
    day the case clock started (the acceptance day; for deemed acceptance the receipt day) to the conclusion day,
    counted as the clocks count (the start day not included), time not counted included."""
    by_status: Counter[str] = Counter({s.value: 0 for s in CaseStatus})
    on_time = late = deemed = refused_at_decision = delivered = 0
    durations: list[int] = []
    corrections = special = extensions = returns = joint = oop = tasks = late_tasks = 0
    for chunk in _chunks(list(case_pks)):
        rows = Case.objects.filter(pk__in=chunk).values_list(
            "status",
            "intake_outcome",
            "decision",
            "accepted_day",
            "concluded_at",
            "clock__late",
            "delivered_at",
        )
        for status, outcome, decision, accepted_day, concluded_at, clock_late, delivered_at in rows:
            by_status[status] += 1
            if outcome == IntakeOutcome.DEEMED:
                deemed += 1
            if decision == Decision.REFUSED:
                refused_at_decision += 1
            if delivered_at is not None:
                delivered += 1
            if status == CaseStatus.CONCLUDED:
                if clock_late:
                    late += 1
                else:
                    on_time += 1
                if accepted_day is not None and concluded_at is not None:
                    durations.append(
                        calendar.working_days_between(accepted_day, calendar.local_date(concluded_at)).value
                    )
        corrections += CorrectionNotice.objects.filter(case_id__in=chunk).count()
        special += Pause.objects.filter(case_id__in=chunk).exclude(kind=PauseKind.CORRECTION).count()
        extensions += Extension.objects.filter(case_id__in=chunk).count()
        returns += Task.objects.filter(case_id__in=chunk, outcome=TaskAction.RETURN).count()
        joint += (
            Task.objects.filter(case_id__in=chunk)
            .exclude(parallel_key="")
            .values("case_id")
            .distinct()
            .count()
        )
        oop += OutOfProcedureAttempt.objects.filter(case_id__in=chunk).count()
        tasks += Task.objects.filter(case_id__in=chunk, status=TaskStatus.DONE).count()
        late_tasks += Task.objects.filter(case_id__in=chunk, status=TaskStatus.DONE, clock__late=True).count()
    concluded = by_status[CaseStatus.CONCLUDED]
    summary: dict[str, Any] = {
        "cases": len(case_pks),
        "by_status": dict(by_status),
        "concluded": concluded,
        "on_time": on_time,
        "late": late,
        "on_time_rate": round(on_time / concluded, 4) if concluded else None,
        "average_duration_workdays": round(sum(durations) / len(durations), 2) if durations else None,
        "corrections": corrections,
        "special_procedures": special,
        "extensions": extensions,
        "returns": returns,
        "refused_at_intake": by_status[CaseStatus.NOT_ACCEPTED],
        "redirected": by_status[CaseStatus.REDIRECTED],
        "refused_at_decision": refused_at_decision,
        "withdrawn": by_status[CaseStatus.WITHDRAWN],
        "deemed_accepted": deemed,
        "joint_reviews": joint,
        "delivered": delivered,
        "tasks_done": tasks,
        "tasks_late": late_tasks,
        "out_of_procedure_attempts": oop,
    }
    if period is not None:
        summary["period"] = [period[0].isoformat(), period[1].isoformat()]
    summary["seconds"] = round(seconds, 1)
    return summary


def simulate(
    *,
    cases: int,
    days: int,
    seed: int = 0,
    start: date | None = None,
    log: Callable[[str], None] | None = None,
    profile: dict[str, Any] | None = None,
    bundles: int = 0,
    modules: bool = True,
) -> dict[str, Any]:
    """Run the simulation and return its summary (see `summarize`). With `profile`, that dict receives the
    calls, queries and seconds of each action and the total queries of the run. `modules=False` leaves out the
    other modules (demo/modules.py), whose fixed share of a run — a power list, a year of inspections, a month's
    evaluation — is the same whatever the number of cases: for a run about the cases alone."""
    started = _time.perf_counter()
    simulator = Simulator(Options(cases=cases, days=days, seed=seed, start=start, bundles=bundles), log=log)
    simulator.prepare()
    simulator.run()
    ratings = rate_cases(simulator.case_pks, seed=seed, end=calendar.deadline_instant(simulator.period[-1]))
    others = (
        run_modules(
            seed=seed,
            period=(simulator.period[0], simulator.period[-1]),
            case_pks=simulator.case_pks,
            log=simulator.log,
        )
        if simulator.period and modules
        else {}
    )
    link_audit()  # what the last day's actions (and the ratings) wrote after its day end
    if profile is not None:
        profile["queries"] = simulator.queries
        profile["actions"] = {
            name: {"calls": c, "queries_per_call": round(q / c, 1), "ms_per_call": round(1000 * t / c, 2)}
            for name, (c, q, t) in sorted(simulator.stats.items(), key=lambda kv: -kv[1][2])
            if c
        }
    summary = simulator.summary(_time.perf_counter() - started)
    summary["ratings"] = ratings
    summary.update(others)
    return summary


__all__ = [
    "Options",
    "SimulationError",
    "Simulator",
    "Staff",
    "ensure_staff",
    "item_weight",
    "simulate",
    "summarize",
]
