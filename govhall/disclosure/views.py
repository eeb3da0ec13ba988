"""Pages: the public disclosure catalog (browse, search, record by index number, annual report, request form,
progress with the sealed answer) and the officer's pages (requests and records). All writes go through actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from govhall.calendars.engine import local_date
from govhall.clocks.actions import status as clock_status
from govhall.core import throttle
from govhall.core.clock import now
from govhall.core.models import AuditEvent
from govhall.documents.actions import sealed_pdf
from govhall.org.access import department_ids, is_center_wide, role_required
from govhall.org.choices import Role
from govhall.org.models import Department

from . import actions, queries
from .api import count_public_request
from .choices import DisclosureCategory, NotProcessedReason, Validity, WithholdReason
from .forms import AnswerForm, InfoRequestForm, ProgressForm, RecordForm
from .models import DisclosureRecord
from .report import COLUMN_LABELS, COLUMNS, REMEDY_COLUMN_LABELS, REMEDY_LABELS, REQUEST_ROWS, annual_report

STAFF_ROLES = (Role.DISCLOSURE_OFFICER, Role.DEPARTMENT_HEAD, Role.CENTER_ADMIN, Role.SUPERVISOR, Role.LEADER)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"exception": message}, status=403)


def _errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --------------------------------------------------------------------------- public


def catalog(request: HttpRequest) -> HttpResponse:
    records = queries.public_records()
    organ = request.GET.get("organ", "")
    category = request.GET.get("category", "")
    q = request.GET.get("q", "").strip()[:100]
    if organ.isdigit():
        records = records.filter(organ_id=int(organ))
    if category in DisclosureCategory.values:
        records = records.filter(category=category)
    records = queries.search(records, q)
    page = Paginator(records, 20).get_page(request.GET.get("page"))
    organs = (
        Department.objects.filter(disclosure_records__status="published")
        .distinct()
        .order_by("sort_order", "name")
    )
    return render(
        request,
        "disclosure/catalog.html",
        {
            "page": page,
            "organs": organs,
            "categories": DisclosureCategory.choices,
            "organ": organ,
            "category": category,
            "q": q,
            "year": local_date(now()).year - 1,
        },
    )


def record_detail(request: HttpRequest, index_number: str) -> HttpResponse:
    record = get_object_or_404(queries.public_records(), index_number=index_number)
    return render(request, "disclosure/record.html", {"record": record})


def lookup(request: HttpRequest) -> HttpResponseBase:
    number = request.GET.get("index_number", "").strip()
    if number and queries.public_records().filter(index_number=number).exists():
        return redirect("disclosure:record", index_number=number)
    messages.error(request, f"未找到索引号为“{number}”的公开信息")
    return redirect("disclosure:catalog")


def annual_report_view(request: HttpRequest, year: int) -> HttpResponse:
    if not 2000 <= year <= 2100:
        raise Http404
    organ = None
    if request.GET.get("organ", "").isdigit():
        organ = get_object_or_404(Department, pk=int(request.GET["organ"]))
    figures = annual_report(year, organ)
    rows = [(row, [figures["requests"][row.key][c] for c in COLUMNS]) for row in REQUEST_ROWS]
    proactive = [
        (DisclosureCategory(k).label if k != "total" else "合计", v) for k, v in figures["proactive"].items()
    ]
    remedies = [
        (REMEDY_LABELS[k], [v[c] for c in REMEDY_COLUMN_LABELS]) for k, v in figures["remedies"].items()
    ]
    return render(
        request,
        "disclosure/report.html",
        {
            "figures": figures,
            "rows": rows,
            "columns": [COLUMN_LABELS[c] for c in COLUMNS],
            "proactive": proactive,
            "remedies": remedies,
            "remedy_columns": list(REMEDY_COLUMN_LABELS.values()),
        },
    )


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    form = InfoRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count_public_request(request)
            created = actions.file_request(by=None, channel="online", **form.cleaned_data)
        except throttle.Throttled as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return render(request, "disclosure/request_done.html", {"info": created})
    return render(request, "disclosure/request_form.html", {"form": form})


def _found(request: HttpRequest) -> Any:
    form = ProgressForm(request.GET or None)
    if not form.is_valid():
        return form, None
    number, code = form.cleaned_data["number"], form.cleaned_data["code"]
    try:
        found = throttle.guarded_lookup(request, number.strip(), lambda: queries.find_request(number, code))
    except throttle.Throttled as exc:
        form.add_error(None, exc.message)
        return form, None
    if found is None:
        form.add_error(None, "申请编号或查询码不正确")
    return form, found


def progress(request: HttpRequest) -> HttpResponse:
    form, found = _found(request)
    return render(request, "disclosure/progress.html", {"form": form, "info": found})


@require_http_methods(["POST"])
def clarify(request: HttpRequest) -> HttpResponseBase:
    """The requester's clarification online (《政府信息公开条例》第三十条), by number and check code."""
    number, code = request.POST.get("number", "").strip(), request.POST.get("code", "").strip()
    try:
        found = throttle.guarded_lookup(request, number, lambda: queries.find_request(number, code))
    except throttle.Throttled as exc:
        messages.error(request, exc.message)
        return redirect("disclosure:progress")
    if found is None:
        raise Http404
    try:
        actions.clarify_request(found, description=request.POST.get("description", ""))
        messages.success(request, "补正已提交，答复期限自今日起重新计算")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('disclosure:progress')}?number={found.number}&code={found.check_code}")


