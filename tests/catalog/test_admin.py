from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from govhall.catalog.actions import ITEM_FIELDS
from govhall.catalog.models import Bundle, ServiceItem
from govhall.core.models import AuditEvent, AuditEventType

from .conftest import item_fields


@pytest.fixture
def client_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def _item_post(
    fields: dict[str, Any],
    materials: list[dict[str, Any]],
    item: ServiceItem | None = None,
    form_fields: list[dict[str, Any]] | None = None,
):
    data: dict[str, Any] = {}
    for name in ITEM_FIELDS:
        value = fields.get(name, getattr(item, name, ServiceItem._meta.get_field(name).get_default()))
        if name == "in_hall":
            if value:
                data[name] = "on"
        elif name != "special_procedures":
            data[name] = "" if value is None else value  # an empty optional number (e.g. 联审同意比例)
    data["special_procedures"] = fields.get("special_procedures", [])
    data["department"] = fields["department"].pk
    existing = list(item.materials.all()) if item else []
    data.update(_management("materials", len(materials), len(existing)))
    for index, material in enumerate(materials):
        if index < len(existing):
            data[f"materials-{index}-id"] = existing[index].pk
            data[f"materials-{index}-item"] = item.pk  # type: ignore[union-attr]
        for key, value in material.items():
            if key in {"required", "e_license_ok"}:
                if value:
                    data[f"materials-{index}-{key}"] = "on"
            else:
                data[f"materials-{index}-{key}"] = value
    data.update(_management("fees", 0))
    data.update(_management("versions", 0, item.versions.count() if item else 0))
    form_fields = form_fields or []
    data.update(_management("form_fields", len(form_fields)))
    for index, entry in enumerate(form_fields):
        for key, value in entry.items():
            if key == "required":
                if value:
                    data[f"form_fields-{index}-{key}"] = "on"
            else:
                data[f"form_fields-{index}-{key}"] = value
    return data


MATERIAL = {
    "seq": 1,
    "name": "申请书",
    "required": True,
    "form": "original",
    "copies": 1,
    "source": "applicant",
}


def test_add_and_change_through_actions(client_admin, departments, admin_user):
    fields = item_fields(departments["scjg"], special_procedures=["hearing"])
    fields["legal_basis"] = "第一条\r\n第二条"
    response = client_admin.post(reverse("admin:catalog_serviceitem_add"), _item_post(fields, [MATERIAL]))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    item = ServiceItem.objects.get()
    assert item.version == 1 and item.special_procedures == ["hearing"]
    assert item.legal_basis == "第一条\n第二条"
    assert item.materials.get().name == "申请书"
    assert AuditEvent.objects.get(event_type=AuditEventType.ITEM_CREATED).actor == admin_user

    url = reverse("admin:catalog_serviceitem_change", args=[item.pk])
    fields["legal_basis"] = item.legal_basis
    response = client_admin.post(url, _item_post(fields, [MATERIAL], item))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.version == 1, "saving an unchanged form is not a new version"

    response = client_admin.post(
        url, _item_post({**fields, "promised_limit": 3}, [{**MATERIAL, "copies": 2}], item)
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.version, item.promised_limit, item.materials.get().copies) == (2, 3, 2)
    assert item.versions.get(version=2).changed_by == admin_user


def test_admin_form_shows_model_errors(client_admin, departments):
    fields = item_fields(departments["scjg"], promised_limit=30)
    response = client_admin.post(reverse("admin:catalog_serviceitem_add"), _item_post(fields, []))
    assert response.status_code == 200
    assert "承诺办结时限不能超过法定办结时限" in response.content.decode()
    assert not ServiceItem.objects.exists()


