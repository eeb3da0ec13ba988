from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govhall.documents import actions
from govhall.documents.choices import DocumentStatus, SealStatus
from govhall.documents.models import Document, Seal
from govhall.documents.views import mask_name

from .conftest import ISSUED_AT

SEALED_AT = ISSUED_AT + timedelta(minutes=5)


@pytest.fixture
def sealed(issue) -> Document:
    return actions.seal_document(issue(), at=SEALED_AT)


def _upload(client, url: str, data: bytes, name: str = "notice.pdf"):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def test_the_verify_url_is_the_detail_page_with_the_token(sealed, settings):
    settings.GOVHALL_PUBLIC_URL = "https://zwfw.rongxian.gov.cn/"
    url = sealed.public_verify_url()
    assert url.startswith("https://zwfw.rongxian.gov.cn/verify/")
    assert url.endswith(f"/?t={sealed.verify_token}")
    assert urlsplit(url).path == reverse("documents:detail", args=[sealed.number])


def test_detail_page_shows_the_registered_document_and_its_checks(client, sealed):
    response = client.get(sealed.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        sealed.number,
        sealed.case_number,
        "受理通知书",
        "县市场监督管理局",
        "容县市场监督管理局电子审批专用章",
        sealed.seal.es_id,
        "验证通过",
        "文档完整性",
    ]:
        assert text in page, text
    assert 'data-check="registry"' in page
    # Without the token: the applicant's name is masked and there is no download link.
    assert "容县张三餐饮有限公司" not in page
    assert "容县******公司" in page
    assert reverse("documents:pdf", args=[sealed.number]) not in page


def test_the_token_reveals_the_recipient_and_the_download(client, sealed):
    response = client.get(sealed.get_absolute_url(), {"t": sealed.verify_token})
    page = response.content.decode()
    assert "容县张三餐饮有限公司" in page
    assert reverse("documents:pdf", args=[sealed.number]) in page
    token = sealed.verify_token
    almost = token[:-1] + ("y" if token.endswith("x") else "x")
    wrong = client.get(sealed.get_absolute_url(), {"t": almost}).content.decode()
    assert "容县张三餐饮有限公司" not in wrong


def test_download_needs_the_token(client, sealed):
    url = reverse("documents:pdf", args=[sealed.number])
    assert client.get(url).status_code == 403
    assert client.get(url, {"t": "wrong"}).status_code == 403
    response = client.get(url, {"t": sealed.verify_token})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(sealed.pdf)
    assert "filename" in response["Content-Disposition"]


def test_download_seals_a_pending_document(client, issue):
    document = issue()
    response = client.get(reverse("documents:pdf", args=[document.number]), {"t": document.verify_token})
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.SEALED


def test_a_pending_document_page_says_so(client, issue):
    document = issue()
    page = client.get(document.get_absolute_url()).content.decode()
    assert "待签章" in page and "签章完成后即可验证" in page


def test_unknown_number_is_404(client, db):
    assert client.get(reverse("documents:detail", args=["不存在〔2026〕000001号"])).status_code == 404
    assert (
        client.get(reverse("documents:pdf", args=["不存在〔2026〕000001号"]), {"t": "x"}).status_code == 404
    )


def test_uploading_the_genuine_file(client, sealed):
    response = _upload(client, sealed.get_absolute_url(), bytes(sealed.pdf))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("验证通过") == 2  # the stored file and the upload
    assert "不是本页的文书" not in page


def test_uploading_a_tampered_file(client, sealed):
    data = bytearray(sealed.pdf)
    data[len(data) // 3] ^= 0x04
    response = _upload(client, sealed.get_absolute_url(), bytes(data))
    assert response.status_code == 200
    page = response.content.decode()
    assert "验证未通过：文档完整性（SM3摘要）" in page
    assert "文件在签章后被修改过" in page


def test_uploading_another_documents_file_is_pointed_out(client, issue, sealed):
    other = actions.seal_document(issue(), at=SEALED_AT)
    page = _upload(client, sealed.get_absolute_url(), bytes(other.pdf)).content.decode()
    assert f"上传的文件是编号为 {other.number} 的文书" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"GIF89a not a pdf", "上传的文件不是 PDF 文件。"),
        (b"", "上传的文件是空的。"),
    ],
)
def test_bad_uploads_get_a_chinese_error(client, sealed, data, error):
    for url in [sealed.get_absolute_url(), reverse("documents:index")]:
        response = _upload(client, url, data, name="photo.gif")
        assert response.status_code == 400
        assert error in response.content.decode()


def test_posting_without_a_file(client, sealed):
    response = client.post(sealed.get_absolute_url(), {})
    assert response.status_code == 400
    assert "请选择要验证的 PDF 文件。" in response.content.decode()


def test_a_pdf_without_a_signature_shows_the_failed_checks(client, db):
    response = _upload(client, reverse("documents:index"), b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    assert response.status_code == 200
    page = response.content.decode()
    assert "验证未通过：签章数据结构" in page and "没有电子签章数据" in page


def test_the_index_page_verifies_any_file_and_links_to_the_registry(client, sealed):
    assert client.get(reverse("documents:index")).status_code == 200
    page = _upload(client, reverse("documents:index"), bytes(sealed.pdf)).content.decode()
    assert "验证通过" in page
    assert sealed.get_absolute_url() in page


def test_a_revoked_seal_is_shown_and_the_document_still_verifies(client, sealed):
    actions.revoke_seal(sealed.seal, at=SEALED_AT + timedelta(days=1))
    page = client.get(sealed.get_absolute_url()).content.decode()
    assert "吊销" in page and "验证通过" in page


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("容县张三餐饮有限公司", "容县******公司"), ("", "")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


# --------------------------------------------------------------------------- admin


def test_admin_lists_are_read_only(admin_client, sealed):
    response = admin_client.get(reverse("admin:documents_document_changelist"), {"kind__exact": "acceptance"})
    assert response.status_code == 200 and sealed.number in response.content.decode()
    detail = admin_client.get(reverse("admin:documents_document_change", args=[sealed.pk]))
    assert detail.status_code == 200
    assert "打开验证页" in detail.content.decode()
    assert admin_client.get(reverse("admin:documents_document_add")).status_code == 403
    seals = admin_client.get(reverse("admin:documents_seal_changelist"), {"status__exact": "active"})
    assert seals.status_code == 200 and sealed.seal.es_id in seals.content.decode()
    seal_page = admin_client.get(
        reverse("admin:documents_seal_change", args=[sealed.seal_id])
    ).content.decode()
    assert "<svg" in seal_page and "holder_private_key" not in seal_page
    maker_page = admin_client.get(reverse("admin:documents_sealmaker_changelist"))
    assert maker_page.status_code == 200


def test_admin_revoke_action(admin_client, sealed, admin_user):
    response = admin_client.post(
        reverse("admin:documents_seal_changelist"),
        {"action": "revoke", "_selected_action": [sealed.seal_id]},
        follow=True,
    )
    assert response.status_code == 200
    assert "已吊销 1 枚印章" in response.content.decode()
    seal = Seal.objects.get(pk=sealed.seal_id)
    assert seal.status == SealStatus.REVOKED and seal.revoked_by == admin_user