def answer_pdf(request: HttpRequest) -> HttpResponse:
    _, found = _found(request)
    if found is None or found.answer_document is None:
        raise Http404
    response = HttpResponse(sealed_pdf(found.answer_document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.number}.pdf"'
    return response


# --------------------------------------------------------------------------- staff


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@role_required(*STAFF_ROLES, forbidden=forbidden)
def staff_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organs = (
        Department.objects.all()
        if is_center_wide(user)
        else Department.objects.filter(pk__in=department_ids(user))
    )
    requests = queries.requests_for(user)
    return render(
        request,
        "disclosure/staff_home.html",
        {
            "open_requests": [
                (r, clock_status(r.clock) if r.clock else None)
                for r in requests.filter(status__in=("received", "clarifying", "consulting"))[:100]
            ],
            "answered": requests.filter(status="answered")[:30],
            "drafts": queries.records_for_staff(user).filter(status="draft")[:50],
            "records": queries.records_for_staff(user).exclude(status="draft")[:30],
            "organs": organs,
        },
    )


@role_required(Role.DISCLOSURE_OFFICER, forbidden=forbidden)
@require_http_methods(["GET", "POST"])
def staff_record_new(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    form = RecordForm(request.POST or None)
    form.fields["organ"].queryset = Department.objects.filter(pk__in=department_ids(user))  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        draft = data.pop("draft")
        try:
            if draft:
                record = actions.draft_record(actor=user, **data)
            else:
                record = actions.publish_record(actor=user, **data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"已{'登记' if draft else '公开'}：{record}")
            return redirect("disclosure:staff_record", pk=record.pk)
    return render(request, "disclosure/staff_record_new.html", {"form": form})


@role_required(*STAFF_ROLES, forbidden=forbidden)
@require_http_methods(["GET", "POST"])
def staff_record(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = _user(request)
    record: DisclosureRecord = get_object_or_404(queries.records_for_staff(user), pk=pk)
    if request.method == "POST":
        if not actions.is_officer(user, record.organ):
            raise PermissionDenied("只有本机关的政务公开专员可以操作")
        try:
            if request.POST.get("op") == "publish":
                actions.publish_draft(record, actor=user)
            elif request.POST.get("op") == "correct":
                changes = {
                    name: request.POST[name]
                    for name in ("title", "document_number", "summary", "validity")
                    if name in request.POST
                }
                actions.correct_record(record, actor=user, reason=request.POST.get("reason", ""), **changes)
            elif request.POST.get("op") == "withdraw":
                actions.withdraw_record(record, actor=user, reason=request.POST.get("reason", ""))
            messages.success(request, "已保存")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("disclosure:staff_record", pk=record.pk)
    history = AuditEvent.objects.filter(object_type="disclosure.disclosurerecord", object_id=str(record.pk))
    return render(
        request,
        "disclosure/staff_record.html",
        {"record": record, "history": history.order_by("created_at", "id"), "validities": Validity.choices},
    )


@role_required(*STAFF_ROLES, forbidden=forbidden)
@require_http_methods(["GET", "POST"])
def staff_request(request: HttpRequest, number: str) -> HttpResponseBase:
    user = _user(request)
    info = get_object_or_404(queries.requests_for(user), number=number)
    answer_form = AnswerForm(request.POST if request.POST.get("op") == "answer" else None)
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "answer":
                if answer_form.is_valid():
                    actions.answer_request(info, by=user, **answer_form.cleaned_data)
                    messages.success(request, "已答复，答复书已出具")
                    return redirect("disclosure:staff_request", number=number)
            elif op == "clarify":
                actions.request_clarification(info, by=user, items=request.POST.get("items", ""))
            elif op == "clarified":
                actions.clarify_request(info, by=user, description=request.POST.get("description", ""))
            elif op == "consult":
                actions.start_consultation(info, by=user, third_party=request.POST.get("third_party", ""))
            elif op == "consult_end":
                actions.end_consultation(info, by=user, opinion=request.POST.get("opinion", ""))
            elif op == "extend":
                actions.extend_request(info, by=user, reason=request.POST.get("reason", ""))
            if op != "answer":
                messages.success(request, "已保存")
                return redirect("disclosure:staff_request", number=number)
        except ValidationError as exc:
            if op == "answer":
                _errors(answer_form, exc)
            else:
                messages.error(request, "；".join(exc.messages))
                return redirect("disclosure:staff_request", number=number)
    return render(
        request,
        "disclosure/staff_request.html",
        {
            "info": info,
            "clock": clock_status(info.clock) if info.clock else None,
            "answer_form": answer_form,
            "withhold_reasons": WithholdReason.choices,
            "not_processed_reasons": NotProcessedReason.choices,
        },
    )
