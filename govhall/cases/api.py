"""The case-handling API: applications, intake, tasks, special procedures, extensions, corrections, withdrawal, and
the public progress query.

Every change goes through govhall.cases.actions; this module only authenticates, finds what the caller may see
(cases_visible_to / tasks_for), decodes the request and shapes the answer. Errors of the actions become HTTP answers
in govhall/api.py: ValidationError 422, PermissionDenied 403, OutOfProcedure and TaskConflict 409."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.params.functions import Header
from ninja.security import APIKeyCookie, HttpBasicAuth, HttpBearer
from ninja.utils import check_csrf

from govhall.catalog.choices import HandlingKind
from govhall.catalog.queries import published_items
from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockState, ClockUnit, Light
from govhall.clocks.models import Clock
from govhall.core import throttle, tokens
from govhall.core.auth import api_user
from govhall.core.clock import now
from govhall.core.compiled import CompiledRead
from govhall.core.identifiers import mask_phone, mask_resident_id
from govhall.core.tz import SHANGHAI
from govhall.documents.actions import sealed_pdf
from govhall.documents.choices import DocumentKind, DocumentStatus
from govhall.documents.models import Document
from govhall.org.choices import Role
from govhall.workflow import engine as wf

from . import actions
from .access import (
    CASE_PAGE_RELATED,
    access_case,
    access_task,
    find_by_check_code,
    tasks_for,
)
from .actions.idempotent import submit_application_once
from .choices import (
    ACTIVE_TASK,
    ApplicantKind,
    CaseStatus,
    Channel,
    Decision,
    IntakeOutcome,
    PauseKind,
    TaskAction,
    TaskStatus,
)
from .limits import CaseLimits, case_limits, displayed_limits, limit_text
from .models import Case, CaseGroup, CaseMaterial, CorrectionNotice, Extension, IdempotencyKey, Pause, Task
from .schemas import (
    CaseCreateIn,
    CaseDetail,
    Conflict,
    CoordinationIn,
    CorrectionIn,
    ExtensionIn,
    ExtensionOut,
    IntakeIn,
    Invalid,
    MaterialIn,
    PauseEndIn,
    PauseIn,
    PauseOut,
    Problem,
    Progress,
    ProgressQuery,
    TaskActionIn,
    TaskPage,
    TaskPaging,
    TaskResult,
    WithdrawIn,
)
from .timeline import public_timeline
from .uploads import Upload

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CASE_NOT_FOUND = "办件不存在或无权查看"
TASK_NOT_FOUND = "任务不存在或无权查看"
PROGRESS_NOT_FOUND = "未查询到该办件，请核对办件编号和查询码"


# The OpenAPI answer of every notice download (cases and 一件事 bundles).
SEALED_PDF_RESPONSE: dict[str, Any] = {
    "responses": {
        "200": {
            "description": "已签章的 PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def sealed_pdf_response(number: str, document_id: int, *, missing: str) -> HttpResponse:
    """One notice filed under a case or bundle number, sealed (on first download if the worker has not yet)."""
    document = Document.objects.filter(pk=document_id, case_number=number).first()
    if document is None:
        raise HttpError(404, missing)
    response = HttpResponse(sealed_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename=\"{document.pk}.pdf\"; filename*=UTF-8''{quote(document.title, safe='')}.pdf"
    )
    return response


# --- authentication ------------------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with an API token (admin or `manage.py api_token`): the way for scripts and
    other systems. A token is checked with one SHA-256 and one indexed query, no password hashing."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        # An unknown, revoked or expired token is a 401 saying which (TokenRefused, see govhall/api.py), not a
        # fall-through to the other schemes: the caller meant this token.
        user = tokens.user_for_token(token)
        request.user = user
        return user


class BasicAuth(HttpBasicAuth):
    """HTTP Basic with the staff account's username and password (deprecated: kept for existing scripts).

    Slow by design: every request runs the password hasher (PBKDF2), and wrong passwords count towards the lockout.
    Use an API token instead."""

    def authenticate(self, request: HttpRequest, username: str, password: str) -> User | None:
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_active:
            # A locked account (or a failure that just locked it) is told so, not "wrong password" again.
            wait = throttle.login_retry_after(request, username)
            if wait:
                raise throttle.Throttled(throttle.login_message(wait), wait)
            return None
        # Actions and scoped reads look at request.user like the rest of the site does.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's login session with ninja's CSRF check (the workbench's own pages call the API this way).

    Unlike ninja's django_auth, an anonymous request is not CSRF-checked first: it has no session to protect, and a
    script without cookies must get the 401 that tells it to authenticate, not a CSRF 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF 校验失败：请刷新页面后重试（请求头 X-CSRFToken 须带上 csrftoken）")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return request.user if request.user.is_authenticated else None


# Credentials first: a script that sends a token or a password never meets the session's CSRF check.
AUTH = [TokenAuth(), BasicAuth(), SessionAuth()]

router = Router(tags=["办件办理"], auth=AUTH)

ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Conflict,
    422: Invalid,
    429: Problem,
}


def _errors(*codes: int) -> dict[int, Any]:
    # 400 (unparseable JSON, NUL characters) can answer any request; 429 any password-authenticated one.
    return {code: ERRORS[code] for code in (400, *codes, *((429,) if 401 in codes else ()))}


# --- serialisation -------------------------------------------------------------------------------------------


def colored(choices: Any, value: str) -> dict[str, str]:
    member = choices(value)
    return {"value": member.value, "label": str(member.label), "color": member.color}


def colored_or_none(choices: Any, value: str) -> dict[str, str] | None:
    return colored(choices, value) if value else None


def person_name(user: User | None) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return (getattr(staff, "name", "") or user.get_username()) if staff is not None else user.get_username()


def mask_name(subject: Case | CaseGroup) -> str:
    """The applicant's name as given in that application: 张* / 张*丰 for a person; an organisation keeps its first
    two and last four characters."""
    name = subject.applicant_name
    if subject.applicant.kind == ApplicantKind.ENTERPRISE:
        return name if len(name) <= 6 else name[:2] + "*" * (len(name) - 6) + name[-4:]
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def clock_out(clock: Clock, kind: str, at: datetime) -> dict[str, Any]:
    status = clocks.status(clock, at)
    paused = status.state == ClockState.PAUSED
    return {
        "kind": kind,
        "label": clock.label or clock.get_kind_display(),
        "light": colored(Light, status.light),
        "state": colored(ClockState, status.state),
        # A paused clock has no deadline until it runs again: the stored one is stale.
        "due_at": None if paused else status.due_at,
        "due_day": None if paused else clock.due_day,
        "remaining": status.remaining,
        "unit": status.unit.value,
        "unit_label": str(ClockUnit(status.unit).label),
        "remaining_text": status.remaining_text,
        "provisional": status.provisional,
        "budget": clock.budget,
        "extension": clock.extension,
        "late": clock.late,
    }


def _limits_out(limits: CaseLimits | None) -> dict[str, Any] | None:
    if limits is None:
        return None
    return {
        "item_version": limits.item_version,
        "promised_limit": limits.promised,
        "promised_limit_unit": limits.promised_unit,
        "promised_limit_text": limit_text(limits.promised, limits.promised_unit),
        "legal_limit": limits.legal,
        "legal_limit_unit": limits.legal_unit,
        "legal_limit_text": limit_text(limits.legal, limits.legal_unit),
        "green_channel_shortened": limits.green_channel_shortened,
    }


def task_out(task: Task, case: Case, at: datetime) -> dict[str, Any]:
    allowed: list[str] = []
    targets: list[str] = []
    if task.status in ACTIVE_TASK:
        step = wf.spec_of(case.process).step(task.parallel_key or task.step_key)
        codes = {TaskAction.APPROVE, TaskAction.REFUSE} if task.parallel_key else wf.allowed_actions(step)
        allowed = [code for code in TaskAction.values if code in codes]
        if TaskAction.RETURN in codes and not task.parallel_key:
            targets = list(step.return_to)
    role_label = str(Role(task.role).label) if task.role in Role.values else task.role
    return {
        "id": task.pk,
        "case_number": case.number,
        "step_key": task.step_key,
        "step_name": task.step_name,
        "branch_key": task.branch_key,
        "round": task.round,
        "department": {"id": task.department_id, "name": task.department.name},
        "role": task.role,
        "role_label": role_label,
        "assignee": person_name(task.assignee) or None,
        "status": colored(TaskStatus, task.status),
        "outcome": colored_or_none(TaskAction, task.outcome),
        "opinion": task.opinion,
        "created_at": task.created_at,
        "claimed_at": task.claimed_at,
        "completed_at": task.completed_at,
        "clock": clock_out(task.clock, "step", at) if task.clock is not None else None,
        "allowed_actions": allowed,
        "return_targets": targets,
    }


def _case_clocks(case: Case, at: datetime) -> list[dict[str, Any]]:
    # Promised and legal side by side: the center supervises the promised limit, the law sets the legal one.
    pairs = (
        ("intake", case.intake_clock),
        ("promised", case.clock),
        ("legal", case.legal_clock),
        ("delivery", case.delivery_clock),
    )
    return [clock_out(clock, kind, at) for kind, clock in pairs if clock is not None]


def document_url(case: Case, document: Document) -> str:
    return f"/api/v1/cases/{case.number}/documents/{document.pk}/pdf"


# The reads of a case's answer, each built once per connection (core.compiled): the API answers every action with
# the case or task as it left it, so these run on every request of the hot path.
_CASE_PAGE = CompiledRead(lambda pk: Case.objects.select_related(*CASE_PAGE_RELATED).filter(pk=pk), int)
_CASE_TASKS = CompiledRead(
    lambda pk: (
        Task.objects.filter(case_id=pk)
        .select_related("clock", "department", "assignee__staff")
        .order_by("created_at", "pk")
    ),
    int,
)
_CASE_CORRECTION = CompiledRead(lambda pk: CorrectionNotice.objects.filter(case_id=pk), int)
_CASE_DOCUMENTS = CompiledRead(
    lambda number: Document.objects.filter(case_number=number).order_by("issued_at", "pk"), str
)
_CASE_PAUSES = CompiledRead(lambda pk: Pause.objects.filter(case_id=pk).order_by("started_at", "pk"), int)
_CASE_EXTENSIONS = CompiledRead(
    lambda pk: (
        Extension.objects.filter(case_id=pk)
        .select_related("approved_by__staff")
        .order_by("approved_at", "pk")
    ),
    int,
)
_CASE_MATERIALS = CompiledRead(
    lambda pk: CaseMaterial.objects.filter(case_id=pk).order_by("uploaded_at", "pk"), int
)


def case_detail(case: Case, *, reload: bool = True) -> dict[str, Any]:
    """The case as the API shows it. `reload=False` when the caller has just read it with `CASE_PAGE_RELATED` (a
    GET); after an action the case is read again, as the action left it."""
    at = now()
    if reload:
        (case,) = _CASE_PAGE.objects(case.pk)
    item = case.item
    own = case_limits(case)
    shown = displayed_limits(case)
    applicant = case.applicant
    tasks = _CASE_TASKS.objects(case.pk)
    corrections = _CASE_CORRECTION.objects(case.pk)
    correction = corrections[0] if corrections else None
    documents = _CASE_DOCUMENTS.objects(case.number)
    return {
        "number": case.number,
        "check_code": case.check_code,
        "status": colored(CaseStatus, case.status),
        "item": {
            "impl_code": item.impl_code,
            "name": item.name,
            "handling_kind": colored(HandlingKind, item.handling_kind),
            # The item as this case knows it: the version it was accepted under, the live catalog before that.
            "promised_limit": shown.catalog_promised,
            "promised_limit_unit": shown.promised_unit,
            "promised_limit_text": limit_text(shown.catalog_promised, shown.promised_unit),
            "legal_limit": shown.legal,
            "legal_limit_unit": shown.legal_unit,
            "legal_limit_text": limit_text(shown.legal, shown.legal_unit),
        },
        "limits": _limits_out(own),
        "department": {"id": case.department_id, "name": case.department.name},
        "applicant": {
            "kind": colored(ApplicantKind, applicant.kind),
            "name": case.applicant_name,
            # A credit code is public for an organisation; a resident ID is personal data (PIPL).
            "id_number": mask_resident_id(applicant.id_number)
            if applicant.kind == ApplicantKind.PERSON
            else applicant.id_number,
            "phone": mask_phone(case.applicant_phone),
            "legal_representative": case.applicant_legal_representative,
        },
        "channel": colored(Channel, case.channel),
        "group": case.group.number if case.group is not None else None,
        "green_channel": case.green_channel,
        "extended": case.extended,
        "form_data": case.form_data or {},
        "intake_outcome": colored_or_none(IntakeOutcome, case.intake_outcome),
        "intake_reason": case.intake_reason,
        "redirect_agency": case.redirect_agency,
        "decision": colored_or_none(Decision, case.decision),
        "decision_reason": case.decision_reason,
        "appointment_at": case.appointment_at,
        "received_at": case.received_at,
        "complete_at": case.complete_at,
        "accepted_at": case.accepted_at,
        "accepted_day": case.accepted_day,
        "decided_at": case.decided_at,
        "concluded_at": case.concluded_at,
        "delivered_at": case.delivered_at,
        "closed_at": case.closed_at,
        "clocks": _case_clocks(case, at),
        "tasks": [task_out(task, case, at) for task in tasks],
        "pauses": [pause_out(pause) for pause in _CASE_PAUSES.objects(case.pk)],
        "extensions": [extension_out(extension) for extension in _CASE_EXTENSIONS.objects(case.pk)],
        "correction": None
        if correction is None
        else {
            "items": [
                {
                    "material_id": entry.get("material"),
                    "name": entry.get("name", ""),
                    "reason": entry.get("reason", ""),
                }
                for entry in correction.items
            ],
            "note": correction.note,
            "issued_at": correction.issued_at,
            "resolved_at": correction.resolved_at,
        },
        "materials": [
            {
                "id": material.pk,
                "material_id": material.material_id,
                "name": material.name,
                "original_name": material.original_name,
                "size": material.size,
                "sm3": material.sm3,
                "for_correction": material.for_correction,
                "uploaded_at": material.uploaded_at,
            }
            for material in _CASE_MATERIALS.objects(case.pk)
        ],
        "documents": [
            {
                "id": document.pk,
                "number": document.number,
                "kind": colored(DocumentKind, document.kind),
                "title": document.title,
                "status": colored(DocumentStatus, document.status),
                "issued_at": document.issued_at,
                "url": document_url(case, document),
            }
            for document in documents
        ],
    }


def pause_out(pause: Pause) -> dict[str, Any]:
    return {
        "id": pause.pk,
        "kind": colored(PauseKind, pause.kind),
        "reason": pause.reason,
        "expected_days": pause.expected_days,
        "started_at": pause.started_at,
        "ended_at": pause.ended_at,
        "result": pause.result,
    }


def extension_out(extension: Any) -> dict[str, Any]:
    return {
        "id": extension.pk,
        "amount": extension.amount,
        "reason": extension.reason,
        "approved_by": person_name(extension.approved_by),
        "approved_at": extension.approved_at,
    }


# The task as an action left it, with all that task_out shows (core.compiled: built once per connection).
_TASK_RESULT = CompiledRead(
    lambda pk: Task.objects.select_related("case__process", "clock", "department", "assignee__staff").filter(
        pk=pk
    ),
    int,
)


def task_result(task: Task) -> dict[str, Any]:
    (task,) = _TASK_RESULT.objects(task.pk)
    return {"task": task_out(task, task.case, now()), "case_status": colored(CaseStatus, task.case.status)}


# --- request helpers -----------------------------------------------------------------------------------------


def _case(request: HttpRequest, number: str) -> Case:
    try:
        return access_case(api_user(request), number)
    except Http404:
        # Not visible and not existing answer alike: a number must not reveal that a case exists.
        raise HttpError(404, CASE_NOT_FOUND) from None


def _task(request: HttpRequest, task_id: int) -> Task:
    task = access_task(api_user(request), task_id)
    if task is None:
        raise HttpError(404, TASK_NOT_FOUND)
    return task


def _b64(text: str) -> bytes:
    text = text.strip()
    if text.startswith("data:") and "," in text:  # a data: URL straight from a browser's FileReader
        text = text.split(",", 1)[1]
    return base64.b64decode("".join(text.split()), validate=True)


def decode_uploads(materials: Sequence[MaterialIn], field: str = "materials") -> list[Upload]:
    """Base64 → Upload, each checked (type by content, size) and any error naming the file's place in the list."""
    uploads = []
    for index, material in enumerate(materials):
        try:
            content = _b64(material.content_base64)
        except (binascii.Error, ValueError):
            raise ValidationError(
                {f"{field}.{index}.content_base64": f"文件“{material.filename}”的内容不是有效的 Base64 编码"}
            ) from None
        upload = Upload(filename=material.filename, content=content, material_id=material.material_id)
        upload.check(f"{field}.{index}")
        uploads.append(upload)
    return uploads


