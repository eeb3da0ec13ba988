"""Real HTTP: the API under /api/v1/rulemaking/ (401/403/404/422 with the field named, the no-skip rule, publication
with its index number), the staff pages behind the roles, the public registry and its forms, the JSON commands and
the admin's configuration of the limits."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import time_machine
from django.core.management import call_command
from django.test import Client

from govhall.core.models import AuditEvent, AuditEventType
from govhall.rulemaking import actions
from govhall.rulemaking.choices import DocStage
from govhall.rulemaking.models import CitizenReview, DocumentComment, NormativeDocument, RulemakingRule

from .conftest import County, decision_through, discussed, local


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def test_api_documents_through_every_stage(county: County) -> None:
    c = county
    anon = _client()
    assert anon.get("/api/v1/rulemaking/documents").status_code == 401
    assert _client(c["clerk"]).get("/api/v1/rulemaking/documents").status_code == 403
    head, legal, leader = _client(c["head"]), _client(c["legal"]), _client(c["leader"])
    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        bad = _post(
            head, "/api/v1/rulemaking/documents", {"organ_id": c.departments["scjg"].pk, "title": "  "}
        )
        assert bad.status_code == 422 and "文件名称" in json.dumps(bad.json(), ensure_ascii=False)
        created = _post(
            head,
            "/api/v1/rulemaking/documents",
            {"organ_id": c.departments["scjg"].pk, "title": "县农贸市场管理办法"},
        )
        assert created.status_code == 201
        number = created.json()["number"]
        base = f"/api/v1/rulemaking/documents/{number}"
        skipped = _post(head, f"{base}/publish", {"document_number": "示〔2026〕1号"})
        assert skipped.status_code == 422
        assert "程序不得跳过" in json.dumps(skipped.json(), ensure_ascii=False)
        opened = _post(head, f"{base}/comment-period", {})
        assert opened.status_code == 200 and opened.json()["clocks"]["comment"]["due_day"] == "2026-03-11"
        assert (
            _post(head, f"{base}/comments", {"commenter": "李摊主", "content": "请公示收费"}).status_code
            == 201
        )
    comment_id = DocumentComment.objects.get().pk
    with time_machine.travel(local(2026, 3, 12, 9), tick=False):
        assert (
            _post(
                head, f"{base}/comments/{comment_id}/answer", {"adopted": True, "answer": "采纳"}
            ).status_code
            == 200
        )
        assert _post(head, f"{base}/submit", {}).json()["stage"] == "review"
        assert (
            _post(head, f"{base}/legality-review", {"conclusion": "lawful", "opinion": "合法"}).status_code
            == 403
        )
        assert (
            _post(legal, f"{base}/legality-review", {"conclusion": "maybe", "opinion": "合法"}).status_code
            == 422
        )
        assert (
            _post(legal, f"{base}/legality-review", {"conclusion": "lawful", "opinion": "合法"}).json()[
                "stage"
            ]
            == "discussion"
        )
        discussed_ = _post(
            leader,
            f"{base}/discussion",
            {"meeting": "县政府常务会议", "held_on": "2026-03-12", "approved": True},
        )
        assert discussed_.status_code == 200
    with time_machine.travel(local(2026, 3, 20, 9), tick=False):
        published = _post(
            head,
            f"{base}/publish",
            {"document_number": "示市监规〔2026〕1号", "effective_from": "2026-04-01"},
        )
        body = published.json()
        assert published.status_code == 200 and body["stage"] == "published" and body["index_number"]
        assert body["valid_until"] == "2031-03-31" and body["clocks"]["filing"]["due_day"] == "2026-04-20"
    with time_machine.travel(local(2026, 4, 21, 9), tick=False):
        filed = _post(head, f"{base}/filing", {"filed_with": "县人民政府"}).json()
        assert filed["stage"] == "filed" and filed["filed_late"] is True
        review = _post(legal, f"{base}/citizen-reviews", {"applicant": "赵某", "reason": "第八条无依据"})
        assert review.status_code == 201 and review.json()["due_day"] == "2026-06-22"
        answered = _post(
            legal,
            f"/api/v1/rulemaking/citizen-reviews/{review.json()['number']}/answer",
            {"outcome": "lawful", "answer": "维持"},
        )
        assert answered.status_code == 200 and answered.json()["late"] is False
        figures = legal.get("/api/v1/rulemaking/figures?year=2026").json()
        assert figures["documents"]["published"] == 1 and figures["documents"]["filed_late"] == 1
        assert legal.get("/api/v1/rulemaking/figures?year=20").status_code == 422
    # Another organ's head sees none of it.
    assert _client(c["zj_head"]).get(base).status_code == 404


def test_api_decision_steps(county: County) -> None:
    c = county
    leader = _client(c["leader"])
    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        started = _post(
            leader,
            "/api/v1/rulemaking/decisions",
            {"organ_id": c.departments["zjj"].pk, "title": "老旧小区改造"},
        )
        assert started.status_code == 201 and started.json()["next_step"] == "participation"
        base = f"/api/v1/rulemaking/decisions/{started.json()['number']}"
        assert _post(leader, f"{base}/participation", {}).json()["comment_clock"]["due_day"] == "2026-04-01"
    with time_machine.travel(local(2026, 4, 2, 9), tick=False):
        skipped = _post(leader, f"{base}/steps", {"step": "risk", "summary": "x"})
        assert skipped.status_code == 422 and "不能跳过" in json.dumps(skipped.json(), ensure_ascii=False)
        assert (
            _post(leader, f"{base}/steps", {"step": "participation", "summary": "意见 12 条"}).json()[
                "next_step"
            ]
            == "experts"
        )


def test_staff_pages(county: County) -> None:
    c = county
    doc = discussed(c)
    decision = decision_through(c, "risk")
    assert _client().get("/rulemaking/staff/").status_code == 302
    refused = _client(c["clerk"]).get("/rulemaking/staff/")
    assert refused.status_code == 403 and "法制办" in refused.content.decode()
    legal = _client(c["legal"])
    page = legal.get("/rulemaking/staff/").content.decode()
    assert doc.number in page and decision.number in page and 'id="cleanup"' in page
    page = legal.get(f"/rulemaking/staff/documents/{doc.number}/").content.decode()
    assert 'value="publish"' in page
    with time_machine.travel(local(2026, 3, 20, 9), tick=False):
        bad = legal.post(
            f"/rulemaking/staff/documents/{doc.number}/", {"op": "publish", "document_number": ""}
        )
        assert bad.status_code == 400 and "文号：请填写文号" in bad.content.decode()
        ok = legal.post(
            f"/rulemaking/staff/documents/{doc.number}/",
            {"op": "publish", "document_number": "示〔2026〕9号"},
        )
        assert ok.status_code == 302
    doc.refresh_from_db()
    assert (
        doc.stage == DocStage.PUBLISHED
        and doc.index_number in legal.get(f"/rulemaking/staff/documents/{doc.number}/").content.decode()
    )
    page = legal.get(f"/rulemaking/staff/decisions/{decision.number}/").content.decode()
    assert "登记“合法性审查”" in page
    with time_machine.travel(local(2026, 4, 3, 9), tick=False):
        wrong = legal.post(
            f"/rulemaking/staff/decisions/{decision.number}/", {"step": "discussion", "summary": "x"}
        )
        assert wrong.status_code == 400 and "不能跳过“合法性审查”" in wrong.content.decode()
    figures = legal.get("/rulemaking/staff/figures/?year=2026")
    assert figures.status_code == 200 and 'id="figures"' in figures.content.decode()
    assert legal.get("/rulemaking/staff/figures/?year=abc").status_code == 400
    # The drafting organ's head sees its own document, not the other organ's.
    assert _client(c["head"]).get(f"/rulemaking/staff/documents/{doc.number}/").status_code == 200
    assert _client(c["zj_head"]).get(f"/rulemaking/staff/documents/{doc.number}/").status_code == 404


def test_public_registry_comment_and_review_request(county: County) -> None:
    c = county
    draft = actions.draft_document(
        by=c["head"], organ=c.departments["scjg"], title="县摊点管理办法", at=local(2026, 3, 2, 9)
    )
    hidden = actions.draft_document(
        by=c["head"], organ=c.departments["scjg"], title="内部草稿", at=local(2026, 3, 2, 9)
    )
    actions.open_comment(draft, by=c["head"], at=local(2026, 3, 2, 10))
    doc = actions.publish_document(
        discussed(c), by=c["head"], document_number="示市监规〔2026〕1号", at=local(2026, 3, 20, 9)
    )
    public = _client()
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        page = public.get("/rulemaking/").content.decode()
    assert doc.index_number in page and "县摊点管理办法" in page and "内部草稿" not in page
    assert public.get(f"/rulemaking/documents/{hidden.number}/").status_code == 404
    assert 'id="rulemaking-link"' in public.get("/").content.decode()
    with time_machine.travel(local(2026, 3, 5, 10), tick=False):
        bad = public.post(f"/rulemaking/documents/{draft.number}/", {"commenter": "", "content": ""})
        assert bad.status_code == 400 and "意见人：请填写意见人" in bad.content.decode()
        ok = public.post(
            f"/rulemaking/documents/{draft.number}/", {"commenter": "王某", "content": "建议延长营业时间"}
        )
        assert ok.status_code == 302
    assert DocumentComment.objects.filter(document=draft).count() == 1
    with time_machine.travel(local(2026, 5, 6, 10), tick=False):
        ok = public.post(
            f"/rulemaking/documents/{doc.number}/", {"applicant": "赵某", "reason": "增设许可条件"}
        )
        assert ok.status_code == 302
    review = CitizenReview.objects.get()
    assert review.document == doc and review.clock is not None and review.clock.due_day == date(2026, 7, 6)


def test_commands_print_json(county: County) -> None:
    c = county
    actions.publish_document(
        discussed(c),
        by=c["head"],
        document_number="示〔2026〕1号",
        effective_from=date(2026, 4, 1),
        at=local(2026, 3, 20, 9),
    )
    out = StringIO()
    call_command("rulemaking_expire", "--date", "2030-12-31", stdout=out)
    assert json.loads(out.getvalue())["expiry_alerts"] == 1
    out = StringIO()
    call_command("rulemaking_report", "2026", stdout=out)
    assert json.loads(out.getvalue())["documents"]["published"] == 1


def test_admin_sets_the_limits_through_the_action(county: County) -> None:
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x-root-pw")
    admin = _client(root)
    form = {
        "comment_workdays": "10",
        "filing_days": "15",
        "validity_years": "3",
        "expiry_alert_days": "60",
        "citizen_review_days": "30",
        "decision_comment_days": "30",
    }
    assert admin.post("/admin/rulemaking/rulemakingrule/add/", form).status_code == 302
    assert RulemakingRule.current().filing_days == 15
    assert AuditEvent.objects.filter(event_type=AuditEventType.RULEMAKING_RULE_SAVED).count() == 1
    doc = actions.publish_document(
        discussed(county), by=county["head"], document_number="示〔2026〕2号", at=local(2026, 3, 20, 9)
    )
    assert doc.filing_clock is not None and doc.filing_clock.due_day == date(2026, 4, 7)  # 20 March + 15 days
    assert doc.valid_until == date(2029, 3, 19)
    assert NormativeDocument.objects.count() == 1
    assert admin.get(f"/admin/rulemaking/normativedocument/{doc.pk}/change/").status_code == 200
