"""Supervisor pages: the alert board, supervision orders (answered by the department head), accountability decisions
and each staff member's conduct file. State changes go through `supervision.actions` only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from govhall.clocks import actions as clocks
from govhall.clocks.actions import ClockStatus
from govhall.clocks.choices import ClockState
from govhall.core.auth import signed_in
from govhall.core.clock import now
from govhall.org.access import has_role, require_role, role_required
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile
from govhall.stats.lights import case_light_totals, step_totals

from .actions import answer_order, conduct_for, decide_accountability, issue_order, urge
from .choices import AccountabilityStatus, AccountabilityType, AlertKind, AlertLevel, OrderStatus
from .models import Accountability, Alert, SupervisionOrder
from .policy import escalation_policy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

BOARD_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.CENTER_ADMIN)
# Alerts without a clock (out-of-procedure attempts, refusals) are events with nothing to close: the board shows
# the recent ones.
TRIGGER_WINDOW = dt.timedelta(days=7)
BOARD_PAGE = 30

View = Callable[..., HttpResponseBase]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "supervision/403.html", {"message": message}, status=403)


def guarded(view: View) -> View:
    """Logged in (else the login page); a PermissionDenied from a check or an action is a Chinese 403 page."""
    return role_required(forbidden=forbidden, login_only=True, fallback="您无权查看此页面。")(view)


def _require(request: HttpRequest, roles: tuple[Role, ...], message: str) -> None:
    require_role(request.user, *roles, message=message)


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for m in ValidationError(errs).messages] for field, errs in exc.error_dict.items()
        }
    return {"__all__": list(exc.messages)}


# ---------------------------------------------------------------- the board


def open_alerts(at: dt.datetime) -> QuerySet[Alert]:
    """Alerts still open: their clock still runs (a yellow one only until the same clock turned red), plus recent
    trigger alerts; red first, then yellow, newest first."""
    reddened = Alert.objects.filter(level=AlertLevel.RED, clock__isnull=False).values("clock_id")
    on_clock = Q(clock__isnull=False) & ~Q(clock__state=ClockState.STOPPED)
    superseded = Q(level=AlertLevel.YELLOW, clock_id__in=reddened)
    recent_trigger = Q(clock__isnull=True, raised_at__gte=at - TRIGGER_WINDOW)
    return (
        Alert.objects.filter((on_clock & ~superseded) | recent_trigger)
        .select_related("case", "department", "responsible__staff", "task")
        .annotate(
            level_rank=Case(
                When(level=AlertLevel.RED, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("level_rank", "-raised_at", "-id")
    )


@dataclass
class OrderRow:
    order: SupervisionOrder
    status: ClockStatus


def _order_rows(orders: Iterable[SupervisionOrder], at: dt.datetime) -> list[OrderRow]:
    return [OrderRow(o, clocks.status(o.clock, at)) for o in orders]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@guarded
def board(request: HttpRequest) -> HttpResponse:
    """电子监察 board: open alerts, orders awaiting or answered late, pending accountability records; filtered by
    level, kind and department, alerts and orders paged. The headline lights are the one definition of
    govhall.stats.lights, as on the big screen."""
    _require(request, BOARD_ROLES, "只有效能监察人员、领导和中心管理员可以查看电子监察页面。")
    at = now()
    level = request.GET.get("level", "")
    kind = request.GET.get("kind", "")
    department_id = _int(request.GET.get("department"))
    order_status = request.GET.get("order_status", "")
    alerts = open_alerts(at)
    counts = alerts.aggregate(
        red=Count("pk", filter=Q(level=AlertLevel.RED)), yellow=Count("pk", filter=Q(level=AlertLevel.YELLOW))
    )
    if level in AlertLevel.values:
        alerts = alerts.filter(level=level)
    if kind in AlertKind.values:
        alerts = alerts.filter(kind=kind)
    orders = SupervisionOrder.objects.select_related("clock", "department", "case", "responsible__staff")
    if order_status in OrderStatus.values:
        orders = orders.filter(status=order_status)
    else:
        orders = orders.filter(answered_at__isnull=True)
    department = Department.objects.filter(pk=department_id).first() if department_id else None
    if department is not None:
        alerts = alerts.filter(department=department)
        orders = orders.filter(department=department)
    pending = (
        Accountability.objects.filter(status=AccountabilityStatus.PENDING)
        .select_related("person__staff", "department", "order")
        .order_by("opened_at", "pk")
    )
    alert_page = Paginator(alerts, BOARD_PAGE).get_page(request.GET.get("page"))
    order_page = Paginator(orders.order_by("clock__due_at", "pk"), BOARD_PAGE).get_page(
        request.GET.get("opage")
    )
    return render(
        request,
        "supervision/board.html",
        {
            "alerts": alert_page.object_list,
            "alert_page": alert_page,
            "red_count": counts["red"],
            "yellow_count": counts["yellow"],
            "lights": case_light_totals(at),
            "steps": step_totals(at),
            "orders": _order_rows(order_page.object_list, at),
            "order_page": order_page,
            "pending": pending,
            "is_supervisor": has_role(request.user, Role.SUPERVISOR),
            "levels": AlertLevel.choices,
            "kinds": AlertKind.choices,
            "order_statuses": OrderStatus.choices,
            "departments": Department.objects.order_by("sort_order", "name"),
            "filters": {
                "level": level,
                "kind": kind,
                "department": department_id,
                "order_status": order_status,
            },
            "department": department,
        },
    )


# ---------------------------------------------------------------- supervision orders


def _may_answer(user: User | AnonymousUser, order: SupervisionOrder) -> bool:
    return (
        has_role(user, Role.DEPARTMENT_HEAD)
        and user.is_authenticated
        and StaffProfile.objects.filter(user=user, departments=order.department_id).exists()
    )


@guarded
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A 督办单: read-only for supervisors and leaders; the department head of its department answers it."""
    order = get_object_or_404(
        SupervisionOrder.objects.select_related(
            "clock", "department", "case", "responsible__staff", "answered_by__staff", "alert"
        ),
        pk=pk,
    )
    may_answer = _may_answer(request.user, order)
    if not may_answer:
        require_role(
            request.user, *BOARD_ROLES, message="只有被督办部门的负责人、效能监察人员和领导可以查看此督办单。"
        )
    errors: dict[str, list[str]] = {}
    text = ""
    status_code = 200
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied("只有被督办部门的负责人可以答复督办单。")
        text = request.POST.get("text", "")
        try:
            answer_order(order, by=signed_in(request), text=text)
        except ValidationError as exc:
            errors, status_code = _errors(exc), 400
        else:
            messages.success(request, f"督办单 {order.number} 已答复。")
            return redirect("supervision:order", pk=order.pk)
    return render(
        request,
        "supervision/order.html",
        {
            "order": order,
            "status": clocks.status(order.clock),
            "addressees": order.addressees.select_related("staff").order_by("pk"),
            "can_answer": may_answer and order.answered_at is None,
            "errors": errors,
            "text": text,
        },
        status=status_code,
    )


