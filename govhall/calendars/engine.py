"""The one working-day engine every clock (cases, steps, complaints, supervision) uses.

Rules (domain §3; each function's docstring cites its legal basis):

- 《行政许可法》 art. 82: licensing periods are counted in working days, statutory holidays excluded.
- A **confirmed** year follows the State Council's arrangement stored in the table: a day is a rest day iff it
  has a holiday row, or it is a Saturday/Sunday without a make-up (调休上班) row.
- An **unconfirmed** year (no confirmed CalendarYear, including years before 2004 and after the seeded range)
  uses the provisional rule: Saturdays and Sundays rest, plus the statutory holiday dates of
  《全国年节及纪念日放假办法》 (2024): 元旦 1/1; 春节 除夕 and 初一–初三; 清明 (solar-term day); 劳动节 5/1–5/2;
  端午 lunar 5/5; 中秋 lunar 8/15; 国庆节 10/1–10/3. No make-up days, no shifting.
- Every result carries `provisional`: True when any calendar day the computation examined lies in an
  unconfirmed year. Such results must be recomputed once the year is confirmed (see signals.year_confirmed).

Calendar days are those of Asia/Shanghai; instants are returned in UTC.

Two layers:

- `WorkingCalendar`: an immutable in-memory snapshot of the table with per-year lookup tables; all counting is
  pure arithmetic on it (no query per day).
- Module functions (`add_working_days`, ...) take an optional `calendar=`; without it they use the process-wide
  snapshot from `get_calendar()`, which re-reads the table when `CalendarRevision.token` changes (checked at
  most every `settings.GOVHALL_CALENDAR_CACHE_SECONDS`) and immediately after `invalidate()`.

Supported dates: 1900-01-01 … 2099-12-31 (the range of the exact lunar conversion). Outside it, ValueError.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import time as _time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Generic, TypeVar

from django.conf import settings

from govhall.core.tz import SHANGHAI

logger = logging.getLogger(__name__)

CALENDAR_TZ = SHANGHAI
MIN_YEAR = 1900
MAX_YEAR = 2099

HOLIDAY = "holiday"
MAKEUP = "makeup"

T = TypeVar("T")
Session = tuple[time, time]


@dataclass(frozen=True)
class Result(Generic[T]):
    """A computed value plus whether it depends on an unconfirmed (provisional) year."""

    value: T
    provisional: bool

    def __bool__(self) -> bool:
        # `if is_working_day(d):` would always be true; force callers to say `.value`.
        raise TypeError("工作日历结果不能直接作为真假值使用，请读取 .value")


@dataclass(frozen=True)
class DayInfo:
    date: date
    working: bool
    # "workday" | "weekend" | "holiday" | "makeup"
    reason: str
    name: str
    provisional: bool


# --------------------------------------------------------------------------- provisional rule


@lru_cache(maxsize=256)
def provisional_holidays(year: int) -> dict[date, str]:
    """Statutory holiday dates of `year` under 《全国年节及纪念日放假办法》 (2024 revision, art. 2).

    Lunar dates are converted exactly with `lunardate` (1900–2099). 除夕 is the day before lunar 1/1, so a
    29-day twelfth month needs no special case. 清明 is the solar-term day from chinese_calendar's
    get_solar_terms (1900–2100); it was checked against an astronomical computation of the sun's apparent
    longitude reaching 15° (Beijing time) for every year 1900–2099 and agrees in all of them."""
    _check_year(year)
    import chinese_calendar
    from lunardate import LunarDate

    def lunar(month: int, day: int) -> date:
        solar: date = LunarDate(year, month, day).to_solar_date()  # lunardate is untyped
        return solar

    new_year = lunar(1, 1)
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    for k in range(-1, 3):
        days[new_year + timedelta(days=k)] = "春节"
    for d, term in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30)):
        if term == "清明":
            days[d] = "清明"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[lunar(5, 5)] = "端午"
    days[lunar(8, 15)] = "中秋"
    for day in (1, 2, 3):
        days[date(year, 10, day)] = "国庆节"
    return days


# --------------------------------------------------------------------------- the calendar snapshot


@dataclass(frozen=True)
class _YearTable:
    confirmed: bool
    first: date
    rest: frozenset[date]
    names: dict[date, str]
    makeups: frozenset[date]
    # cum[i] = number of working days among the first i days of the year; cum[-1] = the year's total.
    cum: tuple[int, ...]


def _build_year(
    year: int, confirmed: bool, holidays: dict[date, str], makeups: dict[date, str]
) -> _YearTable:
    first = date(year, 1, 1)
    length = (date(year + 1, 1, 1) - first).days
    rest: set[date] = set(holidays)
    cum = [0]
    for k in range(length):
        d = first + timedelta(days=k)
        if d.weekday() >= 5 and d not in makeups:
            rest.add(d)
        cum.append(cum[-1] + (d not in rest))
    return _YearTable(
        confirmed=confirmed,
        first=first,
        rest=frozenset(rest),
        names={**holidays, **makeups},
        makeups=frozenset(makeups),
        cum=tuple(cum),
    )


class WorkingCalendar:
    """Immutable snapshot of the holiday table; per-year lookup tables are built lazily and kept."""

    def __init__(
        self, confirmed: dict[int, tuple[dict[date, str], dict[date, str]]], token: str = ""
    ) -> None:
        # confirmed: year -> (holiday date -> name, make-up date -> name)
        self._confirmed = confirmed
        self.token = token
        self._tables: dict[int, _YearTable] = {}

    @classmethod
    def from_rows(
        cls, confirmed_years: Iterable[int], days: Iterable[tuple[date, str, str]], token: str = ""
    ) -> WorkingCalendar:
        """Build from (date, kind, name) rows; rows of unconfirmed years are ignored."""
        confirmed: dict[int, tuple[dict[date, str], dict[date, str]]] = {y: ({}, {}) for y in confirmed_years}
        for d, kind, name in days:
            if d.year in confirmed and kind in (HOLIDAY, MAKEUP):
                confirmed[d.year][0 if kind == HOLIDAY else 1][d] = name
        return cls(confirmed, token)

    def is_confirmed(self, year: int) -> bool:
        return year in self._confirmed

    @property
    def confirmed_years(self) -> list[int]:
        return sorted(self._confirmed)

    def table(self, year: int) -> _YearTable:
        tbl = self._tables.get(year)
        if tbl is None:
            _check_year(year)
            if year in self._confirmed:
                holidays, makeups = self._confirmed[year]
                tbl = _build_year(year, True, holidays, makeups)
            else:
                tbl = _build_year(year, False, provisional_holidays(year), {})
            # A concurrent builder may do the same work; both results are equal, so last write wins.
            self._tables[year] = tbl
        return tbl

    def is_working_day(self, d: date) -> bool:
        return d not in self.table(d.year).rest

    def describe(self, d: date) -> DayInfo:
        tbl = self.table(d.year)
        name = tbl.names.get(d, "")
        if d in tbl.rest:
            reason = "weekend" if d.weekday() >= 5 and not name else "holiday"
        else:
            reason = "makeup" if d in tbl.makeups else "workday"
        return DayInfo(d, d not in tbl.rest, reason, name, not tbl.confirmed)

    def working_count_through(self, d: date) -> int:
        """Working days from Jan 1 of d's year up to and including d."""
        tbl = self.table(d.year)
        return tbl.cum[(d - tbl.first).days + 1]

    def provisional_between(self, first: date, last: date) -> bool:
        """Whether any day in [first, last] lies in an unconfirmed year."""
        return any(not self.is_confirmed(y) for y in range(first.year, last.year + 1))


