"""Case lifecycle benchmark: full applications per second through the case actions, and queries per action.

    .venv/bin/python bench/cases_bench.py                  # throwaway SQLite database in a temp dir
    .venv/bin/python bench/cases_bench.py --quick
    .venv/bin/python bench/cases_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_bench

The database is chosen as in run.py (--database-url, else $DATABASE_URL, else a throwaway SQLite file; a
PostgreSQL database that does not exist is created and dropped at the end); run standalone it migrates and loads
the demo county first. stdout is one JSON object.

One lifecycle is a joint-review application of the demo county handled the way a hall handles it, each step a
call of `govhall.cases.actions` in its own transaction, as one web request would make it:

    submit at the window (clerk) → accept (clerk) → lead review: claim, approve (lead approver)
    → joint review by the lead and 2 co-departments: claim, approve ×3 (the third completes the "all" join)
    → decision: claim, approve (department head) → delivery (clerk)

The acting user is read from the database before each action (not counted), as the authentication middleware
does for a request: by the backend's `get_user`, which brings the user's roles, staff record and departments in
the same statement, so each action starts from a fresh per-request cache and asks for no roles of its own.

Figures:
- ``lifecycles_per_s`` / ``ms_per_lifecycle``: sequential lifecycles in one process (after 2 warm-up ones).
- ``python_cpu_ms_per_lifecycle``: the benchmark process's own CPU time per lifecycle in that run (Python, Django,
  the driver; not the database server), steadier than the wall clock on a shared machine.
- ``actions``: per action type, the statements it issues (min / median / max over the lifecycles, counted with
  ``CaptureQueriesContext``) and its median time in ms. ``approve_branch`` is a joint-review branch that leaves
  the join pending; ``approve_branch_join`` the branch that completes it (join, next task).
- ``per_lifecycle``: audit entries written (unlinked, docs/audit.md), documents issued (all pending: sealing is measured by
  documents_bench.py), notifications, tasks and clocks written, per lifecycle.
- ``linker``: the actions write their audit entries unlinked (one INSERT, no shared row); chaining them is the
  linker's work, measured apart: ``ledger.link()`` over the entries the timed lifecycles left, ``entries_per_s``
  and the lifecycles per second one linker keeps up with (``lifecycles_per_s``, at the entries per lifecycle
  measured). The lifecycle rates above are without a linker running beside them.
- ``two_processes`` (PostgreSQL only): two worker processes running lifecycles at the same time on the same
  database (different cases; the case-number counter and the document counters are the rows they share — the
  audit chain's head is the linker's alone); ``lifecycles_per_s`` is the total over the wall time both were
  running, ``errors`` the lifecycles that failed (a deadlock or a lock timeout would show here).

Run standalone, the benchmark refuses a database that already holds cases: what it writes (cases, an
append-only audit chain) cannot be taken back, so use a throwaway database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

BENCH_DIR = Path(__file__).resolve().parent
PDF = b"%PDF-1.4\n% govhall bench material\n%%EOF\n"
ACTION_ORDER = (
    "submit",
    "accept",
    "claim",
    "approve_review",
    "approve_branch",
    "approve_branch_join",
    "decide",
    "deliver",
)


def _log(message: str) -> None:
    print(f"[cases_bench] {message}", file=sys.stderr, flush=True)


def _joint_item() -> Any:
    """The demo joint-review item used for every lifecycle: one with exactly two co-departments. When the demo
    has none (an older demo county), the first joint item is given two, as the simulator does."""
    from govhall.catalog.models import ServiceItem

    joint = list(
        ServiceItem.objects.filter(status="published", process_template="joint_review")
        .select_related("department")
        .prefetch_related("joint_departments")
        .order_by("impl_code")
    )
    if not joint:
        raise SystemExit("cases_bench needs the demo county (a published joint-review item)")
    for item in joint:
        if len([d for d in item.joint_departments.all() if d.pk != item.department_id]) == 2:
            return item
    from govhall.org.models import Department

    item = joint[0]
    others = (
        Department.objects.exclude(pk=item.department_id).filter(active=True).order_by("sort_order", "pk")
    )
    item.joint_departments.set(list(others[:2]))
    _log(f"gave “{item.name}” two co-departments")
    return item


class _Cast:
    """The users of a lifecycle, by primary key (each action reloads its user, as a request would)."""

    def __init__(self, item: Any) -> None:
        from govhall.demo.simulation import Staff, ensure_staff
        from govhall.org.choices import Role

        staff = ensure_staff([item], Staff.load(), _log)
        co = [d.pk for d in item.joint_departments.all() if d.pk != item.department_id]
        lead = item.department_id
        self.clerk = staff.by_role[(Role.WINDOW_CLERK.value, lead)][0].pk
        self.head = staff.by_role[(Role.DEPARTMENT_HEAD.value, lead)][0].pk
        self.approver = {d: staff.by_role[(Role.APPROVER.value, d)][0].pk for d in (lead, *co)}

    @staticmethod
    def user(pk: int) -> Any:
        # As the authentication middleware reads a signed-in request's user: the configured backend's get_user
        # (with the roles and departments in the same statement, org.access.signed_in_user).
        from govhall.core.auth import LockoutModelBackend

        return LockoutModelBackend().get_user(pk)


def _applicant(i: int) -> Any:
    from govhall.cases.actions import ApplicantData
    from govhall.demo.county import make_uscc

    return ApplicantData(
        kind="enterprise",
        name=f"容县基准建设工程有限公司{i % 50:02d}",
        id_number=make_uscc("91", 60000 + i % 50),
        legal_representative="李四",
        phone="13800138000",
    )


class _Recorder:
    def __init__(self, show: bool = False) -> None:
        self.queries: dict[str, list[int]] = defaultdict(list)
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.show = show

    def call(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        # The connection keeps its last 9000 statements only; counting from an empty log stays exact.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn(*args, **kwargs)
            elapsed = (time.perf_counter() - started) * 1000
        self.queries[name].append(len(captured))
        self.ms[name].append(elapsed)
        if self.show:
            print(f"--- {name}: {len(captured)} statements", file=sys.stderr)
            for q in captured.captured_queries:
                print(f"    {q['sql'][:240]}", file=sys.stderr)
        return result


class _Quiet:
    """Same interface, nothing recorded: the throughput runs and the workers measure time only."""

    def call(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)


def lifecycle(i: int, item: Any, cast: _Cast, uploads: list[Any], rec: Any) -> None:
    from govhall.cases import actions
    from govhall.cases.choices import ACTIVE_TASK, CaseStatus

    user = cast.user
    case = rec.call(
        "submit",
        actions.submit_application,
        item=item,
        applicant=_applicant(i),
        channel="window",
        by=user(cast.clerk),
        uploads=uploads,
    )
    rec.call("accept", actions.accept_case, case, by=user(cast.clerk))

    def step(name: str, who: Any) -> None:
        # Through the case, as the case page does (workbench: `case.tasks`): each task comes with its case object,
        # as a request's task always does (the API reads the task with its case, cases.access.access_task).
        tasks = list(case.tasks.filter(status__in=ACTIVE_TASK).order_by("pk"))
        for n, task in enumerate(tasks):
            actor = user(who(task))
            task = rec.call("claim", actions.claim_task, task, by=actor)
            label = name
            if name == "approve_branch" and n == len(tasks) - 1:
                label = "approve_branch_join"
            rec.call(label, actions.act_on_task, task, by=user(who(task)), action="approve", opinion="同意")

    step("approve_review", lambda t: cast.approver[t.department_id])
    step("approve_branch", lambda t: cast.approver[t.department_id])
    step("decide", lambda t: cast.head)
    case.refresh_from_db()
    if case.status != CaseStatus.CONCLUDED:
        raise RuntimeError(f"lifecycle {i} ended in {case.status}")
    rec.call("deliver", actions.deliver_result, case, by=user(cast.clerk))


def _uploads(item: Any) -> list[Any]:
    from govhall.cases.uploads import Upload

    return [
        Upload(filename=f"{m.seq:02d}.pdf", content=PDF, material_id=m.pk)
        for m in item.materials.all()
        if m.required and not m.e_license_ok
    ]


def _counts() -> dict[str, int]:
    from govhall.cases.models import Task
    from govhall.clocks.models import Clock
    from govhall.documents.choices import DocumentStatus
    from govhall.documents.models import Document
    from govhall.ledger.models import LedgerEntry
    from govhall.notifications.models import Notification

    return {
        "ledger_entries": LedgerEntry.objects.count(),
        "documents_pending": Document.objects.filter(status=DocumentStatus.PENDING).count(),
        "documents_sealed": Document.objects.exclude(status=DocumentStatus.PENDING).count(),
        "notifications": Notification.objects.count(),
        "tasks": Task.objects.count(),
        "clocks": Clock.objects.count(),
    }


def link_rate(entries_per_lifecycle: float | None = None) -> dict[str, Any]:
    """One `ledger.link()` run over every entry left unlinked: entries chained per second, and the lifecycles per
    second that rate keeps up with (at `entries_per_lifecycle`, default 15)."""
    from govhall.ledger.actions import link, unlinked_count

    pending = unlinked_count()
    t0 = time.perf_counter()
    linked = link()
    seconds = time.perf_counter() - t0
    per = entries_per_lifecycle or 15.0
    rate = linked / seconds if linked and seconds > 0 else None
    return {
        "entries": linked,
        "pending_before": pending,
        "seconds": round(seconds, 3),
        "entries_per_s": round(rate, 1) if rate else None,
        "entries_per_lifecycle": round(per, 2),
        "lifecycles_per_s": round(rate / per, 1) if rate else None,
    }


def _prepare() -> tuple[Any, _Cast, list[Any]]:
    item = _joint_item()
    return item, _Cast(item), _uploads(item)


def _two_processes(item: Any, n: int) -> dict[str, Any]:
    """Two `--worker` processes on the same database, started together after both have set Django up."""
    start_at = time.time() + 4.0
    env = dict(os.environ)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                str(n),
                "--worker-offset",
                str(100_000 * (k + 1)),
                "--start-at",
                str(start_at),
                "--item",
                str(item.pk),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(2)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise SystemExit(f"worker failed ({proc.returncode}): {err[-2000:]}")
        reports.append(json.loads(out))
    began = min(r["began"] for r in reports)
    ended = max(r["ended"] for r in reports)
    done = sum(r["done"] for r in reports)
    return {
        "processes": 2,
        "lifecycles": done,
        "errors": sum(r["errors"] for r in reports),
        "error_samples": [e for r in reports for e in r["error_samples"]][:3],
        "wall_s": round(ended - began, 2),
        "lifecycles_per_s": round(done / (ended - began), 2),
        "per_process_lifecycles_per_s": [round(r["done"] / (r["ended"] - r["began"]), 2) for r in reports],
    }


def run(quick: bool = False, show_queries: bool = False) -> dict[str, Any]:
    # Imported lazily: the models need django.setup(), which main() (or bench/run.py) does first.
    item, cast, uploads = _prepare()
    n = 15 if quick else 60
    for i in range(2):  # warm-up: the first call of each path fills the process-wide caches
        lifecycle(i, item, cast, uploads, _Quiet())
    if show_queries:
        lifecycle(10**6, item, cast, uploads, _Recorder(show=True))

    before = _counts()
    rec = _Recorder()
    for i in range(2, 2 + n):
        lifecycle(i, item, cast, uploads, rec)
    after = _counts()

    started = time.perf_counter()
    cpu_started = time.process_time()
    for i in range(2 + n, 2 + 2 * n):
        lifecycle(i, item, cast, uploads, _Quiet())
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started

    actions: dict[str, Any] = {}
    for name in ACTION_ORDER:
        counts = rec.queries.get(name)
        if not counts:
            continue
        actions[name] = {
            "calls_per_lifecycle": round(len(counts) / n, 1),
            "queries_min": min(counts),
            "queries_median": statistics.median(counts),
            "queries_max": max(counts),
            "median_ms": round(statistics.median(rec.ms[name]), 2),
        }
    queries_per_lifecycle = sum(sum(v) for v in rec.queries.values()) / n
    result: dict[str, Any] = {
        "item": item.name,
        "departments": 1 + item.joint_departments.exclude(pk=item.department_id).count(),
        "lifecycles": n,
        "lifecycles_per_s": round(n / seconds, 2),
        "ms_per_lifecycle": round(1000 * seconds / n, 1),
        # This process's CPU time (Python and Django; the database server's work is not in it): on a shared
        # machine the wall-clock figures swing with the load, this one much less.
        "python_cpu_ms_per_lifecycle": round(1000 * cpu_seconds / n, 1),
        "actions_per_lifecycle": round(sum(len(v) for v in rec.queries.values()) / n, 1),
        "queries_per_lifecycle": round(queries_per_lifecycle, 1),
        "actions": actions,
        "per_lifecycle": {k: round((after[k] - before[k]) / n, 2) for k in before},
    }
    result["linker"] = link_rate(result["per_lifecycle"]["ledger_entries"])
    if connection.vendor == "postgresql":
        connection.close()  # the workers open their own; ours would only idle
        result["two_processes"] = _two_processes(item, 10 if quick else 40)
    return result


def _worker(args: argparse.Namespace) -> int:
    """One of the concurrent processes: N lifecycles from the agreed start instant, timings as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    if str(BENCH_DIR.parent) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR.parent))
    django.setup()
    from govhall.catalog.models import ServiceItem

    item = ServiceItem.objects.prefetch_related("materials", "joint_departments").get(pk=args.item)
    cast = _Cast(item)
    uploads = _uploads(item)
    with contextlib.suppress(Exception):  # warm-up, before the start line (a failure shows in the run)
        lifecycle(args.worker_offset - 1, item, cast, uploads, _Quiet())
    delay = args.start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    began = time.time()
    done, errors = 0, 0
    samples: list[str] = []
    for i in range(args.worker):
        try:
            lifecycle(args.worker_offset + i, item, cast, uploads, _Quiet())
            done += 1
        except Exception as exc:
            errors += 1
            if len(samples) < 3:
                samples.append(f"{type(exc).__name__}: {exc}"[:1200])
    ended = time.time()
    print(
        json.dumps({"done": done, "errors": errors, "error_samples": samples, "began": began, "ended": ended})
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument(
        "--quick", action="store_true", help="15 lifecycles instead of 60 (10 per worker, not 40)"
    )
    parser.add_argument(
        "--show-queries",
        action="store_true",
        help="print every statement of one lifecycle, by action, to stderr",
    )
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--worker-offset", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--item", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)

    sys.path.insert(0, str(BENCH_DIR))
    import run as bench_run  # bench/run.py: the same database handling as the other benchmarks

    var_dir = tempfile.mkdtemp(prefix="govhall-cases-bench-")
    try:
        bench_run._configure_environment(args.database_url, var_dir)
        with contextlib.ExitStack() as stack:
            if args.database_url and bench_run._is_postgres(args.database_url):
                stack.enter_context(bench_run._postgres_database(args.database_url))
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", interactive=False, verbosity=0)
            from govhall.cases.models import Case

            if Case.objects.exists():
                raise SystemExit(
                    "cases_bench needs a database without cases: use a throwaway database (see --help)"
                )
            _log("seed_demo")
            with open(os.devnull, "w") as devnull:
                call_command("seed_demo", verbosity=0, stdout=devnull)
            results = run(quick=args.quick, show_queries=args.show_queries)
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
        "results": {"cases": results},
    }
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
