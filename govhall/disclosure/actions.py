"""The only writers of the disclosure catalog and of information requests (《政府信息公开条例》, 2019).

Every action is atomic, locks the row it changes, writes a typed audit event and starts or stops the one clock
engine's clocks: the 20 working days of proactive disclosure (第二十六条) on a draft record, and the answer limit
of a request (第三十三条: 20 working days, +20 with the head's approval; 第三十条: a request to clarify stops it
and the limit counts again from the clarified request; 第三十二条: consulting a third party pauses it). Errors
are Chinese ValidationErrors keyed by field; the wrong person gets PermissionDenied."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, QuerySet
from django.urls import reverse

from govhall.calendars.engine import add_working_days, local_date, working_days_between
from govhall.catalog.search import build_search_text
from govhall.clocks.actions import (
    extend_clock,
    pause_clock,
    resume_clock,
    set_clock_owner,
    start_clock,
    stop_clock,
)
from govhall.clocks.choices import ClockKind, ClockState
from govhall.clocks.models import Clock
from govhall.clocks.owner import ClockOwner, subject_type
from govhall.core.audit import record_event
from govhall.core.clock import now
from govhall.core.identifiers import new_check_code, validate_resident_id, validate_uscc
from govhall.core.models import AuditEventType
from govhall.documents.actions import issue_document
from govhall.documents.choices import DocumentKind
from govhall.documents.models import Document
from govhall.org.access import has_role, require_role
from govhall.org.choices import Role
from govhall.org.models import Department

from .choices import (
    DisclosureCategory,
    DisclosureForm,
    NotProcessedReason,
    RecordStatus,
    RequestChannel,
    RequesterKind,
    RequestEventKind,
    RequestOutcome,
    RequestStatus,
    Validity,
    WithholdReason,
)
from .index import next_index_number
from .models import DisclosureRecord, InfoRequest, InfoRequestEvent, RequestNumberCounter

# 《政府信息公开条例》第二十六条: proactive disclosure within 20 working days of forming or change.
PROACTIVE_DAYS = 20
# 第三十三条: answer within 20 working days of receipt; the head may approve 20 more, once.
ANSWER_DAYS = 20
EXTENSION_DAYS = 20
# 第三十条: the one notice to clarify within 7 working days of receipt.
CLARIFY_NOTICE_DAYS = 7
# 第三十条 leaves the requester "a reasonable period" to clarify; 15 working days is the common local rule.
DEFAULT_CLARIFY_DAYS = 15
# 第三十二条: the third party has 15 working days to give its opinion.
CONSULT_DAYS = 15

REMEDIES = (
    "如对本答复不服，可以自收到本答复书之日起六十日内依法申请行政复议，或者自收到本答复书之日起六个月内依法"
    "向人民法院提起行政诉讼；也可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报"
    "（《中华人民共和国政府信息公开条例》第五十一条）。"
)
_PHONE_RE = re.compile(r"^[0-9][0-9\-]{6,19}$")
RECORD_EDITABLE = ("title", "document_number", "summary", "body", "theme", "form", "validity", "category")


def _actor(user: User | None) -> User | None:
    return user if user is not None and getattr(user, "pk", None) else None


# --------------------------------------------------------------------------- the catalog


def _record_after(record: DisclosureRecord) -> dict[str, Any]:
    return {
        "index_number": record.index_number,
        "organ": record.organ_id,
        "title": record.title,
        "category": record.category,
        "document_number": record.document_number,
        "formed_on": record.formed_on.isoformat() if record.formed_on else None,
        "status": record.status,
        "validity": record.validity,
        "summary": record.summary[:200],
    }


def _search_text(record: DisclosureRecord) -> str:
    return build_search_text(
        record.title,
        record.organ.name,
        record.document_number,
        record.theme,
        DisclosureCategory(record.category).label,
        record.summary[:500],
    )


def _clean_record(
    *,
    organ: Department | None,
    title: str,
    category: str,
    summary: str,
    body: str,
    document_number: str,
    formed_on: date | None,
    theme: str,
    form: str,
    validity: str,
    today: date,
) -> dict[str, Any]:
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if organ is None or not getattr(organ, "pk", None):
        errors["organ"] = "请选择发布机构"
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > 300:
        errors["title"] = "标题不能超过300个字"
    if category not in DisclosureCategory.values:
        errors["category"] = "请选择主题分类（规章、规范性文件、规划计划等）"
    if len((document_number or "").strip()) > 100:
        errors["document_number"] = "文号不能超过100个字"
    if formed_on is not None and not isinstance(formed_on, date):
        errors["formed_on"] = "生成日期应为日期"
    elif formed_on is not None and formed_on > today:
        errors["formed_on"] = "生成日期不能晚于今天"
    if form not in DisclosureForm.values:
        errors["form"] = "请选择公开形式"
    if validity not in Validity.values:
        errors["validity"] = "请选择效力状态"
    if len((theme or "").strip()) > 100:
        errors["theme"] = "主题词不能超过100个字"
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "category": category,
        "summary": (summary or "").strip(),
        "body": (body or "").strip(),
        "document_number": (document_number or "").strip(),
        "formed_on": formed_on or today,
        "theme": (theme or "").strip(),
        "form": form,
        "validity": validity,
    }


def _new_record(
    *,
    actor: User | None,
    organ: Department,
    source: models.Model | None,
    at: datetime,
    **fields: Any,
) -> DisclosureRecord:
    cleaned = _clean_record(organ=organ, today=local_date(at), **fields)
    record = DisclosureRecord(
        organ=organ,
        status=RecordStatus.DRAFT,
        created_at=at,
        created_by=_actor(actor),
        **cleaned,
    )
    if source is not None:
        if source.pk is None:
            raise ValidationError({"source": "公开的对象尚未保存"})
        record.source_type = subject_type(source)
        record.source_id = str(source.pk)
    record.search_text = _search_text(record)
    record.save()
    return record


def _publish(record: DisclosureRecord, *, actor: User | None, at: datetime) -> DisclosureRecord:
    record.index_number = next_index_number(record.organ, record.category, local_date(at))
    record.status = RecordStatus.PUBLISHED
    record.published_at = at
    record.published_by = _actor(actor)
    record.search_text = _search_text(record) + " " + record.index_number.lower()
    record.save()
    if record.clock_id is not None:
        stop_clock(Clock.objects.select_for_update().get(pk=record.clock_id), at=at)
    record_event(
        AuditEventType.DISCLOSURE_PUBLISHED, actor=_actor(actor), obj=record, after=_record_after(record)
    )
    return record


@transaction.atomic
def publish_record(
    *,
    actor: User | None,
    organ: Department,
    title: str,
    category: str,
    summary: str = "",
    body: str = "",
    document_number: str = "",
    formed_on: date | None = None,
    source: models.Model | None = None,
    theme: str = "",
    form: str = DisclosureForm.WEBSITE,
    validity: str = Validity.NOT_APPLICABLE,
) -> DisclosureRecord:
    """Create a catalog record and publish it at once: the index number is assigned and the publication audited.
    Used by the modules above (normative documents, warnings, inspection results…) and by staff."""
    at = now()
    record = _new_record(
        actor=actor,
        organ=organ,
        source=source,
        at=at,
        title=title,
        category=category,
        summary=summary,
        body=body,
        document_number=document_number,
        formed_on=formed_on,
        theme=theme,
        form=form,
        validity=validity,
    )
    return _publish(record, actor=actor, at=at)


@transaction.atomic
def draft_record(
    *,
    actor: User | None,
    organ: Department,
    title: str,
    category: str,
    summary: str = "",
    body: str = "",
    document_number: str = "",
    formed_on: date | None = None,
    source: models.Model | None = None,
    theme: str = "",
    form: str = DisclosureForm.WEBSITE,
    validity: str = Validity.NOT_APPLICABLE,
) -> DisclosureRecord:
    """Register information formed or changed on `formed_on` that is to be published: the 20 working days of
    《政府信息公开条例》第二十六条 start from that day, on a clock owned by the organ."""
    at = now()
    record = _new_record(
        actor=actor,
        organ=organ,
        source=source,
        at=at,
        title=title,
        category=category,
        summary=summary,
        body=body,
        document_number=document_number,
        formed_on=formed_on,
        theme=theme,
        form=form,
        validity=validity,
    )
    clock = start_clock(
        kind=ClockKind.DISCLOSURE,
        amount=PROACTIVE_DAYS,
        unit="workday",
        at=at,
        start_day=record.formed_on,
        label=record.title[:100],
        owner=ClockOwner(
            label=f"主动公开“{record.title[:60]}”",
            link=reverse("disclosure:staff_record", args=[record.pk]),
            department=organ,
            subject=record,
        ),
    )
    record.clock = clock
    record.save(update_fields=["clock"])
    record_event(
        AuditEventType.DISCLOSURE_DRAFTED, actor=_actor(actor), obj=record, after=_record_after(record)
    )
    return record


def _locked_record(record: DisclosureRecord) -> DisclosureRecord:
    return DisclosureRecord.objects.select_for_update(of=("self",)).select_related("organ").get(pk=record.pk)


@transaction.atomic
def publish_draft(record: DisclosureRecord, *, actor: User | None) -> DisclosureRecord:
    """Publish a draft: its index number is assigned now and the art. 26 clock stops."""
    record = _locked_record(record)
    if record.status != RecordStatus.DRAFT:
        raise ValidationError({"status": f"该信息{record.get_status_display()}，不能再次公开"})
    return _publish(record, actor=actor, at=now())


@transaction.atomic
def correct_record(
    record: DisclosureRecord, *, actor: User | None, reason: str, **changes: Any
) -> DisclosureRecord:
    """Correct catalog fields of a record (更正); the index number never changes. Audited with before/after."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写更正理由"})
    unknown = set(changes) - set(RECORD_EDITABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "该项不能更正"})
    record = _locked_record(record)
    if record.status == RecordStatus.WITHDRAWN:
        raise ValidationError({"status": "已撤回的信息不能更正"})
    before = _record_after(record)
    values = {name: getattr(record, name) for name in RECORD_EDITABLE if name != "body"}
    values["body"] = record.body
    values.update({k: v for k, v in changes.items()})
    cleaned = _clean_record(organ=record.organ, formed_on=record.formed_on, today=record.formed_on, **values)
    for name in RECORD_EDITABLE:
        setattr(record, name, cleaned[name])
    at = now()
    if record.status == RecordStatus.PUBLISHED:
        record.corrected_at = at
    record.search_text = _search_text(record) + (
        " " + record.index_number.lower() if record.index_number else ""
    )
    record.save()
    record_event(
        AuditEventType.DISCLOSURE_CORRECTED,
        actor=_actor(actor),
        obj=record,
        before=before,
        after=_record_after(record),
        note=reason,
    )
    return record