def _aware(value: datetime | None) -> datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    # A time without an offset is a hall's wall-clock time.
    return value.replace(tzinfo=SHANGHAI)


def request_hash(payload: CaseCreateIn) -> str:
    canonical = json.dumps(
        payload.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replayed(user: User, key: str, digest: str) -> Case | None:
    stored = IdempotencyKey.objects.select_related("case").filter(user=user, key=key).first()
    if stored is None:
        return None
    if stored.request_hash != digest:
        raise ValidationError(
            {
                "Idempotency-Key": "该幂等键已用于内容不同的另一份申请；重试时请求内容须完全相同，新的申请请使用新的幂等键"
            }
        )
    return stored.case


# --- endpoints -----------------------------------------------------------------------------------------------


@router.post(
    "/cases",
    response={200: CaseDetail, 201: CaseDetail, **_errors(401, 403, 422)},
    summary="提交申请（收件）",
    description=(
        "窗口收件、网上申请或村级代办提交一份申请，材料以 Base64 上传（PDF、JPG、PNG、OFD）。"
        "请求头 Idempotency-Key（可选，不超过100个字符）：以同一幂等键重试同一请求，返回首次创建的同一办件（200），"
        "不会重复创建；同一幂等键而请求内容不同返回 422。未带幂等键时每次都创建新办件（201）。"
    ),
    operation_id="create_case",
)
def create_case(
    request: HttpRequest,
    payload: CaseCreateIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        description="幂等键（可选，不超过100个字符）：网络重试时带上同一个值，保证只创建一个办件",
    ),
) -> Status[dict[str, Any]]:
    user = api_user(request)
    digest = request_hash(payload)
    if idempotency_key is not None:
        replay = _replayed(user, idempotency_key, digest)
        if replay is not None:
            return Status(200, case_detail(replay))
    item = published_items().filter(impl_code=payload.item.strip().upper()).first()
    if item is None:
        raise ValidationError({"item": f"未找到实施编码为 {payload.item} 的已发布事项"})
    applicant = actions.ApplicantData(
        kind=payload.applicant.kind.value,
        name=payload.applicant.name,
        id_number=payload.applicant.id_number,
        phone=payload.applicant.phone,
        legal_representative=payload.applicant.legal_representative,
        address=payload.applicant.address,
    )
    uploads = decode_uploads(payload.materials)

    fields: dict[str, Any] = {
        "item": item,
        "applicant": applicant,
        "channel": payload.channel.value,
        "form_data": payload.form_data,
        "uploads": uploads,
        "appointment_at": _aware(payload.appointment_at),
        "green_channel": payload.green_channel,
    }
    if idempotency_key is None:
        return Status(201, case_detail(actions.submit_application(by=user, **fields)))
    try:
        case = submit_application_once(key=idempotency_key, request_hash=digest, by=user, **fields)
    except IntegrityError:
        replay = _replayed(user, idempotency_key, digest)
        if replay is None:
            raise
        return Status(200, case_detail(replay))
    return Status(201, case_detail(case))


