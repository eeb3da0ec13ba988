"""Every change of evaluation data: entries for the month, closing it, adjustments; goals, reports on the clock,
reviews, appraisals, the survey import and vetoes. Each action is atomic and writes its audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from govhall.calendars.engine import local_date
from govhall.clocks.actions import set_clock_owner, start_clock, stop_clock
from govhall.clocks.choices import ClockKind, ClockUnit
from govhall.clocks.owner import ClockOwner
from govhall.core.audit import record_event
from govhall.core.clock import now
from govhall.core.models import AuditEventType
from govhall.core.tz import SHANGHAI
from govhall.org.access import department_ids, has_role, staff_window
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile, Window

from . import scoring
from .access import require_officer
from .choices import (
    GoalCategory,
    LeaderGrade,
    MonthStatus,
    ReportStatus,
    ReviewKind,
    SurveyAnswer,
    UnitKind,
)
from .models import (
    Adjustment,
    Attendance,
    Deduction,
    EvaluationMonth,
    EvaluationYear,
    Goal,
    GoalReport,
    GoalReview,
    LeaderAppraisal,
    MonthlyResult,
    MonthlyScheme,
    PanelScore,
    PeerReview,
    Recommendation,
    SchemeItem,
    SurveyResponse,
    VetoFinding,
    VetoItem,
    YearAdjustment,
    YearResult,
    YearScheme,
)
from .tabular import as_int, read_rows
from .yearly import evaluate_year, leader_quota, scheme_for

# The monthly goal report is due within this many working days after the month ends.
REPORT_DUE_WORKDAYS = 5


def first_of(month: dt.date) -> dt.date:
    return month.replace(day=1)


def _decimal(value: Any, field: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: "应为数字。"}) from exc
    if not number.is_finite() or number < low or number > high:
        raise ValidationError({field: f"应在{low}到{high}之间。"})
    return number.quantize(Decimal("0.01"))


def _open_month(month: dt.date) -> dt.date:
    """Entries are refused once the month is closed: a correction then is an adjustment of the frozen result."""
    first = first_of(month)
    if EvaluationMonth.objects.filter(month=first, status=MonthStatus.CLOSED).exists():
        raise ValidationError(
            {"month": f"{first:%Y年%m月}的考评已结账，不能再录入；如需更正请登记结果调整。"}
        )
    return first


def _open_year(year: int, field: str = "year") -> int:
    """Entries for a closed year are refused: its results are frozen; a correction is a recorded adjustment."""
    if EvaluationYear.objects.filter(year=year, status=MonthStatus.CLOSED).exists():
        raise ValidationError({field: f"{year}年度考评已结账，不能再录入；如需更正请登记结果调整。"})
    return year


def _target(window: Window | None, staff: StaffProfile | None) -> None:
    if (window is None) == (staff is None):
        raise ValidationError({"target": "请指定一个窗口或一名工作人员（只能选其一）。"})


# ---- monthly entries -----------------------------------------------------------------------------------------------


@transaction.atomic
def score_peer(*, actor: User, month: dt.date, reviewer: Window, reviewee: Window, score: Any) -> PeerReview:
    """楼层互评: one score per reviewer window for each other window on its floor and hall, once a month."""
    first = _open_month(month)
    if not has_role(actor, Role.PERFORMANCE_OFFICER) and staff_window(actor)[0] != reviewer.pk:
        raise PermissionDenied("只能以本人所在窗口的名义互评。")
    if reviewer.pk == reviewee.pk:
        raise ValidationError({"reviewee": "不能给本窗口评分。"})
    if reviewer.hall_id != reviewee.hall_id or reviewer.floor != reviewee.floor:
        raise ValidationError({"reviewee": "只能给同一楼层的其他窗口评分。"})
    value = _decimal(score, "score", Decimal("0"), Decimal("100"))
    # Lock the reviewer so two simultaneous submissions cannot both pass the check below.
    Window.objects.select_for_update().filter(pk=reviewer.pk).first()
    if PeerReview.objects.filter(month=first, reviewer=reviewer, reviewee=reviewee).exists():
        raise ValidationError({"reviewee": f"本窗口{first:%Y年%m月}已给{reviewee}评过分，每月只能评一次。"})
    review = PeerReview.objects.create(
        month=first, reviewer=reviewer, reviewee=reviewee, score=value, entered_by=actor, entered_at=now()
    )
    record_event(
        AuditEventType.EVALUATION_ENTERED,
        actor=actor,
        obj=review,
        after={"kind": "peer", "reviewer": reviewer.pk, "reviewee": reviewee.pk, "score": str(value)},
    )
    return review


@transaction.atomic
def recommend(
    *,
    actor: User,
    month: dt.date,
    reason: str,
    window: Window | None = None,
    staff: StaffProfile | None = None,
) -> Recommendation:
    require_officer(actor)
    first = _open_month(month)
    _target(window, staff)
    if not reason.strip():
        raise ValidationError({"reason": "请填写推荐理由。"})
    rec = Recommendation.objects.create(
        month=first,
        window=window,
        staff=staff,
        reason=reason.strip()[:200],
        entered_by=actor,
        entered_at=now(),
    )
    record_event(AuditEventType.EVALUATION_ENTERED, actor=actor, obj=rec, after={"kind": "recommendation"})
    return rec


@transaction.atomic
def enter_panel_score(
    *,
    actor: User,
    month: dt.date,
    score: Any,
    window: Window | None = None,
    staff: StaffProfile | None = None,
) -> PanelScore:
    require_officer(actor)
    first = _open_month(month)
    _target(window, staff)
    value = _decimal(score, "score", Decimal("0"), Decimal("100"))
    row = PanelScore.objects.create(
        month=first, window=window, staff=staff, score=value, entered_by=actor, entered_at=now()
    )
    record_event(
        AuditEventType.EVALUATION_ENTERED, actor=actor, obj=row, after={"kind": "panel", "score": str(value)}
    )
    return row


@transaction.atomic
def deduct(
    *,
    actor: User,
    month: dt.date,
    points: Any,
    reason: str,
    window: Window | None = None,
    staff: StaffProfile | None = None,
) -> Deduction:
    require_officer(actor)
    first = _open_month(month)
    _target(window, staff)
    value = _decimal(points, "points", Decimal("0.01"), Decimal("100"))
    if not reason.strip():
        raise ValidationError({"reason": "扣分必须写明理由。"})
    row = Deduction.objects.create(
        month=first,
        window=window,
        staff=staff,
        points=value,
        reason=reason.strip()[:200],
        entered_by=actor,
        entered_at=now(),
    )
    record_event(
        AuditEventType.EVALUATION_ENTERED,
        actor=actor,
        obj=row,
        after={"kind": "deduction", "points": str(value), "reason": row.reason},
    )
    return row


@transaction.atomic
def import_attendance(*, actor: User, month: dt.date, filename: str, content: bytes) -> int:
    """The attendance machine's export (工号, 应出勤天数, 实出勤天数, 迟到早退次数): all rows or none; a row already
    imported for that month is replaced (a re-export)."""
    require_officer(actor)
    first = _open_month(month)
    rows = read_rows(filename, content, ["工号", "应出勤天数", "实出勤天数"])
    staff = dict(StaffProfile.objects.values_list("employee_no", "pk"))
    errors: list[str] = []
    parsed: dict[int, tuple[int, int, int]] = {}
    for line, values in rows:
        number = values.get("工号", "")
        pk = staff.get(number)
        if pk is None:
            errors.append(f"第{line}行「工号」：找不到工号为“{number}”的工作人员。")
            continue
        due = as_int(values.get("应出勤天数", ""), line, "应出勤天数", errors)
        present = as_int(values.get("实出勤天数", ""), line, "实出勤天数", errors)
        late = as_int(values.get("迟到早退次数", "") or "0", line, "迟到早退次数", errors)
        if due is None or present is None or late is None:
            continue
        if due == 0 or due > 31:
            errors.append(f"第{line}行「应出勤天数」：应在1到31之间。")
        elif present > due:
            errors.append(f"第{line}行「实出勤天数」：不能多于应出勤天数（{due}）。")
        elif pk in parsed:
            errors.append(f"第{line}行「工号」：工号“{number}”重复出现。")
        else:
            parsed[pk] = (due, present, late)
    if errors:
        raise ValidationError({"file": errors})
    if not parsed:
        raise ValidationError({"file": "文件中没有考勤数据。"})
    at = now()
    Attendance.objects.filter(month=first, staff_id__in=parsed).delete()
    Attendance.objects.bulk_create(
        Attendance(month=first, staff_id=pk, days_due=d, days_present=p, late_times=late, imported_at=at)
        for pk, (d, p, late) in parsed.items()
    )
    record_event(
        AuditEventType.EVALUATION_ENTERED,
        actor=actor,
        subject=f"考勤 {first:%Y-%m}",
        after={"kind": "attendance", "rows": len(parsed), "file": filename[:100]},
    )
    return len(parsed)


# ---- closing and adjusting -----------------------------------------------------------------------------------------


@transaction.atomic
def close_month(*, actor: User, month: dt.date) -> EvaluationMonth:
    """Freeze the month: compute once from the record and store every result with its items."""
    require_officer(actor)
    first = first_of(month)
    _, end, _, _ = scoring.month_bounds(first)
    if now() < end:
        raise ValidationError({"month": f"{first:%Y年%m月}尚未结束，不能结账。"})
    period, _ = EvaluationMonth.objects.select_for_update().get_or_create(month=first)
    if period.status == MonthStatus.CLOSED:
        raise ValidationError({"month": f"{first:%Y年%m月}的考评已结账。"})
    scheme = scoring.ensure_default_scheme()
    result = scoring.evaluate(first, scheme)
    rows = []
    for units, kind in ((result.windows, UnitKind.WINDOW), (result.staff, UnitKind.STAFF)):
        for u in units:
            rows.append(
                MonthlyResult(
                    period=period,
                    unit=kind,
                    window_id=u.pk if kind == UnitKind.WINDOW else None,
                    staff_id=u.pk if kind == UnitKind.STAFF else None,
                    name=u.name,
                    score=u.score,
                    rank=u.rank,
                    title=u.title,
                    barred=u.barred,
                    items=[ln.as_dict() for ln in u.lines],
                )
            )
    MonthlyResult.objects.bulk_create(rows, batch_size=500)
    period.status = MonthStatus.CLOSED
    period.scheme = scheme
    period.closed_at = now()
    period.closed_by = actor
    period.save()
    record_event(
        AuditEventType.EVALUATION_MONTH_CLOSED,
        actor=actor,
        obj=period,
        after={"windows": len(result.windows), "staff": len(result.staff), "scheme": scheme.pk},
    )
    return period


@transaction.atomic
def adjust_result(*, actor: User, result: MonthlyResult, delta: Any, reason: str) -> Adjustment:
    require_officer(actor)
    value = _decimal(delta, "delta", Decimal("-100"), Decimal("100"))
    if value == 0:
        raise ValidationError({"delta": "调整分值不能为0。"})
    if not reason.strip():
        raise ValidationError({"reason": "调整必须写明理由。"})
    adj = Adjustment.objects.create(
        result=result, delta=value, reason=reason.strip()[:200], by=actor, at=now()
    )
    record_event(
        AuditEventType.EVALUATION_ADJUSTED,
        actor=actor,
        obj=result,
        before={"score": str(result.score)},
        after={"delta": str(value), "reason": adj.reason},
    )
    return adj


# ---- yearly --------------------------------------------------------------------------------------------------------


@transaction.atomic
def save_goal(
    *,
    actor: User,
    year: int,
    title: str,
    category: str,
    weight: Any,
    lead: Department | None,
    assisting: list[Department] | None = None,
    key_work: bool = False,
    goal: Goal | None = None,
) -> Goal:
    """Create a goal, or change `goal` (its year stays): category, weight, key work, lead and assisting departments."""
    require_officer(actor)
    if goal is not None:
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        year = goal.year
    _open_year(year)
    if category not in GoalCategory.values:
        raise ValidationError({"category": "目标类别无效。"})
    if not title.strip():
        raise ValidationError({"title": "请填写目标名称。"})
    if category == GoalCategory.FUNCTIONAL and lead is None:
        raise ValidationError({"lead": "职能目标必须指定牵头部门。"})
    if category == GoalCategory.COMMON:
        # A common goal applies to every department: no lead, no assisting list.
        lead, assisting = None, []
    value = _decimal(weight, "weight", Decimal("0.01"), Decimal("100"))
    before = None
    if goal is None:
        goal = Goal.objects.create(
            year=year,
            title=title.strip()[:200],
            category=category,
            weight=value,
            lead=lead,
            key_work=key_work,
        )
    else:
        before = {
            "title": goal.title,
            "category": goal.category,
            "weight": str(goal.weight),
            "lead": goal.lead_id,
        }
        goal.title, goal.category, goal.weight = title.strip()[:200], category, value
        goal.lead, goal.key_work = lead, key_work
        goal.save()
    goal.assisting.set([d for d in assisting or [] if lead is None or d.pk != lead.pk])
    record_event(
        AuditEventType.EVALUATION_GOAL_SAVED,
        actor=actor,
        obj=goal,
        before=before,
        after={
            "title": goal.title,
            "category": category,
            "weight": str(value),
            "lead": goal.lead_id,
            "assisting": sorted(goal.assisting.values_list("pk", flat=True)),
            "key_work": key_work,
        },
    )
    return goal


@transaction.atomic
def plan_report(
    *, actor: User | None, goal: Goal, department: Department, month: dt.date, plan: str
) -> GoalReport:
    """Open a department's month on a goal with its plan; the report is due REPORT_DUE_WORKDAYS working days after
    the month ends, on the clock (a late report is alerted by supervision like any other limit)."""
    first = first_of(month)
    _open_year(goal.year, "month")
    if first.year != goal.year:
        raise ValidationError({"month": "月份不在目标所属年度内。"})
    involved = goal.lead_id == department.pk or goal.assisting.filter(pk=department.pk).exists()
    if not involved and goal.category != GoalCategory.COMMON:
        raise ValidationError({"department": "该部门不是此目标的牵头或配合部门。"})
    if GoalReport.objects.filter(goal=goal, department=department, month=first).exists():
        raise ValidationError({"month": "该部门本月已有此目标的计划。"})
    _, _, _, last = scoring.month_bounds(first)
    clock = start_clock(
        kind=ClockKind.GOAL_REPORT,
        amount=REPORT_DUE_WORKDAYS,
        unit=ClockUnit.WORKDAY,
        at=dt.datetime.combine(last, dt.time(18), tzinfo=SHANGHAI),
        start_day=last,
        label=f"{goal.title[:60]} {first:%Y年%m月}月报",
        owner=ClockOwner(label=f"目标月报：{goal.title[:80]}", department=department),
    )
    report = GoalReport.objects.create(goal=goal, department=department, month=first, plan=plan, clock=clock)
    set_clock_owner(clock, subject=report)
    record_event(AuditEventType.EVALUATION_GOAL_SAVED, actor=actor, obj=report, after={"plan": plan[:200]})
    return report


@transaction.atomic
def submit_report(
    *, actor: User | None, report: GoalReport, text: str, at: dt.datetime | None = None
) -> GoalReport:
    """Send the month's report (actor None: the simulator). The department's head or the 绩效办 may send it."""
    head = (
        actor is not None
        and has_role(actor, Role.DEPARTMENT_HEAD)
        and report.department_id in department_ids(actor)
    )
    if actor is not None and not has_role(actor, Role.PERFORMANCE_OFFICER) and not head:
        raise PermissionDenied("只有本部门负责人或绩效办可以报送目标月报。")
    report = GoalReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.PLANNED:
        raise ValidationError({"report": "该月报已报送。"})
    if not text.strip():
        raise ValidationError({"report": "请填写完成情况。"})
    at = at or now()
    clock = stop_clock(report.clock, at=at)
    report.report = text.strip()
    report.submitted_at = at
    report.status = ReportStatus.LATE if clock.late else ReportStatus.SUBMITTED
    report.save(update_fields=["report", "submitted_at", "status"])
    record_event(
        AuditEventType.EVALUATION_REPORT_SUBMITTED, actor=actor, obj=report, after={"status": report.status}
    )
    return report


@transaction.atomic
def review_goal(
    *,
    actor: User,
    goal: Goal,
    department: Department,
    kind: str,
    score: Any,
    period: int = 0,
    note: str = "",
) -> GoalReview:
    require_officer(actor)
    _open_year(goal.year)
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": "考核类型无效。"})
    limits = {ReviewKind.SPOT_CHECK: (1, 4), ReviewKind.HALF_YEAR: (1, 2), ReviewKind.YEAR_END: (0, 0)}
    involved = goal.lead_id == department.pk or goal.assisting.filter(pk=department.pk).exists()
    if not involved and goal.category != GoalCategory.COMMON:
        raise ValidationError({"department": "该部门不是此目标的牵头或配合部门。"})
    low, high = limits[ReviewKind(kind)]
    if not low <= period <= high:
        raise ValidationError({"period": f"期次应在{low}到{high}之间。"})
    value = _decimal(score, "score", Decimal("0"), Decimal("100"))
    review, _ = GoalReview.objects.update_or_create(
        goal=goal,
        department=department,
        kind=kind,
        period=period,
        defaults={"score": value, "note": note, "by": actor, "at": now()},
    )
    record_event(
        AuditEventType.EVALUATION_ENTERED, actor=actor, obj=review, after={"kind": kind, "score": str(value)}
    )
    return review


@transaction.atomic
def appraise(*, actor: User, year: int, department: Department, grade: str) -> LeaderAppraisal:
    """A leader's graded appraisal of a department; 优秀 is limited to the quota share of departments."""
    if not has_role(actor, Role.LEADER):
        raise PermissionDenied("只有领导可以进行领导评议。")
    _open_year(year)
    if grade not in LeaderGrade.values:
        raise ValidationError({"grade": "评议等次无效。"})
    if grade == LeaderGrade.EXCELLENT:
        User.objects.select_for_update().filter(pk=actor.pk).first()
        quota = leader_quota(Department.objects.filter(active=True).count(), scheme_for(year))
        given = (
            LeaderAppraisal.objects.filter(year=year, leader=actor, grade=LeaderGrade.EXCELLENT)
            .exclude(department=department)
            .count()
        )
        if given >= quota:
            raise ValidationError({"grade": f"“优秀”名额已用完（每位领导最多{quota}个）。"})
    row, _ = LeaderAppraisal.objects.update_or_create(
        year=year, leader=actor, department=department, defaults={"grade": grade, "at": now()}
    )
    record_event(
        AuditEventType.EVALUATION_ENTERED, actor=actor, obj=row, after={"kind": "leader", "grade": grade}
    )
    return row


