"""一件事 at the window: the combined intake screen, the bundle page's one decision, the members' pages, one delivery."""

from __future__ import annotations

import re
from typing import Any

from govhall.cases import actions
from govhall.cases.bundles import form_materials
from govhall.cases.models import Case, CaseGroup, Task
from govhall.documents.models import Document
from tests.cases.test_bundles import SHARED, make_bundle, staff_for

from .conftest import GOOD_ID, pdf_file


def bundle_post(bundle: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant_kind": "person",
        "id_number": GOOD_ID,
        "name": "张三",
        "phone": "13800138000",
        "form_text": "经营场所: 示范县人民路1号",
    }
    for material, _entry in form_materials(bundle):
        if material.required and material.name not in skip:
            data[f"material_{material.pk}"] = pdf_file(f"{material.pk}.pdf")
    return data


def test_window_takes_a_bundle_on_one_form(hall, as_user):
    bundle = make_bundle(hall)
    clerk = as_user("clerk")
    search = clerk.get("/workbench/intake/").content.decode()
    assert f"/workbench/intake/bundles/{bundle.code}/" in search
    page = clerk.get(f"/workbench/intake/bundles/{bundle.code}/").content.decode()
    assert page.count(SHARED) == 1 and "共用，只需提交一次" in page
    token = re.search(r'name="staging" value="([^"]+)"', page)
    assert token is not None
    response = clerk.post(
        f"/workbench/intake/bundles/{bundle.code}/", {**bundle_post(bundle), "staging": token.group(1)}
    )
    group = CaseGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workbench/bundles/{group.number}/"
    cases = list(Case.objects.filter(group=group))
    assert len(cases) == 2 and {c.channel for c in cases} == {"window"}
    assert all(c.materials.filter(name__contains=SHARED).count() == 1 for c in cases)
    # Sent twice (double click): the same bundle, not a second one.
    again = clerk.post(
        f"/workbench/intake/bundles/{bundle.code}/", {**bundle_post(bundle), "staging": token.group(1)}
    )
    assert again["Location"] == response["Location"] and CaseGroup.objects.count() == 1


def test_a_wrong_id_number_keeps_the_files_and_names_the_field(hall, as_user):
    bundle = make_bundle(hall)
    clerk = as_user("clerk")
    data = bundle_post(bundle)
    data["id_number"] = "110105194912310021"
    response = clerk.post(f"/workbench/intake/bundles/{bundle.code}/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "收件未完成" in html and "已保留" in html
    assert not CaseGroup.objects.exists()


def test_the_bundle_page_takes_one_decision_and_hands_over_once(hall, as_user, clock):
    bundle = make_bundle(hall)
    clerk = as_user("clerk")
    clerk.post(f"/workbench/intake/bundles/{bundle.code}/", bundle_post(bundle))
    group = CaseGroup.objects.get()
    url = f"/workbench/bundles/{group.number}/"
    page = clerk.get(url).content.decode()
    assert "受理整件事" in page and "出具补正告知书" in page
    member = Case.objects.filter(group=group).first()
    member_page = clerk.get(f"/workbench/cases/{member.number}/").content.decode()
    assert f'href="{url}"' in member_page and "予以受理" not in member_page
    # A member's own accept is refused (out of procedure) even when posted directly.
    direct = clerk.post(f"/workbench/cases/{member.number}/actions/accept/", {})
    assert "整件事统一作出" in direct.content.decode()

    response = clerk.post(f"{url}actions/accept/", {})
    assert response.status_code == 302
    assert Document.objects.filter(case_number=group.number, kind="acceptance").count() == 1
    assert not Document.objects.filter(
        case_number__in=[c.number for c in group.cases.all()], kind="acceptance"
    )
    page = clerk.get(url).content.decode()
    assert "受理通知书" in page and "受理整件事" not in page
    refused = clerk.post(f"{url}actions/deliver/", {"deliver-method": "窗口领取"})
    assert "全部办结" in refused.content.decode()

    for case in group.cases.all():
        while (task := Task.objects.filter(case=case, status__in=["open", "claimed"]).first()) is not None:
            actions.act_on_task(task, by=staff_for(hall, task), action="approve", opinion="同意")
    assert "确认送达" in clerk.get(url).content.decode()
    assert clerk.post(f"{url}actions/deliver/", {"deliver-method": "窗口领取"}).status_code == 302
    group.refresh_from_db()
    assert group.delivered_at is not None
    assert set(group.cases.values_list("delivered_at", flat=True)) == {group.delivered_at}


def test_the_bundle_correction_at_the_window(hall, as_user):
    bundle = make_bundle(hall)
    clerk = as_user("clerk")
    clerk.post(f"/workbench/intake/bundles/{bundle.code}/", bundle_post(bundle, skip=(SHARED,)))
    group = CaseGroup.objects.get()
    url = f"/workbench/bundles/{group.number}/"
    page = clerk.get(url).content.decode()
    assert "材料不齐全" in page and SHARED in page
    shared = next(m for m, e in form_materials(bundle) if e.shared)
    response = clerk.post(f"{url}actions/correction/", {"correction-materials": [shared.pk]})
    assert response.status_code == 302
    assert Document.objects.filter(case_number=group.number, kind="correction").count() == 1
    page = clerk.get(url).content.decode()
    assert "提交补正材料" in page
    response = clerk.post(
        f"{url}actions/submit_correction/", {f"submit_correction-material_{shared.pk}": pdf_file("s.pdf")}
    )
    assert response.status_code == 302
    assert set(group.cases.values_list("status", flat=True)) == {"submitted"}


def test_the_bundle_page_is_scoped(hall, as_user):
    bundle = make_bundle(hall)
    as_user("clerk").post(f"/workbench/intake/bundles/{bundle.code}/", bundle_post(bundle))
    group = CaseGroup.objects.get()
    assert as_user("mz_approver").get(f"/workbench/bundles/{group.number}/").status_code == 404
    assert as_user("approver").get(f"/workbench/bundles/{group.number}/").status_code == 200
