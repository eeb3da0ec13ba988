"""The case-handling API over HTTP: permissions per endpoint, the lifecycle, idempotency, 409s, 422s, OpenAPI."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate

from govhall.cases import api as cases_api
from govhall.cases.models import Case, IdempotencyKey, OutOfProcedureAttempt, Task
from govhall.catalog.models import Material
from govhall.ledger.models import LedgerEntry
from tests.cases.conftest import COMPANY, PDF

from .cases_support import (
    CANCEL,
    PERMIT,
    Api,
    EndpointAuthChecks,
    World,
    application,
    b64,
    basic,
    has_chinese,
    materials_for,
    person,
    snapshot,
    world_fixture,  # noqa: F401  (fixture `world`)
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
INSTANT = "企业营业执照设立登记"


def company() -> dict[str, Any]:
    return {
        "kind": COMPANY.kind,
        "name": COMPANY.name,
        "id_number": COMPANY.id_number,
        "legal_representative": COMPANY.legal_representative,
    }


def detail(world: World, number: str, by: str = "clerk") -> dict[str, Any]:
    response = world[by].get(f"/cases/{number}")
    assert response.status_code == 200, response.content.decode()
    return dict(response.json())


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return dict(response.json())


def clocks_by_kind(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {clock["kind"]: clock for clock in body["clocks"]}


def online_with_correction(world: World) -> str:
    """An online application by the applicant's own account without 公司章程, then the clerk's one-time notice."""
    item = world.item(CANCEL)
    number = world.submit(by="applicant", channel="online", materials=materials_for(item, skip=("公司章程",)))
    charter = Material.objects.get(item=item, name="公司章程")
    body = {"decision": "correction", "missing": [{"material_id": charter.pk, "reason": "须全体股东签字"}]}
    ok(world["clerk"].post(f"/cases/{number}/intake", body))
    return number


# --- permissions: one class per endpoint ---------------------------------------------------------------------


class TestCreatePermissions(EndpointAuthChecks):
    wrong_role = "approver"  # window intake needs the window clerk role

    def path(self, ctx: dict[str, Any]) -> str:
        return "/cases"

    def body(self, world: World, ctx: dict[str, Any]) -> Any:
        return application(world.item(CANCEL))


class TestDetailPermissions(EndpointAuthChecks):
    method = "get"
    wrong_role = "agent"  # a village agent sees only what they received
    wrong_role_status = 404
    other_department = "zj_approver"

    def prepare(self, world: World) -> dict[str, Any]:
        return {"number": world.submit()}

    def path(self, ctx: dict[str, Any]) -> str:
        return f"/cases/{ctx['number']}"


class TestIntakePermissions(EndpointAuthChecks):
    wrong_role = "head"  # sees the department's cases, but intake is for clerks and approvers
    other_department = "zj_approver"

    def prepare(self, world: World) -> dict[str, Any]:
        return {"number": world.submit()}

    def path(self, ctx: dict[str, Any]) -> str:
        return f"/cases/{ctx['number']}/intake"

    def body(self, world: World, ctx: dict[str, Any]) -> Any:
        return {"decision": "accept"}


class TestTaskListPermissions(EndpointAuthChecks):
    method = "get"
    wrong_role = "applicant"
    wrong_role_status = 200
    other_department = "mz_approver"
    other_department_status = 200

    def prepare(self, world: World) -> dict[str, Any]:
        number = world.accepted()
        assert world["approver"].get("/tasks").json()["count"] == 1
        return {"number": number}

    def path(self, ctx: dict[str, Any]) -> str:
        return "/tasks"

    def check_refused(self, response: Any, status: int) -> None:
        # A list is scoped, not refused: nothing of another department's shows.
        assert response.status_code == 200
        assert response.json() == {"items": [], "count": 0}


class TestClaimPermissions(EndpointAuthChecks):
    wrong_role = "clerk"  # received the case and sees it, but the review step is the approver's
    other_department = "mz_approver"

    def prepare(self, world: World) -> dict[str, Any]:
        number = world.accepted()
        return {"number": number, "task": world.open_task(number).pk}

    def path(self, ctx: dict[str, Any]) -> str:
        return f"/tasks/{ctx['task']}/claim"


class TestTaskActionPermissions(TestClaimPermissions):
    wrong_role = "head"

    def path(self, ctx: dict[str, Any]) -> str:
        return f"/tasks/{ctx['task']}/actions"

    def body(self, world: World, ctx: dict[str, Any]) -> Any:
        return {"action": "approve", "opinion": "同意"}


class TestStartPausePermissions(EndpointAuthChecks):
    wrong_role = "clerk"
    other_department = "zj_approver"

    def prepare(self, world: World) -> dict[str, Any]:
        return {"number": world.accepted()}

    def path(self, ctx: dict[str, Any]) -> str:
        return f"/cases/{ctx['number']}/pauses"

    def body(self, world: World, ctx: dict[str, Any]) -> Any:
        return {"kind": "publicity", "reason": "注销公示", "expected_days": 5}


class TestEndPausePermissions(EndpointAuthChecks):
    wrong_role = "clerk"
    other_department = "zj_approver"

    def prepare(self, world: World) -> dict[str, Any]:
        number = world.accepted()
        pause = ok(
            world["approver"].post(
                f"/cases/{number}/pauses", {"kind": "publicity", "reason": "注销公示", "expected_days": 5}
            ),
            201,
        )
        return {"number": number, "pause": pause["id"]}

    def path(self, ctx: dict[str, Any]) -> str:
        return f"/cases/{ctx['number']}/pauses/{ctx['pause']}/end"

    def body(self, world: World, ctx: dict[str, Any]) -> Any:
        return {"result": "公示期满无异议"}


class TestExtensionPermissions(EndpointAuthChecks):
    wrong_role = "approver"  # art. 42: the head approves
    other_department = "zj_head"

    def prepare(self, world: World) -> dict[str, Any]:
        return {"number": world.accepted()}

    def path(self, ctx: dict[str, Any]) -> str:
        return f"/cases/{ctx['number']}/extensions"

    def body(self, world: World, ctx: dict[str, Any]) -> Any:
        return {"amount": 5, "reason": "需要补充核查债权债务"}


class TestCorrectionPermissions(EndpointAuthChecks):
    wrong_role = "approver"  # only the applicant, a clerk or an agent hands in materials
    other_department = "zj_approver"

    def prepare(self, world: World) -> dict[str, Any]:
        return {"number": online_with_correction(world)}

    def path(self, ctx: dict[str, Any]) -> str:
        return f"/cases/{ctx['number']}/correction"

    def body(self, world: World, ctx: dict[str, Any]) -> Any:
        charter = Material.objects.get(item=world.item(CANCEL), name="公司章程")
        return {
            "materials": [{"material_id": charter.pk, "filename": "章程.pdf", "content_base64": b64(PDF)}]
        }


class TestWithdrawPermissions(EndpointAuthChecks):
    wrong_role = "approver"
    other_department = "zj_approver"

    def prepare(self, world: World) -> dict[str, Any]:
        return {"number": world.submit()}

    def path(self, ctx: dict[str, Any]) -> str:
        return f"/cases/{ctx['number']}/withdraw"

    def body(self, world: World, ctx: dict[str, Any]) -> Any:
        return {"reason": "不再申请"}


class TestDocumentPermissions(EndpointAuthChecks):
    method = "get"
    wrong_role = "agent"
    wrong_role_status = 404
    other_department = "zj_approver"

    def prepare(self, world: World) -> dict[str, Any]:
        number = world.accepted()
        return {"url": detail(world, number)["documents"][0]["url"]}

    def path(self, ctx: dict[str, Any]) -> str:
        return str(ctx["url"]).removeprefix("/api/v1")


def test_visible_case_of_another_department_is_403_not_404(world: World) -> None:
    """市场监管局's approver co-reviews the permit, so they see the case, but 住建局's own step is not theirs."""
    number = world.accepted(PERMIT, applicant=company())
    assert world["approver"].get(f"/cases/{number}").status_code == 404  # not yet involved
    ok(world["zj_approver"].post(f"/tasks/{world.open_task(number).pk}/actions", {"action": "approve"}))
    assert detail(world, number, by="approver")["number"] == number  # visible through the co-review
    task = world.open_task(number, branch_key__startswith="lead:")  # 住建局's own branch
    before = snapshot()
    response = world["approver"].post(f"/tasks/{task.pk}/claim")
    assert response.status_code == 403
    assert response.json() == {"detail": "领取任务：您不属于该办理部门"}
    assert snapshot() == before


def test_unknown_and_invisible_cases_answer_alike(world: World) -> None:
    number = world.submit()
    hidden = world["zj_approver"].get(f"/cases/{number}")
    unknown = world["zj_approver"].get("/cases/20990101000001")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json() == {"detail": "办件不存在或无权查看"}


def test_tasks_of_invisible_cases_answer_like_unknown_tasks(world: World) -> None:
    """A task of a case the user may not see must not tell that it exists (access_task's visibility query, the path
    for a task of another department)."""
    number = world.accepted()  # 市场监管局's cancellation: nothing of 住建局's
    task = world.open_task(number)
    before = snapshot()
    hidden = world["zj_approver"].post(f"/tasks/{task.pk}/claim")
    unknown = world["zj_approver"].post("/tasks/999999999/claim")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json() == {"detail": "任务不存在或无权查看"}
    assert snapshot() == before
    assert ok(world["approver"].post(f"/tasks/{task.pk}/claim"))["task"]["id"] == task.pk


def test_case_detail_reads_the_case_row_once(world: World) -> None:
    """GET /cases/{number} reads the case with everything its answer shows in one statement and builds the answer
    from it: no second read of the case (each cost a plan of a nine-table join on PostgreSQL)."""
    number = world.accepted(PERMIT, applicant=company())
    ok(world["zj_approver"].post(f"/tasks/{world.open_task(number).pk}/actions", {"action": "approve"}))
    with CaptureQueriesContext(connection) as queries:
        body = detail(world, number, by="approver")  # visible through the co-review task (the EXISTS branch)
    case_reads = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "cases_case"."id"')
    ]
    assert len(case_reads) == 1, case_reads
    assert body["number"] == number
    assert body["department"]["name"] and body["item"]["impl_code"] == world.item(PERMIT).impl_code


def test_http_basic_and_inactive_accounts(world: World) -> None:
    response = Api().get("/tasks", HTTP_AUTHORIZATION=basic("approver"))
    assert response.status_code == 200
    approver = world.hall["approver"]
    approver.is_active = False
    approver.save(update_fields=["is_active"])
    assert Api().get("/tasks", HTTP_AUTHORIZATION=basic("approver")).status_code == 401
    assert Api().get("/tasks", HTTP_AUTHORIZATION="Basic not-base64!").status_code == 401


def test_session_posts_need_the_csrf_token(world: World) -> None:
    api = Api(world.hall["clerk"], enforce_csrf_checks=True)
    assert api.get("/tasks").status_code == 200  # safe methods need no token
    before = snapshot()
    refused = api.post("/cases", application(world.item(CANCEL)))
    assert refused.status_code == 403
    assert "CSRF 校验失败" in refused.json()["detail"]
    assert snapshot() == before
    token = "k" * 32
    api.client.cookies["csrftoken"] = token
    assert api.post("/cases", application(world.item(CANCEL)), HTTP_X_CSRFTOKEN=token).status_code == 201
    # A script with HTTP Basic has no session to protect and needs no token.
    script = Api(enforce_csrf_checks=True)
    response = script.post("/cases", application(world.item(CANCEL)), HTTP_AUTHORIZATION=basic("clerk"))
    assert response.status_code == 201


# --- lifecycles ----------------------------------------------------------------------------------------------


def test_standard_lifecycle_over_http(world: World) -> None:
    script = Api()
    auth = {"HTTP_AUTHORIZATION": basic("clerk")}
    created = ok(script.post("/cases", application(world.item(CANCEL)), **auth), 201)
    number = created["number"]
    assert created["status"] == {"value": "submitted", "label": "待受理", "color": "blue"}
    assert created["applicant"]["id_number"] == "110105********002X"
    assert created["applicant"]["phone"] == "138****8000"
    assert created["channel"]["value"] == "window"
    assert [m["name"] for m in created["materials"]] == ["公司登记（备案）申请书", "公司章程"]
    intake = clocks_by_kind(created)["intake"]
    assert (intake["due_day"], intake["remaining"], intake["remaining_text"]) == (
        "2026-03-09",
        5,
        "剩余 5 个工作日",
    )
    assert intake["light"]["value"] == "green"

    accepted = ok(script.post(f"/cases/{number}/intake", {"decision": "accept"}, **auth))
    assert accepted["status"]["value"] == "in_progress"
    assert accepted["intake_outcome"]["value"] == "accepted"
    clocks = clocks_by_kind(accepted)
    # The legal limit stands beside the promised one.
    assert [c["kind"] for c in accepted["clocks"]] == ["intake", "promised", "legal"]
    assert clocks["intake"]["state"]["value"] == "stopped"
    assert (clocks["promised"]["due_day"], clocks["promised"]["remaining"]) == ("2026-03-05", 3)
    assert (clocks["legal"]["due_day"], clocks["legal"]["remaining"]) == ("2026-03-23", 15)
    assert clocks["promised"]["label"] == "承诺办结时限" and clocks["legal"]["label"] == "法定办结时限"
    assert [d["kind"]["value"] for d in accepted["documents"]] == ["acceptance"]
    [review] = accepted["tasks"]
    # The reviewer may agree or disagree (with reasons, passed on to the decision).
    assert (review["step_key"], review["status"]["value"], review["allowed_actions"]) == (
        "review",
        "open",
        ["approve", "refuse"],
    )

    mine = ok(world["approver"].get("/tasks"))
    assert mine["count"] == 1
    row = mine["items"][0]
    assert row["id"] == review["id"] and row["case"]["number"] == number
    assert row["case"]["applicant"] == "张*" and row["case"]["item"] == CANCEL
    assert row["clock"]["light"]["value"] == "green" and row["clock"]["remaining_text"].startswith("剩余")
    assert row["case"]["promised"]["due_day"] == "2026-03-05"

    world.at(2026, 3, 2, 10)
    claimed = ok(world["approver"].post(f"/tasks/{review['id']}/claim"))
    assert claimed["task"]["status"]["value"] == "claimed" and claimed["task"]["assignee"] == "黄审批"
    assert world["approver2"].get("/tasks").json()["count"] == 0  # claimed by someone else
    done = ok(
        world["approver"].post(f"/tasks/{review['id']}/actions", {"action": "approve", "opinion": "材料齐全"})
    )
    assert done["task"]["status"]["value"] == "done" and done["case_status"]["value"] == "in_progress"

    decide = ok(world["head"].get("/tasks"))["items"][0]
    assert decide["step_key"] == "decide"
    assert (decide["allowed_actions"], decide["return_targets"]) == (
        ["approve", "return", "refuse"],
        ["review"],
    )

    world.at(2026, 3, 3, 15)
    finished = ok(
        world["head"].post(f"/tasks/{decide['id']}/actions", {"action": "approve", "opinion": "准予注销"})
    )
    assert finished["case_status"]["value"] == "concluded"

    final = detail(world, number)
    assert final["decision"]["value"] == "approved" and final["concluded_at"] is not None
    clocks = clocks_by_kind(final)
    assert clocks["promised"]["state"]["value"] == "stopped" and clocks["promised"]["late"] is False
    assert clocks["promised"]["light"]["value"] == "green"
    assert clocks["delivery"]["due_day"] == "2026-03-17"  # art. 44: 10 working days after the decision
    assert [d["kind"]["value"] for d in final["documents"]] == ["acceptance", "approval", "certificate"]
    assert [(t["step_key"], t["outcome"]["value"]) for t in final["tasks"]] == [
        ("review", "approve"),
        ("decide", "approve"),
    ]

    pdf = world["clerk"].get(final["documents"][1]["url"].removeprefix("/api/v1"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    progress = ok(Api().get("/progress", {"number": number, "check_code": final["check_code"]}))
    assert progress["applicant"] == "张*"
    assert progress["status"]["value"] == "concluded" and progress["current_steps"] == []
    assert progress["promised_due_day"] == "2026-03-05"
    events = [e["event"] for e in progress["timeline"]]
    assert events == [
        "申请已提交",
        "已受理",
        "“审查”办理完毕",
        "“审批决定”办理完毕",
        "已作出审批决定：准予许可",
    ]
    assert "黄审批" not in str(progress) and "材料齐全" not in str(progress)  # no names or opinions in public


def test_joint_review_with_special_procedure_extension_and_refusal(world: World) -> None:
    number = world.accepted(PERMIT, applicant=company())
    case = detail(world, number)
    assert case["applicant"]["id_number"] == COMPANY.id_number  # a credit code is public
    assert case["department"]["name"] == "县住房和城乡建设局"
    lead = world.open_task(number)

    # Expert review during the lead review: the clocks stop and the applicant is told how long it takes.
    world.at(2026, 3, 3, 9)
    pause = ok(
        world["zj_approver"].post(
            f"/cases/{number}/pauses",
            {"kind": "expert_review", "reason": "结构安全专家评审", "expected_days": 3},
        ),
        201,
    )
    assert pause["kind"]["label"] == "专家评审" and pause["ended_at"] is None
    suspended = detail(world, number)
    assert suspended["status"]["value"] == "suspended"
    promised = clocks_by_kind(suspended)["promised"]
    assert promised["state"]["value"] == "paused" and promised["due_at"] is None
    assert "special_procedure" in [d["kind"]["value"] for d in suspended["documents"]]
    progress = ok(Api().get("/progress", {"number": number, "check_code": case["check_code"]}))
    assert progress["promised_due_day"] is None and "启动专家评审程序（所需时间不计入办理时限）" in str(
        progress
    )

    world.at(2026, 3, 6, 9)
    ended = ok(world["zj_approver"].post(f"/cases/{number}/pauses/{pause['id']}/end", {"result": "评审通过"}))
    assert ended["ended_at"] is not None and ended["result"] == "评审通过"
    resumed = clocks_by_kind(detail(world, number))["promised"]
    # 5 working days from 3/2 (3/9), plus the 3 working days the review took (3/4, 3/5, 3/6).
    assert resumed["state"]["value"] == "running" and resumed["due_day"] == "2026-03-12"

    # Joint handling (art. 26) may be extended by up to 15 working days, once.
    extension = ok(
        world["zj_head"].post(f"/cases/{number}/extensions", {"amount": 12, "reason": "协调多部门意见"}), 201
    )
    assert extension["amount"] == 12 and extension["approved_by"] == "孙局长"
    again = world["zj_head"].post(f"/cases/{number}/extensions", {"amount": 1, "reason": "再延"})
    assert again.status_code == 409 and again.json()["code"] == "out_of_procedure"
    extended = detail(world, number)
    assert extended["extended"] is True and clocks_by_kind(extended)["promised"]["extension"] == 12

    ok(world["zj_approver"].post(f"/tasks/{lead.pk}/actions", {"action": "approve", "opinion": "同意"}))
    branches = {
        t.department.short_name: t for t in Task.objects.filter(case__number=number, parallel_key="joint")
    }
    assert set(branches) == {"住建局", "市场监管局", "民政局"}
    # The co-reviewing approver sees the case and finds the branch in their list.
    assert [t["id"] for t in world["approver"].get("/tasks").json()["items"]] == [branches["市场监管局"].pk]
    assert ok(world["approver"].get(f"/cases/{number}"))["number"] == number
    for who, dept in (("approver", "市场监管局"), ("mz_approver", "民政局"), ("zj_approver", "住建局")):
        ok(world[who].post(f"/tasks/{branches[dept].pk}/actions", {"action": "approve", "opinion": "同意"}))
    decide = world.open_task(number)
    assert decide.step_key == "decide"
    no_reason = world["zj_head"].post(f"/tasks/{decide.pk}/actions", {"action": "refuse"})
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["field"] == "opinion"
    assert no_reason.json()["detail"][0]["msg"] == "意见：退回或不同意必须填写意见"
    refused = ok(
        world["zj_head"].post(
            f"/tasks/{decide.pk}/actions", {"action": "refuse", "opinion": "不符合规划条件"}
        )
    )
    assert refused["case_status"]["value"] == "concluded"
    final = detail(world, number)
    assert final["decision"]["value"] == "refused" and final["decision_reason"] == "不符合规划条件"
    assert "disapproval" in [d["kind"]["value"] for d in final["documents"]]


def test_correction_then_acceptance_then_withdrawal(world: World) -> None:
    item = world.item(CANCEL)
    number = world.submit(by="applicant", channel="online", materials=materials_for(item, skip=("公司章程",)))
    incomplete = world["clerk"].post(f"/cases/{number}/intake", {"decision": "accept"})
    assert incomplete.status_code == 422
    assert (
        incomplete.json()["detail"][0]["msg"]
        == "申请材料：材料不齐全（缺少：公司章程），应一次性告知补正，不能受理"
    )

    charter = Material.objects.get(item=item, name="公司章程")
    notice = {
        "decision": "correction",
        "missing": [
            {"material_id": charter.pk, "reason": "须全体股东签字"},
            {"name": "清算报告", "reason": "缺"},
        ],
        "note": "请一次补齐",
    }
    body = ok(world["clerk"].post(f"/cases/{number}/intake", notice))
    assert body["status"]["value"] == "correction"
    assert body["correction"]["items"] == [
        {"material_id": charter.pk, "name": "公司章程", "reason": "须全体股东签字"},
        {"material_id": None, "name": "清算报告", "reason": "缺"},
    ]
    assert clocks_by_kind(body)["intake"]["state"]["value"] == "paused"
    # One notice only (art. 32): a second is refused and recorded.
    second = world["clerk"].post(f"/cases/{number}/intake", notice)
    assert second.status_code == 409
    assert second.json() == {
        "detail": "本申请已出具过一次性补正告知，依法不得再次要求补正",
        "code": "out_of_procedure",
    }
    assert OutOfProcedureAttempt.objects.filter(case__number=number, action="correction").count() == 1

    progress = ok(Api().get("/progress", {"number": number, "check_code": body["check_code"]}))
    assert progress["correction"] == ["公司章程", "清算报告"]

    world.at(2026, 3, 4, 10)
    files = [
        {"material_id": charter.pk, "filename": "章程.pdf", "content_base64": b64(PDF)},
        {"filename": "清算报告.png", "content_base64": "data:image/png;base64," + b64(PNG)},
    ]
    handed_in = ok(world["applicant"].post(f"/cases/{number}/correction", {"materials": files}))
    assert handed_in["status"]["value"] == "submitted"
    assert handed_in["correction"]["resolved_at"] is not None
    assert sum(m["for_correction"] for m in handed_in["materials"]) == 2

    accepted = ok(world["clerk"].post(f"/cases/{number}/intake", {"decision": "accept"}))
    assert accepted["status"]["value"] == "in_progress"
    withdrawn = ok(world["applicant"].post(f"/cases/{number}/withdraw", {"reason": "公司继续经营"}))
    assert withdrawn["status"]["value"] == "withdrawn"
    assert all(t["status"]["value"] == "cancelled" for t in withdrawn["tasks"])
    assert world["applicant"].post(f"/cases/{number}/withdraw", {}).json()["code"] == "out_of_procedure"


@pytest.mark.parametrize(
    ("body", "status", "outcome", "document"),
    [
        (
            {"decision": "refuse", "reasons": "已被吊销营业执照，应先办理吊销后注销"},
            "not_accepted",
            "refused",
            "refusal",
        ),
        (
            {"decision": "redirect", "agency": "市市场监督管理局", "reasons": "外资企业"},
            "redirected",
            "not_our_agency",
            "redirect",
        ),
    ],
)
def test_refusing_and_redirecting(
    world: World, body: dict[str, Any], status: str, outcome: str, document: str
) -> None:
    number = world.submit()
    result = ok(world["clerk"].post(f"/cases/{number}/intake", body))
    assert (result["status"]["value"], result["intake_outcome"]["value"]) == (status, outcome)
    assert [d["kind"]["value"] for d in result["documents"]] == [document]
    assert result["intake_reason"] == body["reasons"]


def test_instant_item_is_decided_on_the_spot_and_others_are_not(world: World) -> None:
    instant = world.submit(INSTANT)
    result = ok(world["clerk"].post(f"/cases/{instant}/intake", {"decision": "instant", "note": "当场办结"}))
    assert result["status"]["value"] == "concluded" and result["decision"]["value"] == "approved"
    promised = world.submit()
    refused = world["clerk"].post(f"/cases/{promised}/intake", {"decision": "instant"})
    assert refused.status_code == 409
    assert refused.json() == {"detail": "该事项不是即办件，不能当场办结", "code": "out_of_procedure"}
    assert world.case(promised).status == "submitted"


# --- idempotency ---------------------------------------------------------------------------------------------


def test_same_idempotency_key_returns_the_same_case(world: World) -> None:
    body = application(world.item(CANCEL))
    first = world["clerk"].post("/cases", body, HTTP_IDEMPOTENCY_KEY="retry-0001")
    second = world["clerk"].post("/cases", body, HTTP_IDEMPOTENCY_KEY="retry-0001")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"]
    assert Case.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    # Keys belong to an account: another clerk's identical key is a different request.
    other = Api(world.hall["clerk2"]).post("/cases", body, HTTP_IDEMPOTENCY_KEY="retry-0001")
    assert other.status_code == 201 and other.json()["number"] != first.json()["number"]
    # Without a key every request is a new application.
    assert world["clerk"].post("/cases", body).status_code == 201
    assert world["clerk"].post("/cases", body).status_code == 201
    assert Case.objects.count() == 4


def test_same_key_with_another_body_is_422(world: World) -> None:
    body = application(world.item(CANCEL))
    assert world["clerk"].post("/cases", body, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    changed = {**body, "form_data": {"reason": "合并"}}
    response = world["clerk"].post("/cases", changed, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "Idempotency-Key"
    assert error["msg"].startswith("幂等键：该幂等键已用于内容不同的另一份申请")
    assert Case.objects.count() == 1


def test_idempotency_key_length(world: World) -> None:
    body = application(world.item(CANCEL))
    response = world["clerk"].post("/cases", body, HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "请求头 Idempotency-Key：长度不能超过100个字符。"
    assert world["clerk"].post("/cases", body, HTTP_IDEMPOTENCY_KEY="k" * 100).status_code == 201


def test_lost_race_on_the_key_answers_with_the_stored_case(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request stored the key between our look-up and our insert: the unique constraint refuses ours,
    our case is rolled back with it, and we answer with theirs."""
    body = application(world.item(CANCEL))
    winner = ok(world["clerk"].post("/cases", body, HTTP_IDEMPOTENCY_KEY="race"), 201)
    real = cases_api._replayed
    calls: list[str] = []

    def late_lookup(user: Any, key: str, digest: str) -> Case | None:
        calls.append(key)
        return None if len(calls) == 1 else real(user, key, digest)

    monkeypatch.setattr(cases_api, "_replayed", late_lookup)
    entries = LedgerEntry.objects.count()
    loser = world["clerk"].post("/cases", body, HTTP_IDEMPOTENCY_KEY="race")
    assert loser.status_code == 200 and loser.json()["number"] == winner["number"]
    assert calls == ["race", "race"]
    assert Case.objects.count() == 1 and LedgerEntry.objects.count() == entries


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_case(reference_data: None, world: World) -> None:
    body = application(world.item(CANCEL))
    n = 4
    apis = [Api(world.hall["clerk"]) for _ in range(n)]  # logged in before the race
    barrier = threading.Barrier(n, timeout=30)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def retry(api: Api) -> None:
        try:
            barrier.wait()
            response = api.post("/cases", body, HTTP_IDEMPOTENCY_KEY="concurrent-1")
            results.append((response.status_code, response.json().get("number", response.content.decode())))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=retry, args=(api,)) for api in apis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(status for status, _ in results) == [200] * (n - 1) + [201]
    assert len({number for _, number in results}) == 1
    assert Case.objects.count() == 1 and IdempotencyKey.objects.count() == 1


