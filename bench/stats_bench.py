"""Statistics benchmark: indicator tables over a city-sized history held in DailyFact.

    .venv/bin/python bench/stats_bench.py                  # throwaway SQLite database in a temp dir
    .venv/bin/python bench/stats_bench.py --quick
    .venv/bin/python bench/stats_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_bench

The database is chosen as in run.py. The demo county is seeded (departments and items), then synthetic DailyFact
rows are bulk-inserted for 3 years: every day a random subset of (department, item) pairs gets a row, so the rows
represent about a million cases (``cases_represented``). stdout is one JSON object.

Figures (median of 5 runs, milliseconds):
- ``month_overall_ms`` / ``month_by_department_ms``: ``indicator_table`` for one month, in total and by department.
- ``year_by_department_ms``: one calendar year by department; ``year_by_month_ms``: the same year by month.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from typing import Any

from django.db import connection


def _populate(days: int, rows_per_day: int, seed: int) -> tuple[int, int]:
    from govhall.catalog.models import ServiceItem
    from govhall.stats.models import DailyFact

    rng = random.Random(seed)
    pairs = list(ServiceItem.objects.values_list("department_id", "pk"))
    levels = ("center", "center", "center", "township", "village", "")
    start = date(2024, 1, 1)
    rows = cases = 0
    batch: list[DailyFact] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for department, item in rng.sample(pairs, min(rows_per_day, len(pairs))):
            accepted = rng.randint(1, 12)
            concluded = rng.randint(0, accepted)
            late = rng.randint(0, concluded // 4)
            instant = rng.randint(0, accepted // 3)
            batch.append(
                DailyFact(
                    day=day,
                    department_id=department,
                    item_id=item,
                    site_level=rng.choice(levels),
                    accepted=accepted,
                    concluded=concluded,
                    on_time=concluded - late,
                    late=late,
                    early=rng.randint(0, concluded - late),
                    duration_sum=concluded * rng.randint(0, 6),
                    instant_cases=instant,
                    instant_same_day=rng.randint(0, instant),
                )
            )
            cases += accepted
        if len(batch) >= 20000:
            DailyFact.objects.bulk_create(batch, batch_size=5000)
            rows += len(batch)
            batch = []
    DailyFact.objects.bulk_create(batch, batch_size=5000)
    rows += len(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE stats_dailyfact")
    return rows, cases


def _median_ms(fn: Any, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def run(quick: bool = False) -> dict[str, Any]:
    from govhall.demo.loader import seed_demo
    from govhall.stats.models import DailyFact
    from govhall.stats.queries import indicator_table

    seed_demo()
    DailyFact.objects.all().delete()
    started = time.perf_counter()
    rows, cases = _populate(days=3 * 365, rows_per_day=30 if quick else 200, seed=7)
    populate_s = round(time.perf_counter() - started, 1)
    month = (date(2025, 11, 1), date(2025, 11, 30))
    year = (date(2025, 1, 1), date(2025, 12, 31))
    result = {
        "fact_rows": rows,
        "cases_represented": cases,
        "populate_s": populate_s,
        "month_overall_ms": _median_ms(lambda: indicator_table(month)),
        "month_by_department_ms": _median_ms(lambda: indicator_table(month, by="department")),
        "year_by_department_ms": _median_ms(lambda: indicator_table(year, by="department")),
        "year_by_month_ms": _median_ms(lambda: indicator_table(year, by="month")),
        "departments_in_year_table": len(indicator_table(year, by="department")),
    }
    DailyFact.objects.all().delete()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument("--quick", action="store_true", help="30 fact rows a day instead of 200")
    args = parser.parse_args(argv)

    import run as bench_run  # bench/run.py: the same database handling as the other benchmarks

    var_dir = tempfile.mkdtemp(prefix="govhall-stats-bench-")
    try:
        bench_run._configure_environment(args.database_url, var_dir)
        with contextlib.ExitStack() as stack:
            if args.database_url and bench_run._is_postgres(args.database_url):
                stack.enter_context(bench_run._postgres_database(args.database_url))
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", interactive=False, verbosity=0)
            results = run(quick=args.quick)
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
        "results": {"stats": results},
    }
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
