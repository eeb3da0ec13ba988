"""The applicant's side of a case (online application, my cases, correction, withdrawal, notices) and the public
progress query by case number and check code.

Every change goes through the case actions with the logged-in account as `by`; these views only collect input,
show the actions' Chinese errors next to the fields, and present the case in public-friendly terms: action names
in Chinese and staff shown by role, never by name or account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from govhall.catalog.choices import OnlineDepth
from govhall.catalog.formfields import labelled
from govhall.catalog.models import ServiceItem
from govhall.catalog.queries import published_guide, published_items
from govhall.clocks.actions import ClockStatus
from govhall.clocks.actions import status as clock_status
from govhall.core.auth import signed_in
from govhall.core.throttle import Throttled, guarded_lookup
from govhall.documents.choices import DocumentKind
from govhall.documents.models import Document

from . import form_tokens, pending
from .access import find_by_check_code, find_group_by_check_code
from .actions import submit_application, submit_correction, withdraw_case
from .actions.idempotent import submit_once
from .bundle_views import progress_context
from .choices import CaseStatus, Channel
from .forms import ApplyForm, CorrectionForm, ProgressForm, WithdrawForm, add_action_errors, initial_identity
from .models import Applicant, Case, CaseMaterial, CorrectionNotice
from .portal_common import LOGIN_URL, _current_steps, _deadline, _nav, case_panels, mask_name
from .timeline import public_timeline

PAGE_SIZE = 20
NOT_FOUND = "未找到该办件，请核对办件编号和查询码。"
WITHDRAWABLE = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED)


def _light(case: Case) -> ClockStatus | None:
    """The light the applicant sees: the promised limit once accepted, the 5-day intake limit before."""
    if case.status in (CaseStatus.NOT_ACCEPTED, CaseStatus.REDIRECTED, CaseStatus.WITHDRAWN):
        return None
    clock = case.clock or case.intake_clock
    return clock_status(clock) if clock is not None else None


def _documents(case: Case) -> QuerySet[Document]:
    return Document.objects.filter(case_number=case.number).order_by("issued_at", "pk")


def _my_cases(request: HttpRequest) -> QuerySet[Case]:
    me = signed_in(request)  # login_required: never anonymous here
    return Case.objects.filter(applicant__user=me)


def _my_case(request: HttpRequest, number: str) -> Case:
    """The case if it is the logged-in account's own application; 404 otherwise (whether or not it exists)."""
    case = (
        _my_cases(request)
        .select_related("item", "department", "applicant", "clock", "intake_clock", "legal_clock")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404("办件不存在")
    return case


# --- online application ---------------------------------------------------------------------------------------


@login_required(login_url=LOGIN_URL)
def apply(request: HttpRequest, impl_code: str) -> HttpResponse:
    item = published_guide(impl_code)
    if item is None:
        raise Http404("事项不存在或未发布")
    me = signed_in(request)
    if request.method == "POST":
        key = form_tokens.posted_key(request)
        earlier = form_tokens.earlier_case(me, key)
        if earlier is not None:
            return form_tokens.already_submitted(request, earlier)
        token, kept = pending.kept_files(request)
        form = ApplyForm(request.POST, request.FILES, item=item, kept=kept)
        if key is None:
            # No protection against a double submit without the token: refuse, nothing is created.
            form = ApplyForm(form_tokens.with_fresh_token(request), item=item)
            form.add_error(None, form_tokens.EXPIRED)
        elif form.is_valid():
            try:
                case, created = submit_once(
                    key=key,
                    by=me,
                    create=lambda: submit_application(
                        item=item,
                        applicant=form.applicant(),
                        channel=Channel.ONLINE,
                        by=me,
                        form_data=form.form_data(),
                        uploads=form.uploads(),
                    ),
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "无权提交该申请")
            except ValidationError as exc:
                add_action_errors(
                    form, exc, {"channel": "__all__", "materials": "__all__", "form_data": "__all__"}
                )
            else:
                pending.drop(me.pk, token)
                if not created:
                    return form_tokens.already_submitted(request, case)
                messages.success(
                    request,
                    f"申请已提交。办件编号 {case.number}，查询码 {case.check_code}（请妥善保存，可用于查询办理进度）。",
                )
                return redirect("cases_portal:my_case", number=case.number)
        if key is not None:
            pending.keep_files(request, token, form)
    else:
        applicants = Applicant.objects.filter(user=me).order_by("-updated_at")
        profile = getattr(request.user, "staff", None)
        identity = initial_identity(applicants, profile, me)
        form = ApplyForm(item=item, initial={**identity, form_tokens.TOKEN_FIELD: form_tokens.new_token()})
        form.prefill(identity)
    return render(
        request,
        "cases/apply.html",
        {
            "item": item,
            "form": form,
            "online_ok": item.online_depth >= OnlineDepth.PREVIEW,
            **_nav(request),
        },
    )


# --- my cases ---------------------------------------------------------------------------------------------------


def _online_items(query: str) -> list[ServiceItem]:
    from govhall.catalog.search import search_items

    items = published_items().filter(online_depth__gte=OnlineDepth.PREVIEW)
    return list(search_items(items, query)[:20]) if query else []


@login_required(login_url=LOGIN_URL)
def my_cases(request: HttpRequest) -> HttpResponse:
    cases = (
        _my_cases(request)
        .select_related("item", "department", "clock", "intake_clock")
        .order_by("-received_at", "-pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"case": case, "light": _light(case), "status_color": CaseStatus.color_of(case.status)}
        for case in page.object_list
    ]
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "cases/my_cases.html",
        {"page": page, "rows": rows, "query": query, "online_items": _online_items(query), **_nav(request)},
    )


def _detail_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    notice = CorrectionNotice.objects.filter(case=case).first()
    correction_form = extra.pop("correction_form", None)
    if correction_form is None and notice is not None and case.status == CaseStatus.CORRECTION:
        correction_form = CorrectionForm(case=case, notice=notice)
    return {
        "case": case,
        "status_color": CaseStatus.color_of(case.status),
        "light": _light(case),
        "deadline": _deadline(case),
        "current_steps": _current_steps(case) if case.is_open else [],
        "timeline": public_timeline(case),
        "notice": notice,
        "correction_form": correction_form,
        "withdraw_form": extra.pop("withdraw_form", None) or WithdrawForm(),
        "can_withdraw": case.status in WITHDRAWABLE,
        "materials": CaseMaterial.objects.filter(case=case).order_by("uploaded_at", "pk"),
        "form_entries": labelled(case.item.form_fields.all(), case.form_data or {}),
        "documents": _documents(case),
        "panels": case_panels(request, case),
        **_nav(request),
        **extra,
    }


@login_required(login_url=LOGIN_URL)
def my_case(request: HttpRequest, number: str) -> HttpResponse:
    case = _my_case(request, number)
    return render(request, "cases/my_case.html", _detail_context(request, case))


@login_required(login_url=LOGIN_URL)
@require_POST
def correction(request: HttpRequest, number: str) -> HttpResponse:
    case = _my_case(request, number)
    notice = CorrectionNotice.objects.filter(case=case).first()
    if notice is None or case.status != CaseStatus.CORRECTION:
        messages.error(request, "该办件当前无需补正材料。")
        return redirect("cases_portal:my_case", number=case.number)
    form = CorrectionForm(request.POST, request.FILES, case=case, notice=notice)
    if form.is_valid():
        try:
            case = submit_correction(case, by=signed_in(request), uploads=form.uploads())
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_action_errors(form, exc, {"materials": "__all__"})
        else:
            if case.status == CaseStatus.CORRECTION:
                messages.warning(request, "已收到您提交的材料，仍有材料需要补正，请继续上传。")
            else:
                messages.success(request, "补正材料已齐全，办件已恢复办理。")
            return redirect("cases_portal:my_case", number=case.number)
    context = _detail_context(request, case, correction_form=form)
    return render(request, "cases/my_case.html", context)


@login_required(login_url=LOGIN_URL)
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    case = _my_case(request, number)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            withdraw_case(case, by=signed_in(request), reason=form.cleaned_data["reason"].strip())
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            # A refusal concerns the case's state, not the form: shown above the page, where it stays visible
            # even when the withdraw section is no longer offered.
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "申请已撤回，办件终止办理。")
        return redirect("cases_portal:my_case", number=case.number)
    return render(request, "cases/my_case.html", _detail_context(request, case, withdraw_form=form))


