"""The API over real HTTP, and the annual report against a hand count of a seeded year."""

from __future__ import annotations

from datetime import date

from django.test import Client

from govhall.disclosure import actions, hooks, report

from .conftest import ID_NUMBER, ORGAN_CODE, County, file, travel


def test_catalog_api_search_and_lookup(county: County) -> None:
    with travel(2026, 4, 1, 9):
        actions.publish_record(
            actor=county.officer,
            organ=county.organ,
            title="关于进一步规范城区控制性详细规划管理的通知",
            category="normative",
            document_number="资规〔2026〕3号",
            formed_on=date(2026, 3, 30),
            validity="valid",
        )
        actions.publish_record(
            actor=county.officer, organ=county.other, title="2026年部门预算", category="budget"
        )
    client = Client()
    rows = client.get("/api/v1/disclosure", {"q": "控制性详细规划"}).json()
    assert [r["index_number"] for r in rows] == [f"{ORGAN_CODE}/2026-00001"]
    assert len(client.get("/api/v1/disclosure", {"category": "budget", "year": 2026}).json()) == 1
    assert client.get("/api/v1/disclosure", {"year": 2025}).json() == []
    assert len(client.get("/api/v1/disclosure", {"organ": county.organ.pk}).json()) == 1
    detail = client.get(f"/api/v1/disclosure/{ORGAN_CODE}/2026-00001")
    assert detail.status_code == 200 and detail.json()["document_number"] == "资规〔2026〕3号"
    assert client.get("/api/v1/disclosure/nope/2026-9").status_code == 404
    bad = client.get("/api/v1/disclosure", {"category": "nonsense"})
    assert bad.status_code == 422 and "category" in bad.json()["detail"][0]["msg"]


def test_info_request_api_and_progress(county: County, settings: object) -> None:
    settings.GOVHALL_THROTTLE_INFO_REQUEST_IP = (2, 3600)  # type: ignore[attr-defined]
    client = Client(REMOTE_ADDR="10.0.0.9")
    body = {
        "organ": county.organ.pk,
        "requester_name": "李明",
        "requester_id_number": ID_NUMBER,
        "phone": "13800138000",
        "description": "城东片区控制性详细规划批复",
    }
    with travel(2026, 9, 28, 9):
        bad = client.post(
            "/api/v1/info-requests", {**body, "requester_id_number": "123"}, content_type="application/json"
        )
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["field"] == "requester_id_number"
        assert "身份证" in bad.json()["detail"][0]["msg"]
        missing = client.post(
            "/api/v1/info-requests", {"organ": county.organ.pk}, content_type="application/json"
        )
        assert missing.status_code == 422
        created = client.post("/api/v1/info-requests", body, content_type="application/json")
        assert created.status_code == 201, created.content
        data = created.json()
        assert data["due_day"] == "2026-10-30"
        assert client.post("/api/v1/info-requests", body, content_type="application/json").status_code == 429
    progress = client.get(
        "/api/v1/info-requests/progress", {"number": data["number"], "code": data["check_code"]}
    )
    assert progress.status_code == 200 and progress.json()["status"] == "received"
    wrong = client.get("/api/v1/info-requests/progress", {"number": data["number"], "code": "00000000"})
    assert wrong.status_code == 404
    staff = Client()
    staff.force_login(county.outsider)
    assert (
        staff.post(
            f"/api/v1/info-requests/{data['number']}/answer",
            {"outcome": "not_exist"},
            content_type="application/json",
        ).status_code
        == 404
    )
    staff.force_login(county.officer)
    with travel(2026, 9, 29, 10):
        consulted = staff.post(
            f"/api/v1/info-requests/{data['number']}/consult",
            {"third_party": "某公司"},
            content_type="application/json",
        )
        assert consulted.status_code == 200 and consulted.json()["status"] == "consulting"
        refused = staff.post(
            f"/api/v1/info-requests/{data['number']}/extend",
            {"reason": "档案"},
            content_type="application/json",
        )
        assert refused.status_code == 403
        assert (
            staff.post(
                f"/api/v1/info-requests/{data['number']}/consult-end",
                {"opinion": "不同意公开"},
                content_type="application/json",
            ).json()["status"]
            == "received"
        )
    with travel(2026, 10, 9, 10):
        refused = staff.post(
            f"/api/v1/info-requests/{data['number']}/answer",
            {"outcome": "withheld"},
            content_type="application/json",
        )
        assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "reason_category"
        answered = staff.post(
            f"/api/v1/info-requests/{data['number']}/answer",
            {"outcome": "withheld", "reason_category": "third_party"},
            content_type="application/json",
        )
    assert answered.status_code == 200 and answered.json()["answer_document"]
    done = client.get(
        "/api/v1/info-requests/progress", {"number": data["number"], "code": data["check_code"]}
    ).json()
    assert done["outcome"] == "withheld" and done["answer_pdf_url"]