@transaction.atomic
def withdraw_record(record: DisclosureRecord, *, actor: User | None, reason: str) -> DisclosureRecord:
    """Withdraw a published record (撤回): it stays in the catalog under its index number, marked withdrawn with the
    reason, and the number is never given to another record."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤回理由"})
    record = _locked_record(record)
    if record.status != RecordStatus.PUBLISHED:
        raise ValidationError({"status": f"该信息{record.get_status_display()}，不能撤回"})
    before = _record_after(record)
    record.status = RecordStatus.WITHDRAWN
    record.withdrawn_at = now()
    record.withdrawn_by = _actor(actor)
    record.withdraw_reason = reason
    record.save()
    record_event(
        AuditEventType.DISCLOSURE_WITHDRAWN,
        actor=_actor(actor),
        obj=record,
        before=before,
        after=_record_after(record),
        note=reason,
    )
    return record


def records_for(source: models.Model) -> QuerySet[DisclosureRecord]:
    """The published records that disclose `source`."""
    return DisclosureRecord.objects.filter(
        source_type=subject_type(source), source_id=str(source.pk), status=RecordStatus.PUBLISHED
    )


# --------------------------------------------------------------------------- information requests


def next_request_number(day: date) -> str:
    """YS + YYYYMMDD + 4-digit daily sequence; the UPDATE takes the row lock before anyone reads the value."""
    counter = RequestNumberCounter.objects.filter(day=day)
    if not counter.update(last=F("last") + 1):
        RequestNumberCounter.objects.bulk_create(
            [RequestNumberCounter(day=day, last=0)], ignore_conflicts=True
        )
        counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"YS{day:%Y%m%d}{last:04d}"


def _require_officer(by: User | None, request: InfoRequest, what: str) -> User:
    if by is None:
        raise ValidationError({"by": "请先登录"})
    require_role(
        by,
        Role.DISCLOSURE_OFFICER,
        department=request.organ_id,
        message=f"只有本机关的政务公开专员可以{what}",
    )
    return by


def _event(
    request: InfoRequest,
    kind: RequestEventKind,
    *,
    by: User | None,
    at: datetime,
    note: str = "",
    document: Document | None = None,
) -> None:
    InfoRequestEvent.objects.create(
        request=request, kind=kind, at=at, actor=_actor(by), note=note, document=document
    )


def _owner(request: InfoRequest) -> ClockOwner:
    return ClockOwner(
        label=f"政府信息公开申请 {request.number} 答复时限",
        link=reverse("disclosure:staff_request", args=[request.number]),
        department=request.organ,
        subject=request if request.pk else None,
    )


def _start_answer_clock(request: InfoRequest, *, at: datetime, start_day: date) -> Clock:
    return start_clock(
        kind=ClockKind.INFO_REQUEST,
        amount=ANSWER_DAYS,
        unit="workday",
        at=at,
        start_day=start_day,
        label=request.number,
        owner=_owner(request),
    )


def _locked(request: InfoRequest) -> InfoRequest:
    return (
        InfoRequest.objects.select_for_update(of=("self",))
        .select_related("organ", "clock")
        .get(pk=request.pk)
    )


def _notice(
    request: InfoRequest,
    kind: str,
    *,
    by: User | None,
    at: datetime,
    paragraphs: list[str],
    remedies: str = "",
) -> Document:
    return issue_document(
        kind=kind,
        department=request.organ,
        case_number=request.number,
        recipient=request.requester_name,
        content={
            "paragraphs": paragraphs,
            "rows": [
                ["申请编号", request.number],
                ["收到申请日期", f"{local_date(request.received_at):%Y年%m月%d日}"],
            ],
            "remedies": remedies,
        },
        by=_actor(by),
        at=at,
    )


def _fmt(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@transaction.atomic
def file_request(
    *,
    by: User | None,
    organ: Department | None,
    channel: str,
    requester_name: str,
    requester_id_number: str,
    phone: str,
    description: str,
    requester_kind: str = RequesterKind.PERSON,
    contact_name: str = "",
    address: str = "",
    email: str = "",
    form_wanted: str = "电子数据",
    received_on: date | None = None,
) -> InfoRequest:
    """Register a request. Online anyone may file; a letter or a request at the window is entered by an officer of
    the organ, who may give the day the letter was signed for (《政府信息公开条例》第三十一条: the request counts as
    received that day). The 20 working days of 第三十三条 run from the day of receipt."""
    at = now()
    today = local_date(at)
    requester_name = (requester_name or "").strip()
    phone = (phone or "").strip().replace(" ", "")
    description = (description or "").strip()
    errors: dict[str, str] = {}
    if organ is None or not getattr(organ, "pk", None):
        errors["organ"] = "请选择受理申请的行政机关"
    if channel not in RequestChannel.values:
        errors["channel"] = "请选择申请方式（网上、信函、当面）"
    if requester_kind not in RequesterKind.values:
        errors["requester_kind"] = "请选择申请人类型"
    if not requester_name:
        errors["requester_name"] = "请填写申请人姓名或名称"
    elif len(requester_name) > 100:
        errors["requester_name"] = "申请人姓名或名称不能超过100个字"
    try:
        if requester_kind == RequesterKind.PERSON:
            requester_id_number = validate_resident_id(requester_id_number)
        else:
            requester_id_number = validate_uscc(requester_id_number)
    except ValidationError as exc:
        errors["requester_id_number"] = exc.messages[0]
    if not _PHONE_RE.match(phone):
        errors["phone"] = "请填写正确的联系电话"
    if not description:
        errors["description"] = "请描述所需政府信息（名称、文号或者便于查询的其他特征）"
    elif len(description) > 2000:
        errors["description"] = "信息描述不能超过2000个字"
    if email and "@" not in email:
        errors["email"] = "电子邮箱格式不正确"
    if len(address or "") > 200:
        errors["address"] = "通信地址不能超过200个字"
    if received_on is not None and (received_on > today or channel != RequestChannel.LETTER):
        errors["received_on"] = "只有信函申请可以填写签收日期，且不能晚于今天"
    if errors:
        raise ValidationError(errors)
    assert organ is not None
    if channel != RequestChannel.ONLINE:
        if by is None:
            raise ValidationError({"channel": "信函和当面申请由工作人员登记"})
        require_role(
            by,
            Role.DISCLOSURE_OFFICER,
            department=organ,
            message="只有本机关的政务公开专员可以登记信函或当面申请",
        )
    start_day = received_on or today
    number = next_request_number(today)
    request = InfoRequest(
        number=number,
        check_code=new_check_code(),
        organ=organ,
        channel=channel,
        requester_kind=requester_kind,
        requester_name=requester_name,
        requester_id_number=requester_id_number,
        contact_name=(contact_name or "").strip()[:50],
        phone=phone,
        address=(address or "").strip(),
        email=(email or "").strip(),
        description=description,
        form_wanted=(form_wanted or "").strip()[:50],
        received_at=at,
        received_by=_actor(by) if channel != RequestChannel.ONLINE else None,
    )
    request.clock = _start_answer_clock(request, at=at, start_day=start_day)
    request.save()
    set_clock_owner(request.clock, subject=request)
    _event(request, RequestEventKind.RECEIVED, by=by, at=at, note=RequestChannel(channel).label)
    record_event(
        AuditEventType.INFO_REQUEST_RECEIVED,
        actor=_actor(by),
        obj=request,
        after={"number": number, "organ": organ.pk, "channel": channel, "received_on": start_day.isoformat()},
    )
    return request


def _require_status(request: InfoRequest, *allowed: RequestStatus) -> None:
    if request.status not in allowed:
        raise ValidationError({"status": f"申请当前状态为“{request.get_status_display()}”，不能进行此操作"})


@transaction.atomic
def request_clarification(
    request: InfoRequest, *, by: User | None, items: str, days: int = DEFAULT_CLARIFY_DAYS
) -> InfoRequest:
    """The one notice to clarify (《政府信息公开条例》第三十条), within 7 working days of receipt: it names what to
    clarify and a reasonable period; the answer limit stops and counts again from the clarified request."""
    request = _locked(request)
    _require_officer(by, request, "告知补正")
    _require_status(request, RequestStatus.RECEIVED)
    items = (items or "").strip()
    if not items:
        raise ValidationError({"items": "请写明需要补正的事项"})
    if request.clarify_requested_at is not None:
        raise ValidationError({"items": "补正只能一次性告知，本申请已告知过补正"})
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise ValidationError({"days": "补正期限应为1至60个工作日"})
    at = now()
    today = local_date(at)
    received = request.clock.start_day if request.clock else local_date(request.received_at)
    if working_days_between(received, today).value > CLARIFY_NOTICE_DAYS:
        raise ValidationError({"items": "已超过收到申请之日起7个工作日，不能再告知补正（条例第三十条）"})
    if request.clock is not None and request.clock.state != ClockState.STOPPED:
        stop_clock(request.clock, at=at)
    request.status = RequestStatus.CLARIFYING
    request.clarify_requested_at = at
    request.clarify_items = items
    request.clarify_due = add_working_days(today, days).value
    request.save()
    document = _notice(
        request,
        DocumentKind.INFO_CLARIFY,
        by=by,
        at=at,
        paragraphs=[
            f"本机关于{_fmt(received)}收到您提出的政府信息公开申请（编号{request.number}）。",
            f"经审查，申请内容不够明确。根据《中华人民共和国政府信息公开条例》第三十条的规定，请您补正以下事项：{items}",
            f"请于{_fmt(request.clarify_due)}前补正。答复期限自本机关收到补正的申请之日起计算；"
            "无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        ],
    )
    _event(request, RequestEventKind.CLARIFY_REQUESTED, by=by, at=at, note=items, document=document)
    record_event(
        AuditEventType.INFO_REQUEST_HANDLED,
        actor=_actor(by),
        obj=request,
        note=f"告知补正：{items[:200]}",
        after={"clarify_due": request.clarify_due.isoformat()},
    )
    return request


@transaction.atomic
def clarify_request(request: InfoRequest, *, description: str, by: User | None = None) -> InfoRequest:
    """The requester's clarification (online with number and check code, or entered by an officer): a new answer
    limit of 20 working days starts from the day it is received (条例第三十条)."""
    request = _locked(request)
    _require_status(request, RequestStatus.CLARIFYING)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "请填写补正后的信息描述"})
    if len(description) > 2000:
        raise ValidationError({"description": "信息描述不能超过2000个字"})
    at = now()
    request.clarified_description = description
    request.clarified_at = at
    request.status = RequestStatus.RECEIVED
    request.clock = _start_answer_clock(request, at=at, start_day=local_date(at))
    request.save()
    _event(request, RequestEventKind.CLARIFIED, by=by, at=at, note=description[:500])
    record_event(AuditEventType.INFO_REQUEST_HANDLED, actor=_actor(by), obj=request, note="申请人补正")
    return request


@transaction.atomic
def abandon_unclarified(request: InfoRequest, *, by: User | None = None) -> InfoRequest:
    """No clarification by the due day: the request is deemed abandoned (条例第三十条)."""
    request = _locked(request)
    _require_status(request, RequestStatus.CLARIFYING)
    at = now()
    if request.clarify_due is None or local_date(at) <= request.clarify_due:
        raise ValidationError({"status": "补正期限尚未届满"})
    request.status = RequestStatus.ABANDONED
    request.save(update_fields=["status"])
    _event(request, RequestEventKind.ABANDONED, by=by, at=at)
    record_event(
        AuditEventType.INFO_REQUEST_HANDLED, actor=_actor(by), obj=request, note="逾期未补正，视为放弃申请"
    )
    return request


def abandon_overdue_clarifications(*, limit: int = 200) -> int:
    """The background job: every request whose clarification period has run out. Returns how many."""
    today = local_date(now())
    done = 0
    for request in InfoRequest.objects.filter(status=RequestStatus.CLARIFYING, clarify_due__lt=today)[:limit]:
        abandon_unclarified(request)
        done += 1
    return done


@transaction.atomic
def start_consultation(request: InfoRequest, *, by: User | None, third_party: str) -> InfoRequest:
    """Ask a third party whose rights may be harmed (条例第三十二条): it has 15 working days; the time taken does
    not count toward the answer limit, so the clock pauses."""
    request = _locked(request)
    _require_officer(by, request, "征求第三方意见")
    _require_status(request, RequestStatus.RECEIVED)
    third_party = (third_party or "").strip()
    if not third_party:
        raise ValidationError({"third_party": "请填写第三方名称"})
    at = now()
    if request.clock is not None and request.clock.state == ClockState.RUNNING:
        pause_clock(request.clock, at=at)
    request.status = RequestStatus.CONSULTING
    request.third_party = third_party[:200]
    request.consult_started_at = at
    request.consult_due = add_working_days(local_date(at), CONSULT_DAYS).value
    request.save()
    _event(request, RequestEventKind.CONSULTED, by=by, at=at, note=third_party)
    record_event(
        AuditEventType.INFO_REQUEST_HANDLED,
        actor=_actor(by),
        obj=request,
        note=f"征求第三方意见：{third_party[:100]}",
    )
    return request


@transaction.atomic
def end_consultation(request: InfoRequest, *, by: User | None, opinion: str = "") -> InfoRequest:
    """The third party answered (or its 15 working days ran out): the answer clock runs again."""
    request = _locked(request)
    _require_officer(by, request, "登记第三方意见")
    _require_status(request, RequestStatus.CONSULTING)
    at = now()
    if request.clock is not None and request.clock.state == ClockState.PAUSED:
        resume_clock(request.clock, at=at)
    request.status = RequestStatus.RECEIVED
    request.consult_ended_at = at
    request.third_party_opinion = (opinion or "").strip() or "第三方逾期未提出意见"
    request.save()
    _event(request, RequestEventKind.CONSULT_ENDED, by=by, at=at, note=request.third_party_opinion[:500])
    record_event(AuditEventType.INFO_REQUEST_HANDLED, actor=_actor(by), obj=request, note="第三方意见返回")
    return request


@transaction.atomic
def extend_request(request: InfoRequest, *, by: User | None, reason: str) -> InfoRequest:
    """+20 working days, once, with the approval of the head of the agency (条例第三十三条第二款); the requester is
    told in writing. `by` is the head approving it."""
    request = _locked(request)
    if by is None:
        raise ValidationError({"by": "请先登录"})
    require_role(
        by, Role.DEPARTMENT_HEAD, department=request.organ_id, message="延长答复期限须经本机关负责人同意"
    )
    _require_status(request, RequestStatus.RECEIVED, RequestStatus.CONSULTING)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写延期理由"})
    if request.extended_at is not None:
        raise ValidationError({"reason": "答复期限只能延长一次"})
    assert request.clock is not None
    at = now()
    extend_clock(request.clock, EXTENSION_DAYS, at=at)
    request.clock.refresh_from_db()
    request.extended_at = at
    request.extended_by = by
    request.extension_reason = reason
    request.save()
    due_text = (
        f"本机关将于{_fmt(request.clock.due_day)}前作出答复。"
        if request.clock.due_day
        else "征求第三方意见的时间不计算在内。"
    )
    document = _notice(
        request,
        DocumentKind.INFO_EXTENSION,
        by=by,
        at=at,
        paragraphs=[
            f"您提出的政府信息公开申请（编号{request.number}），因{reason}，不能在规定期限内作出答复。",
            "经本机关负责人同意，根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，答复期限延长20个工作日，"
            + due_text,
        ],
    )
    _event(request, RequestEventKind.EXTENDED, by=by, at=at, note=reason, document=document)
    record_event(
        AuditEventType.INFO_REQUEST_HANDLED, actor=by, obj=request, note=f"延长答复期限：{reason[:200]}"
    )
    return request


def _answer_paragraphs(request: InfoRequest, outcome: str, reason: str, text: str) -> list[str]:
    received = local_date(request.received_at)
    described = request.clarified_description or request.description
    lines = [
        f"本机关于{_fmt(received)}收到您的政府信息公开申请（编号{request.number}），您申请获取：{described[:300]}。"
    ]
    basis = "根据《中华人民共和国政府信息公开条例》"
    if outcome == RequestOutcome.ALREADY_PUBLIC:
        lines.append(
            f"经审查，您申请的信息已经主动公开，获取途径：{request.where_public}。{basis}第三十六条第一项，特此告知。"
        )
    elif outcome == RequestOutcome.DISCLOSED:
        lines.append(
            f"经审查，您申请的信息属于公开范围。{basis}第三十六条第二项，现予以公开，信息内容随本答复书提供。"
        )
    elif outcome == RequestOutcome.PARTLY:
        lines.append(
            f"经审查，您申请的信息中含有不应当公开的内容（{WithholdReason(reason).label}），但能够作区分处理。"
            f"{basis}第三十七条，现提供可以公开的部分。"
        )
    elif outcome == RequestOutcome.WITHHELD:
        lines.append(
            f"经审查，您申请的信息{WithholdReason(reason).label}。{basis}第三十六条第三项，决定不予公开。"
        )
    elif outcome == RequestOutcome.NOT_EXIST:
        lines.append(
            f"经检索，本机关没有您申请公开的政府信息。{basis}第三十六条第四项，告知该政府信息不存在。"
        )
    elif outcome == RequestOutcome.NOT_THIS_AGENCY:
        lines.append(
            f"经审查，您申请的信息不属于本机关负责公开。{basis}第三十六条第五项，告知您该信息由{request.right_agency}负责公开。"
        )
    elif outcome == RequestOutcome.NEEDS_CREATION:
        lines.append(
            f"经审查，本机关没有现成的该信息，需要对现有信息进行加工、分析。{basis}第三十八条，本机关不予提供。"
        )
    elif outcome == RequestOutcome.STILL_UNCLEAR:
        lines.append(f"经补正后，您的申请内容仍不明确，本机关无法确定所需信息。{basis}第三十条，特此告知。")
    elif outcome == RequestOutcome.SPECIAL_PROCEDURE:
        lines.append(
            f"您申请的信息属于有关法律、行政法规对获取有特别规定的信息。{basis}第三十六条第七项，请依照有关规定办理。"
        )
    elif outcome == RequestOutcome.REPEATED:
        lines.append(f"本机关已就同一政府信息作出过答复。{basis}第三十六条第六项，不予重复处理。")
    elif outcome == RequestOutcome.NOT_PROCESSED:
        lines.append(
            f"经审查，您的申请{NotProcessedReason(reason).label}。{basis}第三十五条、第三十九条，本机关不作为政府信息公开申请处理。"
        )
    if text:
        lines.append(text)
    lines.append("本机关依法不收取信息处理费。")
    return lines


@transaction.atomic
def answer_request(
    request: InfoRequest,
    *,
    by: User | None,
    outcome: str,
    answer_text: str = "",
    reason_category: str = "",
    where_public: str = "",
    right_agency: str = "",
    records: Iterable[DisclosureRecord] = (),
) -> InfoRequest:
    """Answer (条例第三十六条): the outcome, with its reason, becomes a sealed 答复书 carrying the remedies
    (条例第五十一条), and the answer clock stops."""
    request = _locked(request)
    _require_officer(by, request, "答复申请")
    _require_status(request, RequestStatus.RECEIVED, RequestStatus.CONSULTING)
    answer_text = (answer_text or "").strip()
    where_public = (where_public or "").strip()
    right_agency = (right_agency or "").strip()
    records = list(records)
    errors: dict[str, str] = {}
    if outcome not in RequestOutcome.values:
        errors["outcome"] = "请选择答复类型"
    elif (
        outcome in (RequestOutcome.WITHHELD, RequestOutcome.PARTLY)
        and reason_category not in WithholdReason.values
    ):
        errors["reason_category"] = "不予公开（含部分公开）须选择理由类别"
    elif outcome == RequestOutcome.NOT_PROCESSED and reason_category not in NotProcessedReason.values:
        errors["reason_category"] = "不予处理须选择理由类别"
    elif outcome == RequestOutcome.ALREADY_PUBLIC and not (where_public or records):
        errors["where_public"] = "请告知已公开信息的获取途径"
    elif outcome == RequestOutcome.NOT_THIS_AGENCY and not right_agency:
        errors["right_agency"] = "请写明负责公开该信息的机关名称和联系方式"
    elif outcome == RequestOutcome.STILL_UNCLEAR and request.clarified_at is None:
        errors["outcome"] = "未经补正的申请不能以“补正后仍不明确”答复"
    if outcome in (RequestOutcome.DISCLOSED, RequestOutcome.PARTLY) and not (answer_text or records):
        errors["answer_text"] = "请提供公开的信息内容或选择已公开的信息"
    if len(answer_text) > 5000:
        errors["answer_text"] = "答复内容不能超过5000个字"
    if errors:
        raise ValidationError(errors)
    if outcome not in (RequestOutcome.WITHHELD, RequestOutcome.PARTLY, RequestOutcome.NOT_PROCESSED):
        reason_category = ""
    if records and not where_public:
        where_public = "；".join(f"{r.title}（索引号{r.index_number}）" for r in records if r.index_number)
    at = now()
    if request.clock is not None and request.clock.state != ClockState.STOPPED:
        stop_clock(request.clock, at=at)
    request.status = RequestStatus.ANSWERED
    request.outcome = outcome
    request.reason_category = reason_category
    request.answer_text = answer_text
    request.where_public = where_public[:300]
    request.right_agency = right_agency[:200]
    request.answered_at = at
    request.answered_by = by
    if request.consult_started_at is not None and request.consult_ended_at is None:
        request.consult_ended_at = at
    document = _notice(
        request,
        DocumentKind.INFO_ANSWER,
        by=by,
        at=at,
        paragraphs=_answer_paragraphs(request, outcome, reason_category, answer_text),
        remedies=REMEDIES,
    )
    request.answer_document = document
    request.save()
    if records:
        request.records.set(records)
    _event(
        request,
        RequestEventKind.ANSWERED,
        by=by,
        at=at,
        note=RequestOutcome(outcome).label,
        document=document,
    )
    record_event(
        AuditEventType.INFO_REQUEST_ANSWERED,
        actor=by,
        obj=request,
        after={"outcome": outcome, "reason_category": reason_category, "document": document.number},
    )
    return request


def is_officer(user: User | None, organ: Department | int) -> bool:
    """Whether the user handles requests and publishes for `organ`."""
    from govhall.org.access import department_ids

    organ_id = organ if isinstance(organ, int) else organ.pk
    return has_role(user, Role.DISCLOSURE_OFFICER) and organ_id in department_ids(user)
