"""Throughput side by side, from one run: govhall (empty and big database), SpiffWorkflow, django-viewflow, pgbench
replaying govhall's statements, and the same lifecycle through HTTP — with ratios and govhall's share of the
PostgreSQL limit, plus the sealing rate of `run_jobs` and the workers it needs.

    make bench-throughput            # full: 300k-case database, 3 rounds, 10 s pgbench runs
    make bench-throughput-quick      # small sizes, one round (a few minutes)
    .venv/bin/python bench/throughput.py --quick --big-cases 2000 --only govhall,pgbench

PostgreSQL only (`--server`, default postgres://postgres@127.0.0.1:5432; databases named `<prefix>_…` are created
and dropped). The demo county is migrated and seeded once into `<prefix>_seed`, kept between runs as long as the
migrations and the demo code are unchanged (a fingerprint is stored as the database's comment); every part runs on
its own copy of it (`CREATE DATABASE … TEMPLATE`, about a second).

The lifecycle is bench/cases_bench.py's: the demo joint-review item, 13 actions each in its own transaction
(submit, accept, claim + approve for the lead review, the three joint-review branches and the decision, deliver).
The actions write their audit entries unlinked (docs/audit.md); the lifecycle rates are without a linker running
beside them, and the linker's own rate (`ledger.link()` over the entries the lifecycles left, on the empty and the
big database) is printed under the table with whether one linker keeps up at the measured and the target rate.
Each part runs in its own process(es), one after the other, never two at once:

| row | how |
|---|---|
| govhall, empty | cases_bench lifecycles through the case actions, 1 process then 2 (cases_bench workers) |
| govhall, N cases | the same on a copy loaded by bench/bigdb.py (N cases, ~15 audit entries each) |
| SpiffWorkflow | bench/peers/spiff_bench.py: BPMN of the same 13 steps, JSON state saved per step |
| django-viewflow | bench/peers/viewflow_bench.py: a viewflow 2 flow of the same 13 steps |
| pgbench, prepared | bench/pgbench_mix.py: govhall's captured statements, replayed (1, 2 clients) |
| pgbench, one call per action | the same statements as one PL/pgSQL function per action |
| govhall, HTTP | bench/http_bench.py: the JSON case API under gunicorn, 2 workers |

stdout: the table (Markdown) then, with --json FILE, every figure as JSON in FILE. Progress goes to stderr.
Nothing here is asserted: these are figures, compared by people (bench/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
TARGET_RATE = 75.0  # lifecycles/s in one process (issue 10)
NOTICES_PER_LIFECYCLE = 3
PARTS = ("govhall", "big", "spiff", "viewflow", "pgbench", "http")


def _log(message: str) -> None:
    print(f"[throughput] {message}", file=sys.stderr, flush=True)


# --- databases ---------------------------------------------------------------------------------------------------


def _url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme or "postgres", parts.netloc, "/" + name, parts.query, ""))


def _admin(server: str) -> Any:
    import psycopg

    return psycopg.connect(
        _url(server, "postgres").replace("postgres://", "postgresql://", 1), autocommit=True
    )


def _drop(server: str, name: str) -> None:
    from psycopg import sql

    with _admin(server) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def copy_of(server: str, template: str, name: str) -> Iterator[str]:
    """A fresh copy of `template` named `name` (dropped afterwards); yields its URL."""
    from psycopg import sql

    _drop(server, name)
    with _admin(server) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        )
    try:
        yield _url(server, name)
    finally:
        _drop(server, name)


@contextlib.contextmanager
def empty_db(server: str, name: str) -> Iterator[str]:
    from psycopg import sql

    _drop(server, name)
    with _admin(server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _url(server, name)
    finally:
        _drop(server, name)


def _fingerprint() -> str:
    """What the seeded template depends on: every migration and the demo county's code."""
    digest = hashlib.sha256()
    files = sorted(ROOT.glob("govhall/*/migrations/*.py")) + sorted(ROOT.glob("govhall/demo/**/*.py"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def seeded_template(server: str, prefix: str) -> str:
    """`<prefix>_seed`: migrated with the demo county, rebuilt only when its fingerprint changed."""
    from psycopg import sql

    name = f"{prefix}_seed"
    wanted = f"govhall bench seed {_fingerprint()}"
    with _admin(server) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    if row is not None and row[0] == wanted:
        _log(f"seeded template {name} is current")
        return name
    _drop(server, name)
    with _admin(server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    _log(f"migrate + seed_demo into {name} (once; kept for the next runs)")
    _phase(["--phase", "seed", "--database-url", _url(server, name)])
    with _admin(server) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(wanted))
        )
    return name


# --- the phases (each in its own process) -------------------------------------------------------------------------


def _phase(argv: list[str], script: Path | None = None, timeout: float = 7200) -> dict[str, Any]:
    cmd = [sys.executable, str(script or Path(__file__).resolve()), *argv]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(
        cmd, stdout=subprocess.PIPE, stderr=None, text=True, env=env, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:3])} failed with status {proc.returncode}")
    out = proc.stdout.strip()
    return json.loads(out[out.index("{") :]) if out else {}


