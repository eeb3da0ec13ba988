"""The only writers of 12345 work orders: record, dispatch (and re-dispatch), return, answer, call back, and hand an
efficiency complaint over to the complaint flow (国办发〔2020〕53号: one hotline, one order, answered within limits).

Each action is atomic, locks the order row, writes a line of the order's history and a typed audit event, and
raises Chinese ValidationErrors keyed by field, PermissionDenied for the wrong person. The answer limit runs on the
shared clock engine from the moment the call is recorded (the caller waits from then); its owner is the department
holding the order, so supervision lights, reminds and escalates it like any clock."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from govhall.calendars.engine import local_date
from govhall.cases.models import Case
from govhall.catalog.models import ServiceItem
from govhall.clocks.actions import set_clock_owner, start_clock, stop_clock
from govhall.clocks.choices import ClockKind
from govhall.clocks.owner import ClockOwner
from govhall.complaints import actions as complaint_actions
from govhall.complaints.choices import ComplaintChannel
from govhall.complaints.models import Complaint
from govhall.core.audit import record_event
from govhall.core.clock import now
from govhall.core.models import AuditEventType
from govhall.notifications.actions import notify
from govhall.org.access import require_role
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile

from .choices import Category, EventKind, LimitUnit, OrderSource, OrderStatus, Satisfaction, Urgency
from .limits import limit_for
from .models import HotlineLimit, WorkOrder, WorkOrderEvent, WorkOrderNumberCounter

_PHONE_RE = re.compile(r"^[0-9][0-9\-]{6,19}$")
# Who answers for a dispatched order in its department.
DEPARTMENT_ROLES = (Role.DEPARTMENT_HEAD, Role.APPROVER, Role.WINDOW_CLERK)
# Categories whose caller may be complaining about the efficiency of a government service (效能投诉).
TRANSFERABLE = (Category.COMPLAINT, Category.REPORT)


def next_order_number(day: date) -> str:
    """RX + YYYYMMDD + 5-digit daily sequence; the UPDATE takes the row lock before anyone reads the value."""
    counter = WorkOrderNumberCounter.objects.filter(day=day)
    if not counter.update(last=F("last") + 1):
        WorkOrderNumberCounter.objects.bulk_create(
            [WorkOrderNumberCounter(day=day, last=0)], ignore_conflicts=True
        )
        counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"RX{day:%Y%m%d}{last:05d}"


def hotline_office(user: User | AnonymousUser | None) -> Department | None:
    """The operator's own department: it answers for an order's clock while no department holds the order."""
    staff = getattr(user, "staff", None) if user is not None and getattr(user, "pk", None) else None
    if staff is None:
        return None
    department: Department | None = staff.departments.order_by("pk").first()
    return department


def _require_operator(by: User | AnonymousUser, what: str) -> None:
    require_role(by, Role.HOTLINE_OPERATOR, message=f"只有12345热线话务员可以{what}")


def _require_department(order: WorkOrder, by: User | AnonymousUser, what: str) -> None:
    if order.department_id is None:
        raise ValidationError({"status": "工单尚未派发到部门"})
    require_role(
        by, *DEPARTMENT_ROLES, department=order.department_id, message=f"只有承办部门的工作人员可以{what}"
    )


def _locked(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().select_related("clock").get(pk=order.pk)


def _event(
    order: WorkOrder,
    kind: EventKind,
    *,
    by: User | None,
    at: datetime,
    department: Department | None = None,
    reason: str = "",
) -> None:
    WorkOrderEvent.objects.create(
        order=order, kind=kind, at=at, actor=by, department=department, reason=reason
    )


def _link(order: WorkOrder) -> str:
    return reverse("hotline:detail", args=[order.number])


def _link_case(case_number: str) -> Case | None:
    number = (case_number or "").strip()
    if not number:
        return None
    case = Case.objects.filter(number=number).first()
    if case is None:
        raise ValidationError({"case_number": "未找到该办件编号"})
    return case


@transaction.atomic
def record_order(
    *,
    by: User,
    category: str,
    content: str,
    caller_name: str = "",
    caller_phone: str = "",
    subject: str = "",
    urgency: str = Urgency.ORDINARY,
    address: str = "",
    case_number: str = "",
    item: ServiceItem | None = None,
    item_code: str = "",
    source: str = OrderSource.PHONE,
) -> WorkOrder:
    """A call (or an Open311 request) becomes a work order; its answer limit starts now."""
    _require_operator(by, "登记热线工单")
    caller_name = (caller_name or "").strip()
    caller_phone = (caller_phone or "").strip().replace(" ", "")
    content = (content or "").strip()
    subject = (subject or "").strip()
    address = (address or "").strip()
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = "请选择工单类别（咨询、求助、投诉、举报、建议）"
    if urgency not in Urgency.values:
        errors["urgency"] = "请选择紧急程度（紧急、一般）"
    if not content:
        errors["content"] = "请填写诉求内容"
    if len(caller_name) > 50:
        errors["caller_name"] = "来电人姓名不能超过50个字"
    if len(subject) > 200:
        errors["subject"] = "标题不能超过200个字"
    if len(address) > 200:
        errors["address"] = "地址不能超过200个字"
    if caller_phone and not _PHONE_RE.match(caller_phone):
        errors["caller_phone"] = "来电号码格式不正确"
    elif not caller_phone and source == OrderSource.PHONE:
        errors["caller_phone"] = "请填写来电号码，以便回访"
    if source not in OrderSource.values:
        errors["source"] = "工单来源不正确"
    if errors:
        raise ValidationError(errors)
    case = _link_case(case_number)
    if item is None and (item_code or "").strip():
        item = ServiceItem.objects.filter(impl_code=item_code.strip()).first()
        if item is None:
            raise ValidationError({"item_code": "未找到该事项实施编码"})
    if case is not None and item is None:
        item = case.item
    at = now()
    number = next_order_number(local_date(at))
    amount, unit = limit_for(category, urgency)
    office = hotline_office(by)
    clock = start_clock(
        kind=ClockKind.HOTLINE,
        amount=amount,
        unit=unit,
        at=at,
        label=number,
        owner=ClockOwner(
            label=f"热线工单 {number} 办理时限", link=f"/hotline/orders/{number}/", department=office
        ),
    )
    order = WorkOrder.objects.create(
        number=number,
        source=source,
        category=category,
        urgency=urgency,
        caller_name=caller_name,
        caller_phone=caller_phone,
        subject=subject,
        content=content,
        address=address,
        case=case,
        item=item,
        recorded_by=by,
        recorded_at=at,
        clock=clock,
    )
    set_clock_owner(clock, subject=order)
    _event(order, EventKind.RECORDED, by=by, at=at)
    record_event(
        AuditEventType.HOTLINE_RECORDED,
        actor=by,
        obj=order,
        after={
            "category": category,
            "urgency": urgency,
            "source": source,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
        },
    )
    return order


def _tell_department(order: WorkOrder, department: Department, at: datetime) -> None:
    heads = User.objects.filter(
        groups__name=Role.DEPARTMENT_HEAD.value, staff__departments=department, is_active=True
    ).distinct()
    for head in heads:
        notify(
            title=f"12345热线工单 {order.number}",
            body=f"热线工单（{order.get_category_display()}）已派至本部门，请在 {order.clock.due_at:%Y-%m-%d %H:%M} 前答复。",
            user=head,
            kind="hotline",
            link=_link(order),
            at=at,
        )


@transaction.atomic
def dispatch(order: WorkOrder, *, by: User, department: Department, reason: str = "") -> WorkOrder:
    """派单 to the responsible department; a second dispatch (改派) while a department holds it needs a reason."""
    _require_operator(by, "派发热线工单")
    order = _locked(order)
    reason = (reason or "").strip()
    if order.status not in (OrderStatus.RECORDED, OrderStatus.RETURNED, OrderStatus.DISPATCHED):
        raise ValidationError({"status": f"工单{order.get_status_display()}，不能再派发"})
    if department is None:
        raise ValidationError({"department": "请选择承办部门"})
    redispatch = order.status == OrderStatus.DISPATCHED
    if redispatch and not reason:
        raise ValidationError({"reason": "改派须填写改派理由"})
    if redispatch and department.pk == order.department_id:
        raise ValidationError({"department": "工单已在该部门办理，改派须选择其他部门"})
    at = now()
    before = order.department_id
    order.department = department
    order.dispatched_at = at
    order.status = OrderStatus.DISPATCHED
    order.save(update_fields=["department", "dispatched_at", "status"])
    # The department answers for the limit from now on (its head while nobody there holds it).
    set_clock_owner(order.clock, department=department, responsible=None)
    _event(
        order,
        EventKind.REDISPATCHED if redispatch else EventKind.DISPATCHED,
        by=by,
        at=at,
        department=department,
        reason=reason,
    )
    _tell_department(order, department, at)
    record_event(
        AuditEventType.HOTLINE_DISPATCHED,
        actor=by,
        obj=order,
        before={"department": before},
        after={"department": department.pk, "reason": reason},
    )
    return order


@transaction.atomic
def return_order(order: WorkOrder, *, by: User, reason: str) -> WorkOrder:
    """退单: the department says the order is not its business, with the reason; the hotline dispatches again."""
    order = _locked(order)
    _require_department(order, by, "退回工单")
    if order.status != OrderStatus.DISPATCHED:
        raise ValidationError({"status": f"工单{order.get_status_display()}，不能退回"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退单理由"})
    at = now()
    department = order.department
    order.status = OrderStatus.RETURNED
    order.save(update_fields=["status"])
    # Back with the hotline: its office answers for the limit until the order is dispatched again.
    set_clock_owner(order.clock, department=hotline_office(order.recorded_by), responsible=None)
    _event(order, EventKind.RETURNED, by=by, at=at, department=department, reason=reason)
    notify(
        title=f"热线工单被退回 {order.number}",
        body=f"{department}退回工单：{reason}",
        user=order.recorded_by,
        kind="hotline",
        link=_link(order),
        at=at,
    )
    record_event(
        AuditEventType.HOTLINE_RETURNED,
        actor=by,
        obj=order,
        after={"department": department.pk if department else None, "reason": reason},
    )
    return order


@transaction.atomic
def answer(order: WorkOrder, *, by: User, text: str) -> WorkOrder:
    """The department's answer stops the clock: on time or late is what the 响应率 counts."""
    order = _locked(order)
    _require_department(order, by, "答复工单")
    if order.status != OrderStatus.DISPATCHED:
        raise ValidationError({"status": f"工单{order.get_status_display()}，不能答复"})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"answer": "请填写答复内容"})
    at = now()
    stop_clock(order.clock, at=at)
    order.answer = text
    order.answered_by = by
    order.answered_at = at
    order.status = OrderStatus.ANSWERED
    order.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    _event(order, EventKind.ANSWERED, by=by, at=at, department=order.department)
    record_event(
        AuditEventType.HOTLINE_ANSWERED,
        actor=by,
        obj=order,
        after={"department": order.department_id, "late": order.clock.late},
    )
    return order


