"""The staff workbench: home, window intake, the case page with its action forms, the task list and the case list.

Every read goes through the scoped helpers of govhall.cases.access (a case the user may not see is a 404), every
change through a case action (which checks roles and departments again: a refusal there is a 403 page)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from govhall.calendars import engine
from govhall.cases import actions as case_actions
from govhall.cases.access import access_case, tasks_for
from govhall.cases.actions import OutOfProcedure, TaskConflict
from govhall.cases.bundles import published_bundles
from govhall.cases.choices import Channel
from govhall.cases.models import Case, TaskAttachment
from govhall.cases.uploads import CONTENT_TYPES, Upload
from govhall.catalog.queries import published_guide, published_items
from govhall.catalog.search import search_items
from govhall.clocks.actions import status
from govhall.core.auth import signed_in
from govhall.core.clock import now
from govhall.documents.models import Document
from govhall.notifications.actions import mark_all_read, unread_for
from govhall.org.access import role_required, user_roles
from govhall.org.choices import Role
from govhall.queueing import actions as queue_actions
from govhall.workflow import engine as wf

from . import casepage, casesearch, homes, staging
from .forms import (
    INTAKE_ERROR_FIELDS,
    PAGE_SIZE,
    IntakeForm,
    ItemSearchForm,
    apply_errors,
)

if TYPE_CHECKING:
    pass

LOGIN_URL = "/accounts/login/"
INTAKE_DONE_KEY = "workbench_intake_done"
TASK_ROLES = (Role.WINDOW_CLERK, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.AGENT)

View = Callable[..., HttpResponseBase]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "workbench/403.html", {"message": message}, status=403)


def staff_view(*roles: Role) -> Callable[[View], View]:
    """Logged in (else to the login page), holding one of `roles` (any staff role when none is named), and a
    PermissionDenied from a case action shown as a Chinese 403 page."""
    return role_required(*roles, forbidden=forbidden, login_url=LOGIN_URL)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _case_url(case: Case | str) -> str:
    number = case if isinstance(case, str) else case.number
    return reverse("workbench:case", args=[number])


# -- home ------------------------------------------------------------------------------------------------------


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    """The role's home: a panel of work for each role the user holds (govhall.workbench.homes)."""
    user = signed_in(request)
    unread = unread_for(user)
    context = {
        "panels": homes.panels_for(user, now()),
        "unread_count": unread.count(),
        "unread": list(unread[:10]),
    }
    return render(request, "workbench/home.html", context)


@require_POST
@staff_view()
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(signed_in(request))
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("workbench:home")


# -- intake ----------------------------------------------------------------------------------------------------


@staff_view(Role.WINDOW_CLERK, Role.AGENT)
def intake_search(request: HttpRequest) -> HttpResponse:
    form = ItemSearchForm(request.GET or None)
    query = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    items = published_items()
    if query:
        items = search_items(items, query)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query, "bundles": published_bundles().order_by("code")}
    template = "workbench/_intake_results.html" if _is_htmx(request) else "workbench/intake_search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_view(Role.WINDOW_CLERK, Role.AGENT)
def intake(request: HttpRequest, impl_code: str) -> HttpResponse:
    item = published_guide(impl_code)
    if item is None:
        raise Http404("事项不存在或未发布")
    materials = list(item.materials.all())
    # The queue ticket the clerk is serving (叫号后开始办理): the case received now becomes its case.
    serving = queue_actions.serving_ticket(signed_in(request))
    if request.method != "POST":
        staging.purge_stale()
        form = IntakeForm(materials=materials, initial={"staging": staging.new_token(request)})
        return render(
            request, "workbench/intake_form.html", {"item": item, "form": form, "serving_ticket": serving}
        )

    def submit(form: IntakeForm, uploads: list[Upload]) -> tuple[str, str]:
        with transaction.atomic():
            case = case_actions.submit_application(
                item=item,
                applicant=form.applicant or form.applicant_data(),
                # A village agent (代办员) hands in the application for the applicant; a window takes it itself.
                channel=intake_channel(request),
                by=signed_in(request),
                form_data=form.cleaned_data["form_text"],
                uploads=uploads,
                appointment_at=form.appointment,
                green_channel=form.cleaned_data["green_channel"],
            )
            ticket = queue_actions.link_serving_ticket(case, by=signed_in(request))
        linked = f"（排队号 {ticket.number}）" if ticket is not None else ""
        return case.number, f"已收件：办件编号 {case.number}，查询码 {case.check_code}{linked}。"

    outcome = receive(request, materials, submit)
    if isinstance(outcome, HttpResponse):
        return outcome
    return render(
        request, "workbench/intake_form.html", {"item": item, "form": outcome, "serving_ticket": serving}
    )