# --- conflicts and out-of-procedure --------------------------------------------------------------------------


def test_out_of_procedure_is_409_and_recorded(world: World) -> None:
    number = world.accepted()
    again = world["clerk"].post(f"/cases/{number}/intake", {"decision": "accept"})
    assert again.status_code == 409
    assert again.json() == {"detail": "办件当前状态为“办理中”，不能受理", "code": "out_of_procedure"}
    review = world.open_task(number)
    # The review step only approves: a return there is outside the process.
    response = world["approver"].post(
        f"/tasks/{review.pk}/actions", {"action": "return", "return_to": "review", "opinion": "退回"}
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "“审查”环节不允许“退回”操作", "code": "out_of_procedure"}
    attempts = OutOfProcedureAttempt.objects.filter(case__number=number).order_by("pk")
    assert [(a.action, a.user.username if a.user else None) for a in attempts] == [
        ("accept", "clerk"),
        ("return", "approver"),
    ]
    assert attempts[1].task_id == review.pk
    assert world.open_task(number).pk == review.pk  # nothing moved


def test_acting_on_a_task_claimed_by_someone_else_is_409(world: World) -> None:
    number = world.accepted()
    review = world.open_task(number)
    ok(world["approver"].post(f"/tasks/{review.pk}/claim"))
    claim = world["approver2"].post(f"/tasks/{review.pk}/claim")
    assert claim.status_code == 409 and claim.json()["code"] == "conflict"
    act = world["approver2"].post(f"/tasks/{review.pk}/actions", {"action": "approve"})
    assert act.status_code == 409
    assert act.json() == {"detail": "该任务已由他人领取，请刷新", "code": "conflict"}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_people_approve_one_task_at_once(reference_data: None, world: World) -> None:
    # PostgreSQL only: the test database of SQLite is in memory, where concurrent writers fail at once instead of
    # waiting (the file database of a real installation waits); test_acting_on_a_task_claimed_by_someone_else_is_409
    # covers the same answer on both.
    number = world.accepted()
    review = world.open_task(number)
    apis = [world["approver"], world["approver2"]]  # logged in before the race
    barrier = threading.Barrier(2, timeout=30)
    results: list[tuple[int, Any]] = []

    def act(api: Api) -> None:
        try:
            barrier.wait()
            response = api.post(
                f"/tasks/{review.pk}/actions", {"action": "approve", "opinion": api.user.username}
            )
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(api,)) for api in apis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _ in results) == [200, 409]
    conflict = next(body for status, body in results if status == 409)
    assert conflict["code"] == "conflict" and has_chinese(conflict["detail"])
    assert Task.objects.filter(case__number=number, step_key="decide").count() == 1