def _django(database_url: str) -> str:
    """Set up Django on `database_url` (production settings, a throwaway var dir); returns the var dir."""
    sys.path.insert(0, str(BENCH_DIR))
    import run as bench_run

    var_dir = tempfile.mkdtemp(prefix="govhall-throughput-")
    bench_run._configure_environment(database_url, var_dir)
    import django

    django.setup()
    return var_dir


def phase_seed(args: argparse.Namespace) -> dict[str, Any]:
    var_dir = _django(args.database_url)
    try:
        import bigdb

        t0 = time.perf_counter()
        bigdb.prepare_database(_log)
        return {"seconds": round(time.perf_counter() - t0, 1)}
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _statements_per_lifecycle(cases_bench: Any, item: Any, cast: Any, uploads: list[Any]) -> dict[str, Any]:
    from govhall.documents.models import Document
    from govhall.ledger.models import LedgerEntry

    rec = cases_bench._Recorder()
    documents, entries = Document.objects.count(), LedgerEntry.objects.count()
    cases_bench.lifecycle(700_000, item, cast, uploads, rec)
    per_action = {name: sum(v) for name, v in rec.queries.items()}
    return {
        "statements": sum(per_action.values()),
        "per_action": per_action,
        "documents": Document.objects.count() - documents,
        "audit_entries": LedgerEntry.objects.count() - entries,
    }


def _seal_rate(seconds: float) -> dict[str, Any]:
    """One run_jobs worker's rounds over the pending documents the lifecycles left: documents sealed per second."""
    from govhall.cases.jobs import run_due_jobs
    from govhall.documents.choices import DocumentStatus
    from govhall.documents.models import Document

    pending = Document.objects.filter(status=DocumentStatus.PENDING).count()
    sealed, rounds = 0, 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        done = run_due_jobs(documents=20 if seconds >= 2 else 3)
        rounds += 1
        sealed += done.get("documents_sealed", 0)
        if not done.get("documents_sealed"):
            break
    elapsed = time.perf_counter() - t0
    return {
        "pending_before": pending,
        "sealed": sealed,
        "rounds": rounds,
        "seconds": round(elapsed, 2),
        "seals_per_s": round(sealed / elapsed, 2) if sealed else None,
    }


