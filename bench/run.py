"""Run the govhall benchmarks and print their figures as one JSON object on stdout.

    .venv/bin/python bench/run.py                      # throwaway SQLite database in a temp dir
    .venv/bin/python bench/run.py --quick              # shorter run (fewer repetitions)
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/govhall_bench

Speed targets live here, never in the test suite: these figures are printed, not asserted.
See bench/README.md for what each figure means and the figures measured on the reference machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


@contextlib.contextmanager
def _postgres_database(url: str) -> Iterator[bool]:
    """Create the database named in `url` if it is missing; drop it afterwards if this run created it.

    Yields whether the database already existed (a pre-existing database is used as it is and kept)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(
            "--database-url must name a database, e.g. postgres://postgres@127.0.0.1:5432/govhall_bench"
        )
    admin_url = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        existed = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if existed:
            _log(f"database {name!r} already exists: using it as it is and keeping it")
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            _log(f"created database {name!r}")
    try:
        yield existed
    finally:
        if not existed:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            _log(f"dropped database {name!r}")


def _configure_environment(database_url: str | None, var_dir: str) -> None:
    """Everything settings.py reads must be in the environment before django.setup()."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "govhall.settings"
    # Static root, media and (by default) the SQLite file all go to the throwaway directory, never var/.
    os.environ["GOVHALL_VAR_DIR"] = var_dir
    os.environ["GOVHALL_MEDIA_ROOT"] = str(Path(var_dir) / "media")
    # Measure the production configuration: DEBUG off (no query log kept per request).
    os.environ.setdefault("GOVHALL_DEBUG", "0")
    os.environ.setdefault("GOVHALL_SECRET_KEY", "bench-only-throwaway-key")
    os.environ.setdefault("GOVHALL_LOG_LEVEL", "WARNING")
    os.environ.setdefault("GOVHALL_SMS_BACKEND", "govhall.notifications.sms.NullSmsBackend")
    # The test client speaks plain HTTP: without a TLS proxy in front, production's HTTPS redirect would answer 301.
    os.environ.setdefault("GOVHALL_HTTPS", "0")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))


def _database_version(connection: Any) -> str:
    if connection.vendor == "postgresql":
        number = connection.pg_version  # e.g. 150020
        return f"{number // 10000}.{number % 10000}"
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version
    return ""


def _timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000, value


def _run(args: argparse.Namespace, var_dir: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import calendar_bench
    import cases_bench
    import catalog_bench
    from govhall.catalog.models import ServiceItem

    setup: dict[str, Any] = {}
    _log(f"migrate ({connection.vendor})")
    setup["migrate_s"] = round(
        _timed(lambda: call_command("migrate", interactive=False, verbosity=0))[0] / 1000, 2
    )
    _log("seed_demo")
    with open(os.devnull, "w") as devnull:
        ms, _ = _timed(lambda: call_command("seed_demo", verbosity=0, stdout=devnull))
    setup["seed_demo_s"] = round(ms / 1000, 2)
    _log("seed_demo again (nothing to create)")
    with open(os.devnull, "w") as devnull:
        ms, _ = _timed(lambda: call_command("seed_demo", verbosity=0, stdout=devnull))
    setup["seed_demo_rerun_s"] = round(ms / 1000, 2)
    setup["items"] = ServiceItem.objects.count()

    results: dict[str, Any] = {"setup": setup}
    _log("calendar benchmark")
    results["calendar"] = calendar_bench.run(quick=args.quick)
    _log("catalog benchmark")
    results["catalog"] = catalog_bench.run(quick=args.quick, work_dir=Path(var_dir))
    _log("cases benchmark")
    results["cases"] = cases_bench.run(quick=args.quick)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="database to benchmark (default: $DATABASE_URL, else a throwaway SQLite file). A PostgreSQL "
        "database that does not exist is created and dropped at the end.",
    )
    parser.add_argument("--quick", action="store_true", help="short run: fewer repetitions, rougher figures")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    var_dir = tempfile.mkdtemp(prefix="govhall-bench-")
    try:
        _configure_environment(args.database_url, var_dir)
        with contextlib.ExitStack() as stack:
            if args.database_url and _is_postgres(args.database_url):
                stack.enter_context(_postgres_database(args.database_url))
            results = _run(args, var_dir)
            import django
            from django.db import connection

            vendor = connection.vendor
            db_version = _database_version(connection)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)

    output = {
        "database": vendor,
        "database_version": db_version,
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "total_s": round(time.perf_counter() - started, 1),
        "results": results,
    }
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
