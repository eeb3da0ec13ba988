"""The disclosure catalog and information requests under /api/v1/: public reads, the public request form and
progress lookup, and the officer's handling actions (same permissions as the pages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from django.urls import register_converter
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from govhall.cases.api import AUTH
from govhall.cases.schemas import Invalid, Problem
from govhall.core import throttle
from govhall.core.tz import SHANGHAI
from govhall.org.access import acting_user
from govhall.org.models import Department

from . import actions, queries
from .choices import DisclosureCategory
from .models import DisclosureRecord, InfoRequest

router = Router(tags=["政务公开"])


class IndexNumberConverter:
    """An index number may contain "/" (the default format does); any character is accepted so that every unknown
    number gets the API's JSON 404 rather than the site's HTML one."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IndexNumberConverter, "index_number")
ERR = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Invalid, 429: Problem}
PROGRESS_NOT_FOUND = "申请编号或查询码不正确"

CategoryValue = Literal[
    "regulation",
    "normative",
    "plan",
    "budget",
    "statistics",
    "personnel",
    "procurement",
    "power",
    "supervision",
    "decision",
    "other",
]


class RecordOut(Schema):
    index_number: str = Field(..., description="索引号（公开时生成，唯一，永不复用）")
    title: str
    organ_id: int
    organ: str = Field(..., description="发布机构")
    document_number: str = Field(..., description="文号")
    formed_on: date = Field(..., description="生成日期")
    category: str = Field(
        ..., description="主题分类：" + "，".join(f"{c.value} {c.label}" for c in DisclosureCategory)
    )
    category_label: str
    theme: str
    form: str
    validity: str
    validity_label: str
    summary: str
    status: str = Field(..., description="published 已公开，withdrawn 已撤回（保留索引号）")
    published_at: datetime
    withdrawn_at: datetime | None
    withdraw_reason: str
    url: str


class RecordDetail(RecordOut):
    body: str


class RecordFilter(Schema):
    organ: int | None = Field(None, description="发布机构（部门编号）")
    category: CategoryValue | None = Field(None, description="主题分类")
    year: int | None = Field(None, ge=2000, le=2100, description="公开年度")
    q: str = Field("", max_length=100, description="检索词（中文分词）或索引号")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


def _record(record: DisclosureRecord, *, body: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "index_number": record.index_number,
        "title": record.title,
        "organ_id": record.organ_id,
        "organ": record.organ.name,
        "document_number": record.document_number,
        "formed_on": record.formed_on,
        "category": record.category,
        "category_label": record.get_category_display(),
        "theme": record.theme,
        "form": record.form,
        "validity": record.validity,
        "validity_label": record.get_validity_display(),
        "summary": record.summary,
        "status": record.status,
        "published_at": record.published_at,
        "withdrawn_at": record.withdrawn_at,
        "withdraw_reason": record.withdraw_reason,
        "url": record.get_absolute_url(),
    }
    if body:
        data["body"] = record.body
    return data


@router.get(
    "/disclosure",
    auth=None,
    response={200: list[RecordOut], 422: Invalid},
    summary="政府信息公开目录（公开）",
    description="已公开（含已撤回）的政府信息，按公开时间倒序；可按发布机构、主题分类、年度和检索词筛选。",
    operation_id="list_disclosure_records",
)
def list_records(request: HttpRequest, filters: Query[RecordFilter]) -> list[dict[str, Any]]:
    records = queries.public_records()
    if filters.organ is not None:
        records = records.filter(organ_id=filters.organ)
    if filters.category:
        records = records.filter(category=filters.category)
    if filters.year is not None:
        start = datetime(filters.year, 1, 1, tzinfo=SHANGHAI)
        end = datetime(filters.year + 1, 1, 1, tzinfo=SHANGHAI)
        records = records.filter(published_at__gte=start, published_at__lt=end)
    records = queries.search(records, filters.q)
    return [_record(r) for r in records[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/disclosure/{index_number:index_number}",
    auth=None,
    response={200: RecordDetail, 404: Problem},
    summary="按索引号查看公开信息（公开）",
    operation_id="get_disclosure_record",
)
def get_record(request: HttpRequest, index_number: str) -> dict[str, Any]:
    record = queries.public_records().filter(index_number=index_number.strip()).first()
    if record is None:
        raise Http404
    return _record(record, body=True)


class InfoRequestIn(Schema):
    organ: int = Field(..., description="受理申请的行政机关（部门编号）")
    requester_kind: Literal[
        "person", "business", "research", "public_interest", "legal_service", "other_org"
    ] = "person"
    requester_name: str = Field(..., max_length=100, description="申请人姓名或名称")
    requester_id_number: str = Field(
        ..., max_length=18, description="身份证号码（自然人）或统一社会信用代码（组织）"
    )
    phone: str = Field(..., max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=200)
    description: str = Field(
        ..., max_length=2000, description="所需信息的名称、文号或者便于查询的其他特征性描述"
    )
    form_wanted: str = Field("电子数据", max_length=50, description="获取信息的方式")


class InfoRequestCreated(Schema):
    number: str
    check_code: str = Field(..., description="查询码：凭申请编号和查询码查询进度、下载答复书")
    due_day: date | None = Field(..., description="答复期限（20个工作日）")
    progress_url: str


class ProgressQuery(Schema):
    number: str = Field(..., max_length=20, description="申请编号（YS 开头）")
    code: str = Field(..., max_length=12, description="查询码")


class ProgressOut(Schema):
    number: str
    organ: str
    status: str
    status_label: str
    received_at: datetime
    due_day: date | None
    outcome: str
    outcome_label: str
    answered_at: datetime | None
    answer_pdf_url: str | None = Field(..., description="已签章答复书的下载地址（答复后）")
    history: list[dict[str, Any]]


def _ip_rule() -> throttle.Rule:
    limit, seconds = settings.GOVHALL_THROTTLE_INFO_REQUEST_IP
    return throttle.Rule("info_request_ip", int(limit), int(seconds))


def count_public_request(request: HttpRequest) -> None:
    """Every public request counts against its client address (as the kiosk's tickets do): filing is the abuse."""
    ip = throttle.client_ip(request)
    if not ip:
        return
    rule = _ip_rule()
    wait = throttle.retry_after(rule, ip)
    if wait:
        raise throttle.Throttled(f"提交过于频繁，请 {max(1, wait // 60)} 分钟后再试。", wait)
    throttle.record_failure(rule, ip)


def _organ(pk: int) -> Department:
    organ = Department.objects.filter(pk=pk, active=True).first()
    if organ is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"organ": "未找到该行政机关"})
    return organ


