"""Statements per case action on the hot path: the lifecycle of bench/cases_bench.py, counted, with a ceiling.

The lifecycle is the benchmark's own function (a demo joint-review application: submit → accept → lead review →
joint review by three departments → decision → delivery, 13 actions, each its own transaction, the acting user
reloaded before each call as a request would). Each action's statements are counted with CaptureQueriesContext
(inside the test's transaction BEGIN/COMMIT are SAVEPOINT/RELEASE: the same count). The ceilings are what the hot
path reached (issue 10); a change that adds statements to an action fails here with the per-action breakdown, and
a change that removes some should lower the ceiling. A count, not a timing: speed figures live in bench/.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..bench import scripts

pytestmark = pytest.mark.django_db

# Statements per call of each action (the most any call of that type may issue) and per whole lifecycle, as reached
# on 2026-12-07 (before: submit 21, accept 27, claim 12, lead review 30, branch 14, join 20, decide 28, deliver 11;
# 225 per lifecycle; 171 with the hot-path work alone, 146 with the audit entries written unlinked in one INSERT,
# 133 with the actor's roles read with the signed-in user, 131 with the department joined into the lock of an
# action on a task). Each includes the transaction's two statements. On PostgreSQL an action's trailing writes —
# its audit entries, notices, documents, a clock's owner or responsible person, the case's changed columns — ride
# on the statement after them or leave together as one (core.deferred): 113 per lifecycle. Then 99: a claim's
# audit entry and clock owner go out with its conditional UPDATE (deferred.if_changed), an action on a task reads
# the task in the statement that locks the case, a new applicant is one INSERT … ON CONFLICT DO NOTHING instead of
# a savepoint around it, acceptance writes the columns it sets instead of the whole case, and a queued write to
# `documents_document` rides on the UPDATE of `documents_documentcounter` (a table is matched by its whole name).
# Then 84: a claim takes no case lock, and its one statement (the conditional UPDATE with its writes) is atomic by
# itself, so it runs without a transaction of its own — one statement where it took four (guarded(single_write=True)).
# Then 81: a delivery likewise, its case read without a lock and its one UPDATE (delivered_at still empty) carrying
# the clock's stop and the audit entry — two statements where it took five. Then 76: an action on a task stops the
# step's clock in the statement that completes the task (the clock's UPDATE rides on the task's and its row count
# comes back with it, so a paused clock is still resumed and stopped after). Then 71: an action on a branch of a joint
# review reads the review with the step's tasks in one statement (its current pass and, for the join, the open
# ones to cancel) instead of three, and the step's first opening inserts its review without reading first. Then 70:
# a decision on a task read with its case (as a request reads it) locks the case with its item and applicant, which
# the decision's documents need, instead of reading them after. Then 64: a task goes in with its step clock in one
# statement (the clock's INSERT a WITH part of the task's), and a new case with its intake clock; a join's verdict
# rides on the next statement, and a grant's decision and licence take their two numbers in one statement. Then
# 60: what an action on a task reads after completing it — a branch's review and step tasks, a decision's open tasks
# — rides on the statement that completes it (deferred.Guard.read_along). Then 56: an item's materials, form fields
# and co-departments are read once per state of the item and kept (catalog.kept; the warm-up lifecycle reads
# them, as a running server has), and the task that decides stops the case's clocks in its own statement. Then 54:
# an application reads its process version in its case-number counter's statement, and a joint review's first
# opening reads its departments in its INSERT's (core.compiled: CompiledRead.rows_beside). Then 52: an action on a
# task writes its own audit entry with the task's statement, so a branch whose join is still pending sends nothing
# after it. Then 51: a grant reads the failed join that forbids it with the open tasks it cancels, in one read
# riding on its task's statement. Then 48: an application's applicant is found or created in one statement (an
# INSERT … ON CONFLICT DO NOTHING with the read beside it), acceptance reads the intake clock with the case's lock
# and stops it as a trailing write, and a new task's step clock names the task as its owner as it goes in (the
# task's key drawn first, core.compiled.insert_with_parents with `back`) instead of an UPDATE after. Then 46: the
# audit entries logged before a step opens (an acceptance's, a join's verdict) ride on the INSERT of its tasks
# instead of leaving alone before the commit. Then 43: the keys of new cases, clocks and tasks are drawn ahead
# (core.keys, a block of 64 per statement), so that a new case with its intake clock, a case's promised and legal
# clocks and its delivery clock wait with the trailing writes though the case points at them. Then 42: acceptance
# reads the materials still missing in the statement that locks the case (CompiledRead.objects_with). Then 41: a lead
# review that opens the joint review reads the co-departments (and a review of an earlier pass) in its task's
# statement, and the new review goes in with the trailing writes, its key drawn ahead.
# SQLite has no writable CTEs and no round trips to save, so it sends the writes one by one, and a claim keeps its
# transaction, as a delivery does: 112 (a grant's two documents are one INSERT there too), then 108 with the kept
# catalog reads and the decision's clocks stopped in one UPDATE, and 109 with the task's audit entry written with the
# task's UPDATE (on SQLite a second INSERT where the join writes later entries too).
CEILING_PER_ACTION = {
    "submit": 5,
    "accept": 5,
    "claim": 1,
    "approve_review": 5,
    "approve_branch": 4,
    "approve_branch_join": 5,
    "decide": 6,
    "deliver": 2,
}
CEILING_PER_LIFECYCLE = 41
CEILING_PER_ACTION_SQLITE = {
    "submit": 12,
    "accept": 14,
    "claim": 5,
    "approve_review": 12,
    "approve_branch": 7,
    "approve_branch_join": 12,
    "decide": 14,
    "deliver": 6,
}
CEILING_PER_LIFECYCLE_SQLITE = 109
CALLS = {
    "submit": 1,
    "accept": 1,
    "claim": 5,
    "approve_review": 1,
    "approve_branch": 2,
    "approve_branch_join": 1,
    "decide": 1,
    "deliver": 1,
}


def _bench() -> Any:
    return scripts.load("cases_bench")


class _Counting:
    """The benchmark's recorder interface (`call(name, fn, ...)`), keeping every statement of every call."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}
        self.sql: dict[str, list[list[str]]] = {}

    def call(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with CaptureQueriesContext(connection) as queries:
            result = fn(*args, **kwargs)
        self.counts.setdefault(name, []).append(len(queries))
        self.sql.setdefault(name, []).append([q["sql"][:200] for q in queries.captured_queries])
        return result


@pytest.fixture(scope="module")
def measured(demo_county: Any, django_db_blocker: Any) -> dict[str, Any]:
    """One warm-up lifecycle (fills the process-wide caches, as a running server has them), then one counted."""
    from govhall.cases.models import Case, JointReview, Task
    from govhall.clocks import thresholds
    from govhall.clocks.models import Clock
    from govhall.core import keys

    bench = _bench()
    # The yellow-threshold cache expires after 30 s; a slow machine must not see a re-read mid-lifecycle.
    expiry, thresholds.CACHE_SECONDS = thresholds.CACHE_SECONDS, 3600.0
    try:
        with django_db_blocker.unblock():
            item, cast, uploads = bench._prepare()
            bench.lifecycle(0, item, cast, uploads, bench._Quiet())
            # Keys are drawn ahead a block at a time (core.keys): one statement per 64 new rows of a table, about
            # 0.25 per lifecycle, paid where a block runs out. Topped up here so that no refill lands in the count.
            for model, count in ((Case, 1), (Clock, 9), (Task, 5), (JointReview, 1)):
                keys.reserve(model, count)
            recorder = _Counting()
            bench.lifecycle(1, item, cast, uploads, recorder)
    finally:
        thresholds.CACHE_SECONDS = expiry
    return {"counts": recorder.counts, "sql": recorder.sql}


def _ceilings() -> tuple[dict[str, int], int]:
    if connection.vendor == "postgresql":
        return CEILING_PER_ACTION, CEILING_PER_LIFECYCLE
    return CEILING_PER_ACTION_SQLITE, CEILING_PER_LIFECYCLE_SQLITE


def _breakdown(measured: dict[str, Any]) -> str:
    ceilings, _ = _ceilings()
    lines = []
    for name, counts in measured["counts"].items():
        lines.append(f"{name}: {counts} (ceiling {ceilings.get(name)})")
        for n, statements in enumerate(measured["sql"][name]):
            if len(statements) > ceilings.get(name, 0):
                lines.append(f"  call {n + 1}:")
                lines.extend(f"    {sql}" for sql in statements)
    return "\n".join(lines)


def test_the_lifecycle_runs_the_thirteen_actions(measured: dict[str, Any]) -> None:
    calls = {name: len(counts) for name, counts in measured["counts"].items()}
    assert calls == CALLS, calls


def test_statements_per_action_stay_under_the_ceiling(measured: dict[str, Any]) -> None:
    ceilings, _ = _ceilings()
    over = {name: max(counts) for name, counts in measured["counts"].items() if max(counts) > ceilings[name]}
    if over:
        print(_breakdown(measured))  # shown in full under "Captured stdout" (the assertion text is shortened)
    assert not over, f"actions over their statement ceiling: {over}\n{_breakdown(measured)}"


def test_statements_per_lifecycle_stay_under_the_ceiling(measured: dict[str, Any]) -> None:
    _, ceiling = _ceilings()
    total = sum(sum(counts) for counts in measured["counts"].values())
    if total > ceiling:
        print(_breakdown(measured))
    assert total <= ceiling, f"{total} statements per lifecycle (ceiling {ceiling})\n{_breakdown(measured)}"
