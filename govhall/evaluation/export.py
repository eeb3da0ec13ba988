"""Excel workbooks in the layout the 绩效办 prints: a merged title, the ranked table, and a signature block."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SIGNATURES = ["制表人：", "审核人（绩效办负责人）：", "分管领导签字：", "日期：    年  月  日"]


def _sheet(ws: Worksheet, title: str, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.border = BOX
    ws.append([])
    for text in SIGNATURES:
        ws.append([text])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1


def _save(book: Workbook) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def month_workbook(data: dict[str, Any], center: str = "政务服务中心") -> bytes:
    year, month = data["month"].split("-")
    state = "" if data["closed"] else "（未结账，仅供参考）"
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "窗口"
    header = ["名次", "名称", "得分", "调整后得分", "称号", "备注"]
    for sheet, key, what in ((ws, "windows", "窗口"), (book.create_sheet("工作人员"), "staff", "工作人员")):
        rows = [
            [r["rank"], r["name"], r["score"], r.get("adjusted_score") or "", r["title"], r.get("barred", "")]
            for r in data[key]
        ]
        _sheet(
            sheet,
            f"{center}{year}年{int(month)}月{what}绩效考评结果{state}",
            header,
            rows,
            [8, 30, 10, 12, 14, 24],
        )
    return _save(book)


def year_workbook(data: dict[str, Any], center: str = "政务服务中心") -> bytes:
    """The year's table from `queries.year_results`: a closed year's frozen rows (with any adjustment beside the
    score), an open year marked 未结账."""
    year = data["year"]
    state = "" if data["closed"] else "（未结账，仅供参考）"
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "部门"
    header = [
        "考评分组",
        "组内名次",
        "部门",
        "日常考核",
        "年终考评",
        "综合评议",
        "总分",
        "调整后得分",
        "等次",
        "最佳",
        "一票否决",
    ]
    rows = [
        [
            d["group"],
            d["rank"],
            d["name"],
            d["daily"],
            d["year_end"],
            d["appraisal"],
            d["score"],
            d.get("adjusted_score") or "",
            d["grade"],
            "最佳" if d["best"] else "",
            "；".join(d["vetoes"]),
        ]
        for d in data["departments"]
    ]
    _sheet(
        ws,
        f"{center}{year}年度部门绩效考评结果{state}",
        header,
        rows,
        [12, 10, 28, 10, 10, 10, 10, 12, 8, 8, 30],
    )
    return _save(book)
