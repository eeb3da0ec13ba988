"""The power list in the open (public) and the staff endpoints of warnings, the risk map and rotations."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from govhall.calendars.engine import local_date
from govhall.cases.api import AUTH
from govhall.cases.schemas import Invalid, Problem
from govhall.core.clock import now
from govhall.org.access import acting_user, has_role
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile

from . import actions, queries
from .models import Power, Warning

router = Router(tags=["权力清单与廉政风险防控"])
staff_router = Router(tags=["权力清单与廉政风险防控"], auth=AUTH)

MAX_LIMIT = 500
OVERSIGHT = (Role.SUPERVISOR, Role.LEADER, Role.CENTER_ADMIN)
PowerTypeCode = Literal["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"]
LevelCode = Literal["A", "B", "C"]
WarningLevelCode = Literal["blue", "yellow", "red"]
ERR = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Invalid, 429: Problem}
PUBLIC_ERR = {400: Problem, 404: Problem, 422: Invalid, 429: Problem}


class DepartmentRef(Schema):
    id: int
    name: str


class RiskPointOut(Schema):
    description: str = Field(..., description="风险点描述")
    level: str = Field(..., description="风险等级代码（A/B/C）")
    level_name: str
    discovery: str = Field(
        ..., description="查找方式：self 自己找、public 群众点、deputy 代表评、organisation 组织审"
    )
    measures: str = Field(..., description="防控措施")
    step: str | None = Field(None, description="所在环节（风险点落在环节上时）")


class PowerOut(Schema):
    id: int
    code: str = Field(..., description="职权编码")
    name: str = Field(..., description="职权名称")
    power_type: str = Field(..., description="职权类型代码（01 行政许可 … 10 其他行政权力）")
    power_type_label: str
    department: DepartmentRef = Field(..., description="实施部门")
    legal_basis: str = Field(..., description="法律依据")
    level: str | None = Field(None, description="职权的风险等级（其风险点的最高等级）")
    item_impl_code: str | None = Field(None, description="对应政务服务事项的实施编码")
    risk_points: list[RiskPointOut]
    url: str


class PowerPage(Schema):
    count: int
    results: list[PowerOut]


class PowerFilter(Schema):
    department: int | None = Field(None, description="实施部门ID")
    type: PowerTypeCode | None = Field(None, description="职权类型代码")
    level: str | None = Field(None, max_length=4, description="风险等级代码（如 A、B、C）")
    q: str | None = Field(None, max_length=100, description="名称或编码关键字")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10**9)


class MapRowOut(Schema):
    id: int
    name: str
    department: str
    key: bool
    color: str
    counts: dict[str, int]


class RiskMapOut(Schema):
    totals: dict[str, int]
    departments: list[MapRowOut]
    posts: list[MapRowOut]


class RotationDueOut(Schema):
    staff: str
    post: str
    department: str
    start_date: date
    max_years: int
    due_on: date
    state: str


def _point(p: Any, step: str | None = None) -> dict[str, Any]:
    return {
        "description": p.description,
        "level": p.level.code,
        "level_name": p.level.name,
        "discovery": p.discovery,
        "measures": p.measures,
        "step": step,
    }


def power_out(p: Power) -> dict[str, Any]:
    points = [_point(r) for r in p.risk_points.all()]
    for step in p.steps.all():
        points.extend(_point(r, step.name) for r in step.risk_points.all())
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "power_type": p.power_type,
        "power_type_label": p.get_power_type_display(),
        "department": {"id": p.department_id, "name": p.department.name},
        "legal_basis": p.legal_basis,
        "level": p.level.code if p.level else None,
        "item_impl_code": p.item.impl_code if p.item else None,
        "risk_points": points,
        "url": p.get_absolute_url(),
    }


@router.get(
    "/powers", response={200: PowerPage, **PUBLIC_ERR}, summary="权力清单（公开）", operation_id="list_powers"
)
def list_powers(request: HttpRequest, filters: Query[PowerFilter]) -> dict[str, Any]:
    """Each power with its department, legal basis and risk points with their grades."""
    rows = queries.powers(
        department=filters.department,
        power_type=filters.type or "",
        level=filters.level or "",
        q=filters.q or "",
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "results": [power_out(p) for p in page]}


@router.get(
    "/powers/{code}",
    response={200: PowerOut, **PUBLIC_ERR},
    summary="一项职权（公开）",
    operation_id="power_detail",
)
def power_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    from django.shortcuts import get_object_or_404

    return power_out(get_object_or_404(queries.powers(), code=code))


# ---------------------------------------------------------------- staff


def _oversight(request: HttpRequest) -> User:
    user = acting_user(request)
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    if not has_role(user, *OVERSIGHT):
        raise PermissionDenied("只有效能监察人员、领导和中心管理员可以使用此接口")
    return user


class WarningIn(Schema):
    level: WarningLevelCode = Field(..., description="blue 蓝色 / yellow 黄色 / red 红色")
    department: int = Field(..., description="预警单位ID")
    person: int | None = Field(None, description="预警个人（工作人员ID）")
    reason: str = Field(..., max_length=2000)
    plan_days: int | None = Field(None, ge=1, le=60, description="整改方案报送时限（工作日）")


class WarningFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度")


class WarningOut(Schema):
    number: str
    level: str
    status: str
    department: DepartmentRef
    person: str | None
    reason: str
    issued_at: str
    plan_due: date | None
    letter: str | None


def warning_out(w: Warning) -> dict[str, Any]:
    return {
        "number": w.number,
        "level": w.level,
        "status": w.status,
        "department": {"id": w.department_id, "name": w.department.name},
        "person": w.person.name if w.person else None,
        "reason": w.reason,
        "issued_at": w.issued_at.isoformat(),
        "plan_due": w.plan_clock.due_day if w.plan_clock else None,
        "letter": w.letter.number if w.letter else None,
    }


@staff_router.post(
    "/integrity/warnings",
    response={201: WarningOut, **ERR},
    summary="发出廉政预警",
    operation_id="integrity_issue_warning",
)
def issue_warning(request: HttpRequest, payload: WarningIn) -> Status[dict[str, Any]]:
    from django.core.exceptions import ValidationError

    user = _oversight(request)
    department = Department.objects.filter(pk=payload.department).first()
    if department is None:
        raise ValidationError({"department": f"找不到部门（ID {payload.department}）。"})
    person = None
    if payload.person is not None:
        person = StaffProfile.objects.filter(pk=payload.person).first()
        if person is None:
            raise ValidationError({"person": f"找不到工作人员（ID {payload.person}）。"})
    warning = actions.issue_warning(
        level=payload.level,
        department=department,
        person=person,
        reason=payload.reason,
        plan_days=payload.plan_days,
        by=user,
    )
    return Status(201, warning_out(warning))


@staff_router.get(
    "/integrity/warnings",
    response={200: list[WarningOut], **ERR},
    summary="廉政预警列表",
    operation_id="integrity_warnings",
)
def list_warnings(request: HttpRequest, filters: Query[WarningFilter]) -> list[dict[str, Any]]:
    _oversight(request)
    rows = Warning.objects.select_related("department", "person", "plan_clock", "letter")
    if filters.year is not None:
        rows = rows.filter(issued_at__year=filters.year)
    return [warning_out(w) for w in rows[:500]]


@staff_router.get(
    "/integrity/risk-map",
    response={200: RiskMapOut, **ERR},
    summary="廉政风险地图",
    operation_id="integrity_risk_map",
)
def risk_map(request: HttpRequest) -> dict[str, Any]:
    _oversight(request)
    data = queries.risk_map()

    def rows(rs: list[queries.MapRow]) -> list[dict[str, Any]]:
        return [
            {
                "id": r.pk,
                "name": r.name,
                "department": r.department,
                "key": r.key,
                "color": r.color,
                "counts": r.counts,
            }
            for r in rs
        ]

    return {"totals": data["totals"], "departments": rows(data["departments"]), "posts": rows(data["posts"])}


@staff_router.get(
    "/integrity/rotations-due",
    response={200: list[RotationDueOut], **ERR},
    summary="到期或即将到期的轮岗",
    operation_id="integrity_rotations_due",
)
def rotations_due(request: HttpRequest, on: date | None = None) -> list[dict[str, Any]]:
    from django.core.exceptions import ValidationError

    _oversight(request)
    today = on or local_date(now())
    if not 2000 <= today.year <= 2100:
        raise ValidationError({"on": "日期应在2000年至2100年之间。"})
    return [
        {
            "staff": d.assignment.staff.name,
            "post": d.assignment.post.name,
            "department": d.assignment.post.department.name,
            "start_date": d.assignment.start_date,
            "max_years": d.max_years,
            "due_on": d.due_on,
            "state": d.state.value,
        }
        for d in queries.rotation_due(today)
    ]


class RiskPointIn(Schema):
    power: str | None = Field(None, max_length=40, description="职权编码（风险点落在职权或其环节上时）")
    step: str | None = Field(None, max_length=40, description="环节编码（与 power 一起）")
    post: int | None = Field(None, description="岗位ID（风险点落在岗位上时）")
    description: str = Field(..., max_length=2000, description="风险点描述")
    level: str = Field(..., max_length=4, description="风险等级代码（A/B/C）")
    discovery: Literal["self", "public", "deputy", "organisation"] = Field(..., description="查找方式")
    measures: str = Field("", max_length=2000, description="防控措施")


class RiskPointCreated(Schema):
    id: int
    level: str
    power_level: str | None = Field(None, description="登记后职权的风险等级")


@staff_router.post(
    "/integrity/risk-points",
    response={201: RiskPointCreated, **ERR},
    summary="登记廉政风险点",
    operation_id="integrity_record_risk_point",
)
def record_risk_point(request: HttpRequest, payload: RiskPointIn) -> Status[dict[str, Any]]:
    from django.core.exceptions import ValidationError

    from .models import Post, PowerStep

    user = _oversight(request)
    power = step = post = None
    if payload.power:
        power = Power.objects.filter(code=payload.power).first()
        if power is None:
            raise ValidationError({"power": f"找不到职权“{payload.power}”。"})
        if payload.step:
            step = PowerStep.objects.filter(power=power, key=payload.step).first()
            if step is None:
                raise ValidationError({"step": f"职权“{payload.power}”没有环节“{payload.step}”。"})
    if payload.post is not None:
        post = Post.objects.filter(pk=payload.post).first()
        if post is None:
            raise ValidationError({"post": f"找不到岗位（ID {payload.post}）。"})
    point = actions.record_risk_point(
        power=power,
        step=step,
        post=post,
        description=payload.description,
        level=payload.level,
        discovery=payload.discovery,
        measures=payload.measures,
        by=user,
    )
    if power is not None:
        power.refresh_from_db()
    level = power.level.code if power is not None and power.level is not None else None
    return Status(201, {"id": point.pk, "level": point.level.code, "power_level": level})


class CommitmentIn(Schema):
    staff: int = Field(..., description="工作人员ID")
    year: int = Field(..., ge=2000, le=2100)
    text: str = Field(..., max_length=4000, description="承诺内容")
    signed_on: date = Field(..., description="签订日期")


class CommitmentOut(Schema):
    id: int
    staff: str
    year: int
    signed_on: date


@staff_router.post(
    "/integrity/commitments",
    response={201: CommitmentOut, **ERR},
    summary="登记廉政风险承诺书",
    operation_id="integrity_sign_commitment",
)
def sign_commitment(request: HttpRequest, payload: CommitmentIn) -> Status[dict[str, Any]]:
    from django.core.exceptions import ValidationError

    user = _oversight(request)
    staff = StaffProfile.objects.filter(pk=payload.staff).first()
    if staff is None:
        raise ValidationError({"staff": f"找不到工作人员（ID {payload.staff}）。"})
    c = actions.sign_commitment(
        staff=staff, year=payload.year, text=payload.text, signed_on=payload.signed_on, by=user
    )
    return Status(201, {"id": c.pk, "staff": staff.name, "year": c.year, "signed_on": c.signed_on})
