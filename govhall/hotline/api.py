"""The hotline's JSON API under /api/v1/hotline/: the same reads and actions as the pages, same permissions."""

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
from govhall.clocks.actions import status as clock_status
from govhall.core.clock import now
from govhall.org.access import acting_user
from govhall.org.models import Department

from . import access, actions
from .models import WorkOrder
from .rates import monthly_rates

router = Router(tags=["12345热线"], auth=AUTH)

ERR = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Invalid, 429: Problem}

CategoryValue = Literal["consult", "help", "complaint", "report", "suggestion"]


class OrderOut(Schema):
    number: str
    source: str
    category: str = Field(
        ..., description="consult 咨询, help 求助, complaint 投诉, report 举报, suggestion 建议"
    )
    category_label: str
    urgency: str
    status: str
    status_label: str
    caller_name: str
    caller_phone: str = Field(..., description="已打码")
    subject: str
    content: str
    address: str
    case_number: str | None
    item: str | None = Field(..., description="关联事项名称")
    department_id: int | None
    department: str | None
    recorded_at: datetime
    dispatched_at: datetime | None
    due_at: datetime | None = Field(..., description="办理时限（答复期限）")
    light: str
    answer: str
    answered_at: datetime | None
    late: bool | None = Field(..., description="答复是否超期（未答复为 null）")
    caller_reached: bool | None
    solved: bool | None
    satisfaction: str
    complaint_number: str | None
    history: list[dict[str, Any]]


def _out(order: WorkOrder) -> dict[str, Any]:
    return {
        "number": order.number,
        "source": order.source,
        "category": order.category,
        "category_label": order.get_category_display(),
        "urgency": order.urgency,
        "status": order.status,
        "status_label": order.get_status_display(),
        "caller_name": order.caller_name,
        "caller_phone": order.masked_phone,
        "subject": order.subject,
        "content": order.content,
        "address": order.address,
        "case_number": order.case.number if order.case_id and order.case else None,
        "item": order.item.name if order.item_id and order.item else None,
        "department_id": order.department_id,
        "department": order.department.name if order.department else None,
        "recorded_at": order.recorded_at,
        "dispatched_at": order.dispatched_at,
        "due_at": order.clock.due_at,
        "light": clock_status(order.clock).light.value,
        "answer": order.answer,
        "answered_at": order.answered_at,
        "late": order.clock.late if order.answered_at else None,
        "caller_reached": order.caller_reached,
        "solved": order.solved,
        "satisfaction": order.satisfaction,
        "complaint_number": order.complaint.number if order.complaint_id and order.complaint else None,
        "history": [
            {
                "kind": e.kind,
                "at": e.at,
                "department": e.department.name if e.department else None,
                "reason": e.reason,
            }
            for e in order.events.select_related("department")
        ],
    }


def _user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    return user


def _order(request: HttpRequest, number: str) -> WorkOrder:
    user = _user(request)
    if not (access.sees_all(user) or access.is_department_staff(user)):
        raise PermissionDenied("需要“热线话务员”角色，或工单承办部门的工作人员")
    order = access.orders_for(user).filter(number=number).first()
    if order is None:
        raise Http404
    return order


def _department(pk: int) -> Department:
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise ValidationError({"department_id": "部门不存在"})
    return department


class OrderIn(Schema):
    category: CategoryValue
    urgency: Literal["urgent", "ordinary"] = "ordinary"
    content: str = Field(..., max_length=5000)
    caller_name: str = Field("", max_length=50)
    caller_phone: str = Field("", max_length=20)
    subject: str = Field("", max_length=200)
    address: str = Field("", max_length=200)
    case_number: str = Field("", max_length=40)
    item_code: str = Field("", max_length=31, description="关联事项的实施编码")


class DispatchIn(Schema):
    department_id: int
    reason: str = Field("", max_length=1000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=1000)


class AnswerIn(Schema):
    text: str = Field(..., max_length=5000)


class CallbackIn(Schema):
    reached: bool
    solved: bool | None = None
    satisfaction: Literal["satisfied", "basic", "dissatisfied", ""] = ""
    note: str = Field("", max_length=1000)


class TransferIn(Schema):
    department_id: int | None = None
    reason: str = Field("", max_length=200)


class ListFilter(Schema):
    status: Literal["recorded", "dispatched", "returned", "answered", "closed", "transferred"] | None = None
    category: CategoryValue | None = None
    limit: int = Field(50, ge=1, le=500)


