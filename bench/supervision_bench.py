"""Supervision watcher benchmark: the sweep's cost with many open clocks and few due ones.

    .venv/bin/python bench/supervision_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_supbench
    .venv/bin/python bench/supervision_bench.py --quick            # 10,000 / 100,000 open clocks, SQLite by default

The database is chosen as in run.py (--database-url, else $DATABASE_URL, else a throwaway SQLite file; a
PostgreSQL database that does not exist is created and dropped at the end). Use a throwaway database: the
benchmark inserts up to a million clocks. stdout is one JSON object.

For each number of open clocks (default 100,000 then 1,000,000: running clocks whose next check falls somewhere in
the next 60 days, inserted with bulk_create and then ANALYZEd as autovacuum would) and each number K of due clocks
(default 100 and 1,000: running clocks that turned red a minute ago), it times
`govhall.supervision.actions.sweep_once` (median of `--repeat` runs; each run inserts fresh due clocks and checks that
exactly K alerts were raised). Figures:

- ``sweep_ms``: one sweep over the K due clocks (claim with SKIP LOCKED, light, alert, next check), all batches;
- ``alerts_per_s``: K / sweep time;
- ``idle_sweep_ms``: a sweep when nothing is due: the price of looking, paid every few seconds by the watcher;
- ``claim_plan``: EXPLAIN (ANALYZE, BUFFERS) of the claim query with K due, and whether it reads the
  `next_check_at` index (PostgreSQL).

The due clocks have no case or task: the figures are the watcher's own work (claim, light, alert row, reschedule);
the escalation rungs of owned clocks (notifications, cards, orders) add their own inserts per alert.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from typing import Any

BATCH = 50_000


def _clock(now: dt.datetime, next_check: dt.datetime, *, due: dt.datetime, warn: dt.datetime) -> Any:
    from govhall.clocks.choices import ClockKind, ClockState, ClockUnit
    from govhall.clocks.models import Clock

    return Clock(
        kind=ClockKind.STEP,
        label="bench",
        unit=ClockUnit.WORKDAY,
        budget=5,
        started_at=now - dt.timedelta(days=3),
        start_day=(now - dt.timedelta(days=3)).date(),
        state=ClockState.RUNNING,
        due_day=due.date(),
        due_at=due,
        warn_at=warn,
        next_check_at=next_check,
    )


def _add_open(count: int, now: dt.datetime, rng: random.Random) -> float:
    """Open clocks whose next check is in the next 60 days; returns seconds taken."""
    from govhall.clocks.models import Clock

    started = time.perf_counter()
    horizon = 60 * 24 * 3600
    done = 0
    while done < count:
        n = min(BATCH, count - done)
        rows = []
        for _ in range(n):
            warn = now + dt.timedelta(seconds=rng.randint(60, horizon))
            rows.append(_clock(now, warn, due=warn + dt.timedelta(days=1), warn=warn))
        Clock.objects.bulk_create(rows, batch_size=5000)
        done += n
    return time.perf_counter() - started


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clocks_clock" if connection.vendor == "postgresql" else "ANALYZE")


def _add_due(count: int, now: dt.datetime) -> list[int]:
    from govhall.clocks.models import Clock

    due = now - dt.timedelta(minutes=1)
    rows = [_clock(now, due, due=due, warn=due - dt.timedelta(days=1)) for _ in range(count)]
    created = Clock.objects.bulk_create(rows, batch_size=5000)
    ids = [c.pk for c in created if c.pk is not None]
    if len(ids) != count:  # backends without RETURNING on bulk insert
        ids = list(Clock.objects.filter(next_check_at=due).values_list("pk", flat=True))
    return ids


def _remove(ids: list[int]) -> None:
    from govhall.clocks.models import Clock
    from govhall.supervision.models import Alert

    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        Alert.objects.filter(clock_id__in=chunk).delete()
        Clock.objects.filter(pk__in=chunk).delete()


def _claim_plan(now: dt.datetime) -> dict[str, Any]:
    from django.db import connection, transaction

    from govhall.clocks.models import Clock

    if connection.vendor != "postgresql":
        return {"vendor": connection.vendor}
    # The claim query of supervision.actions._claim, as the watcher runs it.
    qs = (
        Clock.objects.filter(next_check_at__lte=now)
        .select_for_update(skip_locked=True)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:200]
    )
    with transaction.atomic():
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'clocks_clock' AND indexdef LIKE %s",
            ["%(next_check_at)%"],
        )
        index = cursor.fetchone()[0]
    return {"index": index, "uses_index": any(index in line for line in plan), "plan": plan}


def _measure(k: int, now: dt.datetime, repeat: int) -> dict[str, Any]:
    from govhall.supervision.actions import sweep_once

    times: list[float] = []
    plan: dict[str, Any] = {}
    for run in range(repeat):
        ids = _add_due(k, now)
        if run == 0:
            plan = _claim_plan(now)
        started = time.perf_counter()
        result = sweep_once(at=now)
        times.append(time.perf_counter() - started)
        if result.alerts != k or result.clocks != k:
            raise SystemExit(
                f"expected {k} alerts, the sweep raised {result.alerts} over {result.clocks} clocks"
            )
        _remove(ids)
    median = statistics.median(times)
    return {
        "due": k,
        "sweep_ms": round(median * 1000, 1),
        "sweep_ms_runs": [round(t * 1000, 1) for t in times],
        "alerts_per_s": round(k / median, 1),
        "claim_plan": plan,
    }


def _idle(now: dt.datetime, repeat: int) -> float:
    from govhall.supervision.actions import sweep_once

    times = []
    for _ in range(max(3, repeat)):
        started = time.perf_counter()
        result = sweep_once(at=now)
        times.append(time.perf_counter() - started)
        assert result.clocks == 0
    return round(statistics.median(times) * 1000, 2)


def run(open_counts: list[int], due_counts: list[int], repeat: int) -> dict[str, Any]:
    from govhall.clocks.models import Clock
    from govhall.core.clock import now as _now

    if Clock.objects.exists():
        raise SystemExit(
            "supervision_bench needs an empty clock table: use a throwaway database (see --help)"
        )
    rng = random.Random(4)
    now = _now()
    sweep_once_warmup(now)
    results: list[dict[str, Any]] = []
    have = 0
    for target in sorted(open_counts):
        insert_s = _add_open(target - have, now, rng)
        have = target
        _analyze()
        entry: dict[str, Any] = {
            "open_clocks": have,
            "insert_s": round(insert_s, 1),
            "idle_sweep_ms": _idle(now, repeat),
            "due": [],
        }
        for k in due_counts:
            entry["due"].append(_measure(k, now, repeat))
        # The plans are long: keep the full text for the largest K only.
        for measured in entry["due"][:-1]:
            plan = measured["claim_plan"]
            if "plan" in plan:
                plan["plan"] = plan["plan"][:3]
        results.append(entry)
        print(f"[bench] {have} open clocks done", file=sys.stderr, flush=True)
    return {"runs": results}


def sweep_once_warmup(now: dt.datetime) -> None:
    """One sweep on an empty table: imports, the calendar snapshot and the trigger cursor are set up once."""
    from govhall.supervision.actions import sweep_once

    sweep_once(at=now)


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument(
        "--open", default="100000,1000000", help="open clock counts, ascending [100000,1000000]"
    )
    parser.add_argument("--due", default="100,1000", help="due clock counts per sweep [100,1000]")
    parser.add_argument("--repeat", type=int, default=3, help="sweeps per figure (median) [3]")
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 open clocks, one repeat")
    args = parser.parse_args(argv)
    open_counts = [10_000, 100_000] if args.quick else _ints(args.open)
    repeat = 1 if args.quick else args.repeat

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import run as bench_run  # bench/run.py: the same database handling as the other benchmarks

    var_dir = tempfile.mkdtemp(prefix="govhall-supervision-bench-")
    try:
        bench_run._configure_environment(args.database_url, var_dir)
        with contextlib.ExitStack() as stack:
            if args.database_url and bench_run._is_postgres(args.database_url):
                stack.enter_context(bench_run._postgres_database(args.database_url))
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connection

            call_command("migrate", interactive=False, verbosity=0)
            results = run(open_counts, _ints(args.due), repeat)
            vendor = connection.vendor
            db_version = bench_run._database_version(connection)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    output = {
        "database": vendor,
        "database_version": db_version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "results": {"supervision": results},
    }
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
