"""Index numbers (索引号) of the disclosure catalog.

Local rules differ, so the format is a setting, GOVHALL_DISCLOSURE_INDEX_FORMAT, a str.format template over:
`organ_code` (the 9-character 组织机构代码, characters 9–17 of the department's unified social credit code),
`year` (of publication), `serial`, `category` (the category's value), `region_code` and `date` (YYYYMMDD). Default:
`{organ_code}/{year}-{serial:05d}`, e.g. 01527918X/2026-00153.

The serial is counted per prefix (the number rendered with serial 0), so any format stays unique; the counter
only goes up, so no number is ever given out twice, and a withdrawn record keeps its own."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F

from govhall.org.models import Department

from .models import IndexCounter

DEFAULT_FORMAT = "{organ_code}/{year}-{serial:05d}"


def index_format() -> str:
    return str(settings.GOVHALL_DISCLOSURE_INDEX_FORMAT or DEFAULT_FORMAT)


def organ_code(department: Department) -> str:
    """The 组织机构代码 in the USCC (GB 32100: characters 9–17); a department without one gets a stand-in built
    from its id so that numbering never stops, "D" + 8 digits."""
    uscc = (department.uscc or "").strip().upper()
    if len(uscc) == 18:
        return uscc[8:17]
    return f"D{department.pk:08d}"


def _render(fmt: str, *, department: Department, category: str, day: date, serial: int) -> str:
    region = getattr(department, "region", None)
    try:
        return fmt.format(
            organ_code=organ_code(department),
            year=day.year,
            serial=serial,
            category=category,
            region_code=getattr(region, "code", "") or "",
            date=f"{day:%Y%m%d}",
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError({"index_number": f"索引号格式设置有误：{fmt}（{exc}）"}) from exc


def next_index_number(department: Department, category: str, day: date) -> str:
    """The next index number; call inside the publishing transaction (the UPDATE holds the counter row)."""
    fmt = index_format()
    key = _render(fmt, department=department, category=category, day=day, serial=0)[:64]
    counter = IndexCounter.objects.filter(key=key)
    if not counter.update(last=F("last") + 1):
        IndexCounter.objects.bulk_create([IndexCounter(key=key, last=0)], ignore_conflicts=True)
        counter.update(last=F("last") + 1)
    serial = counter.values_list("last", flat=True).get()
    number = _render(fmt, department=department, category=category, day=day, serial=serial)
    if len(number) > 64:
        raise ValidationError({"index_number": "索引号超过64个字符，请检查索引号格式设置"})
    return number
