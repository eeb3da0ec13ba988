"""Rating pages over real HTTP: permissions (403/404), Chinese errors (422), rater protection, public API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from govhall.ratings import actions, tokens
from govhall.ratings.choices import RatingChannel
from govhall.ratings.models import Rating

from .conftest import APPLICANT_PW, online_case, window_case


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_staff_home_is_for_staff_only(hall):
    assert Client().get("/ratings/").status_code == 302  # to the login
    assert _client(hall["applicant"]).get("/ratings/").status_code == 403
    page = _client(hall["head"]).get("/ratings/")
    assert page.status_code == 200 and "待整改的差评" in page.content.decode()


def test_sms_link_rates_once_and_shows_feedback(hall, at):
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        url = f"/ratings/s/{tokens.case_token(case.pk)}/"
        c = Client()
        assert c.get(url).status_code == 200
        assert c.get(url[:-3] + "zz/").status_code == 404  # tampered token
        bad = c.post(url, {"comment": "x"})
        assert bad.status_code == 422 and "请选择评价等级" in bad.content.decode()
        done = c.post(url, {"level": "2", "comment": "态度一般", "dim_attitude": "2"}, follow=True)
        assert "感谢您的评价" in done.content.decode() and "不满意" in done.content.decode()
        again = c.post(url, {"level": "5"})
        assert again.status_code in (200, 302)
    rating = Rating.objects.get(case=case)
    assert (
        rating.level == "2" and rating.channel == RatingChannel.SMS and rating.dimensions["attitude"] == "2"
    )


def test_applicant_case_page_offers_rating_and_own_account_only(hall, at):
    with at(2026, 3, 2, 10):
        case = online_case(hall)
        c = Client()
        assert c.login(username="applicant", password=APPLICANT_PW)
        page = c.get(f"/my/cases/{case.number}/").content.decode()
        assert 'id="rate-link"' in page
        assert _client(hall["clerk"]).get(f"/ratings/my/{case.number}/").status_code == 404
        assert c.post(f"/ratings/my/{case.number}/", {"level": "5"}).status_code == 302
        page = c.get(f"/my/cases/{case.number}/").content.decode()
    assert 'id="rating-level"' in page and "非常满意" in page and 'id="rate-link"' not in page


def test_window_device_needs_its_key(hall, at):
    window = hall.catalog.window
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        assert Client().get(f"/ratings/window/{window.pk}/").status_code == 403
        assert (
            Client().get(f"/ratings/window/{window.pk}/?key={tokens.case_token(case.pk)}").status_code == 403
        )
        page = (
            Client().get(f"/ratings/window/{window.pk}/?key={tokens.device_key(window.pk)}").content.decode()
        )
        assert case.number in page
    with at(2026, 3, 2, 11):  # an hour later the device no longer offers it
        page = (
            Client().get(f"/ratings/window/{window.pk}/?key={tokens.device_key(window.pk)}").content.decode()
        )
        assert 'id="device-idle"' in page


def test_review_page_protects_the_rater(hall, at):
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        rating = actions.submit_rating(
            case, channel=RatingChannel.QR, level="1", token=tokens.case_token(case.pk)
        )
        url = f"/ratings/reviews/{rating.review.number}/"
        assert _client(hall["clerk"]).get(url).status_code == 403  # the rated clerk never sees it
        assert _client(hall["zj_head"]).get(url).status_code == 403  # another department's head
        head = _client(hall["head"]).get(url).content.decode()
        assert "13800138000" in head  # the head calls back
        leader = _client(hall["leader"]).get(url).content.decode()
        assert "13800138000" not in leader and "受保护" in leader
        # The rated clerk's own list shows the rating without anything naming the rater.
        mine = _client(hall["clerk"]).get("/ratings/").content.decode()
        assert (
            "非常不满意" in mine
            and "13800138000" not in mine
            and "张三" not in mine
            and case.number not in mine
        )


def test_review_handling_over_http(hall, at):
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        rating = actions.submit_rating(
            case, channel=RatingChannel.QR, level="2", token=tokens.case_token(case.pk)
        )
    url = f"/ratings/reviews/{rating.review.number}/"
    c = _client(hall["head"])
    with at(2026, 3, 3, 10):
        assert c.post(url, {"op": "verify", "finding": "fix_now"}).status_code == 422
        assert c.post(url, {"op": "verify", "finding": "fix_now", "verification": "属实"}).status_code == 302
        assert c.post(url, {"op": "rectify", "rectification": "培训"}).status_code == 302
        early = c.post(url, {"op": "feedback", "feedback": "已整改"})
        assert early.status_code == 422 and "回访" in early.content.decode()
        assert c.post(url, {"op": "callback", "result": "accepted", "notes": "已回访"}).status_code == 302
        assert c.post(url, {"op": "feedback", "feedback": "已整改"}).status_code == 302
        assert _client(hall["clerk"]).post(url, {"op": "feedback", "feedback": "x"}).status_code == 403
    rating.review.refresh_from_db()
    assert rating.review.status == "closed"


def test_appeal_decided_by_supervisor_only(hall, at):
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        rating = actions.submit_rating(
            case, channel=RatingChannel.QR, level="1", token=tokens.case_token(case.pk)
        )
        appeal = actions.file_appeal(
            rating, by=hall["head"], ground="mistaken", reason="误评", evidence="记录"
        )
        url = f"/ratings/appeals/{appeal.pk}/"
        assert _client(hall["head"]).post(url, {"upheld": "1", "decision": "x"}).status_code == 403
        assert _client(hall["clerk"]).get(url).status_code == 403
        assert (
            _client(hall["supervisor"]).post(url, {"upheld": "1", "decision": "误评属实"}).status_code == 302
        )
    appeal.refresh_from_db()
    assert appeal.status == "upheld"


def test_hotline_page(hall, at):
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        assert _client(hall["clerk"]).get("/ratings/hotline/").status_code == 403
        c = _client(hall["operator"])
        wrong = c.post("/ratings/hotline/", {"case_number": case.number, "check_code": "0", "level": "3"})
        assert wrong.status_code == 422 and "查询码不正确" in wrong.content.decode()
        ok = c.post(
            "/ratings/hotline/", {"case_number": case.number, "check_code": case.check_code, "level": "3"}
        )
        assert ok.status_code == 302
    assert Rating.objects.get(case=case).channel == RatingChannel.HOTLINE


def test_public_page_and_api(hall, at):
    from govhall.stats.refresh import refresh_facts

    with at(2026, 3, 2, 10):
        for level in ("5", "4", "1"):
            case = window_case(hall)
            actions.submit_rating(
                case, channel=RatingChannel.QR, level=level, token=tokens.case_token(case.pk)
            )
        refresh_facts()
    page = Client().get("/ratings/public/?month=2026-03").content.decode()
    assert "66.67%" in page
    body = Client().get("/api/v1/stats/public?month=2026-03").json()
    values = {i["code"]: i["value"] for i in body["indicators"]}
    assert values["satisfaction_rate"] == pytest.approx(66.67) and values["rated"] == 3
    assert values["accepted"] == 3 and body["rectification"]["bad_reviews"] == 1
    assert body["start"] == "2026-03-01" and body["end"] == "2026-03-31"
    by_department = {d["name"]: {i["code"]: i["value"] for i in d["indicators"]} for d in body["departments"]}
    assert by_department["县市场监督管理局"]["satisfaction_rate"] == pytest.approx(66.67)
    bad = Client().get("/api/v1/stats/public?month=2026-13")
    assert bad.status_code == 422 and bad.json()["detail"][0]["msg"].startswith("统计月份：格式不正确")
    spec = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/stats/public" in spec["paths"] and "PublicStatsOut" in spec["components"]["schemas"]


def test_stats_refresh_then_public_month_counts_ratings(hall, at):
    from govhall.stats.refresh import refresh_facts

    with at(2026, 3, 2, 10):
        case = window_case(hall)
        actions.submit_rating(case, channel=RatingChannel.QR, level="3", token=tokens.case_token(case.pk))
        refresh_facts()
    assert dt.date(2026, 3, 2) == Rating.objects.get().rated_day
    page = Client().get("/stats/public/?month=2026-03").content.decode()
    assert "100.00%" in page


def test_window_card_and_notice_carry_rating_qr_codes(hall, at):
    import shutil
    import subprocess
    from urllib.parse import urlsplit

    from govhall.documents.actions import ensure_seal
    from govhall.documents.models import Document
    from govhall.documents.render import render_document

    window = hall.catalog.window
    assert _client(hall["approver"]).get(f"/ratings/window/{window.pk}/card/").status_code == 403
    card = _client(hall["clerk"]).get(f"/ratings/window/{window.pk}/card/").content.decode()
    assert "<svg" in card and "扫码评价" in card
    with at(2026, 3, 2, 10):
        case = window_case(hall)
    caption, url = actions.notice_rating_link(case.number)
    assert url.endswith(f"/ratings/q/{tokens.case_token(case.pk)}/") and caption == "扫码评价"
    assert Client().get(urlsplit(url).path).status_code == 200
    if shutil.which("pdftotext"):
        doc = Document.objects.filter(case_number=case.number).first()
        pdf = render_document(doc, ensure_seal(doc.department))
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "扫码评价" in text and "扫码验证真伪" in text


def test_staff_pages_in_english(hall, at):
    # Staff pages follow the language switch (a cookie); without it they stay Chinese.
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        rating = actions.submit_rating(
            case, channel=RatingChannel.QR, level="1", token=tokens.case_token(case.pk)
        )
    head = _client(hall["head"])
    assert head.post("/i18n/setlang/", {"language": "en", "next": "/ratings/"}).status_code == 302
    home = head.get("/ratings/").content.decode()
    assert "Poor ratings to rectify" in home and "待整改的差评" not in home
    review = head.get(f"/ratings/reviews/{rating.review.number}/").content.decode()
    assert f"Poor rating rectification {rating.review.number}" in review
    assert "for callback only" in review and "差评整改" not in review
    chinese = _client(hall["head"]).get("/ratings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "待整改的差评" in chinese and "Poor ratings to rectify" not in chinese
