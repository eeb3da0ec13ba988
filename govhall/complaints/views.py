"""Complaint pages: online submission and public progress for complainants; register, list and handling for staff."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from govhall.cases import form_tokens
from govhall.clocks.actions import status as clock_status
from govhall.core.auth import signed_in
from govhall.core.throttle import Throttled, guarded_lookup, lookup_failed, refuse_lookup_if_locked
from govhall.org.access import require_role
from govhall.org.choices import Role

from . import actions
from .choices import ComplaintChannel
from .forms import (
    AssignForm,
    ConcludeForm,
    FilterForm,
    InvestigateForm,
    OnlineComplaintForm,
    ProgressForm,
    RegisterComplaintForm,
)
from .models import Complaint

NOT_FOUND = "未找到该投诉，请核对投诉编号和查询码。"


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _submit(
    request: HttpRequest, form: forms.Form, channel: str, submission_key: str | None = None
) -> Complaint | None:
    """Receive the complaint; online, a case number with a wrong check code counts as a failed lookup (the form
    must not become a way round the progress page's throttle), and the form's token files it at most once."""
    data = form.cleaned_data
    number = data["case_number"].strip()  # add_error below drops it from cleaned_data
    guessable = channel == ComplaintChannel.ONLINE and bool(number)
    try:
        if guessable:
            refuse_lookup_if_locked(request, number)
        receive = actions.receive_complaint
        if submission_key is not None:

            def receive(**fields: Any) -> Complaint:
                return actions.receive_complaint_once(submission_key=submission_key, **fields)[0]

        return receive(
            channel=channel,
            by=request.user,
            complainant_name=data["complainant_name"],
            phone=data["phone"],
            content=data["content"],
            subject=data["subject"],
            case_number=data["case_number"],
            check_code=data["check_code"],
            anonymous=data["anonymous"],
            department=data["department"],
            staff=data.get("staff"),
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        if guessable and "case_number" in getattr(exc, "error_dict", {}):
            try:
                lookup_failed(request, number)
            except Throttled as locked:
                form.add_error(None, ValidationError(locked.message, code="throttled"))
        return None
    except Throttled as exc:
        form.add_error(None, ValidationError(exc.message, code="throttled"))
        return None


def _form_status(form: forms.Form) -> int:
    """429 when the form was refused by the lookup throttle, else 200."""
    return 429 if any(e.code == "throttled" for e in form.errors.as_data().get("__all__", [])) else 200


def _received(request: HttpRequest, complaint: Complaint, *, repeated: bool = False) -> HttpResponse:
    return render(request, "complaints/received.html", {"complaint": complaint, "repeated": repeated})


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """网上投诉: a logged-in user; a case is linked only with its check code."""
    token = form_tokens.new_token()
    if request.method == "POST":
        # The form's one-time token (as the apply forms'): a double click or reload shows the first complaint.
        key = form_tokens.posted_key(request)
        earlier = actions.earlier_complaint(request.user, key)
        if earlier is not None:
            return _received(request, earlier, repeated=True)
        form = OnlineComplaintForm(request.POST)
        if key is None:
            form.add_error(None, form_tokens.EXPIRED)  # nothing filed; the form comes back with a fresh token
        else:
            token = str(request.POST[form_tokens.TOKEN_FIELD])
            if form.is_valid():
                complaint = _submit(request, form, ComplaintChannel.ONLINE, submission_key=key)
                if complaint is not None:
                    return _received(request, complaint)
    else:
        form = OnlineComplaintForm()
    return render(
        request,
        "complaints/form.html",
        {"form": form, "title": "网上效能投诉", "submission_token": token},
        status=_form_status(form),
    )


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """现场/电话投诉登记 by a supervisor or window clerk."""
    require_role(
        request.user, Role.SUPERVISOR, Role.WINDOW_CLERK, message="只有效能监察人员和窗口工作人员可以登记投诉"
    )
    if request.method == "POST":
        form = RegisterComplaintForm(request.POST)
        if form.is_valid():
            complaint = _submit(request, form, form.cleaned_data["channel"])
            if complaint is not None:
                return _received(request, complaint)
    else:
        form = RegisterComplaintForm()
    return render(request, "complaints/form.html", {"form": form, "title": "现场/电话投诉登记"})


@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """Number plus check code; a wrong code reads exactly like an unknown number."""
    complaint: Complaint | None = None
    if request.method == "POST":
        form = ProgressForm(request.POST)
        if form.is_valid():
            number = form.cleaned_data["number"].strip().upper()
            matching = Complaint.objects.select_related("clock").filter(
                number=number, check_code=form.cleaned_data["check_code"]
            )
            try:
                complaint = guarded_lookup(request, f"投诉{number}", matching.first)
            except Throttled as exc:
                form.add_error(None, ValidationError(exc.message, code="throttled"))
            else:
                if complaint is None:
                    form.add_error(None, NOT_FOUND)
    else:
        form = ProgressForm()
    response = render(
        request,
        "complaints/progress.html",
        {"form": form, "complaint": complaint},
        status=_form_status(form) if request.method == "POST" else 200,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _require_supervisor(request: HttpRequest) -> None:
    require_role(request.user, Role.SUPERVISOR, message="只有效能监察人员可以查看效能投诉")


def complaint_list(request: HttpRequest) -> HttpResponse:
    _require_supervisor(request)
    form = FilterForm(request.GET or None)
    qs = Complaint.objects.select_related("clock", "department", "assigned_to__staff")
    if form.is_valid():
        d = form.cleaned_data
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["channel"]:
            qs = qs.filter(channel=d["channel"])
        if d["department"]:
            qs = qs.filter(department=d["department"])
        if d["q"]:
            qs = qs.filter(Q(number__icontains=d["q"]) | Q(subject__icontains=d["q"]))
    rows = [(c, clock_status(c.clock)) for c in qs[:200]]
    return render(request, "complaints/list.html", {"form": form, "rows": rows})


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, number: str) -> HttpResponse:
    _require_supervisor(request)
    complaint = get_object_or_404(
        Complaint.objects.select_related("clock", "case", "department", "staff", "assigned_to"), number=number
    )
    assign_form: forms.Form = AssignForm()
    investigate_form: forms.Form = InvestigateForm()
    conclude_form: forms.Form = ConcludeForm()
    if request.method == "POST":
        op = request.POST.get("op", "")
        bound: dict[str, Any] = {
            "assign": AssignForm,
            "investigate": InvestigateForm,
            "conclude": ConcludeForm,
        }
        if op not in bound:
            return HttpResponseBadRequest("未知操作")
        form = bound[op](request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if op == "assign":
                    actions.assign(complaint, by=signed_in(request), to=data["to"])
                    messages.success(request, "已交办")
                elif op == "investigate":
                    actions.start_investigation(complaint, by=signed_in(request), notes=data["notes"])
                    messages.success(request, "已记录调查情况")
                else:
                    actions.conclude(
                        complaint,
                        by=signed_in(request),
                        finding=data["finding"],
                        responsibility=data["responsibility"],
                        conclusion=data["conclusion"],
                    )
                    messages.success(request, "投诉已办结，已告知投诉人")
                return redirect("complaints:detail", number=complaint.number)
            except ValidationError as exc:
                _apply_errors(form, exc)
        if op == "assign":
            assign_form = form
        elif op == "investigate":
            investigate_form = form
        else:
            conclude_form = form
        status_code = 400
    else:
        status_code = 200
    context = {
        "complaint": complaint,
        "clock": clock_status(complaint.clock),
        "assign_form": assign_form,
        "investigate_form": investigate_form,
        "conclude_form": conclude_form,
    }
    return render(request, "complaints/detail.html", context, status=status_code)
