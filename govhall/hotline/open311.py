"""Open311 GeoReport v2 at /open311/v2/: the open standard outside apps use to file and follow service requests.

Services are the work order categories (咨询 … 建议), which become 12345 work orders, and `efficiency` (效能投诉),
which enters the one efficiency complaint flow. Every resource answers in JSON or XML after its suffix (`.json`,
`.xml`); errors are the spec's list of {code, description}. POST needs an `api_key`: an API token (issued in the
admin, 接口令牌) of an account holding the 12345 operator role; POSTs are rate-limited per key and per address.
Callers' names and phones are never returned; what was said on the phone, the text of 举报 and of efficiency
complaints is not public."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from govhall.complaints import actions as complaint_actions
from govhall.complaints.choices import ComplaintChannel, ComplaintStatus
from govhall.complaints.models import Complaint
from govhall.core import throttle
from govhall.core.clock import now
from govhall.core.tokens import TokenRefused, user_for_token
from govhall.core.tz import SHANGHAI
from govhall.org.access import has_role
from govhall.org.choices import Role

from . import actions
from .choices import Category, OrderSource, OrderStatus, Urgency
from .limits import limit_text
from .models import Open311Request, WorkOrder

EFFICIENCY = "efficiency"
FORMATS = ("json", "xml")
MAX_RESULTS = 1000  # the spec's default: a span of 90 days or the first 1000 requests, whichever is smaller
DEFAULT_SPAN = timedelta(days=90)
CLOSED = (OrderStatus.ANSWERED, OrderStatus.CLOSED, OrderStatus.TRANSFERRED)
PRIVATE_CATEGORIES = (Category.REPORT,)

DESCRIPTIONS = {
    Category.CONSULT: "政策、办事指南等咨询，由承办部门答复。",
    Category.HELP: "生活、生产中遇到困难需要政府部门帮助解决的诉求。",
    Category.COMPLAINT: "对公共服务、市场经营等问题的投诉。",
    Category.REPORT: "对违法违规行为的举报（内容不公开）。",
    Category.SUGGESTION: "对政府工作和公共服务的意见建议。",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering ---------------------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value is not None else None


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, list):
        # A list inside an object (attributes, values): one element per entry, named by the singular.
        singular = {"attributes": "attribute", "values": "value"}.get(key, "item")
        for entry in value:
            _xml_object(child, singular, entry)
    elif value is not None:
        child.text = str(value)


def _xml_object(parent: ET.Element, tag: str, data: dict[str, Any]) -> None:
    element = ET.SubElement(parent, tag)
    for key, value in data.items():
        _xml_value(element, key, value)


def render(
    fmt: str, root: str, item: str, data: list[dict[str, Any]] | dict[str, Any], status: int = 200
) -> HttpResponse:
    """JSON (the list or object as is) or XML (`root` wrapping one `item` element per entry; an object is itself the
    root), UTF-8 with the XML declaration as the spec asks."""
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    if isinstance(data, dict):
        top = ET.Element(root)
        for key, value in data.items():
            _xml_value(top, key, value)
    else:
        top = ET.Element(root)
        for entry in data:
            _xml_object(top, item, entry)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        top, encoding="utf-8", xml_declaration=False
    )
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def error(fmt: str, status: int, description: str, *, retry_after: int | None = None) -> HttpResponse:
    response = render(
        fmt if fmt in FORMATS else "json",
        "errors",
        "error",
        [{"code": status, "description": description}],
        status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# --- services ----------------------------------------------------------------------------------------------------


def _services() -> list[dict[str, Any]]:
    rows = [
        {
            "service_code": str(category.value),
            "service_name": str(category.label),
            "description": f"{DESCRIPTIONS[category]}一般时限{limit_text(category, Urgency.ORDINARY)}，"
            f"紧急时限{limit_text(category, Urgency.URGENT)}。",
            "metadata": True,
            "type": "realtime",
            "keywords": f"12345,{category.label}",
            "group": "12345热线",
        }
        for category in Category
    ]
    rows.append(
        {
            "service_code": EFFICIENCY,
            "service_name": "效能投诉",
            "description": "对政务服务中心及窗口工作人员办事效率、服务态度、违规办理等问题的投诉，"
            f"{complaint_actions.limit_workdays()}个工作日内办结（内容不公开）。",
            "metadata": True,
            "type": "realtime",
            "keywords": "效能投诉,政务服务",
            "group": "政务服务",
        }
    )
    return rows


def _definition(code: str) -> dict[str, Any]:
    if code == EFFICIENCY:
        attributes = [
            {
                "variable": True,
                "code": "case_number",
                "datatype": "string",
                "required": False,
                "datatype_description": "涉及办件的编号（受理回执上的办件编号）",
                "order": 1,
                "description": "涉及办件编号",
                "values": [],
            }
        ]
    elif code in Category.values:
        attributes = [
            {
                "variable": True,
                "code": "urgency",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "默认为一般",
                "order": 1,
                "description": "紧急程度",
                "values": [{"key": str(u.value), "name": str(u.label)} for u in Urgency],
            }
        ]
    else:
        raise Open311Error(404, f"服务代码 {code} 不存在")
    return {"service_code": code, "attributes": attributes}


@require_http_methods(["GET"])
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", "service", _services())


@require_http_methods(["GET"])
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    try:
        return render(fmt, "service_definition", "", _definition(code))
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)


# --- service requests --------------------------------------------------------------------------------------------


def _public(order: WorkOrder) -> bool:
    """A request's own words and its answer are public only when its sender chose this public channel, and never
    for a 举报: a call to 12345 is not a publication."""
    return order.source == OrderSource.OPEN311 and order.category not in PRIVATE_CATEGORIES


def _order_row(order: WorkOrder, extra: Open311Request | None) -> dict[str, Any]:
    closed = order.status in CLOSED
    public = _public(order)
    if order.status == OrderStatus.TRANSFERRED:
        notes = "已转入效能投诉办理"
    elif order.status in (OrderStatus.ANSWERED, OrderStatus.CLOSED):
        notes = f"已答复：{order.answer}" if public else "已答复"
    elif order.status == OrderStatus.DISPATCHED:
        notes = f"已派至{order.department}办理"
    elif order.status == OrderStatus.RETURNED:
        notes = "正在重新派单"
    else:
        notes = "已登记，等待派单"
    events = list(order.events.all())
    updated = events[-1].at if events else order.recorded_at
    return {
        "service_request_id": order.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": order.get_category_display(),
        "service_code": order.category,
        "description": order.content
        if public
        else ("（举报内容不公开）" if order.category in PRIVATE_CATEGORIES else "（来电内容不公开）"),
        "agency_responsible": order.department.name if order.department else "12345政务服务便民热线",
        "service_notice": f"办理时限：{limit_text(order.category, order.urgency)}",
        "requested_datetime": _iso(order.recorded_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(order.clock.due_at),
        "address": (extra.address if extra else "") or (order.address if public else ""),
        "address_id": None,
        "zipcode": None,
        "lat": extra.lat if extra else None,
        "long": extra.long if extra else None,
        "media_url": (extra.media_url or None) if extra else None,
    }


def _complaint_row(complaint: Complaint, extra: Open311Request | None) -> dict[str, Any]:
    closed = complaint.status == ComplaintStatus.CONCLUDED
    notes = (
        f"已办结，调查结论：{complaint.get_finding_display()}，处理意见已告知投诉人"
        if closed
        else f"效能投诉{complaint.get_status_display()}"
    )
    return {
        "service_request_id": complaint.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": "效能投诉",
        "service_code": EFFICIENCY,
        "description": "（效能投诉内容不公开）",
        "agency_responsible": "效能监察",
        "service_notice": f"{complaint_actions.limit_workdays()}个工作日内办结",
        "requested_datetime": _iso(complaint.received_at),
        "updated_datetime": _iso(complaint.concluded_at or complaint.assigned_at or complaint.received_at),
        "expected_datetime": _iso(complaint.clock.due_at),
        "address": extra.address if extra else "",
        "address_id": None,
        "zipcode": None,
        "lat": extra.lat if extra else None,
        "long": extra.long if extra else None,
        "media_url": (extra.media_url or None) if extra else None,
    }


def _orders() -> Any:
    return WorkOrder.objects.select_related("clock", "department", "open311").prefetch_related("events")


def _open311_complaints() -> Any:
    return Complaint.objects.filter(open311__isnull=False).select_related("clock", "open311")


def _extra(obj: WorkOrder | Complaint) -> Open311Request | None:
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError: getattr's default covers it.
    extra: Open311Request | None = getattr(obj, "open311", None)
    return extra


def _parse_day(value: str, name: str) -> datetime:
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError:
            raise Open311Error(
                400, f"{name} 应为 ISO 8601 日期时间（如 2026-03-02T09:00:00+08:00）"
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def list_requests(params: Any) -> list[dict[str, Any]]:
    ids = [part.strip() for part in params.get("service_request_id", "").split(",") if part.strip()]
    code = params.get("service_code", "").strip()
    statuses = {part.strip() for part in params.get("status", "").split(",") if part.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能为 open、closed 或二者以逗号分隔")
    if code and code != EFFICIENCY and code not in Category.values:
        raise Open311Error(400, f"service_code {code} 不存在")
    orders = _orders()
    complaints = _open311_complaints()
    if ids:
        # service_request_id takes precedence: the other filters are ignored (as the spec says).
        rows = [_order_row(o, _extra(o)) for o in orders.filter(number__in=ids)]
        rows += [_complaint_row(c, _extra(c)) for c in complaints.filter(number__in=ids)]
        return rows
    end = _parse_day(params["end_date"], "end_date") if params.get("end_date") else now()
    start = _parse_day(params["start_date"], "start_date") if params.get("start_date") else end - DEFAULT_SPAN
    if start > end:
        raise Open311Error(400, "start_date 不能晚于 end_date")
    orders = orders.filter(recorded_at__gte=start, recorded_at__lte=end)
    complaints = complaints.filter(received_at__gte=start, received_at__lte=end)
    if code:
        orders = orders.filter(category=code) if code != EFFICIENCY else orders.none()
        complaints = complaints if code == EFFICIENCY else complaints.none()
    if statuses == {"open"}:
        orders = orders.exclude(status__in=CLOSED)
        complaints = complaints.exclude(status=ComplaintStatus.CONCLUDED)
    elif statuses == {"closed"}:
        orders = orders.filter(status__in=CLOSED)
        complaints = complaints.filter(status=ComplaintStatus.CONCLUDED)
    rows = [_order_row(o, _extra(o)) for o in orders.order_by("-recorded_at")[:MAX_RESULTS]]
    rows += [_complaint_row(c, _extra(c)) for c in complaints.order_by("-received_at")[:MAX_RESULTS]]
    rows.sort(key=lambda r: r["requested_datetime"], reverse=True)
    return rows[:MAX_RESULTS]


def _client(api_key: str) -> User:
    if not api_key:
        raise Open311Error(403, "缺少 api_key：请向政务服务中心申请接口令牌")
    try:
        user = user_for_token(api_key)
    except TokenRefused as exc:
        raise Open311Error(403, f"api_key 无效：{exc.message}") from None
    if not has_role(user, Role.HOTLINE_OPERATOR):
        raise Open311Error(403, "该 api_key 所属账号未开通12345热线接入（需要“热线话务员”角色）")
    return user


def _throttle(request: HttpRequest, api_key: str) -> None:
    """Count this POST for its key and its address; refused (429) once either has used its allowance."""
    ip = throttle.client_ip(request)
    limits = [
        (throttle.Rule("open311", *settings.GOVHALL_THROTTLE_OPEN311), api_key[:16] or "-"),
        (throttle.Rule("open311_ip", *settings.GOVHALL_THROTTLE_OPEN311_IP), ip or "-"),
    ]
    wait = max(throttle.retry_after(rule, ident) for rule, ident in limits)
    if wait:
        raise throttle.Throttled(f"提交过于频繁，请 {max(1, wait // 60)} 分钟后再试", wait)
    for rule, ident in limits:
        throttle.record_failure(rule, ident)


def _float(value: str, name: str, low: float, high: float) -> float | None:
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} 应为数字") from None
    if not low <= number <= high:
        raise Open311Error(400, f"{name} 超出范围（{low} 至 {high}）")
    return number


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(f"{field}：{'，'.join(msgs)}" for field, msgs in exc.message_dict.items())
    return "；".join(exc.messages)


@transaction.atomic
def create_request(client: User, data: Any) -> Open311Request:
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "缺少 service_code")
    if code != EFFICIENCY and code not in Category.values:
        raise Open311Error(404, f"服务代码 {code} 不存在")
    lat = _float(data.get("lat", ""), "lat", -90, 90)
    long = _float(data.get("long", ""), "long", -180, 180)
    address = data.get("address_string", "").strip()
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat 和 long 须同时提供")
    if lat is None and not address and not data.get("address_id", "").strip():
        raise Open311Error(400, "缺少位置：请提供 lat 和 long，或 address_string")
    if len(address) > 200:
        raise Open311Error(400, "address_string 不能超过200个字符")
    media_url = data.get("media_url", "").strip()
    if media_url and not media_url.startswith(("http://", "https://")):
        raise Open311Error(400, "media_url 应为 http(s) 地址")
    name = f"{data.get('last_name', '').strip()}{data.get('first_name', '').strip()}"
    phone = data.get("phone", "").strip()
    description = data.get("description", "").strip()
    if not description:
        raise Open311Error(400, "缺少 description（诉求内容）")
    if len(description) > 4000:
        raise Open311Error(400, "description 不能超过4000个字符")
    at = now()
    extra = Open311Request(
        token=secrets.token_hex(16),
        service_code=code,
        client=client,
        address=address,
        lat=lat,
        long=long,
        media_url=media_url[:500],
        device_id=data.get("device_id", "").strip()[:100],
        account_id=data.get("account_id", "").strip()[:100],
        requested_at=at,
    )
    try:
        if code == EFFICIENCY:
            extra.complaint = complaint_actions.receive_complaint(
                channel=ComplaintChannel.OPEN311,
                by=client,
                complainant_name=name[:50],
                phone=phone,
                anonymous=not name,
                content=description,
                case_number=data.get("attribute[case_number]", ""),
            )
        else:
            urgency = data.get("attribute[urgency]", "").strip() or Urgency.ORDINARY
            extra.order = actions.record_order(
                by=client,
                category=code,
                urgency=urgency,
                content=description,
                caller_name=name[:50],
                caller_phone=phone,
                address=address,
                source=OrderSource.OPEN311,
            )
    except ValidationError as exc:
        raise Open311Error(400, _validation_text(exc)) from None
    extra.save()
    return extra


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        if request.method == "POST":
            api_key = request.POST.get("api_key", "").strip()
            client = _client(api_key)
            _throttle(request, api_key)
            extra = create_request(client, request.POST)
            number = extra.order.number if extra.order else extra.complaint.number  # type: ignore[union-attr]
            notice = (
                f"已转12345热线，办理时限：{limit_text(extra.order.category, extra.order.urgency)}"
                if extra.order
                else f"效能投诉已受理，{complaint_actions.limit_workdays()}个工作日内办结"
            )
            body = [
                {
                    "service_request_id": number,
                    "token": extra.token,
                    "service_notice": notice,
                    "account_id": extra.account_id or None,
                }
            ]
            return render(fmt, "service_requests", "request", body, status=201)
        return render(fmt, "service_requests", "request", list_requests(request.GET))
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)
    except throttle.Throttled as exc:
        return error(fmt, 429, exc.message, retry_after=exc.retry_after)
    except PermissionDenied as exc:
        return error(fmt, 403, str(exc) or "无权提交")


@require_http_methods(["GET"])
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    order = _orders().filter(number=number).first()
    if order is not None:
        return render(fmt, "service_requests", "request", [_order_row(order, _extra(order))])
    complaint = _open311_complaints().filter(number=number).first()
    if complaint is not None:
        return render(fmt, "service_requests", "request", [_complaint_row(complaint, _extra(complaint))])
    return error(fmt, 404, f"服务请求 {number} 不存在")


@require_http_methods(["GET"])
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    extra = Open311Request.objects.select_related("order", "complaint").filter(token=token).first()
    if extra is None:
        return error(fmt, 404, "令牌不存在")
    number = extra.order.number if extra.order else extra.complaint.number  # type: ignore[union-attr]
    return render(fmt, "service_requests", "request", [{"service_request_id": number, "token": extra.token}])
