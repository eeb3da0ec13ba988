from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from govhall.catalog.actions import bundle_snapshot, item_snapshot
from govhall.catalog.excel import (
    FEE_COLUMNS,
    ITEM_COLUMNS,
    MATERIAL_COLUMNS,
    RowError,
    export_workbook,
    import_catalog,
)
from govhall.catalog.models import Bundle, Fee, ItemVersion, Material, ServiceItem
from govhall.core.models import AuditEvent, AuditEventType

from .conftest import basic


def _save(wb: Workbook) -> io.BytesIO:
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def _exported() -> Workbook:
    return load_workbook(_save(export_workbook()))


def _col(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def _set(ws, row: int, header: str, value: Any) -> None:
    ws.cell(row=row, column=_col(ws, header), value=value)


def _row_of(ws, impl_code: str) -> int:
    column = _col(ws, "实施编码")
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, column).value == impl_code)


def _state() -> tuple[int, int, int, int, int, int]:
    return (
        ServiceItem.objects.count(),
        Material.objects.count(),
        Fee.objects.count(),
        Bundle.objects.count(),
        ItemVersion.objects.count(),
        AuditEvent.objects.exclude(event_type=AuditEventType.CATALOG_IMPORTED).count(),
    )


def _snapshots() -> dict[str, dict[str, Any]]:
    return {i.impl_code: item_snapshot(i) for i in ServiceItem.objects.all()}


# --------------------------------------------------------------------------------------------- round trip


def test_export_import_same_db_changes_nothing(rich_catalog):
    before_state, before_snapshots = _state(), _snapshots()
    stamps = dict(ServiceItem.objects.values_list("impl_code", "updated_at"))
    material_ids = set(Material.objects.values_list("id", flat=True))

    report = import_catalog(_save(export_workbook()))

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert (report.bundles_created, report.bundles_updated, report.bundles_unchanged) == (0, 0, 1)
    assert _state() == before_state
    assert _snapshots() == before_snapshots
    # Not even a no-op save: the rows are left alone.
    assert dict(ServiceItem.objects.values_list("impl_code", "updated_at")) == stamps
    assert set(Material.objects.values_list("id", flat=True)) == material_ids
    assert AuditEvent.objects.filter(event_type=AuditEventType.CATALOG_IMPORTED).count() == 1


def test_export_wipe_import_reproduces_catalog(rich_catalog):
    data = _save(export_workbook())
    before = _snapshots()
    bundle_before = bundle_snapshot(Bundle.objects.get())
    Bundle.objects.all().delete()
    ServiceItem.objects.all().delete()
    assert not Material.objects.exists()

    report = import_catalog(data)

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged, report.bundles_created) == (4, 0, 0, 1)
    after = _snapshots()
    assert after == before
    assert bundle_snapshot(Bundle.objects.get()) == bundle_before
    # The details most likely to be mangled on the way through Excel.
    licence = after[rich_catalog["licence"].impl_code]
    assert licence["special_procedures"] == ["site_inspection", "publicity"]
    assert licence["consult_phone"] == "0312-2345678"
    assert licence["legal_basis"].count("\n") == 1
    assert licence["materials"][1]["notes"] == "=可用电子证照"
    assert after[rich_catalog["land"].impl_code]["window_id"] == rich_catalog["land"].window_id
    assert all(i.version == 1 for i in ServiceItem.objects.all())


def test_export_writes_codes_as_text_with_styled_frozen_header(rich_catalog):
    wb = _exported()
    ws = wb["事项"]
    assert [c.value for c in ws[1]] == [c.header for c in ITEM_COLUMNS]
    assert [c.value for c in wb["材料"][1]] == [c.header for c in MATERIAL_COLUMNS]
    assert [c.value for c in wb["收费"][1]] == [c.header for c in FEE_COLUMNS]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    row = _row_of(ws, rich_catalog["licence"].impl_code)
    code_cell = ws.cell(row, _col(ws, "基本编码"))
    assert code_cell.data_type == "s" and code_cell.value == "000100001000"
    assert code_cell.number_format == "@"
    assert ws.cell(row, _col(ws, "事项类型")).value == "行政许可"
    assert ws.cell(row, _col(ws, "法定时限单位")).value == "工作日"
    assert ws.cell(row, _col(ws, "状态")).value == "已发布"
    assert ws.cell(row, _col(ws, "特别程序")).value == "现场勘查、公示"
    assert any("行政许可" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)
    land_row = _row_of(ws, rich_catalog["land"].impl_code)
    assert ws.cell(land_row, _col(ws, "受理窗口")).value == "不动产大厅/A01"
    bundles = wb["一件事"]
    assert bundles.cell(2, _col(bundles, "包含事项")).value.split("\n") == [
        rich_catalog["licence"].impl_code,
        rich_catalog["food"].impl_code,
    ]


