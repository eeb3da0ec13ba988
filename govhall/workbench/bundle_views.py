"""The workbench side of 一件事 (bundles): the window intake of a bundle (one form, each shared material once),
and the bundle page with its one intake decision (accept all / one correction notice / refuse), the correction
handed in at the window, and the one delivery when every member is concluded.

Member cases keep their own case pages, where their departments handle them in parallel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from govhall.cases import actions as case_actions
from govhall.cases.access import access_group
from govhall.cases.bundles import (
    correction_list,
    deliverable,
    form_materials,
    group_status,
    members,
    published_bundles,
)
from govhall.cases.choices import BundleStatus, CaseStatus
from govhall.cases.models import CaseGroup
from govhall.cases.uploads import Upload
from govhall.clocks.actions import status
from govhall.core.auth import signed_in
from govhall.documents.models import Document
from govhall.org.access import has_role
from govhall.org.choices import Role

from . import forms as wb
from . import staging
from .casepage import Alert
from .views import _alert_for, intake_channel, receive, staff_view


@dataclass(frozen=True)
class BundleAction:
    name: str
    title: str
    button: str
    make: Callable[[CaseGroup, Any, Any], forms.Form]
    run: Callable[[User, CaseGroup, Any], str]
    error_fields: dict[str, str]
    danger: bool = False
    multipart: bool = False


def _accept(user: User, group: CaseGroup, form: Any) -> str:
    case_actions.accept_bundle(group, by=user)
    return "整件事已受理，已出具一份受理通知书，各事项已分送有关部门并联办理。"


def _correction(user: User, group: CaseGroup, form: Any) -> str:
    case_actions.request_bundle_correction(
        group, by=user, missing=form.missing(), note=form.cleaned_data["note"]
    )
    return "已出具一份一次性补正告知书。"


def _refuse(user: User, group: CaseGroup, form: Any) -> str:
    data = form.cleaned_data
    case_actions.refuse_bundle(group, by=user, reasons=data["reasons"], remedies=data["remedies"])
    return "已作出不予受理决定，并出具决定书。"


def _submit_correction(user: User, group: CaseGroup, form: Any) -> str:
    case_actions.submit_bundle_correction(group, by=user, uploads=form.uploads)
    waiting = any(c.status == CaseStatus.CORRECTION for c in members(group))
    return "已收到补正材料，但告知书所列材料尚未补齐。" if waiting else "补正材料已齐全，可以作出受理决定。"


def _deliver(user: User, group: CaseGroup, form: Any) -> str:
    case_actions.deliver_bundle(group, by=user, method=form.cleaned_data["method"])
    return "已一次送达整件事的办理结果。"


ACTIONS: dict[str, BundleAction] = {
    a.name: a
    for a in (
        BundleAction(
            "accept",
            "全部受理",
            "受理整件事",
            lambda g, d, f: wb.AcceptForm(d, f, prefix="accept"),
            _accept,
            {},
        ),
        BundleAction(
            "correction",
            "一次性告知补正",
            "出具补正告知书",
            lambda g, d, f: wb.BundleCorrectionRequestForm(d, f, prefix="correction", bundle=g.bundle),
            _correction,
            {"missing": "materials"},
        ),
        BundleAction(
            "submit_correction",
            "提交补正材料",
            "提交补正材料",
            lambda g, d, f: wb.SubmitCorrectionForm(
                d, f, prefix="submit_correction", listed=correction_list(members(g))
            ),
            _submit_correction,
            {"materials": "extra"},
            multipart=True,
        ),
        BundleAction(
            "refuse",
            "不予受理",
            "不予受理",
            lambda g, d, f: wb.RefuseApplicationForm(d, f, prefix="refuse"),
            _refuse,
            {},
            danger=True,
        ),
        BundleAction(
            "deliver",
            "一次送达",
            "确认送达",
            lambda g, d, f: wb.DeliverForm(d, f, prefix="deliver"),
            _deliver,
            {},
        ),
    )
}


def available(
    user: User, group: CaseGroup, state: BundleStatus, has_notice: bool, can_deliver: bool
) -> list[str]:
    intake = has_role(user, Role.WINDOW_CLERK) or has_role(user, Role.APPROVER)
    window = has_role(user, Role.WINDOW_CLERK) or has_role(user, Role.AGENT)
    names: list[str] = []
    if state == BundleStatus.SUBMITTED and intake:
        names.append("accept")
        if not has_notice:
            names.append("correction")
    if state == BundleStatus.CORRECTION and window:
        names.append("submit_correction")
    if state in (BundleStatus.SUBMITTED, BundleStatus.CORRECTION) and intake:
        names.append("refuse")
    if can_deliver and window:
        names.append("deliver")
    return names


def _render(
    request: HttpRequest,
    number: str,
    *,
    bound: dict[str, forms.Form] | None = None,
    alert: Alert | None = None,
    status_code: int = 200,
) -> HttpResponse:
    user = signed_in(request)
    group = access_group(user, number)
    cases = members(group)
    state = group_status(group, cases)
    has_notice = any(hasattr(c, "correction") for c in cases)
    names = available(user, group, state, has_notice, deliverable(group, cases))
    for name in bound or {}:
        if name not in names:
            names.append(name)
    rows = []
    for case in cases:
        clock = case.clock if case.clock is not None else case.intake_clock
        rows.append({"case": case, "status": status(clock) if clock is not None and case.is_open else None})
    missing = [
        (case.item.name, m.name)
        for case in cases
        if case.status == CaseStatus.SUBMITTED
        for m in case_actions.missing_materials(case)
    ]
    context = {
        "group": group,
        "state": state,
        "rows": rows,
        "missing": missing,
        "correction": correction_list(cases),
        "documents": list(Document.objects.filter(case_number=group.number).order_by("issued_at", "pk")),
        "action_forms": [
            (ACTIONS[n], (bound or {}).get(n) or ACTIONS[n].make(group, None, None)) for n in names
        ],
        "alert": alert,
    }
    return render(request, "workbench/bundle_detail.html", context, status=status_code)


@staff_view()
def bundle_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render(request, number)


@require_POST
@staff_view()
def bundle_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    group = access_group(request.user, number)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个操作")
    form = spec.make(group, request.POST, request.FILES)
    if form.is_valid():
        try:
            message = spec.run(signed_in(request), group, form)
        except ValidationError as exc:
            wb.apply_errors(form, exc, spec.error_fields)
            return _render(request, number, bound={action: form}, alert=_alert_for(exc, spec.title))
        messages.success(request, message)
        return redirect("workbench:bundle", number=group.number)
    alert = Alert("error", f"{spec.title}未完成", ["请按提示修改后重新提交。"])
    return _render(request, number, bound={action: form}, alert=alert)


@staff_view()
def bundle_document(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    from govhall.documents.actions import sealed_pdf

    group = access_group(request.user, number)
    document = get_object_or_404(Document, pk=pk, case_number=group.number)
    response = HttpResponse(sealed_pdf(document), content_type="application/pdf")
    disposition = content_disposition_header(False, f"{document.title}-{document.number}.pdf")
    if disposition:
        response["Content-Disposition"] = disposition
    return response


@staff_view(Role.WINDOW_CLERK, Role.AGENT)
def bundle_intake(request: HttpRequest, code: str) -> HttpResponse:
    bundle = published_bundles().filter(code=code).first()
    if bundle is None:
        raise Http404("一件事不存在或未发布")
    rows = form_materials(bundle)
    materials = [material for material, _ in rows]
    shared = {material.pk: entry.items for material, entry in rows if entry.shared}

    def show(form: wb.IntakeForm) -> HttpResponse:
        for material_id, items in shared.items():
            field = form.fields[f"material_{material_id}"]
            field.help_text = f"{field.help_text}；{'、'.join(items)}共用，只需提交一次"
        context = {"bundle": bundle, "items": list(bundle.items.order_by("bundle_entries__order"))}
        return render(request, "workbench/bundle_intake.html", {**context, "form": form})

    if request.method != "POST":
        staging.purge_stale()
        return show(wb.IntakeForm(materials=materials, initial={"staging": staging.new_token(request)}))

    def submit(form: wb.IntakeForm, uploads: list[Upload]) -> tuple[str, str]:
        group = case_actions.submit_bundle(
            bundle=bundle,
            applicant=form.applicant or form.applicant_data(),
            channel=intake_channel(request),
            by=signed_in(request),
            form_data=form.cleaned_data["form_text"],
            uploads=uploads,
        )
        return group.number, f"已收件：联办编号 {group.number}，查询码 {group.check_code}。"

    outcome = receive(request, materials, submit)
    return outcome if isinstance(outcome, HttpResponse) else show(outcome)