@router.get(
    "/cases/{number}",
    response={200: CaseDetail, **_errors(401, 404)},
    summary="办件详情",
    description=(
        "办件的状态、申请人（证件号码脱敏）、各项时限（受理审查、承诺办结、法定办结、送达）及其红黄绿灯和剩余时间、"
        "办理环节、特别程序、延期、一次性补正告知和文书。只能查看本人有权查看的办件，否则返回 404。"
    ),
    operation_id="get_case",
)
def get_case(request: HttpRequest, number: str) -> dict[str, Any]:
    return case_detail(_case(request, number), reload=False)


@router.post(
    "/cases/{number}/intake",
    response={200: CaseDetail, **_errors(401, 403, 404, 409, 422)},
    summary="受理决定",
    description=(
        "《行政许可法》第三十二条：予以受理（accept）、一次性告知补正（correction，列明全部需补正材料，只能告知一次）、"
        "不予受理（refuse，须说明理由并告知救济途径）、不属于本机关职权（redirect，告知有权机关）；"
        "即办件可当场办结（instant）。流程不允许的操作返回 409 并记录备查。"
    ),
    operation_id="decide_intake",
)
def decide_intake(request: HttpRequest, number: str, payload: IntakeIn) -> dict[str, Any]:
    case = _case(request, number)
    by = api_user(request)
    if payload.decision == "accept":
        actions.accept_case(case, by=by)
    elif payload.decision == "correction":
        missing = [{"material": m.material_id, "name": m.name, "reason": m.reason} for m in payload.missing]
        actions.request_correction(case, by=by, missing=missing, note=payload.note)
    elif payload.decision == "refuse":
        actions.refuse_application(case, by=by, reasons=payload.reasons, remedies=payload.remedies)
    elif payload.decision == "redirect":
        actions.redirect_application(case, by=by, agency=payload.agency, reason=payload.reasons)
    else:
        actions.handle_instant(case, by=by, opinion=payload.note)
    return case_detail(case)


