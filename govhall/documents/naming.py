"""Names printed on notices and seals, and the document number (发文字号)."""

from __future__ import annotations

from govhall.org.models import Department

from .choices import KIND_ABBREVIATIONS, DocumentKind

SEAL_USE = "电子审批专用章"

# A kind whose label carries an explanation the printed title leaves out.
PRINTED_TITLES: dict[str, str] = {DocumentKind.REDIRECT: "不予受理告知书"}


def organ_name(department: Department) -> str:
    """The full name of the issuing organ: the county's departments are entered as "县市场监督管理局" and
    print as "容县市场监督管理局" once the region is known."""
    name = department.name
    region = department.region
    if region is None:
        return name
    if name.startswith(region.name):
        return name
    level_char = region.name[-1:]
    if level_char in {"县", "市", "区", "旗"} and name.startswith(level_char):
        return region.name + name[1:]
    return name


def seal_name(department: Department) -> str:
    return organ_name(department) + SEAL_USE


def document_title(kind: str) -> str:
    return PRINTED_TITLES.get(kind, DocumentKind(kind).label)


def document_number(department: Department, kind: str, year: int, sequence: int) -> str:
    """e.g. 市场监管局受〔2026〕123号: the department's short name, the kind's abbreviation, year, sequence.

    GB/T 9704—2012 7.2.4: the year in full in 〔〕, the sequence in Arabic numerals without 第 and without
    padding (1, not 0001)."""
    prefix = department.short_name or department.name
    return f"{prefix}{KIND_ABBREVIATIONS[kind]}〔{year}〕{sequence}号"