# --- bad input -----------------------------------------------------------------------------------------------


def _with_material(world: World, **changes: Any) -> dict[str, Any]:
    body = application(world.item(CANCEL))
    body["materials"][0].update(changes)
    return body


BAD_APPLICATIONS = [
    (
        "bad base64",
        lambda w: _with_material(w, content_base64="这不是base64"),
        "materials.0.content_base64",
        "申请材料第1项的文件内容：文件“1.pdf”的内容不是有效的 Base64 编码",
    ),
    (
        "unsupported type",
        lambda w: _with_material(w, filename="申请书.exe"),
        "materials.0",
        "申请材料第1项：文件“申请书.exe”格式不支持，只接受 PDF、JPG、PNG、OFD",
    ),
    (
        "content not matching the extension",
        lambda w: _with_material(w, content_base64=b64(PNG)),
        "materials.0",
        "申请材料第1项：文件“1.pdf”的内容与扩展名不符",
    ),
    (
        "material of another item",
        lambda w: _with_material(w, material_id=Material.objects.get(item=w.item(INSTANT), seq=3).pk),
        "materials",
        None,
    ),
    (
        "resident ID with a wrong check character",
        lambda w: {
            **application(w.item(CANCEL)),
            "applicant": {**person(), "id_number": "110105194912310021"},
        },
        "applicant.id_number",
        None,
    ),
    (
        "enterprise without legal representative",
        lambda w: {**application(w.item(CANCEL)), "applicant": {**company(), "legal_representative": ""}},
        "applicant.legal_representative",
        "法定代表人：法人申请须填写法定代表人",
    ),
    (
        "unknown item",
        lambda w: {**application(w.item(CANCEL)), "item": "11130682000000001R4000100199000"},
        "item",
        "事项：未找到实施编码为 11130682000000001R4000100199000 的已发布事项",
    ),
    (
        "unknown channel",
        lambda w: {**application(w.item(CANCEL)), "channel": "fax"},
        None,
        "请求体 channel：取值无效，可选值：window、online、agent。",
    ),
    (
        "missing applicant",
        lambda w: {k: v for k, v in application(w.item(CANCEL)).items() if k != "applicant"},
        None,
        "请求体 applicant：缺少必填参数。",
    ),
    (
        "bad appointment time",
        lambda w: {**application(w.item(CANCEL)), "appointment_at": "明天上午"},
        None,
        "请求体 appointment_at：应为日期时间（ISO 8601）。",
    ),
]