# --------------------------------------------------------------------------- process-wide snapshot

_cached: WorkingCalendar | None = None
_checked_at = 0.0


def _current_token() -> str:
    from .models import CalendarRevision

    return CalendarRevision.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def load_calendar() -> WorkingCalendar:
    """Read the whole table (about a thousand rows) into a new snapshot: three queries."""
    from .models import CalendarDay, CalendarYear

    # Token first: if the table changes between these reads, the snapshot carries the older token and the
    # next check reloads it, never the other way round.
    token = _current_token()
    years = list(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))
    rows = (
        CalendarDay.objects.filter(date__year__in=years).values_list("date", "kind", "name") if years else []
    )
    if not years:
        # Every deadline would silently turn provisional; most likely a test flushed the seeded table.
        logger.warning("工作日历中没有已确认的年度，全部按暂定规则计算")
    return WorkingCalendar.from_rows(years, rows, token)


def get_calendar() -> WorkingCalendar:
    """The process's snapshot; re-checks the revision at most every GOVHALL_CALENDAR_CACHE_SECONDS."""
    global _cached, _checked_at
    cal = _cached
    now = _time.monotonic()
    if cal is not None and now - _checked_at < settings.GOVHALL_CALENDAR_CACHE_SECONDS:
        return cal
    if cal is None or _current_token() != cal.token:
        cal = load_calendar()
    _cached, _checked_at = cal, now
    return cal


