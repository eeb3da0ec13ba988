"""The staff forms: each creates its record through the action, refuses bad input naming the field with nothing
written, and answers 403 to a user outside the integrity roles."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from govhall.core.models import AuditEvent
from govhall.integrity import actions
from govhall.integrity.models import KeyDepartment, Post, PostAssignment, Power, RiskPoint


@pytest.fixture
def power(county: Any) -> Power:
    return actions.save_power(
        code="XK-001",
        name="食品经营许可",
        power_type="01",
        department=county.departments["scjg"],
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        steps=[
            ("accept", "受理", [county.posts["license"]]),
            ("decide", "审批决定", [county.posts["license"]]),
        ],
    )


def login(county: Any, who: str) -> Client:
    client = Client()
    client.force_login(county[who].user)
    return client


def test_home_links_the_forms(county: Any) -> None:
    page = login(county, "supervisor").get("/integrity/").content.decode()
    for url in ("/integrity/posts/", "/integrity/risk-points/", "/integrity/key-departments/"):
        assert url in page
    head = login(county, "head").get("/integrity/").content.decode()
    assert "/integrity/posts/" in head and "/integrity/key-departments/" not in head


def test_non_authorised_user_gets_403(county: Any) -> None:
    clerk = login(county, "clerk")
    post = county.posts["license"]
    for url in ("/integrity/posts/", f"/integrity/posts/{post.pk}/", "/integrity/risk-points/"):
        assert clerk.get(url).status_code == 403
    r = clerk.post("/integrity/posts/", {"department": county.departments["scjg"].pk, "name": "新岗"})
    assert r.status_code == 403
    assert not Post.objects.filter(name="新岗").exists()
    # A department head is not oversight: no key departments, and no other department's posts.
    head = login(county, "head")
    assert head.get("/integrity/key-departments/").status_code == 403
    assert head.get(f"/integrity/posts/{county.posts['permit'].pk}/").status_code == 404
    r = head.post("/integrity/posts/", {"department": county.departments["zjj"].pk, "name": "越权岗"})
    assert r.status_code == 422 and "所选部门无效。" in r.context["form"].errors["department"]
    assert (
        login(county, "clerk")
        .post(
            "/integrity/key-departments/",
            {"act": "flag", "department": county.departments["scjg"].pk, "reason": "x"},
        )
        .status_code
        == 403
    )
    assert not KeyDepartment.objects.exists()


def test_create_and_edit_a_post(county: Any) -> None:
    client = login(county, "head")
    scjg = county.departments["scjg"]
    r = client.post("/integrity/posts/", {"department": scjg.pk, "name": "", "is_key": "on"})
    assert r.status_code == 422 and r.context["form"].errors["name"] == ["请填写岗位名称。"]
    r = client.post("/integrity/posts/", {"department": scjg.pk, "name": "许可审批岗"})
    assert r.context["form"].errors["name"] == ["示范县市场监督管理局已有名为“许可审批岗”的岗位。"]
    assert Post.objects.filter(department=scjg).count() == 3
    r = client.post("/integrity/posts/", {"department": scjg.pk, "name": "稽查执法岗", "is_key": "on"})
    post = Post.objects.get(name="稽查执法岗")
    assert r["Location"] == f"/integrity/posts/{post.pk}/"
    assert (post.department, post.is_key, post.specialised) == (scjg, True, False)
    assert AuditEvent.objects.filter(event_type="post_saved", object_id=str(post.pk)).exists()

    r = client.post(f"/integrity/posts/{post.pk}/", {"act": "edit", "name": "日常检查岗", "active": "on"})
    assert r.status_code == 422 and r.context["form"].errors["name"] == ["本部门已有名为“日常检查岗”的岗位。"]
    post.refresh_from_db()
    assert (post.name, post.is_key) == ("稽查执法岗", True)
    # The department is fixed once the post exists: a posted department is ignored.
    r = client.post(
        f"/integrity/posts/{post.pk}/",
        {"act": "edit", "department": county.departments["zjj"].pk, "name": "稽查岗", "specialised": "on"},
    )
    assert r.status_code == 302
    post.refresh_from_db()
    assert (post.name, post.is_key, post.specialised, post.active, post.department) == (
        "稽查岗",
        False,
        True,
        False,
        scjg,
    )


def test_assign_and_end_an_assignment(county: Any) -> None:
    client = login(county, "supervisor")
    post = county.posts["license"]
    url = f"/integrity/posts/{post.pk}/"
    r = client.post(url, {"act": "assign", "staff": county["clerk"].pk, "start_date": "2026-13-01"})
    assert r.status_code == 422 and r.context["assign"].errors["start_date"] == ["到岗日期格式不正确。"]
    r = client.post(url, {"act": "assign", "staff": county["zj"].pk, "start_date": "2020-01-01"})
    assert r.context["assign"].errors["staff"] == ["所选人员无效。"]  # not of the post's department
    assert not PostAssignment.objects.exists()
    r = client.post(url, {"act": "assign", "staff": county["clerk"].pk, "start_date": "2020-03-01"})
    assert r.status_code == 302
    a = PostAssignment.objects.get()
    assert (a.staff, a.post, a.start_date, a.end_date) == (county["clerk"], post, date(2020, 3, 1), None)
    r = client.post(url, {"act": "assign", "staff": county["clerk"].pk, "start_date": "2021-01-01"})
    assert r.context["assign"].errors["staff"] == ["陈科员已在岗位“许可审批岗”任职。"]
    assert PostAssignment.objects.count() == 1

    r = client.post(url, {"act": "end", "assignment": a.pk, "end_date": "2019-12-31"})
    assert r.status_code == 422
    assert r.context["end"].errors["end_date"] == ["离岗日期不能早于到岗日期2020-03-01。"]
    a.refresh_from_db()
    assert a.end_date is None
    assert client.post(url, {"act": "end", "assignment": a.pk, "end_date": "2025-06-30"}).status_code == 302
    a.refresh_from_db()
    assert a.end_date == date(2025, 6, 30)
    r = client.post(url, {"act": "end", "assignment": a.pk, "end_date": "2025-07-01"})
    assert r.context["end"].errors["end_date"] == ["该任职已于2025-06-30结束。"]
    assert "陈科员" in client.get(url).content.decode()


def test_record_risk_points(county: Any, power: Power) -> None:
    client = login(county, "head")
    base = {"act": "record", "description": "超越权限审批", "discovery": "organisation", "level": "A"}
    r = client.post("/integrity/risk-points/", {**base, "power": "XK-001", "step": "nope"})
    assert r.status_code == 422 and r.context["form"].errors["step"] == ["职权“XK-001”没有环节“nope”。"]
    r = client.post("/integrity/risk-points/", {**base, "level": "Z", "power": "XK-001"})
    assert r.context["form"].errors["level"] == ["所选风险等级无效。"]
    r = client.post("/integrity/risk-points/", {**base, "discovery": ""})
    errors = r.context["form"].errors
    assert errors["discovery"] == ["请填写查找方式。"]
    assert errors["power"] == ["风险点应落在某项职权、某个环节或某个岗位上：请填写职权编码或选择岗位。"]
    r = client.post("/integrity/risk-points/", {**base, "power": "XK-001", "post": county.posts["permit"].pk})
    assert r.context["form"].errors["post"] == ["所选岗位无效。"]  # another department's post
    assert not RiskPoint.objects.exists()

    r = client.post(
        "/integrity/risk-points/", {**base, "power": "XK-001", "step": "decide", "measures": "集体审议"}
    )
    assert r.status_code == 302
    point = RiskPoint.objects.get()
    assert (point.power, point.step.key, point.level.code, point.measures) == (
        None,
        "decide",
        "A",
        "集体审议",
    )  # type: ignore[union-attr]
    power.refresh_from_db()
    assert power.level is not None and power.level.code == "A"
    r = client.post(
        "/integrity/risk-points/",
        {
            **base,
            "description": "检查走过场",
            "level": "B",
            "discovery": "deputy",
            "post": county.posts["inspect"].pk,
        },
    )
    assert r.status_code == 302
    assert RiskPoint.objects.get(description="检查走过场").department == county.departments["scjg"]
    page = client.get("/integrity/risk-points/").content.decode()
    assert "超越权限审批" in page and "检查走过场" in page


def test_flag_a_key_department(county: Any) -> None:
    client = login(county, "supervisor")
    scjg = county.departments["scjg"]
    r = client.post("/integrity/key-departments/", {"act": "flag", "department": scjg.pk, "reason": ""})
    assert r.status_code == 422 and r.context["form"].errors["reason"] == ["请填写列为重点的理由。"]
    r = client.post("/integrity/key-departments/", {"act": "flag", "department": 0, "reason": "审批多"})
    assert r.context["form"].errors["department"] == ["所选部门无效。"]
    assert not KeyDepartment.objects.exists()
    r = client.post(
        "/integrity/key-departments/", {"act": "flag", "department": scjg.pk, "reason": "审批事项多"}
    )
    assert r.status_code == 302
    key = KeyDepartment.objects.get()
    assert (key.department, key.reason) == (scjg, "审批事项多")
    assert "示范县市场监督管理局" in client.get("/integrity/risk-map/").content.decode()
    # Already flagged: no longer offered.
    r = client.post("/integrity/key-departments/", {"act": "flag", "department": scjg.pk, "reason": "再列"})
    assert r.context["form"].errors["department"] == ["所选部门无效。"]
    client.post("/integrity/key-departments/", {"act": "unflag", "key": key.pk})
    assert not KeyDepartment.objects.exists()


def test_malformed_ids_are_not_errors(county: Any) -> None:
    client = login(county, "supervisor")
    post = county.posts["license"]
    r = client.post(
        f"/integrity/posts/{post.pk}/", {"act": "end", "assignment": "abc", "end_date": "2026-01-01"}
    )
    assert r.status_code == 404
    assert client.post("/integrity/key-departments/", {"act": "unflag", "key": "abc"}).status_code == 404
