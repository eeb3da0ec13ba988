"""Working-day engine benchmark (govhall.calendars.engine).

Figures:
- ``load_calendar_ms``: reading the holiday table into a new WorkingCalendar snapshot (three queries), median.
- ``build_year_tables_ms``: building the lazily-built per-year lookup tables of a fresh snapshot for every
  year the benchmark touches (2004–2029: inputs plus the year results spill into), including the lunar
  conversion of the unconfirmed years; paid once per snapshot, on first use of each year.
- ``ops_per_s``: calls per second of each public function through the process-wide snapshot
  (``calendar=None``, the way application code calls them), over seeded random inputs: start days
  2004-01-01 … 2028-12-31, n in 1–60. 2027–2028 are unconfirmed, so the provisional rule is exercised too.
- ``queries_per_1000_ops``: database queries issued by 1000 calls of each function after the snapshot is
  loaded (expected 0; get_calendar re-checks the revision token at most every
  GOVHALL_CALENDAR_CACHE_SECONDS, so a long loop may see one). ``queries_per_1000_ops_after_invalidate``
  is the control: the same calls right after ``invalidate()``, which must show the reload's queries.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.calendars import engine

SEED = 20261122
FIRST = date(2004, 1, 1)
LAST = date(2028, 12, 31)


def _inputs(count: int) -> dict[str, list[tuple[Any, ...]]]:
    rng = random.Random(SEED)
    span = (LAST - FIRST).days

    def day() -> date:
        return FIRST + timedelta(days=rng.randrange(span + 1))

    def instant() -> datetime:
        # Any minute of the day, so starts before, inside, between and after the office sessions all occur.
        d = day()
        return datetime(
            d.year, d.month, d.day, rng.randrange(24), rng.randrange(60), tzinfo=engine.CALENDAR_TZ
        )

    return {
        "add_working_days": [(day(), rng.randint(1, 60)) for _ in range(count)],
        "add_natural_days": [(day(), rng.randint(1, 60)) for _ in range(count)],
        "working_days_between": [
            (a, a + timedelta(days=rng.randint(1, 60))) for a in (day() for _ in range(count))
        ],
        # minutes 1–60: short clocks such as 即办件 "30 minutes"
        "add_office_minutes": [(instant(), rng.randint(1, 60)) for _ in range(count)],
        # minutes 60–3600 (1–60 office hours, up to about nine working days): the multi-day loop
        "add_office_minutes_hours": [(instant(), 60 * rng.randint(1, 60)) for _ in range(count)],
    }


def _functions() -> dict[str, Callable[..., Any]]:
    return {
        "add_working_days": engine.add_working_days,
        "add_natural_days": engine.add_natural_days,
        "working_days_between": engine.working_days_between,
        "add_office_minutes": engine.add_office_minutes,
        "add_office_minutes_hours": engine.add_office_minutes,
    }


def _ops_per_second(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], min_seconds: float) -> float:
    """Best of repeated passes over the whole input list, each pass at least `min_seconds / 3` long."""
    best = 0.0
    deadline = time.perf_counter() + min_seconds
    while True:
        calls = 0
        started = time.perf_counter()
        while True:
            for a in args:
                fn(*a)
            calls += len(args)
            elapsed = time.perf_counter() - started
            if elapsed >= min_seconds / 3:
                break
        best = max(best, calls / elapsed)
        if time.perf_counter() >= deadline:
            return best


def run(quick: bool = False) -> dict[str, Any]:
    loads = 5 if quick else 20
    min_seconds = 0.6 if quick else 3.0
    inputs = _inputs(2000 if quick else 10000)
    functions = _functions()

    # Load time: a fresh snapshot from the database each time (what a token change costs a process).
    load_ms = []
    with CaptureQueriesContext(connection) as captured:
        engine.load_calendar()
    load_queries = len(captured)
    for _ in range(loads):
        started = time.perf_counter()
        cal = engine.load_calendar()
        load_ms.append((time.perf_counter() - started) * 1000)

    years = range(FIRST.year, LAST.year + 2)
    build_ms = []
    for _ in range(3 if quick else 10):
        cal = engine.load_calendar()
        engine.provisional_holidays.cache_clear()  # unconfirmed years convert lunar dates afresh
        started = time.perf_counter()
        for year in years:
            cal.table(year)
        build_ms.append((time.perf_counter() - started) * 1000)

    # Warm the process-wide snapshot (and every year table the inputs touch) before timing.
    engine.invalidate()
    engine.get_calendar()
    for name, fn in functions.items():
        for a in inputs[name]:
            fn(*a)

    ops: dict[str, float] = {}
    queries: dict[str, int] = {}
    provisional: dict[str, float] = {}
    for name, fn in functions.items():
        args = inputs[name]
        with CaptureQueriesContext(connection) as captured:
            results = [fn(*a) for a in args[:1000]]
        queries[name] = len(captured)
        provisional[name] = round(sum(r.provisional for r in results) / len(results), 3)
        ops[name] = round(_ops_per_second(fn, args, min_seconds))

    # Control for the counter: the same 1000 calls right after invalidate() must show the reload's queries.
    engine.invalidate()
    with CaptureQueriesContext(connection) as captured:
        for a in inputs["add_working_days"][:1000]:
            engine.add_working_days(*a)
    control = len(captured)

    return {
        "load_calendar_ms": round(statistics.median(load_ms), 2),
        "load_calendar_queries": load_queries,
        "confirmed_years": f"{cal.confirmed_years[0]}–{cal.confirmed_years[-1]}"
        if cal.confirmed_years
        else "",
        "build_year_tables_ms": round(statistics.median(build_ms), 2),
        "build_year_tables_years": len(years),
        "ops_per_s": ops,
        "us_per_op": {name: round(1e6 / value, 2) for name, value in ops.items()},
        "queries_per_1000_ops": queries,
        "queries_per_1000_ops_after_invalidate": control,
        "provisional_share": provisional,
    }
