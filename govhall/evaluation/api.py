"""The evaluation JSON API under /api/v1/evaluation/: the same reads and actions as the pages, same permissions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from govhall.cases.api import AUTH
from govhall.cases.schemas import Invalid, Problem
from govhall.org.access import acting_user
from govhall.org.models import Department, StaffProfile, Window

from . import actions
from .access import is_officer, require_reader
from .models import Goal, GoalReport, MonthlyResult, YearResult
from .queries import month_results, parse_month, parse_year, staff_sheet, visible_goals, year_results

router = Router(tags=["绩效考评"], auth=AUTH)

ERR = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Invalid}


class EvaluationUnitOut(Schema):
    name: str
    id: int | None
    score: float
    rank: int
    title: str = Field(..., description="称号：红旗窗口、优质服务窗口、服务之星、示范岗，无则为空")
    barred: str = Field(..., description="不得评优的原因（当月属实投诉或红牌）")
    adjusted_score: float | None = Field(None, description="结账后登记调整后的得分（无调整为 null）")


class EvaluationMonthOut(Schema):
    month: str
    closed: bool
    windows: list[EvaluationUnitOut]
    staff: list[EvaluationUnitOut]


class EvaluationDepartmentOut(Schema):
    name: str
    id: int
    group: str
    score: float
    rank: int = Field(..., description="组内名次")
    grade: str = Field(..., description="先进、良好、达标、诫勉")
    best: bool = Field(..., description="最佳")
    daily: float
    year_end: float
    appraisal: float
    vetoes: list[str]
    result_id: int | None = Field(None, description="结账后冻结结果的编号（用于登记调整；未结账为 null）")
    adjusted_score: float | None = Field(None, description="结账后登记调整后的得分（无调整为 null）")
    detail: dict[str, Any] = Field(
        ...,
        description="每项得分的依据：日常考核各类记录的件数和扣分、年终考评各目标的分值和得分、综合评议的人数和票数",
    )


class EvaluationYearOut(Schema):
    year: int
    closed: bool = Field(..., description="已结账：结果读自冻结的记录")
    departments: list[EvaluationDepartmentOut]


class EvaluationPeerIn(Schema):
    reviewer_window_id: int
    reviewee_window_id: int
    score: Decimal = Field(..., ge=0, le=100)


class EvaluationDeductionIn(Schema):
    window_id: int | None = None
    staff_id: int | None = None
    points: Decimal = Field(..., gt=0, le=100)
    reason: str = Field(..., min_length=1, max_length=200)


class EvaluationAdjustIn(Schema):
    delta: Decimal = Field(..., ge=-100, le=100)
    reason: str = Field(..., min_length=1, max_length=200)


class EvaluationGoalIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    category: str = Field(..., description="functional 职能目标, common 共性目标")
    weight: Decimal = Field(..., gt=0, le=100)
    key_work: bool = False
    lead_department_id: int | None = Field(None, description="牵头部门（职能目标必填）")
    assisting_department_ids: list[int] = Field(default_factory=list, description="配合部门")


class EvaluationGoalOut(Schema):
    id: int
    year: int
    title: str
    category: str
    weight: float
    key_work: bool
    lead_department_id: int | None
    assisting_department_ids: list[int]


class EvaluationReviewIn(Schema):
    department_id: int
    kind: str = Field(..., description="year_end 年终考评, spot_check 季度抽查, half_year 半年小结")
    period: int = Field(0, ge=0, le=4, description="季度抽查1–4，半年小结1–2，年终考评0")
    score: Decimal = Field(..., ge=0, le=100)
    note: str = Field("", max_length=2000)


class EvaluationAppraisalIn(Schema):
    department_id: int
    grade: str = Field(..., description="excellent 优秀, good 良好, fair 一般, poor 较差")


class EvaluationReportIn(Schema):
    report: str = Field(..., min_length=1, max_length=5000)


class EvaluationReportOut(Schema):
    id: int
    status: str = Field(..., description="submitted 已报送, late 逾期报送")


class EvaluationCreated(Schema):
    id: int


def _user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    return user


def _window(pk: int | None, field: str) -> Window | None:
    if pk is None:
        return None
    window = Window.objects.filter(pk=pk).first()
    if window is None:
        raise ValidationError({field: "窗口不存在。"})
    return window


@router.get(
    "/evaluation/months/{month}",
    response={200: EvaluationMonthOut, **ERR},
    summary="月度窗口和工作人员考评结果",
    operation_id="evaluation_month",
)
def month(request: HttpRequest, month: str) -> dict[str, Any]:
    require_reader(_user(request))
    return month_results(parse_month(month))


@router.get(
    "/evaluation/months/{month}/staff/{staff_id}",
    response={200: dict[str, Any], **ERR},
    summary="工作人员个人考评明细（每一分的来源）",
    operation_id="evaluation_staff_sheet",
)
def sheet(request: HttpRequest, month: str, staff_id: int) -> dict[str, Any]:
    user = _user(request)
    own = StaffProfile.objects.filter(user=user, pk=staff_id).exists()
    if not own:
        require_reader(user)
    found = staff_sheet(parse_month(month), staff_id)
    if found is None:
        raise Http404
    return found


@router.post(
    "/evaluation/months/{month}/close",
    response={200: EvaluationMonthOut, **ERR},
    summary="月度考评结账（结果冻结）",
    operation_id="evaluation_close_month",
)
def close(request: HttpRequest, month: str) -> dict[str, Any]:
    first = parse_month(month)
    actions.close_month(actor=_user(request), month=first)
    return month_results(first)


@router.post(
    "/evaluation/months/{month}/peer-reviews",
    response={201: EvaluationCreated, **ERR},
    summary="楼层互评（每月每个窗口对同楼层其他窗口各评一次）",
    operation_id="evaluation_peer_review",
)
def peer(request: HttpRequest, month: str, payload: EvaluationPeerIn) -> Status[dict[str, Any]]:
    reviewer = _window(payload.reviewer_window_id, "reviewer_window_id")
    reviewee = _window(payload.reviewee_window_id, "reviewee_window_id")
    assert reviewer is not None and reviewee is not None
    row = actions.score_peer(
        actor=_user(request),
        month=parse_month(month),
        reviewer=reviewer,
        reviewee=reviewee,
        score=payload.score,
    )
    return Status(201, {"id": row.pk})


@router.post(
    "/evaluation/months/{month}/deductions",
    response={201: EvaluationCreated, **ERR},
    summary="扣分（须写明理由）",
    operation_id="evaluation_deduct",
)
def deduction(request: HttpRequest, month: str, payload: EvaluationDeductionIn) -> Status[dict[str, Any]]:
    staff = None
    if payload.staff_id is not None:
        staff = StaffProfile.objects.filter(pk=payload.staff_id).first()
        if staff is None:
            raise ValidationError({"staff_id": "工作人员不存在。"})
    row = actions.deduct(
        actor=_user(request),
        month=parse_month(month),
        points=payload.points,
        reason=payload.reason,
        window=_window(payload.window_id, "window_id"),
        staff=staff,
    )
    return Status(201, {"id": row.pk})


@router.post(
    "/evaluation/results/{result_id}/adjustments",
    response={201: EvaluationCreated, **ERR},
    summary="结账后的结果调整（留痕，不重算）",
    operation_id="evaluation_adjust",
)
def adjust(request: HttpRequest, result_id: int, payload: EvaluationAdjustIn) -> Status[dict[str, Any]]:
    user = _user(request)
    if not is_officer(user):
        raise PermissionDenied("只有绩效办人员可以进行此操作。")
    result = MonthlyResult.objects.filter(pk=result_id).first()
    if result is None:
        raise Http404
    row = actions.adjust_result(actor=user, result=result, delta=payload.delta, reason=payload.reason)
    return Status(201, {"id": row.pk})


@router.get(
    "/evaluation/years/{year}",
    response={200: EvaluationYearOut, **ERR},
    summary="年度部门考评结果（组内排名、等次、最佳、一票否决）",
    operation_id="evaluation_year",
)
def year(request: HttpRequest, year: str) -> dict[str, Any]:
    require_reader(_user(request))
    return year_results(parse_year(year))


@router.post(
    "/evaluation/years/{year}/closing",
    response={200: EvaluationYearOut, **ERR},
    summary="年度考评结账（结果冻结）",
    operation_id="evaluation_close_year",
)
def close_year(request: HttpRequest, year: str) -> dict[str, Any]:
    y = parse_year(year)
    actions.close_year(actor=_user(request), year=y)
    return year_results(y)


@router.post(
    "/evaluation/year-results/{result_id}/adjustments",
    response={201: EvaluationCreated, **ERR},
    summary="年度结账后的结果调整（留痕，不重算）",
    operation_id="evaluation_adjust_year",
)
def adjust_year(request: HttpRequest, result_id: int, payload: EvaluationAdjustIn) -> Status[dict[str, Any]]:
    user = _user(request)
    if not is_officer(user):
        raise PermissionDenied("只有绩效办人员可以进行此操作。")
    result = YearResult.objects.filter(pk=result_id).first()
    if result is None:
        raise Http404
    row = actions.adjust_year_result(actor=user, result=result, delta=payload.delta, reason=payload.reason)
    return Status(201, {"id": row.pk})


def _departments(payload: EvaluationGoalIn) -> tuple[Department | None, list[Department]]:
    lead = None
    if payload.lead_department_id is not None:
        lead = Department.objects.filter(pk=payload.lead_department_id).first()
        if lead is None:
            raise ValidationError({"lead_department_id": "牵头部门不存在。"})
    ids = set(payload.assisting_department_ids)
    assisting = list(Department.objects.filter(pk__in=ids))
    if len(assisting) != len(ids):
        raise ValidationError({"assisting_department_ids": "配合部门不存在。"})
    return lead, assisting


def _goal_out(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "year": goal.year,
        "title": goal.title,
        "category": goal.category,
        "weight": float(goal.weight),
        "key_work": goal.key_work,
        "lead_department_id": goal.lead_id,
        "assisting_department_ids": sorted(goal.assisting.values_list("pk", flat=True)),
    }


@router.get(
    "/evaluation/years/{year}/goals",
    response={200: list[EvaluationGoalOut], **ERR},
    summary="年度目标（部门负责人只看到本部门牵头、配合的目标和共性目标）",
    operation_id="evaluation_goals",
)
def goals(request: HttpRequest, year: str) -> list[dict[str, Any]]:
    rows = visible_goals(_user(request), parse_year(year))
    return [_goal_out(g) for g in rows]


@router.post(
    "/evaluation/years/{year}/goals",
    response={201: EvaluationGoalOut, **ERR},
    summary="新建年度目标（绩效办）",
    operation_id="evaluation_create_goal",
)
def create_goal(request: HttpRequest, year: str, payload: EvaluationGoalIn) -> Status[dict[str, Any]]:
    user = _user(request)
    y = parse_year(year)
    if not is_officer(user):
        raise PermissionDenied("只有绩效办人员可以进行此操作。")
    lead, assisting = _departments(payload)
    goal = actions.save_goal(
        actor=user,
        year=y,
        title=payload.title,
        category=payload.category,
        weight=payload.weight,
        lead=lead,
        assisting=assisting,
        key_work=payload.key_work,
    )
    return Status(201, _goal_out(goal))


@router.put(
    "/evaluation/goals/{goal_id}",
    response={200: EvaluationGoalOut, **ERR},
    summary="修改年度目标（绩效办；已结账年度不能修改）",
    operation_id="evaluation_update_goal",
)
def update_goal(request: HttpRequest, goal_id: int, payload: EvaluationGoalIn) -> dict[str, Any]:
    user = _user(request)
    if not is_officer(user):
        raise PermissionDenied("只有绩效办人员可以进行此操作。")
    goal = Goal.objects.filter(pk=goal_id).first()
    if goal is None:
        raise Http404
    lead, assisting = _departments(payload)
    goal = actions.save_goal(
        actor=user,
        year=goal.year,
        title=payload.title,
        category=payload.category,
        weight=payload.weight,
        lead=lead,
        assisting=assisting,
        key_work=payload.key_work,
        goal=goal,
    )
    return _goal_out(goal)


@router.post(
    "/evaluation/goals/{goal_id}/reviews",
    response={200: EvaluationCreated, **ERR},
    summary="目标考核：年终考评、季度抽查、半年小结（绩效办；同一期次再录为修改）",
    operation_id="evaluation_review_goal",
)
def review(request: HttpRequest, goal_id: int, payload: EvaluationReviewIn) -> dict[str, Any]:
    user = _user(request)
    if not is_officer(user):
        raise PermissionDenied("只有绩效办人员可以进行此操作。")
    goal = Goal.objects.filter(pk=goal_id).first()
    if goal is None:
        raise Http404
    department = Department.objects.filter(pk=payload.department_id).first()
    if department is None:
        raise ValidationError({"department_id": "部门不存在。"})
    row = actions.review_goal(
        actor=user,
        goal=goal,
        department=department,
        kind=payload.kind,
        score=payload.score,
        period=payload.period,
        note=payload.note,
    )
    return {"id": row.pk}


@router.post(
    "/evaluation/years/{year}/appraisals",
    response={200: EvaluationCreated, **ERR},
    summary="领导评议（优秀有名额限制；同一部门再评为修改）",
    operation_id="evaluation_appraise",
)
def appraise(request: HttpRequest, year: str, payload: EvaluationAppraisalIn) -> dict[str, Any]:
    department = Department.objects.filter(pk=payload.department_id).first()
    if department is None:
        raise ValidationError({"department_id": "部门不存在。"})
    row = actions.appraise(
        actor=_user(request), year=parse_year(year), department=department, grade=payload.grade
    )
    return {"id": row.pk}


@router.post(
    "/evaluation/goal-reports/{report_id}/submit",
    response={200: EvaluationReportOut, **ERR},
    summary="报送目标月报（逾期的记为逾期报送）",
    operation_id="evaluation_submit_report",
)
def submit_report(request: HttpRequest, report_id: int, payload: EvaluationReportIn) -> dict[str, Any]:
    report = GoalReport.objects.filter(pk=report_id).first()
    if report is None:
        raise Http404
    done = actions.submit_report(actor=_user(request), report=report, text=payload.report)
    return {"id": done.pk, "status": done.status}
