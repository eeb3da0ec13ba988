"""The join rule of an item's parallel joint review (联审汇合规则): actions, admin, Excel and the catalog API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from govhall.catalog.actions import item_snapshot, publish_item, update_item
from govhall.catalog.excel import export_workbook, import_catalog
from govhall.catalog.models import ItemVersion, ServiceItem
from govhall.org.models import Department

from .conftest import uscc
from .test_admin import _item_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def fire(db) -> Department:
    return Department.objects.create(name="县消防救援大队", uscc=uscc(1004), group="vertical", sort_order=40)


@pytest.fixture
def joint_item(make_item, departments, fire) -> ServiceItem:
    return make_item(
        "scjg", main=7, process_template="joint_review", joint_departments=[departments["gtj"], fire]
    )


# ------------------------------------------------------------------------------------------------ actions


def test_rule_is_versioned_and_checked(joint_item, admin_user):
    item = update_item(joint_item, join_rule="ratio", join_ratio=0.6, actor=admin_user)
    assert item.version == 2
    snapshot = ItemVersion.objects.get(item=item, version=2).snapshot
    assert snapshot["join_rule"] == "ratio" and snapshot["join_ratio"] == 0.6
    with pytest.raises(ValidationError) as exc:
        update_item(item, join_rule="ratio", join_ratio=None)
    assert exc.value.message_dict["join_ratio"] == [
        "汇合规则为“按比例同意”时，应填写联审同意比例（0.01–1）。"
    ]
    with pytest.raises(ValidationError) as exc:
        update_item(item, join_rule="all", join_ratio=0.5)
    assert exc.value.message_dict["join_ratio"] == ["只有汇合规则为“按比例同意”时才能填写联审同意比例。"]
    with pytest.raises(ValidationError) as exc:
        update_item(item, join_ratio=1.5)
    assert "join_ratio" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        update_item(item, process_template="standard", joint_departments=[])
    assert exc.value.message_dict["join_rule"] == ["只有办理流程为“并联审批流程”的事项才能设置联审汇合规则。"]
    assert ServiceItem.objects.get(pk=item.pk).version == 2


# ------------------------------------------------------------------------------------------------ admin


@pytest.fixture
def client_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_sets_the_rule_through_the_action(client_admin, joint_item, departments, admin_user, fire):
    url = reverse("admin:catalog_serviceitem_change", args=[joint_item.pk])
    page = client_admin.get(url)
    assert page.status_code == 200 and "联审汇合规则" in page.content.decode()
    data = _item_post({"department": departments["scjg"]}, [], joint_item)
    data["joint_departments"] = [departments["gtj"].pk, fire.pk]
    data["join_rule"], data["join_ratio"] = "any", ""

    response = client_admin.post(url, data)

    assert response.status_code == 302
    item = ServiceItem.objects.get(pk=joint_item.pk)
    assert item.join_rule == "any" and item.join_ratio is None
    v2 = item.versions.get(version=2)
    assert v2.snapshot["join_rule"] == "any" and v2.changed_by == admin_user


def test_admin_shows_rule_errors_on_the_form(client_admin, joint_item, departments, fire):
    url = reverse("admin:catalog_serviceitem_change", args=[joint_item.pk])
    data = _item_post({"department": departments["scjg"]}, [], joint_item)
    data["joint_departments"] = [departments["gtj"].pk, fire.pk]
    data["join_rule"], data["join_ratio"] = "ratio", ""

    response = client_admin.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["join_ratio"] == ["汇合规则为“按比例同意”时，应填写联审同意比例（0.01–1）。"]
    assert ServiceItem.objects.get(pk=joint_item.pk).version == 1


# ------------------------------------------------------------------------------------------------ Excel


def _save(wb: Workbook) -> io.BytesIO:
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def _cell(ws, impl_code: str, header: str) -> Any:
    columns = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, columns["实施编码"]).value == impl_code)
    return ws.cell(row, columns[header])


def test_round_trip_keeps_the_rule(joint_item, make_item):
    update_item(joint_item, join_rule="ratio", join_ratio=0.67)
    make_item("rsj", "20", 9)
    wb = load_workbook(_save(export_workbook()))
    assert _cell(wb["事项"], joint_item.impl_code, "联审汇合规则").value == "按比例同意"
    assert _cell(wb["事项"], joint_item.impl_code, "联审同意比例").value == 0.67
    data = _save(wb)
    before = {i.impl_code: item_snapshot(i) for i in ServiceItem.objects.all()}

    same = import_catalog(data)
    assert same.errors == [] and (same.created, same.updated, same.unchanged) == (0, 0, 2)

    ServiceItem.objects.all().delete()
    data.seek(0)
    again = import_catalog(data)
    assert again.errors == [] and again.created == 2
    assert {i.impl_code: item_snapshot(i) for i in ServiceItem.objects.all()} == before


def test_import_sets_and_clears_the_rule(joint_item):
    wb = load_workbook(_save(export_workbook()))
    _cell(wb["事项"], joint_item.impl_code, "联审汇合规则").value = "会签"
    report = import_catalog(_save(wb))
    assert report.errors == [] and report.updated == 1
    assert ServiceItem.objects.get(pk=joint_item.pk).join_rule == "all"

    _cell(wb["事项"], joint_item.impl_code, "联审汇合规则").value = "ratio"
    _cell(wb["事项"], joint_item.impl_code, "联审同意比例").value = "60%"
    assert import_catalog(_save(wb)).updated == 1
    item = ServiceItem.objects.get(pk=joint_item.pk)
    assert (item.join_rule, item.join_ratio) == ("ratio", 0.6)

    # Empty cells give the item back its template's rule.
    _cell(wb["事项"], joint_item.impl_code, "联审汇合规则").value = None
    _cell(wb["事项"], joint_item.impl_code, "联审同意比例").value = None
    assert import_catalog(_save(wb)).updated == 1
    item = ServiceItem.objects.get(pk=joint_item.pk)
    assert (item.join_rule, item.join_ratio) == ("", None)


@pytest.mark.parametrize(
    ("rule", "ratio", "template", "column", "expected"),
    [
        (
            "全体",
            None,
            None,
            "联审汇合规则",
            "“全体”不是有效的选项，可选：全部同意（会签）、任一同意（或签）、按比例同意。",
        ),
        (
            "按比例同意",
            None,
            None,
            "联审同意比例",
            "汇合规则为“按比例同意”时，应填写联审同意比例（0.01–1）。",
        ),
        ("按比例同意", "七成", None, "联审同意比例", "“七成”不是0.01–1之间的比例（如0.6或60%）。"),
        ("按比例同意", 1.2, None, "联审同意比例", "“1.2”不是0.01–1之间的比例（如0.6或60%）。"),
        ("或签", 0.5, None, "联审同意比例", "只有汇合规则为“按比例同意”时才能填写联审同意比例。"),
        (
            "会签",
            None,
            "标准承诺件流程",
            "联审汇合规则",
            "只有办理流程为“并联审批流程”的事项才能设置联审汇合规则。",
        ),
    ],
)
def test_import_reports_bad_rules_by_row_and_column(joint_item, rule, ratio, template, column, expected):
    wb = load_workbook(_save(export_workbook()))
    _cell(wb["事项"], joint_item.impl_code, "联审汇合规则").value = rule
    cell = _cell(wb["事项"], joint_item.impl_code, "联审同意比例")
    cell.value = ratio
    if template:
        _cell(wb["事项"], joint_item.impl_code, "办理流程").value = template
        _cell(wb["事项"], joint_item.impl_code, "联审部门").value = None
    versions = ItemVersion.objects.count()

    report = import_catalog(_save(wb))

    assert [(e.sheet, e.row, e.column, e.message) for e in report.errors] == [
        ("事项", cell.row, column, expected)
    ]
    assert ItemVersion.objects.count() == versions


# ------------------------------------------------------------------------------------------------ API


def test_api_shows_the_joint_review_setting(client, joint_item, make_item, fire, departments):
    publish_item(update_item(joint_item, join_rule="ratio", join_ratio=0.6))
    body = client.get(f"/api/v1/items/{joint_item.impl_code}").json()
    assert body["joint_review"] == {
        "departments": [{"id": d.pk, "name": d.name} for d in joint_item.joint_departments.all()],
        "join_rule": "ratio",
        "join_rule_label": "按比例同意",
        "join_ratio": 0.6,
    }
    plain = publish_item(make_item("rsj", "20", 9))
    assert client.get(f"/api/v1/items/{plain.impl_code}").json()["joint_review"] is None
    publish_item(update_item(joint_item, join_rule="", join_ratio=None))
    default = client.get(f"/api/v1/items/{joint_item.impl_code}").json()["joint_review"]
    assert default["join_rule"] is None and default["join_rule_label"] == "按办理流程模板"
