"""一件事 for the applicant: list and guide from the catalog, the combined online form, my bundle, public progress."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govhall.cases import actions, form_tokens
from govhall.cases.bundles import form_materials
from govhall.cases.models import Case, CaseGroup, Task
from tests.cases.conftest import PDF
from tests.cases.test_bundles import BENEFIT, FOOD, SHARED, make_bundle, staff_for

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def combined_post(bundle: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "enterprise",
        "name": "示范县好味餐饮有限公司",
        "id_number": "91130682MA0CXXXX05",
        "legal_representative": "李四",
        "phone": "13900139000",
        "note": "经营场所：示范县人民路1号",
        form_tokens.TOKEN_FIELD: form_tokens.new_token(),  # a freshly opened form's one-time token
    }
    for material, _entry in form_materials(bundle):
        if material.required and material.name not in skip:
            data[f"material_{material.pk}"] = SimpleUploadedFile(f"{material.pk}.pdf", PDF, "application/pdf")
    return data


def test_bundles_are_reachable_from_the_catalog(hall, client):
    bundle = make_bundle(hall)
    assert "/bundles/" in client.get("/items/").content.decode()
    listing = client.get("/bundles/").content.decode()
    assert bundle.name in listing and FOOD in listing and BENEFIT in listing
    guide = client.get(f"/bundles/{bundle.code}/").content.decode()
    assert guide.count(f"<td>{SHARED}") == 1 and "共用" in guide
    assert f"/apply/bundle/{bundle.code}/" in guide
    assert client.get("/bundles/NOPE/").status_code == 404


def test_the_applicant_applies_online_on_one_form(hall):
    bundle = make_bundle(hall)
    assert Client().get(f"/apply/bundle/{bundle.code}/").status_code == 302  # to the login page
    applicant = client_for(hall["applicant"])
    form = applicant.get(f"/apply/bundle/{bundle.code}/").content.decode()
    assert form.count(SHARED) == 1
    response = applicant.post(f"/apply/bundle/{bundle.code}/", combined_post(bundle))
    group = CaseGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/my/bundles/{group.number}/"
    assert set(Case.objects.filter(group=group).values_list("channel", flat=True)) == {"online"}
    page = applicant.get(response["Location"]).content.decode()
    assert group.number in page and group.check_code in page and "待受理" in page
    member = Case.objects.filter(group=group).first()
    member_page = applicant.get(f"/my/cases/{member.number}/").content.decode()
    assert f'href="/my/bundles/{group.number}/"' in member_page
    # Someone else's bundle is not found.
    other = client_for(hall["clerk"]).get(f"/my/bundles/{group.number}/")
    assert other.status_code == 404


def test_a_wrong_id_number_is_shown_next_to_the_field(hall):
    bundle = make_bundle(hall)
    data = combined_post(bundle)
    data["id_number"] = "91130682MA0CXXXX06"
    response = client_for(hall["applicant"]).post(f"/apply/bundle/{bundle.code}/", data)
    assert response.status_code == 200 and "统一社会信用代码" in response.content.decode()
    assert not CaseGroup.objects.exists()


def test_one_notice_one_correction_and_one_delivery_on_my_bundle_page(hall):
    bundle = make_bundle(hall)
    applicant = client_for(hall["applicant"])
    applicant.post(f"/apply/bundle/{bundle.code}/", combined_post(bundle, skip=(SHARED,)))
    group = CaseGroup.objects.get()
    shared = next(m for m, e in form_materials(bundle) if e.shared)
    actions.request_bundle_correction(group, by=hall["clerk"], missing=[{"material": shared.pk}])
    page = applicant.get(f"/my/bundles/{group.number}/").content.decode()
    assert "一次性补正告知" in page and page.count("补正材料通知书") == 1
    field = re.search(r'name="(material_\d+)"', page.split('id="bundle-correction-form"')[1])
    assert field is not None
    response = applicant.post(
        f"/my/bundles/{group.number}/correction/",
        {field.group(1): SimpleUploadedFile("s.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    assert set(group.cases.values_list("status", flat=True)) == {"submitted"}
    actions.accept_bundle(group, by=hall["clerk"])
    page = applicant.get(f"/my/bundles/{group.number}/").content.decode()
    assert page.count("受理通知书") == 1 and "并联办理中" in page
    document = group_document(group, "acceptance")
    pdf = applicant.get(f"/my/bundles/{group.number}/documents/{document}/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for case in group.cases.all():
        while (task := Task.objects.filter(case=case, status__in=["open", "claimed"]).first()) is not None:
            actions.act_on_task(task, by=staff_for(hall, task), action="approve", opinion="同意")
    actions.deliver_bundle(group, by=hall["clerk"])
    page = applicant.get(f"/my/bundles/{group.number}/").content.decode()
    assert 'id="bundle-delivered"' in page and "已送达" in page


def group_document(group: CaseGroup, kind: str) -> int:
    from govhall.documents.models import Document

    return Document.objects.get(case_number=group.number, kind=kind).pk


def test_public_progress_by_the_bundle_number_and_check_code(hall, client):
    bundle = make_bundle(hall)
    client_for(hall["applicant"]).post(f"/apply/bundle/{bundle.code}/", combined_post(bundle))
    group = CaseGroup.objects.get()
    actions.accept_bundle(group, by=hall["clerk"])
    html = client.post(
        "/progress/", {"number": group.number, "check_code": group.check_code}
    ).content.decode()
    assert bundle.name in html and FOOD in html and BENEFIT in html and "并联办理中" in html
    assert "示范县好味餐饮有限公司" not in html  # masked
    wrong = "000000" if group.check_code != "000000" else "111111"
    html = client.post("/progress/", {"number": group.number, "check_code": wrong}).content.decode()
    assert "未找到该办件" in html and bundle.name not in html
