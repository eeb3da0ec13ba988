"""Where a clock's yellow threshold comes from when a case starts it.

The thresholds are configured per item and per step in electronic supervision (电子监察), a layer above the cases
that start the clocks. Supervision registers its lookup here when its app is ready, so the case actions ask this
module and never import supervision. Nothing registered: every clock keeps the engine's default threshold."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# (units_left, ratio_used) of the rule for an item (or its pk) and a step key ("" = the whole case), or None.
WarnRuleSource = Callable[[Any, str], tuple[int | None, float | None] | None]

_source: WarnRuleSource | None = None

# Rules are read through a small process-wide cache: every task a case opens starts a clock, and reading the
# rule table for each one cost a query on the hot path. A change in this process (the rule model's signals call
# `invalidate`) applies at once; another server process sees it within CACHE_SECONDS, as the calendar snapshot
# does (calendars.engine) — a threshold only decides when a new clock turns yellow, never a deadline.
CACHE_SECONDS = 30.0
_cache: dict[tuple[Any, str], tuple[float, tuple[int | None, float | None] | None]] = {}


def register_warn_rule_source(source: WarnRuleSource) -> None:
    """Make `source` the one lookup of yellow thresholds (a second registration replaces the first)."""
    global _source
    _source = source
    invalidate()


def invalidate() -> None:
    """Forget the cached rules (called when a rule is saved or deleted, and by tests)."""
    _cache.clear()


def _rule(item: Any, step_key: str) -> tuple[int | None, float | None] | None:
    if _source is None:
        return None
    key = (getattr(item, "pk", item), step_key)
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    rule = _source(item, step_key)
    _cache[key] = (now, rule)
    return rule


def warn_kwargs(item: Any, step_key: str = "") -> dict[str, Any]:
    """Keyword arguments for `clocks.start_clock` carrying the configured yellow threshold (empty = default).
    `item` may be the item or its pk."""
    rule = _rule(item, step_key)
    if rule is None:
        return {}
    units, ratio = rule
    return {"warn_units": units, "warn_ratio": ratio}