def test_annual_report_equals_hand_count(county: County) -> None:
    o = county
    with travel(2024, 12, 20, 9):
        carried = file(o)  # received 2024, answered 2025: carried in
        old = file(o, requester_kind="business", requester_id_number="91450100MA5KB2XA0X")
        actions.publish_record(actor=o.officer, organ=o.organ, title="2024年规划", category="plan")
    with travel(2024, 12, 23, 9):
        actions.answer_request(old, by=o.officer, outcome="not_exist")  # closed in 2024: not counted
    with travel(2025, 1, 6, 9):
        actions.answer_request(carried, by=o.officer, outcome="disclosed", answer_text="见附件")
    with travel(2025, 3, 3, 9):
        r1 = file(o)
        r2 = file(o, requester_kind="business", requester_id_number="91450100MA5KB2XA0X")
        r3 = file(o)
        r4 = file(o, requester_kind="legal_service", requester_id_number="91450100MA5KB2XA0X")
        r5 = file(o)
        n1 = actions.publish_record(
            actor=o.officer, organ=o.organ, title="规范性文件一", category="normative", validity="valid"
        )
        actions.publish_record(
            actor=o.officer, organ=o.organ, title="规范性文件二", category="normative", validity="valid"
        )
        actions.publish_record(actor=o.officer, organ=o.organ, title="2025年预算", category="budget")
    with travel(2025, 3, 4, 9):
        actions.request_clarification(r5, by=o.officer, items="请写明年份")
    with travel(2025, 3, 10, 9):
        actions.answer_request(r1, by=o.officer, outcome="already_public", where_public="县政府网站")
        actions.answer_request(r2, by=o.officer, outcome="withheld", reason_category="third_party")
        actions.answer_request(
            r3, by=o.officer, outcome="not_this_agency", right_agency="县住建局，电话0775-1234567"
        )
        actions.withdraw_record(n1, actor=o.officer, reason="已废止")
    with travel(2025, 5, 6, 9):
        actions.abandon_overdue_clarifications()
    with travel(2025, 12, 29, 9):
        file(o)  # r6, still open at the year's end
    with travel(2026, 1, 5, 9):
        file(o)  # next year
        actions.answer_request(r4, by=o.officer, outcome="repeated")  # answered in 2026: carried out of 2025

    def counter(year: int) -> hooks.RemedyCounts:
        return {"reconsideration": {"upheld": 1, "total": 1}} if year == 2025 else {}

    hooks.register_remedy_counter(counter)
    try:
        figures = report.annual_report(2025, o.organ)
    finally:
        hooks.unregister_remedy_counter(counter)
    t = figures["requests"]
    # By hand: new in 2025 r1–r6 (4 persons, 1 business, 1 legal service); carried in: `carried` (person).
    assert (t["new"]["person"], t["new"]["business"], t["new"]["legal_service"], t["new"]["total"]) == (
        4,
        1,
        1,
        6,
    )
    assert t["carried_in"]["total"] == 1 and t["carried_in"]["person"] == 1
    # Handled in 2025: carried (disclosed) + r1 (already public) = 2 disclosed; r2 withheld (third party);
    # r3 not this agency → 本机关不掌握; r5 abandoned after the clarification period.
    assert t["disclosed"]["total"] == 2
    assert t["withheld"]["business"] == 1 and t["withheld:third_party"]["total"] == 1
    assert t["unavailable:not_held"]["total"] == 1
    assert t["other:abandoned"]["person"] == 1
    assert t["handled_total"]["total"] == 5
    # Carried out: r4 (legal service, answered 2026) and r6.
    assert t["carried_out"]["total"] == 2 and t["carried_out"]["legal_service"] == 1
    assert (
        t["new"]["total"] + t["carried_in"]["total"]
        == t["handled_total"]["total"] + t["carried_out"]["total"]
    )
    p = figures["proactive"]
    assert p["normative"] == {"published": 2, "withdrawn": 1, "in_force": 1}
    assert p["budget"]["published"] == 1 and p["plan"] == {"published": 0, "withdrawn": 0, "in_force": 1}
    assert p["total"]["published"] == 3
    assert figures["remedies"]["reconsideration"]["upheld"] == 1
    assert figures["remedies"]["litigation_direct"]["total"] == 0
