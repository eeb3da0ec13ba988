"""The reliability suite: kill -9 during an intake load, and races on one task, on a cluster over one PostgreSQL.

    .venv/bin/python bench/reliability/run.py                  # = make reliability
    .venv/bin/python bench/reliability/run.py --applications 300 --races 200 --kills 6 --seed 2

Creates the database (default postgres://postgres@127.0.0.1:5432/govhall_reliability; it must not exist, or
--reuse), migrates it, starts the cluster on loopback ports, runs (a) and (b), stops everything, drops the database
(unless --keep) and prints one JSON object. Exit status 0 only when nothing was lost or duplicated, the audit chain
is intact and every race had exactly one winner. See bench/reliability/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/govhall_reliability"


def _log(message: str) -> None:
    print(f"[reliability] {message}", file=sys.stderr, flush=True)


def _admin(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--applications", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--kills", type=int, default=6, help="kill -9s during the load (servers and workers)")
    parser.add_argument("--races", type=int, default=200)
    parser.add_argument("--contenders", type=int, default=4)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18700)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use an existing database as it is")
    args = parser.parse_args()
    if not 1 <= args.applications <= 5000 or not 1 <= args.races <= 1000 or not 0 <= args.kills <= 50:
        parser.error("bounded run: --applications 1–5000, --races 1–1000, --kills 0–50")
    name = urlsplit(args.database_url).path.lstrip("/")
    if not name or name == "govhall":
        parser.error("--database-url must name a database of its own (not govhall)")

    started = time.monotonic()
    if not args.reuse:
        _log(f"creating database {name}")
        _admin(args.database_url, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("GOVHALL_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "govhall.settings"
    sys.path.insert(0, str(ROOT))
    try:
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True, cwd=ROOT)
        import django

        django.setup()
        from django.db import connection

        from bench.reliability import harness

        _log("preparing the hall")
        hall = harness.prepare_hall(contenders=args.contenders)
        _log(f"preparing {args.races} accepted cases to race on")
        tasks = harness.accepted_tasks(hall, args.races)
        connection.close()

        rng = random.Random(args.seed)
        with tempfile.TemporaryDirectory(prefix="govhall-reliability-") as tmp:
            cluster = harness.make_cluster(
                Path(tmp),
                servers=args.servers,
                workers=args.workers,
                watchers=1,
                port=args.port,
                web_workers=args.web_workers,
            )
            victims = [m.name for m in cluster.members if not m.name.startswith("supervise")]
            kills = [rng.choice(victims) for _ in range(args.kills)]
            _log(f"cluster: {[m.name for m in cluster.members]}; kills planned: {kills}")
            cluster.start()
            try:
                _log(f"(a) {args.applications} applications with {args.kills} kill -9s")
                intake = harness.intake_under_kills(
                    cluster,
                    hall,
                    applications=args.applications,
                    kills=kills,
                    clients=args.clients,
                    seed=args.seed,
                )
                _log(f"(b) {args.races} races, {args.contenders} contenders each")
                races = harness.task_races(cluster.urls(), hall, tasks)
            finally:
                cluster.stop()
            restarts = {m.name: m.restarts for m in cluster.members}
        connection.close()
    finally:
        if not args.keep and not args.reuse:
            _admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ok = (
        intake["lost"] == 0
        and intake["duplicates"] == 0
        and intake["unacknowledged"] == 0
        and not intake["client_errors"]
        and intake["audit_intact"]
        and races["exactly_one_winner"] == races["races"]
    )
    print(
        json.dumps(
            {
                "ok": ok,
                "topology": {
                    "servers": args.servers,
                    "gunicorn_workers_each": args.web_workers,
                    "run_jobs": args.workers,
                    "supervise": 1,
                },
                "intake_under_kill_9": intake,
                "restarts": restarts,
                "task_races": races,
                "seconds": round(time.monotonic() - started, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