@router.post(
    "/info-requests",
    auth=None,
    response={201: InfoRequestCreated, **ERR},
    summary="提交政府信息公开申请（公开）",
    description=(
        "网上提交依申请公开（《政府信息公开条例》第二十九条）。自收到申请之日起20个工作日内答复。"
        "返回申请编号和查询码。同一地址提交过于频繁返回 429。参数错误返回 422，错误信息为中文并指明字段。"
    ),
    operation_id="create_info_request",
)
def create_info_request(request: HttpRequest, payload: InfoRequestIn) -> Status[dict[str, Any]]:
    count_public_request(request)
    created = actions.file_request(
        by=None,
        organ=_organ(payload.organ),
        channel="online",
        requester_kind=payload.requester_kind,
        requester_name=payload.requester_name,
        requester_id_number=payload.requester_id_number,
        phone=payload.phone,
        email=payload.email,
        address=payload.address,
        description=payload.description,
        form_wanted=payload.form_wanted,
    )
    return Status(
        201,
        {
            "number": created.number,
            "check_code": created.check_code,
            "due_day": created.clock.due_day if created.clock else None,
            "progress_url": f"/disclosure/progress/?number={created.number}&code={created.check_code}",
        },
    )


def progress_data(found: InfoRequest) -> dict[str, Any]:
    pdf = None
    if found.answer_document_id:
        pdf = f"/disclosure/progress/answer.pdf?number={found.number}&code={found.check_code}"
    return {
        "number": found.number,
        "organ": found.organ.name,
        "status": found.status,
        "status_label": found.get_status_display(),
        "received_at": found.received_at,
        "due_day": found.clock.due_day if found.clock and found.is_open else None,
        "outcome": found.outcome,
        "outcome_label": found.get_outcome_display() if found.outcome else "",
        "answered_at": found.answered_at,
        "answer_pdf_url": pdf,
        "history": [{"at": e.at, "event": e.get_kind_display()} for e in found.events.all()],
    }


@router.get(
    "/info-requests/progress",
    auth=None,
    response={200: ProgressOut, **ERR},
    summary="依申请公开进度查询（公开）",
    description="凭申请编号和查询码查询办理进度。编号或查询码不正确返回 404；错误次数过多返回 429。",
    operation_id="get_info_request_progress",
)
def get_progress(request: HttpRequest, query: Query[ProgressQuery]) -> dict[str, Any]:
    found = throttle.guarded_lookup(
        request, query.number.strip(), lambda: queries.find_request(query.number, query.code)
    )
    if found is None:
        raise HttpError(404, PROGRESS_NOT_FOUND)
    return progress_data(found)


# --- staff ---------------------------------------------------------------------------------------------------


class AnswerIn(Schema):
    outcome: Literal[
        "already_public",
        "disclosed",
        "partly",
        "withheld",
        "not_exist",
        "not_this_agency",
        "needs_creation",
        "still_unclear",
        "special_procedure",
        "repeated",
        "not_processed",
    ]
    answer_text: str = Field("", max_length=5000)
    reason_category: str = Field("", max_length=20, description="不予公开、部分公开、不予处理的理由类别")
    where_public: str = Field("", max_length=300)
    right_agency: str = Field("", max_length=200)
    index_numbers: list[str] = Field(default_factory=list, description="涉及的已公开信息的索引号")