def intake_channel(request: HttpRequest) -> str:
    return Channel.WINDOW if Role.WINDOW_CLERK in user_roles(request.user) else Channel.AGENT


def _number_url(number: str) -> str:
    # 一件事 numbers start with L (cases.actions.bundles.group_number).
    return reverse("workbench:bundle", args=[number]) if number.startswith("L") else _case_url(number)


def receive(
    request: HttpRequest,
    materials: list[Any],
    submit: Callable[[IntakeForm, list[Upload]], tuple[str, str]],
) -> HttpResponse | IntakeForm:
    """A posted intake form (one item or a bundle): files that passed are kept between attempts (staging), the
    same form sent twice answers with what it created the first time. Returns the redirect after success, or
    the bound form with its errors to show again."""
    token = request.POST.get("staging", "")
    done = request.session.get(INTAKE_DONE_KEY, {})
    if token and token in done:  # the same form sent twice (double click, resend after a timeout)
        kind = "联办编号" if done[token].startswith("L") else "办件编号"
        messages.info(request, f"该申请已收件，{kind} {done[token]}。")
        return redirect(_number_url(done[token]))
    if not staging.owned(request, token):
        token = staging.new_token(request)
    data = request.POST.copy()
    data["staging"] = token
    form = IntakeForm(data, request.FILES, materials=materials, staged=staging.staged(request, token))
    valid = form.is_valid()
    for upload in form.uploads.values():
        staging.stage(request, token, upload)
    if valid:
        uploads = {**staging.load(request, token), **form.uploads}
        try:
            number, message = submit(form, list(uploads.values()))
        except ValidationError as exc:
            apply_errors(form, exc, INTAKE_ERROR_FIELDS)
        else:
            staging.discard(request, token)
            done = dict(request.session.get(INTAKE_DONE_KEY, {}))
            done[token] = number
            request.session[INTAKE_DONE_KEY] = dict(list(done.items())[-20:])
            messages.success(request, message)
            return redirect(_number_url(number))
    form.staged = staging.staged(request, token)
    return form


# -- the case page and its actions --------------------------------------------------------------------------


def _render_case(request: HttpRequest, number: str, *, status_code: int = 200, **kwargs: Any) -> HttpResponse:
    case = access_case(request.user, number)  # fresh: a refused action left the database as it was
    return render(
        request,
        "workbench/case_detail.html",
        casepage.context(signed_in(request), case, **kwargs),
        status=status_code,
    )


def _alert_for(exc: ValidationError, title: str) -> casepage.Alert:
    if isinstance(exc, TaskConflict):
        return casepage.Alert("conflict", "已由他人办理", [*exc.messages, "页面已刷新为最新状态。"])
    if isinstance(exc, OutOfProcedure):
        return casepage.Alert("violation", "不符合办理流程，操作被拒绝并已记录", exc.messages)
    return casepage.Alert("error", f"{title}未完成", exc.messages)


@staff_view()
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_case(request, number)


@require_POST
@staff_view()
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    case = access_case(request.user, number)
    spec = casepage.CASE_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个操作")
    form = casepage.make_form(action, case, request.POST, request.FILES)
    if form.is_valid():
        try:
            message = spec.run(signed_in(request), case, form)
        except ValidationError as exc:
            apply_errors(form, exc, spec.error_fields)
            alert = _alert_for(exc, spec.title)
            code = 409 if isinstance(exc, TaskConflict) else 200
            return _render_case(request, number, bound={action: form}, alert=alert, status_code=code)
        messages.success(request, message)
        return redirect(_case_url(case))
    alert = casepage.Alert("error", f"{spec.title}未完成", ["请按提示修改后重新提交。"])
    return _render_case(request, number, bound={action: form}, alert=alert)


