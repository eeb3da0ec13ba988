"""The random draw of 双随机 (random entities, random inspectors), as a pure function of its recorded inputs.

The seed and the candidate lists are stored on the plan and published, so anyone can run `run_draw` again and get
the same pairs (`actions.verify_draw`). Python's `random.Random` seeded with a string is stable across runs and
platforms (version-2 seeding hashes the string with SHA-512)."""

from __future__ import annotations

import random
from typing import Any, TypedDict


class Candidates(TypedDict):
    entities: list[int]
    inspectors: list[int]
    # entity id (as a string: JSON keys) -> inspector ids who may not inspect it (last time's pair, recusals,
    # the department the entity belongs to)
    excluded: dict[str, list[int]]
    sample_size: int


class Drawn(TypedDict):
    pairs: list[list[int]]  # [entity, inspector, second inspector]
    unassigned: list[int]  # entities drawn for which fewer than two inspectors were eligible


def run_draw(seed: str, candidates: Candidates | dict[str, Any]) -> Drawn:
    """Draw the entities (all of them when sample_size is 0 or more than there are), then for each, in the order
    drawn, two different inspectors among those not excluded for it. Each inspector takes at most
    ceil(drawn / inspectors × 2) inspections, so the work is spread over the team."""
    rng = random.Random(seed)
    entities = sorted(int(e) for e in candidates["entities"])
    inspectors = sorted(int(i) for i in candidates["inspectors"])
    excluded = {str(k): {int(i) for i in v} for k, v in candidates["excluded"].items()}
    size = int(candidates["sample_size"])
    count = len(entities) if size <= 0 or size > len(entities) else size
    chosen = rng.sample(entities, count)
    cap = -(-count * 2 // len(inspectors)) if inspectors else 0
    load = dict.fromkeys(inspectors, 0)
    pairs: list[list[int]] = []
    unassigned: list[int] = []
    for entity in chosen:
        barred = excluded.get(str(entity), set())
        eligible = [i for i in inspectors if i not in barred and load[i] < cap]
        if len(eligible) < 2:
            # The cap gives way before the constraints do: an entity is left out only when fewer than two
            # inspectors may inspect it at all.
            eligible = [i for i in inspectors if i not in barred]
        if len(eligible) < 2:
            unassigned.append(entity)
            continue
        first, second = rng.sample(eligible, 2)
        load[first] += 1
        load[second] += 1
        pairs.append([entity, first, second])
    return {"pairs": pairs, "unassigned": unassigned}
