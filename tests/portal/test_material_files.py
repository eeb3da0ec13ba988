"""Blank forms and samples download through the portal (no media server in an intranet hall)."""

import pytest
from django.core.files.base import ContentFile

from govhall.catalog.models import Material, ServiceItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _published_material(catalog):
    item = ServiceItem.objects.filter(status="published").order_by("id").first()
    material = item.materials.order_by("seq").first()
    material.blank_form.save("申请表.docx", ContentFile(b"blank form bytes"), save=True)
    return item, material


def test_guide_links_to_blank_form_and_it_downloads(client, catalog, media_root):
    item, material = _published_material(catalog)
    guide = client.get(f"/items/{item.impl_code}/").content.decode()
    url = f"/items/{item.impl_code}/materials/{material.pk}/form/"
    assert url in guide
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"blank form bytes"
    assert "attachment" in response["Content-Disposition"]


def test_missing_sample_and_unpublished_items_are_404(client, catalog, media_root):
    item, material = _published_material(catalog)
    material.sample = ""
    material.save(update_fields=["sample"])
    assert client.get(f"/items/{item.impl_code}/materials/{material.pk}/sample/").status_code == 404
    assert client.get(f"/items/{item.impl_code}/materials/{material.pk}/other/").status_code == 404
    draft = ServiceItem.objects.exclude(status="published").first()
    draft_material = Material.objects.create(item=draft, seq=99, name="草稿材料")
    draft_material.blank_form.save("x.docx", ContentFile(b"secret"), save=True)
    assert client.get(f"/items/{draft.impl_code}/materials/{draft_material.pk}/form/").status_code == 404


def test_file_missing_from_storage_is_404_not_500(client, catalog, media_root):
    item, material = _published_material(catalog)
    material.blank_form.storage.delete(material.blank_form.name)
    response = client.get(f"/items/{item.impl_code}/materials/{material.pk}/form/")
    assert response.status_code == 404


def test_a_form_without_an_uploaded_blank_gets_a_generated_one(client, catalog, media_root, tmp_path):
    """“可在服务指南页面下载空白表格”: a material that is a form offers a PDF made from the item's own fields."""
    import shutil
    import subprocess

    from govhall.catalog.actions import update_item

    item = ServiceItem.objects.filter(status="published").order_by("id").first()
    update_item(
        item,
        form_fields=[
            {"seq": 1, "key": "shop_name", "label": "店铺名称", "kind": "text"},
            {"seq": 2, "key": "kind", "label": "主体业态", "kind": "choice", "choices": "餐饮服务、食品销售"},
        ],
    )
    material = item.materials.order_by("seq").first()
    Material.objects.filter(pk=material.pk).update(name="食品经营许可申请书", blank_form="", notes="")
    other = item.materials.exclude(pk=material.pk).first()
    guide = client.get(f"/items/{item.impl_code}/").content.decode()
    url = f"/items/{item.impl_code}/materials/{material.pk}/form/"
    assert url in guide
    if other is not None and not other.is_form:
        assert f"/materials/{other.pk}/form/" not in guide  # not every material is a form
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    if shutil.which("pdftotext"):
        path = tmp_path / "blank.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        compact = "".join(text.split())
        assert "食品经营许可申请书" in compact and "店铺名称" in compact and "□餐饮服务" in compact


def test_the_public_header_links_the_login_and_not_the_api(client, catalog):
    page = client.get("/items/").content.decode()
    header = page.split("</header>", 1)[0]
    assert "/accounts/login/" in header and "登录" in header
    assert "API 文档" not in header and "/api/v1/docs" not in header
