"""The 一件事 (bundle) API: the bundle guide with its combined materials, one application for the whole bundle
(with Idempotency-Key like the case create), the bundle's one intake decision, correction, one delivery, and
the public progress by the bundle number and its check code.

Every change goes through govhall.cases.actions (bundle actions); errors become HTTP answers in govhall/api.py."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.params.functions import Header

from govhall.catalog.models import Bundle
from govhall.clocks.choices import ClockState
from govhall.core import throttle
from govhall.core.auth import api_user
from govhall.core.clock import now
from govhall.core.identifiers import mask_phone, mask_resident_id
from govhall.documents.choices import DocumentKind, DocumentStatus
from govhall.documents.models import Document

from . import actions
from .access import access_group, find_group_by_check_code
from .api import (
    AUTH,
    SEALED_PDF_RESPONSE,
    _errors,
    colored,
    colored_or_none,
    decode_uploads,
    mask_name,
    sealed_pdf_response,
)
from .bundle_schemas import (
    BundleApplicationIn,
    BundleApplicationOut,
    BundleCorrectionIn,
    BundleDeliveryIn,
    BundleGuide,
    BundleIntakeIn,
    BundleProgress,
    BundleProgressQuery,
    BundleSummary,
)
from .bundles import bundle_items, bundle_materials, group_status, members, published_bundles
from .choices import ACTIVE_TASK, ApplicantKind, CaseStatus, Decision
from .limits import limit_text
from .models import Case, CaseGroup, IdempotencyKey
from .schemas import Invalid, Problem
from .timeline import public_timeline

router = Router(tags=["一件事联办"], auth=AUTH)

BUNDLE_NOT_FOUND = "一件事不存在或未发布"
GROUP_NOT_FOUND = "一件事联办不存在或无权查看"
PROGRESS_NOT_FOUND = "未查询到该一件事，请核对联办编号和查询码"


def _bundle(code: str) -> Bundle:
    bundle = published_bundles().filter(code=code.strip()).first()
    if bundle is None:
        raise HttpError(404, BUNDLE_NOT_FOUND)
    return bundle


def _group(request: HttpRequest, number: str) -> CaseGroup:
    try:
        return access_group(api_user(request), number)
    except Http404:
        raise HttpError(404, GROUP_NOT_FOUND) from None


def bundle_summary(bundle: Bundle, item_count: int | None = None) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "description": bundle.description,
        "lead_department": {"id": bundle.lead_department_id, "name": bundle.lead_department.name},
        "item_count": item_count if item_count is not None else bundle.entries.count(),
    }


def bundle_guide(bundle: Bundle) -> dict[str, Any]:
    items = bundle_items(bundle)
    return {
        **bundle_summary(bundle, len(items)),
        "items": [
            {
                "impl_code": item.impl_code,
                "name": item.name,
                "department": {"id": item.department_id, "name": item.department.name},
                "promised_limit_text": limit_text(item.promised_limit, item.promised_limit_unit),
            }
            for item in items
        ],
        "materials": [
            {
                "material_id": entry.representative.pk,
                "name": entry.name.strip(),
                "required": entry.required,
                "shared": entry.shared,
                "items": entry.items,
                "e_license_ok": entry.e_license_ok,
            }
            for entry in bundle_materials(bundle, items)
        ],
    }


def member_out(case: Case) -> dict[str, Any]:
    promised = case.clock
    known = promised is not None and promised.state != ClockState.PAUSED
    return {
        "number": case.number,
        "item": case.item.name,
        "department": {"id": case.department_id, "name": case.department.name},
        "status": colored(CaseStatus, case.status),
        "current_steps": list(
            case.tasks.filter(status__in=ACTIVE_TASK).order_by("pk").values_list("step_name", flat=True)
        ),
        "promised_due_day": promised.due_day if promised is not None and known else None,
        "decision": colored_or_none(Decision, case.decision),
    }


def group_detail(group: CaseGroup) -> dict[str, Any]:
    group = CaseGroup.objects.select_related("bundle__lead_department", "applicant").get(pk=group.pk)
    cases = members(group)
    applicant = group.applicant
    correction = [
        str(entry.get("name") or "")
        for case in cases
        if case.status == CaseStatus.CORRECTION and hasattr(case, "correction")
        for entry in case.correction.items
    ]
    documents = Document.objects.filter(case_number=group.number).order_by("issued_at", "pk")
    return {
        "number": group.number,
        "check_code": group.check_code,
        "bundle": bundle_summary(group.bundle),
        "status": colored(type(group_status(group, cases)), group_status(group, cases)),
        "applicant": {
            "kind": colored(ApplicantKind, applicant.kind),
            "name": group.applicant_name,
            "id_number": mask_resident_id(applicant.id_number)
            if applicant.kind == ApplicantKind.PERSON
            else applicant.id_number,
            "phone": mask_phone(group.applicant_phone),
            "legal_representative": group.applicant_legal_representative,
        },
        "created_at": group.created_at,
        "concluded_at": group.concluded_at,
        "delivered_at": group.delivered_at,
        "members": [member_out(case) for case in cases],
        "correction": [name for name in correction if name],
        "documents": [
            {
                "id": document.pk,
                "number": document.number,
                "kind": colored(DocumentKind, document.kind),
                "title": document.title,
                "status": colored(DocumentStatus, document.status),
                "issued_at": document.issued_at,
                "url": f"/api/v1/bundle-applications/{group.number}/documents/{document.pk}/pdf",
            }
            for document in documents
        ],
    }


def _digest(code: str, payload: BundleApplicationIn) -> str:
    body = {"bundle": code, **payload.model_dump(mode="json")}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replayed(user: User, key: str, digest: str) -> CaseGroup | None:
    # The key table is shared with the case create: a bundle's key points at its first member case.
    stored = IdempotencyKey.objects.select_related("case__group").filter(user=user, key=key).first()
    if stored is None:
        return None
    if stored.request_hash != digest or stored.case.group is None:
        raise ValidationError(
            {
                "Idempotency-Key": "该幂等键已用于内容不同的另一份申请；重试时请求内容须完全相同，新的申请请使用新的幂等键"
            }
        )
    return stored.case.group


# --- public ----------------------------------------------------------------------------------------------------


@router.get(
    "/bundles",
    auth=None,
    response=list[BundleSummary],
    summary="一件事列表（公开）",
    description="已发布的“一件事”：一张表单、一次提交，多个事项并联办理。",
    operation_id="list_bundles",
)
def list_bundles(request: HttpRequest) -> list[dict[str, Any]]:
    return [bundle_summary(b) for b in published_bundles().order_by("code")]


@router.get(
    "/bundles/{code}",
    auth=None,
    response={200: BundleGuide, 404: Problem},
    summary="一件事办事指南（公开）",
    description="包含的事项、牵头部门和合并后的申请材料：多个事项共用的材料（名称相同）只需提交一次。",
    operation_id="get_bundle",
)
def get_bundle(request: HttpRequest, code: str) -> dict[str, Any]:
    return bundle_guide(_bundle(code))


@router.get(
    "/bundle-progress",
    auth=None,
    response={200: BundleProgress, 400: Problem, 404: Problem, 422: Invalid, 429: Problem},
    summary="一件事进度查询（公开）",
    description=(
        "凭联办编号（L 开头）和查询码查询整件事及各事项的办理进度。编号或查询码不正确时返回 404；"
        "查询码错误次数过多时暂停查询，返回 429（Retry-After 为需等待的秒数）。无需登录。"
    ),
    operation_id="get_bundle_progress",
)
def get_bundle_progress(request: HttpRequest, query: Query[BundleProgressQuery]) -> dict[str, Any]:
    group = throttle.guarded_lookup(
        request, query.number.strip(), lambda: find_group_by_check_code(query.number, query.check_code)
    )
    if group is None:
        raise HttpError(404, PROGRESS_NOT_FOUND)
    cases = members(group)
    timeline: list[dict[str, Any]] = []
    for case in cases:
        for row in public_timeline(case):
            timeline.append({"at": row.at, "event": row.text, "item": case.item.name})
    timeline.sort(key=lambda row: row["at"])
    status = group_status(group, cases)
    return {
        "number": group.number,
        "bundle": group.bundle.name,
        "applicant": mask_name(group),
        "status": colored(type(status), status),
        "received_at": group.created_at,
        "concluded_at": group.concluded_at,
        "delivered_at": group.delivered_at,
        "members": [member_out(case) for case in cases],
        "timeline": timeline,
    }


# --- applications ----------------------------------------------------------------------------------------------


@router.post(
    "/bundles/{code}/applications",
    response={200: BundleApplicationOut, 201: BundleApplicationOut, **_errors(401, 403, 422)},
    summary="提交一件事申请（一表申请）",
    description=(
        "一张申请表、一次提交：为每个事项生成一个办件，共享材料只需上传一次（material_id 用办事指南 materials 中的ID）。"
        "请求头 Idempotency-Key（可选）：以同一幂等键重试同一请求返回首次创建的同一联办（200），不会重复创建；"
        "同一幂等键而请求内容不同返回 422。"
    ),
    operation_id="create_bundle_application",
)
def create_bundle_application(
    request: HttpRequest,
    code: str,
    payload: BundleApplicationIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        description="幂等键（可选，不超过100个字符）：网络重试时带上同一个值，保证只创建一个联办",
    ),
) -> Status[dict[str, Any]]:
    user = api_user(request)
    digest = _digest(code, payload)
    if idempotency_key is not None:
        replay = _replayed(user, idempotency_key, digest)
        if replay is not None:
            return Status(200, group_detail(replay))
    bundle = published_bundles().filter(code=code.strip()).first()
    if bundle is None:
        raise ValidationError({"bundle": f"未找到编号为 {code} 的已发布一件事"})
    applicant = actions.ApplicantData(
        kind=payload.applicant.kind.value,
        name=payload.applicant.name,
        id_number=payload.applicant.id_number,
        phone=payload.applicant.phone,
        legal_representative=payload.applicant.legal_representative,
        address=payload.applicant.address,
    )
    uploads = decode_uploads(payload.materials)

    def submit() -> CaseGroup:
        return actions.submit_bundle(
            bundle=bundle,
            applicant=applicant,
            channel=payload.channel.value,
            by=user,
            form_data=dict(payload.form_data),
            uploads=uploads,
        )

    if idempotency_key is None:
        return Status(201, group_detail(submit()))
    try:
        # The bundle and its key commit together (as the case create does): a concurrent retry loses on the
        # unique key, its cases roll back with it, and it answers with the winner's bundle.
        with transaction.atomic():
            group = submit()
            first = Case.objects.filter(group=group).order_by("pk").first()
            assert first is not None
            IdempotencyKey.objects.create(
                user=user, key=idempotency_key, request_hash=digest, case=first, created_at=now()
            )
    except IntegrityError:
        replay = _replayed(user, idempotency_key, digest)
        if replay is None:
            raise
        return Status(200, group_detail(replay))
    return Status(201, group_detail(group))


@router.get(
    "/bundle-applications/{number}",
    response={200: BundleApplicationOut, **_errors(401, 404)},
    summary="一件事联办详情",
    description="整件事的状态、各事项办件（并联办理）的状态和承诺办结日期、一次性补正告知和文书。",
    operation_id="get_bundle_application",
)
def get_bundle_application(request: HttpRequest, number: str) -> dict[str, Any]:
    return group_detail(_group(request, number))


@router.post(
    "/bundle-applications/{number}/intake",
    response={200: BundleApplicationOut, **_errors(401, 403, 404, 409, 422)},
    summary="一件事受理决定",
    description=(
        "整件事只作一个受理决定（《行政许可法》第三十二条）：accept 全部受理并出具一份受理通知书，各事项随即由有关部门"
        "并联办理；correction 出具一份一次性补正告知书，列明各事项需补正的全部材料（共享材料列一次）；"
        "refuse 不予受理（须说明理由）。流程不允许的操作返回 409 并记录备查。"
    ),
    operation_id="decide_bundle_intake",
)
def decide_bundle_intake(request: HttpRequest, number: str, payload: BundleIntakeIn) -> dict[str, Any]:
    group = _group(request, number)
    by = api_user(request)
    if payload.decision == "accept":
        actions.accept_bundle(group, by=by)
    elif payload.decision == "correction":
        missing = [{"material": m.material_id, "name": m.name, "reason": m.reason} for m in payload.missing]
        actions.request_bundle_correction(group, by=by, missing=missing, note=payload.note)
    else:
        actions.refuse_bundle(group, by=by, reasons=payload.reasons, remedies=payload.remedies)
    return group_detail(group)


@router.post(
    "/bundle-applications/{number}/correction",
    response={200: BundleApplicationOut, **_errors(401, 403, 404, 409, 422)},
    summary="提交一件事补正材料",
    description="按一次性补正告知提交材料；共享材料只需提交一次，补齐后整件事恢复受理审查计时。",
    operation_id="submit_bundle_correction",
)
def submit_bundle_correction(
    request: HttpRequest, number: str, payload: BundleCorrectionIn
) -> dict[str, Any]:
    group = _group(request, number)
    actions.submit_bundle_correction(group, by=api_user(request), uploads=decode_uploads(payload.materials))
    return group_detail(group)


@router.post(
    "/bundle-applications/{number}/delivery",
    response={200: BundleApplicationOut, **_errors(401, 403, 404, 409, 422)},
    summary="一件事结果一次送达",
    description="各事项全部办结后，一次送达全部办理结果（《行政许可法》第四十四条）；尚未全部办结返回 409。",
    operation_id="deliver_bundle",
)
def deliver_bundle(request: HttpRequest, number: str, payload: BundleDeliveryIn) -> dict[str, Any]:
    group = _group(request, number)
    actions.deliver_bundle(group, by=api_user(request), method=payload.method)
    return group_detail(group)


@router.get(
    "/bundle-applications/{number}/documents/{document_id}/pdf",
    response={**_errors(401, 404, 422)},
    summary="下载一件事文书",
    description="整件事的一份文书（受理通知书、补正告知书、不予受理决定书），加盖电子审批专用章的 PDF。",
    operation_id="get_bundle_document",
    openapi_extra=SEALED_PDF_RESPONSE,
)
def get_bundle_document(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    group = _group(request, number)
    return sealed_pdf_response(group.number, document_id, missing="该一件事没有这份文书")