def invalidate() -> None:
    """Drop this process's snapshot; the next call reloads. Actions call it right after writing."""
    global _cached
    _cached = None


# --------------------------------------------------------------------------- validation


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"日期超出工作日历支持的范围（{MIN_YEAR}–{MAX_YEAR}年）：{year}年")


def check_date(d: object, what: str = "日期") -> date:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{what}必须是 date 类型（不是时间点），收到 {d!r}")
    _check_year(d.year)
    return d


def _check_count(n: object, what: str = "天数") -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"{what}必须是整数，收到 {n!r}")
    if n < 0:
        raise ValueError(f"{what}不能为负数，收到 {n}")
    return n


def _check_instant(dt: object, what: str = "时间") -> datetime:
    if not isinstance(dt, datetime):
        raise TypeError(f"{what}必须是 datetime 类型，收到 {dt!r}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what}必须带时区（aware datetime），收到 {dt!r}")
    return dt


# --------------------------------------------------------------------------- day rules


def is_working_day(d: date, *, calendar: WorkingCalendar | None = None) -> Result[bool]:
    """Whether `d` is a working day (《行政许可法》 art. 82: statutory holidays are not working days).

    A make-up Saturday/Sunday (调休上班) of a confirmed year is a working day. Use `.value`."""
    check_date(d)
    cal = calendar or get_calendar()
    return Result(cal.is_working_day(d), not cal.is_confirmed(d.year))


def describe_day(d: date, *, calendar: WorkingCalendar | None = None) -> DayInfo:
    """Working or not, why (workday/weekend/holiday/makeup), the holiday name, and provisional."""
    check_date(d)
    return (calendar or get_calendar()).describe(d)


def add_working_days(start: date, n: int, *, calendar: WorkingCalendar | None = None) -> Result[date]:
    """The n-th working day strictly after `start` (《行政许可法》 art. 82; 《民法典》 art. 201: the day the period
    starts is not counted, counting begins the next day).

    n must be ≥ 0. n = 0 returns `start` unchanged (nothing is counted, no day is examined, not provisional);
    callers wanting "today if it is a working day, else the next one" should use add_natural_days(start, 0).
    Days examined: (start, result]."""
    check_date(start, "起算日期")
    _check_count(n, "工作日数")
    if n == 0:
        return Result(start, False)
    cal = calendar or get_calendar()
    year = start.year
    target = cal.working_count_through(start) + n
    tbl = cal.table(year)
    while target > tbl.cum[-1]:
        target -= tbl.cum[-1]
        year += 1
        tbl = cal.table(year)
    # cum is non-decreasing; the first index reaching target is one past the day that completes the count.
    index = bisect.bisect_left(tbl.cum, target)
    result = tbl.first + timedelta(days=index - 1)
    return Result(result, cal.provisional_between(start + timedelta(days=1), result))


