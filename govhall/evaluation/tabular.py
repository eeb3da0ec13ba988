"""Reading an uploaded Excel (.xlsx) or CSV sheet into rows keyed by the header, with Chinese row/column errors."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import ValidationError


def read_rows(filename: str, content: bytes, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, {header: text}) for each non-empty row; the header row must name every `required` column."""
    name = filename.lower()
    table: list[list[Any]]
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ValidationError({"file": "无法读取 Excel 文件，请确认是 .xlsx 格式。"}) from exc
        ws = wb.worksheets[0]
        table = [list(r) for r in ws.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise ValidationError({"file": "CSV 文件编码无法识别（应为 UTF-8 或 GBK）。"}) from exc
        table = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        raise ValidationError({"file": "只支持 .xlsx 或 .csv 文件。"})
    if not table:
        raise ValidationError({"file": "文件为空。"})
    header = [str(c).strip() if c is not None else "" for c in table[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError({"file": f"表头缺少列：{'、'.join(missing)}。"})
    rows = []
    for line, raw in enumerate(table[1:], start=2):
        values = {h: ("" if v is None else str(v).strip()) for h, v in zip(header, raw, strict=False) if h}
        if any(values.values()):
            rows.append((line, values))
    return rows


def as_int(value: str, line: int, column: str, errors: list[str]) -> int | None:
    try:
        number = float(value)
    except ValueError:
        errors.append(f"第{line}行「{column}」：应为整数，实际为“{value}”。")
        return None
    if number < 0 or number != int(number):
        errors.append(f"第{line}行「{column}」：应为非负整数，实际为“{value}”。")
        return None
    return int(number)