ANSWERS = {label: value for value, label in SurveyAnswer.choices}


@transaction.atomic
def import_survey(*, actor: User, year: int, filename: str, content: bytes) -> int:
    """The social survey sheet (评议代表, 代表类别, 部门, 评价, 意见建议): all rows or none."""
    require_officer(actor)
    _open_year(year)
    rows = read_rows(filename, content, ["评议代表", "部门", "评价"])
    depts: dict[str, int] = {}
    for pk, name, short in Department.objects.values_list("pk", "name", "short_name"):
        depts[name] = pk
        if short:
            depts.setdefault(short, pk)
    errors: list[str] = []
    out = []
    at = now()
    for line, v in rows:
        dept = depts.get(v.get("部门", ""))
        answer = ANSWERS.get(v.get("评价", ""))
        if not v.get("评议代表"):
            errors.append(f"第{line}行「评议代表」：不能为空。")
        if dept is None:
            errors.append(f"第{line}行「部门」：找不到部门“{v.get('部门', '')}”。")
        if answer is None:
            errors.append(f"第{line}行「评价」：应为满意、基本满意或不满意，实际为“{v.get('评价', '')}”。")
        if dept is not None and answer is not None and v.get("评议代表"):
            out.append(
                SurveyResponse(
                    year=year,
                    respondent=v["评议代表"][:60],
                    sector=v.get("代表类别", "")[:30],
                    department_id=dept,
                    answer=answer,
                    comment=v.get("意见建议", ""),
                    imported_at=at,
                )
            )
    if errors:
        raise ValidationError({"file": errors[:200]})
    if not out:
        raise ValidationError({"file": "文件中没有评议数据。"})
    SurveyResponse.objects.bulk_create(out, batch_size=1000)
    record_event(
        AuditEventType.EVALUATION_ENTERED,
        actor=actor,
        subject=f"社会评议 {year}",
        after={"kind": "survey", "rows": len(out), "file": filename[:100]},
    )
    return len(out)


