"""What the disclosure module needs from the modules above it, by registration (it may not import them).

The annual report (《政府信息公开条例》第五十条) counts the administrative reconsiderations and lawsuits that arose
from information requests; the legal office's module keeps those and registers a counter here from its
AppConfig.ready():

    register_remedy_counter(lambda year: {...})

`fn(year)` returns {"reconsideration": {...}, "litigation_direct": {...}, "litigation_after_reconsideration": {...}},
each {"upheld", "corrected", "other", "pending", "total"}. Several counters are added up; none gives zeros."""

from __future__ import annotations

from collections.abc import Callable

RemedyCounts = dict[str, dict[str, int]]
RemedyCounter = Callable[[int], RemedyCounts]

REMEDY_ROWS = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
REMEDY_COLUMNS = ("upheld", "corrected", "other", "pending", "total")

_remedy_counters: list[RemedyCounter] = []


def register_remedy_counter(fn: RemedyCounter) -> RemedyCounter:
    """Register `fn` (usable as a decorator); registering the same function twice counts it once."""
    if fn not in _remedy_counters:
        _remedy_counters.append(fn)
    return fn


def unregister_remedy_counter(fn: RemedyCounter) -> None:
    if fn in _remedy_counters:
        _remedy_counters.remove(fn)


def remedy_counts(year: int) -> RemedyCounts:
    """The sum of every registered counter for `year`, with every row and column present."""
    totals: RemedyCounts = {row: dict.fromkeys(REMEDY_COLUMNS, 0) for row in REMEDY_ROWS}
    for fn in list(_remedy_counters):
        counts = fn(year)
        for row in REMEDY_ROWS:
            for column in REMEDY_COLUMNS:
                totals[row][column] += int(counts.get(row, {}).get(column, 0))
    return totals