@router.get(
    "/tasks",
    response={200: TaskPage, **_errors(401, 422)},
    summary="我的待办",
    description="本人可领取或正在办理的任务（本部门、本人角色），按环节到期时间排序，附红黄绿灯和剩余时间。",
    operation_id="list_tasks",
)
def list_tasks(request: HttpRequest, page: Query[TaskPaging]) -> dict[str, Any]:
    at = now()
    limit, offset = page.limit, page.offset
    queryset = tasks_for(api_user(request)).select_related("case__clock", "case__process", "assignee__staff")
    rows = []
    for task in queryset[offset : offset + limit]:
        case = task.case
        row = task_out(task, case, at)
        row["case"] = {
            "number": case.number,
            "item": case.item.name,
            "applicant": mask_name(case),
            "status": colored(CaseStatus, case.status),
            "green_channel": case.green_channel,
            "promised": clock_out(case.clock, "promised", at) if case.clock is not None else None,
        }
        rows.append(row)
    return {"items": rows, "count": queryset.count()}


@router.post(
    "/tasks/{task_id}/claim",
    response={200: TaskResult, **_errors(401, 403, 404, 409, 422)},
    summary="领取任务",
    description="领取一个待办任务；两人同时领取时只有一人成功，另一人得到 409。",
    operation_id="claim_task",
)
def claim_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = actions.claim_task(_task(request, task_id), by=api_user(request))
    return task_result(task)