def phase_govhall(args: argparse.Namespace) -> dict[str, Any]:
    """Lifecycles through the case actions on `--database-url` (a copy of the seeded template), optionally after
    loading `--big-cases` with bigdb; then the statement mix (for pgbench) and the seal rate."""
    var_dir = _django(args.database_url)
    try:
        from django.db import connection

        import bigdb
        import cases_bench
        import pgbench_mix

        result: dict[str, Any] = {}
        if args.big_cases:
            _log(f"bigdb: loading {args.big_cases} cases")
            result["bigdb"] = bigdb.load(args.big_cases, log=_log)
            _log(f"bigdb: {result['bigdb']['seconds']['total_s']} s")
        item, cast, uploads = cases_bench._prepare()
        for i in range(args.warmup):  # warm-up: process-wide caches
            cases_bench.lifecycle(i, item, cast, uploads, cases_bench._Quiet())
        result["statements"] = _statements_per_lifecycle(cases_bench, item, cast, uploads)
        rates = []
        for r in range(args.rounds):
            t0 = time.perf_counter()
            for i in range(args.lifecycles):
                cases_bench.lifecycle(10_000 * (r + 1) + i, item, cast, uploads, cases_bench._Quiet())
            rates.append(args.lifecycles / (time.perf_counter() - t0))
        result["one_process"] = {
            "rounds": [round(x, 2) for x in rates],
            "lifecycles_per_s": round(statistics.median(rates), 2),
        }
        connection.close()
        two = [
            cases_bench._two_processes(item, args.lifecycles) for _ in range(args.rounds if args.two else 0)
        ]
        result["two_processes"] = (
            None
            if not two
            else {
                "rounds": [t["lifecycles_per_s"] for t in two],
                "lifecycles_per_s": round(statistics.median(t["lifecycles_per_s"] for t in two), 2),
                "errors": sum(t["errors"] for t in two),
                "error_samples": [e for t in two for e in t["error_samples"]][:2],
            }
        )
        # The lifecycles above wrote their audit entries unlinked, with no linker running beside them: chaining
        # them is measured here, apart (docs/audit.md).
        _log("linker rate (ledger.link over the entries the lifecycles left)")
        result["linker"] = cases_bench.link_rate(result["statements"]["audit_entries"])
        if args.mix_out:
            _log("capturing the statement mix")
            Path(args.mix_out).write_text(
                json.dumps(pgbench_mix.capture(2, warmup=args.warmup > 0), ensure_ascii=False)
            )
        if args.seal_seconds > 0:
            _log("sealing rate (run_jobs rounds)")
            result["sealing"] = _seal_rate(args.seal_seconds)
        return result
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


# --- the run -----------------------------------------------------------------------------------------------------


def _rate(d: dict[str, Any] | None, key: str) -> float | None:
    if not d:
        return None
    v = d.get(key)
    if isinstance(v, dict):
        v = v.get("lifecycles_per_s")
    return float(v) if v is not None else None


