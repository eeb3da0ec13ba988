"""The hotline pages and JSON API over HTTP (Django test client): who may see and do what, and the 403s."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from govhall.hotline import actions
from govhall.hotline.choices import OrderStatus
from govhall.hotline.models import WorkOrder
from govhall.org.actions import create_staff

from .conftest import call


def client_for(user: Any = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_operator_records_and_dispatches_on_the_pages(hall: Any, at: Any) -> None:
    d = hall.catalog.departments
    op = client_for(hall["operator"])
    with at(2026, 3, 2, 10):
        r = op.get("/hotline/")
        assert r.status_code == 200 and "登记工单" in r.content.decode()
        r = op.post("/hotline/", {"category": "help", "urgency": "ordinary", "content": ""})
        assert r.status_code == 400
        body = r.content.decode()
        assert "请填写来电号码" in body or "这个字段是必填项" in body or "必填" in body
        assert WorkOrder.objects.count() == 0
        r = op.post(
            "/hotline/",
            {
                "category": "help",
                "urgency": "ordinary",
                "content": "路灯坏了",
                "caller_name": "张三",
                "caller_phone": "13800138000",
            },
        )
        order = WorkOrder.objects.get()
        assert r.status_code == 302 and r["Location"] == f"/hotline/orders/{order.number}/"
        r = op.post(r["Location"], {"op": "dispatch", "department": d["zjj"].pk})
        assert r.status_code == 302
        order.refresh_from_db()
        assert order.status == OrderStatus.DISPATCHED and order.department == d["zjj"]
        # Re-dispatch without a reason: the form says why, nothing changes.
        r = op.post(f"/hotline/orders/{order.number}/", {"op": "dispatch", "department": d["scjg"].pk})
        assert r.status_code == 400 and "改派须填写改派理由" in r.content.decode()


def test_department_answers_and_others_are_refused(hall: Any, at: Any) -> None:
    d = hall.catalog.departments
    with at(2026, 3, 2, 10):
        order = call(hall)
        actions.dispatch(order, by=hall["operator"], department=d["zjj"])
        page = f"/hotline/orders/{order.number}/"
        zj = client_for(hall["zj_approver"])
        r = zj.get("/hotline/")
        assert r.status_code == 200 and order.number in r.content.decode()
        assert "登记工单</button>" not in r.content.decode()
        # Department staff cannot record orders.
        assert zj.post("/hotline/", {"category": "help", "content": "x"}).status_code == 403
        # Another department's staff do not see it at all.
        sc = client_for(hall["approver"])
        assert order.number not in sc.get("/hotline/").content.decode()
        assert sc.get(page).status_code == 404
        # An applicant, and an anonymous visitor.
        r = client_for(hall["applicant"]).get("/hotline/")
        assert r.status_code == 403 and "热线话务员" in r.content.decode()
        assert client_for().get("/hotline/").status_code == 302
        r = zj.post(page, {"op": "answer", "text": "已安排维修"})
        assert r.status_code == 302
        order.refresh_from_db()
        assert order.status == OrderStatus.ANSWERED
        # The department cannot call back (operator's job): the action refuses with a 403 page.
        r = zj.post(page, {"op": "callback", "reached": "1", "solved": "1", "satisfaction": "satisfied"})
        assert r.status_code == 403


def test_rates_page(hall: Any, at: Any) -> None:
    d = hall.catalog.departments
    with at(2026, 3, 2, 10):
        order = call(hall)
        actions.dispatch(order, by=hall["operator"], department=d["zjj"])
        actions.answer(order, by=hall["zj_approver"], text="已答复")
        actions.call_back(order, by=hall["operator"], reached=True, solved=True, satisfaction="basic")
        r = client_for(hall["operator"]).get("/hotline/rates/?month=2026-03")
        body = r.content.decode()
        assert r.status_code == 200 and "县住房和城乡建设局" in body and "100.0%" in body
        assert client_for(hall["operator"]).get("/hotline/rates/?month=2026-13").status_code == 400
        assert client_for(hall["applicant"]).get("/hotline/rates/").status_code == 403


def test_api_flow_and_permissions(hall: Any, at: Any) -> None:
    d = hall.catalog.departments
    op = client_for(hall["operator"])
    zj = client_for(hall["zj_approver"])
    with at(2026, 3, 2, 10):
        r = op.post(
            "/api/v1/hotline/orders",
            json.dumps({"category": "consult", "content": "咨询办证", "caller_phone": "13800138000"}),
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
        number = r.json()["number"]
        assert r.json()["due_at"] and r.json()["caller_phone"] == "138****8000"
        r = op.post(
            f"/api/v1/hotline/orders/{number}/dispatch",
            json.dumps({"department_id": d["zjj"].pk}),
            content_type="application/json",
        )
        assert r.status_code == 200 and r.json()["department"] == "县住房和城乡建设局"
        # Bad category: 422 naming the field; an applicant: 403; another department: 404.
        r = op.post(
            "/api/v1/hotline/orders",
            json.dumps({"category": "x", "content": "y"}),
            content_type="application/json",
        )
        assert r.status_code == 422 and "category" in r.content.decode()
        assert client_for(hall["applicant"]).get("/api/v1/hotline/orders").status_code == 403
        assert client_for(hall["approver"]).get(f"/api/v1/hotline/orders/{number}").status_code == 404
        r = zj.post(
            f"/api/v1/hotline/orders/{number}/answer",
            json.dumps({"text": "请携带身份证到窗口办理"}),
            content_type="application/json",
        )
        assert r.status_code == 200 and r.json()["status"] == "answered" and r.json()["late"] is False
        r = zj.post(
            f"/api/v1/hotline/orders/{number}/callback",
            json.dumps({"reached": True, "solved": True, "satisfaction": "satisfied"}),
            content_type="application/json",
        )
        assert r.status_code == 403
        r = op.post(
            f"/api/v1/hotline/orders/{number}/callback",
            json.dumps({"reached": True, "solved": True, "satisfaction": "satisfied"}),
            content_type="application/json",
        )
        assert r.status_code == 200 and r.json()["status"] == "closed"
        r = op.get("/api/v1/hotline/rates?month=2026-03")
        assert r.status_code == 200
        assert r.json()["departments"][0]["satisfaction_rate"] == 100.0
        assert op.get("/api/v1/hotline/rates?month=March").status_code == 422
    assert "/api/v1/hotline/orders" in client_for().get("/api/v1/openapi.json").json()["paths"]


def test_a_clerk_without_department_rights_sees_nothing(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        order = call(hall)
        actions.dispatch(order, by=hall["operator"], department=hall.catalog.departments["zjj"])
        lone = create_staff("lone", "孤独", "T990", ("approver",), []).user
        assert client_for(lone).get("/hotline/").status_code == 403


def test_pages_in_english(hall: Any, at: Any) -> None:
    # The hotline pages follow the language switch (a cookie); without it they stay Chinese.
    with at(2026, 3, 2, 10):
        order = call(hall)
        op = client_for(hall["operator"])
        assert op.post("/i18n/setlang/", {"language": "en", "next": "/hotline/"}).status_code == 302
        home = op.get("/hotline/").content.decode()
        assert (
            "<h1>12345 hotline orders</h1>" in home and "Register an order" in home and "登记工单" not in home
        )
        detail = op.get(f"/hotline/orders/{order.number}/").content.decode()
        assert f"<h1>Order {order.number}</h1>" in detail and ">Dispatch</button>" in detail
        assert "流转记录" not in detail
        rates = op.get("/hotline/rates/").content.decode()
        assert "Response rate" in rates and "响应率" not in rates
        chinese = client_for(hall["operator"]).get("/hotline/").content.decode()
        assert "<h1>12345热线工单</h1>" in chinese
