"""The applicant's pages and the public progress query, through the Django test client on a real database."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govhall.cases import form_tokens
from govhall.cases.actions import accept_case, act_on_task, claim_task, request_correction, submit_application
from govhall.cases.choices import CaseStatus, Channel
from govhall.cases.models import Applicant, Case, CaseMaterial, Task
from govhall.catalog.models import ServiceItem
from govhall.documents.models import Document
from govhall.ledger.actions import entries_for
from tests.cases.conftest import PDF, PERSON, Hall, uploads_for

CANCEL = "企业营业执照注销登记"  # online depth 3, standard process, two required materials
LOW_DEPTH = "最低生活保障对象认定"  # online depth 1: no online application


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def apply_url(item: ServiceItem) -> str:
    return f"/apply/{item.impl_code}/"


def pdf_file(name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def person_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "person",
        "name": PERSON.name,
        "id_number": PERSON.id_number,
        "phone": PERSON.phone,
        "note": "注销原因：经营期满",
        # A freshly opened form's one-time token (the form refuses a POST without one).
        form_tokens.TOKEN_FIELD: form_tokens.new_token(),
    }
    data.update(overrides)
    return data


def online_case(hall: Hall, *, skip: tuple[str, ...] = ()) -> Case:
    item = hall.item(CANCEL)
    return submit_application(
        item=item,
        applicant=PERSON,
        channel=Channel.ONLINE,
        by=hall["applicant"],
        uploads=uploads_for(item, skip=skip),
    )


def text_of(response: Any) -> str:
    return response.content.decode()


# --- online application ---------------------------------------------------------------------------------------


def test_apply_requires_login(hall: Hall) -> None:
    response = Client().get(apply_url(hall.item(CANCEL)))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/apply/")


def test_login_page_is_chinese_and_logs_in(hall: Hall) -> None:
    user = hall["applicant"]
    user.set_password("s3cret-pass")
    user.save()
    client = Client()
    page = text_of(client.get("/accounts/login/?next=/my/cases/"))
    assert "账号" in page and "密码" in page and 'value="/my/cases/"' in page
    wrong = client.post(
        "/accounts/login/", {"username": "applicant", "password": "nope", "next": "/my/cases/"}
    )
    assert wrong.status_code == 200
    assert "账号或密码不正确" in text_of(wrong)
    right = client.post(
        "/accounts/login/", {"username": "applicant", "password": "s3cret-pass", "next": "/my/cases/"}
    )
    assert right.status_code == 302 and right["Location"] == "/my/cases/"


def test_online_application_happy_path(hall: Hall) -> None:
    item = hall.item(CANCEL)
    client = client_for(hall["applicant"])
    page = client.get(apply_url(item))
    assert page.status_code == 200
    materials = list(item.materials.all())
    body = text_of(page)
    for material in materials:
        assert f'name="material_{material.pk}"' in body
        assert material.name in body
    assert 'value="张三"' not in body

    files = {f"material_{m.pk}": pdf_file(f"{m.seq}.pdf") for m in materials}
    response = client.post(apply_url(item), {**person_post(), **files})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/my/cases/{case.number}/"
    assert case.channel == Channel.ONLINE
    assert case.status == CaseStatus.SUBMITTED
    assert case.applicant.user == hall["applicant"]
    assert case.received_by == hall["applicant"]
    assert case.form_data == {"补充说明": "注销原因：经营期满"}
    assert sorted(CaseMaterial.objects.filter(case=case).values_list("material_id", flat=True)) == sorted(
        m.pk for m in materials
    )

    detail = text_of(client.get(response["Location"]))
    assert case.number in detail and case.check_code in detail
    assert "待受理" in detail and "提交申请" in detail and "受理审查期限" in detail
    listing = text_of(client.get("/my/cases/"))
    assert case.number in listing and CANCEL in listing
    # The next application starts from the identity used last time.
    again = text_of(client.get(apply_url(item)))
    assert 'value="张三"' in again and f'value="{PERSON.id_number}"' in again


def test_application_errors_keep_values_and_create_nothing(hall: Hall) -> None:
    item = hall.item(CANCEL)
    client = client_for(hall["applicant"])
    first = item.materials.order_by("seq").first()
    assert first is not None
    bad = person_post(
        name="王小明",
        id_number="110105194912310021",  # wrong check character
        phone="12ab",
        note="没有分隔符的一行",
        **{
            f"material_{first.pk}": SimpleUploadedFile(
                "scan.pdf", b"not a pdf at all", content_type="application/pdf"
            )
        },
    )
    response = client.post(apply_url(item), bad)
    assert response.status_code == 200
    body = text_of(response)
    assert 'value="王小明"' in body  # values kept
    assert "没有分隔符的一行" in body
    assert "内容与扩展名不符" in body
    assert "已上传" not in body  # the one file failed its check: nothing kept
    # The identity error sits next to the ID field.
    id_block = body.split('id="id_id_number"', 1)[1].split("</fieldset>", 1)[0]
    assert "校验" in id_block or "不正确" in id_block

    company = client.post(
        apply_url(item), person_post(kind="enterprise", name="示范县某公司", id_number="91130682MA0CXXXX05")
    )
    assert company.status_code == 200
    assert "法人申请须填写法定代表人" in text_of(company).split('id="id_legal_representative"', 1)[1]

    # A wrong ID number is reported even while the name is still missing.
    partial = client.post(
        apply_url(item), {"kind": "person", "id_number": "123", "submission_token": form_tokens.new_token()}
    )
    assert "这个字段是必填项" in text_of(partial).split('id="id_name"', 1)[1].split('id="id_id_number"', 1)[0]
    assert "身份证" in text_of(partial).split('id="id_id_number"', 1)[1].split('id="id_phone"', 1)[0]

    missing = client.post(apply_url(item), {"kind": "person", "submission_token": form_tokens.new_token()})
    assert missing.status_code == 200
    assert text_of(missing).count("这个字段是必填项") >= 2
    assert Case.objects.count() == 0
    assert Applicant.objects.count() == 0
    assert CaseMaterial.objects.count() == 0


def test_item_without_online_application_shows_the_action_message(hall: Hall) -> None:
    item = hall.item(LOW_DEPTH)
    client = client_for(hall["applicant"])
    assert "可能不支持网上申请" in text_of(client.get(apply_url(item)))
    response = client.post(apply_url(item), person_post())
    assert response.status_code == 200
    assert f"“{LOW_DEPTH}”不支持网上申请，请到窗口办理" in text_of(response)
    assert Case.objects.count() == 0


def test_another_account_typing_the_same_identity_gets_its_own_record(hall: Hall) -> None:
    first = online_case(hall)
    other = get_user_model().objects.create_user("other", password="x")
    response = client_for(other).post(apply_url(hall.item(CANCEL)), person_post())
    assert response.status_code == 302
    second = Case.objects.exclude(pk=first.pk).get()
    # Neither account can see or change the other's applications under the shared ID number.
    assert second.applicant_id != first.applicant_id and second.applicant.user == other
    assert client_for(other).get(f"/my/cases/{first.number}/").status_code == 404
    assert client_for(hall["applicant"]).get(f"/my/cases/{second.number}/").status_code == 404


def test_unknown_or_unpublished_item_is_404(hall: Hall) -> None:
    client = client_for(hall["applicant"])
    assert client.get("/apply/NOPE/").status_code == 404
    draft = ServiceItem.objects.get(name="城镇污水排入排水管网许可")
    assert client.get(apply_url(draft)).status_code == 404


# --- my cases -----------------------------------------------------------------------------------------------------


def test_someone_elses_case_is_404(hall: Hall) -> None:
    case = online_case(hall)
    with_doc = online_case(hall)
    accept_case(with_doc, by=hall["clerk"])
    doc = Document.objects.filter(case_number=with_doc.number).first()
    assert doc is not None
    other = client_for(get_user_model().objects.create_user("other", password="x"))
    # Staff who may see the case at the workbench still have no "my cases" view of it.
    clerk = client_for(hall["clerk"])
    for client in (other, clerk):
        assert client.get(f"/my/cases/{case.number}/").status_code == 404
        assert client.post(f"/my/cases/{case.number}/withdraw/", {"reason": "x"}).status_code == 404
        assert client.post(f"/my/cases/{case.number}/correction/", {}).status_code == 404
        assert client.get(f"/my/cases/{with_doc.number}/documents/{doc.pk}/").status_code == 404
        assert case.number not in text_of(client.get("/my/cases/"))
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    # A document of another case is not reachable through one's own case either.
    assert (
        client_for(hall["applicant"]).get(f"/my/cases/{case.number}/documents/{doc.pk}/").status_code == 404
    )


def test_correction_upload_completes_the_correction(hall: Hall) -> None:
    item = hall.item(CANCEL)
    materials = list(item.materials.order_by("seq"))
    case = online_case(hall, skip=tuple(m.name for m in materials))  # nothing handed in
    request_correction(
        case,
        by=hall["clerk"],
        missing=[
            {"material": materials[0].pk, "reason": "未签字"},
            {"material": materials[1].pk, "reason": ""},
        ],
        note="请上传清晰扫描件",
    )
    client = client_for(hall["applicant"])
    url = f"/my/cases/{case.number}/"
    page = text_of(client.get(url))
    assert "一次性补正告知" in page and "未签字" in page and "请上传清晰扫描件" in page
    assert f'name="material_{materials[0].pk}"' in page and f'name="material_{materials[1].pk}"' in page

    # Nothing chosen: an error, no change.
    empty = client.post(url + "correction/", {})
    assert empty.status_code == 200 and "请至少选择一份需补正的材料" in text_of(empty)
    # A wrong file: the error next to its entry, no change.
    wrong = client.post(
        url + "correction/", {f"material_{materials[0].pk}": SimpleUploadedFile("a.exe", b"MZ")}
    )
    assert wrong.status_code == 200 and "格式不支持" in text_of(wrong)
    assert CaseMaterial.objects.filter(case=case).count() == 0

    first = client.post(url + "correction/", {f"material_{materials[0].pk}": pdf_file()}, follow=True)
    assert "仍有材料需要补正" in text_of(first)
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION

    done = client.post(url + "correction/", {f"material_{materials[1].pk}": pdf_file()}, follow=True)
    assert "补正材料已齐全" in text_of(done)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.correction.resolved_at is not None
    assert CaseMaterial.objects.filter(case=case, for_correction=True).count() == 2
    body = text_of(done)
    assert "补正材料齐全" in body and 'id="correction-form"' not in body
    # Now the clerk can accept: the materials are complete.
    accept_case(case, by=hall["clerk"])


def test_withdraw(hall: Hall) -> None:
    case = online_case(hall)
    client = client_for(hall["applicant"])
    url = f"/my/cases/{case.number}/"
    assert "撤回申请" in text_of(client.get(url))
    response = client.post(url + "withdraw/", {"reason": "材料需要重新准备"}, follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    body = text_of(response)
    assert "申请已撤回" in body and "申请人撤回申请" in body
    assert 'action="/my/cases/' + case.number + '/withdraw/"' not in body
    assert Document.objects.filter(case_number=case.number, kind="withdrawal").exists()
    # A second attempt is refused by the action with its Chinese message, not a 500.
    again = client.post(url + "withdraw/", {"reason": ""}, follow=True)
    assert again.status_code == 200
    assert "不能撤回" in text_of(again)


def test_document_download_is_a_pdf(hall: Hall) -> None:
    case = online_case(hall)
    accept_case(case, by=hall["clerk"])
    doc = Document.objects.get(case_number=case.number, kind="acceptance")
    client = client_for(hall["applicant"])
    page = text_of(client.get(f"/my/cases/{case.number}/"))
    link = f"/my/cases/{case.number}/documents/{doc.pk}/"
    assert link in page and "受理通知书" in page
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-")
    doc.refresh_from_db()
    assert doc.status == "sealed" and bytes(doc.pdf or b"") == response.content
    assert client.get(f"/my/cases/{case.number}/documents/999999/").status_code == 404


# --- public progress --------------------------------------------------------------------------------------------


def test_progress_query_right_and_wrong_code(hall: Hall) -> None:
    case = online_case(hall)
    accept_case(case, by=hall["clerk"])
    task = Task.objects.get(case=case, status="open")
    claim_task(task, by=hall["approver"])
    act_on_task(task, by=hall["approver"], action="approve", opinion="内部意见：材料无误")
    client = Client()
    assert client.get("/progress/").status_code == 200

    right = client.post("/progress/", {"number": case.number, "check_code": case.check_code})
    assert right.status_code == 200
    body = text_of(right)
    assert right["Cache-Control"] == "private, no-store"
    assert CANCEL in body and "县市场监督管理局" in body and "办理中" in body
    assert re.search(r'id="applicant-name">张\*<', body)
    assert "张三" not in body and PERSON.id_number not in body
    assert "审批决定" in body  # the current step
    for title in ("提交申请", "予以受理", "审查：办理完毕"):
        assert title in body
    # Staff appear by role only; their names, claims and opinions stay internal.
    assert "窗口工作人员" in body and "审批人员" in body
    for internal in ("陈窗口", "黄审批", "内部意见", "task_claimed", "领取"):
        assert internal not in body
    assert "承诺办结期限" in body and "2026年3月5日" in body  # 3 working days from Monday 2 March

    wrong = client.post(
        "/progress/", {"number": case.number, "check_code": f"{(int(case.check_code) + 1) % 10**6:06d}"}
    )
    unknown = client.post("/progress/", {"number": "20990101000001", "check_code": "123456"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        text = text_of(response)
        assert "未找到该办件，请核对办件编号和查询码。" in text
        assert 'id="progress-result"' not in text and CANCEL not in text
    malformed = client.post("/progress/", {"number": case.number, "check_code": "12ab"})
    assert "查询码为 6 位数字" in text_of(malformed)


@pytest.mark.parametrize(
    "name,kind,masked",
    [
        ("张三", "person", "张*"),
        ("欧阳明华", "person", "欧***"),
        ("示范县好味餐饮有限公司", "enterprise", "示范*****有限公司"),
    ],
)
def test_mask_name(name: str, kind: str, masked: str) -> None:
    from govhall.cases.portal_views import mask_name

    assert mask_name(name, kind) == masked


def test_timeline_comes_from_the_audit_chain(hall: Hall) -> None:
    case = online_case(hall)
    accept_case(case, by=hall["clerk"])
    from govhall.cases.timeline import public_timeline

    titles = [e.title for e in public_timeline(case)]
    assert titles == ["提交申请", "予以受理"]
    assert [e.action for e in entries_for(case.number)][:2] == ["submitted", "accepted"]
    assert [e.actor for e in public_timeline(case)] == ["申请人", "窗口工作人员"]
