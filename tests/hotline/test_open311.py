"""Open311 GeoReport v2 driven the way an outside 311 app drives it: plain HTTP (urllib) against a live server,
form-encoded POSTs with an api_key, JSON and XML answers, the spec's error lists."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

from govhall.calendars import engine
from govhall.complaints.models import Complaint
from govhall.core.tokens import issue_token
from govhall.hotline import actions
from govhall.hotline.models import Open311Request, WorkOrder
from tests.cases.conftest import Hall, build_hall

from .conftest import add_hotline_staff, call


@pytest.fixture
def live_hall(live_server: Any, reference_data: None) -> tuple[Hall, str, str]:
    hall = add_hotline_staff(build_hall())
    key = issue_token(hall["operator"], "某市民App", actor=None).secret
    # Load the calendar snapshot here, so the server thread does not read the table under its own write
    # transaction on the shared in-memory SQLite database.
    engine.get_calendar()
    return hall, live_server.url + "/open311/v2", key


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urlopen(url, timeout=10) as r:
            return r.status, r.read(), dict(r.headers)
    except HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def post(url: str, fields: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    data = urlencode(fields).encode()
    req = Request(
        url, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST"
    )
    try:
        with urlopen(req, timeout=10) as r:
            return r.status, r.read(), dict(r.headers)
    except HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def test_outside_app_files_and_follows_requests(live_hall: tuple[Hall, str, str], settings: Any) -> None:
    hall, base, key = live_hall
    # Discovery: services and a definition, in both formats.
    status, body, headers = get(f"{base}/services.json")
    services = json.loads(body)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert {s["service_code"] for s in services} == {
        "consult",
        "help",
        "complaint",
        "report",
        "suggestion",
        "efficiency",
    }
    assert all(s["type"] == "realtime" and s["metadata"] is True for s in services)
    status, body, headers = get(f"{base}/services.xml")
    root = ET.fromstring(body)
    assert status == 200 and body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert root.tag == "services" and len(root.findall("service")) == 6
    assert root.find("service/service_name").text == "咨询"
    status, body, _ = get(f"{base}/services/help.xml")
    definition = ET.fromstring(body)
    assert definition.tag == "service_definition" and definition.find("service_code").text == "help"
    attribute = definition.find("attributes/attribute")
    assert attribute.find("code").text == "urgency" and attribute.find("datatype").text == "singlevaluelist"
    assert [v.find("key").text for v in attribute.findall("values/value")] == ["urgent", "ordinary"]
    status, body, _ = get(f"{base}/services/pothole.json")
    assert status == 404 and json.loads(body)[0]["code"] == 404

    # POST without or with a bad key: 403 with the error list; without a location: 400.
    fields = {
        "service_code": "help",
        "description": "小区路灯坏了",
        "lat": "22.70",
        "long": "110.55",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800138000",
        "media_url": "https://example.org/p.jpg",
        "attribute[urgency]": "urgent",
    }
    status, body, _ = post(f"{base}/requests.json", fields)
    assert status == 403 and json.loads(body)[0]["code"] == 403
    status, body, _ = post(f"{base}/requests.xml", {**fields, "api_key": "ghk_wrong"})
    errors = ET.fromstring(body)
    assert status == 403 and errors.tag == "errors" and errors.find("error/code").text == "403"
    nowhere = {k: v for k, v in fields.items() if k not in ("lat", "long")}
    status, body, _ = post(f"{base}/requests.json", {**nowhere, "api_key": key})
    assert status == 400 and "位置" in json.loads(body)[0]["description"]
    assert WorkOrder.objects.count() == 0

    status, body, _ = post(f"{base}/requests.json", {**fields, "api_key": key})
    created = json.loads(body)[0]
    assert status == 201 and created["service_request_id"].startswith("RX") and created["token"]
    order = WorkOrder.objects.get(number=created["service_request_id"])
    assert order.source == "open311" and order.urgency == "urgent" and order.caller_name == "张三"

    status, body, _ = get(f"{base}/tokens/{created['token']}.json")
    assert json.loads(body) == [{"service_request_id": order.number, "token": created["token"]}]
    status, body, _ = get(f"{base}/requests/{order.number}.json")
    row = json.loads(body)[0]
    assert row["status"] == "open" and row["service_code"] == "help" and row["lat"] == 22.7
    assert row["expected_datetime"] and row["expected_datetime"].endswith("+08:00")
    assert row["media_url"] == "https://example.org/p.jpg" and "13800138000" not in body.decode()

    # The hotline dispatches and the department answers: closed, with the answer as status_notes.
    actions.dispatch(order, by=hall["operator"], department=hall.catalog.departments["zjj"])
    actions.answer(order, by=hall["zj_approver"], text="已修复路灯")
    status, body, _ = get(f"{base}/requests/{order.number}.xml")
    request = ET.fromstring(body).find("request")
    assert (
        request.find("status").text == "closed" and request.find("status_notes").text == "已答复：已修复路灯"
    )
    assert request.find("agency_responsible").text == "县住房和城乡建设局"

    # An efficiency complaint becomes a complaint in the one complaint flow; its text is not public.
    status, body, _ = post(
        f"{base}/requests.json",
        {
            "api_key": key,
            "service_code": "efficiency",
            "description": "窗口推诿",
            "address_string": "县政务服务中心",
        },
    )
    complaint = Complaint.objects.get(number=json.loads(body)[0]["service_request_id"])
    assert status == 201 and complaint.channel == "open311" and complaint.anonymous
    assert Open311Request.objects.get(complaint=complaint).address == "县政务服务中心"

    # Filters: service_code, status, ids, dates; bad values answer 400.
    listing = lambda query: json.loads(get(f"{base}/requests.json?{query}")[1])  # noqa: E731
    assert [r["service_request_id"] for r in listing("service_code=efficiency")] == [complaint.number]
    assert [r["service_request_id"] for r in listing("status=closed")] == [order.number]
    assert {r["service_request_id"] for r in listing("status=open")} == {complaint.number}
    assert {
        r["service_request_id"] for r in listing(f"service_request_id={order.number},{complaint.number}")
    } == {order.number, complaint.number}
    assert listing("start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z") == []
    assert get(f"{base}/requests.json?status=pending")[0] == 400
    assert get(f"{base}/requests.json?start_date=yesterday")[0] == 400
    assert get(f"{base}/requests/RX0.json")[0] == 404
    assert get(f"{base}/tokens/nope.xml")[0] == 404

    # What a caller said on the phone is not published, nor the address.
    phone_order = call(hall, address="幸福小区3栋")
    row = json.loads(get(f"{base}/requests/{phone_order.number}.json")[1])[0]
    assert (
        row["description"] == "（来电内容不公开）" and row["address"] == "" and row["service_code"] == "help"
    )

    # POSTs are rate-limited per api_key: three counted so far (the 400 too); with a limit of five, the sixth is
    # refused with 429 and Retry-After, and files nothing.
    settings.GOVHALL_THROTTLE_OPEN311 = (5, 3600)
    fields = {"api_key": key, "service_code": "consult", "description": "咨询", "address_string": "容州镇"}
    assert post(f"{base}/requests.json", fields)[0] == 201
    assert post(f"{base}/requests.json", fields)[0] == 201
    before = WorkOrder.objects.count()
    status, body, headers = post(f"{base}/requests.json", fields)
    assert status == 429 and int(headers["Retry-After"]) > 0 and json.loads(body)[0]["code"] == 429
    assert WorkOrder.objects.count() == before
