"""The annual figures by hand count (also through `manage.py legal_report`), the remedy counter registered with
disclosure, the API's permissions and errors, and the pages."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from govhall.disclosure import actions as disclosure
from govhall.disclosure.hooks import remedy_counts
from govhall.legal import actions
from govhall.legal.choices import Instrument, Outcome, ReconOutcome
from tests.cases.conftest import local

from .conftest import sue


@pytest.fixture
def year_2024(hall, at):
    """2024 by hand: scjg 3 lawsuits (first-of-year → head appears; one lost, one won, one pending), rsj 1 (first of
    the year, heard, head absent without explanation, won). Reconsiderations: upheld, revoked, refused, pending."""
    L = hall["legal"]
    with at(2024, 3, 6, 9):
        a = sue(hall, "scjg", received=date(2024, 3, 4))
        b = sue(hall, "scjg", received=date(2024, 3, 5))
        c = sue(hall, "scjg", received=date(2024, 3, 6))
        d = sue(hall, "rsj", received=date(2024, 3, 4))
        ha = actions.schedule_hearing(a, by=L, scheduled_for=local(2024, 4, 10, 9))
        hb = actions.schedule_hearing(b, by=L, scheduled_for=local(2024, 4, 10, 14))
        hd = actions.schedule_hearing(d, by=L, scheduled_for=local(2024, 4, 11, 9))
        r1, r2, r3, r4 = (
            actions.receive_reconsideration(
                by=L,
                department=hall.catalog.departments["scjg"],
                applicant_name=f"申请人{n}",
                request="撤销",
                act_description="处罚",
            )
            for n in range(4)
        )
    with at(2024, 4, 11, 12):
        actions.record_hearing(ha, by=L, head_appeared=True, head_name="梁局长")
        actions.record_hearing(hb, by=L, head_appeared=False)
        actions.record_hearing(hd, by=L, head_appeared=False)
    with at(2024, 5, 6, 9):
        actions.record_judgment(
            a, by=L, instrument=Instrument.JUDGMENT, outcome=Outcome.REVOKED, served_on=date(2024, 5, 6)
        )
        actions.record_judgment(
            b,
            by=L,
            instrument=Instrument.JUDGMENT,
            outcome=Outcome.DISMISSED_CLAIM,
            served_on=date(2024, 5, 6),
        )
        actions.record_judgment(
            d, by=L, instrument=Instrument.RULING, outcome=Outcome.DISMISSED_SUIT, served_on=date(2024, 5, 6)
        )
        for r in (r1, r2, r4):
            actions.accept_reconsideration(r, by=L)
        actions.decide_reconsideration(r1, by=L, outcome=ReconOutcome.UPHELD)
        actions.decide_reconsideration(r2, by=L, outcome=ReconOutcome.REVOKED)
        actions.refuse_reconsideration(r3, by=L, ground="out_of_scope", reason="内部行政行为")
    return {"a": a, "b": b, "c": c, "d": d}


def test_annual_figures_by_hand(year_2024, hall):
    out = StringIO()
    call_command("legal_report", "2024", stdout=out)
    fig = json.loads(out.getvalue())
    lit, app, rec = fig["litigation"], fig["appearance"], fig["reconsideration"]
    assert (lit["cases"], lit["concluded"], lit["lost"], lit["loss_rate"]) == (4, 3, 1, 0.3333)
    assert lit["by_outcome"] == {"dismissed_claim": 1, "dismissed_suit": 1, "revoked": 1}
    # Heard: a, b, d; the head appeared in a only → 1/3. Required: a and d (first of the year of each agency).
    assert (app["cases_heard"], app["head_appeared"], app["appearance_rate"]) == (3, 1, 0.3333)
    assert (app["required"], app["required_appeared"]) == (2, 1)
    rsj = str(hall.catalog.departments["rsj"].pk)
    assert list(app["failed_departments"]) == [rsj]  # d: required, absent, no explanation
    assert app["failed_two_years_running"] == {}
    assert (rec["received"], rec["accepted"], rec["refused"], rec["decided"], rec["pending"]) == (
        4,
        3,
        1,
        2,
        1,
    )
    assert rec["by_outcome"]["upheld"] == 1 and rec["by_outcome"]["revoked"] == 1
    assert (rec["corrected"], rec["correction_rate"]) == (1, 0.5)


def test_quarterly_summary_to_the_court(year_2024, hall, at):
    with at(2024, 7, 1, 9):
        summary = actions.issue_court_summary(by=hall["legal"], year=2024, quarter=2)
    assert summary.figures["totals"] == {
        "received": 0,
        "hearings": 3,
        "head_appeared": 1,
        "absent": 1,
        "appearance_rate": 0.3333,
    }
    assert "开庭3次" in summary.body
    with at(2024, 7, 1, 9):
        q1 = actions.issue_court_summary(by=hall["legal"], year=2024, quarter=1)
    assert q1.figures["totals"]["received"] == 4 and q1.figures["totals"]["hearings"] == 0


def test_remedy_counter_counts_information_request_remedies(hall, at):
    L = hall["legal"]
    scjg = hall.catalog.departments["scjg"]
    with at(2026, 3, 2, 9):
        req = disclosure.file_request(
            by=None,
            organ=scjg,
            channel="online",
            requester_name="赵六",
            requester_id_number="11010519491231002X",
            phone="13800138000",
            description="请求公开2025年抽检结果",
        )
        recon = actions.receive_reconsideration(
            by=L,
            department=scjg,
            applicant_name="赵六",
            request="撤销答复",
            act_source="info_request",
            info_request=req,
        )
        actions.accept_reconsideration(recon, by=L)
        actions.decide_reconsideration(recon, by=L, outcome=ReconOutcome.ORDERED_TO_ACT)
        sue(hall, received=date(2026, 3, 2), act_source="info_request", act_request_number=req.number)
        sue(
            hall,
            received=date(2026, 3, 2),
            act_source="info_request",
            info_request=req,
            reconsideration=recon,
        )
    counts = remedy_counts(2026)
    assert counts["reconsideration"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
    assert counts["litigation_direct"]["pending"] == 1 and counts["litigation_direct"]["total"] == 1
    assert counts["litigation_after_reconsideration"]["total"] == 1


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_api_permissions_errors_and_steps(hall, at):
    assert Client().get("/api/v1/legal/lawsuits").status_code == 401
    assert _client(hall["clerk"]).get("/api/v1/legal/lawsuits").status_code == 403
    legal = _client(hall["legal"])
    scjg = hall.catalog.departments["scjg"].pk
    body = {
        "department_id": scjg,
        "court": "示范县人民法院",
        "case_number": "（2026）示0101行初900号",
        "plaintiffs": "甲\n乙",
        "cause": "不服行政处罚",
        "notice_received_on": "2026-03-02",
        "act_description": "罚款决定",
        "plaintiff_count": 10,
    }
    with at(2026, 3, 3, 9):
        bad = legal.post("/api/v1/legal/lawsuits", {**body, "court": ""}, content_type="application/json")
        assert bad.status_code == 422 and "court" in json.dumps(bad.json(), ensure_ascii=False)
        made = legal.post("/api/v1/legal/lawsuits", body, content_type="application/json")
        assert made.status_code == 201, made.content
        suit = made.json()
        assert suit["appearance_required"] and "many_plaintiffs" in suit["appearance_reasons"]
        assert suit["defence"]["due_day"] == "2026-03-17"
        h = legal.post(
            f"/api/v1/legal/lawsuits/{suit['id']}/hearings",
            {"scheduled_for": "2026-03-20T09:00:00+08:00"},
            content_type="application/json",
        )
        assert h.status_code == 201 and h.json()["hearings"][0]["absence_deadline"]["due_day"] == "2026-03-13"
        # Another agency's head sees nothing of it; its own head does.
        assert _client(hall["zj_head"]).get(f"/api/v1/legal/lawsuits/{suit['id']}").status_code == 404
        assert _client(hall["head"]).get(f"/api/v1/legal/lawsuits/{suit['id']}").status_code == 200
        r = legal.post(
            "/api/v1/legal/reconsiderations",
            {"department_id": scjg, "applicant_name": "丙", "request": "撤销", "act_description": "罚款"},
            content_type="application/json",
        )
        assert r.status_code == 201
        step = legal.post(
            f"/api/v1/legal/reconsiderations/{r.json()['id']}/steps",
            {"step": "decide", "outcome": "upheld"},
            content_type="application/json",
        )
        assert step.status_code == 422  # not accepted yet
        assert (
            _client(hall["head"])
            .post(
                f"/api/v1/legal/reconsiderations/{r.json()['id']}/steps",
                {"step": "accept"},
                content_type="application/json",
            )
            .status_code
            == 403
        )
        assert legal.get("/api/v1/legal/report/2026").json()["litigation"]["cases"] == 1


def test_pages_and_case_page_panel(hall, at):
    case = hall["case"]
    with at(2026, 3, 3, 9):
        suit = sue(hall, received=date(2026, 3, 2), act_source="case", case=case)
        actions.record_judgment(
            suit,
            by=hall["legal"],
            instrument=Instrument.JUDGMENT,
            outcome=Outcome.CHANGED,
            served_on=date(2026, 3, 3),
        )
        legal = _client(hall["legal"])
        home = legal.get("/legal/")
        assert home.status_code == 200 and suit.case_number in home.content.decode()
        page = legal.get(f"/legal/lawsuits/{suit.pk}/")
        assert page.status_code == 200 and "裁判文书备案" in page.content.decode()
        assert legal.post(f"/legal/lawsuits/{suit.pk}/", {"op": "file"}).status_code == 302
        assert legal.get("/legal/report/?year=2026").status_code == 200
        assert _client(hall["clerk"]).get("/legal/").status_code == 403
        bad = legal.post("/legal/", {"op": "lawsuit", "court": ""})
        assert bad.status_code == 422
        case_page = _client(hall["approver"]).get(f"/workbench/cases/{case.number}/")
    assert case_page.status_code == 200, case_page.status_code
    assert "复议与诉讼纠错" in case_page.content.decode() and "变更" in case_page.content.decode()