# --------------------------------------------------------------------------------------------- errors


def _item_row(dept_uscc: str, main: int, **overrides: Any) -> dict[str, Any]:
    code = basic("01", main)
    row = {
        "基本编码": code,
        "实施编码": f"{dept_uscc}4{code}",
        "事项名称": f"导入事项{main}",
        "事项类型": "行政许可",
        "实施部门": "县市场监督管理局",
        "权力来源": "法定本级行使",
        "行使层级": "县级",
        "设定依据": "《行政许可法》",
        "受理条件": "材料齐全",
        "法定办结时限": 20,
        "法定时限单位": "工作日",
        "承诺办结时限": 5,
        "承诺时限单位": "工作日",
        "办件类型": "承诺件",
        "到现场次数": "1次（最多跑一次）",
        "网上办理深度": "三级：网上申请、网上预审",
    }
    row.update(overrides)
    return row


def _workbook(items: list[dict[str, Any]], materials=(), fees=()) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "事项"
    headers = [c.header for c in ITEM_COLUMNS]
    ws.append(headers)
    for item in items:
        ws.append([item.get(h) for h in headers])
    for title, columns, rows in (("材料", MATERIAL_COLUMNS, materials), ("收费", FEE_COLUMNS, fees)):
        sheet = wb.create_sheet(title)
        sheet.append([c.header for c in columns])
        for row in rows:
            sheet.append([row.get(c.header) for c in columns])
    return _save(wb)


def test_bad_rows_all_reported_and_nothing_written(departments):
    scjg = departments["scjg"].uscc
    bad_check = scjg[:17] + ("0" if scjg[17] != "0" else "1")
    items = [
        _item_row(scjg, 1),  # good: must not be written either
        _item_row(scjg, 2, 实施部门="县不存在局"),
        _item_row(scjg, 3, 实施编码=f"{bad_check}4{basic('01', 3)}"),
        _item_row(scjg, 4, 承诺办结时限=30),
        _item_row(scjg, 1, 事项名称="重复"),
        _item_row(scjg, 5, 事项名称=None),
        _item_row(scjg, 6, 法定办结时限="二十"),
        _item_row(scjg, 7, 事项类型="行政审批"),
        _item_row(scjg, 8, 基本编码=basic("02", 8), 实施编码=f"{scjg}4{basic('02', 8)}"),
        _item_row(scjg, 9, 承诺办结时限=25, 承诺时限单位="工作日", 法定时限单位="自然日"),
    ]
    materials = [
        {"实施编码": f"{scjg}4{basic('01', 1)}", "序号": 1, "材料名称": "申请书", "是否必要": "是"},
        {"实施编码": f"{scjg}4{basic('01', 99)}", "序号": 1, "材料名称": "孤儿材料"},
        {"实施编码": f"{scjg}4{basic('01', 1)}", "序号": 1, "材料名称": "重复序号"},
        {"实施编码": f"{scjg}4{basic('01', 1)}", "序号": 2, "材料名称": "x", "是否必要": "也许"},
    ]
    fees = [{"实施编码": f"{scjg}4{basic('01', 1)}", "收费项目": "工本费", "收费依据": "文件"}]
    before = _state()

    report = import_catalog(_workbook(items, materials, fees))

    assert not report.ok
    assert (report.created, report.updated) == (0, 0)
    found = {(e.sheet, e.row, e.column) for e in report.errors}
    expected = {
        ("事项", 3, "实施部门"),
        ("事项", 4, "实施编码"),
        ("事项", 5, "承诺办结时限"),
        ("事项", 6, "实施编码"),
        ("事项", 7, "事项名称"),
        ("事项", 8, "法定办结时限"),
        ("事项", 9, "事项类型"),
        ("事项", 10, "基本编码"),
        ("事项", 11, "承诺办结时限"),
        ("材料", 3, "实施编码"),
        ("材料", 4, "序号"),
        ("材料", 5, "是否必要"),
        ("收费", 2, "收费标准"),
    }
    assert expected <= found, sorted(found)
    assert not {e for e in found if e[:2] == ("事项", 2)}, "the good row has no errors"
    messages = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert "县不存在局" in messages[("事项", 3, "实施部门")]
    assert "校验位" in messages[("事项", 4, "实施编码")]
    assert "承诺办结时限不能超过法定办结时限" in messages[("事项", 5, "承诺办结时限")]
    assert "与第2行重复" in messages[("事项", 6, "实施编码")]
    assert "不能为空" in messages[("事项", 7, "事项名称")]
    assert "二十" in messages[("事项", 8, "法定办结时限")]
    assert "不一致" in messages[("事项", 10, "基本编码")]
    assert "超过法定办结时限" in messages[("事项", 11, "承诺办结时限")]
    assert "不在「事项」工作表中" in messages[("材料", 3, "实施编码")]
    assert str(RowError("事项", 5, "实施编码", "错")) == "工作表「事项」第5行「实施编码」：错"
    assert _state() == before == (0, 0, 0, 0, 0, 0)


