"""Case audit chain benchmark: single-thread appends per second, and verification speed.

    .venv/bin/python bench/ledger_bench.py                 # throwaway SQLite database in a temp dir
    .venv/bin/python bench/ledger_bench.py --quick
    .venv/bin/python bench/ledger_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_bench

The database is chosen as in run.py (--database-url, else $DATABASE_URL, else a throwaway SQLite file; a
PostgreSQL database that does not exist is created and dropped at the end). stdout is one JSON object.

Figures:
- ``appends_per_s``: ``append()`` calls per second, each in its own ``transaction.atomic()`` — one committed
  case action per event, as in production: the entry is written unlinked (one INSERT, no lock), then the commit.
- ``appends_per_s_one_transaction``: the same calls inside one transaction: the cost without the commit.
- ``queries_per_append``: statements one append issues inside its transaction (expected 1; 3 before entries were
  written unlinked: head lock, insert, head update).
- ``link_entries_per_s``: entries per second the linker (``link()``, batches of 1000) chains: content MAC checked,
  SM3 link hash and MAC computed, one UPDATE per batch. It must stay well above the rate the actions write.
- ``verify_entries_per_s``: entries per second that ``verify()`` recomputes (SM3 + canonical JSON + paging; both
  MACs of every entry).
- ``sm3``: ``hashlib`` (OpenSSL) or ``gmssl`` (pure-Python fallback), which decides most of the verify figure.

The benchmark refuses a database whose ledger is not empty (an audit chain is not test data), and removes
its own entries at the end through the documented maintenance setting, leaving the ledger as it found it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def _event(i: int) -> dict[str, Any]:
    # A realistic step: a status change with a deadline and an opinion, on one of 500 cases.
    return {
        "subject": f"BENCH{i % 500:010d}",
        "subject_id": i % 500,
        "action": "approve",
        "actor_role": "审批人员",
        "actor_name": "基准测试",
        "before": {"status": "accepted", "step": "review", "deadline": "2026-03-30"},
        "after": {"status": "approved", "step": "decide", "deadline": "2026-03-30", "days_used": i % 20},
        "opinion": "经审查，申请材料齐全、符合法定形式，同意。",
    }


def _clear() -> None:
    from govhall.ledger.models import LedgerEntry, LedgerHead

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL govhall.ledger_maintenance = 'on'")
        LedgerEntry.objects.all().delete()
        LedgerHead.objects.all().delete()


def run(quick: bool = False) -> dict[str, Any]:
    # Imported here: the models need django.setup(), which main() (or bench/run.py) does first.
    from govhall.ledger.actions import append, link, verify
    from govhall.ledger.models import LedgerEntry, LedgerHead

    if LedgerEntry.objects.exists() or LedgerHead.objects.exclude(seq=0).exists():
        raise SystemExit("ledger_bench needs an empty audit chain: use a throwaway database (see --help)")
    n = 300 if quick else 3000
    try:
        started = time.perf_counter()
        for i in range(n):
            with transaction.atomic():
                append(**_event(i))
        committed_s = time.perf_counter() - started

        started = time.perf_counter()
        with transaction.atomic():
            for i in range(n, 2 * n):
                append(**_event(i))
        batched_s = time.perf_counter() - started

        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            append(**_event(2 * n))

        started = time.perf_counter()
        linked = link()
        link_s = time.perf_counter() - started

        started = time.perf_counter()
        report = verify()
        verify_s = time.perf_counter() - started
        if not report.ok:
            raise SystemExit(f"chain did not verify: {report.reason_zh}")
    finally:
        _clear()
    try:
        hashlib.new("sm3")
        sm3 = "hashlib"
    except ValueError:
        sm3 = "gmssl"
    return {
        "appends": n,
        "appends_per_s": round(n / committed_s, 1),
        "appends_per_s_one_transaction": round(n / batched_s, 1),
        "queries_per_append": len(captured),
        "linked_entries": linked,
        "link_entries_per_s": round(linked / link_s, 1),
        "verified_entries": report.checked,
        "verify_entries_per_s": round(report.checked / verify_s, 1),
        "sm3": sm3,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument("--quick", action="store_true", help="300 appends instead of 3000")
    args = parser.parse_args(argv)

    import run as bench_run  # bench/run.py: the same database handling as the other benchmarks

    var_dir = tempfile.mkdtemp(prefix="govhall-ledger-bench-")
    try:
        bench_run._configure_environment(args.database_url, var_dir)
        with contextlib.ExitStack() as stack:
            if args.database_url and bench_run._is_postgres(args.database_url):
                stack.enter_context(bench_run._postgres_database(args.database_url))
            import django

            django.setup()
            from django.core.management import call_command

            # Only what the ledger needs (auth and the ledger): quicker, and independent of the other apps.
            call_command("migrate", "ledger", interactive=False, verbosity=0)
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
        "results": {"ledger": results},
    }
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
