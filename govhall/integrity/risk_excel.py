"""Risk points in Excel: import (all or nothing, row and column errors in Chinese, like the power list) and export.

A row is identified by where the point sits (power, step, post) and its description: a row already recorded with
the same place and description updates that point's grade, how found and measures; any other row records a new
point. So an exported sheet imports back with nothing created and nothing changed. Writes go through
`actions.record_risk_points` and `actions.revise_risk_points` in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook

from govhall.org.models import Department

from . import actions
from .choices import Discovery
from .defaults import ensure_levels
from .excel import ImportResult, RowError, _cell
from .models import Post, Power, PowerStep, RiskPoint

SHEET = "廉政风险点"
# (field, header, required)
COLUMNS: list[tuple[str, str, bool]] = [
    ("power", "职权编码", False),
    ("step", "运行环节", False),
    ("department", "岗位所属部门", False),
    ("post", "岗位", False),
    ("description", "风险点描述", True),
    ("discovery", "查找方式", True),
    ("level", "风险等级", True),
    ("measures", "防控措施", False),
]
LABEL = {name: label for name, label, _ in COLUMNS}
DISCOVERY_BY_TEXT = {
    **{label: value for value, label in Discovery.choices},
    **{value: value for value in Discovery.values},
}

Key = tuple[int | None, int | None, int | None, str]


def _key(power_id: int | None, step_id: int | None, post_id: int | None, description: str) -> Key:
    return (power_id, step_id, post_id, description.strip())


def import_risk_points(source: str | Path | IO[bytes], *, by: Any = None) -> ImportResult:
    """Read the risk-point sheet; on any error write nothing and return every error found."""
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
        elif required or name in ("power", "post"):
            # A point sits on a power or a post: both columns are part of the sheet even if one is empty.
            result.errors.append(RowError(0, label, "缺少此列。"))
    if result.errors:
        wb.close()
        return result

    levels = ensure_levels()
    departments: dict[str, Department] = {}
    for d in Department.objects.all():
        departments[d.name] = d
        if d.short_name:
            departments.setdefault(d.short_name, d)
    powers = {p.code: p for p in Power.objects.only("pk", "code", "department_id")}
    steps: dict[tuple[int, str], PowerStep] = {}
    for s in PowerStep.objects.only("pk", "power_id", "key", "name"):
        steps[(s.power_id, s.key)] = s
        steps.setdefault((s.power_id, s.name), s)
    posts = {(p.department_id, p.name): p for p in Post.objects.only("pk", "department_id", "name")}
    existing = {
        _key(p.power_id, p.step_id, p.post_id, p.description): p
        for p in RiskPoint.objects.filter(active=True).select_related("level")
    }
    seen: dict[Key, int] = {}
    new: list[dict[str, Any]] = []
    changed: list[tuple[RiskPoint, dict[str, Any]]] = []

    for number, values in enumerate(rows, start=2):
        cells = {name: _cell(values[i]) if i < len(values) else "" for name, i in index.items()}
        if not any(cells.values()):
            continue
        errors: list[RowError] = []

        def err(name: str, message: str, row: int = number, out: list[RowError] = errors) -> None:
            out.append(RowError(row, LABEL[name], message))

        for name, label, required in COLUMNS:
            if required and not cells.get(name):
                err(name, f"请填写{label}。")
        power = step = post = None
        if cells.get("power"):
            power = powers.get(cells["power"])
            if power is None:
                err("power", f"找不到职权“{cells['power']}”。")
        if cells.get("step"):
            if not cells.get("power"):
                err("step", "填写运行环节时须同时填写职权编码。")
            elif power is not None:
                step = steps.get((power.pk, cells["step"]))
                if step is None:
                    err("step", f"职权“{power.code}”没有环节“{cells['step']}”。")
        if cells.get("post"):
            department = None
            if cells.get("department"):
                department = departments.get(cells["department"])
                if department is None:
                    err("department", f"找不到部门“{cells['department']}”。")
            elif power is not None:
                department = Department(pk=power.department_id)
            else:
                err("department", "只填岗位时须填写岗位所属部门。")
            if department is not None:
                if power is not None and department.pk != power.department_id:
                    err("post", "岗位应属于该职权的实施部门。")
                else:
                    post = posts.get((department.pk, cells["post"]))
                    if post is None:
                        err("post", f"该部门没有岗位“{cells['post']}”。")
        elif cells.get("department") and cells["department"] not in departments:
            err("department", f"找不到部门“{cells['department']}”。")
        if not cells.get("power") and not cells.get("post"):
            err("power", "风险点应落在某项职权、某个环节或某个岗位上：请填写职权编码或岗位。")
        discovery = DISCOVERY_BY_TEXT.get(cells.get("discovery", ""))
        if cells.get("discovery") and discovery is None:
            err("discovery", f"未知的查找方式“{cells['discovery']}”，应为自己找、群众点、代表评或组织审。")
        level = levels.get(cells.get("level", "").upper())
        if cells.get("level") and level is None:
            err("level", f"未知的风险等级“{cells['level']}”，应为{'、'.join(levels)}之一。")
        if errors:
            result.errors.extend(errors)
            continue
        assert level is not None and discovery is not None
        key = _key(
            power.pk if power is not None and step is None else None,
            step.pk if step is not None else None,
            post.pk if post is not None else None,
            cells["description"],
        )
        if key in seen:
            result.errors.append(RowError(number, LABEL["description"], f"与第{seen[key]}行是同一风险点。"))
            continue
        seen[key] = number
        measures = cells.get("measures", "")
        point = existing.get(key)
        if point is None:
            new.append(
                {
                    "power": power,
                    "step": step,
                    "post": post,
                    "description": cells["description"],
                    "discovery": discovery,
                    "level": level,
                    "measures": measures,
                }
            )
            continue
        diff: dict[str, Any] = {}
        if point.level_id != level.pk:
            diff["level"] = level
        if point.discovery != discovery:
            diff["discovery"] = discovery
        if point.measures != measures:
            diff["measures"] = measures
        if diff:
            changed.append((point, diff))
    wb.close()
    if result.errors:
        return result
    if not new and not changed and not seen:
        result.errors.append(RowError(0, "", "表中没有风险点数据。"))
        return result
    user = by if by is not None and getattr(by, "pk", None) else None
    with transaction.atomic():
        if new:
            actions.record_risk_points(new, by=user)
        if changed:
            actions.revise_risk_points(changed, by=user)
    result.created, result.updated = len(new), len(changed)
    return result


def import_or_raise(source: str | Path | IO[bytes], *, by: Any = None) -> ImportResult:
    result = import_risk_points(source, by=by)
    if result.errors:
        raise ValidationError({"file": [str(e) for e in result.errors]})
    return result


def export_risk_points(destination: str | Path | IO[bytes], *, department: Department | None = None) -> int:
    """Write the active risk points in the import's columns (a department head gets their own); rows written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.append([label for _, label, _ in COLUMNS])
    points = RiskPoint.objects.filter(active=True).select_related(
        "power", "step__power", "post__department", "level"
    )
    if department is not None:
        points = points.filter(department=department)
    count = 0
    for p in points.order_by("pk").iterator(chunk_size=1000):
        power = p.step.power if p.step is not None else p.power
        ws.append(
            [
                power.code if power is not None else "",
                p.step.key if p.step is not None else "",
                p.post.department.name if p.post is not None else "",
                p.post.name if p.post is not None else "",
                p.description,
                p.get_discovery_display(),
                p.level.code,
                p.measures,
            ]
        )
        count += 1
    wb.save(destination)
    return count