def test_missing_required_column_reported_on_header_row(departments):
    wb = Workbook()
    ws = wb.active
    ws.title = "事项"
    ws.append(["事项名称"])
    ws.append(["某事项"])
    report = import_catalog(_save(wb))
    assert RowError("事项", 1, "实施编码", "缺少必填列。") in report.errors
    assert not ServiceItem.objects.exists()


def test_not_a_workbook_is_an_error(db):
    report = import_catalog(io.BytesIO(b"not an xlsx"))
    assert not report.ok and "无法读取" in report.errors[0].message


def test_codes_excel_turned_into_numbers_survive(departments):
    scjg = departments["scjg"].uscc
    code = basic("01", 1)  # 000100001000: Excel shows 100001000
    row = _item_row(
        scjg,
        1,
        基本编码=int(code),
        事项类型=1,
        网上办理深度=4,
        到现场次数=0,
        咨询电话=13800138000,
        法定办结时限=20.0,
        承诺时限单位="workday",
        状态="published",
    )
    report = import_catalog(_workbook([row]))
    assert report.errors == []
    item = ServiceItem.objects.get()
    assert item.basic_code == code
    assert item.impl_code == f"{scjg}4{code}"
    assert (item.item_type, item.online_depth, item.visits) == ("01", "4", 0)
    assert item.consult_phone == "13800138000"
    assert item.legal_limit == 20
    assert item.status == "published"


def test_impl_code_as_float_is_refused_with_advice(departments):
    row = _item_row(departments["scjg"].uscc, 1, 实施编码=1.1130682e30)
    report = import_catalog(_workbook([row]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "实施编码")]
    assert "文本格式" in report.errors[0].message


def test_department_may_be_given_by_uscc_or_left_to_the_impl_code(departments):
    scjg = departments["scjg"].uscc
    rows = [_item_row(scjg, 1, 实施部门=scjg), _item_row(scjg, 2, 实施部门=None)]
    report = import_catalog(_workbook(rows))
    assert report.errors == [] and report.created == 2
    assert set(ServiceItem.objects.values_list("department__name", flat=True)) == {"县市场监督管理局"}


def test_level_digit_must_match_exercise_level(departments):
    row = _item_row(departments["scjg"].uscc, 1, 行使层级="市级")
    report = import_catalog(_workbook([row]))
    assert [(e.column, "不一致" in e.message) for e in report.errors] == [("实施编码", True)]


# --------------------------------------------------------------------------------------------- updates


def test_changed_row_updates_through_actions(rich_catalog):
    wb = _exported()
    ws = wb["事项"]
    food = rich_catalog["food"]
    _set(ws, _row_of(ws, food.impl_code), "承诺办结时限", 3)
    _set(ws, _row_of(ws, rich_catalog["land"].impl_code), "状态", "已发布")

    report = import_catalog(_save(wb))

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 2, 2)
    food.refresh_from_db()
    assert food.promised_limit == 3 and food.version == 2
    assert food.versions.get(version=2).note == "Excel导入"
    assert AuditEvent.objects.filter(event_type=AuditEventType.ITEM_UPDATED, object_id=str(food.pk)).exists()
    land = ServiceItem.objects.get(pk=rich_catalog["land"].pk)
    assert land.status == "published" and land.published_at is not None