def test_status_actions_and_refusals(client_admin, make_item):
    item = make_item()
    url = reverse("admin:catalog_serviceitem_changelist")
    response = client_admin.post(
        url, {"action": "suspend_selected", "_selected_action": [item.pk]}, follow=True
    )
    assert "不能从“草稿”变为“暂停办理”" in response.content.decode()
    client_admin.post(url, {"action": "publish_selected", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.status == "published" and item.version == 2


def test_changelist_search_and_pages_render(client_admin, rich_catalog):
    url = reverse("admin:catalog_serviceitem_changelist")
    response = client_admin.get(url, {"q": "营业执照"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "企业营业执照设立登记" in body and "职工参保登记" not in body
    assert "导入Excel" in body
    item = rich_catalog["licence"]
    assert client_admin.get(reverse("admin:catalog_serviceitem_change", args=[item.pk])).status_code == 200
    assert client_admin.get(reverse("admin:catalog_itemversion_changelist")).status_code == 200
    assert client_admin.get(reverse("admin:catalog_bundle_changelist")).status_code == 200
    bundle = Bundle.objects.get()
    assert client_admin.get(reverse("admin:catalog_bundle_change", args=[bundle.pk])).status_code == 200


def test_export_view_downloads_the_template(client_admin, rich_catalog):
    response = client_admin.get(reverse("admin:catalog_serviceitem_export"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:4] == ["事项", "材料", "收费", "一件事"]
    assert wb["事项"].max_row >= 5


def test_import_view_shows_row_and_column_errors(client_admin, departments):
    wb = Workbook()
    ws = wb.active
    ws.title = "事项"
    ws.append(["基本编码", "实施编码", "事项名称"])
    ws.append(["12", "x", "某事项"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "bad.xlsx"
    response = client_admin.post(reverse("admin:catalog_serviceitem_import"), {"file": buf})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-errors"' in body and "未导入任何数据" in body
    assert "<td>事项</td>" in body and "<td>权力来源</td>" in body
    assert not ServiceItem.objects.exists()


def test_bundle_admin_validates_items(client_admin, make_item, departments):
    first = make_item(main=1, status="published")
    draft = make_item(main=2)
    data = {
        "code": "YJS-9",
        "name": "开办餐馆",
        "description": "",
        "lead_department": departments["scjg"].pk,
        "promised_limit": 5,
        "promised_limit_unit": "workday",
        **_management("entries", 2),
        "entries-0-order": 1,
        "entries-0-item": first.pk,
        "entries-1-order": 2,
        "entries-1-item": draft.pk,
    }
    response = client_admin.post(reverse("admin:catalog_bundle_add"), data)
    assert response.status_code == 200 and "测试事项2" in response.content.decode()
    assert not Bundle.objects.exists()

    second = make_item(main=3, status="published")
    data["entries-1-item"] = second.pk
    response = client_admin.post(reverse("admin:catalog_bundle_add"), data)
    assert response.status_code == 302
    bundle = Bundle.objects.get()
    assert [e.item_id for e in bundle.entries.order_by("order")] == [first.pk, second.pk]
    assert AuditEvent.objects.filter(event_type="bundle_created").count() == 1


def test_admin_edits_the_application_form_fields(client_admin, departments):
    """申请表字段 are an inline of the item: saved through the item action, in the item's version snapshot."""
    fields = item_fields(departments["scjg"])
    shop = {"seq": 1, "key": "shop_name", "label": "店铺名称", "kind": "text", "required": True}
    kind = {
        "seq": 2,
        "key": "business_form",
        "label": "主体业态",
        "kind": "choice",
        "required": True,
        "choices": "餐饮服务、食品销售",
        "prefill": "",
    }
    response = client_admin.post(
        reverse("admin:catalog_serviceitem_add"), _item_post(fields, [MATERIAL], form_fields=[shop, kind])
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    item = ServiceItem.objects.get()
    assert [(f.key, f.label, f.kind) for f in item.form_fields.all()] == [
        ("shop_name", "店铺名称", "text"),
        ("business_form", "主体业态", "choice"),
    ]
    assert item.versions.get().snapshot["form_fields"][1]["choices"] == "餐饮服务、食品销售"
    # A choice field without its options is refused on the page, nothing saved.
    bad = {**kind, "choices": ""}
    response = client_admin.post(
        reverse("admin:catalog_serviceitem_add"),
        _item_post({**fields, "impl_code": fields["impl_code"]}, [MATERIAL], form_fields=[bad]),
    )
    assert response.status_code == 200
    assert "应至少填写两个可选项" in response.content.decode()