@router.post(
    "/tasks/{task_id}/actions",
    response={200: TaskResult, **_errors(401, 403, 404, 409, 422)},
    summary="办理任务",
    description=(
        "同意（approve）、退回（return，须指定 return_to 环节）或不同意（refuse）。退回和不同意须填写意见。"
        "本环节不允许的操作返回 409（code=out_of_procedure）并记录为违规操作；他人已先办理返回 409（code=conflict）。"
    ),
    operation_id="act_on_task",
)
def act_on_task(request: HttpRequest, task_id: int, payload: TaskActionIn) -> dict[str, Any]:
    task = actions.act_on_task(
        _task(request, task_id),
        by=api_user(request),
        action=payload.action.value,
        opinion=payload.opinion,
        return_to=payload.return_to,
    )
    return task_result(task)


@router.post(
    "/tasks/{task_id}/coordination",
    response={201: list[TaskResult], **_errors(401, 403, 404, 409, 422)},
    summary="启动联审协调",
    description=(
        "并联审批未通过（有部门不同意）后，牵头部门负责人在作出决定环节启动联审协调：写明协调事项（记入审计链），"
        "不同意的部门各得到一个新的审查任务并重新提出意见，之后重新汇合。联合审查未通过时准予许可、"
        "或在其他时候启动协调，均返回 409（code=out_of_procedure）并记录为违规操作。返回新的审查任务。"
    ),
    operation_id="start_coordination",
)
def start_coordination(
    request: HttpRequest, task_id: int, payload: CoordinationIn
) -> Status[list[dict[str, Any]]]:
    tasks = actions.start_coordination(
        _task(request, task_id),
        by=api_user(request),
        opinion=payload.opinion,
    )
    return Status(201, [task_result(t) for t in tasks])


