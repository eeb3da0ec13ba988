"""Item codes of the national implementation list (GB/T 39554.1), stored as validated strings.

Our reading of the structure, documented in docs/catalog-template.md:
- basic code (基本编码), 12 digits: 2-digit directory prefix, 2-digit item type (01–10, 20),
  5-digit main-item number, 3-digit sub-item number (000 when the item has no sub-items);
- implementation code (实施编码), 31 characters: the implementing agency's unified social credit code (18),
  a 1-digit level of exercise (1 national … 6 village), then the 12-digit basic code.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from govhall.core.identifiers import validate_uscc

from .choices import ExerciseLevel, ItemType

BASIC_CODE_RE = re.compile(r"^\d{12}$")
LEVEL_DIGITS = {
    ExerciseLevel.NATIONAL: "1",
    ExerciseLevel.PROVINCE: "2",
    ExerciseLevel.CITY: "3",
    ExerciseLevel.COUNTY: "4",
    ExerciseLevel.TOWNSHIP: "5",
    ExerciseLevel.VILLAGE: "6",
}


def validate_basic_code(value: str, item_type: str | None = None) -> str:
    code = (value or "").strip()
    if not BASIC_CODE_RE.match(code):
        raise ValidationError("基本编码应为12位数字。", code="basic_code_format")
    if code[2:4] not in ItemType.values:
        raise ValidationError(
            f"基本编码第3–4位（事项类型）“{code[2:4]}”不是有效的事项类型代码。", code="basic_code_type"
        )
    if item_type and code[2:4] != item_type:
        raise ValidationError(
            f"基本编码中的事项类型“{code[2:4]}”与事项类型“{item_type}”不一致。",
            code="basic_code_type_mismatch",
        )
    return code


def validate_impl_code(
    value: str,
    basic_code: str | None = None,
    department_uscc: str | None = None,
    level: str | None = None,
) -> str:
    code = (value or "").strip().upper()
    if len(code) != 31:
        raise ValidationError(
            "实施编码应为31位：统一社会信用代码18位＋行使层级1位＋基本编码12位。", code="impl_code_length"
        )
    try:
        validate_uscc(code[:18])
    except ValidationError as exc:
        raise ValidationError(
            f"实施编码前18位不是有效的统一社会信用代码：{exc.messages[0]}", code="impl_code_uscc"
        ) from exc
    if code[18] not in LEVEL_DIGITS.values():
        raise ValidationError("实施编码第19位（行使层级）应为1–6。", code="impl_code_level")
    if level and level in LEVEL_DIGITS and code[18] != LEVEL_DIGITS[ExerciseLevel(level)]:
        raise ValidationError(
            f"实施编码第19位“{code[18]}”与行使层级“{ExerciseLevel(level).label}”"
            f"（应为{LEVEL_DIGITS[ExerciseLevel(level)]}）不一致。",
            code="impl_code_level_mismatch",
        )
    validate_basic_code(code[19:])
    if basic_code and code[19:] != basic_code:
        raise ValidationError("实施编码后12位应与基本编码一致。", code="impl_code_basic_mismatch")
    if department_uscc and code[:18] != department_uscc:
        raise ValidationError(
            "实施编码前18位应为实施部门的统一社会信用代码。", code="impl_code_department_mismatch"
        )
    return code


def make_impl_code(department_uscc: str, level: str, basic_code: str) -> str:
    return f"{department_uscc}{LEVEL_DIGITS[ExerciseLevel(level)]}{basic_code}"