def add_natural_days(start: date, n: int, *, calendar: WorkingCalendar | None = None) -> Result[date]:
    """start + n calendar days; if that day is not a working day, the next working day
    (《民法典》 art. 201: the start day is not counted; art. 203: a period whose last day is a statutory rest day
    ends on the day after the rest days). A make-up working Saturday is a working day, so a period ending on
    one ends there.

    n must be ≥ 0; n = 0 gives `start` if it is a working day, else the next working day.
    Days examined: [start + n, result]."""
    check_date(start, "起算日期")
    _check_count(n, "自然日数")
    cal = calendar or get_calendar()
    first = result = start + timedelta(days=n)
    while not cal.is_working_day(result):
        result += timedelta(days=1)
    return Result(result, cal.provisional_between(first, result))


def working_days_between(a: date, b: date, *, calendar: WorkingCalendar | None = None) -> Result[int]:
    """The number of working days d with a < d ≤ b (the inverse of add_working_days: for n ≥ 0,
    working_days_between(s, add_working_days(s, n)) == n; 《民法典》 art. 201 — the start day is not counted).

    Antisymmetric: if b < a the result is −(working days d with b < d ≤ a), so "remaining working days until
    the deadline" turns negative once it is overdue. a == b gives 0. Days examined: the half-open interval."""
    check_date(a)
    check_date(b)
    if a == b:
        return Result(0, False)
    if b < a:
        r = working_days_between(b, a, calendar=calendar)
        return Result(-r.value, r.provisional)
    cal = calendar or get_calendar()
    count = cal.working_count_through(b) - cal.working_count_through(a)
    count += sum(cal.table(y).cum[-1] for y in range(a.year, b.year))
    return Result(count, cal.provisional_between(a + timedelta(days=1), b))


def deadline_instant(day: date) -> datetime:
    """The instant a deadline falling on `day` expires: the end of that day (24:00) in Asia/Shanghai, i.e. the
    next day 00:00 +08:00, returned in UTC (《民法典》 art. 203 para. 2: a period's last day ends at 24:00).

    Pure time-zone arithmetic: examines no calendar day, hence a plain datetime and no provisional flag."""
    check_date(day)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CALENDAR_TZ).astimezone(UTC)


def deadline_after_working_days(
    start: date, n: int, *, calendar: WorkingCalendar | None = None
) -> Result[datetime]:
    """deadline_instant(add_working_days(start, n)): the expiry instant of an n-working-day period."""
    r = add_working_days(start, n, calendar=calendar)
    return Result(deadline_instant(r.value), r.provisional)