@transaction.atomic
def call_back(
    order: WorkOrder,
    *,
    by: User,
    reached: bool,
    solved: bool | None = None,
    satisfaction: str = "",
    note: str = "",
) -> WorkOrder:
    """回访: the operator calls the caller back; when reached, the caller says whether it is solved and rates the
    answer. Either way the order is closed; an unreached caller counts in no rate."""
    _require_operator(by, "回访工单")
    order = _locked(order)
    if order.status != OrderStatus.ANSWERED:
        raise ValidationError({"status": "部门答复后才能回访"})
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if reached:
        if solved is None:
            errors["solved"] = "请选择问题是否解决"
        if satisfaction not in Satisfaction.values:
            errors["satisfaction"] = "请选择来电人的满意度（满意、基本满意、不满意）"
    elif not note:
        errors["note"] = "未联系上来电人时请记录回访情况"
    if errors:
        raise ValidationError(errors)
    at = now()
    order.called_back_at = at
    order.caller_reached = reached
    order.solved = solved if reached else None
    order.satisfaction = satisfaction if reached else ""
    order.callback_note = note
    order.status = OrderStatus.CLOSED
    order.save(
        update_fields=[
            "called_back_at",
            "caller_reached",
            "solved",
            "satisfaction",
            "callback_note",
            "status",
        ]
    )
    summary = (
        f"{'已解决' if solved else '未解决'}，{Satisfaction(satisfaction).label}"
        if reached
        else "未联系上来电人"
    )
    _event(order, EventKind.CALLED_BACK, by=by, at=at, reason=f"{summary}。{note}" if note else summary)
    record_event(
        AuditEventType.HOTLINE_CALLED_BACK,
        actor=by,
        obj=order,
        after={"reached": reached, "solved": order.solved, "satisfaction": order.satisfaction},
    )
    return order


