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
from .models import GoalReport, MonthlyResult
from .queries import month_results, parse_month, parse_year, staff_sheet
from .yearly import evaluate_year

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
    detail: dict[str, Any] = Field(
        ...,
        description="每项得分的依据：日常考核各类记录的件数和扣分、年终考评各目标的分值和得分、综合评议的人数和票数",
    )


class EvaluationYearOut(Schema):
    year: int
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
    y = parse_year(year)
    return {"year": y, "departments": [d.as_dict() for d in evaluate_year(y)]}


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
