"""The power list in Excel: every error reported by row and column in Chinese and nothing written; a clean file
creates, a second import updates; export and re-import round-trip."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from govhall.integrity import actions
from govhall.integrity.excel import export_powers, export_risk_map, import_powers
from govhall.integrity.models import Power
from govhall.integrity.queries import risk_map

HEADER = ["职权编码", "职权名称", "职权类型", "实施部门", "法律依据", "运行流程", "对应事项实施编码"]


def workbook(rows: list[list[Any]], header: list[str] = HEADER) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "职权清单"
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


GOOD = [
    [
        "XK-001",
        "食品经营许可",
        "行政许可",
        "示范县市场监督管理局",
        "《中华人民共和国食品安全法》第三十五条",
        "标准承诺件流程",
        "",
    ],
    [
        "CF-001",
        "对无证经营食品的处罚",
        "02",
        "市场监管局",
        "《中华人民共和国食品安全法》第一百二十二条",
        "",
        "",
    ],
    [
        "JC-001",
        "建筑工程质量监督检查",
        "行政检查",
        "示范县住房和城乡建设局",
        "《建设工程质量管理条例》第四十四条",
        "",
        None,
    ],
]


def test_errors_by_row_and_column_and_nothing_written(county: Any) -> None:
    bad = [
        GOOD[0],
        ["XK-001", "重复编码", "行政许可", "市场监管局", "依据", "", ""],  # row 3: duplicate code
        [
            "XK-002",
            "",
            "公共服务",
            "不存在局",
            "依据",
            "随便流程",
            "11111111111111111111",
        ],  # row 4: four errors
        [None, None, None, None, None, None, None],  # blank row: skipped
        ["XK-003", "好的一行", "行政确认", "住建局", "", "", ""],  # row 6: no basis
    ]
    result = import_powers(workbook(bad))
    assert [str(e) for e in result.errors] == [
        "第3行“职权编码”列：职权编码“XK-001”与第2行重复。",
        "第4行“职权名称”列：请填写职权名称。",
        "第4行“职权类型”列：未知的职权类型“公共服务”，应为行政许可、行政处罚等十类之一。",
        "第4行“实施部门”列：找不到部门“不存在局”。",
        "第4行“运行流程”列：未知的运行流程“随便流程”。",
        "第4行“对应事项实施编码”列：找不到实施编码为“11111111111111111111”的事项。",
        "第6行“法律依据”列：请填写法律依据。",
    ]
    assert not Power.objects.exists()


def test_missing_column_and_not_a_workbook(county: Any) -> None:
    result = import_powers(workbook([GOOD[0][:4]], header=HEADER[:4]))
    assert [str(e) for e in result.errors] == ["表头“法律依据”列：缺少此列。"]
    result = import_powers(io.BytesIO(b"not a workbook"))
    assert [str(e) for e in result.errors] == ["文件不是有效的 Excel（.xlsx）工作簿。"]


def test_import_update_export_round_trip(county: Any, tmp_path: Any) -> None:
    result = import_powers(workbook(GOOD))
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    power = Power.objects.get(code="CF-001")
    assert (power.power_type, power.department, power.process_template) == (
        "02",
        county.departments["scjg"],
        "standard",
    )
    changed = [list(GOOD[0]), GOOD[1], GOOD[2]]
    changed[0][1] = "食品经营许可（含仅销售预包装食品备案）"
    result = import_powers(workbook(changed))
    assert (result.created, result.updated) == (0, 1)
    actions.record_risk_point(
        power=Power.objects.get(code="XK-001"), description="违规发证", level="A", discovery="public"
    )
    path = tmp_path / "powers.xlsx"
    assert export_powers(str(path)) == 3
    rows = list(load_workbook(path).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0] == (*HEADER, "风险等级", "风险点数")
    assert rows[3][:3] == ("XK-001", "食品经营许可（含仅销售预包装食品备案）", "行政许可")
    assert rows[3][7:] == ("A", 1)
    assert import_powers(str(path)).updated == 0  # the export imports back unchanged


def test_commands_print_json(county: Any, tmp_path: Any) -> None:
    path = tmp_path / "in.xlsx"
    path.write_bytes(workbook(GOOD).getvalue())
    out = io.StringIO()
    call_command("import_powers", str(path), stdout=out)
    assert json.loads(out.getvalue()) == {"created": 3, "updated": 0, "errors": []}
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([["X", "", "行政许可", "住建局", "依据", "", ""]]).getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_powers", str(bad), stdout=out)
    assert json.loads(out.getvalue())["errors"] == ["第2行“职权名称”列：请填写职权名称。"]
    out = io.StringIO()
    call_command("export_powers", str(tmp_path / "out.xlsx"), stdout=out)
    assert json.loads(out.getvalue())["rows"] == 3


def test_risk_map_colours(county: Any) -> None:
    import_powers(workbook(GOOD))
    xk = Power.objects.get(code="XK-001")
    actions.save_power(
        code="XK-001",
        name=xk.name,
        power_type="01",
        department=xk.department,
        legal_basis=xk.legal_basis,
        steps=[("accept", "受理", [county.posts["license"]]), ("decide", "决定", [county.posts["license"]])],
    )
    step = xk.steps.get(key="decide")
    actions.record_risk_point(step=step, description="超越权限审批", level="A", discovery="organisation")
    actions.record_risk_point(
        post=county.posts["inspect"], description="检查走过场", level="B", discovery="deputy"
    )
    actions.record_risk_point(
        power=Power.objects.get(code="JC-001"), description="检查记录不全", level="C", discovery="self"
    )
    xk.refresh_from_db()
    assert xk.level is not None and xk.level.code == "A"
    data = risk_map()
    depts = {r.name: (r.color, r.counts) for r in data["departments"]}
    assert depts == {
        "示范县市场监督管理局": ("red", {"A": 1, "B": 1}),
        "示范县住房和城乡建设局": ("blue", {"C": 1}),
    }
    posts = {r.name: (r.color, r.counts) for r in data["posts"]}
    assert posts["许可审批岗"] == ("red", {"A": 1})
    assert posts["日常检查岗"] == ("yellow", {"B": 1})
    assert posts["施工许可岗"] == ("blue", {})  # a key post with no point yet is still on the map
    out = io.BytesIO()
    export_risk_map(out, data)
    out.seek(0)
    wb = load_workbook(out)
    assert wb.sheetnames == ["按部门", "按岗位"]
    assert wb["按部门"]["A2"].fill.fgColor.rgb.endswith("F8B4B4")