@pytest.mark.parametrize(
    ("case", "make", "field", "message"), BAD_APPLICATIONS, ids=[b[0] for b in BAD_APPLICATIONS]
)
def test_bad_applications_are_422_in_chinese(
    world: World, case: str, make: Any, field: str | None, message: str | None
) -> None:
    before = snapshot()
    response = world["clerk"].post("/cases", make(world))
    assert response.status_code == 422, response.content.decode()
    errors = response.json()["detail"]
    assert all(has_chinese(e["msg"]) for e in errors)
    if field is not None:
        assert errors[0]["field"] == field
    if message is not None:
        assert errors[0]["msg"] == message
    assert snapshot() == before


def test_a_body_over_the_upload_limit_is_413(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = _with_material(world, content_base64=b64(PDF + b"0" * 1024 * 1024))
    response = world["clerk"].post("/cases", body)
    assert response.status_code == 413
    assert response.json() == {"detail": "请求体过大（上限约 1.0 MB），请压缩或分次上传材料"}
    assert not Case.objects.exists()


def test_online_applicant_cannot_pick_the_green_channel(world: World) -> None:
    response = world["applicant"].post(
        "/cases", application(world.item(CANCEL), channel="online", green_channel=True)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "绿色通道：绿色通道由窗口或部门认定，网上申请不能自行选择"


def test_bad_requests_on_the_other_endpoints(world: World) -> None:
    number = world.accepted()
    review = world.open_task(number)
    cases = [
        (
            f"/cases/{number}/intake",
            {"decision": "maybe"},
            "请求体 decision：取值无效，可选值：accept、correction、refuse、redirect、instant。",
        ),
        (
            f"/cases/{number}/pauses",
            {"kind": "publicity", "reason": "公示", "expected_days": 0},
            "请求体 expected_days：不能小于1。",
        ),
        (f"/cases/{number}/pauses", {"kind": "correction", "reason": "补正", "expected_days": 3}, None),
        (f"/cases/{number}/extensions", {"amount": "三天", "reason": "x"}, "请求体 amount：应为整数。"),
        (
            f"/cases/{number}/extensions",
            {"amount": 11, "reason": "核查"},
            "延长工作日：延长期限应为 1 至 10 个工作日",
        ),
        (f"/cases/{number}/correction", {"materials": []}, "请求体 materials：至少需要1项。"),
        (
            f"/tasks/{review.pk}/actions",
            {"action": "delete"},
            "请求体 action：取值无效，可选值：approve、return、refuse。",
        ),
    ]
    for path, body, message in cases:
        user = "head" if "extensions" in path else "approver"
        response = world[user].post(path, body)
        assert response.status_code == 422, (path, response.content.decode())
        msg = response.json()["detail"][0]["msg"]
        assert has_chinese(msg)
        if message is not None:
            assert msg == message
    assert (
        world["approver"].get("/tasks", {"limit": 0}).json()["detail"][0]["msg"]
        == "查询参数 limit：不能小于1。"
    )
    assert world["approver"].get("/tasks", {"limit": 0}).status_code == 422


def test_progress_query(world: World) -> None:
    number = world.submit()
    code = world.case(number).check_code
    public = Api()
    body = ok(public.get("/progress", {"number": number, "check_code": code}))
    assert body["status"]["value"] == "submitted" and body["item"] == CANCEL
    assert body["applicant"] == "张*" and body["department"] == "县市场监督管理局"
    assert [e["event"] for e in body["timeline"]] == ["申请已提交"]
    wrong = public.get(
        "/progress", {"number": number, "check_code": "000000" if code != "000000" else "111111"}
    )
    unknown = public.get("/progress", {"number": "20990101000001", "check_code": code})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() == {"detail": "未查询到该办件，请核对办件编号和查询码"}
    missing = public.get("/progress", {"number": number})
    assert (
        missing.status_code == 422
        and missing.json()["detail"][0]["msg"] == "查询参数 check_code：缺少必填参数。"
    )


# --- OpenAPI -------------------------------------------------------------------------------------------------

ENDPOINTS = {
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases/{number}"),
    ("post", "/api/v1/cases/{number}/intake"),
    ("get", "/api/v1/tasks"),
    ("post", "/api/v1/tasks/{task_id}/claim"),
    ("post", "/api/v1/tasks/{task_id}/actions"),
    ("post", "/api/v1/cases/{number}/pauses"),
    ("post", "/api/v1/cases/{number}/pauses/{pause_id}/end"),
    ("post", "/api/v1/cases/{number}/extensions"),
    ("post", "/api/v1/cases/{number}/correction"),
    ("post", "/api/v1/cases/{number}/withdraw"),
    ("get", "/api/v1/cases/{number}/documents/{document_id}/pdf"),
    ("get", "/api/v1/progress"),
}


def test_openapi_document(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    operations = {(method, path): op for path, ops in spec["paths"].items() for method, op in ops.items()}
    assert set(operations) >= ENDPOINTS
    schemes = spec["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["BasicAuth"] == {"type": "http", "scheme": "basic"}
    assert schemes["SessionAuth"]["type"] == "apiKey" and schemes["SessionAuth"]["in"] == "cookie"
    for key in ENDPOINTS:
        op = operations[key]
        assert has_chinese(op["summary"]) and has_chinese(op["description"]), key
        if key == ("get", "/api/v1/progress"):
            assert "security" not in op
        else:
            assert op["security"] == [{"TokenAuth": []}, {"BasicAuth": []}, {"SessionAuth": []}], key
            assert "401" in op["responses"], key
    create = operations[("post", "/api/v1/cases")]
    assert {"200", "201", "422"} <= set(create["responses"])
    header = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and header["schema"]["anyOf"][0]["maxLength"] == 100
    assert "409" in operations[("post", "/api/v1/tasks/{task_id}/actions")]["responses"]
    case_detail = spec["components"]["schemas"]["CaseDetail"]["properties"]
    assert {"clocks", "tasks", "pauses", "extensions", "correction", "documents"} <= set(case_detail)