@require_POST
@staff_view()
def task_claim(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    case = access_case(request.user, number)
    task = get_object_or_404(case.tasks, pk=pk)
    try:
        case_actions.claim_task(task, by=signed_in(request))
    except ValidationError as exc:
        code = 409 if isinstance(exc, TaskConflict) else 200
        return _render_case(request, number, alert=_alert_for(exc, "领取任务"), status_code=code)
    messages.success(request, f"已领取“{task.step_name}”。")
    return redirect(_case_url(case))


@require_POST
@staff_view()
def task_act(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    case = access_case(request.user, number)
    task = get_object_or_404(case.tasks, pk=pk)
    spec = wf.spec_of(case.process)
    form = casepage.task_form(task, spec, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = case_actions.act_on_task(
                task,
                by=signed_in(request),
                action=data["action"],
                opinion=data["opinion"],
                return_to=data.get("return_to") or None,
                attachments=form.attachments,
            )
        except ValidationError as exc:
            code = 409 if isinstance(exc, TaskConflict) else 200
            if not isinstance(exc, TaskConflict):
                apply_errors(form, exc, {"attachments": "attachment"})
            return _render_case(
                request, number, bound_tasks={task.pk: form}, alert=_alert_for(exc, "办理"), status_code=code
            )
        messages.success(request, f"“{done.step_name}”已办理：{done.get_outcome_display()}。")
        return redirect(_case_url(case))
    alert = casepage.Alert("error", "办理未完成", ["请按提示修改后重新提交。"])
    return _render_case(request, number, bound_tasks={task.pk: form}, alert=alert)


# -- files -----------------------------------------------------------------------------------------------------


def _content_type(filename: str) -> str:
    return CONTENT_TYPES.get(PurePath(filename).suffix.lower(), "application/octet-stream")


@staff_view()
def material_download(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    case = access_case(request.user, number)
    material = get_object_or_404(case.materials, pk=pk)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=material.original_name,
        content_type=_content_type(material.original_name),
    )


@staff_view()
def attachment_download(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    case = access_case(request.user, number)
    attachment = get_object_or_404(TaskAttachment, pk=pk, task__case=case)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=_content_type(attachment.name)
    )


@staff_view()
def document_download(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    from govhall.documents.actions import sealed_pdf

    case = access_case(request.user, number)
    document = get_object_or_404(Document, pk=pk, case_number=case.number)
    response = HttpResponse(sealed_pdf(document), content_type="application/pdf")
    disposition = content_disposition_header(False, f"{document.title}-{document.number}.pdf")
    if disposition:
        response["Content-Disposition"] = disposition
    return response


# -- lists -----------------------------------------------------------------------------------------------------


@staff_view(*TASK_ROLES)
def task_list(request: HttpRequest) -> HttpResponse:
    tasks = list(tasks_for(request.user).select_related("assignee__staff")[:200])
    rows = [{"task": t, "status": status(t.clock) if t.clock is not None else None} for t in tasks]
    context = {"rows": rows}
    template = "workbench/_task_table.html" if _is_htmx(request) else "workbench/task_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_view()
def case_list(request: HttpRequest) -> HttpResponse:
    at = now()
    form = casesearch.filter_form(request.user, request.GET)
    cases = casesearch.filtered_cases(request.user, form, at).select_related(
        "item", "applicant", "department", "clock", "intake_clock"
    )
    page = Paginator(cases.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        clock = case.clock if case.clock is not None else case.intake_clock
        rows.append(
            {"case": case, "status": status(clock, at) if clock is not None and case.is_open else None}
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "export_query": query.urlencode()}
    template = "workbench/_case_results.html" if _is_htmx(request) else "workbench/case_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_view()
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered list (same filters as 办件查询, same visibility) as an Excel workbook."""
    at = now()
    form = casesearch.filter_form(request.user, request.GET)
    if form.is_bound and not form.is_valid():
        errors = "；".join(
            f"{form.fields[f].label if f in form.fields else ''}：{'、'.join(str(m) for m in e)}"
            for f, e in form.errors.items()
        )
        return HttpResponse(f"查询条件有误：{errors}", status=400, content_type="text/plain; charset=utf-8")
    cases = casesearch.filtered_cases(request.user, form, at)
    title = f"办件查询导出（{engine.local_date(at):%Y-%m-%d}，共 {cases.count()} 件）"
    response = HttpResponse(
        casesearch.export_xlsx(cases, at, title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="cases-{engine.local_date(at):%Y%m%d}.xlsx"'
    return response