@transaction.atomic
def record_veto(*, actor: User, year: int, department: Department, reason: str) -> VetoFinding:
    require_officer(actor)
    _open_year(year)
    if not reason.strip():
        raise ValidationError({"reason": "请写明一票否决的事由。"})
    row = VetoFinding.objects.create(
        year=year, department=department, reason=reason.strip()[:200], by=actor, at=now()
    )
    record_event(
        AuditEventType.EVALUATION_ENTERED, actor=actor, obj=row, after={"kind": "veto", "reason": row.reason}
    )
    return row


@transaction.atomic
def close_year(*, actor: User, year: int) -> EvaluationYear:
    """Freeze the year: evaluate once from the record and store every department's result with its figures."""
    require_officer(actor)
    if now() < dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI):
        raise ValidationError({"year": f"{year}年度尚未结束，不能结账。"})
    period, _ = EvaluationYear.objects.select_for_update().get_or_create(year=year)
    if period.status == MonthStatus.CLOSED:
        raise ValidationError({"year": f"{year}年度考评已结账。"})
    departments = evaluate_year(year)
    YearResult.objects.bulk_create(
        YearResult(
            period=period,
            department_id=d.pk,
            name=d.name,
            group=d.group or "",
            daily=d.daily,
            year_end=d.year_end,
            appraisal=d.appraisal,
            score=d.total,
            rank=d.rank,
            grade=d.grade,
            best=d.best,
            vetoes=list(d.vetoes),
            detail=d.detail,
            position=i,
        )
        for i, d in enumerate(departments)
    )
    period.status = MonthStatus.CLOSED
    period.closed_at = now()
    period.closed_by = actor
    period.save()
    record_event(
        AuditEventType.EVALUATION_YEAR_CLOSED,
        actor=actor,
        obj=period,
        after={
            "departments": len(departments),
            "best": sum(1 for d in departments if d.best),
            "scheme": scheme_for(year).pk,
        },
    )
    return period


