"""The public pages and the officer's request page, through the test client."""

from __future__ import annotations

from datetime import date

from django.test import Client

from govhall.disclosure import actions
from govhall.disclosure.models import InfoRequest

from .conftest import ID_NUMBER, ORGAN_CODE, County, file, travel


def test_public_pages_and_officer_answer(county: County) -> None:
    with travel(2026, 4, 1, 9):
        record = actions.publish_record(
            actor=county.officer, organ=county.organ, title="城区控制性详细规划批复", category="plan"
        )
    client = Client()
    page = client.get("/disclosure/", {"q": "详细规划"})
    assert page.status_code == 200 and record.index_number in page.content.decode()
    assert (
        client.get("/disclosure/lookup/", {"index_number": record.index_number}).url
        == record.get_absolute_url()
    )
    detail = client.get(record.get_absolute_url()).content.decode()
    assert f"{ORGAN_CODE}/2026-00001" in detail
    assert client.get("/disclosure/report/2026/").status_code == 200
    with travel(2026, 4, 2, 9):
        bad = client.post(
            "/disclosure/request/",
            {
                "organ": county.organ.pk,
                "requester_kind": "person",
                "requester_name": "李明",
                "requester_id_number": "1",
                "phone": "13800138000",
                "description": "规划",
            },
        )
        assert "身份证" in bad.content.decode()
        done = client.post(
            "/disclosure/request/",
            {
                "organ": county.organ.pk,
                "requester_kind": "person",
                "requester_name": "李明",
                "requester_id_number": ID_NUMBER,
                "phone": "13800138000",
                "description": "规划批复原文",
            },
        )
    info = InfoRequest.objects.get()
    assert info.check_code in done.content.decode()
    staff = Client()
    staff.force_login(county.officer)
    assert "政务公开" in staff.get("/disclosure/staff/").content.decode()
    with travel(2026, 4, 3, 9):
        answered = staff.post(
            f"/disclosure/staff/requests/{info.number}/",
            {"op": "answer", "outcome": "already_public", "where_public": "县政府网站"},
        )
    assert answered.status_code == 302
    progress = client.get(
        "/disclosure/progress/", {"number": info.number, "code": info.check_code}
    ).content.decode()
    assert "answer-pdf" in progress
    assert (
        client.get("/disclosure/progress/answer.pdf", {"number": info.number, "code": "1"}).status_code == 404
    )
    outsider = Client()
    outsider.force_login(county.outsider)
    assert outsider.get(f"/disclosure/staff/requests/{info.number}/").status_code == 404


def test_officer_corrects_and_withdraws_on_the_record_page(county: County) -> None:
    with travel(2026, 4, 1, 9):
        record = actions.publish_record(
            actor=county.officer, organ=county.organ, title="旧标题", category="other"
        )
    staff = Client()
    staff.force_login(county.officer)
    url = f"/disclosure/staff/records/{record.pk}/"
    staff.post(url, {"op": "correct", "title": "新标题", "reason": "标题有误"})
    staff.post(url, {"op": "withdraw", "reason": ""})  # refused: no reason
    staff.post(url, {"op": "withdraw", "reason": "已失效"})
    page = staff.get(url).content.decode()
    assert "新标题" in page and "更正已公开政府信息" in page and "撤回已公开政府信息" in page
    public = Client().get(record.get_absolute_url()).content.decode()
    assert "withdrawn-note" in public and record.index_number in public


def test_requester_clarifies_online(county: County) -> None:
    with travel(2026, 9, 28, 9):
        info = file(county)
    with travel(2026, 9, 30, 10):
        actions.request_clarification(info, by=county.officer, items="请写明片区名称")
    client = Client()
    page = client.get(
        "/disclosure/progress/", {"number": info.number, "code": info.check_code}
    ).content.decode()
    assert "请写明片区名称" in page and "clarify-form" in page
    assert (
        client.post(
            "/disclosure/progress/clarify/", {"number": info.number, "code": "1", "description": "x"}
        ).status_code
        == 404
    )
    with travel(2026, 10, 9, 15):
        client.post(
            "/disclosure/progress/clarify/",
            {"number": info.number, "code": info.check_code, "description": "城东片区"},
        )
    info.refresh_from_db()
    assert info.status == "received" and info.clock.due_day == date(2026, 11, 5)