def local_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware instant (e.g. the day an application was accepted)."""
    _check_instant(instant)
    return instant.astimezone(CALENDAR_TZ).date()


# --------------------------------------------------------------------------- office-hour clock


@lru_cache(maxsize=64)
def parse_sessions(text: str) -> tuple[Session, ...]:
    """Parse "09:00-12:00,13:30-17:30" (the format of settings.GOVHALL_DEFAULT_OFFICE_HOURS)."""
    sessions = []
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            start_s, end_s = (p.strip() for p in part.replace("–", "-").split("-"))
            sessions.append((time.fromisoformat(start_s), time.fromisoformat(end_s)))
        except ValueError:
            raise ValueError(f"办公时段格式错误：“{part}”，应为 HH:MM-HH:MM") from None
    return _normalise_sessions(sessions)


def _normalise_sessions(sessions: Sequence[Session] | None) -> tuple[Session, ...]:
    if sessions is None:
        return parse_sessions(settings.GOVHALL_DEFAULT_OFFICE_HOURS)
    result = sorted((tuple(s) for s in sessions), key=lambda s: s[0])
    if not result:
        raise ValueError("办公时段不能为空")
    for start, end in result:
        if not isinstance(start, time) or not isinstance(end, time) or start.tzinfo or end.tzinfo:
            raise ValueError(f"办公时段必须是不带时区的 time 对，收到 {(start, end)!r}")
        if start >= end:
            raise ValueError(f"办公时段结束时间必须晚于开始时间：{start:%H:%M}–{end:%H:%M}")
    for (_, prev_end), (next_start, _) in itertools.pairwise(result):
        if next_start < prev_end:
            raise ValueError(f"办公时段相互重叠：{prev_end:%H:%M} 之后又从 {next_start:%H:%M} 开始")
    return tuple((s, e) for s, e in result)


def add_office_minutes(
    start: datetime,
    minutes: int,
    sessions: Sequence[Session] | None = None,
    *,
    calendar: WorkingCalendar | None = None,
) -> Result[datetime]:
    """The instant at which `minutes` of office time have elapsed after `start` (domain §3: short limits such as
    即办件 "30 minutes" run only inside the hall's office sessions on working days, 《行政许可法》 art. 82).

    `sessions` are the hall's [(start, end)] local times (govhall.org Hall.office_sessions()); None means
    settings.GOVHALL_DEFAULT_OFFICE_HOURS. A start outside office hours begins counting at the next session.
    A period that completes exactly at a session's end returns that end (e.g. 12:00, not 13:30).
    minutes = 0 returns `start` (in UTC). Days examined: start's local day through the result's."""
    _check_instant(start, "起算时间")
    _check_count(minutes, "分钟数")
    sess = _normalise_sessions(sessions)
    if minutes == 0:
        return Result(start.astimezone(UTC), False)
    cal = calendar or get_calendar()
    # Naive wall-clock arithmetic in Shanghai time (no DST since 1991), attached to the zone at the end.
    cursor = start.astimezone(CALENDAR_TZ).replace(tzinfo=None)
    day = cursor.date()
    remaining = timedelta(minutes=minutes)
    while True:
        _check_year(day.year)
        if cal.is_working_day(day):
            for s, e in sess:
                seg_start = max(datetime.combine(day, s), cursor)
                seg_end = datetime.combine(day, e)
                if seg_start >= seg_end:
                    continue
                if remaining <= seg_end - seg_start:
                    result = (seg_start + remaining).replace(tzinfo=CALENDAR_TZ).astimezone(UTC)
                    first_day = start.astimezone(CALENDAR_TZ).date()
                    return Result(result, cal.provisional_between(first_day, day))
                remaining -= seg_end - seg_start
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0))


def office_minutes_between(
    a: datetime,
    b: datetime,
    sessions: Sequence[Session] | None = None,
    *,
    calendar: WorkingCalendar | None = None,
) -> Result[int]:
    """Whole minutes of office time (sessions on working days) in [a, b], rounded down — so that
    office_minutes_between(a, b) >= m exactly when b >= add_office_minutes(a, m).

    Antisymmetric like working_days_between: negative when b < a. Days examined: a's local day through b's."""
    _check_instant(a)
    _check_instant(b)
    if b < a:
        r = office_minutes_between(b, a, sessions, calendar=calendar)
        return Result(-r.value, r.provisional)
    sess = _normalise_sessions(sessions)
    cal = calendar or get_calendar()
    lo = a.astimezone(CALENDAR_TZ).replace(tzinfo=None)
    hi = b.astimezone(CALENDAR_TZ).replace(tzinfo=None)
    total = timedelta(0)
    day = lo.date()
    while day <= hi.date():
        if cal.is_working_day(day):
            for s, e in sess:
                seg = min(datetime.combine(day, e), hi) - max(datetime.combine(day, s), lo)
                if seg > timedelta(0):
                    total += seg
        day += timedelta(days=1)
    return Result(int(total.total_seconds() // 60), cal.provisional_between(lo.date(), hi.date()))
