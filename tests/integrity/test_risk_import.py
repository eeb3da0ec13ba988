"""Risk points in Excel: every error by row and column in Chinese with nothing written; a clean sheet records the
points through the actions; export → import round-trips; a changed grade updates the point; the command and the
upload on the risk page."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import Workbook, load_workbook

from govhall.integrity import actions
from govhall.integrity.models import Power, RiskPoint
from govhall.integrity.risk_excel import export_risk_points, import_risk_points

HEADER = ["职权编码", "运行环节", "岗位所属部门", "岗位", "风险点描述", "查找方式", "风险等级", "防控措施"]
GOOD = [
    ["XK-001", "", "", "", "违规发证", "群众点", "B", "两人审核"],
    ["XK-001", "decide", "", "", "超越权限审批", "组织审", "A", "集体审议"],
    ["", "", "市场监管局", "日常检查岗", "检查走过场", "deputy", "b", ""],
    ["JC-001", "", "", "", "检查记录不全", "自己找", "C", None],
]


def workbook(rows: list[list[Any]], header: list[str] = HEADER) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "廉政风险点"
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


@pytest.fixture
def powers(county: Any) -> dict[str, Power]:
    xk = actions.save_power(
        code="XK-001",
        name="食品经营许可",
        power_type="01",
        department=county.departments["scjg"],
        legal_basis="食品安全法第三十五条",
        steps=[
            ("accept", "受理", [county.posts["license"]]),
            ("decide", "审批决定", [county.posts["license"]]),
        ],
    )
    jc = actions.save_power(
        code="JC-001",
        name="建筑工程质量监督检查",
        power_type="06",
        department=county.departments["zjj"],
        legal_basis="建设工程质量管理条例",
    )
    return {"xk": xk, "jc": jc}


def test_errors_by_row_and_column_and_nothing_written(county: Any, powers: dict[str, Power]) -> None:
    bad = [
        GOOD[0],
        ["XK-001", "", "", "", "违规发证", "自己找", "A", ""],  # row 3: the same point as row 2
        ["XK-009", "decide", "", "", "", "听说", "D", ""],  # row 4
        ["", "accept", "", "", "无处落脚", "自己找", "C", ""],  # row 5
        ["", "", "", "许可审批岗", "只有岗位", "自己找", "C", ""],  # row 6
        ["XK-001", "", "住建局", "施工许可岗", "跨部门岗位", "自己找", "C", ""],  # row 7
        [None] * 8,  # blank: skipped
        ["", "", "不存在局", "某岗", "x", "自己找", "C", ""],  # row 9
    ]
    result = import_risk_points(workbook(bad))
    assert [str(e) for e in result.errors] == [
        "第3行“风险点描述”列：与第2行是同一风险点。",
        "第4行“风险点描述”列：请填写风险点描述。",
        "第4行“职权编码”列：找不到职权“XK-009”。",
        "第4行“查找方式”列：未知的查找方式“听说”，应为自己找、群众点、代表评或组织审。",
        "第4行“风险等级”列：未知的风险等级“D”，应为A、B、C之一。",
        "第5行“运行环节”列：填写运行环节时须同时填写职权编码。",
        "第5行“职权编码”列：风险点应落在某项职权、某个环节或某个岗位上：请填写职权编码或岗位。",
        "第6行“岗位所属部门”列：只填岗位时须填写岗位所属部门。",
        "第7行“岗位”列：岗位应属于该职权的实施部门。",
        "第9行“岗位所属部门”列：找不到部门“不存在局”。",
    ]
    assert not RiskPoint.objects.exists()
    result = import_risk_points(workbook([GOOD[0]], header=HEADER[:3] + HEADER[4:6]))
    assert [str(e) for e in result.errors] == ["表头“岗位”列：缺少此列。", "表头“风险等级”列：缺少此列。"]
    assert [str(e) for e in import_risk_points(io.BytesIO(b"nope")).errors] == [
        "文件不是有效的 Excel（.xlsx）工作簿。"
    ]


def test_import_export_round_trip_and_update(county: Any, powers: dict[str, Power], tmp_path: Any) -> None:
    result = import_risk_points(workbook(GOOD))
    assert (result.created, result.updated, result.errors) == (4, 0, [])
    step_point = RiskPoint.objects.get(description="超越权限审批")
    assert (step_point.power, step_point.step.key, step_point.discovery) == (None, "decide", "organisation")  # type: ignore[union-attr]
    post_point = RiskPoint.objects.get(description="检查走过场")
    assert (post_point.post, post_point.level.code, post_point.department) == (
        county.posts["inspect"],
        "B",
        county.departments["scjg"],
    )
    powers["xk"].refresh_from_db()
    assert powers["xk"].level.code == "A"  # type: ignore[union-attr]

    path = tmp_path / "points.xlsx"
    assert export_risk_points(str(path)) == 4
    rows = list(load_workbook(path).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0] == tuple(HEADER)
    assert rows[2] == ("XK-001", "decide", None, None, "超越权限审批", "组织审", "A", "集体审议")
    assert rows[3] == (None, None, "示范县市场监督管理局", "日常检查岗", "检查走过场", "代表评", "B", None)
    again = import_risk_points(str(path))
    assert (again.created, again.updated, again.errors) == (0, 0, [])
    assert RiskPoint.objects.count() == 4

    # Lower the step's grade and change the measures: the point is updated, the power's grade follows.
    changed = [list(GOOD[0]), list(GOOD[1]), GOOD[2], GOOD[3]]
    changed[1][6], changed[1][7] = "C", "集体审议并公示"
    result = import_risk_points(workbook(changed))
    assert (result.created, result.updated) == (0, 1)
    step_point.refresh_from_db()
    assert (step_point.level.code, step_point.measures) == ("C", "集体审议并公示")
    powers["xk"].refresh_from_db()
    assert powers["xk"].level.code == "B"  # type: ignore[union-attr]

    department = county.departments["zjj"]
    assert export_risk_points(str(tmp_path / "zjj.xlsx"), department=department) == 1


def test_command_and_upload(county: Any, powers: dict[str, Power], tmp_path: Any) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([["XK-001", "", "", "", "x", "自己找", "", ""]]).getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_risk_points", str(bad), stdout=out)
    assert json.loads(out.getvalue())["errors"] == ["第2行“风险等级”列：请填写风险等级。"]
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook(GOOD[:2]).getvalue())
    out = io.StringIO()
    call_command("import_risk_points", str(good), stdout=out)
    assert json.loads(out.getvalue()) == {"created": 2, "updated": 0, "errors": []}
    out = io.StringIO()
    call_command("export_risk_points", str(tmp_path / "out.xlsx"), stdout=out)
    assert json.loads(out.getvalue())["rows"] == 2

    client = Client()
    client.force_login(county["supervisor"].user)
    upload = SimpleUploadedFile(
        "p.xlsx", workbook([GOOD[2], ["", "", "", "", "", "", "", "漏填"]]).getvalue()
    )
    r = client.post("/integrity/risk-points/", {"act": "import", "file": upload})
    assert r.status_code == 422
    assert "第3行“风险点描述”列：请填写风险点描述。" in r.content.decode()
    assert RiskPoint.objects.count() == 2
    upload = SimpleUploadedFile("p.xlsx", workbook(GOOD).getvalue())
    r = client.post("/integrity/risk-points/", {"act": "import", "file": upload})
    assert r.status_code == 302 and RiskPoint.objects.count() == 4
    xlsx = client.get("/integrity/risk-points/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows())) == 5  # type: ignore[union-attr]
    # A department head records points one by one; the sheet (any department) goes through the centre.
    client.force_login(county["head"].user)
    upload = SimpleUploadedFile("p.xlsx", workbook(GOOD).getvalue())
    assert client.post("/integrity/risk-points/", {"act": "import", "file": upload}).status_code == 403
    client.force_login(county["clerk"].user)
    assert client.get("/integrity/risk-points/?format=xlsx").status_code == 403