@transaction.atomic
def adjust_year_result(*, actor: User, result: YearResult, delta: Any, reason: str) -> YearAdjustment:
    """A correction of a closed year's result, shown beside it; rank, grade and 最佳 stay as published."""
    require_officer(actor)
    value = _decimal(delta, "delta", Decimal("-100"), Decimal("100"))
    if value == 0:
        raise ValidationError({"delta": "调整分值不能为0。"})
    if not reason.strip():
        raise ValidationError({"reason": "调整必须写明理由。"})
    adj = YearAdjustment.objects.create(
        result=result, delta=value, reason=reason.strip()[:200], by=actor, at=now()
    )
    record_event(
        AuditEventType.EVALUATION_ADJUSTED,
        actor=actor,
        obj=result,
        before={"score": str(result.score)},
        after={"delta": str(value), "reason": adj.reason},
    )
    return adj


def report_day(report: GoalReport) -> dt.date | None:
    return local_date(report.submitted_at) if report.submitted_at else None


@transaction.atomic
def save_config(*, actor: User, obj: models.Model, changes: dict[str, Any]) -> models.Model:
    """Change the scheme, a scheme item, the yearly scheme or a veto item (what the admin edits)."""
    if not (actor.is_superuser or has_role(actor, Role.PERFORMANCE_OFFICER, Role.CENTER_ADMIN)):
        raise PermissionDenied("只有绩效办或中心管理员可以修改考评方案。")
    allowed = (MonthlyScheme, SchemeItem, YearScheme, VetoItem)
    if not isinstance(obj, allowed):
        raise PermissionDenied("该对象不能在此修改。")
    stored = type(obj).objects.select_for_update().get(pk=obj.pk)
    before = {k: str(getattr(stored, k)) for k in changes}
    for k, v in changes.items():
        setattr(stored, k, v)
    if isinstance(stored, YearScheme):
        total = stored.daily_weight + stored.year_end_weight + stored.appraisal_weight
        if total != 1:
            raise ValidationError({"daily_weight": f"三项权重之和应为1，现为{total}。"})
        if stored.advanced_share + stored.good_share > 1:
            raise ValidationError({"good_share": "先进与良好比例之和不能超过1。"})
    if isinstance(stored, MonthlyScheme):
        for name in ("honours_cap", "red_flag_share", "star_share"):
            if not 0 <= getattr(stored, name) <= 1:
                raise ValidationError({name: "比例应在0到1之间。"})
    if isinstance(stored, SchemeItem) and stored.cap < 0:
        raise ValidationError({"cap": "封顶分值不能为负数。"})
    stored.full_clean()
    stored.save()
    record_event(
        AuditEventType.EVALUATION_SCHEME_SAVED,
        actor=actor,
        obj=stored,
        before=before,
        after={k: str(getattr(stored, k)) for k in changes},
    )
    return stored
