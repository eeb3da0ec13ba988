"""The 一件事 API over HTTP: guide, one application with Idempotency-Key, one intake decision, progress, errors."""

from __future__ import annotations

from typing import Any

import pytest

from govhall.cases.bundles import bundle_materials
from govhall.cases.models import Case, CaseGroup, IdempotencyKey, Task
from govhall.catalog.models import Bundle, Material
from govhall.documents.models import Document
from tests.cases.conftest import PDF
from tests.cases.test_bundles import BENEFIT, FOOD, SHARED, make_bundle, staff_for

from .cases_support import World, b64, has_chinese, person
from .cases_support import world_fixture as world_fixture

pytestmark = pytest.mark.django_db


def body(bundle: Bundle, *, skip: tuple[str, ...] = (), channel: str = "window") -> dict[str, Any]:
    return {
        "channel": channel,
        "applicant": person(),
        "form_data": {"经营场所": "示范县人民路1号"},
        "materials": [
            {"material_id": e.representative.pk, "filename": "m.pdf", "content_base64": b64(PDF)}
            for e in bundle_materials(bundle)
            if e.required and e.name.strip() not in skip
        ],
    }


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return dict(response.json())


def test_public_guide_lists_a_shared_material_once(world: World) -> None:
    bundle = make_bundle(world.hall)
    response = world.anonymous.get("/bundles")
    assert response.status_code == 200
    listed = response.json()
    assert [b["code"] for b in listed] == [bundle.code]
    guide = ok(world.anonymous.get(f"/bundles/{bundle.code}"))
    assert [i["name"] for i in guide["items"]] == [FOOD, BENEFIT]
    shared = [m for m in guide["materials"] if m["name"] == SHARED]
    assert len(shared) == 1 and shared[0]["shared"] and sorted(shared[0]["items"]) == sorted([FOOD, BENEFIT])
    missing = world.anonymous.get("/bundles/NOPE")
    assert missing.status_code == 404 and has_chinese(missing.json()["detail"])