def rows_from(figures: dict[str, Any], big_cases: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    g = figures.get("govhall")
    if g:
        rows.append(
            {
                "system": "govhall, PostgreSQL, empty",
                "one": _rate(g, "one_process"),
                "two": _rate(g, "two_processes"),
                "statements": g["statements"]["statements"],
            }
        )
    b = figures.get("big")
    if b:
        entries = b.get("bigdb", {}).get("ledger_entries_in_db")
        rows.append(
            {
                "system": f"govhall, PostgreSQL, {big_cases:,} cases / {entries:,} audit entries",
                "one": _rate(b, "one_process"),
                "two": _rate(b, "two_processes"),
                "statements": b["statements"]["statements"],
            }
        )
    for key, label in (
        ("viewflow", "django-viewflow"),
        ("spiff", "SpiffWorkflow + PostgreSQL (JSON per step)"),
    ):
        p = figures.get(key)
        if p:
            rows.append(
                {
                    "system": f"{label} {p.get('version', '')}".strip(),
                    "one": _rate(p, "one_process"),
                    "two": _rate(p, "two_processes"),
                    "statements": p.get("statements_per_lifecycle"),
                }
            )
    pg = figures.get("pgbench")
    if pg:
        by = {r["clients"]: r["lifecycles_per_s"] for r in pg["prepared"]}
        rows.append(
            {
                "system": "pgbench replaying govhall's statements (prepared)",
                "one": by.get(1),
                "two": by.get(2),
                "statements": pg["statements_per_lifecycle"],
            }
        )
        by = {r["clients"]: r["lifecycles_per_s"] for r in pg["one_call_per_action"]}
        rows.append(
            {
                "system": "pgbench, one server call per action",
                "one": by.get(1),
                "two": by.get(2),
                "statements": pg["transactions_per_lifecycle"],
            }
        )
    h = figures.get("http")
    if h:
        rows.append(
            {
                "system": f"govhall through HTTP (case API, gunicorn {h.get('web_workers', 2)} workers)",
                "one": _rate(h, "one_client"),
                "two": _rate(h, "two_clients"),
                "statements": h.get("statements_per_lifecycle"),
            }
        )
    return rows


def _fmt(v: Any, digits: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _workers(load: float) -> str:
    n = max(1, math.ceil(load))
    return f"{n} worker" + ("s" if n > 1 else "")


def _per_s(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}/s"


def table(figures: dict[str, Any], big_cases: int) -> str:
    rows = rows_from(figures, big_cases)
    base = rows[0] if rows and rows[0]["system"].startswith("govhall, PostgreSQL, empty") else None
    lines = [
        "| system | 1 process | 2 processes | statements per lifecycle | govhall ÷ it (1 / 2) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = "—"
        if base is not None and r is not base:
            parts = []
            for k in ("one", "two"):
                parts.append(f"{base[k] / r[k]:.2f}" if base[k] and r[k] else "—")
            ratio = " / ".join(parts)
        lines.append(
            f"| {r['system']} | {_per_s(r['one'])} | {_per_s(r['two'])} | {_fmt(r['statements'])} | {ratio} |"
        )
    out = ["Lifecycles per second (the demo joint-review item, 13 actions, each its own transaction).", ""]
    out += lines
    out.append("")
    pg = figures.get("pgbench")
    if base is not None and pg:
        by = {r["clients"]: r["lifecycles_per_s"] for r in pg["prepared"]}
        shares = [
            f"{100 * base[k] / by[c]:.0f}% with {c} {'process' if c == 1 else 'processes'}"
            for k, c in (("one", 1), ("two", 2))
            if base[k] and by.get(c)
        ]
        out.append("govhall's share of the PostgreSQL limit (pgbench, prepared): " + ", ".join(shares) + ".")
    g = figures.get("govhall") or figures.get("big")
    sealing = (g or {}).get("sealing") or {}
    if sealing.get("seals_per_s"):
        sps = sealing["seals_per_s"]
        measured = base["two"] if base and base["two"] else None
        need = [f"{TARGET_RATE:.0f}/s target: {_workers(NOTICES_PER_LIFECYCLE * TARGET_RATE / sps)}"]
        if measured:
            need.append(
                f"measured {measured:.1f}/s (2 processes): {_workers(NOTICES_PER_LIFECYCLE * measured / sps)}"
            )
        out.append(
            f"run_jobs seals {sps:.1f} documents/s per worker ({sealing['sealed']} sealed in {sealing['seconds']} s); "
            f"for {NOTICES_PER_LIFECYCLE} notices per lifecycle at " + ", at ".join(need) + "."
        )
    for key, where in (("govhall", "empty database"), ("big", "big database")):
        link = (figures.get(key) or {}).get("linker") or {}
        if not link.get("entries_per_s"):
            continue
        keeps = link["lifecycles_per_s"]
        checks = [f"{TARGET_RATE:.0f}/s target: {'yes' if keeps >= TARGET_RATE else 'no'}"]
        if base is not None:
            for k, label in (("two", "2 processes"), ("one", "1 process")):
                if base[k]:
                    checks.insert(
                        0, f"measured {base[k]:.1f}/s ({label}): {'yes' if keeps >= base[k] else 'no'}"
                    )
                    break
        out.append(
            f"One linker ({where}) links {link['entries_per_s']:,.0f} audit entries/s ({link['entries']} in "
            f"{link['seconds']} s), at {link['entries_per_lifecycle']:g} entries per lifecycle "
            f"{keeps:.1f} lifecycles/s; keeps up at " + ", at ".join(checks) + " (lifecycle rates above are "
            "without a linker beside them; linkers are serialised by the chain head, a second one adds nothing)."
        )
    b = figures.get("big", {}).get("bigdb")
    if b:
        s = b["seconds"]
        out.append(
            f"bigdb loaded {b['cases_in_db']:,} cases, {b['ledger_entries_in_db']:,} audit entries "
            f"({b['database_size']}) in {s['total_s']} s (rows {s['clone_rows_s']} s, audit chain {s['audit_chain_s']} s)."
        )
    for key in PARTS:
        if key in figures.get("failed", {}):
            out.append(f"{key}: FAILED — {figures['failed'][key]}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL"
    )
    parser.add_argument("--prefix", default="govhall_tp", help="database name prefix")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: 3k cases, 1 round, 3 s pgbench runs"
    )
    parser.add_argument(
        "--big-cases", type=int, default=None, help="cases in the big database (default 300000)"
    )
    parser.add_argument("--lifecycles", type=int, default=None, help="lifecycles per round and process")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="per pgbench run and per HTTP run")
    parser.add_argument("--seal-seconds", type=float, default=None)
    parser.add_argument(
        "--one-process-only", dest="two", action="store_false", help="skip the two-process runs (smoke test)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="warm-up lifecycles per process (default 2)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {PARTS}")
    parser.add_argument("--json", default="", help="write every figure here")
    # A phase, run in its own process by main().
    parser.add_argument("--phase", choices=["seed", "govhall"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--mix-out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    q = args.quick
    args.big_cases = args.big_cases if args.big_cases is not None else (3000 if q else 300_000)
    args.lifecycles = args.lifecycles or (10 if q else 40)
    args.rounds = args.rounds or (1 if q else 3)
    args.seconds = args.seconds or (3.0 if q else 10.0)
    args.seal_seconds = args.seal_seconds if args.seal_seconds is not None else (3.0 if q else 10.0)
    sys.path.insert(0, str(BENCH_DIR))

    if args.phase:
        fn = {"seed": phase_seed, "govhall": phase_govhall}[args.phase]
        print(json.dumps(fn(args), ensure_ascii=False))
        return 0

    only = {p.strip() for p in args.only.split(",") if p.strip()}
    unknown = only - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown parts: {sorted(unknown)} (choose from {PARTS})")
    started = time.perf_counter()
    figures: dict[str, Any] = {
        "failed": {},
        "quick": q,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    work = Path(tempfile.mkdtemp(prefix="govhall-throughput-"))
    server, prefix = args.server, args.prefix
    common = ["--lifecycles", str(args.lifecycles), "--rounds", str(args.rounds)]
    phase_args = ["--warmup", str(args.warmup)]
    if not args.two:
        common.append("--one-process-only")
    try:
        seed = seeded_template(server, prefix)

        def attempt(key: str, fn: Any) -> None:
            if key not in only:
                return
            _log(f"== {key}")
            t0 = time.perf_counter()
            try:
                figures[key] = fn()
            except Exception as exc:
                figures["failed"][key] = f"{type(exc).__name__}: {exc}"[:500]
                _log(f"{key} failed: {exc}")
            _log(f"{key}: {time.perf_counter() - t0:.1f} s")

        mix_path = work / "mix.json"

        def govhall_empty() -> dict[str, Any]:
            with copy_of(server, seed, f"{prefix}_empty") as url:
                result = _phase(
                    [
                        "--phase",
                        "govhall",
                        "--database-url",
                        url,
                        "--big-cases",
                        "0",
                        "--mix-out",
                        str(mix_path),
                        "--seal-seconds",
                        str(args.seal_seconds),
                        *common,
                        *phase_args,
                    ]
                )
                if "pgbench" in only:
                    import pgbench_mix

                    _log("pgbench replay of the captured mix")
                    mix = json.loads(mix_path.read_text())
                    figures["pgbench"] = pgbench_mix.replay(
                        url, mix, args.seconds, (1, 2) if args.two else (1,)
                    )
                return result

        attempt("govhall", govhall_empty)
        if "pgbench" in only and "govhall" not in only:
            figures["failed"]["pgbench"] = "needs the govhall part (its statement mix)"

        def govhall_big() -> dict[str, Any]:
            with copy_of(server, seed, f"{prefix}_big") as url:
                return _phase(
                    [
                        "--phase",
                        "govhall",
                        "--database-url",
                        url,
                        "--big-cases",
                        str(args.big_cases),
                        "--seal-seconds",
                        "0",
                        *common,
                        *phase_args,
                    ]
                )

        attempt("big", govhall_big)

        def peer(name: str) -> Any:
            def run() -> dict[str, Any]:
                with empty_db(server, f"{prefix}_{name}") as url:
                    return _phase(
                        ["--database-url", url, *common],
                        script=BENCH_DIR / "peers" / f"{name}_bench.py",
                    )

            return run

        attempt("viewflow", peer("viewflow"))
        attempt("spiff", peer("spiff"))

        def http() -> dict[str, Any]:
            with copy_of(server, seed, f"{prefix}_http") as url:
                return _phase(
                    ["--database-url", url, "--seconds", str(args.seconds), *common],
                    script=BENCH_DIR / "http_bench.py",
                )

        attempt("http", http)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures["total_s"] = round(time.perf_counter() - started, 1)
    print(table(figures, args.big_cases))
    print(f"(one run, {figures['date']}, {'quick' if q else 'full'} sizes, {figures['total_s']} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if figures["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
