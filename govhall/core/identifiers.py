"""Chinese identifiers (domain §14): resident ID numbers (GB 11643) and unified social credit codes (GB 32100).

Validation computes the check character; masking keeps only what a clerk needs to recognise a person."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

# GB 32100: the code alphabet leaves out I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_USCC_RE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")


def resident_id_check_char(first17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_resident_id(value: str) -> str:
    """Return the normalised (upper-case) ID number or raise ValidationError with a Chinese message."""
    number = (value or "").strip().upper()
    if not _ID_RE.match(number):
        raise ValidationError("身份证号码应为18位：前17位为数字，最后一位为数字或X。", code="id_format")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError("身份证号码中的出生日期无效。", code="id_birthdate") from exc
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号码校验位不正确，请核对后重新输入。", code="id_checksum")
    return number


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalised unified social credit code or raise ValidationError with a Chinese message."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位。", code="uscc_length")
    if not _USCC_RE.match(code):
        raise ValidationError(
            "统一社会信用代码只能包含数字和大写字母（不含I、O、Z、S、V）。", code="uscc_alphabet"
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对后重新输入。", code="uscc_checksum")
    return code


def mask_resident_id(value: str | None) -> str:
    """110105********123X: region and the last four, birth date hidden."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678 for mobiles; other numbers keep their first 3 and last 2 characters."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) == 11 and digits.isdigit():
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 5:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def mask_uscc(value: str | None) -> str:
    """Credit codes are public for organisations; masking is offered for individual businesses' exports."""
    if not value:
        return ""
    return value[:8] + "*" * 6 + value[-4:]


_CHECK_CODE_RE = re.compile(r"(查询码|check[_ ]?code)([\s\"':：=为是]*)(\d{4,12})", re.IGNORECASE)
_RESIDENT_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact_text(text: str) -> str:
    """Free text (an SMS, a log line) with check codes hidden and ID and mobile numbers masked."""
    text = _CHECK_CODE_RE.sub(lambda m: m.group(1) + m.group(2) + "*" * len(m.group(3)), text)
    text = _RESIDENT_ID_RE.sub(lambda m: mask_resident_id(m.group(0)), text)
    return _MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def new_check_code() -> str:
    """A public check code (查询码) for a case or a complaint: GOVHALL_CHECK_CODE_DIGITS random digits (8 by default;
    records of before kept their 6), so that with the lookup throttle guessing one is hopeless."""
    digits = settings.GOVHALL_CHECK_CODE_DIGITS
    return f"{secrets.randbelow(10**digits):0{digits}d}"
