"""The issue's acceptance checks on the real demo county: Chinese search through the API and the Excel round trip."""

from __future__ import annotations

from typing import Any

import pytest

from govhall.catalog.actions import item_snapshot
from govhall.catalog.excel import export_catalog, import_catalog
from govhall.catalog.models import Bundle, ItemVersion, ServiceItem

pytestmark = pytest.mark.django_db


def _snapshots() -> dict[str, dict[str, Any]]:
    items = ServiceItem.objects.select_related("department").prefetch_related(
        "materials", "fees", "joint_departments"
    )
    return {item.impl_code: item_snapshot(item) for item in items}


def _joint(snapshots: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """联审部门 of the joint-review items; the demo county gives each two or three."""
    joint = {
        code: s["joint_departments"]
        for code, s in snapshots.items()
        if s["process_template"] == "joint_review"
    }
    assert len(joint) >= 10 and all(2 <= len(names) <= 3 for names in joint.values())
    return joint


def test_api_search_finds_the_business_licence_items(client, demo_county):
    response = client.get("/api/v1/items", {"q": "营业执照", "limit": 100})
    assert response.status_code == 200
    body = response.json()
    names = [row["name"] for row in body["items"]]
    assert body["count"] == len(names)
    licence_items = set(
        ServiceItem.objects.filter(name__contains="营业执照", status="published").values_list(
            "name", flat=True
        )
    )
    assert licence_items and licence_items <= set(names)
    # Items named after the licence rank before items that only mention it in their conditions.
    assert set(names[: len(licence_items)]) == licence_items
    assert "企业设立登记" in names
    assert not any("户口" in name or "驾驶证" in name for name in names)


def test_export_then_import_into_the_same_catalog_changes_nothing(tmp_path, demo_county):
    path = tmp_path / "demo-catalog.xlsx"
    export_catalog(path)
    versions_before = ItemVersion.objects.count()
    before = _snapshots()

    report = import_catalog(path)

    assert report.ok, report.summary()
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == ServiceItem.objects.count() >= 380
    assert ItemVersion.objects.count() == versions_before
    assert _joint(_snapshots()) == _joint(before)


def test_export_then_import_into_an_empty_catalog_reproduces_it(tmp_path, demo_county):
    path = tmp_path / "demo-catalog.xlsx"
    export_catalog(path)
    original = _snapshots()
    bundles = {b.code: sorted(b.items.values_list("impl_code", flat=True)) for b in Bundle.objects.all()}

    Bundle.objects.all().delete()
    ServiceItem.objects.all().delete()
    report = import_catalog(path)

    assert report.ok, report.summary()
    assert report.created == len(original)
    assert _snapshots() == original
    # The co-departments came back through the 联审部门 column and are in the new items' first versions too.
    joint = _joint(original)
    first_versions = dict(
        ItemVersion.objects.filter(item__impl_code__in=joint).values_list("item__impl_code", "snapshot")
    )
    assert {code: s["joint_departments"] for code, s in first_versions.items()} == joint
    assert {
        b.code: sorted(b.items.values_list("impl_code", flat=True)) for b in Bundle.objects.all()
    } == bundles


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("开办企业", "企业设立登记"),  # synonym table: 开办企业 → 企业设立登记、营业执照
        ("社保卡", "社会保障卡申领"),  # synonym and the item's popular name
        ("准生证", "生育登记"),  # popular name (俗称) of the item
        ("开饭店", "食品经营许可证核发"),  # synonym: 开饭店 → 食品经营许可
        ("补办社保卡", "社会保障卡补领、换领"),  # a synonym inside a longer query
    ],
)
def test_everyday_words_find_the_items(client, demo_county, query, expected):
    """Public catalog search (jieba) with the demo's popular names and synonyms (govhall/demo/forms.py)."""
    response = client.get("/api/v1/items", {"q": query, "limit": 100})
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["items"]]
    assert expected in names, (query, names[:10])
    assert len(names) < 40  # found, not everything
    page = client.get("/items/", {"q": query}).content.decode()
    assert expected in page


def test_synonyms_are_data_an_administrator_changes(client, demo_county):
    from govhall.catalog.actions import delete_synonym, save_synonym
    from govhall.catalog.models import Synonym

    assert "食品经营许可证核发" not in [
        r["name"] for r in client.get("/api/v1/items", {"q": "开小吃店"}).json()["items"]
    ]
    save_synonym(word="开小吃店", means="食品经营许可")
    assert "食品经营许可证核发" in [
        r["name"] for r in client.get("/api/v1/items", {"q": "开小吃店"}).json()["items"]
    ]
    delete_synonym(Synonym.objects.get(word="开小吃店"))
    assert "食品经营许可证核发" not in [
        r["name"] for r in client.get("/api/v1/items", {"q": "开小吃店"}).json()["items"]
    ]


def test_demo_items_have_their_application_forms_in_the_excel_round_trip(tmp_path, demo_county):
    food = ServiceItem.objects.get(name="食品经营许可证核发")
    keys = [f.key for f in food.form_fields.all()]
    assert "business_form" in keys and "site_inspection_waived" in keys
    assert food.aliases and "开饭店" in food.aliases
    path = tmp_path / "forms.xlsx"
    export_catalog(path)
    food.form_fields.all().delete()
    ServiceItem.objects.filter(pk=food.pk).update(aliases="")
    report = import_catalog(path)
    assert report.ok and report.updated >= 1, report.summary()
    food.refresh_from_db()
    assert [f.key for f in food.form_fields.all()] == keys and "开饭店" in food.aliases
