"""Where a clock's yellow threshold comes from when a case starts it.

The thresholds are configured per item and per step in electronic supervision (电子监察), a layer above the cases
that start the clocks. Supervision registers its lookup here when its app is ready, so the case actions ask this
module and never import supervision. Nothing registered: every clock keeps the engine's default threshold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (units_left, ratio_used) of the rule for an item (or its pk) and a step key ("" = the whole case), or None.
WarnRuleSource = Callable[[Any, str], tuple[int | None, float | None] | None]

_source: WarnRuleSource | None = None


def register_warn_rule_source(source: WarnRuleSource) -> None:
    """Make `source` the one lookup of yellow thresholds (a second registration replaces the first)."""
    global _source
    _source = source


def warn_kwargs(item: Any, step_key: str = "") -> dict[str, Any]:
    """Keyword arguments for `clocks.start_clock` carrying the configured yellow threshold (empty = default)."""
    rule = _source(item, step_key) if _source is not None else None
    if rule is None:
        return {}
    units, ratio = rule
    return {"warn_units": units, "warn_ratio": ratio}
