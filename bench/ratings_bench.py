"""好差评 benchmark: ratings per second through the rating action, and the satisfaction indicator over 1M ratings.

    .venv/bin/python bench/ratings_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_bench_ratings
    .venv/bin/python bench/ratings_bench.py --quick        # throwaway SQLite, 100k ratings, 200 actions

The database is chosen as in run.py (PostgreSQL is created and dropped at the end when it did not exist). The demo
county is seeded and a short simulation gives one concluded case; that case is cloned in SQL into as many concluded
cases as needed (the clones carry no clocks, which the rating action does not read).

Figures (stdout is one JSON object):
- ``rate_per_s`` / ``rate_ms``: ``ratings.actions.submit_rating`` called one after another on distinct concluded
  cases (QR channel, signed token checked), with the national mix of levels — about 6% bad reviews, each of which
  opens its rectification on the clock and tells the department heads; ``bad_reviews`` says how many there were.
- ``load_s``: bulk-loading ``ratings`` ratings (and as many cases) with INSERT … SELECT.
- ``month_overall_ms``, ``month_by_department_ms``, ``year_by_department_ms``, ``year_by_staff_ms``: median of 5
  calls of ``ratings.queries.rating_counts`` (the satisfaction indicator's counts) over the loaded ratings spread
  across three years; ``indicator_month_ms``: the whole ``stats.queries.indicator_table`` for one month.
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
from datetime import date
from typing import Any

from django.db import connection


def _series(n: int) -> str:
    return f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {int(n)}) "


def _number(prefix: str) -> str:
    if connection.vendor == "postgresql":
        return f"'{prefix}' || lpad(g.n::text, 14, '0')"
    return f"printf('{prefix}%014d', g.n)"


def clone_cases(template_pk: int, prefix: str, n: int) -> None:
    """n copies of a concluded case, numbered prefix + 14 digits, without clocks."""
    from govhall.cases.models import Case

    columns = []
    values = []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name == "number":
            values.append(_number(prefix))
        elif field.name in ("intake_clock", "clock", "legal_clock", "delivery_clock"):
            values.append("NULL")
        else:
            values.append(f"t.{connection.ops.quote_name(field.column)}")
    sql = (
        _series(n)
        + f"INSERT INTO cases_case ({', '.join(columns)}) SELECT {', '.join(values)} "
        + f"FROM g, cases_case t WHERE t.id = {int(template_pk)}"
    )
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO cases_case ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM generate_series(1, {int(n)}) AS g(n), cases_case t WHERE t.id = {int(template_pk)}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)


def load_ratings(prefix: str) -> None:
    """One rating per cloned case: levels in the national mix, a department and item from a mapping table (so the
    by-department figures have ~40 groups), staff from the demo's staff, days over 2024–2026."""
    from govhall.catalog.models import ServiceItem
    from govhall.org.models import StaffProfile

    items = list(ServiceItem.objects.values_list("pk", "department_id").order_by("pk"))
    staff = list(StaffProfile.objects.values_list("pk", flat=True).order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_map")
        cursor.execute(
            "CREATE TABLE bench_map (k integer PRIMARY KEY, item_id integer, department_id integer, staff_id integer)"
        )
        rng = random.Random(3)
        cursor.executemany(
            "INSERT INTO bench_map VALUES (%s, %s, %s, %s)",
            [(k, item, dept, rng.choice(staff)) for k, (item, dept) in enumerate(items)],
        )
        k = len(items)
        if connection.vendor == "postgresql":
            level = "(CASE WHEN r < 70 THEN '5' WHEN r < 88 THEN '4' WHEN r < 94 THEN '3' WHEN r < 98 THEN '2' ELSE '1' END)"
            day = "DATE '2024-01-01' + (c.id * 7919 % 1096)::int"
            at = "TIMESTAMP WITH TIME ZONE '2024-01-01 10:00+08' + ((c.id * 7919 % 1096) * INTERVAL '1 day')"
            rand = "(id * 2654435761 % 100)"
        else:
            level = "(CASE WHEN r < 70 THEN '5' WHEN r < 88 THEN '4' WHEN r < 94 THEN '3' WHEN r < 98 THEN '2' ELSE '1' END)"
            day = "date('2024-01-01', '+' || (c.id * 7919 % 1096) || ' days')"
            at = "datetime('2024-01-01 02:00:00', '+' || (c.id * 7919 % 1096) || ' days')"
            rand = "(id * 2654435761 % 100)"
        cursor.execute(
            "INSERT INTO ratings_rating (case_id, level, dimensions, comment, channel, online, is_default, real_name, "
            "rated_at, rated_day, department_id, window_id, staff_id, item_id, counted) "
            f"SELECT c.id, {level}, '{{}}', '', 'qr', false, r = 99, true, {at}, {day}, m.department_id, NULL, "
            "m.staff_id, m.item_id, true "
            f"FROM (SELECT id, {rand} AS r FROM cases_case WHERE number LIKE '{prefix}%') c "
            f"JOIN bench_map m ON m.k = c.id % {k}"
        )
        cursor.execute("DROP TABLE bench_map")
        if connection.vendor == "postgresql":
            # Autovacuum would do it in production: the visibility map lets the covering index answer alone.
            cursor.execute("VACUUM ANALYZE ratings_rating")


def _median_ms(fn: Any, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def run(quick: bool = False) -> dict[str, Any]:
    from govhall.cases.choices import CaseStatus
    from govhall.cases.models import Case
    from govhall.demo.loader import seed_demo
    from govhall.demo.simulation import simulate
    from govhall.ratings import actions, tokens
    from govhall.ratings.choices import RatingChannel
    from govhall.ratings.models import BadReview, Rating
    from govhall.ratings.queries import rating_counts
    from govhall.stats.queries import indicator_table

    seed_demo()
    simulate(cases=20, days=3, seed=1)
    template = Case.objects.filter(status=CaseStatus.CONCLUDED).order_by("pk").first()
    assert template is not None, "the simulation concluded no case"
    actions_n = 200 if quick else 1000
    clone_cases(template.pk, "RB", actions_n)
    targets = list(Case.objects.filter(number__startswith="RB").order_by("pk"))
    rng = random.Random(5)
    levels = ["5"] * 70 + ["4"] * 18 + ["3"] * 6 + ["2"] * 4 + ["1"] * 2
    bad_before = BadReview.objects.count()
    started = time.perf_counter()
    for case in targets:
        actions.submit_rating(
            case, channel=RatingChannel.QR, level=rng.choice(levels), token=tokens.case_token(case.pk)
        )
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {
        "rate_actions": len(targets),
        "rate_per_s": round(len(targets) / elapsed, 1),
        "rate_ms": round(1000 * elapsed / len(targets), 2),
        "bad_reviews": BadReview.objects.count() - bad_before,
    }
    bulk = 100_000 if quick else 1_000_000
    started = time.perf_counter()
    clone_cases(template.pk, "LB", bulk)
    load_ratings("LB")
    result["load_s"] = round(time.perf_counter() - started, 1)
    result["ratings"] = Rating.objects.count()
    month = (date(2025, 11, 1), date(2025, 11, 30))
    year = (date(2025, 1, 1), date(2025, 12, 31))
    whole = (date(2024, 1, 1), date(2026, 12, 31))
    result.update(
        {
            "month_overall_ms": _median_ms(lambda: rating_counts(month)),
            "month_by_department_ms": _median_ms(lambda: rating_counts(month, "department")),
            "year_by_department_ms": _median_ms(lambda: rating_counts(year, "department")),
            "year_by_staff_ms": _median_ms(lambda: rating_counts(year, "staff")),
            "all_years_overall_ms": _median_ms(lambda: rating_counts(whole)),
            "indicator_month_ms": _median_ms(lambda: indicator_table(month)),
            "satisfaction_rate_all_years": str(indicator_table(whole)[0].values["satisfaction_rate"]),
        }
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument(
        "--quick", action="store_true", help="100k ratings and 200 actions instead of 1M and 1000"
    )
    args = parser.parse_args(argv)

    import run as bench_run  # bench/run.py: the same database handling as the other benchmarks

    var_dir = tempfile.mkdtemp(prefix="govhall-ratings-bench-")
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
        "results": {"ratings": results},
    }
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
