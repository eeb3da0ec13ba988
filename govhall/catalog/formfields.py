"""An item's application form (申请表) as data: checking submitted values against its fields, prefilling them from
the applicant, and showing stored values under their labels.

The same check runs for every channel (online page, window intake, API), inside the case action, so no case is
created with a required entry missing or an ID number that fails its check digit (GB 11643)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from govhall.core.identifiers import validate_resident_id, validate_uscc

from .choices import FieldKind
from .models import FormField

YES_WORDS = {"是", "yes", "y", "true", "1", "on", "√"}
NO_WORDS = {"否", "no", "n", "false", "0", "off", "×", ""}
# Mainland mobile numbers and fixed lines with an optional area code and extension.
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")
MAX_TEXT = 500


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_value(field: FormField, value: Any) -> Any:
    """The stored value of one entry; ValidationError with a Chinese message naming the field."""
    label = field.label
    kind = field.kind
    if kind == FieldKind.YES_NO:
        if isinstance(value, bool):
            return value
        text = str(value or "").strip().lower()
        if text in YES_WORDS:
            return True
        if text in NO_WORDS:
            return False
        raise ValidationError(f"“{label}”应填写“是”或“否”")
    text = str(value).strip() if not isinstance(value, str) else value.strip()
    if kind == FieldKind.NUMBER:
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValidationError(f"“{label}”应为数字") from None
        if not number.is_finite():
            raise ValidationError(f"“{label}”应为数字")
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == FieldKind.DATE:
        try:
            return datetime.date.fromisoformat(text.replace("/", "-")).isoformat()
        except ValueError:
            raise ValidationError(f"“{label}”应为日期，格式如 2026-03-01") from None
    if kind == FieldKind.CHOICE:
        options = field.choice_list()
        if text not in options:
            raise ValidationError(f"“{label}”只能选择：{'、'.join(options)}")
        return text
    if kind == FieldKind.ID_NUMBER:
        try:
            return validate_resident_id(text.upper())
        except ValidationError as exc:
            raise ValidationError(f"“{label}”：{exc.messages[0]}") from None
    if kind == FieldKind.USCC:
        try:
            return validate_uscc(text.upper())
        except ValidationError as exc:
            raise ValidationError(f"“{label}”：{exc.messages[0]}") from None
    if kind == FieldKind.PHONE:
        compact = text.replace(" ", "")
        if not _PHONE.match(compact):
            raise ValidationError(f"“{label}”不是有效的电话号码（手机号11位，固定电话如0775-1234567）")
        return compact
    limit = MAX_TEXT * (4 if kind == FieldKind.LONG_TEXT else 1)
    if len(text) > limit:
        raise ValidationError(f"“{label}”不能超过{limit}个字")
    return text


def clean_form_data(fields: Iterable[FormField], data: Mapping[str, Any]) -> dict[str, Any]:
    """Check `data` against the item's fields: every required entry present, every value of its kind.

    Entries the item does not define are kept as given (a process route may read them, e.g. a window's
    site_inspection_waived). An entry given under the field's label (a clerk's "店铺名称：…" line) counts as the
    field's. Raises ValidationError({"form_data": [...]}) naming each wrong field."""
    cleaned: dict[str, Any] = dict(data)
    errors: list[str] = []
    for field in fields:
        value = data.get(field.key)
        if _blank(value) and field.label in data:
            value = cleaned.pop(field.label)
        if _blank(value):
            if field.required:
                errors.append(f"“{field.label}”为必填项")
            cleaned.pop(field.key, None)
            continue
        try:
            cleaned[field.key] = clean_value(field, value)
        except ValidationError as exc:
            errors += exc.messages
    if errors:
        raise ValidationError({"form_data": errors})
    return cleaned


def prefill_values(fields: Iterable[FormField], identity: Mapping[str, Any]) -> dict[str, str]:
    """First values of the fields that take them from the applicant (name, ID number, phone, address)."""
    values = {}
    for field in fields:
        if field.prefill and identity.get(field.prefill):
            values[field.key] = str(identity[field.prefill])
    return values


def display_value(field: FormField | None, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


def labelled(fields: Iterable[FormField], data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The stored entries as (label, shown value): the item's fields in their order, then any other entries under
    their own names."""
    if not isinstance(data, Mapping):
        return []
    rows = []
    by_key = {f.key: f for f in fields}
    for key, field in by_key.items():
        if key in data:
            rows.append((field.label, display_value(field, data[key])))
    for key, value in data.items():
        if key not in by_key:
            rows.append((OTHER_LABELS.get(key, key), display_value(None, value)))
    return rows


# Entries some process templates read that are not fields of the item's form.
OTHER_LABELS = {"site_inspection_waived": "免于现场勘查"}