@router.post(
    "/cases/{number}/pauses",
    response={201: PauseOut, **_errors(401, 403, 404, 409, 422)},
    summary="启动特别程序",
    description=(
        "《行政许可法》第四十五条：听证、检验、检测、鉴定、专家评审、公示等所需时间不计入办理时限；"
        "书面告知申请人预计所需工作日。"
    ),
    operation_id="start_pause",
)
def start_pause(request: HttpRequest, number: str, payload: PauseIn) -> Status[dict[str, Any]]:
    pause = actions.start_special_procedure(
        _case(request, number),
        by=api_user(request),
        kind=payload.kind.value,
        reason=payload.reason,
        expected_days=payload.expected_days,
    )
    return Status(201, pause_out(pause))


@router.post(
    "/cases/{number}/pauses/{pause_id}/end",
    response={200: PauseOut, **_errors(401, 403, 404, 409, 422)},
    summary="结束特别程序",
    description="特别程序结束，办件恢复计时。",
    operation_id="end_pause",
)
def end_pause(request: HttpRequest, number: str, pause_id: int, payload: PauseEndIn) -> dict[str, Any]:
    case = _case(request, number)
    pause = case.pauses.filter(pk=pause_id).first()
    if pause is None:
        raise HttpError(404, "该办件没有这个特别程序")
    pause = actions.end_special_procedure(pause, by=api_user(request), result=payload.result)
    return pause_out(pause)


