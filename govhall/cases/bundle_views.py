"""The applicant's side of 一件事 (bundles): the bundle list and guide, the combined online form, the applicant's
bundle page (one acceptance notice, one correction, one delivery) and the public progress by bundle number.

As in portal_views, every change goes through the bundle actions with the logged-in account as `by`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from govhall.catalog.choices import OnlineDepth
from govhall.catalog.models import Bundle
from govhall.core.auth import signed_in
from govhall.documents.models import Document

from . import form_tokens, pending
from .actions import submit_bundle, submit_bundle_correction
from .actions.idempotent import submit_once
from .bundles import bundle_items, bundle_materials, correction_list, group_status, members, published_bundles
from .choices import CaseStatus, Channel
from .forms import BundleApplyForm, BundleCorrectionForm, add_action_errors, initial_identity
from .models import Applicant, Case, CaseGroup
from .portal_common import LOGIN_URL, _current_steps, _deadline, _nav, mask_name
from .timeline import public_timeline


def _bundle(code: str) -> Bundle:
    bundle = published_bundles().filter(code=code).first()
    if bundle is None:
        raise Http404("一件事不存在或未发布")
    return bundle


def member_rows(cases: list[Case]) -> list[dict[str, Any]]:
    return [
        {
            "case": case,
            "status_color": CaseStatus.color_of(case.status),
            "current_steps": _current_steps(case) if case.is_open else [],
            "deadline": _deadline(case),
        }
        for case in cases
    ]


def merged_timeline(cases: list[Case]) -> list[dict[str, Any]]:
    """Every member's public timeline in one list, each entry naming its item."""
    rows = [{"item": case.item.name, "entry": entry} for case in cases for entry in public_timeline(case)]
    return sorted(rows, key=lambda row: row["entry"].at)


def bundle_list(request: HttpRequest) -> HttpResponse:
    bundles = [(b, bundle_items(b)) for b in published_bundles().order_by("code")]
    return render(request, "bundles/list.html", {"bundles": bundles, **_nav(request)})


def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle(code)
    items = bundle_items(bundle)
    return render(
        request,
        "bundles/guide.html",
        {
            "bundle": bundle,
            "items": items,
            "materials": bundle_materials(bundle, items),
            "online_ok": all(i.online_depth >= OnlineDepth.PREVIEW for i in items),
            **_nav(request),
        },
    )


@login_required(login_url=LOGIN_URL)
def bundle_apply(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle(code)
    me = signed_in(request)
    if request.method == "POST":
        key = form_tokens.posted_key(request)
        earlier = form_tokens.earlier_case(me, key)
        if earlier is not None:
            return form_tokens.already_submitted(request, earlier)
        token, kept = pending.kept_files(request)
        form = BundleApplyForm(request.POST, request.FILES, bundle=bundle, kept=kept)
        if key is None:
            # No protection against a double submit without the token: refuse, nothing is created.
            form = BundleApplyForm(form_tokens.with_fresh_token(request), bundle=bundle)
            form.add_error(None, form_tokens.EXPIRED)
        elif form.is_valid():
            try:
                first, created = submit_once(
                    key=key,
                    by=me,
                    create=lambda: members(
                        submit_bundle(
                            bundle=bundle,
                            applicant=form.applicant(),
                            channel=Channel.ONLINE,
                            by=me,
                            form_data=form.form_data(),
                            uploads=form.uploads(),
                        )
                    )[0],  # the key is stored on the bundle's first member (as the API does)
                )
                if not created:
                    pending.drop(me.pk, token)
                    return form_tokens.already_submitted(request, first)
                group = first.group
                assert group is not None
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "无权提交该申请")
            except ValidationError as exc:
                add_action_errors(
                    form,
                    exc,
                    {
                        "channel": "__all__",
                        "materials": "__all__",
                        "bundle": "__all__",
                        "form_data": "__all__",
                    },
                )
            else:
                pending.drop(me.pk, token)
                messages.success(
                    request,
                    f"申请已提交。联办编号 {group.number}，查询码 {group.check_code}（请妥善保存，可用于查询办理进度）。",
                )
                return redirect("cases_portal:my_bundle", number=group.number)
        if key is not None:
            pending.keep_files(request, token, form)
    else:
        applicants = Applicant.objects.filter(user=me).order_by("-updated_at")
        identity = initial_identity(applicants, getattr(me, "staff", None), me)
        initial = {**identity, form_tokens.TOKEN_FIELD: form_tokens.new_token()}
        form = BundleApplyForm(bundle=bundle, initial=initial)
        form.prefill(identity)
    return render(request, "bundles/apply.html", {"bundle": bundle, "form": form, **_nav(request)})


def _my_group(request: HttpRequest, number: str) -> CaseGroup:
    me = signed_in(request)
    group = (
        CaseGroup.objects.filter(number=number, applicant__user=me)
        .select_related("bundle__lead_department", "applicant")
        .first()
    )
    if group is None:
        raise Http404("一件事联办不存在")
    return group


def _my_context(request: HttpRequest, group: CaseGroup, **extra: Any) -> dict[str, Any]:
    cases = members(group)
    status = group_status(group, cases)
    listed = correction_list(cases)
    correction_form = extra.pop("correction_form", None)
    if correction_form is None and listed:
        correction_form = BundleCorrectionForm(listed=listed)
    return {
        "group": group,
        "status": status,
        "rows": member_rows(cases),
        "timeline": merged_timeline(cases),
        "documents": Document.objects.filter(case_number=group.number).order_by("issued_at", "pk"),
        "correction_form": correction_form,
        **_nav(request),
        **extra,
    }


@login_required(login_url=LOGIN_URL)
def my_bundle(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "bundles/my_bundle.html", _my_context(request, _my_group(request, number)))


@login_required(login_url=LOGIN_URL)
@require_POST
def my_bundle_correction(request: HttpRequest, number: str) -> HttpResponse:
    group = _my_group(request, number)
    listed = correction_list(members(group))
    if not listed:
        messages.error(request, "该一件事当前无需补正材料。")
        return redirect("cases_portal:my_bundle", number=group.number)
    form = BundleCorrectionForm(request.POST, request.FILES, listed=listed)
    if form.is_valid():
        try:
            submit_bundle_correction(group, by=signed_in(request), uploads=form.uploads())
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_action_errors(form, exc, {"materials": "__all__"})
        else:
            messages.success(request, "补正材料已提交。")
            return redirect("cases_portal:my_bundle", number=group.number)
    return render(request, "bundles/my_bundle.html", _my_context(request, group, correction_form=form))


@login_required(login_url=LOGIN_URL)
def my_bundle_document(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    from govhall.documents.actions import sealed_pdf

    group = _my_group(request, number)
    document = Document.objects.filter(case_number=group.number, pk=pk).first()
    if document is None:
        raise Http404("文书不存在")
    response = HttpResponse(sealed_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{group.number}-{document.title}.pdf") or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def progress_context(group: CaseGroup) -> dict[str, Any]:
    """The public progress of a bundle, for the progress page (the number and check code were right)."""
    cases = members(group)
    return {
        "group": group,
        "status": group_status(group, cases),
        "applicant_name": mask_name(group.applicant_name, group.applicant.kind),
        "rows": member_rows(cases),
        "timeline": merged_timeline(cases),
    }
