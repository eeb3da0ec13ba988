"""An item's own application form (catalog.FormField): rendered on the apply page, prefilled from the account,
checked per field in Chinese (page, API, action), and files kept across a failed submit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases import form_tokens
from govhall.cases.models import Case
from govhall.catalog.actions import update_item
from govhall.catalog.models import ServiceItem
from tests.api.cases_support import Api, application
from tests.cases.conftest import PDF, PERSON, Hall

from .test_portal import apply_url, client_for

CANCEL = "企业营业执照注销登记"

FIELDS = [
    {"seq": 1, "key": "holder_name", "label": "清算组负责人", "kind": "text", "prefill": "name"},
    {"seq": 2, "key": "holder_id", "label": "负责人身份证号码", "kind": "id_number", "prefill": "id_number"},
    {
        "seq": 3,
        "key": "cancel_reason",
        "label": "注销原因",
        "kind": "choice",
        "choices": "经营期限届满、股东会决议解散、依法被吊销",
    },
    {"seq": 4, "key": "closing_date", "label": "清算完成日期", "kind": "date"},
    {"seq": 5, "key": "creditors", "label": "债权人数量", "kind": "number", "required": False},
]


@pytest.fixture
def item(hall: Hall) -> ServiceItem:
    item = ServiceItem.objects.get(name=CANCEL)
    return update_item(item, form_fields=FIELDS, note="申请表字段")


def post_data(item: ServiceItem, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "person",
        "name": PERSON.name,
        "id_number": PERSON.id_number,
        "phone": PERSON.phone,
        "f_holder_name": "张三",
        "f_holder_id": PERSON.id_number,
        "f_cancel_reason": "经营期限届满",
        "f_closing_date": "2026-02-27",
        "f_creditors": "",
        form_tokens.TOKEN_FIELD: form_tokens.new_token(),
    }
    data.update(overrides)
    return data


def test_apply_page_renders_the_items_fields_prefilled(hall: Hall, item: ServiceItem) -> None:
    user = hall["applicant"]
    user.first_name = "张三"
    user.save(update_fields=["first_name"])
    body = client_for(user).get(apply_url(item)).content.decode()
    for name in ("f_holder_name", "f_holder_id", "f_cancel_reason", "f_closing_date", "f_creditors"):
        assert f'name="{name}"' in body
    assert (
        "申请表内容" not in body and "项目名称：示范县第一中学教学楼" not in body
    )  # no free-text pseudo-form
    assert (
        'name="f_holder_name" value="张三"' in body
        or 'value="张三"' in body.split('name="f_holder_name"')[1][:200]
    )
    assert '<option value="股东会决议解散">' in body
    assert 'type="date" name="f_closing_date"' in body


def test_wrong_entries_are_named_in_chinese_and_files_are_kept(hall: Hall, item: ServiceItem) -> None:
    client = client_for(hall["applicant"])
    materials = list(item.materials.order_by("seq"))
    files = {f"material_{m.pk}": SimpleUploadedFile(f"扫描件{m.seq}.pdf", PDF) for m in materials}
    data = post_data(item, f_holder_id="110105194912310021", f_cancel_reason="", f_closing_date="明天")
    response = client.post(apply_url(item), {**data, **files})
    assert response.status_code == 200 and not Case.objects.exists()
    body = response.content.decode()
    id_block = body.split('id="id_f_holder_id"', 1)[1][:600]
    assert "负责人身份证号码" in id_block and "校验" in id_block
    assert "请选择“注销原因”" in body
    assert "“清算完成日期”应为日期" in body
    # The files passed their checks: kept, shown by name, not asked for again.
    for m in materials:
        assert f"已上传：扫描件{m.seq}.pdf" in body
    # Corrected entries, no files chosen this time: the case gets the kept files.
    fixed = {
        **data,
        "f_holder_id": PERSON.id_number,
        "f_cancel_reason": "股东会决议解散",
        "f_closing_date": "2026-02-27",
    }
    response = client.post(apply_url(item), fixed)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.form_data == {
        "holder_name": "张三",
        "holder_id": PERSON.id_number,
        "cancel_reason": "股东会决议解散",
        "closing_date": "2026-02-27",
    }
    assert sorted(case.materials.values_list("original_name", flat=True)) == sorted(
        f"扫描件{m.seq}.pdf" for m in materials
    )
    # The applicant's own page shows the entries under their labels.
    page = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "注销原因" in page and "股东会决议解散" in page and "simulated" not in page


def test_a_dropped_kept_file_is_not_submitted(hall: Hall, item: ServiceItem) -> None:
    client = client_for(hall["applicant"])
    first = item.materials.order_by("seq").first()
    assert first is not None
    data = post_data(item, f_cancel_reason="")
    client.post(apply_url(item), {**data, f"material_{first.pk}": SimpleUploadedFile("a.pdf", PDF)})
    # Another account with the same token sees nothing of it.
    other = client_for(hall["clerk"]).post(apply_url(item), data).content.decode()
    assert "已上传：a.pdf" not in other
    response = client.post(apply_url(item), {**data, f"drop_material_{first.pk}": "1"})
    assert "已上传：a.pdf" not in response.content.decode()


def test_the_action_and_the_api_check_form_data_against_the_fields(hall: Hall, item: ServiceItem) -> None:
    api = Api(hall["clerk"])
    body = application(
        item, form_data={"holder_name": "张三", "cancel_reason": "不知道", "closing_date": "2026-02-30"}
    )
    response = api.post("/cases", body)
    assert response.status_code == 422, response.content.decode()
    text = str(response.json())
    assert "申请表：“负责人身份证号码”为必填项" in text
    assert "“注销原因”只能选择" in text
    assert "“清算完成日期”应为日期" in text
    assert not Case.objects.exists()
    # A clerk's "标签：内容" entries count under their labels; values are stored by key.
    good = application(
        item,
        form_data={
            "清算组负责人": "张三",
            "负责人身份证号码": PERSON.id_number,
            "注销原因": "依法被吊销",
            "清算完成日期": "2026/03/01",
        },
    )
    response = api.post("/cases", good)
    assert response.status_code == 201, response.content.decode()
    case = Case.objects.get()
    assert case.form_data["cancel_reason"] == "依法被吊销" and case.form_data["closing_date"] == "2026-03-01"


def test_a_correction_extra_entry_is_labelled_by_its_name(hall: Hall) -> None:
    from govhall.cases.actions import request_correction

    from .test_portal import online_case

    case = online_case(hall)
    request_correction(
        case,
        by=hall["clerk"],
        missing=[{"material": None, "name": "申请表申请人签字页", "reason": "申请表未签字"}],
    )
    client = client_for(hall["applicant"])
    page = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "申请表申请人签字页" in page
    response = client.post(
        f"/my/cases/{case.number}/correction/", {"extra_0": SimpleUploadedFile("IMG_2031.pdf", PDF)}
    )
    assert response.status_code == 302
    stored = case.materials.get(for_correction=True)
    assert stored.name == "申请表申请人签字页" and stored.original_name == "IMG_2031.pdf"


def test_the_staff_case_page_names_people_not_login_names(hall: Hall) -> None:
    """收件人 of an online application is the applicant in person, by name; entries show under their labels."""
    from .test_portal import online_case

    case = online_case(hall)
    page = client_for(hall["approver"]).get(f"/workbench/cases/{case.number}/").content.decode()
    received = page.split("收件人", 1)[1].split("</tr>", 1)[0]
    assert PERSON.name in received and hall["applicant"].get_username() not in received