@router.post(
    "/cases/{number}/extensions",
    response={201: ExtensionOut, **_errors(401, 403, 404, 409, 422)},
    summary="批准延期",
    description=(
        "《行政许可法》第四十二条：经部门负责人批准延长办理期限（一般不超过10个工作日，联合办理不超过15个），"
        "只能延期一次，并告知申请人理由。"
    ),
    operation_id="extend_case",
)
def extend_case(request: HttpRequest, number: str, payload: ExtensionIn) -> Status[dict[str, Any]]:
    extension = actions.extend_case(
        _case(request, number),
        by=api_user(request),
        amount=payload.amount,
        reason=payload.reason,
    )
    return Status(201, extension_out(extension))


@router.post(
    "/cases/{number}/correction",
    response={200: CaseDetail, **_errors(401, 403, 404, 409, 422)},
    summary="提交补正材料",
    description="申请人本人（或窗口、代办人员）按一次性告知提交补正材料；补齐后恢复计时。",
    operation_id="submit_correction",
)
def submit_correction(request: HttpRequest, number: str, payload: CorrectionIn) -> dict[str, Any]:
    case = _case(request, number)
    actions.submit_correction(case, by=api_user(request), uploads=decode_uploads(payload.materials))
    return case_detail(case)


@router.post(
    "/cases/{number}/withdraw",
    response={200: CaseDetail, **_errors(401, 403, 404, 409, 422)},
    summary="撤回申请",
    description="申请人本人（或窗口工作人员代为登记）撤回尚未作出决定的申请。",
    operation_id="withdraw_case",
)
def withdraw_case(request: HttpRequest, number: str, payload: WithdrawIn) -> dict[str, Any]:
    case = _case(request, number)
    actions.withdraw_case(case, by=api_user(request), reason=payload.reason)
    return case_detail(case)