@router.get(
    "/hotline/orders",
    response={200: list[OrderOut], **ERR},
    summary="热线工单列表",
    operation_id="hotline_orders",
)
def list_orders(request: HttpRequest, filters: Query[ListFilter]) -> list[dict[str, Any]]:
    user = _user(request)
    if not (access.sees_all(user) or access.is_department_staff(user)):
        raise PermissionDenied("需要“热线话务员”角色，或工单承办部门的工作人员")
    qs = access.orders_for(user).select_related("case", "complaint")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    return [_out(o) for o in qs[: filters.limit]]


@router.post(
    "/hotline/orders", response={201: OrderOut, **ERR}, summary="登记热线工单", operation_id="hotline_record"
)
def record(request: HttpRequest, payload: OrderIn) -> Status[dict[str, Any]]:
    order = actions.record_order(by=_user(request), **payload.dict())
    return Status(201, _out(order))


@router.get(
    "/hotline/orders/{number}",
    response={200: OrderOut, **ERR},
    summary="热线工单详情",
    operation_id="hotline_order",
)
def order_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _out(_order(request, number))


@router.post(
    "/hotline/orders/{number}/dispatch",
    response={200: OrderOut, **ERR},
    summary="派单/改派（改派须填理由）",
    operation_id="hotline_dispatch",
)
def dispatch(request: HttpRequest, number: str, payload: DispatchIn) -> dict[str, Any]:
    order = _order(request, number)
    return _out(
        actions.dispatch(
            order, by=_user(request), department=_department(payload.department_id), reason=payload.reason
        )
    )


@router.post(
    "/hotline/orders/{number}/return",
    response={200: OrderOut, **ERR},
    summary="退单（承办部门，须填理由）",
    operation_id="hotline_return",
)
def return_order(request: HttpRequest, number: str, payload: ReasonIn) -> dict[str, Any]:
    order = _order(request, number)
    return _out(actions.return_order(order, by=_user(request), reason=payload.reason))


@router.post(
    "/hotline/orders/{number}/answer",
    response={200: OrderOut, **ERR},
    summary="部门答复",
    operation_id="hotline_answer",
)
def answer(request: HttpRequest, number: str, payload: AnswerIn) -> dict[str, Any]:
    order = _order(request, number)
    return _out(actions.answer(order, by=_user(request), text=payload.text))


@router.post(
    "/hotline/orders/{number}/callback",
    response={200: OrderOut, **ERR},
    summary="回访并记录来电人评价",
    operation_id="hotline_callback",
)
def callback(request: HttpRequest, number: str, payload: CallbackIn) -> dict[str, Any]:
    order = _order(request, number)
    return _out(
        actions.call_back(
            order,
            by=_user(request),
            reached=payload.reached,
            solved=payload.solved,
            satisfaction=payload.satisfaction,
            note=payload.note,
        )
    )


@router.post(
    "/hotline/orders/{number}/transfer",
    response={200: OrderOut, **ERR},
    summary="转为效能投诉",
    operation_id="hotline_transfer",
)
def transfer(request: HttpRequest, number: str, payload: TransferIn) -> dict[str, Any]:
    order = _order(request, number)
    department = _department(payload.department_id) if payload.department_id is not None else None
    actions.transfer_to_complaint(order, by=_user(request), department=department, reason=payload.reason)
    order.refresh_from_db()
    return _out(order)


class RatesOut(Schema):
    month: str
    departments: list[dict[str, Any]]


class MonthQuery(Schema):
    month: str | None = Field(
        None, pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM（1900–2099），默认本月"
    )


@router.get(
    "/hotline/rates",
    response={200: RatesOut, **ERR},
    summary="响应率、解决率、满意率（按部门、按月）",
    operation_id="hotline_rates",
)
def rates(request: HttpRequest, q: Query[MonthQuery]) -> dict[str, Any]:
    user = _user(request)
    if not access.may_see_rates(user):
        raise PermissionDenied("需要“热线话务员”、中心管理或监察角色，或部门工作人员")
    if q.month:
        month = date(int(q.month[:4]), int(q.month[5:]), 1)
    else:
        today = local_date(now())
        month = date(today.year, today.month, 1)
    rows = monthly_rates(month, orders=access.orders_for(user))
    return {"month": f"{month:%Y-%m}", "departments": [r.as_dict() for r in rows]}
