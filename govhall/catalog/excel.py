"""Excel import and export of the catalog, in the template documented in docs/catalog-template.md.

Centers keep their implementation list in Excel, so the file is the exchange format and must round-trip:
exporting and importing into the same database changes nothing, and importing into an empty catalog with the
same departments reproduces every item, material, fee and bundle.

Import is all or nothing. Every cell of every sheet is checked first and each problem is reported with sheet,
row, column header and a Chinese message; only a file without errors is written, in one transaction, through
the catalog actions (so versions and audit events are recorded as for any other change)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from govhall.core.audit import record_event
from govhall.core.models import AuditEventType
from govhall.org.models import Department, Window

from . import actions
from .choices import (
    ExerciseLevel,
    FieldKind,
    HandlingKind,
    ItemStatus,
    ItemType,
    JoinRule,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    PowerSource,
    Prefill,
    ProcessTemplate,
    ServiceTarget,
    SpecialProcedure,
    TimeUnit,
    Visits,
)
from .metrics import promised_exceeds_legal
from .models import Bundle, Fee, FormField, Material, ServiceItem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SHEET_ITEMS = "事项"
SHEET_MATERIALS = "材料"
SHEET_FEES = "收费"
SHEET_FIELDS = "申请表字段"
SHEET_BUNDLES = "一件事"
SHEET_HELP = "填写说明"

IMPORT_NOTE = "Excel导入"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    # text, basic_code, impl_code, phone, int, ratio, bool, choice, multichoice, department, departments, window,
    # codes
    kind: str
    required: bool = False
    choices: Any = None
    width: int = 14
    help: str = ""


ITEM_COLUMNS = [
    Column("基本编码", "basic_code", "basic_code", True, width=16, help="12位数字，以文本格式填写"),
    Column(
        "实施编码",
        "impl_code",
        "impl_code",
        True,
        width=36,
        help="31位：部门统一社会信用代码＋层级＋基本编码",
    ),
    Column("事项名称", "name", "text", True, width=30),
    Column("事项类型", "item_type", "choice", True, ItemType, width=14),
    Column(
        "实施部门",
        "department",
        "department",
        width=24,
        help="部门全称或统一社会信用代码；留空则按实施编码前18位确定",
    ),
    Column("权力来源", "power_source", "choice", True, PowerSource),
    Column("行使层级", "exercise_level", "choice", True, ExerciseLevel),
    Column("服务对象", "target", "choice", False, ServiceTarget, width=20),
    Column("设定依据", "legal_basis", "text", True, width=40),
    Column("受理条件", "acceptance_conditions", "text", True, width=40),
    Column("法定办结时限", "legal_limit", "int", True, width=12),
    Column("法定时限单位", "legal_limit_unit", "choice", True, TimeUnit, width=12),
    Column("承诺办结时限", "promised_limit", "int", True, width=12),
    Column("承诺时限单位", "promised_limit_unit", "choice", True, TimeUnit, width=12),
    Column("办件类型", "handling_kind", "choice", True, HandlingKind, width=10),
    Column("到现场次数", "visits", "choice", True, Visits, width=18),
    Column("网上办理深度", "online_depth", "choice", True, OnlineDepth, width=22),
    Column("进驻大厅", "in_hall", "bool", width=10),
    Column("受理窗口", "window", "window", width=12, help="窗口号；同号窗口不止一个时写“大厅名称/窗口号”"),
    Column("办理流程", "process_template", "choice", False, ProcessTemplate, width=18),
    Column(
        "联审部门",
        "joint_departments",
        "departments",
        width=30,
        help="并联审批的协办部门，部门全称或统一社会信用代码，多个用“、”分隔；办理流程为并联审批流程时必填，不含实施部门本身",
    ),
    Column(
        "联审汇合规则",
        "join_rule",
        "choice",
        False,
        JoinRule,
        width=18,
        help="并联审批各部门意见的汇合方式；留空则按办理流程模板的规则。只有并联审批流程的事项可以填写",
    ),
    Column(
        "联审同意比例",
        "join_ratio",
        "ratio",
        width=12,
        help="汇合规则为“按比例同意”时必填：0.01–1的小数或百分数（如0.6或60%），所需同意部门数向上取整",
    ),
    Column(
        "特别程序",
        "special_procedures",
        "multichoice",
        False,
        SpecialProcedure,
        width=20,
        help="多个用“、”分隔",
    ),
    Column("办理地点", "handling_place", "text", width=24),
    Column("咨询电话", "consult_phone", "phone", width=16),
    Column("投诉电话", "complaint_phone", "phone", width=16),
    Column("审批结果名称", "result_name", "text", width=20),
    Column(
        "俗称/别名",
        "aliases",
        "text",
        width=24,
        help="群众常用叫法，多个用“、”分隔，如“准生证、生育证”；网上搜索可命中",
    ),
    Column(
        "状态",
        "status",
        "choice",
        False,
        ItemStatus,
        width=10,
        help="新事项留空为草稿；已有事项留空则不改状态",
    ),
]
MATERIAL_COLUMNS = [
    Column("实施编码", "impl_code", "impl_code", True, width=36, help="须为「事项」工作表中的实施编码"),
    Column("序号", "seq", "int", width=8, help="留空则按行顺序编号"),
    Column("材料名称", "name", "text", True, width=36),
    Column("是否必要", "required", "bool", width=10, help="是/否，留空为是"),
    Column("材料形式", "form", "choice", False, MaterialForm, width=14),
    Column("份数", "copies", "int", width=8),
    Column("来源渠道", "source", "choice", False, MaterialSource, width=14),
    Column("可用电子证照替代", "e_license_ok", "bool", width=16),
    Column("填报须知", "notes", "text", width=40),
]
FEE_COLUMNS = [
    Column("实施编码", "impl_code", "impl_code", True, width=36, help="须为「事项」工作表中的实施编码"),
    Column("序号", "seq", "int", width=8, help="留空则按行顺序编号"),
    Column("收费项目", "name", "text", True, width=30),
    Column("收费标准", "standard", "text", True, width=30),
    Column("收费依据", "basis", "text", True, width=40),
    Column("可减免", "waivable", "bool", width=10),
]
FIELD_COLUMNS = [
    Column("实施编码", "impl_code", "impl_code", True, width=36, help="须为「事项」工作表中的实施编码"),
    Column("序号", "seq", "int", width=8, help="留空则按行顺序编号"),
    Column(
        "字段代码",
        "key",
        "text",
        True,
        width=20,
        help="小写英文字母开头，只含小写字母、数字和下划线，如 shop_name；同一事项内不能重复",
    ),
    Column("字段名称", "label", "text", True, width=20),
    Column("类型", "kind", "choice", False, FieldKind, width=14),
    Column("是否必填", "required", "bool", width=10, help="是/否，留空为是"),
    Column("可选项", "choices", "text", width=30, help="类型为“单选”时填写，多个用“、”分隔"),
    Column("预填来源", "prefill", "choice", False, Prefill, width=18, help="网上申请时从申请人账号预填"),
    Column("填写说明", "help_text", "text", width=30),
]
BUNDLE_COLUMNS = [
    Column("编号", "code", "text", True, width=16),
    Column("名称", "name", "text", True, width=30),
    Column("牵头部门", "lead_department", "department", True, width=24, help="部门全称或统一社会信用代码"),
    Column("承诺办结时限", "promised_limit", "int", True, width=12),
    Column("时限单位", "promised_limit_unit", "choice", False, TimeUnit, width=10),
    Column("状态", "status", "choice", False, ItemStatus, width=10),
    Column(
        "包含事项",
        "items",
        "codes",
        True,
        width=40,
        help="各事项的实施编码，每行一个或用“、”分隔，按办理顺序",
    ),
    Column("说明", "description", "text", width=40),
]
SHEETS: dict[str, list[Column]] = {
    SHEET_ITEMS: ITEM_COLUMNS,
    SHEET_MATERIALS: MATERIAL_COLUMNS,
    SHEET_FEES: FEE_COLUMNS,
    SHEET_BUNDLES: BUNDLE_COLUMNS,
    SHEET_FIELDS: FIELD_COLUMNS,
}

# Model defaults of the optional columns; a new item without the column gets these.
ITEM_DEFAULTS: dict[str, Any] = {
    "target": ServiceTarget.BOTH,
    "in_hall": True,
    "window": None,
    "process_template": ProcessTemplate.STANDARD,
    "join_rule": "",
    "join_ratio": None,
    "special_procedures": [],
    "handling_place": "",
    "consult_phone": "",
    "complaint_phone": "",
    "result_name": "",
    "aliases": "",
}
MATERIAL_DEFAULTS: dict[str, Any] = {
    "required": True,
    "form": MaterialForm.ORIGINAL,
    "copies": 1,
    "source": MaterialSource.APPLICANT,
    "e_license_ok": False,
    "notes": "",
}
FEE_DEFAULTS: dict[str, Any] = {"waivable": False}
FIELD_DEFAULTS: dict[str, Any] = {
    "kind": FieldKind.TEXT,
    "required": True,
    "choices": "",
    "prefill": Prefill.NONE,
    "help_text": "",
}
BUNDLE_DEFAULTS: dict[str, Any] = {
    "promised_limit_unit": TimeUnit.WORKDAY,
    "status": ItemStatus.DRAFT,
    "description": "",
}

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有", "可以"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "无", "不可以"}
_LIST_SPLIT = re.compile(r"[、,，;；\n]+")
_LABEL_PARTS = re.compile(r"[：:（）()]+")


# ---------------------------------------------------------------------------------------------------- report


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if not self.sheet:
            return self.message
        where = f"工作表「{self.sheet}」"
        if self.row:
            where += f"第{self.row}行"
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bundles_created: int = 0
    bundles_updated: int = 0
    bundles_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"发现{len(self.errors)}处错误，未导入任何数据。"
        prefix = "试导入（未保存）：" if self.dry_run else "导入完成："
        text = f"{prefix}新增事项{self.created}项，更新{self.updated}项，未变化{self.unchanged}项"
        if self.bundles_created or self.bundles_updated or self.bundles_unchanged:
            text += (
                f"；一件事新增{self.bundles_created}个，更新{self.bundles_updated}个，"
                f"未变化{self.bundles_unchanged}个"
            )
        return text + "。"


class _Abort(Exception):
    """Raised inside the write transaction to roll it back after a late validation error."""


# ---------------------------------------------------------------------------------------------------- cells


@cache
def _choice_map(choices: Any) -> dict[str, Any]:
    """Labels, codes and the parts of a label ("四级", "全程网办", "零跑动") all name the same choice."""
    mapping: dict[str, Any] = {}
    for value, label in choices.choices:
        mapping[str(value).lower()] = value
        mapping[str(label)] = value
    for value, label in choices.choices:
        for part in _LABEL_PARTS.split(str(label)):
            if len(part) >= 2:  # "级" of "乡镇（街道）级" names nothing
                mapping.setdefault(part, value)
    return mapping


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return _number_text(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


class _CellError(Exception):
    pass


def _parse_basic_code(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            raise _CellError("基本编码应为12位数字。")
        # Excel turned the code into a number and dropped its leading zeros; twelve digits survive a double.
        return str(int(value)).zfill(12)
    return _text(value).replace(" ", "")


def _parse_impl_code(value: Any) -> str:
    if isinstance(value, float):
        raise _CellError("实施编码被Excel存成了数字，后几位已经丢失；请把该列设为文本格式后重新填写。")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(value).replace(" ", "").upper()


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellError("应为非负整数。")
    if isinstance(value, int | float):
        if not float(value).is_integer() or value < 0:
            raise _CellError(f"“{_text(value)}”不是非负整数。")
        return int(value)
    text = _text(value)
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text))
    raise _CellError(f"“{text}”不是非负整数。")


def _parse_ratio(value: Any) -> float:
    """A share in (0, 1]: a number (0.6) or a percentage (60%); Excel may hand a percentage cell over as 0.6."""
    text = _text(value)
    if isinstance(value, bool):
        raise _CellError(f"“{text}”不是0.01–1之间的比例。")
    percent = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[%％]", text)
    try:
        ratio = float(percent.group(1)) / 100 if percent else float(text)
    except ValueError:
        raise _CellError(f"“{text}”不是0.01–1之间的比例（如0.6或60%）。") from None
    if not 0.01 <= ratio <= 1:
        raise _CellError(f"“{text}”不是0.01–1之间的比例（如0.6或60%）。")
    return round(ratio, 4)


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise _CellError(f"“{_text(value)}”应填“是”或“否”。")


def _parse_choice(value: Any, choices: Any) -> Any:
    mapping = _choice_map(choices)
    text = _text(value)
    found = mapping.get(text, mapping.get(text.lower()))
    if found is None and text.isdigit():
        found = mapping.get(text.zfill(2))  # 事项类型 "01" that Excel stored as 1
    if found is None:
        labels = "、".join(str(label) for label in choices.labels)
        raise _CellError(f"“{text}”不是有效的选项，可选：{labels}。")
    return found.value if hasattr(found, "value") else found


def _parse_multichoice(value: Any, choices: Any) -> list[str]:
    result: list[str] = []
    for part in _LIST_SPLIT.split(_text(value)):
        part = part.strip()
        if part:
            choice = _parse_choice(part, choices)
            if choice not in result:
                result.append(choice)
    return result


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


# ---------------------------------------------------------------------------------------------------- lookups


class _Lookups:
    def __init__(self) -> None:
        departments = list(Department.objects.all())
        self.dept_by_name = {d.name: d for d in departments}
        self.dept_by_uscc = {d.uscc: d for d in departments if d.uscc}
        self.windows = list(Window.objects.select_related("hall"))

    def department(self, text: str) -> Department | None:
        return self.dept_by_name.get(text) or self.dept_by_uscc.get(text.upper())

    def window(self, text: str, department: Department | None) -> Window:
        if "/" in text:
            hall_name, _, number = text.rpartition("/")
            matches = [
                w for w in self.windows if w.number == number.strip() and w.hall.name == hall_name.strip()
            ]
        else:
            matches = [w for w in self.windows if w.number == text]
            own = [w for w in matches if department is not None and w.department_id == department.pk]
            if len(own) == 1:
                return own[0]
        if not matches:
            raise _CellError(f"未找到窗口“{text}”。")
        if len(matches) > 1:
            raise _CellError(f"窗口号“{text}”对应多个大厅的窗口，请写成“大厅名称/窗口号”。")
        return matches[0]

    def window_text(self, window: Window, department: Department | None) -> str:
        """The shortest text that imports back to this window."""
        try:
            if self.window(window.number, department).pk == window.pk:
                return window.number
        except _CellError:
            pass
        return f"{window.hall.name}/{window.number}"


# ---------------------------------------------------------------------------------------------------- export


def _sanitise(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _cell_value(column: Column, value: Any) -> Any:
    if column.kind == "choice":
        return None if value in (None, "") else _label(column.choices, value)
    if column.kind == "multichoice":
        return "、".join(_label(column.choices, v) for v in value or []) or None
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind in {"int", "ratio"}:
        return value
    if column.kind == "codes":
        return "\n".join(value) or None
    if column.kind == "departments":
        return "、".join(value or []) or None
    return _sanitise(value) if value not in (None, "") else None


_HEADER_REQUIRED = PatternFill("solid", fgColor="1F4E79")
_HEADER_OPTIONAL = PatternFill("solid", fgColor="5B9BD5")
_TEXT_KINDS = {"basic_code", "impl_code", "phone", "text", "codes", "department", "departments", "window"}


def _write_sheet(ws: Worksheet, columns: list[Column], rows: Iterable[dict[str, Any]]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_REQUIRED if column.required else _HEADER_OPTIONAL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        note = ("必填。" if column.required else "选填。") + column.help
        cell.comment = Comment(note, "govhall")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    count = 0
    for row_index, data in enumerate(rows, start=2):
        count += 1
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(row=row_index, column=index, value=_cell_value(column, data.get(column.field)))
            if column.kind in _TEXT_KINDS:
                # Codes and phone numbers stay text, so Excel neither drops leading zeros nor shows 1.1E+11;
                # a value starting with "=" stays text rather than becoming a formula.
                cell.number_format = "@"
                if isinstance(cell.value, str):
                    cell.data_type = "s"
            if column.kind in {"text", "codes"}:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    last_row = max(count + 1, 2)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.kind in _TEXT_KINDS:
            # Keep rows the user adds later as text too.
            for row in range(count + 2, count + 201):
                ws.cell(row=row, column=index).number_format = "@"
        options: list[str] | None = None
        if column.kind == "choice":
            options = [str(label) for label in column.choices.labels]
        elif column.kind == "bool":
            options = ["是", "否"]
        if options:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(options) + '"',
                allow_blank=True,
                showErrorMessage=True,
                # A warning, not a stop: the import also accepts the codes, which are not in the list.
                errorStyle="warning",
                errorTitle="不在可选列表中",
                error="请从下拉列表中选择；导入时也接受代码。",
            )
            validation.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(validation)


def _write_help(ws: Worksheet) -> None:
    ws.append(["工作表", "列", "是否必填", "说明", "可选值（导入时也接受括号中的代码）"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for sheet, columns in SHEETS.items():
        for column in columns:
            options = ""
            if column.choices is not None:
                options = "、".join(f"{label}（{value}）" for value, label in column.choices.choices)
            elif column.kind == "bool":
                options = "是、否"
            ws.append([sheet, column.header, "必填" if column.required else "选填", column.help, options])
    for letter, width in zip("ABCDE", (10, 16, 10, 50, 80), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def export_workbook(items: QuerySet[ServiceItem] | None = None) -> Workbook:
    """The catalog as a workbook in the import template; all items (every status) unless a queryset is given.

    Bundles are exported when all their items are."""
    lookups = _Lookups()
    qs = (items if items is not None else ServiceItem.objects.all()).select_related(
        "department", "window", "window__hall"
    )
    item_list = list(qs.prefetch_related("materials", "fees", "form_fields", "joint_departments"))
    impl_codes = {i.pk: i.impl_code for i in item_list}

    wb = Workbook()
    ws_items = wb.active
    assert isinstance(ws_items, Worksheet)
    ws_items.title = SHEET_ITEMS
    item_rows = []
    material_rows: list[dict[str, Any]] = []
    fee_rows: list[dict[str, Any]] = []
    field_rows: list[dict[str, Any]] = []
    for item in item_list:
        row = {f: getattr(item, f) for f in actions.ITEM_FIELDS}
        row["department"] = item.department.name
        row["window"] = lookups.window_text(item.window, item.department) if item.window else None
        # Sorted as in the version snapshot, so an export of an unchanged catalog is always the same file.
        row["joint_departments"] = sorted(d.name for d in item.joint_departments.all())
        row["status"] = item.status
        item_rows.append(row)
        material_rows += [
            {"impl_code": item.impl_code, **{f: getattr(m, f) for f in actions.MATERIAL_FIELDS}}
            for m in item.materials.all()
        ]
        fee_rows += [
            {"impl_code": item.impl_code, **{f: getattr(fee, f) for f in actions.FEE_FIELDS}}
            for fee in item.fees.all()
        ]
        field_rows += [
            {"impl_code": item.impl_code, **{f: getattr(ff, f) for f in actions.FORM_FIELD_FIELDS}}
            for ff in item.form_fields.all()
        ]
    _write_sheet(ws_items, ITEM_COLUMNS, item_rows)
    _write_sheet(wb.create_sheet(SHEET_MATERIALS), MATERIAL_COLUMNS, material_rows)
    _write_sheet(wb.create_sheet(SHEET_FEES), FEE_COLUMNS, fee_rows)

    bundle_rows = []
    for bundle in Bundle.objects.select_related("lead_department").prefetch_related("entries"):
        entries = sorted(bundle.entries.all(), key=lambda e: e.order)
        if not all(e.item_id in impl_codes for e in entries):
            continue
        bundle_rows.append(
            {
                **{f: getattr(bundle, f) for f in actions.BUNDLE_FIELDS},
                "lead_department": bundle.lead_department.name,
                "status": bundle.status,
                "items": [impl_codes[e.item_id] for e in entries],
            }
        )
    _write_sheet(wb.create_sheet(SHEET_BUNDLES), BUNDLE_COLUMNS, bundle_rows)
    _write_sheet(wb.create_sheet(SHEET_FIELDS), FIELD_COLUMNS, field_rows)
    _write_help(wb.create_sheet(SHEET_HELP))
    return wb


def export_catalog(destination: str | Path | IO[bytes], items: QuerySet[ServiceItem] | None = None) -> None:
    export_workbook(items).save(destination)


# ---------------------------------------------------------------------------------------------------- import


@dataclass
class _Row:
    sheet: str
    row: int
    values: dict[str, Any]  # parsed values of the columns present and valid
    bad: set[str] = field(default_factory=set)  # fields whose cell had an error


@dataclass
class _ItemPlan:
    row: _Row
    fields: dict[str, Any]
    status: str | None
    existing: ServiceItem | None
    materials: list[dict[str, Any]] | None = None
    fees: list[dict[str, Any]] | None = None
    form_fields: list[dict[str, Any]] | None = None


@dataclass
class _BundlePlan:
    row: _Row
    fields: dict[str, Any]
    item_codes: list[str]
    existing: Bundle | None


def _normalise_header(value: Any) -> str:
    return re.sub(r"[\s*＊]|（必填）|\(必填\)", "", _text(value))


class _Importer:
    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.errors: list[RowError] = []
        self.lookups = _Lookups()

    def error(self, sheet: str, row: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(sheet, row, column, message))

    # -- reading ------------------------------------------------------------------------------------------

    def read_sheet(self, ws: Worksheet, columns: list[Column]) -> tuple[list[_Row], set[str]]:
        """Parse every non-empty row; returns the rows and the fields whose columns are present."""
        sheet = ws.title
        rows_iter = ws.iter_rows(values_only=True)
        header = next(rows_iter, None) or ()
        positions: dict[str, int] = {}
        by_header = {c.header: c for c in columns}
        for index, value in enumerate(header):
            name = _normalise_header(value)
            if name in by_header and by_header[name].field not in positions:
                positions[by_header[name].field] = index
        for column in columns:
            if column.required and column.field not in positions and column.kind != "department":
                self.error(sheet, 1, column.header, "缺少必填列。")
        rows: list[_Row] = []
        for row_number, raw in enumerate(rows_iter, start=2):
            if raw is None or all(v is None or _text(v) == "" for v in raw):
                continue
            parsed = _Row(sheet, row_number, {})
            for column in columns:
                if column.field not in positions:
                    continue
                index = positions[column.field]
                value = raw[index] if index < len(raw) else None
                self._parse_cell(parsed, column, value)
            rows.append(parsed)
        return rows, set(positions)

    def _parse_cell(self, parsed: _Row, column: Column, value: Any) -> None:
        empty = value is None or _text(value) == ""
        if empty:
            if column.required:
                self.error(parsed.sheet, parsed.row, column.header, "必填项不能为空。")
                parsed.bad.add(column.field)
            return
        try:
            kind = column.kind
            if kind == "basic_code":
                result: Any = _parse_basic_code(value)
            elif kind == "impl_code":
                result = _parse_impl_code(value)
            elif kind == "int":
                result = _parse_int(value)
            elif kind == "ratio":
                result = _parse_ratio(value)
            elif kind == "bool":
                result = _parse_bool(value)
            elif kind == "choice":
                result = _parse_choice(value, column.choices)
            elif kind == "multichoice":
                result = _parse_multichoice(value, column.choices)
            elif kind == "codes":
                result = [_parse_impl_code(v) for v in _LIST_SPLIT.split(_text(value)) if v.strip()]
            elif kind == "department":
                text = _text(value)
                result = self.lookups.department(text)
                if result is None:
                    raise _CellError(f"未找到部门“{text}”，请填写部门全称或统一社会信用代码。")
            elif kind == "departments":
                result = []
                unknown = []
                for part in _LIST_SPLIT.split(_text(value)):
                    part = part.strip()
                    if not part:
                        continue
                    found = self.lookups.department(part)
                    if found is None:
                        unknown.append(f"“{part}”")
                    elif found not in result:
                        result.append(found)
                if unknown:
                    raise _CellError(
                        f"未找到部门{'、'.join(unknown)}，请填写部门全称或统一社会信用代码，多个用“、”分隔。"
                    )
            else:  # text, phone, window (resolved once the department is known)
                result = _text(value)
        except _CellError as exc:
            self.error(parsed.sheet, parsed.row, column.header, str(exc))
            parsed.bad.add(column.field)
            return
        parsed.values[column.field] = result

    def model_errors(self, parsed: _Row, exc: ValidationError, columns: list[Column]) -> None:
        headers = {c.field: c.header for c in columns}
        by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for field_name, messages in by_field.items():
            if field_name in parsed.bad:
                continue  # the cell already has its own error
            for message in messages:
                self.error(parsed.sheet, parsed.row, headers.get(field_name) or None, message)

    # -- items --------------------------------------------------------------------------------------------

    def plan_items(self, rows: list[_Row], present: set[str]) -> dict[str, _ItemPlan]:
        codes = [r.values["impl_code"] for r in rows if "impl_code" in r.values]
        existing = {
            i.impl_code: i
            for i in ServiceItem.objects.filter(impl_code__in=codes)
            .select_related("department")
            .prefetch_related("materials", "fees", "joint_departments")
        }
        plans: dict[str, _ItemPlan] = {}
        first_row: dict[str, int] = {}
        for parsed in rows:
            values = parsed.values
            code = values.get("impl_code")
            if code and code in first_row:
                self.error(SHEET_ITEMS, parsed.row, "实施编码", f"实施编码与第{first_row[code]}行重复。")
                continue
            if code:
                first_row[code] = parsed.row
            plan = self._plan_item(parsed, present, existing.get(code) if code else None)
            if plan is not None and code:
                plans[code] = plan
        return plans

    def _plan_item(self, parsed: _Row, present: set[str], existing: ServiceItem | None) -> _ItemPlan | None:
        values = dict(parsed.values)
        errors_before = len(self.errors)
        department = values.get("department")
        if department is None and "department" not in parsed.bad:
            code = values.get("impl_code") or ""
            department = self.lookups.dept_by_uscc.get(code[:18])
            if department is None:
                self.error(
                    SHEET_ITEMS,
                    parsed.row,
                    "实施部门",
                    "实施部门为空，且实施编码前18位不是任何部门的统一社会信用代码。",
                )
                parsed.bad.add("department")
        values["department"] = department
        if values.get("window"):
            try:
                values["window"] = self.lookups.window(values["window"], department)
            except _CellError as exc:
                self.error(SHEET_ITEMS, parsed.row, "受理窗口", str(exc))
                parsed.bad.add("window")
                values.pop("window")
        elif "window" in present and "window" not in parsed.bad:
            values["window"] = None
        if "joint_departments" in present and "joint_departments" not in parsed.bad:
            values.setdefault("joint_departments", [])  # an empty cell clears them
        joint = values.pop("joint_departments", None)
        status = values.pop("status", None)
        # As for the co-departments, an empty join cell clears the item's own rule (back to the template's).
        if "join_rule" in present and "join_rule" not in parsed.bad:
            values.setdefault("join_rule", "")
        if "join_ratio" in present and "join_ratio" not in parsed.bad:
            values.setdefault("join_ratio", None)

        # The candidate is what the item would become: current values, overwritten by the columns present.
        current_joint = list(existing.joint_departments.all()) if existing is not None else []
        if existing is not None:
            base = {f: getattr(existing, f) for f in actions.ITEM_FIELDS}
            base["department"] = existing.department
            base["window"] = existing.window
        else:
            base = dict(ITEM_DEFAULTS)
        fields = {
            **base,
            **{k: v for k, v in values.items() if v is not None or k in {"window", "join_ratio"}},
        }
        if fields.get("department") is None:
            fields.pop("department", None)
        candidate = ServiceItem(**fields)
        candidate.status = status or (existing.status if existing else ItemStatus.DRAFT)
        try:
            candidate.full_clean(exclude=["search_text"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self.model_errors(parsed, exc, ITEM_COLUMNS)
        if joint is None:
            joint = current_joint  # no column (or a bad cell): the item keeps its co-departments
        if not parsed.bad & {"joint_departments", "department", "process_template"}:
            try:
                joint = actions.clean_joint_departments(
                    joint,
                    department=fields.get("department"),
                    process_template=candidate.process_template,
                    current=current_joint,
                )
            except ValidationError as exc:
                self.model_errors(parsed, exc, ITEM_COLUMNS)
        self._extra_item_checks(parsed, candidate)
        if (
            existing is not None
            and status
            and status != existing.status
            and status not in actions.STATUS_TRANSITIONS[ItemStatus(existing.status)]
        ):
            self.error(
                SHEET_ITEMS,
                parsed.row,
                "状态",
                f"事项状态不能从“{ItemStatus(existing.status).label}”变为“{ItemStatus(status).label}”。",
            )
        if parsed.bad or len(self.errors) > errors_before:
            return None
        clean = {f: getattr(candidate, f) for f in actions.ITEM_FIELDS}
        clean["department"] = candidate.department
        clean["window"] = candidate.window
        clean["joint_departments"] = joint
        return _ItemPlan(parsed, clean, status, existing)

    def _extra_item_checks(self, parsed: _Row, item: ServiceItem) -> None:
        if (
            item.legal_limit is not None
            and item.promised_limit is not None
            and item.legal_limit_unit in TimeUnit.values
            and item.promised_limit_unit in TimeUnit.values
            and item.legal_limit_unit != item.promised_limit_unit  # same unit: the model's clean says it
            and promised_exceeds_legal(
                item.legal_limit, item.legal_limit_unit, item.promised_limit, item.promised_limit_unit
            )
        ):
            self.error(
                SHEET_ITEMS,
                parsed.row,
                "承诺办结时限",
                f"承诺办结时限（{item.promised_limit}{_label(TimeUnit, item.promised_limit_unit)}）"
                f"超过法定办结时限（{item.legal_limit}{_label(TimeUnit, item.legal_limit_unit)}）。",
            )

    # -- materials and fees -------------------------------------------------------------------------------

    def plan_children(
        self,
        rows: list[_Row],
        columns: list[Column],
        model: type[Material] | type[Fee] | type[FormField],
        defaults: dict[str, Any],
        field_names: list[str],
        items_in_file: set[str],
    ) -> dict[str, list[dict[str, Any]]]:
        sheet = rows[0].sheet if rows else ""
        by_item: dict[str, list[dict[str, Any]]] = {}
        seq_rows: dict[tuple[str, int], int] = {}
        for parsed in rows:
            code = parsed.values.get("impl_code")
            if code is None:
                continue
            if code not in items_in_file:
                self.error(sheet, parsed.row, "实施编码", f"实施编码“{code}”不在「事项」工作表中。")
                continue
            siblings = by_item.setdefault(code, [])
            values = {**defaults, **{k: v for k, v in parsed.values.items() if k in field_names}}
            if values.get("seq") is None:
                values["seq"] = max((s["seq"] for s in siblings), default=0) + 1
            key = (code, values["seq"])
            if key in seq_rows:
                self.error(sheet, parsed.row, "序号", f"序号{values['seq']}与第{seq_rows[key]}行重复。")
                parsed.bad.add("seq")
            seq_rows[key] = parsed.row
            instance = model(**values)
            try:
                instance.full_clean(exclude=["item"], validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                self.model_errors(parsed, exc, columns)
            siblings.append({f: getattr(instance, f) for f in field_names})
        for siblings in by_item.values():
            siblings.sort(key=lambda s: s["seq"])
        return by_item

    # -- bundles ------------------------------------------------------------------------------------------

    def plan_bundles(self, rows: list[_Row], items: dict[str, _ItemPlan]) -> list[_BundlePlan]:
        codes = {c for r in rows for c in r.values.get("items", [])} - set(items)
        in_db = {i.impl_code: i for i in ServiceItem.objects.filter(impl_code__in=codes)}
        bundle_codes = [r.values["code"] for r in rows if r.values.get("code")]
        existing = {
            b.code: b for b in Bundle.objects.filter(code__in=bundle_codes).select_related("lead_department")
        }
        plans: list[_BundlePlan] = []
        first_row: dict[str, int] = {}
        for parsed in rows:
            errors_before = len(self.errors)
            values = parsed.values
            code = values.get("code")
            if code in first_row:
                self.error(SHEET_BUNDLES, parsed.row, "编号", f"编号与第{first_row[code]}行重复。")
            elif code:
                first_row[code] = parsed.row
            item_codes: list[str] = values.get("items", [])
            for item_code in item_codes:
                if item_code in items:
                    status = items[item_code].status or (
                        items[item_code].existing.status  # type: ignore[union-attr]
                        if items[item_code].existing
                        else ItemStatus.DRAFT
                    )
                elif item_code in in_db:
                    status = in_db[item_code].status
                else:
                    self.error(
                        SHEET_BUNDLES, parsed.row, "包含事项", f"未找到实施编码为“{item_code}”的事项。"
                    )
                    continue
                if status != ItemStatus.PUBLISHED:
                    self.error(
                        SHEET_BUNDLES,
                        parsed.row,
                        "包含事项",
                        f"事项“{item_code}”的状态为“{ItemStatus(status).label}”，一件事只能包含已发布的事项。",
                    )
            if "items" in values:
                if len(set(item_codes)) != len(item_codes):
                    self.error(SHEET_BUNDLES, parsed.row, "包含事项", "一件事中的事项不能重复。")
                elif len(item_codes) < 2:
                    self.error(SHEET_BUNDLES, parsed.row, "包含事项", "一件事至少应包含2个事项。")
            current = existing.get(code) if code else None
            fields = {**BUNDLE_DEFAULTS}
            if current is not None:
                fields.update({f: getattr(current, f) for f in actions.BUNDLE_FIELDS})
                fields["status"] = current.status
                fields["lead_department"] = current.lead_department
            fields.update({k: v for k, v in values.items() if k != "items"})
            candidate = Bundle(**{k: v for k, v in fields.items() if v is not None})
            try:
                candidate.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                self.model_errors(parsed, exc, BUNDLE_COLUMNS)
            if (
                current is not None
                and candidate.status != current.status
                and candidate.status not in actions.STATUS_TRANSITIONS[ItemStatus(current.status)]
            ):
                self.error(
                    SHEET_BUNDLES,
                    parsed.row,
                    "状态",
                    f"一件事状态不能从“{ItemStatus(current.status).label}”变为“{ItemStatus(candidate.status).label}”。",
                )
            if not parsed.bad and len(self.errors) == errors_before:
                plans.append(_BundlePlan(parsed, fields, item_codes, current))
        return plans

    # -- writing ------------------------------------------------------------------------------------------

    def write(self, report: ImportReport, items: dict[str, _ItemPlan], bundles: list[_BundlePlan]) -> None:
        saved: dict[str, ServiceItem] = {}
        for code, plan in items.items():
            try:
                saved[code] = self._write_item(report, plan)
            except ValidationError as exc:
                self.model_errors(plan.row, exc, ITEM_COLUMNS)
                raise _Abort from exc
        for bundle_plan in bundles:
            try:
                self._write_bundle(report, bundle_plan, saved)
            except ValidationError as exc:
                self.model_errors(bundle_plan.row, exc, BUNDLE_COLUMNS)
                raise _Abort from exc

    def _write_item(self, report: ImportReport, plan: _ItemPlan) -> ServiceItem:
        fields = plan.fields
        if plan.existing is None:
            report.created += 1
            return actions.create_item(
                actor=self.actor,
                materials=plan.materials or [],
                fees=plan.fees or [],
                form_fields=plan.form_fields or [],
                status=plan.status or ItemStatus.DRAFT,
                note=IMPORT_NOTE,
                **fields,
            )
        item = plan.existing
        current = actions.item_snapshot(item)
        proposed = {**current, **{f: fields[f] for f in actions.ITEM_FIELDS}}
        proposed["department_id"] = fields["department"].pk
        proposed["window_id"] = fields["window"].pk if fields["window"] else None
        proposed["joint_departments"] = sorted(d.name for d in fields["joint_departments"])
        if plan.materials is not None:
            proposed["materials"] = plan.materials
        if plan.fees is not None:
            proposed["fees"] = plan.fees
        if plan.form_fields is not None:
            proposed["form_fields"] = plan.form_fields
        changed = False
        if proposed != current:
            changes = {f: fields[f] for f in actions.ITEM_FIELDS if fields[f] != current[f]}
            changes["department"] = fields["department"]
            changes["window"] = fields["window"]
            joint_changed = proposed["joint_departments"] != current["joint_departments"]
            item = actions.update_item(
                item,
                actor=self.actor,
                materials=plan.materials,
                fees=plan.fees,
                form_fields=plan.form_fields,
                note=IMPORT_NOTE,
                joint_departments=fields["joint_departments"] if joint_changed else None,
                **changes,
            )
            changed = True
        if plan.status and plan.status != item.status:
            item = actions.set_item_status(item, plan.status, actor=self.actor, note=IMPORT_NOTE)
            changed = True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
        return item

    def _write_bundle(self, report: ImportReport, plan: _BundlePlan, saved: dict[str, ServiceItem]) -> None:
        missing = [c for c in plan.item_codes if c not in saved]
        found = {i.impl_code: i for i in ServiceItem.objects.filter(impl_code__in=missing)}
        bundle_items = [saved.get(c) or found[c] for c in plan.item_codes]
        fields = plan.fields
        if plan.existing is None:
            actions.create_bundle(
                code=fields["code"],
                name=fields["name"],
                lead_department=fields["lead_department"],
                items=bundle_items,
                promised_limit=fields["promised_limit"],
                promised_limit_unit=fields["promised_limit_unit"],
                description=fields["description"],
                status=fields["status"],
                actor=self.actor,
            )
            report.bundles_created += 1
            return
        bundle = plan.existing
        before = actions.bundle_snapshot(bundle)
        changes = {f: fields[f] for f in actions.BUNDLE_FIELDS if fields[f] != before[f]}
        lead = fields["lead_department"]
        if lead.pk != before["lead_department_id"]:
            changes["lead_department"] = lead
        items_changed = [i.impl_code for i in bundle_items] != before["items"]
        if changes or items_changed:
            bundle = actions.update_bundle(
                bundle,
                items=bundle_items if items_changed else None,
                actor=self.actor,
                note=IMPORT_NOTE,
                **changes,
            )
        if fields["status"] != bundle.status:
            actions.set_bundle_status(bundle, fields["status"], actor=self.actor, note=IMPORT_NOTE)
        if changes or items_changed or fields["status"] != before["status"]:
            report.bundles_updated += 1
        else:
            report.bundles_unchanged += 1


def _sorted_errors(errors: list[RowError]) -> list[RowError]:
    """In reading order: sheet by sheet, row by row, column by column, as the user will fix them."""
    sheet_order = list(SHEETS)

    def key(error: RowError) -> tuple[int, int, int]:
        columns = [c.header for c in SHEETS.get(error.sheet, [])]
        sheet = sheet_order.index(error.sheet) if error.sheet in sheet_order else -1
        column = columns.index(error.column) if error.column in columns else -1
        return sheet, error.row, column

    return sorted(errors, key=key)


def import_catalog(
    source: str | Path | IO[bytes], *, actor: User | None = None, dry_run: bool = False, filename: str = ""
) -> ImportReport:
    """Validate the whole workbook, then create or update items, materials, fees and bundles in one transaction.

    Nothing is written when any row has an error, nor on a dry run (the writes are rolled back, so the
    counts are exactly what a real import would do). Items missing from the file are left as they are."""
    report = ImportReport(dry_run=dry_run)
    with translation.override("zh-hans"):
        try:
            wb = load_workbook(source, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            report.errors.append(RowError("", 0, None, f"无法读取Excel文件（.xlsx）：{exc}"))
            return report
        if SHEET_ITEMS not in wb.sheetnames:
            report.errors.append(RowError("", 0, None, f"文件中没有「{SHEET_ITEMS}」工作表。"))
            return report
        importer = _Importer(actor)
        item_rows, item_present = importer.read_sheet(wb[SHEET_ITEMS], ITEM_COLUMNS)
        items = importer.plan_items(item_rows, item_present)
        all_codes = {r.values["impl_code"] for r in item_rows if "impl_code" in r.values}
        for sheet, columns, model, defaults, names, attr in (
            (
                SHEET_MATERIALS,
                MATERIAL_COLUMNS,
                Material,
                MATERIAL_DEFAULTS,
                actions.MATERIAL_FIELDS,
                "materials",
            ),
            (SHEET_FEES, FEE_COLUMNS, Fee, FEE_DEFAULTS, actions.FEE_FIELDS, "fees"),
            (
                SHEET_FIELDS,
                FIELD_COLUMNS,
                FormField,
                FIELD_DEFAULTS,
                actions.FORM_FIELD_FIELDS,
                "form_fields",
            ),
        ):
            if sheet not in wb.sheetnames:
                continue  # no sheet: the items keep their materials (fees)
            rows, _ = importer.read_sheet(wb[sheet], columns)
            children = importer.plan_children(rows, columns, model, defaults, names, all_codes)
            for code, plan in items.items():
                setattr(plan, attr, children.get(code, []))
        bundles: list[_BundlePlan] = []
        if SHEET_BUNDLES in wb.sheetnames:
            bundle_rows, _ = importer.read_sheet(wb[SHEET_BUNDLES], BUNDLE_COLUMNS)
            bundles = importer.plan_bundles(bundle_rows, items)
        if importer.errors:
            report.errors = _sorted_errors(importer.errors)
            return report
        try:
            with transaction.atomic():
                importer.write(report, items, bundles)
                record_event(
                    AuditEventType.CATALOG_IMPORTED,
                    actor=actor,
                    after={
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                        "bundles_created": report.bundles_created,
                        "bundles_updated": report.bundles_updated,
                    },
                    note=filename or (str(source) if isinstance(source, str | Path) else ""),
                )
                if dry_run:
                    transaction.set_rollback(True)
        except _Abort:
            report.errors = importer.errors
            report.created = report.updated = report.unchanged = 0
            report.bundles_created = report.bundles_updated = report.bundles_unchanged = 0
        return report
