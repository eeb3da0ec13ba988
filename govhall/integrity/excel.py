"""The power list in Excel: import (all or nothing, with row and column errors in Chinese), export, and the risk map.

An import of a few thousand rows costs a handful of queries: departments, items and existing powers are read once,
new powers are inserted with bulk_create and changed ones written with bulk_update."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from govhall.catalog.choices import ProcessTemplate
from govhall.catalog.models import ServiceItem
from govhall.core.audit import record_event
from govhall.core.models import AuditEventType
from govhall.org.models import Department

from .models import POWER_TYPES, Power

SHEET = "职权清单"
# (field, header, required)
COLUMNS: list[tuple[str, str, bool]] = [
    ("code", "职权编码", True),
    ("name", "职权名称", True),
    ("power_type", "职权类型", True),
    ("department", "实施部门", True),
    ("legal_basis", "法律依据", True),
    ("process_template", "运行流程", False),
    ("item", "对应事项实施编码", False),
]
EXPORT_ONLY = [("level", "风险等级"), ("points", "风险点数")]
TYPE_BY_TEXT = {
    **{label: value for value, label in POWER_TYPES},
    **{value: value for value, _ in POWER_TYPES},
}
TEMPLATE_BY_TEXT = {
    **{label: value for value, label in ProcessTemplate.choices},
    **{value: value for value in ProcessTemplate.values},
}
UPDATE_FIELDS = ["name", "power_type", "department", "legal_basis", "process_template", "item"]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row and not self.column:
            return self.message
        where = f"第{self.row}行" if self.row else "表头"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "errors": [str(e) for e in self.errors]}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_powers(source: str | Path | IO[bytes], *, by: Any = None) -> ImportResult:
    """Read the power list; on any error write nothing and return every error found."""
    result = ImportResult()
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        result.errors.append(RowError(0, "", "文件不是有效的 Excel（.xlsx）工作簿。"))
        return result
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, ())]
    index: dict[str, int] = {}
    for name, label, required in COLUMNS:
        if label in header:
            index[name] = header.index(label)
        elif required:
            result.errors.append(RowError(0, label, "缺少此列。"))
    if result.errors:
        wb.close()
        return result

    departments: dict[str, Department] = {}
    for d in Department.objects.all():
        departments[d.name] = d
        if d.short_name:
            departments.setdefault(d.short_name, d)
    existing = {p.code: p for p in Power.objects.all()}
    items = {i.impl_code: i for i in ServiceItem.objects.only("pk", "impl_code", "name")}
    linked = {p.item_id: code for code, p in existing.items() if p.item_id is not None}
    seen: dict[str, int] = {}
    seen_items: dict[int, int] = {}
    parsed: list[dict[str, Any]] = []

    for number, values in enumerate(rows, start=2):
        cells = {name: _cell(values[i]) if i < len(values) else "" for name, i in index.items()}
        if not any(cells.values()):
            continue
        errors: list[RowError] = []

        def err(name: str, message: str, row: int = number, out: list[RowError] = errors) -> None:
            out.append(RowError(row, dict((n, lbl) for n, lbl, _ in COLUMNS)[name], message))

        for name, label, required in COLUMNS:
            if required and not cells.get(name):
                err(name, f"请填写{label}。")
        code = cells.get("code", "")
        if len(code) > 40:
            err("code", "职权编码不能超过40个字符。")
        elif code in seen:
            err("code", f"职权编码“{code}”与第{seen[code]}行重复。")
        elif code:
            seen[code] = number
        if len(cells.get("name", "")) > 200:
            err("name", "职权名称不能超过200个字。")
        power_type = TYPE_BY_TEXT.get(cells.get("power_type", ""))
        if cells.get("power_type") and power_type is None:
            err("power_type", f"未知的职权类型“{cells['power_type']}”，应为行政许可、行政处罚等十类之一。")
        department = departments.get(cells.get("department", ""))
        if cells.get("department") and department is None:
            err("department", f"找不到部门“{cells['department']}”。")
        template = ""
        if cells.get("process_template"):
            template = TEMPLATE_BY_TEXT.get(cells["process_template"], "")
            if not template:
                err("process_template", f"未知的运行流程“{cells['process_template']}”。")
        item = None
        if cells.get("item"):
            item = items.get(cells["item"])
            if item is None:
                err("item", f"找不到实施编码为“{cells['item']}”的事项。")
            elif item.pk in seen_items:
                err("item", f"事项“{item.name}”已在第{seen_items[item.pk]}行对应另一项职权。")
            elif linked.get(item.pk, code) != code:
                err("item", f"事项“{item.name}”已对应职权{linked[item.pk]}。")
            else:
                seen_items[item.pk] = number
        if errors:
            result.errors.extend(errors)
            continue
        parsed.append(
            {
                "code": code,
                "name": cells["name"],
                "power_type": power_type,
                "department": department,
                "legal_basis": cells["legal_basis"],
                "process_template": template or ProcessTemplate.STANDARD,
                "item": item,
            }
        )
    wb.close()
    if result.errors:
        return result
    if not parsed:
        result.errors.append(RowError(0, "", "表中没有职权数据。"))
        return result

    new: list[Power] = []
    changed: list[tuple[int, dict[str, Any]]] = []
    for row in parsed:
        power = existing.get(row["code"])
        if power is None:
            new.append(Power(**row))
            continue
        # Compared by column (department_id, item_id): reading the related rows would cost a query each.
        wanted = {
            **{f: row[f] for f in UPDATE_FIELDS if f not in ("department", "item")},
            "department_id": row["department"].pk,
            "item_id": row["item"].pk if row["item"] is not None else None,
        }
        diff = {f: v for f, v in wanted.items() if getattr(power, f) != v}
        if diff:
            changed.append((power.pk, diff))
    with transaction.atomic():
        # Unlink first the items that move between existing powers, so the one-to-one never clashes mid-update.
        moving = [pk for pk, diff in changed if "item_id" in diff]
        for i in range(0, len(moving), 500):
            Power.objects.filter(pk__in=moving[i : i + 500]).update(item=None)
        Power.objects.bulk_create(new, batch_size=500)
        # One UPDATE of only the changed columns per changed row: bulk_update's CASE per row and field costs
        # quadratic time in the batch on SQLite, and most re-imports change a few rows.
        for pk, diff in changed:
            Power.objects.filter(pk=pk).update(**diff)
        record_event(
            AuditEventType.POWERS_IMPORTED,
            actor=by if by is not None and getattr(by, "pk", None) else None,
            subject=f"权力清单导入 {len(new)} 新增 {len(changed)} 修改",
            after={"created": len(new), "updated": len(changed)},
        )
    result.created, result.updated = len(new), len(changed)
    return result


def import_or_raise(source: str | Path | IO[bytes], *, by: Any = None) -> ImportResult:
    result = import_powers(source, by=by)
    if result.errors:
        raise ValidationError({"file": [str(e) for e in result.errors]})
    return result


HEAD_FONT = Font(bold=True)
FILLS = {
    "red": PatternFill("solid", fgColor="F8B4B4"),
    "yellow": PatternFill("solid", fgColor="FDE68A"),
    "blue": PatternFill("solid", fgColor="BFDBFE"),
}


def export_powers(destination: str | Path | IO[bytes]) -> int:
    """Write the power list (the import's columns plus the grade and the number of risk points); rows written."""
    from django.db.models import Count, Q

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.append([label for _, label, _ in COLUMNS] + [label for _, label in EXPORT_ONLY])
    type_label = dict(POWER_TYPES)
    template_label = dict(ProcessTemplate.choices)
    rows = (
        Power.objects.select_related("department", "level", "item")
        .annotate(
            n=Count("risk_points", filter=Q(risk_points__active=True), distinct=True)
            + Count("steps__risk_points", filter=Q(steps__risk_points__active=True), distinct=True)
        )
        .order_by("code")
    )
    count = 0
    for p in rows.iterator(chunk_size=1000):
        ws.append(
            [
                p.code,
                p.name,
                type_label.get(p.power_type, p.power_type),
                p.department.name,
                p.legal_basis,
                template_label.get(p.process_template, ""),
                p.item.impl_code if p.item else "",
                p.level.code if p.level else "",
                p.n,
            ]
        )
        count += 1
    wb.save(destination)
    return count


def export_risk_map(destination: str | Path | IO[bytes], data: dict[str, Any]) -> None:
    """The risk map in two sheets (by department, by post), each row filled in its colour."""
    wb = Workbook()
    codes = [level.code for level in data["levels"]]
    for title, rows, first in (("按部门", data["departments"], "部门"), ("按岗位", data["posts"], "岗位")):
        ws = wb.create_sheet(title)
        ws.append([first, "所属部门", "重点", *[f"{c}级" for c in codes], "颜色"])
        for cell in ws[1]:
            cell.font = HEAD_FONT
        for row in rows:
            ws.append(
                [
                    row.name,
                    row.department,
                    "是" if row.key else "",
                    *[row.counts.get(c, 0) for c in codes],
                    row.color,
                ]
            )
            fill = FILLS.get(row.color)
            if fill is not None:
                for cell in ws[ws.max_row]:
                    cell.fill = fill
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 24
    del wb["Sheet"]
    wb.save(destination)