def test_material_change_is_an_update(rich_catalog):
    wb = _exported()
    ws = wb["材料"]
    row = _row_of(ws, rich_catalog["food"].impl_code)
    _set(ws, row, "份数", 3)
    report = import_catalog(_save(wb))
    assert (report.updated, report.unchanged) == (1, 3)
    assert rich_catalog["food"].materials.get().copies == 3


def test_refused_status_change_is_a_row_error(rich_catalog):
    wb = _exported()
    ws = wb["事项"]
    row = _row_of(ws, rich_catalog["licence"].impl_code)
    _set(ws, row, "状态", "草稿")
    before = _state()
    report = import_catalog(_save(wb))
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("事项", row, "状态")]
    assert "不能从“已发布”变为“草稿”" in report.errors[0].message
    assert _state() == before


def test_bundle_of_unpublished_item_is_refused(rich_catalog):
    wb = _exported()
    ws = wb["一件事"]
    _set(ws, 2, "包含事项", f"{rich_catalog['licence'].impl_code}、{rich_catalog['land'].impl_code}")
    report = import_catalog(_save(wb))
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("一件事", 2, "包含事项")]
    assert "草稿" in report.errors[0].message


def test_dry_run_counts_but_writes_nothing(rich_catalog):
    wb = _exported()
    ws = wb["事项"]
    _set(ws, _row_of(ws, rich_catalog["food"].impl_code), "事项名称", "食品经营许可（新）")
    before_state, before = _state(), _snapshots()
    report = import_catalog(_save(wb), dry_run=True)
    assert report.ok and report.updated == 1 and report.dry_run
    assert "试导入" in report.summary()
    assert _state() == before_state and _snapshots() == before
    assert not AuditEvent.objects.filter(event_type=AuditEventType.CATALOG_IMPORTED).exists()


# --------------------------------------------------------------------------------------------- commands


def test_commands_round_trip(rich_catalog, tmp_path, capsys):
    path = tmp_path / "catalog.xlsx"
    call_command("export_catalog", str(path))
    call_command("import_catalog", str(path))
    out = capsys.readouterr().out
    assert "新增事项0项，更新0项，未变化4项" in out


def test_import_command_fails_with_located_errors(departments, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_workbook([_item_row(departments["scjg"].uscc, 1, 事项名称=None)]).getvalue())
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_catalog", str(path), "--dry-run")
    assert "工作表「事项」第2行「事项名称」：" in capsys.readouterr().err


def test_codes_instead_of_labels_reordered_and_starred_headers(departments, windows):
    scjg = departments["scjg"].uscc
    row = _item_row(
        scjg,
        1,
        事项类型="01",
        权力来源="statutory",
        行使层级="county",
        法定时限单位="workday",
        承诺时限单位="工作日",
        办件类型="promised",
        到现场次数="最多跑一次",
        网上办理深度="四级",
        服务对象="enterprise",
        进驻大厅="否",
        受理窗口="A01",
        特别程序="hearing、公示",
        状态="已发布",
    )
    headers = [h for h in reversed(list(row)) if h != "实施部门"]
    wb = Workbook()
    ws = wb.active
    ws.title = "事项"
    ws.append(["备注", *[f"{h}*" if h == "实施编码" else h for h in headers]])
    ws.append(["随便写", *[row[h] for h in headers]])
    report = import_catalog(_save(wb))
    assert report.errors == []
    item = ServiceItem.objects.get()
    assert (item.item_type, item.power_source, item.visits, item.online_depth) == ("01", "statutory", 1, "4")
    assert item.in_hall is False and item.window == windows["A01"]
    assert item.special_procedures == ["hearing", "publicity"]
    assert item.department == departments["scjg"]


def test_ambiguous_window_number_needs_the_hall(departments, windows):
    rsj = departments["rsj"].uscc
    rows = [
        _item_row(rsj, 1, 实施部门="县人力资源和社会保障局", 受理窗口="A01"),
        _item_row(rsj, 2, 实施部门="县人力资源和社会保障局", 受理窗口="不动产大厅/A01"),
    ]
    report = import_catalog(_workbook(rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "受理窗口")]
    assert "大厅名称/窗口号" in report.errors[0].message
