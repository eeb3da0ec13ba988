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