class StaffRequestOut(Schema):
    number: str
    organ: str
    status: str
    requester_name: str
    description: str
    due_day: date | None
    outcome: str
    answer_document: str | None


def _staff_request(request: HttpRequest, number: str) -> InfoRequest:
    found = queries.requests_for(acting_user(request)).filter(number=number).first()
    if found is None:
        raise Http404
    return found


def _staff_out(found: InfoRequest) -> dict[str, Any]:
    return {
        "number": found.number,
        "organ": found.organ.name,
        "status": found.status,
        "requester_name": found.requester_name,
        "description": found.description,
        "due_day": found.clock.due_day if found.clock else None,
        "outcome": found.outcome,
        "answer_document": found.answer_document.number if found.answer_document else None,
    }


@router.get(
    "/info-requests",
    auth=AUTH,
    response={200: list[StaffRequestOut], **ERR},
    summary="本机关的政府信息公开申请（工作人员）",
    operation_id="list_info_requests",
)
def list_requests(request: HttpRequest) -> list[dict[str, Any]]:
    return [_staff_out(r) for r in queries.requests_for(acting_user(request))[:200]]


@router.post(
    "/info-requests/{number}/answer",
    auth=AUTH,
    response={200: StaffRequestOut, **ERR},
    summary="答复政府信息公开申请（政务公开专员）",
    description="按《政府信息公开条例》第三十六条作出答复，出具加盖电子印章的答复书并停止计时。",
    operation_id="answer_info_request",
)
def answer(request: HttpRequest, number: str, payload: AnswerIn) -> dict[str, Any]:
    user = acting_user(request)
    assert isinstance(user, User)
    found = _staff_request(request, number)
    records = list(DisclosureRecord.objects.filter(index_number__in=payload.index_numbers))
    done = actions.answer_request(
        found,
        by=user,
        outcome=payload.outcome,
        answer_text=payload.answer_text,
        reason_category=payload.reason_category,
        where_public=payload.where_public,
        right_agency=payload.right_agency,
        records=records,
    )
    return _staff_out(done)


class ClarifyIn(Schema):
    items: str = Field(..., max_length=1000, description="需要补正的事项")
    days: int = Field(15, ge=1, le=60, description="补正期限（工作日）")


class ConsultIn(Schema):
    third_party: str = Field(..., max_length=200, description="第三方名称")


class OpinionIn(Schema):
    opinion: str = Field("", max_length=2000, description="第三方意见（留空表示逾期未提出意见）")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=1000, description="延期理由")


def _acting(request: HttpRequest) -> User:
    user = acting_user(request)
    assert isinstance(user, User)
    return user


@router.post(
    "/info-requests/{number}/clarify",
    auth=AUTH,
    response={200: StaffRequestOut, **ERR},
    summary="告知补正（政务公开专员）",
    description="收到申请之日起7个工作日内一次性告知补正（《政府信息公开条例》第三十条）；答复期限自收到补正之日起重新计算。",
    operation_id="clarify_info_request",
)
def clarify(request: HttpRequest, number: str, payload: ClarifyIn) -> dict[str, Any]:
    found = _staff_request(request, number)
    return _staff_out(
        actions.request_clarification(found, by=_acting(request), items=payload.items, days=payload.days)
    )


@router.post(
    "/info-requests/{number}/consult",
    auth=AUTH,
    response={200: StaffRequestOut, **ERR},
    summary="征求第三方意见（政务公开专员）",
    description="第三方15个工作日内答复；征求意见的时间不计入答复期限，计时暂停（第三十二条）。",
    operation_id="consult_info_request",
)
def consult(request: HttpRequest, number: str, payload: ConsultIn) -> dict[str, Any]:
    found = _staff_request(request, number)
    return _staff_out(actions.start_consultation(found, by=_acting(request), third_party=payload.third_party))


@router.post(
    "/info-requests/{number}/consult-end",
    auth=AUTH,
    response={200: StaffRequestOut, **ERR},
    summary="登记第三方意见（政务公开专员）",
    operation_id="end_info_request_consultation",
)
def consult_end(request: HttpRequest, number: str, payload: OpinionIn) -> dict[str, Any]:
    found = _staff_request(request, number)
    return _staff_out(actions.end_consultation(found, by=_acting(request), opinion=payload.opinion))


@router.post(
    "/info-requests/{number}/extend",
    auth=AUTH,
    response={200: StaffRequestOut, **ERR},
    summary="延长答复期限（本机关负责人）",
    description="经本机关负责人同意延长20个工作日，只能一次（第三十三条第二款）。",
    operation_id="extend_info_request",
)
def extend(request: HttpRequest, number: str, payload: ReasonIn) -> dict[str, Any]:
    found = _staff_request(request, number)
    return _staff_out(actions.extend_request(found, by=_acting(request), reason=payload.reason))
