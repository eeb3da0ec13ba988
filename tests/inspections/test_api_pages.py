"""The API under /api/v1/inspections/ and the pages, over real HTTP: public results without login, staff actions
with their permissions, field errors as 422."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from govhall.inspections.models import Inspection

from .conftest import Bureau


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_api_plan_draw_record_and_public_results(bureau: Bureau, at: Any) -> None:
    b = bureau
    with at(2026, 3, 2, 10):
        e1, e2 = b.entity(1), b.entity(2)
        anon = _client()
        assert anon.get("/api/v1/inspections/plans").status_code == 401
        assert _client(b["outsider"]).get("/api/v1/inspections/plans").status_code == 403
        staff = _client(b["i1"])
        bad = _post(
            staff,
            "/api/v1/inspections/plans",
            {
                "name": "专项",
                "kind": "special",
                "department_id": b.scjg.pk,
                "starts_on": "2026-03-02",
                "ends_on": "2026-03-31",
            },
        )
        assert bad.status_code == 422 and "campaign" in bad.content.decode()
        made = _post(
            staff,
            "/api/v1/inspections/plans",
            {
                "name": "三月日常检查",
                "kind": "routine",
                "department_id": b.scjg.pk,
                "starts_on": "2026-03-02",
                "ends_on": "2026-03-31",
            },
        )
        assert made.status_code == 201, made.content
        plan_id = made.json()["id"]
        drawn = _post(staff, f"/api/v1/inspections/plans/{plan_id}/draw", {"seed": "march"})
        assert drawn.status_code == 200
        body = drawn.json()
        assert body["status"] == "drawn" and body["seed"] == "march" and body["verified"] is True
        assert sorted(p[0] for p in body["draw"]["pairs"]) == [e1.pk, e2.pk]
        insp = Inspection.objects.get(entity=e1)
        doer = b.users[next(k for k, u in b.users.items() if u.pk == insp.inspector_id)]
        client = _client(doer)
        answers = [{"item_id": c.pk, "compliant": c.code != "2.1"} for c in b.checklist]
        missing = _post(client, f"/api/v1/inspections/inspections/{insp.pk}/record", {"answers": answers[:1]})
        assert missing.status_code == 422
        done = _post(client, f"/api/v1/inspections/inspections/{insp.pk}/record", {"answers": answers})
        assert done.status_code == 200 and done.json()["result"] == "rectify"
        order = _post(
            client,
            f"/api/v1/inspections/inspections/{insp.pk}/rectify",
            {"requirement": "补办健康证明", "days": 5},
        )
        assert order.json()["rectification"]["due_day"] == "2026-03-09"
        assert anon.get(f"/api/v1/inspections/entities/{e1.uscc}").status_code == 401
        assert staff.get(f"/api/v1/inspections/entities/{e1.uscc}").json()["per_year"] == 2
    public = anon.get("/api/v1/inspections/results")
    assert public.status_code == 200
    assert public.json() == [
        {
            "entity": "示范餐馆1号",
            "uscc": e1.uscc,
            "department": "县市场监督管理局",
            "inspected_on": "2026-03-02",
            "result": "rectify",
            "result_label": "基本符合（责令整改）",
            "grade": "A",
        }
    ]


def test_pages(bureau: Bureau, at: Any) -> None:
    b = bureau
    with at(2026, 3, 2, 10):
        entity = b.entity(1)
        staff = _client(b["i1"])
        assert _client().get("/inspections/").status_code == 302
        assert _client(b["outsider"]).get("/inspections/").status_code == 403
        page = staff.get("/inspections/")
        assert page.status_code == 200 and "示范餐馆1号" in page.content.decode()
        made = staff.post(
            "/inspections/",
            {
                "name": "三月日常",
                "kind": "routine",
                "department": b.scjg.pk,
                "starts_on": "2026-03-02",
                "ends_on": "2026-03-31",
                "sample_size": 0,
            },
        )
        assert made.status_code == 302, made.content.decode()[:2000]
        plan_url = made["Location"]
        assert staff.post(plan_url, {"seed": "page"}).status_code == 302
        assert "结果一致" in staff.get(plan_url).content.decode()
        insp = Inspection.objects.get(entity=entity)
        doer = next(u for u in b.users.values() if u.pk == insp.inspector_id)
        client = _client(doer)
        url = f"/inspections/inspections/{insp.pk}/"
        form = {"action": "record", "notes": "后厨整洁", **{f"item_{c.pk}": "yes" for c in b.checklist}}
        assert client.post(url, form).status_code == 302
        assert '<dd id="result">符合</dd>' in client.get(url).content.decode()
        assert client.get(f"/inspections/entities/{entity.pk}/").status_code == 200
    public = _client().get("/inspections/results/")
    assert public.status_code == 200 and "示范餐馆1号" in public.content.decode()