@transaction.atomic
def transfer_to_complaint(
    order: WorkOrder,
    *,
    by: User,
    department: Department | None = None,
    staff: StaffProfile | None = None,
    reason: str = "",
) -> Complaint:
    """A caller complaining about the efficiency of a government service (效能投诉) goes into the one complaint flow
    (channel 12345热线) with its own clock; the work order ends here, pointing at the complaint."""
    _require_operator(by, "将工单转为效能投诉")
    order = _locked(order)
    if order.category not in TRANSFERABLE:
        raise ValidationError({"category": "只有投诉、举报类工单可以转为效能投诉"})
    if order.status not in (OrderStatus.RECORDED, OrderStatus.RETURNED):
        raise ValidationError(
            {"status": f"工单{order.get_status_display()}，不能转为效能投诉（派单后请由部门答复）"}
        )
    complaint = complaint_actions.receive_complaint(
        channel=ComplaintChannel.OPEN311 if order.source == OrderSource.OPEN311 else ComplaintChannel.HOTLINE,
        by=by,
        complainant_name=order.caller_name,
        phone=order.caller_phone,
        anonymous=not order.caller_name,
        content=order.content,
        subject=order.subject or f"12345热线工单 {order.number}",
        case_number=order.case.number if order.case else "",
        department=department or (order.case.department if order.case else None),
        staff=staff,
    )
    at = now()
    stop_clock(order.clock, at=at)
    order.complaint = complaint
    order.status = OrderStatus.TRANSFERRED
    order.save(update_fields=["complaint", "status"])
    _event(
        order,
        EventKind.TRANSFERRED,
        by=by,
        at=at,
        reason=(reason or "").strip() or f"转效能投诉 {complaint.number}",
    )
    record_event(
        AuditEventType.HOTLINE_TRANSFERRED, actor=by, obj=order, after={"complaint": complaint.number}
    )
    return complaint


@transaction.atomic
def set_limit(*, by: User, category: str, urgency: str, amount: int, unit: str) -> HotlineLimit:
    """Configure the answer limit of one category and urgency (orders already recorded keep their clock)."""
    require_role(by, Role.CENTER_ADMIN, message="只有中心管理员可以设置热线工单时限")
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = "工单类别不正确"
    if urgency not in Urgency.values:
        errors["urgency"] = "紧急程度不正确"
    if unit not in LimitUnit.values:
        errors["unit"] = "时限单位应为小时或工作日"
    if not isinstance(amount, int) or amount < 1:
        errors["amount"] = "时限应为正整数"
    if errors:
        raise ValidationError(errors)
    limit, _ = HotlineLimit.objects.update_or_create(
        category=category, urgency=urgency, defaults={"amount": amount, "unit": unit}
    )
    return limit
