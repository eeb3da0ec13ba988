"""Power list benchmark: import 4,000 powers from Excel, then the risk map over them.

    .venv/bin/python bench/integrity_bench.py                      # throwaway SQLite
    .venv/bin/python bench/integrity_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_bench_integrity

The database is chosen as in run.py (PostgreSQL is created and dropped at the end when it did not exist). Forty
departments are created, and a workbook of `--powers` rows (default 4,000, a small city has 3,878) is written to
memory. Figures (stdout is one JSON object):
- ``workbook_s``: writing the workbook (openpyxl), for reference;
- ``import_s``: ``integrity.excel.import_powers`` of all rows into an empty list (bulk insert);
- ``reimport_s``: the same file again (every row compared, nothing changed);
- ``update_s``: a file where every name changed (bulk update of every row);
- ``points_s``: ``record_risk_points`` of one risk point per power plus two per post (A/B/C in Xinle's proportions);
- ``risk_map_s``: ``integrity.queries.risk_map()`` over all of it; ``risk_map_xlsx_s``: the map written to Excel;
- ``export_s``: ``export_powers`` of the whole list.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from typing import Any

from django.db import connection

TYPES = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"]


def _timed(fn: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    value = fn()
    return round(time.perf_counter() - t, 3), value


def _workbook(n: int, departments: list[str], suffix: str = "") -> io.BytesIO:
    from openpyxl import Workbook

    from govhall.integrity.excel import COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("职权清单")
    ws.append([label for _, label, _ in COLUMNS])
    for i in range(n):
        ws.append(
            [
                f"QL-{i:05d}",
                f"职权{i}{suffix}",
                TYPES[i % 10],
                departments[i % len(departments)],
                f"《某法》第{i % 90 + 1}条",
                "",
                "",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def run(powers: int) -> dict[str, Any]:
    from govhall.integrity import actions
    from govhall.integrity.excel import export_powers, export_risk_map, import_powers
    from govhall.integrity.models import Power
    from govhall.integrity.queries import risk_map
    from govhall.org.actions import create_department

    names = [f"测试县第{i}局" for i in range(40)]
    departments = [create_department(name=n, group="economic") for n in names]
    results: dict[str, Any] = {"powers": powers}
    results["workbook_s"], book = _timed(lambda: _workbook(powers, names))
    results["import_s"], r = _timed(lambda: import_powers(book))
    assert not r.errors and r.created == powers, r.errors[:3]
    book.seek(0)
    results["reimport_s"], r = _timed(lambda: import_powers(book))
    assert r.updated == 0
    changed = _workbook(powers, names, "（修订）")
    results["update_s"], r = _timed(lambda: import_powers(changed))
    assert r.updated == powers

    rng = random.Random(1)
    posts = []
    for d in departments:
        posts.extend(actions.create_posts(d, [(f"岗位{k}", k < 3, False) for k in range(13)]))
    levels = actions.ensure_levels()

    def grade() -> Any:
        x = rng.random()
        return levels["A"] if x < 0.1095 else levels["B"] if x < 0.415 else levels["C"]

    specs = [
        {"power": p, "description": "风险", "level": grade(), "discovery": "self"}
        for p in Power.objects.all()
    ]
    specs += [
        {"post": p, "description": "风险", "level": grade(), "discovery": "organisation"} for p in posts * 2
    ]
    results["risk_points"] = len(specs)
    results["points_s"], _ = _timed(lambda: actions.record_risk_points(specs))
    results["risk_map_s"], data = _timed(lambda: risk_map())
    results["risk_map_xlsx_s"], _ = _timed(lambda: export_risk_map(io.BytesIO(), data))
    results["export_s"], rows = _timed(lambda: export_powers(io.BytesIO()))
    assert rows == powers
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument("--powers", type=int, default=4000)
    args = parser.parse_args(argv)

    import run as bench_run  # bench/run.py: the same database handling as the other benchmarks

    var_dir = tempfile.mkdtemp(prefix="govhall-integrity-bench-")
    try:
        bench_run._configure_environment(args.database_url, var_dir)
        with contextlib.ExitStack() as stack:
            if args.database_url and bench_run._is_postgres(args.database_url):
                stack.enter_context(bench_run._postgres_database(args.database_url))
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", interactive=False, verbosity=0)
            results = run(args.powers)
            vendor = connection.vendor
            db_version = bench_run._database_version(connection)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(
        json.dumps(
            {
                "database": vendor,
                "database_version": db_version,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "results": {"integrity": results},
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
