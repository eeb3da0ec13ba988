"""GET /api/v1/powers (public) with its filters, the staff endpoints' permissions, and the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from govhall.integrity import actions
from govhall.integrity.models import Power, Warning

from .conftest import local


@pytest.fixture
def powers(county: Any) -> dict[str, Power]:
    d = county.departments
    xk = actions.save_power(
        code="XK-001",
        name="食品经营许可",
        power_type="01",
        department=d["scjg"],
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        steps=[
            ("accept", "受理", [county.posts["license"]]),
            ("decide", "审批决定", [county.posts["license"]]),
        ],
    )
    cf = actions.save_power(
        code="CF-001",
        name="对无证经营食品的处罚",
        power_type="02",
        department=d["scjg"],
        legal_basis="食品安全法第一百二十二条",
    )
    jc = actions.save_power(
        code="JC-001",
        name="建筑工程质量监督检查",
        power_type="06",
        department=d["zjj"],
        legal_basis="建设工程质量管理条例",
    )
    actions.record_risk_point(
        power=xk, description="违规发证", level="B", discovery="public", measures="两人审核"
    )
    actions.record_risk_point(
        step=xk.steps.get(key="decide"), description="超越权限审批", level="A", discovery="organisation"
    )
    actions.record_risk_point(power=jc, description="检查走过场", level="C", discovery="self")
    return {"xk": xk, "cf": cf, "jc": jc}


def test_public_powers_api(county: Any, powers: dict[str, Power]) -> None:
    client = Client()
    body = client.get("/api/v1/powers").json()
    assert body["count"] == 3
    xk = next(p for p in body["results"] if p["code"] == "XK-001")
    assert xk["department"] == {"id": county.departments["scjg"].pk, "name": "示范县市场监督管理局"}
    assert xk["legal_basis"] == "《中华人民共和国食品安全法》第三十五条"
    assert xk["level"] == "A"
    assert [(r["level"], r["description"], r["step"]) for r in xk["risk_points"]] == [
        ("B", "违规发证", None),
        ("A", "超越权限审批", "审批决定"),
    ]
    assert [p["code"] for p in client.get("/api/v1/powers?level=A").json()["results"]] == ["XK-001"]
    assert [p["code"] for p in client.get("/api/v1/powers?type=06").json()["results"]] == ["JC-001"]
    by_dept = client.get(f"/api/v1/powers?department={county.departments['zjj'].pk}").json()
    assert [p["code"] for p in by_dept["results"]] == ["JC-001"]
    assert client.get("/api/v1/powers?q=处罚").json()["count"] == 1
    assert client.get("/api/v1/powers?type=20").status_code == 422
    assert client.get("/api/v1/powers?limit=0").status_code == 422
    assert client.get("/api/v1/powers/CF-001").json()["risk_points"] == []
    assert client.get("/api/v1/powers/NOPE").status_code == 404


def test_staff_api_permissions_and_warning(county: Any, powers: dict[str, Power]) -> None:
    client = Client()
    assert client.get("/api/v1/integrity/risk-map").status_code == 401
    client.force_login(county["clerk"].user)
    assert client.get("/api/v1/integrity/risk-map").status_code == 403
    client.force_login(county["supervisor"].user)
    data = client.get("/api/v1/integrity/risk-map").json()
    assert data["totals"] == {"A": 1, "B": 1, "C": 1}
    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        r = client.post(
            "/api/v1/integrity/warnings",
            {
                "level": "yellow",
                "department": county.departments["scjg"].pk,
                "person": county["clerk"].pk,
                "reason": "多次超期",
            },
            content_type="application/json",
        )
    assert r.status_code == 201, r.content
    assert r.json()["plan_due"] == "2026-03-16"  # 10 working days after Mon 2 March
    bad = client.post(
        "/api/v1/integrity/warnings",
        {"level": "purple", "department": county.departments["scjg"].pk, "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "level" in bad.json()["detail"][0]["loc"]
    assert Warning.objects.count() == 1


def test_pages(county: Any, powers: dict[str, Power]) -> None:
    client = Client()
    page = client.get("/integrity/powers/?level=A").content.decode()
    assert "食品经营许可" in page and "对无证经营食品的处罚" not in page
    detail = client.get(f"/integrity/powers/{powers['xk'].pk}/").content.decode()
    assert "超越权限审批" in detail and "许可审批岗" in detail and "<svg" in detail
    assert client.get("/integrity/risk-map/").status_code == 302  # login first
    client.force_login(county["clerk"].user)
    assert client.get("/integrity/risk-map/").status_code == 403
    client.force_login(county["head"].user)
    assert "许可审批岗" in client.get("/integrity/risk-map/").content.decode()
    client.force_login(county["supervisor"].user)
    xlsx = client.get("/integrity/risk-map/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        r = client.post(
            "/integrity/warnings/issue/",
            {
                "level": "blue",
                "department": county.departments["scjg"].pk,
                "person": county["clerk"].pk,
                "reason": "测试",
            },
        )
    warning = Warning.objects.get()
    assert r["Location"] == f"/integrity/warnings/{warning.pk}/"
    assert "LZYJ202600001" in client.get("/integrity/").content.decode()
    client.force_login(county["clerk"].user)
    client.post(f"/integrity/warnings/{warning.pk}/", {"act": "plan", "plan": "立即整改"})
    warning.refresh_from_db()
    assert warning.status == "planned"
    client.force_login(county["supervisor"].user)
    actions.assign_post(post=county.posts["license"], staff=county["clerk"], start_date=date(2020, 1, 1))
    assert "陈科员" in client.get("/integrity/rotation/").content.decode()
    conduct = client.get(f"/integrity/conduct/{county['clerk'].pk}/").content.decode()
    assert "LZYJ202600001" in conduct and "许可审批岗" in conduct


def test_risk_points_and_commitments_through_the_api(county: Any, powers: dict[str, Power]) -> None:
    client = Client()
    client.force_login(county["supervisor"].user)
    r = client.post(
        "/api/v1/integrity/risk-points",
        {
            "power": "CF-001",
            "description": "罚款不开票据",
            "level": "A",
            "discovery": "deputy",
            "measures": "罚缴分离",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["power_level"] == "A"
    r = client.post(
        "/api/v1/integrity/risk-points",
        {"power": "XK-001", "step": "nope", "description": "x", "level": "B", "discovery": "self"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "step"
    r = client.post(
        "/api/v1/integrity/risk-points",
        {"post": county.posts["inspect"].pk, "description": "检查走过场", "level": "Z", "discovery": "self"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "level"
    r = client.post(
        "/api/v1/integrity/commitments",
        {"staff": county["clerk"].pk, "year": 2026, "text": "廉洁履职", "signed_on": "2026-01-06"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["staff"] == "陈科员"
    again = client.post(
        "/api/v1/integrity/commitments",
        {"staff": county["clerk"].pk, "year": 2026, "text": "再签", "signed_on": "2026-01-07"},
        content_type="application/json",
    )
    assert again.status_code == 422 and again.json()["detail"][0]["field"] == "year"
