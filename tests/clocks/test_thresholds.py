"""The yellow-threshold lookup case actions use: supervision's rules reach the clocks through a registration."""

from __future__ import annotations

from typing import Any

import pytest

from govhall.clocks import thresholds
from govhall.supervision.rules import warn_rule_for


def test_supervision_registers_its_rules_when_the_app_is_ready() -> None:
    assert thresholds._source is warn_rule_for


def test_without_a_source_clocks_keep_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(thresholds, "_source", None)
    assert thresholds.warn_kwargs(7, "review") == {}


def test_the_registered_source_decides_per_item_and_step(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[Any, str]] = []

    def source(item: Any, step_key: str) -> tuple[int | None, float | None] | None:
        asked.append((item, step_key))
        return {"review": (2, None), "": (None, 0.5)}.get(step_key)

    monkeypatch.setattr(thresholds, "_source", None)
    thresholds.register_warn_rule_source(source)
    assert thresholds.warn_kwargs(7, "review") == {"warn_units": 2, "warn_ratio": None}
    assert thresholds.warn_kwargs(7) == {"warn_units": None, "warn_ratio": 0.5}
    assert thresholds.warn_kwargs(7, "decide") == {}
    assert asked == [(7, "review"), (7, ""), (7, "decide")]
