"""The text format for entering a year's holiday arrangement (admin screen and `manage.py import_calendar`).

One year per file, UTF-8 (GB18030 also accepted for uploads). One item per line; fields separated by an
ASCII or a Chinese comma; dates as YYYY-MM-DD. Empty lines and lines starting with # are ignored.

    # 国务院办公厅关于2027年部分节假日安排的通知
    通知,国务院办公厅关于2027年部分节假日安排的通知
    2027-01-01,元旦                    ← one rest day:                DATE,NAME
    2027-02-05,2027-02-12,春节         ← rest days, both ends included: START,END,NAME
    2027-02-14,调休上班,春节           ← make-up working day:          DATE,调休上班[,NAME]

- `通知,TITLE` gives the notice title (everything after the first comma); the command's --notice overrides it.
- The keyword may also be written 上班 or 班. Make-up working days must be Saturdays or Sundays.
- A rest range may include weekend days (list the whole holiday as announced, e.g. 2027-02-05 to 2027-02-12);
  it may span at most 31 days.
- All dates must lie in the same year; no date may appear twice.

Any error is reported as "第N行：…" and nothing is written unless every line is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .actions import NAME_MAX, confirm_year
from .models import CalendarYear

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAKEUP_KEYWORDS = frozenset({"调休上班", "上班", "班"})
MAX_RANGE_DAYS = 31
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TITLE_RE = re.compile(r"^通知\s*[,，:：]\s*(.*)$")


class ArrangementError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ParsedArrangement:
    year: int
    notice_title: str = ""
    holidays: list[tuple[date, str]] = field(default_factory=list)
    makeup_days: list[tuple[date, str]] = field(default_factory=list)


def decode_upload(data: bytes) -> str:
    """Uploaded bytes to text: UTF-8 (with or without BOM), else GB18030 as saved by Chinese Windows tools."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise ArrangementError(["文件编码无法识别，请保存为 UTF-8 编码的文本文件"]) from None


def _parse_date(text: str) -> date | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_arrangement(text: str, *, year: int | None = None) -> ParsedArrangement:
    """Parse the format above; raises ArrangementError listing every bad line."""
    errors: list[str] = []
    title = ""
    # (line number, date, name, is_makeup)
    items: list[tuple[int, date, str, bool]] = []
    for lineno, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _TITLE_RE.match(line)
        if m:
            title = m.group(1).strip()
            if not title:
                errors.append(f"第{lineno}行：通知标题为空")
            continue
        fields = [f.strip() for f in line.replace("，", ",").split(",")]
        first = _parse_date(fields[0])
        if first is None:
            errors.append(f"第{lineno}行：日期“{fields[0]}”格式错误，应为 YYYY-MM-DD（如 2027-02-06）")
            continue
        if len(fields) < 2 or not fields[1]:
            errors.append(f"第{lineno}行：日期后缺少节日名称、结束日期或“调休上班”")
            continue
        second = fields[1]
        if second in MAKEUP_KEYWORDS:
            if len(fields) > 3:
                errors.append(f"第{lineno}行：调休上班行的格式为 日期,调休上班[,节日名称]")
                continue
            items.append((lineno, first, fields[2] if len(fields) == 3 else "", True))
            continue
        end = _parse_date(second)
        if end is None and _DATE_RE.match(second):
            errors.append(f"第{lineno}行：结束日期“{second}”不是有效日期")
            continue
        if end is None:
            if len(fields) != 2:
                errors.append(f"第{lineno}行：单日放假行的格式为 日期,节日名称")
                continue
            items.append((lineno, first, second, False))
            continue
        if len(fields) != 3 or not fields[2]:
            errors.append(f"第{lineno}行：连续放假行的格式为 开始日期,结束日期,节日名称")
            continue
        if end < first:
            errors.append(f"第{lineno}行：结束日期 {end} 早于开始日期 {first}")
            continue
        if (end - first).days + 1 > MAX_RANGE_DAYS:
            errors.append(f"第{lineno}行：连续放假超过 {MAX_RANGE_DAYS} 天，请检查日期")
            continue
        for k in range((end - first).days + 1):
            items.append((lineno, first + timedelta(days=k), fields[2], False))

    if not items and not errors:
        errors.append("文件中没有任何节假日或调休上班日")
    years = sorted({d.year for _, d, _, _ in items})
    target = year if year is not None else (years[0] if len(years) == 1 else None)
    if target is None and years:
        errors.append(f"一个文件只能包含一个年度的安排，发现了 {'、'.join(map(str, years))} 年的日期")
    seen: dict[date, int] = {}
    parsed = ParsedArrangement(year=target or 0, notice_title=title)
    for lineno, d, name, is_makeup in items:
        if target is not None and d.year != target:
            errors.append(f"第{lineno}行：日期 {d} 不在 {target} 年内")
        if d in seen:
            errors.append(f"第{lineno}行：日期 {d} 与第{seen[d]}行重复")
            continue
        seen[d] = lineno
        if len(name) > NAME_MAX:
            errors.append(f"第{lineno}行：节日名称过长（最多 {NAME_MAX} 字）")
        if is_makeup:
            if d.weekday() < 5:
                errors.append(f"第{lineno}行：调休上班日 {d} 是周{'一二三四五'[d.weekday()]}，应为周六或周日")
            parsed.makeup_days.append((d, name))
        else:
            parsed.holidays.append((d, name))
    if items and not parsed.holidays:
        errors.append("文件中没有任何放假日期")
    if errors:
        raise ArrangementError(errors)
    return parsed


def import_arrangement(
    text: str, *, notice_title: str | None = None, year: int | None = None, actor: User | None = None
) -> CalendarYear:
    """Parse and confirm in one go; raises ArrangementError (nothing written) on any problem."""
    from django.core.exceptions import ValidationError

    parsed = parse_arrangement(text, year=year)
    title = (notice_title or parsed.notice_title).strip()
    if not title:
        raise ArrangementError(
            ["缺少通知标题：请在文件中加一行“通知,国务院办公厅关于……的通知”或用 --notice 指定"]
        )
    try:
        return confirm_year(
            parsed.year,
            holidays=parsed.holidays,
            makeup_days=parsed.makeup_days,
            notice_title=title,
            actor=actor,
        )
    except ValidationError as exc:
        raise ArrangementError(list(exc.messages)) from None
