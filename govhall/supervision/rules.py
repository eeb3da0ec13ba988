"""Yellow thresholds per item and step. Kept apart from `actions` (no import of the watcher or the ladder): the app
registers `warn_rule_for` with `govhall.clocks.thresholds` when it is ready, which is how case actions starting a
clock find the threshold without importing supervision."""

from __future__ import annotations

from typing import Any

from govhall.clocks.thresholds import (
    warn_kwargs as warn_kwargs,  # offered beside the rules by supervision.actions
)

from .models import WarnRule


def warn_rule_for(item: Any, step_key: str = "") -> tuple[int | None, float | None] | None:
    """(units_left, ratio_used) of the most specific rule for this item and step, or None (engine default).

    The item's own rule beats the rule for every item (item null). step_key "" asks for the whole-case (promised)
    clock; a step asks for its key, and a whole-case rule never applies to steps (a step has its own budget)."""
    item_id = getattr(item, "pk", item)
    rules = {
        (r.item_id, r.step_key): r
        for r in WarnRule.objects.filter(item_id__in=[item_id] if item_id else [], step_key=step_key)
        | WarnRule.objects.filter(item__isnull=True, step_key=step_key)
    }
    rule = rules.get((item_id, step_key)) or rules.get((None, step_key))
    if rule is None:
        return None
    return rule.units_left, float(rule.ratio_used) if rule.ratio_used is not None else None
