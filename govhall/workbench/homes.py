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
from govhall.clocks.choices import ClockState
from govhall.clocks.models import Clock
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
    Role.DISCLOSURE_OFFICER,
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
    month = _url("evaluation:month")
    if month:
        panel.lines.append((_("月度考评"), month))
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
    panel.stats += _litigation(user, at, panel)
    panel.stats += _normative(user, at, panel)
    return panel


def _running_due(clocks: list[Clock | None]) -> dt.datetime | None:
    dues = [c.due_at for c in clocks if c is not None and c.state == ClockState.RUNNING and c.due_at]
    return min(dues, default=None)


def _litigation(user: User, at: dt.datetime, panel: Panel) -> list[Stat]:
    """Open lawsuits by their next running deadline (报告、答辩举证、裁判文书备案、上诉期限) and the
    reconsiderations not yet decided."""
    from govhall.legal.choices import LawsuitStatus, ReconStatus
    from govhall.legal.queries import lawsuits_for, reconsiderations_for

    home = _url("legal:home")
    suits = lawsuits_for(user).exclude(status=LawsuitStatus.CLOSED).select_related("report_clock")
    dated = []
    for suit in suits:
        due = _running_due(
            [suit.report_clock, suit.defence_clock, suit.judgment_filing_clock, suit.appeal_clock]
        )
        dated.append((due, suit))
    overdue = sum(1 for due, _suit in dated if due is not None and due <= at)
    dated.sort(key=lambda pair: (pair[0] is None, pair[0] or at, pair[1].pk))
    for due, suit in dated[:5]:
        when = f"下一期限 {engine.local_date(due):%Y-%m-%d}" if due else "无计时中的期限"
        panel.lines.append((f"{suit.case_number} · {when}", _url("legal:lawsuit", suit.pk)))
    pending = reconsiderations_for(user).filter(
        status__in=(ReconStatus.RECEIVED, ReconStatus.ACCEPTED, ReconStatus.HEARD)
    )
    late = pending.filter(
        Q(review_clock__state=ClockState.RUNNING, review_clock__due_at__lte=at)
        | Q(decision_clock__state=ClockState.RUNNING, decision_clock__due_at__lte=at)
    )
    panel.lines.append((_("行政复议与应诉"), home))
    return [
        Stat(_("未结行政诉讼"), len(dated), home, id="open-lawsuits"),
        Stat(_("诉讼期限已到"), overdue, home, warn=True, id="lawsuits-overdue"),
        Stat(_("待决定行政复议"), pending.count(), home, id="pending-reconsiderations"),
        Stat(_("复议期限已到"), late.count(), home, warn=True, id="reconsiderations-overdue"),
    ]


def _normative(user: User, at: dt.datetime, panel: Panel) -> list[Stat]:
    """Normative documents published but not yet filed (《法规规章备案条例》: within 30 days of publication), and those in
    force whose validity ends within the registry's alert window."""
    from govhall.rulemaking.choices import IN_FORCE, DocStage
    from govhall.rulemaking.models import RulemakingRule
    from govhall.rulemaking.queries import documents_for

    registry = _url("rulemaking:registry")
    documents = documents_for(user)
    unfiled = documents.filter(stage=DocStage.PUBLISHED)
    filing_late = unfiled.filter(filing_clock__state=ClockState.RUNNING, filing_clock__due_at__lte=at)
    today = engine.local_date(at)
    horizon = today + dt.timedelta(days=RulemakingRule.current().expiry_alert_days)
    expiring = documents.filter(stage__in=IN_FORCE, valid_until__gte=today, valid_until__lte=horizon)
    for doc in expiring.order_by("valid_until", "pk")[:3]:
        panel.lines.append(
            (f"{doc.number} {doc.title} · 有效期至 {doc.valid_until:%Y-%m-%d}", doc.get_absolute_url())
        )
    panel.lines.append((_("规范性文件与重大决策"), registry))
    return [
        Stat(_("待报送备案"), unfiled.count(), registry, id="unfiled-documents"),
        Stat(_("备案逾期"), filing_late.count(), registry, warn=True, id="filing-overdue"),
        Stat(_("即将届满"), expiring.count(), registry, id="expiring-documents"),
    ]


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


def _disclosure(user: User, at: dt.datetime, role: Role) -> Panel:
    """Requests for information awaiting an answer (《政府信息公开条例》第三十三条: 20 working days, extendable once by
    20) and records registered but not yet published (第二十六条: within 20 working days of being formed)."""
    from govhall.disclosure.choices import OPEN_REQUEST_STATUSES, RecordStatus
    from govhall.disclosure.queries import records_for_staff, requests_for

    home = _url("disclosure:staff_home")
    running = Q(clock__state=ClockState.RUNNING)
    open_requests = requests_for(user).filter(status__in=OPEN_REQUEST_STATUSES)
    counts = open_requests.aggregate(
        open=Count("pk"),
        soon=Count("pk", filter=running & Q(clock__warn_at__lte=at, clock__due_at__gt=at)),
        late=Count("pk", filter=running & Q(clock__due_at__lte=at)),
    )
    drafts = (
        records_for_staff(user)
        .filter(status=RecordStatus.DRAFT)
        .aggregate(n=Count("pk"), late=Count("pk", filter=running & Q(clock__due_at__lte=at)))
    )
    panel = Panel(role, _("政府信息公开"))
    panel.stats = [
        Stat(_("待答复申请"), counts["open"], home, id="open-requests"),
        Stat(_("答复将到期"), counts["soon"], home, id="requests-due-soon"),
        Stat(_("答复已逾期"), counts["late"], home, warn=True, id="requests-overdue"),
        Stat(_("待公开信息"), drafts["n"], home, id="draft-records"),
        Stat(_("逾期未公开"), drafts["late"], home, warn=True, id="drafts-overdue"),
    ]
    panel.lines = [
        (
            f"{r.number} · {r.get_status_display()} · 答复期限 {engine.local_date(r.clock.due_at):%Y-%m-%d}",
            _url("disclosure:staff_request", r.number),
        )
        for r in open_requests.filter(clock__due_at__isnull=False).order_by("clock__due_at", "pk")[:5]
        if r.clock is not None and r.clock.due_at is not None
    ]
    for text, name in (
        (_("依申请公开与主动公开"), "disclosure:staff_home"),
        (_("登记主动公开信息"), "disclosure:staff_record_new"),
        (_("政府信息公开目录"), "disclosure:catalog"),
    ):
        url = _url(name)
        if url:
            panel.lines.append((text, url))
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
    Role.DISCLOSURE_OFFICER: _disclosure,
}


def panels_for(user: User, at: dt.datetime) -> list[Panel]:
    roles = user_roles(user)
    return [BUILDERS[role](user, at, role) for role in HOME_ORDER if role in roles]