def test_create_with_idempotency_key_then_decide_and_follow_progress(world: World) -> None:
    bundle = make_bundle(world.hall)
    payload = body(bundle)
    first = world["clerk"].post(f"/bundles/{bundle.code}/applications", payload, HTTP_IDEMPOTENCY_KEY="b-1")
    again = world["clerk"].post(f"/bundles/{bundle.code}/applications", payload, HTTP_IDEMPOTENCY_KEY="b-1")
    assert (first.status_code, again.status_code) == (201, 200)
    created = first.json()
    assert created["number"] == again.json()["number"] and created["number"].startswith("L")
    assert (
        CaseGroup.objects.count() == 1 and Case.objects.count() == 2 and IdempotencyKey.objects.count() == 1
    )
    changed = world["clerk"].post(
        f"/bundles/{bundle.code}/applications",
        {**payload, "form_data": {"x": "y"}},
        HTTP_IDEMPOTENCY_KEY="b-1",
    )
    assert changed.status_code == 422 and changed.json()["detail"][0]["field"] == "Idempotency-Key"
    assert created["status"]["value"] == "submitted" and len(created["members"]) == 2

    number = created["number"]
    accepted = ok(world["clerk"].post(f"/bundle-applications/{number}/intake", {"decision": "accept"}))
    assert accepted["status"]["value"] == "in_progress"
    assert {m["status"]["value"] for m in accepted["members"]} == {"in_progress"}
    assert [d["kind"]["value"] for d in accepted["documents"]] == ["acceptance"]
    pdf = world["clerk"].client.get("/api/v1" + accepted["documents"][0]["url"].removeprefix("/api/v1"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The second decision on the same bundle is out of procedure.
    again_accept = world["clerk"].post(f"/bundle-applications/{number}/intake", {"decision": "accept"})
    assert again_accept.status_code == 409 and again_accept.json()["code"] == "out_of_procedure"

    code = created["check_code"]
    progress = ok(world.anonymous.get("/bundle-progress", {"number": number, "check_code": code}))
    assert progress["bundle"] == bundle.name and progress["applicant"] == "张*"
    assert {m["item"] for m in progress["members"]} == {FOOD, BENEFIT}
    assert any(e["event"] == "已受理" for e in progress["timeline"])
    wrong = world.anonymous.get(
        "/bundle-progress", {"number": number, "check_code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 404 and has_chinese(wrong.json()["detail"])

    # Parallel handling to the end, then one delivery.
    early = world["clerk"].post(f"/bundle-applications/{number}/delivery", {"method": "窗口领取"})
    assert early.status_code == 409 and "全部办结" in early.json()["detail"]
    from govhall.cases import actions

    for case in Case.objects.filter(group__number=number):
        while (task := Task.objects.filter(case=case, status__in=["open", "claimed"]).first()) is not None:
            actions.act_on_task(task, by=staff_for(world.hall, task), action="approve", opinion="同意")
    delivered = ok(world["clerk"].post(f"/bundle-applications/{number}/delivery", {"method": "窗口领取"}))
    assert delivered["status"]["value"] == "delivered" and delivered["delivered_at"]


def test_bundle_correction_over_the_api(world: World) -> None:
    bundle = make_bundle(world.hall)
    number = ok(
        world["clerk"].post(f"/bundles/{bundle.code}/applications", body(bundle, skip=(SHARED,))), 201
    )["number"]
    refused = world["clerk"].post(f"/bundle-applications/{number}/intake", {"decision": "accept"})
    assert refused.status_code == 422
    assert SHARED in refused.json()["detail"][0]["msg"] and refused.json()["detail"][0]["msg"].startswith(
        "申请材料："
    )
    shared = next(e for e in bundle_materials(bundle) if e.name.strip() == SHARED)
    result = ok(
        world["clerk"].post(
            f"/bundle-applications/{number}/intake",
            {"decision": "correction", "missing": [{"material_id": shared.representative.pk}]},
        )
    )
    assert result["status"]["value"] == "correction"
    assert Document.objects.filter(case_number=number, kind="correction").count() == 1
    files = [{"material_id": shared.materials[1].pk, "filename": "s.pdf", "content_base64": b64(PDF)}]
    after = ok(world["clerk"].post(f"/bundle-applications/{number}/correction", {"materials": files}))
    assert after["status"]["value"] == "submitted"


def test_a_member_cannot_be_redirected_or_corrected_alone_over_the_api(world: World) -> None:
    bundle = make_bundle(world.hall)
    number = ok(
        world["clerk"].post(f"/bundles/{bundle.code}/applications", body(bundle, skip=(SHARED,))), 201
    )["number"]
    member = Case.objects.filter(group__number=number).order_by("pk").first()
    assert member is not None
    redirected = world["clerk"].post(
        f"/cases/{member.number}/intake", {"decision": "redirect", "agency": "市自然资源局"}
    )
    assert redirected.status_code == 409 and redirected.json()["code"] == "out_of_procedure"
    assert "一件事" in redirected.json()["detail"]
    member.refresh_from_db()
    assert member.status == "submitted" and member.redirect_agency == ""
    shared = next(e for e in bundle_materials(bundle) if e.name.strip() == SHARED)
    ok(
        world["clerk"].post(
            f"/bundle-applications/{number}/intake",
            {"decision": "correction", "missing": [{"material_id": shared.representative.pk}]},
        )
    )
    files = [{"material_id": shared.representative.pk, "filename": "s.pdf", "content_base64": b64(PDF)}]
    alone = world["clerk"].post(f"/cases/{member.number}/correction", {"materials": files})
    assert alone.status_code == 409 and "一件事统一提交补正" in alone.json()["detail"]
    member.refresh_from_db()
    assert member.status == "correction"


def test_errors_are_chinese_and_name_the_field(world: World) -> None:
    bundle = make_bundle(world.hall)
    bad_id = body(bundle)
    bad_id["applicant"] = {**bad_id["applicant"], "id_number": "110105194912310021"}
    response = world["clerk"].post(f"/bundles/{bundle.code}/applications", bad_id)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "applicant.id_number" and error["msg"].startswith("证件号码：")
    unknown = world["clerk"].post("/bundles/NOPE/applications", body(bundle))
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["msg"].startswith("一件事：")
    foreign = Material.objects.exclude(item__in=bundle.items.all()).first()
    assert foreign is not None
    stray = body(bundle)
    stray["materials"].append({"material_id": foreign.pk, "filename": "x.pdf", "content_base64": b64(PDF)})
    response = world["clerk"].post(f"/bundles/{bundle.code}/applications", stray)
    assert response.status_code == 422 and "不属于" in response.json()["detail"][0]["msg"]
    number = ok(world["clerk"].post(f"/bundles/{bundle.code}/applications", body(bundle)), 201)["number"]
    no_reason = world["clerk"].post(f"/bundle-applications/{number}/intake", {"decision": "refuse"})
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["msg"].startswith("理由：")
    assert world["approver"].post(f"/bundles/{bundle.code}/applications", body(bundle)).status_code == 403
    assert world.anonymous.get(f"/bundle-applications/{number}").status_code == 401
    assert world["mz_approver"].get(f"/bundle-applications/{number}").status_code == 404
    assert CaseGroup.objects.count() == 1


def test_openapi_lists_the_bundle_endpoints(world: World) -> None:
    schema = world.anonymous.get("/openapi.json").json()
    for path in (
        "/api/v1/bundles/{code}",
        "/api/v1/bundles/{code}/applications",
        "/api/v1/bundle-applications/{number}/intake",
        "/api/v1/bundle-progress",
    ):
        assert path in schema["paths"], path
