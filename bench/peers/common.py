"""What the peers share: the 13 steps of the lifecycle, the timing of rounds, two processes started together, and a
statement counter on a psycopg connection.

The lifecycle (bench/cases_bench.py's, on the demo joint-review item) as 13 transactions:

    submit → accept → claim + approve (lead review) → claim + approve ×3 (joint review, an "all" join)
    → claim + approve (decision) → deliver
"""

from __future__ import annotations

import json
import multiprocessing as mp
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

TRANSACTIONS = 13


def log(name: str, message: str) -> None:
    print(f"[{name}] {message}", file=sys.stderr, flush=True)


def rounds(run_one: Callable[[int], None], lifecycles: int, n_rounds: int, offset: int = 0) -> dict[str, Any]:
    """Median lifecycles/s over `n_rounds` rounds of `lifecycles` sequential lifecycles."""
    rates = []
    for r in range(n_rounds):
        t0 = time.perf_counter()
        for i in range(lifecycles):
            run_one(offset + 10_000 * r + i)
        rates.append(lifecycles / (time.perf_counter() - t0))
    return {"rounds": [round(x, 2) for x in rates], "lifecycles_per_s": round(statistics.median(rates), 2)}


def _worker(
    make: Callable[[], Callable[[int], None]], n: int, offset: int, start_at: float, out: Any
) -> None:
    run_one = make()
    run_one(offset - 1)  # warm-up, before the start line
    time.sleep(max(0.0, start_at - time.time()))
    began = time.time()
    done = errors = 0
    sample = ""
    for i in range(n):
        try:
            run_one(offset + i)
            done += 1
        except Exception as exc:
            errors += 1
            sample = sample or f"{type(exc).__name__}: {exc}"[:500]
    out.put({"done": done, "errors": errors, "sample": sample, "began": began, "ended": time.time()})


def two_processes(
    make: Callable[[], Callable[[int], None]], lifecycles: int, n_rounds: int
) -> dict[str, Any]:
    """Two processes (spawned: each makes its own connections) running `lifecycles` each from the same instant;
    the rate is the total over the wall time both were running. Median over rounds."""
    ctx = mp.get_context("spawn")
    rates, errors, samples = [], 0, []
    for r in range(n_rounds):
        out = ctx.Queue()
        start_at = time.time() + 5.0
        procs = [
            ctx.Process(
                target=_worker, args=(make, lifecycles, 1_000_000 * (k + 1) + 50_000 * r, start_at, out)
            )
            for k in range(2)
        ]
        for p in procs:
            p.start()
        reports = [out.get(timeout=3600) for _ in procs]
        for p in procs:
            p.join()
        began = min(x["began"] for x in reports)
        ended = max(x["ended"] for x in reports)
        rates.append(sum(x["done"] for x in reports) / (ended - began))
        errors += sum(x["errors"] for x in reports)
        samples += [x["sample"] for x in reports if x["sample"]]
    return {
        "rounds": [round(x, 2) for x in rates],
        "lifecycles_per_s": round(statistics.median(rates), 2),
        "errors": errors,
        "error_samples": samples[:2],
    }


class Counter:
    """Counts the statements a psycopg 3 connection sends (execute calls, BEGIN/COMMIT included when the
    connection is driven by `transaction()`: psycopg sends them as statements)."""

    def __init__(self) -> None:
        self.count = 0

    def attach(self, conn: Any) -> None:
        # psycopg 3 has no statement hook: wrap the cursor factory's execute and the transaction blocks.
        counter = self
        base = conn.cursor_factory

        class Counted(base):  # type: ignore[misc, valid-type]
            def execute(self, *args: Any, **kwargs: Any) -> Any:
                counter.count += 1
                return super().execute(*args, **kwargs)

        conn.cursor_factory = Counted


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, ensure_ascii=False))