# ---------------------------------------------------------------- accountability


@guarded
def accountability_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A 责任追究 record: supervisors decide it (type and decision); leaders read it."""
    _require(request, BOARD_ROLES, "只有效能监察人员和领导可以查看责任追究记录。")
    record = get_object_or_404(
        Accountability.objects.select_related("person__staff", "department", "order", "decided_by__staff"),
        pk=pk,
    )
    errors: dict[str, list[str]] = {}
    form = {"type": "", "decision": ""}
    status_code = 200
    if request.method == "POST":
        form = {"type": request.POST.get("type", ""), "decision": request.POST.get("decision", "")}
        try:
            decide_accountability(record, by=signed_in(request), type=form["type"], decision=form["decision"])
        except ValidationError as exc:
            errors, status_code = _errors(exc), 400
        else:
            messages.success(request, "责任追究决定已记录。")
            return redirect("supervision:accountability", pk=record.pk)
    return render(
        request,
        "supervision/accountability.html",
        {
            "record": record,
            "types": AccountabilityType.choices,
            "can_decide": has_role(request.user, Role.SUPERVISOR)
            and record.status == AccountabilityStatus.PENDING,
            "errors": errors,
            "form": form,
        },
        status=status_code,
    )


# ---------------------------------------------------------------- conduct file


@guarded
def staff_conduct(request: HttpRequest, pk: int) -> HttpResponse:
    """作风档案 of one staff member: supervisors and leaders only."""
    _require(request, BOARD_ROLES, "只有效能监察人员和领导可以查看作风档案")
    staff = get_object_or_404(StaffProfile.objects.select_related("user"), pk=pk)
    return render(request, "supervision/conduct.html", {"conduct": conduct_for(staff)})


# ---------------------------------------------------------------- manual 督办 and 催办


MANUAL_ACTS = {"order": "督办", "urge": "催办"}


def _manual_target(request: HttpRequest) -> dict[str, object]:
    """The case (by number), alert or department (by id) named in the query string or the form."""
    source = request.POST if request.method == "POST" else request.GET
    from govhall.cases.models import Case as CaseModel

    target: dict[str, object] = {}
    if source.get("case"):
        target["case"] = get_object_or_404(
            CaseModel.objects.select_related("department"), number=source["case"]
        )
    if source.get("alert"):
        pk = _int(source.get("alert"))
        target["alert"] = get_object_or_404(
            Alert.objects.select_related("case", "department", "responsible"), pk=pk
        )
    if source.get("department"):
        target["department"] = get_object_or_404(Department, pk=_int(source.get("department")))
    return target


@guarded
def manual(request: HttpRequest, act: str) -> HttpResponse:
    """人工督办 / 催办 from a case, an alert or a department: a supervisor writes the content (and, for 督办, the
    answer limit in working days); the action records it and reaches the department's heads."""
    if act not in MANUAL_ACTS:
        raise Http404("没有这个操作")
    title = MANUAL_ACTS[act]
    _require(request, (Role.SUPERVISOR,), f"只有效能监察人员可以{title}。")
    target = _manual_target(request)
    errors: dict[str, list[str]] = {}
    form = {"text": "", "days": str(escalation_policy().order_days)}
    status_code = 200
    if request.method == "POST":
        form = {"text": request.POST.get("text", ""), "days": request.POST.get("days", "")}
        try:
            if act == "order":
                order = issue_order(by=signed_in(request), content=form["text"], days=form["days"], **target)  # type: ignore[arg-type]
            else:
                record = urge(by=signed_in(request), text=form["text"], **target)  # type: ignore[arg-type]
        except ValidationError as exc:
            errors, status_code = _errors(exc), 400
            if "content" in errors:
                errors["text"] = errors.pop("content")
        else:
            if act == "order":
                messages.success(request, f"已发出督办单 {order.number}。")
                return redirect("supervision:order", pk=order.pk)
            messages.success(request, f"已催办 {record.department.name}（{record.recipients.count()} 人）。")
            return redirect("supervision:board")
    return render(
        request,
        "supervision/manual.html",
        {"act": act, "title": title, "target": target, "errors": errors, "form": form},
        status=status_code,
    )
