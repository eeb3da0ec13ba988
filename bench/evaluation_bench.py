"""绩效考评 benchmark: `evaluate_month` (and closing the month) for 150 windows and 2,000 staff over a month with 1M
concluded cases and 1M ratings, plus alerts and cards.

    .venv/bin/python bench/evaluation_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_bench_eval
    .venv/bin/python bench/evaluation_bench.py --quick        # throwaway SQLite, 100k cases and ratings

The database is chosen as in run.py (PostgreSQL is created and dropped at the end when it did not exist). The demo
county is seeded and a short simulation gives one concluded case; windows and staff are added up to 150 and 2,000,
then the month (November 2025) is bulk-loaded in SQL: one stopped case clock per case (5% late), the cases (each
received at one of the windows by one of the staff, concluded in the month), one rating per case (national mix, ~6%
bad), 1% of the cases with a red step alert and 0.1% with a card.

Figures (stdout is one JSON object): ``load_s``; ``evaluate_s`` (median of 3 `scoring.evaluate` calls — every
automatic item, the entered items, scores, ranks and titles); ``close_s`` (`actions.close_month`: the evaluation plus
storing 2,150 frozen results); ``frozen_read_s`` (`queries.month_results` of the closed month).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from typing import Any

from django.db import connection

WINDOWS = 150
STAFF = 2000


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _series_from(n: int) -> str:
    if _pg():
        return f"FROM generate_series(1, {int(n)}) AS g(n)"
    return f"FROM (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {int(n)}) SELECT n FROM s) g"


def _instant(base: str, days: str, minutes: str) -> str:
    if _pg():
        return f"(TIMESTAMP WITH TIME ZONE '{base}+00' + ({days}) * INTERVAL '1 day' + ({minutes}) * INTERVAL '1 minute')"
    return f"datetime('{base}', '+' || ({days}) || ' days', '+' || ({minutes}) || ' minutes')"


def _big(column: str) -> str:
    return f"{column}::bigint" if _pg() else column


def _day(base: str, days: str) -> str:
    if _pg():
        return f"(DATE '{base}' + ({days})::int)"
    return f"date('{base}', '+' || ({days}) || ' days')"


def grow_org() -> tuple[list[int], list[tuple[int, int, int]]]:
    """Windows up to 150 and window staff up to 2,000 (bulk-created); returns window ids and (staff, user, window)."""
    from django.contrib.auth.models import User

    from govhall.org.models import Hall, StaffProfile, Window

    hall = Hall.objects.order_by("pk").first()
    assert hall is not None
    existing = Window.objects.count()
    Window.objects.bulk_create(
        Window(hall=hall, floor=1 + i % 3, number=f"X{i:03d}", name=f"压测窗口{i}", kind="specialised")
        for i in range(max(0, WINDOWS - existing))
    )
    windows = list(Window.objects.order_by("pk").values_list("pk", flat=True))[:WINDOWS]
    have = StaffProfile.objects.filter(window__isnull=False).count()
    users = User.objects.bulk_create(User(username=f"bench{i:05d}") for i in range(max(0, STAFF - have)))
    StaffProfile.objects.bulk_create(
        StaffProfile(user=u, name=f"压测{i}", employee_no=f"B{i:05d}", window_id=windows[i % len(windows)])
        for i, u in enumerate(users)
    )
    staff = list(
        StaffProfile.objects.filter(window__isnull=False)
        .order_by("pk")
        .values_list("pk", "user_id", "window_id")
    )[:STAFF]
    return windows, staff


def load_month(template_pk: int, n: int, staff: list[tuple[int, int, int]]) -> None:
    from govhall.cases.models import Case
    from govhall.clocks.models import Clock

    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_staff")
        cursor.execute(
            "CREATE TABLE bench_staff (k integer PRIMARY KEY, staff_id integer, user_id integer, window_id integer)"
        )
        cursor.executemany(
            "INSERT INTO bench_staff VALUES (%s, %s, %s, %s)",
            [(k, s, u, w) for k, (s, u, w) in enumerate(staff)],
        )
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Clock._meta.db_table}")
        clock_base = int(cursor.fetchone()[0])
        concluded = _instant("2025-11-01 01:00:00", "g.n % 29", "g.n % 480")
        due = _instant("2025-11-01 16:00:00", "g.n % 29 + (g.n % 7)", "0")
        late = f"(({_big('g.n')} * 7919 % 1009) % 20 = 0)"
        cursor.execute(
            "INSERT INTO clocks_clock (id, kind, label, unit, budget, extension, paused_amount, sessions, started_at, "
            "start_day, state, due_day, due_at, provisional, stopped_at, late, owner_type, owner_label, owner_link) "
            f"SELECT {clock_base} + g.n, 'case', '', 'workday', 5, 0, 0, '', {concluded}, "
            f"{_day('2025-10-20', 'g.n % 29')}, 'stopped', {_day('2025-11-01', 'g.n % 29 + (g.n % 7)')}, {due}, "
            f"false, {concluded}, {late}, '', '', '' {_series_from(n)}"
        )
        overrides = {
            "number": ("'EV' || g.n" if not _pg() else "'EV' || lpad(g.n::text, 14, '0')"),
            "window": "(SELECT window_id FROM bench_staff WHERE k = g.n % " + str(len(staff)) + ")",
            "received_by": "(SELECT user_id FROM bench_staff WHERE k = g.n % " + str(len(staff)) + ")",
            "concluded_at": concluded,
            "decided_at": concluded,
            "clock": f"{clock_base} + g.n",
            "intake_clock": "NULL",
            "legal_clock": "NULL",
            "delivery_clock": "NULL",
        }
        columns, values = [], []
        for field in Case._meta.concrete_fields:
            if field.primary_key:
                continue
            columns.append(q(field.column))
            values.append(overrides.get(field.name, f"t.{q(field.column)}"))
        cursor.execute(
            f"INSERT INTO cases_case ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"{_series_from(n)}, cases_case t WHERE t.id = {int(template_pk)}"
        )
        # A prime modulus, so the levels vary within each staff member's cases (c.id steps by the staff count).
        rand = f"(({_big('c.id')} * 7919 % 1009) % 100)"
        level = (
            f"(CASE WHEN {rand} < 70 THEN '5' WHEN {rand} < 88 THEN '4' WHEN {rand} < 94 THEN '3' "
            f"WHEN {rand} < 98 THEN '2' ELSE '1' END)"
        )
        rated_day = _day("2025-11-01", "c.id % 29")
        rated_at = _instant("2025-11-01 03:00:00", "c.id % 29", "0")
        cursor.execute(
            "INSERT INTO ratings_rating (case_id, level, dimensions, comment, channel, online, is_default, real_name, "
            "rated_at, rated_day, department_id, window_id, staff_id, item_id, counted) "
            f"SELECT c.id, {level}, '{{}}', '', 'qr', false, false, true, {rated_at}, {rated_day}, c.department_id, "
            "c.window_id, s.staff_id, c.item_id, true "
            "FROM cases_case c JOIN bench_staff s ON s.user_id = c.received_by_id WHERE c.number LIKE 'EV%'"
        )
        raised = _instant("2025-11-02 02:00:00", "c.id % 27", "0")
        cursor.execute(
            "INSERT INTO supervision_alert (level, kind, case_id, department_id, responsible_id, summary, label, link, "
            f"raised_at) SELECT 'red', 'step', c.id, c.department_id, c.received_by_id, '环节超期 ' || c.number, '', '', "
            f"{raised} FROM cases_case c WHERE c.number LIKE 'EV%' AND c.id % 100 = 7"
        )
        cursor.execute(
            "INSERT INTO supervision_card (level, person_id, department_id, reason, alert_id, issued_at) "
            "SELECT CASE WHEN a.id % 10 = 0 THEN 'red' ELSE 'yellow' END, a.responsible_id, a.department_id, "
            "'逾期未整改', a.id, a.raised_at FROM supervision_alert a WHERE a.kind = 'step' AND a.id % 10 < 1"
        )
        cursor.execute("DROP TABLE bench_staff")
        if _pg():
            for table in (
                "cases_case",
                "clocks_clock",
                "ratings_rating",
                "supervision_alert",
                "supervision_card",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def run(quick: bool = False) -> dict[str, Any]:
    from django.contrib.auth.models import User

    from govhall.cases.choices import CaseStatus
    from govhall.cases.models import Case
    from govhall.demo.loader import seed_demo
    from govhall.demo.simulation import simulate
    from govhall.evaluation import actions, scoring
    from govhall.evaluation.queries import month_results
    from govhall.org.choices import Role

    seed_demo()
    simulate(cases=20, days=3, seed=1)
    template = Case.objects.filter(status=CaseStatus.CONCLUDED).order_by("pk").first()
    assert template is not None, "the simulation concluded no case"
    windows, staff = grow_org()
    n = 100_000 if quick else 1_000_000
    started = time.perf_counter()
    load_month(template.pk, n, staff)
    result: dict[str, Any] = {"windows": len(windows), "staff": len(staff), "cases": n, "ratings": n}
    result["load_s"] = round(time.perf_counter() - started, 1)
    month = date(2025, 11, 1)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        ev = scoring.evaluate(month)
        times.append(time.perf_counter() - started)
    result["evaluate_s"] = round(statistics.median(times), 2)
    result["honoured_staff"] = sum(1 for u in ev.staff if u.title)
    result["barred_staff"] = sum(1 for u in ev.staff if u.barred)
    officer = User.objects.filter(groups__name=Role.PERFORMANCE_OFFICER.value).order_by("pk").first()
    assert officer is not None
    started = time.perf_counter()
    actions.close_month(actor=officer, month=month)
    result["close_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    frozen = month_results(month)
    result["frozen_read_s"] = round(time.perf_counter() - started, 2)
    result["frozen_rows"] = len(frozen["windows"]) + len(frozen["staff"])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument("--quick", action="store_true", help="100k cases and ratings instead of 1M")
    args = parser.parse_args(argv)

    import run as bench_run  # bench/run.py: the same database handling as the other benchmarks

    var_dir = tempfile.mkdtemp(prefix="govhall-evaluation-bench-")
    try:
        bench_run._configure_environment(args.database_url, var_dir)
        with contextlib.ExitStack() as stack:
            if args.database_url and bench_run._is_postgres(args.database_url):
                stack.enter_context(bench_run._postgres_database(args.database_url))
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", interactive=False, verbosity=0)
            started = time.perf_counter()
            results = run(quick=args.quick)
            results["total_s"] = round(time.perf_counter() - started, 1)
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
        "results": {"evaluation": results},
    }
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
