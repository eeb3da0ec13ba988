"""The inspections' JSON API under /api/v1/inspections/: public results and grades (一公开, no login), and the staff
reads and actions of the pages with the same permissions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from govhall.calendars.engine import local_date
from govhall.cases.api import AUTH
from govhall.cases.schemas import Invalid, Problem
from govhall.org.access import acting_user
from govhall.org.models import Department

from . import access, actions
from .models import GradeChange, Inspection, InspectionPlan, RiskClass, SupervisedEntity

router = Router(tags=["监督检查"], auth=AUTH)

ERR = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Invalid}


class ResultOut(Schema):
    entity: str
    uscc: str
    department: str
    inspected_on: date | None
    result: str = Field(..., description="pass 符合, rectify 基本符合（责令整改）, fail 不符合")
    result_label: str
    grade: str = Field(..., description="经营者当前信用等级 A/B/C/D")


class GradeChangeOut(Schema):
    entity: str
    uscc: str
    old_grade: str
    new_grade: str
    reason: str
    changed_at: datetime


class PublicQuery(Schema):
    q: str = Field("", max_length=50, description="经营者名称（包含）")
    uscc: str = Field("", max_length=18)
    limit: int = Field(50, ge=1, le=500)


def _user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    if not access.is_staff(user):
        raise PermissionDenied("需要“监督检查人员”或“部门负责人”角色")
    return user


@router.get(
    "/inspections/results", response={200: list[ResultOut], **ERR}, auth=None, summary="检查结果（公开）"
)
def public_results(request: HttpRequest, q: Query[PublicQuery]) -> list[dict[str, Any]]:
    rows = access.public_results()
    if q.q:
        rows = rows.filter(entity__name__contains=q.q)
    if q.uscc:
        rows = rows.filter(entity__uscc=q.uscc.upper())
    return [
        {
            "entity": i.entity.name,
            "uscc": i.entity.uscc,
            "department": i.entity.department.name,
            "inspected_on": local_date(i.inspected_at) if i.inspected_at else None,
            "result": i.result,
            "result_label": i.get_result_display(),
            "grade": i.entity.grade,
        }
        for i in rows[: q.limit]
    ]


@router.get(
    "/inspections/grade-changes",
    response={200: list[GradeChangeOut], **ERR},
    auth=None,
    summary="信用等级变更（公开）",
)
def public_grade_changes(request: HttpRequest, q: Query[PublicQuery]) -> list[dict[str, Any]]:
    rows = GradeChange.objects.select_related("entity").order_by("-changed_at", "-pk")
    if q.q:
        rows = rows.filter(entity__name__contains=q.q)
    if q.uscc:
        rows = rows.filter(entity__uscc=q.uscc.upper())
    return [
        {
            "entity": c.entity.name,
            "uscc": c.entity.uscc,
            "old_grade": c.old_grade,
            "new_grade": c.new_grade,
            "reason": c.reason,
            "changed_at": c.changed_at,
        }
        for c in rows[: q.limit]
    ]


# --------------------------------------------------------------------------- staff


class PlanOut(Schema):
    id: int
    name: str
    kind: str
    campaign: str
    product_kind: str
    department_id: int
    starts_on: date
    ends_on: date
    sample_size: int
    status: str
    seed: str
    candidates: dict[str, Any] | None
    draw: dict[str, Any] | None
    verified: bool | None = Field(..., description="以记录的种子和候选名单重新抽取是否一致（未抽取为 null）")
    inspection_ids: list[int]


def _plan_out(plan: InspectionPlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "name": plan.name,
        "kind": plan.kind,
        "campaign": plan.campaign,
        "product_kind": plan.product_kind,
        "department_id": plan.department_id,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "sample_size": plan.sample_size,
        "status": plan.status,
        "seed": plan.seed,
        "candidates": plan.candidates,
        "draw": plan.draw,
        "verified": actions.verify_draw(plan) if plan.draw else None,
        "inspection_ids": list(plan.inspections.order_by("pk").values_list("pk", flat=True)),
    }


class PlanIn(Schema):
    name: str = Field(..., max_length=100)
    kind: Literal["routine", "special"]
    campaign: Literal["", "holiday", "school", "rural_market", "product"] = ""
    product_kind: str = Field("", max_length=30)
    department_id: int
    risk_class_ids: list[int] = []
    starts_on: date
    ends_on: date
    sample_size: int = Field(0, ge=0)


class DrawIn(Schema):
    seed: str = Field("", max_length=64)


@router.get("/inspections/plans", response={200: list[PlanOut], **ERR}, summary="检查计划")
def list_plans(request: HttpRequest) -> list[dict[str, Any]]:
    return [_plan_out(p) for p in access.plans_for(_user(request))[:200]]


@router.post("/inspections/plans", response={201: PlanOut, **ERR}, summary="制定检查计划")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    user = _user(request)
    department = Department.objects.filter(pk=payload.department_id).first()
    if department is None:
        raise ValidationError({"department_id": "部门不存在"})
    plan = actions.create_plan(
        by=user,
        name=payload.name,
        kind=payload.kind,
        campaign=payload.campaign,
        product_kind=payload.product_kind,
        department=department,
        risk_classes=RiskClass.objects.filter(pk__in=payload.risk_class_ids),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        sample_size=payload.sample_size,
    )
    return Status(201, _plan_out(plan))


def _plan(request: HttpRequest, pk: int) -> tuple[User, InspectionPlan]:
    user = _user(request)
    plan = access.plans_for(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return user, plan


@router.get("/inspections/plans/{pk}", response={200: PlanOut, **ERR}, summary="检查计划详情（含抽取复核）")
def plan_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _plan_out(_plan(request, pk)[1])


@router.post("/inspections/plans/{pk}/draw", response={200: PlanOut, **ERR}, summary="双随机抽取")
def draw(request: HttpRequest, pk: int, payload: DrawIn) -> dict[str, Any]:
    user, plan = _plan(request, pk)
    return _plan_out(actions.draw_plan(plan, by=user, seed=payload.seed))


class InspectionOut(Schema):
    id: int
    plan_id: int | None
    entity_id: int
    entity: str
    uscc: str
    inspector_ids: list[int]
    planned_on: date
    status: str
    result: str
    inspected_at: datetime | None
    findings: list[dict[str, Any]]
    tests: list[dict[str, Any]]
    rectification: dict[str, Any] | None
    referral: dict[str, Any] | None


def _inspection_out(i: Inspection) -> dict[str, Any]:
    order = getattr(i, "rectification", None)
    referral = getattr(i, "referral", None)
    return {
        "id": i.pk,
        "plan_id": i.plan_id,
        "entity_id": i.entity_id,
        "entity": i.entity.name,
        "uscc": i.entity.uscc,
        "inspector_ids": [i.inspector_id, i.second_inspector_id],
        "planned_on": i.planned_on,
        "status": i.status,
        "result": i.result,
        "inspected_at": i.inspected_at,
        "findings": [
            {"code": f.item.code, "compliant": f.compliant, "serious": f.serious, "note": f.note}
            for f in i.findings.select_related("item")
        ],
        "tests": [{"sample": t.sample, "test_item": t.test_item, "result": t.result} for t in i.tests.all()],
        "rectification": None
        if order is None
        else {
            "requirement": order.requirement,
            "days": order.days,
            "due_day": order.clock.due_day,
            "status": order.status,
            "completed_at": order.completed_at,
        },
        "referral": None
        if referral is None
        else {
            "to_unit": referral.to_unit,
            "reason": referral.reason,
            "penalty_case_number": referral.penalty_case_number,
            "referred_at": referral.referred_at,
        },
    }


class InspectionFilter(Schema):
    status: Literal["planned", "done", "rectifying", "closed"] | None = None
    plan_id: int | None = None
    limit: int = Field(50, ge=1, le=500)


@router.get("/inspections/inspections", response={200: list[InspectionOut], **ERR}, summary="检查记录")
def list_inspections(request: HttpRequest, f: Query[InspectionFilter]) -> list[dict[str, Any]]:
    qs = access.inspections_for(_user(request))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.plan_id:
        qs = qs.filter(plan_id=f.plan_id)
    return [_inspection_out(i) for i in qs.order_by("-planned_on", "-pk")[: f.limit]]


def _inspection(request: HttpRequest, pk: int) -> tuple[User, Inspection]:
    user = _user(request)
    inspection = access.inspections_for(user).filter(pk=pk).first()
    if inspection is None:
        raise Http404
    return user, inspection


@router.get("/inspections/inspections/{pk}", response={200: InspectionOut, **ERR}, summary="检查记录详情")
def inspection_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _inspection_out(_inspection(request, pk)[1])


class AnswerIn(Schema):
    item_id: int
    compliant: bool
    note: str = Field("", max_length=200)


class TestIn(Schema):
    sample: str = Field(..., max_length=60)
    test_item: str = Field(..., max_length=60)
    result: Literal["negative", "positive"]


class RecordIn(Schema):
    answers: list[AnswerIn]
    tests: list[TestIn] = []
    notes: str = Field("", max_length=2000)


class RectifyIn(Schema):
    requirement: str = Field(..., max_length=2000)
    days: int


class ReviewIn(Schema):
    note: str = Field("", max_length=2000)


class ReferIn(Schema):
    reason: str = Field(..., max_length=2000)
    to_unit: str = Field(..., max_length=100)
    penalty_case_number: str = Field("", max_length=40)


@router.post(
    "/inspections/inspections/{pk}/record", response={200: InspectionOut, **ERR}, summary="记录检查结果"
)
def record(request: HttpRequest, pk: int, payload: RecordIn) -> dict[str, Any]:
    user, inspection = _inspection(request, pk)
    done = actions.record_inspection(
        inspection,
        by=user,
        answers=[actions.Answer(a.item_id, a.compliant, a.note) for a in payload.answers],
        tests=[actions.Test(t.sample, t.test_item, t.result) for t in payload.tests],
        notes=payload.notes,
    )
    return _inspection_out(done)


@router.post(
    "/inspections/inspections/{pk}/rectify", response={200: InspectionOut, **ERR}, summary="责令整改"
)
def rectify(request: HttpRequest, pk: int, payload: RectifyIn) -> dict[str, Any]:
    user, inspection = _inspection(request, pk)
    actions.order_rectification(inspection, by=user, requirement=payload.requirement, days=payload.days)
    return _inspection_out(Inspection.objects.get(pk=pk))


@router.post(
    "/inspections/inspections/{pk}/rectified", response={200: InspectionOut, **ERR}, summary="整改复查完成"
)
def rectified(request: HttpRequest, pk: int, payload: ReviewIn) -> dict[str, Any]:
    user, inspection = _inspection(request, pk)
    order = getattr(inspection, "rectification", None)
    if order is None:
        raise ValidationError({"status": "该检查没有整改通知"})
    actions.complete_rectification(order, by=user, note=payload.note)
    return _inspection_out(Inspection.objects.get(pk=pk))


@router.post("/inspections/inspections/{pk}/refer", response={200: InspectionOut, **ERR}, summary="移送立案")
def refer(request: HttpRequest, pk: int, payload: ReferIn) -> dict[str, Any]:
    user, inspection = _inspection(request, pk)
    actions.refer_case(
        inspection,
        by=user,
        reason=payload.reason,
        to_unit=payload.to_unit,
        penalty_case_number=payload.penalty_case_number,
    )
    return _inspection_out(Inspection.objects.get(pk=pk))


class EntityOut(Schema):
    id: int
    uscc: str
    name: str
    business_form: str
    risk_class: str
    grade: str
    per_year: int = Field(..., description="日常检查频次（次/年）")
    licences: list[dict[str, Any]]


@router.get("/inspections/entities/{uscc}", response={200: EntityOut, **ERR}, summary="监管对象")
def entity_detail(request: HttpRequest, uscc: str) -> dict[str, Any]:
    entity: SupervisedEntity | None = access.entities_for(_user(request)).filter(uscc=uscc.upper()).first()
    if entity is None:
        raise Http404
    return {
        "id": entity.pk,
        "uscc": entity.uscc,
        "name": entity.name,
        "business_form": entity.business_form,
        "risk_class": entity.risk_class.name,
        "grade": entity.grade,
        "per_year": actions.frequency_of(entity),
        "licences": [
            {
                "name": lic.name,
                "number": lic.number,
                "issued_on": lic.issued_on,
                "valid_until": lic.valid_until,
            }
            for lic in entity.licences.all()
        ],
    }
