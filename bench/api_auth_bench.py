"""API authentication benchmark: requests per second on one endpoint with an API token, HTTP Basic, a login session
and anonymously.

    .venv/bin/python bench/api_auth_bench.py                  # throwaway SQLite database in a temp dir
    .venv/bin/python bench/api_auth_bench.py --quick
    .venv/bin/python bench/api_auth_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_bench

The database is chosen as in run.py; the demo county is loaded first. stdout is one JSON object.

The endpoint is `GET /api/v1/tasks` (the task list a script polls) as the demo window clerk `clerk`, through
Django's test Client: the whole Django stack without a web server, sequential requests after 3 warm-up ones.
Passwords use the production hasher (Django's PBKDF2), as `seed_demo` stores them.

Figures, per scheme (`token`, `basic`, `session`, `anonymous`): `requests`, `req_per_s`, `median_ms`, `p95_ms`
and `status` (the answer's status code). `anonymous` answers 401: it is the floor, the cost of the stack without
authentication nor the list. `basic_over_token` is how many times longer a Basic request takes than a token one.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PATH = "/api/v1/tasks"
USERNAME = "clerk"
PASSWORD = "govhall-demo"


def _log(message: str) -> None:
    print(f"[api_auth_bench] {message}", file=sys.stderr, flush=True)


def _measure(client: Any, runs: int, **headers: str) -> dict[str, Any]:
    status = 0
    for _ in range(3):
        status = client.get(PATH, **headers).status_code
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(PATH, **headers)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "requests": runs,
        "req_per_s": round(1000 * runs / sum(times), 1),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "status": status,
    }


def run(quick: bool = False) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.test import Client

    from govhall.core import tokens

    user = User.objects.get(username=USERNAME)
    secret = tokens.issue_token(user, "api_auth_bench", days=1).secret
    basic = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    fast, slow = (30, 5) if quick else (200, 20)
    session = Client()
    session.force_login(user)
    results: dict[str, Any] = {"endpoint": PATH, "user": USERNAME}
    _log("token")
    results["token"] = _measure(Client(), fast, HTTP_AUTHORIZATION=f"Bearer {secret}")
    _log("basic (slow: PBKDF2 on every request)")
    results["basic"] = _measure(Client(), slow, HTTP_AUTHORIZATION=basic)
    _log("session")
    results["session"] = _measure(session, fast)
    _log("anonymous")
    results["anonymous"] = _measure(Client(), fast)
    results["basic_over_token"] = round(results["basic"]["median_ms"] / results["token"]["median_ms"], 1)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument("--quick", action="store_true", help="30 requests per scheme (5 for Basic)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(BENCH_DIR))
    import run as bench_run  # bench/run.py: the same database handling as the other benchmarks

    var_dir = tempfile.mkdtemp(prefix="govhall-api-auth-bench-")
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
            _log("seed_demo")
            with open(os.devnull, "w") as devnull:
                call_command("seed_demo", verbosity=0, stdout=devnull)
            results = run(quick=args.quick)
            vendor = connection.vendor
            db_version = bench_run._database_version(connection)
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
        "results": results,
    }
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