@router.get(
    "/cases/{number}/documents/{document_id}/pdf",
    response={**_errors(401, 404, 422)},
    summary="下载文书",
    description="办件的一份文书（受理通知书、决定书等），加盖电子审批专用章的 PDF。",
    operation_id="get_case_document",
    openapi_extra=SEALED_PDF_RESPONSE,
)
def get_case_document(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    case = _case(request, number)
    return sealed_pdf_response(case.number, document_id, missing="该办件没有这份文书")


# --- public progress -----------------------------------------------------------------------------------------


@router.get(
    "/progress",
    auth=None,
    response={200: Progress, 400: Problem, 404: Problem, 422: Invalid, 429: Problem},
    summary="办件进度查询（公开）",
    description=(
        "凭办件编号和查询码（6至12位数字）查询办理进度：申请人（脱敏）、状态、当前环节、承诺办结日期和公开的办理过程。"
        "编号或查询码不正确时返回 404；同一编号或同一地址查询码错误次数过多时暂停查询，返回 429（Retry-After 为需等待的秒数）。"
        "无需登录。"
    ),
    operation_id="get_progress",
)
def get_progress(request: HttpRequest, query: Query[ProgressQuery]) -> dict[str, Any]:
    case = throttle.guarded_lookup(
        request, query.number.strip(), lambda: find_by_check_code(query.number, query.check_code)
    )
    if case is None:
        raise HttpError(404, PROGRESS_NOT_FOUND)
    tasks = list(case.tasks.order_by("created_at", "pk"))
    current = [t.step_name for t in tasks if t.status in ACTIVE_TASK]
    correction = getattr(case, "correction", None)
    promised = case.clock
    promised_known = promised is not None and promised.state != ClockState.PAUSED
    return {
        "number": case.number,
        "item": case.item.name,
        "department": case.department.name,
        "applicant": mask_name(case),
        "status": colored(CaseStatus, case.status),
        "current_steps": current,
        "received_at": case.received_at,
        "accepted_at": case.accepted_at,
        # While the clock is paused (correction, special procedure) the date is not known yet.
        "promised_due_day": promised.due_day if promised is not None and promised_known else None,
        "promised_provisional": bool(promised is not None and promised_known and promised.provisional),
        "concluded_at": case.concluded_at,
        "correction": [entry.get("name", "") for entry in correction.items]
        if correction is not None and case.status == CaseStatus.CORRECTION
        else [],
        "timeline": [
            {"at": row.at, "event": row.text, "title": row.title, "detail": row.detail, "actor": row.actor}
            for row in public_timeline(case, steps={t.pk: t.step_name for t in tasks})
        ],
    }
