"""联审部门 (co-departments of a joint review) as an item field: actions, version snapshot, Excel and admin."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from govhall.catalog.actions import create_item, update_item
from govhall.catalog.excel import export_workbook, import_catalog
from govhall.catalog.models import ItemVersion, ServiceItem
from govhall.core.models import AuditEvent, AuditEventType
from govhall.org.models import Department

from .conftest import item_fields, uscc
from .test_admin import _item_post

pytestmark = pytest.mark.django_db

SCJG, RSJ, GTJ = "县市场监督管理局", "县人力资源和社会保障局", "县自然资源局"


@pytest.fixture
def fire(db) -> Department:
    return Department.objects.create(name="县消防救援大队", uscc=uscc(1004), group="vertical", sort_order=40)


@pytest.fixture
def joint_item(make_item, departments, fire) -> ServiceItem:
    return make_item(
        "scjg",
        main=7,
        process_template="joint_review",
        # A pk and an object, and not in name order: the snapshot sorts them.
        joint_departments=[departments["gtj"].pk, fire],
    )


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return exc.value.message_dict["joint_departments"]


# ------------------------------------------------------------------------------------------------ actions


def test_created_with_objects_or_pks_and_snapshotted_as_sorted_names(joint_item, departments, fire):
    assert set(joint_item.joint_departments.all()) == {fire, departments["gtj"]}
    snapshot = joint_item.versions.get().snapshot
    assert snapshot["joint_departments"] == [fire.name, GTJ] == sorted([GTJ, fire.name])
    assert joint_item.version == 1


@pytest.mark.parametrize(
    ("joint", "template", "message"),
    [
        (["scjg"], "joint_review", "联审部门不能包含实施部门“县市场监督管理局”本身。"),
        ([], "joint_review", "办理流程为“并联审批流程”时，应至少选择一个联审部门。"),
        (["inactive"], "standard", "部门“县已撤销局”已停用，不能作为联审部门。"),
        ([999999], "standard", "联审部门不存在（编号：999999）。"),
    ],
)
def test_create_refuses_bad_joint_departments_in_chinese(departments, joint, template, message):
    departments["inactive"] = Department.objects.create(
        name="县已撤销局", uscc=uscc(1009), group="economic", active=False
    )
    chosen = [departments[j] if isinstance(j, str) else j for j in joint]
    with pytest.raises(ValidationError) as exc:
        create_item(**item_fields(departments["scjg"], process_template=template), joint_departments=chosen)
    assert _errors(exc) == [message]
    assert not ServiceItem.objects.exists()


def test_update_makes_a_version_only_when_the_set_changes(joint_item, departments, fire, admin_user):
    same = update_item(joint_item, joint_departments=[departments["gtj"], fire, fire], actor=admin_user)
    assert same.version == 1

    changed = update_item(joint_item, joint_departments=[str(departments["rsj"].pk)], actor=admin_user)

    assert changed.version == 2
    assert list(changed.joint_departments.all()) == [departments["rsj"]]
    v2 = ItemVersion.objects.get(item=joint_item, version=2)
    assert v2.snapshot["joint_departments"] == [RSJ]
    first = ItemVersion.objects.get(item=joint_item, version=1)
    assert first.snapshot["joint_departments"] == [fire.name, GTJ]
    event = AuditEvent.objects.get(event_type=AuditEventType.ITEM_UPDATED, object_id=str(joint_item.pk))
    assert event.before == {"joint_departments": [fire.name, GTJ]}
    assert event.after == {"joint_departments": [RSJ]}


def test_update_checks_the_result_of_other_changes(joint_item, departments):
    # Moving the item to one of its co-departments, or emptying a joint review, is refused; nothing changes.
    with pytest.raises(ValidationError) as exc:
        update_item(
            joint_item,
            department=departments["gtj"],
            impl_code=item_fields(departments["gtj"], main=7)["impl_code"],
        )
    assert any("不能包含实施部门“县自然资源局”" in m for m in _errors(exc))
    with pytest.raises(ValidationError, match="应至少选择一个联审部门"):
        update_item(joint_item, joint_departments=[])
    # Leaving the joint review, the co-departments may go.
    plain = update_item(joint_item, process_template="standard", joint_departments=[])
    assert plain.version == 2 and not plain.joint_departments.exists()
    joint_item.refresh_from_db()
    assert joint_item.process_template == "standard"


def test_joint_review_created_without_co_departments_must_get_them_on_update(make_item, departments):
    # Callers that do not pass joint_departments (the demo loader adds them in a later step) may create the item...
    item = make_item("scjg", main=8, process_template="joint_review")
    assert not item.joint_departments.exists()
    # ...but any change of it needs them.
    with pytest.raises(ValidationError, match="应至少选择一个联审部门"):
        update_item(item, promised_limit=3)
    assert update_item(item, promised_limit=3, joint_departments=[departments["rsj"]]).version == 2


def test_a_deactivated_co_department_stays_until_removed(joint_item, departments, fire):
    Department.objects.filter(pk=fire.pk).update(active=False)
    assert update_item(joint_item, promised_limit=3).version == 2
    assert update_item(joint_item, joint_departments=[fire, departments["rsj"]]).version == 3
    removed = update_item(joint_item, joint_departments=[departments["rsj"]])
    with pytest.raises(ValidationError, match="已停用"):
        update_item(removed, joint_departments=[fire, departments["rsj"]])


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


def _snapshots() -> dict[str, dict[str, Any]]:
    from govhall.catalog.actions import item_snapshot

    return {i.impl_code: item_snapshot(i) for i in ServiceItem.objects.all()}


def test_export_writes_names_and_the_round_trip_keeps_them(joint_item, make_item, fire):
    make_item("rsj", "20", 9)
    wb = load_workbook(_save(export_workbook()))
    cell = _cell(wb["事项"], joint_item.impl_code, "联审部门")
    assert cell.value == f"{fire.name}、{GTJ}" and cell.data_type == "s"
    data = _save(wb)
    before = _snapshots()

    same = import_catalog(data)
    assert same.errors == [] and (same.created, same.updated, same.unchanged) == (0, 0, 2)

    ServiceItem.objects.all().delete()
    data.seek(0)
    again = import_catalog(data)
    assert again.errors == [] and again.created == 2
    assert _snapshots() == before
    assert before[joint_item.impl_code]["joint_departments"] == [fire.name, GTJ]


def test_import_changes_clears_and_keeps_joint_departments(joint_item, departments, fire):
    wb = load_workbook(_save(export_workbook()))
    # A credit code names a department too; the separators of the other list columns are accepted.
    _cell(wb["事项"], joint_item.impl_code, "联审部门").value = f"{RSJ}，{fire.uscc}"
    report = import_catalog(_save(wb))
    assert report.errors == [] and report.updated == 1
    item = ServiceItem.objects.get(pk=joint_item.pk)
    assert set(item.joint_departments.all()) == {departments["rsj"], fire} and item.version == 2
    assert item.versions.get(version=2).snapshot["joint_departments"] == sorted([RSJ, fire.name])

    # Without the column the item keeps them.
    ws = wb["事项"]
    ws.delete_cols(next(c.column for c in ws[1] if c.value == "联审部门"))
    assert import_catalog(_save(wb)).unchanged == 1
    assert item.joint_departments.count() == 2

    # An empty cell clears them, which a standard process allows.
    wb = load_workbook(_save(export_workbook()))
    _cell(wb["事项"], joint_item.impl_code, "联审部门").value = None
    _cell(wb["事项"], joint_item.impl_code, "办理流程").value = "标准承诺件流程"
    assert import_catalog(_save(wb)).updated == 1
    assert not item.joint_departments.exists()


@pytest.mark.parametrize(
    ("value", "template", "expected"),
    [
        (f"{GTJ}、县不存在局、县也没有局", None, "未找到部门“县不存在局”、“县也没有局”"),
        (None, None, "办理流程为“并联审批流程”时，应至少选择一个联审部门。"),
        (f"{SCJG}、{GTJ}", None, "联审部门不能包含实施部门“县市场监督管理局”本身。"),
        ("县已撤销局", "标准承诺件流程", "部门“县已撤销局”已停用，不能作为联审部门。"),
    ],
)
def test_import_reports_bad_joint_departments_by_row_and_column(joint_item, value, template, expected):
    Department.objects.create(name="县已撤销局", uscc=uscc(1009), group="economic", active=False)
    wb = load_workbook(_save(export_workbook()))
    cell = _cell(wb["事项"], joint_item.impl_code, "联审部门")
    cell.value = value
    if template:
        _cell(wb["事项"], joint_item.impl_code, "办理流程").value = template
    versions = ItemVersion.objects.count()

    report = import_catalog(_save(wb))

    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("事项", cell.row, "联审部门")]
    assert expected in report.errors[0].message
    assert ItemVersion.objects.count() == versions
    assert joint_item.joint_departments.count() == 2


def test_new_joint_review_row_needs_the_column(departments):
    wb = Workbook()
    ws = wb.active
    ws.title = "事项"
    fields = item_fields(departments["scjg"], process_template="joint_review")
    headers = {
        "基本编码": "basic_code",
        "实施编码": "impl_code",
        "事项名称": "name",
        "事项类型": "item_type",
        "权力来源": "power_source",
        "行使层级": "exercise_level",
        "设定依据": "legal_basis",
        "受理条件": "acceptance_conditions",
        "法定办结时限": "legal_limit",
        "法定时限单位": "legal_limit_unit",
        "承诺办结时限": "promised_limit",
        "承诺时限单位": "promised_limit_unit",
        "办件类型": "handling_kind",
        "到现场次数": "visits",
        "网上办理深度": "online_depth",
        "办理流程": "process_template",
    }
    ws.append(list(headers))
    ws.append([fields[f] for f in headers.values()])
    report = import_catalog(_save(wb))
    assert [(e.row, e.column) for e in report.errors] == [(2, "联审部门")]
    ws.cell(1, len(headers) + 1, "联审部门")
    ws.cell(2, len(headers) + 1, RSJ)
    report = import_catalog(_save(wb))
    assert report.errors == [] and report.created == 1
    assert [d.name for d in ServiceItem.objects.get().joint_departments.all()] == [RSJ]


# ------------------------------------------------------------------------------------------------ admin


@pytest.fixture
def client_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_sets_joint_departments_through_the_action(client_admin, joint_item, departments, admin_user):
    url = reverse("admin:catalog_serviceitem_change", args=[joint_item.pk])
    fields = {"department": departments["scjg"]}
    data = _item_post(fields, [], joint_item)
    data["joint_departments"] = [departments["rsj"].pk, departments["gtj"].pk]

    response = client_admin.post(url, data)

    assert response.status_code == 302
    item = ServiceItem.objects.get(pk=joint_item.pk)
    assert set(item.joint_departments.all()) == {departments["rsj"], departments["gtj"]}
    v2 = item.versions.get(version=2)
    assert v2.snapshot["joint_departments"] == sorted([RSJ, GTJ]) and v2.changed_by == admin_user


def test_admin_shows_joint_department_errors_on_the_form(client_admin, joint_item, departments, fire):
    url = reverse("admin:catalog_serviceitem_change", args=[joint_item.pk])
    data = _item_post({"department": departments["scjg"]}, [], joint_item)
    data["joint_departments"] = [departments["scjg"].pk, fire.pk]

    response = client_admin.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["joint_departments"] == ["联审部门不能包含实施部门“县市场监督管理局”本身。"]
    assert ServiceItem.objects.get(pk=joint_item.pk).version == 1

    data["joint_departments"] = []
    response = client_admin.post(url, data)
    assert response.status_code == 200
    assert "应至少选择一个联审部门" in response.context["adminform"].form.errors["joint_departments"][0]
