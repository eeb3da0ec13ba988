"""The demo hall's other modules, simulated after the cases: each entry is the dotted path of a function

    run(*, seed: int, period: tuple[date, date], case_pks: Sequence[int], log: Callable[[str], None]) -> dict

that drives its module through that module's own actions over the simulated period (the cases exist by then, so a
module may read them: a disclosure of a decision, an inspection of a licensed shop, a lawsuit over a refusal) and
returns a JSON-able summary, which `simulate` prints under the module's name. Kept as a list of paths rather than
imports so that each module adds its own line and nothing else in the simulator changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from importlib import import_module
from typing import Any

MODULE_SIMULATIONS: list[tuple[str, str]] = [
    # (summary key, "govhall.demo.<module>_sim.run")
    ("disclosure", "govhall.demo.disclosure_sim.run"),
    ("integrity", "govhall.demo.integrity_sim.run"),
]


def run_modules(
    *, seed: int, period: tuple[date, date], case_pks: Sequence[int], log: Callable[[str], None]
) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for key, path in MODULE_SIMULATIONS:
        module_path, _, name = path.rpartition(".")
        run = getattr(import_module(module_path), name)
        summary[key] = run(seed=seed, period=period, case_pks=case_pks, log=log)
    return summary