@login_required(login_url=LOGIN_URL)
def document(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    from govhall.documents.actions import sealed_pdf

    case = _my_case(request, number)
    doc = _documents(case).filter(pk=pk).first()
    if doc is None:
        raise Http404("文书不存在")
    pdf = sealed_pdf(doc)
    response = HttpResponse(pdf, content_type="application/pdf")
    # A licence is named by itself (食品经营许可证), other notices by their kind.
    certificate = doc.kind == DocumentKind.CERTIFICATE
    kind = doc.title if certificate or doc.kind not in DocumentKind.values else DocumentKind(doc.kind).label
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{case.number}-{kind}.pdf") or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- public progress query ----------------------------------------------------------------------------------------


def progress(request: HttpRequest) -> HttpResponse:
    """Anyone with the number and check code sees the progress; a wrong code reads exactly like an unknown number.

    Wrong codes are counted per number and per address (core.throttle): guessing is refused with a 429."""
    case: Case | None = None
    status = 200
    if request.method == "POST":
        form = ProgressForm(request.POST)
        if form.is_valid():
            number, code = form.cleaned_data["number"], form.cleaned_data["check_code"]
            try:
                # 一件事: a number starting with L is a bundle's, one number for all its cases.
                group = (
                    guarded_lookup(request, number, lambda: find_group_by_check_code(number, code))
                    if number.startswith("L")
                    else None
                )
                if group is not None:
                    response = render(
                        request,
                        "bundles/progress.html",
                        {"form": form, **progress_context(group), **_nav(request)},
                    )
                    response["Cache-Control"] = "private, no-store"
                    return response
                if not number.startswith("L"):
                    case = guarded_lookup(request, number, lambda: find_by_check_code(number, code))
            except Throttled as exc:
                form.add_error(None, exc.message)
                status = 429
            else:
                if case is None:
                    form.add_error(None, NOT_FOUND)
    else:
        form = ProgressForm()
    context: dict[str, Any] = {
        "form": form,
        "case": case,
        "check_code_digits": settings.GOVHALL_CHECK_CODE_DIGITS,
        **_nav(request),
    }
    if case is not None:
        context.update(
            applicant_name=mask_name(case.applicant_name, case.applicant.kind),
            status_color=CaseStatus.color_of(case.status),
            deadline=_deadline(case),
            light=_light(case),
            current_steps=_current_steps(case) if case.is_open else [],
            timeline=public_timeline(case),
        )
    response = render(request, "cases/progress.html", context, status=status)
    # The answer is personal data behind a secret: never cached by a shared kiosk or proxy.
    response["Cache-Control"] = "private, no-store"
    return response
