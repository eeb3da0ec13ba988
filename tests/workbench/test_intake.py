"""Window intake through the workbench form: files, validation in Chinese, values and files kept on error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases.choices import CaseStatus, Channel
from govhall.cases.models import Case

from .conftest import CANCEL, GOOD_ID, intake_data, pdf_file


def intake_url(item):
    return f"/workbench/intake/{item.impl_code}/"


def test_anonymous_is_sent_to_the_login_page(client, hall):
    item = hall.item(CANCEL)
    for url in (
        "/workbench/",
        "/workbench/tasks/",
        "/workbench/cases/",
        intake_url(item),
        "/workbench/cases/X/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=/workbench/"), url


def test_roles_are_required_and_refusal_is_a_chinese_403(hall, as_user):
    applicant = as_user("applicant")  # an applicant's account has no place on the staff workbench
    response = applicant.get("/workbench/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    response = as_user("approver").get(intake_url(hall.item(CANCEL)))
    assert response.status_code == 403 and "窗口工作人员" in response.content.decode()
    assert as_user("approver").get("/workbench/intake/").status_code == 403


def test_search_lists_published_items_only(hall, as_user):
    clerk = as_user("clerk")
    page = clerk.get("/workbench/intake/", {"q": "营业执照"}).content.decode()
    assert CANCEL in page and "企业营业执照设立登记" in page and "食品经营许可证核发" not in page
    everything = clerk.get("/workbench/intake/").content.decode()
    assert "城镇污水排入排水管网许可" not in everything  # a draft item is not taken in
    partial = clerk.get(
        "/workbench/intake/", {"q": "营业执照"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert CANCEL in partial and "<html" not in partial
    assert clerk.get("/workbench/intake/NOPE/").status_code == 404


def test_intake_with_files_creates_the_case(hall, as_user):
    item = hall.item(CANCEL)
    clerk = as_user("clerk")
    form = clerk.get(intake_url(item)).content.decode()
    for material in item.materials.all():
        assert material.name in form
    response = clerk.post(
        intake_url(item), intake_data(item, green_channel="on", appointment_at="2026-03-03T09:30")
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/workbench/cases/{case.number}/"
    assert case.channel == Channel.WINDOW and case.status == CaseStatus.SUBMITTED
    assert case.received_by == hall["clerk"] and case.green_channel is True
    assert case.form_data == {"经营场所": "示范县人民路1号", "注销原因": "决议解散"}
    assert case.appointment_at is not None and case.appointment_at.isoformat() == "2026-03-03T01:30:00+00:00"
    assert case.applicant.id_number == GOOD_ID
    stored = {m.material_id: m.file.read() for m in case.materials.all()}
    assert set(stored) == {m.pk for m in item.materials.all() if m.required}
    assert all(content.startswith(b"%PDF-") for content in stored.values())
    page = clerk.get(response["Location"]).content.decode()
    assert f"已收件：办件编号 {case.number}" in page
    assert "110105********002X" in page and GOOD_ID not in page  # the ID number is masked on the page


def test_a_village_agent_hands_in_for_the_applicant(hall, as_user):
    item = hall.item(CANCEL)
    agent = as_user("agent")
    assert agent.get("/workbench/intake/").status_code == 200
    response = agent.post(intake_url(item), intake_data(item))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.AGENT and case.received_by == hall["agent"]
    # The agent may not decide on acceptance: that stays with the window.
    page = agent.post(f"/workbench/cases/{case.number}/actions/accept/")
    assert page.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_the_same_form_sent_twice_makes_one_case(hall, as_user):
    item = hall.item(CANCEL)
    clerk = as_user("clerk")
    clerk.get(intake_url(item))
    token = next(iter(clerk.session["workbench_intake_staging"]))
    first = clerk.post(intake_url(item), intake_data(item, staging=token))
    second = clerk.post(intake_url(item), intake_data(item, staging=token))
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_bad_id_number_keeps_what_was_entered_and_the_files(hall, as_user):
    item = hall.item(CANCEL)
    clerk = as_user("clerk")
    clerk.get(intake_url(item))
    token = next(iter(clerk.session["workbench_intake_staging"]))
    response = clerk.post(intake_url(item), intake_data(item, staging=token, id_number="110105194912310021"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "收件未完成" in page and "校验" in page  # the check digit is wrong
    assert Case.objects.count() == 0
    assert 'value="张三"' in page and "示范县人民路1号" in page
    assert page.count("已保留：") == 2
    # Corrected ID number, no files chosen again: the kept files are used.
    data = intake_data(item, staging=token, id_number=GOOD_ID)
    data = {k: v for k, v in data.items() if not k.startswith("material_")}
    response = clerk.post(intake_url(item), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.materials.count() == 2
    assert {m.original_name for m in case.materials.all()} == {"1.pdf", "2.pdf"}


def test_another_sessions_staging_token_is_ignored(hall, as_user):
    item = hall.item(CANCEL)
    clerk = as_user("clerk")
    clerk.get(intake_url(item))
    token = next(iter(clerk.session["workbench_intake_staging"]))
    clerk.post(intake_url(item), intake_data(item, staging=token, id_number="110105194912310021"))
    other = as_user("clerk2")
    data = {k: v for k, v in intake_data(item, staging=token).items() if not k.startswith("material_")}
    assert other.post(intake_url(item), data).status_code == 302
    assert Case.objects.get().materials.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
            "格式不支持",
        ),
        (SimpleUploadedFile("fake.pdf", b"GIF89a....", content_type="application/pdf"), "内容与扩展名不符"),
        (SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)), "超过 1 MB"),
    ],
)
def test_bad_files_are_refused_next_to_their_field(hall, as_user, settings, upload, message):
    settings.GOVHALL_MAX_UPLOAD_MB = 1
    item = hall.item(CANCEL)
    first = item.materials.get(seq=1)
    response = as_user("clerk").post(intake_url(item), intake_data(item, **{f"material_{first.pk}": upload}))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    # The error sits in the block of that material's file input.
    block = page[page.index(f'id="id_material_{first.pk}"') :]
    assert message in block[: block.index("</div>")]
    assert Case.objects.count() == 0


def test_bad_form_lines_and_enterprise_without_representative(hall, as_user):
    item = hall.item(CANCEL)
    clerk = as_user("clerk")
    response = clerk.post(intake_url(item), intake_data(item, form_text="经营场所 人民路"))
    assert response.status_code == 200 and "第 1 行应为“项目: 内容”的格式" in response.content.decode()
    company = intake_data(
        item, applicant_kind="enterprise", id_number="91130682MA0CXXXX05", name="好味餐饮有限公司"
    )
    response = clerk.post(intake_url(item), company)
    assert response.status_code == 200 and "法人申请须填写法定代表人" in response.content.decode()
    response = clerk.post(intake_url(item), intake_data(item, name="", phone="12ab"))
    page = response.content.decode()
    assert "这个字段是必填项" in page
    assert Case.objects.count() == 0
    company["legal_representative"] = "李四"
    company[f"material_{item.materials.get(seq=1).pk}"] = pdf_file()
    company[f"material_{item.materials.get(seq=2).pk}"] = pdf_file()
    assert clerk.post(intake_url(item), company).status_code == 302
    assert Case.objects.get().applicant.legal_representative == "李四"
