"""The lifecycle through HTTP: the JSON case API (/api/v1/) served by gunicorn with 2 workers, lifecycles/s for 1 and
2 concurrent clients.

    .venv/bin/python bench/http_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_http

The database is migrated and seeded with the demo county when empty. The server is one member of `manage.py
cluster`'s machinery (govhall.core.cluster, as `make cluster` runs it; production settings, DEBUG off, plain HTTP on
the loopback interface), started on --port with --web-workers gunicorn workers, and with the audit chain's linker
(`link_audit`, docs/audit.md) running beside it as in a deployment: the actions only INSERT their entries unlinked,
the linker chains them, and its CPU is counted in the figures. ``unlinked_after`` is how many entries were still
waiting for it when the last client finished (a few hundred at most: it kept up). The accounts (bench/cases_bench.py's
clerk, the three approvers and the department head of the demo joint-review item) log in by a session stored in
the database, as bench/reliability does (the benchmark is about the API, not password hashing).

One lifecycle, every call a real HTTP request with its JSON answer read:

    POST /cases (the materials base64-encoded)  → POST /cases/{number}/intake {"decision": "accept"}
    → POST /tasks/{id}/claim, POST /tasks/{id}/actions {"action": "approve"}     (lead review)
    → GET /cases/{number} (the joint-review tasks) → claim + approve ×3
    → GET /cases/{number} (the decision task)      → claim + approve

That is 12 of cases_bench's 13 actions: the JSON API has no delivery call (delivery is done at the window, on the
staff pages), so the HTTP lifecycle ends at the decision; the two GETs are what a client needs to learn the next
tasks' ids. Clients are threads of this process (urllib; the GIL is released while waiting for the server).
stdout: one JSON object.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def _log(message: str) -> None:
    print(f"[http_bench] {message}", file=sys.stderr, flush=True)


def _get(session: Any, base: str, path: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + "/api/v1" + path, headers={"Host": "127.0.0.1", "Cookie": session.cookie}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read())


class Client:
    def __init__(
        self, base: str, sessions: dict[str, Any], body: dict[str, Any], who: dict[int, str]
    ) -> None:
        self.base, self.sessions, self.body, self.who = base, sessions, body, who
        self.requests = 0

    def _post(self, role: str, path: str, body: Any, expect: int = 200) -> Any:
        status, data = self.sessions[role].post(self.base, path, body, timeout=60)
        self.requests += 1
        if status != expect:
            raise RuntimeError(f"POST {path}: {status} {str(data)[:300]}")
        return data

    def _open_tasks(self, number: str) -> list[dict[str, Any]]:
        status, data = _get(self.sessions["clerk"], self.base, f"/cases/{number}")
        self.requests += 1
        if status != 200:
            raise RuntimeError(f"GET /cases/{number}: {status}")
        return [t for t in data["tasks"] if t["status"]["value"] in {"open", "claimed"}]

    def lifecycle(self, i: int) -> None:
        body = dict(self.body)
        body["applicant"] = {**body["applicant"], "name": f"容县基准建设工程有限公司{i % 50:02d}"}
        case = self._post("clerk", "/cases", body, expect=201)
        number = case["number"]
        detail = self._post("clerk", f"/cases/{number}/intake", {"decision": "accept"})
        tasks = [t for t in detail["tasks"] if t["status"]["value"] in {"open", "claimed"}]
        for _stage in range(3):  # lead review, joint review (3 branches), decision
            for task in tasks:
                role = self.who[task["department"]["id"]] if task["role"] == "approver" else "head"
                self._post(role, f"/tasks/{task['id']}/claim", {})
                self._post(role, f"/tasks/{task['id']}/actions", {"action": "approve", "opinion": "同意"})
            if _stage < 2:
                tasks = self._open_tasks(number)


def _run_clients(clients: list[Client], lifecycles: int) -> dict[str, Any]:
    errors: list[str] = []
    barrier = threading.Barrier(len(clients))

    def work(n: int, client: Client) -> None:
        barrier.wait()
        for i in range(lifecycles):
            try:
                client.lifecycle(10_000 * (n + 1) + i + int(time.time()) % 1000 * 10)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:300])

    threads = [threading.Thread(target=work, args=(n, c)) for n, c in enumerate(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    done = len(clients) * lifecycles - len(errors)
    return {
        "clients": len(clients),
        "lifecycles": done,
        "errors": len(errors),
        "error_samples": errors[:2],
        "lifecycles_per_s": round(done / elapsed, 2),
    }


def run(
    lifecycles: int, rounds: int, port: int, web_workers: int, var_dir: Path, two: bool = True
) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH_DIR))
    import cases_bench
    from bench.reliability import harness

    item, cast, uploads = cases_bench._prepare()
    applicant = cases_bench._applicant(0)
    body = {
        "item": item.impl_code,
        "channel": "window",
        "applicant": {
            "kind": applicant.kind,
            "name": applicant.name,
            "id_number": applicant.id_number,
            "phone": applicant.phone,
            "legal_representative": applicant.legal_representative,
        },
        "materials": [
            {
                "material_id": u.material_id,
                "filename": u.filename,
                "content_base64": base64.b64encode(u.content).decode(),
            }
            for u in uploads
        ],
    }
    users = {"clerk": cast.user(cast.clerk), "head": cast.user(cast.head)}
    who: dict[int, str] = {}
    for dept, pk in cast.approver.items():
        users[f"approver-{dept}"] = cast.user(pk)
        who[dept] = f"approver-{dept}"
    cluster = harness.Cluster(
        servers=1,
        workers=0,
        watchers=0,
        linkers=1,
        port=port,
        web_workers=web_workers,
        env=harness.cluster_env(var_dir),
        log_dir=var_dir / "logs",
        manage=ROOT / "manage.py",
        probe_host="127.0.0.1",
    )
    from django.db import connections

    cluster.start()
    try:
        base = cluster.urls()[0]

        def clients(n: int) -> list[Client]:
            return [
                Client(base, {k: harness.Session.open(u) for k, u in users.items()}, body, who)
                for _ in range(n)
            ]

        connections.close_all()
        warm = clients(1)[0]
        for i in range(2):  # warm-up: both gunicorn workers' caches
            warm.lifecycle(i)
        per_lifecycle = warm.requests / 2
        result: dict[str, Any] = {"web_workers": web_workers, "requests_per_lifecycle": per_lifecycle}
        for key, n in (("one_client", 1), ("two_clients", 2)):
            if n == 2 and not two:
                result[key] = None
                continue
            runs = [_run_clients(clients(n), lifecycles) for _ in range(rounds)]
            result[key] = {
                "unlinked_after": _unlinked(),
                "rounds": [r["lifecycles_per_s"] for r in runs],
                "lifecycles_per_s": round(statistics.median(r["lifecycles_per_s"] for r in runs), 2),
                "errors": sum(r["errors"] for r in runs),
                "error_samples": [e for r in runs for e in r["error_samples"]][:2],
            }
        return result
    finally:
        cluster.stop()


def _unlinked() -> int:
    from django.db import connections

    from govhall.ledger.actions import unlinked_count

    try:
        return unlinked_count()
    finally:
        connections.close_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument("--lifecycles", type=int, default=40, help="per client and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=0, help=argparse.SUPPRESS)  # accepted, unused
    parser.add_argument("--port", type=int, default=18700)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--one-process-only", dest="two", action="store_false")
    args = parser.parse_args(argv)
    if not args.database_url:
        raise SystemExit("http_bench needs --database-url postgres://… (PostgreSQL)")
    sys.path.insert(0, str(BENCH_DIR))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import bigdb
    import run as bench_run

    var_dir = Path(tempfile.mkdtemp(prefix="govhall-http-bench-"))
    try:
        bench_run._configure_environment(args.database_url, str(var_dir))
        bigdb._create_if_missing(args.database_url)
        import django

        django.setup()
        bigdb.prepare_database(_log)
        with contextlib.suppress(KeyboardInterrupt):
            result = run(args.lifecycles, args.rounds, args.port, args.web_workers, var_dir, args.two)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
