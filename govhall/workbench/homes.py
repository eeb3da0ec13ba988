"""Each role's home (工作台): its own work — counts, what is overdue, what awaits it — as panels. A person with several
roles sees the panel of each. Every count is scoped as the lists it links to (cases_visible_to, tasks_for, the
user's departments), and light counts come from the one counting module (govhall.stats.lights), so a number on a
home is the number of rows behind its link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from govhall.calendars import engine
from govhall.cases.access import cases_visible_to, tasks_for
from govhall.cases.choices import CaseStatus, Decision
from govhall.cases.models import Case, OutOfProcedureAttempt
from govhall.complaints.choices import ComplaintStatus
from govhall.complaints.models import Complaint
from govhall.org.access import department_ids, user_roles
from govhall.org.choices import Role
from govhall.stats.lights import case_light_totals, case_lights, step_totals
from govhall.stats.queries import indicator_table
from govhall.supervision.choices import AccountabilityStatus, OrderStatus
from govhall.supervision.models import Accountability, SupervisionOrder
from govhall.supervision.views import open_alerts

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HOME_ORDER = (
    Role.WINDOW_CLERK,
    Role.AGENT,
    Role.APPROVER,
    Role.DEPARTMENT_HEAD,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.CENTER_ADMIN,
    Role.PERFORMANCE_OFFICER,
    Role.LEGAL_OFFICER,
    Role.HOTLINE_OPERATOR,
    Role.INSPECTOR,
)


@dataclass
class Stat:
    label: str
    value: int | str
    url: str = ""
    warn: bool = False
    id: str = ""


@dataclass
class Panel:
    role: Role
    title: str
    stats: list[Stat] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    note: str = ""


def _cases_url(**filters: str | int) -> str:
    return reverse("workbench:cases") + ("?" + urlencode(filters) if filters else "")


def _url(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _month(at: dt.datetime) -> tuple[dt.date, dt.date]:
    today = engine.local_date(at)
    return today.replace(day=1), today


def _clerk(user: User, at: dt.datetime, role: Role) -> Panel:
    visible = cases_visible_to(user)
    counts = visible.aggregate(
        submitted=Count("pk", filter=Q(status=CaseStatus.SUBMITTED)),
        correction=Count("pk", filter=Q(status=CaseStatus.CORRECTION)),
        delivery=Count(
            "pk", filter=Q(status=CaseStatus.CONCLUDED, decided_at__isnull=False, delivered_at__isnull=True)
        ),
        intake_late=Count("pk", filter=Q(status=CaseStatus.SUBMITTED, intake_clock__due_at__lte=at)),
    )
    today = engine.local_date(at)
    mine_today = visible.filter(
        received_by=user, received_at__gte=dt.datetime.combine(today, dt.time(0), tzinfo=engine.CALENDAR_TZ)
    ).count()
    title = _("窗口收件") if role == Role.WINDOW_CLERK else _("村级代办")
    panel = Panel(role, title)
    panel.stats = [
        Stat(_("待受理"), counts["submitted"], _cases_url(status=CaseStatus.SUBMITTED)),
        Stat(_("受理时限已到"), counts["intake_late"], _cases_url(status=CaseStatus.SUBMITTED), warn=True),
        Stat(_("待补正"), counts["correction"], _cases_url(status=CaseStatus.CORRECTION)),
        Stat(_("待送达"), counts["delivery"], _cases_url(status=CaseStatus.CONCLUDED)),
        Stat(_("今日我收件"), mine_today, _cases_url(received_from=today.isoformat())),
    ]
    panel.lines = [(_("窗口收件"), reverse("workbench:intake_search"))]
    call = _url("queueing:call")
    if call and role == Role.WINDOW_CLERK:
        panel.lines.append((_("叫号"), call))
    return panel


def _approver(user: User, at: dt.datetime, role: Role) -> Panel:
    tasks = tasks_for(user)
    counts = tasks.aggregate(
        open=Count("pk"),
        mine=Count("pk", filter=Q(assignee=user)),
        red=Count("pk", filter=Q(clock__due_at__lte=at)),
        yellow=Count("pk", filter=Q(clock__due_at__gt=at, clock__warn_at__lte=at)),
    )
    panel = Panel(role, _("审批办理"))
    panel.stats = [
        Stat(_("待办任务"), counts["open"], reverse("workbench:tasks"), id="open-tasks"),
        Stat(_("我已领取"), counts["mine"], reverse("workbench:tasks")),
        Stat(_("环节超期"), counts["red"], reverse("workbench:tasks"), warn=True),
        Stat(_("环节预警"), counts["yellow"], reverse("workbench:tasks")),
    ]
    panel.lines = [
        (
            f"{t.case.number} {t.step_name} · {t.case.item.name}",
            reverse("workbench:case", args=[t.case.number]),
        )
        for t in tasks[:5]
    ]
    return panel


def _head(user: User, at: dt.datetime, role: Role) -> Panel:
    departments = department_ids(user)
    lights = [row for row in case_lights(at) if row["department_id"] in departments]
    red = sum(r["red"] for r in lights)
    yellow = sum(r["yellow"] for r in lights)
    orders = SupervisionOrder.objects.filter(department_id__in=departments, answered_at__isnull=True)
    decisions = tasks_for(user).filter(role=Role.DEPARTMENT_HEAD).count()
    panel = Panel(role, _("部门负责人"))
    panel.stats = [
        Stat(_("待我决定"), decisions, reverse("workbench:tasks")),
        Stat(_("本部门办件红灯"), red, _cases_url(light="red"), warn=True),
        Stat(_("本部门办件黄灯"), yellow, _cases_url(light="yellow")),
        Stat(_("待答复督办单"), orders.count(), "", warn=True),
    ]
    panel.lines = [
        (f"{o.number} · {o.get_status_display()}", reverse("supervision:order", args=[o.pk]))
        for o in orders.order_by("clock__due_at")[:5]
    ]
    for department in sorted(departments)[:3]:
        panel.lines.append((_("本部门监察屏"), reverse("screens:department", args=[department])))
    return panel


def _center_lights(at: dt.datetime) -> list[Stat]:
    totals = case_light_totals(at)
    steps = step_totals(at)
    return [
        Stat(_("办件红灯"), totals["red"], _cases_url(light="red"), warn=True),
        Stat(_("办件黄灯"), totals["yellow"], _cases_url(light="yellow")),
        Stat(_("环节超期"), steps["red"], reverse("screens:screen"), warn=True),
    ]


def _supervisor(user: User, at: dt.datetime, role: Role) -> Panel:
    alerts = open_alerts(at).aggregate(n=Count("pk"))["n"]
    orders = SupervisionOrder.objects.filter(answered_at__isnull=True).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(status=OrderStatus.OVERDUE))
    )
    late_answers = SupervisionOrder.objects.filter(status=OrderStatus.ANSWERED_LATE).count()
    pending = Accountability.objects.filter(status=AccountabilityStatus.PENDING).count()
    complaints = Complaint.objects.exclude(status=ComplaintStatus.CONCLUDED).count()
    board = reverse("supervision:board")
    panel = Panel(role, _("效能监察"))
    panel.stats = [
        *_center_lights(at),
        Stat(_("未消除告警"), alerts, board),
        Stat(_("待答复督办单"), orders["open"], board + "#orders-h"),
        Stat(_("逾期未答复"), orders["overdue"], board + "#orders-h", warn=True),
        Stat(_("逾期答复"), late_answers, board + "?order_status=answered_late", warn=True),
        Stat(_("待决定责任追究"), pending, board + "#acc-h"),
        Stat(_("未办结投诉"), complaints, reverse("complaints:list")),
    ]
    panel.lines = [(_("电子监察"), board), (_("监察大屏"), reverse("screens:screen"))]
    return panel


def _month_stats(at: dt.datetime) -> list[Stat]:
    row = indicator_table(_month(at))[0]
    monthly = reverse("stats:monthly")
    rate = row.values.get("conclusion_rate")
    on_time = row.values.get("on_time_rate")
    return [
        Stat(_("本月受理"), row.sums.get("cohort_accepted") or 0, monthly),
        Stat(_("其中已办结"), row.sums.get("cohort_concluded") or 0, monthly),
        Stat(_("办结率"), f"{rate}%" if rate is not None else "—", monthly),
        Stat(_("按期办结率"), f"{on_time}%" if on_time is not None else "—", monthly),
    ]


def _leader(user: User, at: dt.datetime, role: Role) -> Panel:
    panel = Panel(role, _("领导驾驶舱"))
    panel.stats = [*_center_lights(at), *_month_stats(at)]
    worst = [r for r in case_lights(at) if r["red"]][:5]
    panel.lines = [
        (
            f"{r['department']}：红灯 {r['red']}，黄灯 {r['yellow']}",
            _cases_url(department=r["department_id"], light="red"),
        )
        for r in worst
    ]
    panel.lines += [(_("监察大屏"), reverse("screens:screen")), (_("月度报表"), reverse("stats:monthly"))]
    return panel


def _admin(user: User, at: dt.datetime, role: Role) -> Panel:
    open_counts = Case.objects.aggregate(
        submitted=Count("pk", filter=Q(status=CaseStatus.SUBMITTED)),
        running=Count("pk", filter=Q(status__in=(CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED))),
    )
    panel = Panel(role, _("中心管理"))
    panel.stats = [
        *_center_lights(at),
        Stat(_("全中心待受理"), open_counts["submitted"], _cases_url(status=CaseStatus.SUBMITTED)),
        Stat(_("全中心办理中"), open_counts["running"], _cases_url(status=CaseStatus.IN_PROGRESS)),
    ]
    panel.lines = [(_("电子监察"), reverse("supervision:board")), (_("月度报表"), reverse("stats:monthly"))]
    if getattr(user, "is_staff", False):
        panel.lines.append((_("系统配置"), reverse("admin:index")))
    return panel


def _performance(user: User, at: dt.datetime, role: Role) -> Panel:
    panel = Panel(role, _("绩效考评"))
    panel.stats = _month_stats(at)
    rows = sorted(
        (r for r in indicator_table(_month(at), by="department") if r.values.get("on_time_rate") is not None),
        key=lambda r: r.values["on_time_rate"] or 0,
    )[:5]
    panel.lines = [
        (f"{r.label}：按期办结率 {r.values['on_time_rate']}%", reverse("stats:monthly")) for r in rows
    ]
    panel.note = _("按期办结率最低的部门")
    return panel


def _legal(user: User, at: dt.datetime, role: Role) -> Panel:
    start, _end = _month(at)
    since = dt.datetime.combine(start, dt.time(0), tzinfo=engine.CALENDAR_TZ)
    not_accepted = Case.objects.filter(status=CaseStatus.NOT_ACCEPTED, concluded_at__gte=since)
    refused = Case.objects.filter(decision=Decision.REFUSED, decided_at__gte=since)
    violations = OutOfProcedureAttempt.objects.filter(at__gte=since)
    panel = Panel(role, _("法制审核"))
    panel.stats = [
        Stat(_("本月不予受理"), not_accepted.count(), _cases_url(status=CaseStatus.NOT_ACCEPTED)),
        Stat(_("本月不予许可"), refused.count(), _cases_url(status=CaseStatus.CONCLUDED)),
        Stat(_("本月违规操作"), violations.count(), "", warn=True),
    ]
    panel.lines = [
        (f"{c.number} 不予许可 · {c.item.name}", reverse("workbench:case", args=[c.number]))
        for c in refused.select_related("item").order_by("-decided_at")[:5]
    ]
    return panel


def _hotline(user: User, at: dt.datetime, role: Role) -> Panel:
    panel = Panel(role, _("12345 热线"))
    home = _url("hotline:home")
    if home:
        panel.lines.append((_("热线工单"), home))
    panel.lines.append((_("办件查询（答复来电）"), reverse("workbench:cases")))
    panel.stats = [Stat(_("未办结投诉"), Complaint.objects.exclude(status=ComplaintStatus.CONCLUDED).count())]
    return panel


def _inspector(user: User, at: dt.datetime, role: Role) -> Panel:
    from govhall.inspections.access import inspections_for

    panel = Panel(role, _("监督检查"))
    panel.lines.append((_("检查计划与检查记录"), reverse("inspections:home")))
    mine = inspections_for(user).filter(Q(inspector=user) | Q(second_inspector=user))
    panel.stats = [
        Stat(_("待检查"), mine.filter(status="planned").count()),
        Stat(_("整改中"), mine.filter(status="rectifying").count()),
    ]
    return panel


BUILDERS = {
    Role.WINDOW_CLERK: _clerk,
    Role.AGENT: _clerk,
    Role.APPROVER: _approver,
    Role.DEPARTMENT_HEAD: _head,
    Role.SUPERVISOR: _supervisor,
    Role.LEADER: _leader,
    Role.CENTER_ADMIN: _admin,
    Role.PERFORMANCE_OFFICER: _performance,
    Role.LEGAL_OFFICER: _legal,
    Role.HOTLINE_OPERATOR: _hotline,
    Role.INSPECTOR: _inspector,
}


def panels_for(user: User, at: dt.datetime) -> list[Panel]:
    roles = user_roles(user)
    return [BUILDERS[role](user, at, role) for role in HOME_ORDER if role in roles]
