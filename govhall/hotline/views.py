"""Hotline pages: the operator's desk (list, new work order, dispatch, call-back), the department's answer page and
the monthly rates. Reads go through `hotline.access`, writes through `hotline.actions`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from govhall.calendars.engine import local_date
from govhall.clocks.actions import status as clock_status
from govhall.core.auth import signed_in
from govhall.core.clock import now
from govhall.org.access import department_ids

from . import access, actions
from .forms import (
    AnswerForm,
    CallbackForm,
    DispatchForm,
    FilterForm,
    MonthForm,
    NewOrderForm,
    ReturnForm,
    TransferForm,
)
from .limits import limit_text
from .rates import monthly_rates

View = Callable[..., HttpResponseBase]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"exception": message}, status=403)


def guarded(view: View) -> View:
    """Logged in (else the login page); a PermissionDenied is the Chinese 403 page with its message."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, str(exc) or "您无权查看此页面。")

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _require_access(request: HttpRequest) -> None:
    if not (access.sees_all(request.user) or access.is_department_staff(request.user)):
        raise PermissionDenied("此页面需要“热线话务员”角色，或工单承办部门的工作人员。")


@guarded
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """The operator's desk: new work order form and the list; a department's staff see their own orders."""
    _require_access(request)
    operator = access.is_operator(request.user)
    new_form = NewOrderForm()
    status_code = 200
    if request.method == "POST":
        if not operator:
            raise PermissionDenied("只有12345热线话务员可以登记热线工单")
        new_form = NewOrderForm(request.POST)
        if new_form.is_valid():
            data = new_form.cleaned_data
            try:
                order = actions.record_order(by=signed_in(request), **data)
            except ValidationError as exc:
                _apply_errors(new_form, exc)
            else:
                messages.success(request, f"已登记工单 {order.number}，请派单")
                return redirect("hotline:detail", number=order.number)
        status_code = 400
    filters = FilterForm(request.GET or None)
    qs = access.orders_for(request.user)
    if filters.is_valid():
        d = filters.cleaned_data
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["category"]:
            qs = qs.filter(category=d["category"])
        if d["q"]:
            qs = qs.filter(Q(number__icontains=d["q"]) | Q(subject__icontains=d["q"]))
    at = now()
    rows = [(o, clock_status(o.clock, at)) for o in qs[:200]]
    context = {"form": new_form, "filters": filters, "rows": rows, "operator": operator}
    return render(request, "hotline/home.html", context, status=status_code)


@guarded
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, number: str) -> HttpResponse:
    _require_access(request)
    order = get_object_or_404(access.orders_for(request.user), number=number)
    bound: dict[str, type[forms.Form]] = {
        "dispatch": DispatchForm,
        "return": ReturnForm,
        "answer": AnswerForm,
        "callback": CallbackForm,
        "transfer": TransferForm,
    }
    forms_: dict[str, forms.Form] = {op: cls() for op, cls in bound.items()}
    status_code = 200
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op not in bound:
            return HttpResponseBadRequest("未知操作")
        form = bound[op](request.POST)
        forms_[op] = form
        if form.is_valid():
            data = form.cleaned_data
            user = signed_in(request)
            try:
                if op == "dispatch":
                    actions.dispatch(order, by=user, department=data["department"], reason=data["reason"])
                    messages.success(request, f"已派单至{data['department']}")
                elif op == "return":
                    actions.return_order(order, by=user, reason=data["reason"])
                    messages.success(request, "已退单")
                elif op == "answer":
                    actions.answer(order, by=user, text=data["text"])
                    messages.success(request, "已答复")
                elif op == "callback":
                    actions.call_back(
                        order,
                        by=user,
                        reached=data["reached"],
                        solved=data["solved"],
                        satisfaction=data["satisfaction"],
                        note=data["note"],
                    )
                    messages.success(request, "已记录回访，工单办结")
                else:
                    complaint = actions.transfer_to_complaint(
                        order, by=user, department=data["department"], reason=data["reason"]
                    )
                    messages.success(request, f"已转为效能投诉 {complaint.number}")
                return redirect("hotline:detail", number=order.number)
            except ValidationError as exc:
                _apply_errors(form, exc)
        status_code = 400
    operator = access.is_operator(request.user)
    department_staff = order.department_id is not None and order.department_id in department_ids(request.user)
    context = {
        "order": order,
        "clock": clock_status(order.clock),
        "limit": limit_text(order.category, order.urgency),
        "events": order.events.select_related("actor__staff", "department"),
        "forms": forms_,
        "operator": operator,
        "department_staff": department_staff and access.is_department_staff(request.user),
    }
    return render(request, "hotline/detail.html", context, status=status_code)


@guarded
def rates(request: HttpRequest) -> HttpResponse:
    """响应率, 解决率, 满意率 per department for one month (default: this month)."""
    if not access.may_see_rates(request.user):
        raise PermissionDenied("此页面需要“热线话务员”、中心管理或监察角色，或部门工作人员。")
    form = MonthForm(request.GET or None)
    today = local_date(now())
    month = date(today.year, today.month, 1)
    status_code = 200
    if form.is_valid() and form.cleaned_data.get("month"):
        year, mon = form.cleaned_data["month"].split("-")
        month = date(int(year), int(mon), 1)
    elif form.is_bound and not form.is_valid():
        status_code = 400
    rows = monthly_rates(month, orders=access.orders_for(request.user))
    context = {"form": form, "rows": rows, "month": f"{month:%Y-%m}"}
    return render(request, "hotline/rates.html", context, status=status_code)
