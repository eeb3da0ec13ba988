"""bench/throughput.py at tiny sizes: every part runs and the side-by-side table is printed (figures, never timed).

PostgreSQL only. The seeded template database (`govhall_tpsmoke_seed`, the demo county) is built on the first run
on a machine (25–60 s) and reused while the migrations and the demo code are unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres_only


def _run_throughput() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://…")
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    server = (
        f"postgres://{db['USER'] or 'postgres'}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_") and k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "throughput.py"),
            "--server",
            server,
            "--prefix",
            # One name whichever xdist worker runs the module (one does): its seeded template outlives the run.
            "govhall_tpsmoke",
            "--quick",
            "--only",
            "govhall,big,pgbench,spiff",
            "--big-cases",
            "20",
            "--lifecycles",
            "1",
            "--rounds",
            "1",
            "--seconds",
            "1",
            "--seal-seconds",
            "0.2",
            "--one-process-only",
            "--warmup",
            "0",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-2000:]
    return done.stdout


def test_throughput_runs_every_part_and_prints_the_table_and_the_figures_under_it() -> None:
    """One test, so that one test worker runs the script (a module fixture would run it on each worker that got one
    of several tests, both at once on the same databases)."""
    output = _run_throughput()
    _the_table_has_a_row_per_part_with_a_rate(output)
    _it_reports_the_postgresql_share_the_seal_rate_and_the_load(output)
    _it_reports_the_linker_rate_and_whether_one_linker_keeps_up(output)


def _the_table_has_a_row_per_part_with_a_rate(output: str) -> None:
    rows = {line.split("|")[1].strip(): line for line in output.splitlines() if line.startswith("| ")}
    for system in (
        "govhall, PostgreSQL, empty",
        "govhall, PostgreSQL, 20 cases / 300 audit entries",
        "SpiffWorkflow + PostgreSQL (JSON per step) 3.2.0",
        "pgbench replaying govhall's statements (prepared)",
        "pgbench, one server call per action",
    ):
        assert system in rows, output
        one = rows[system].split("|")[2].strip()
        assert one.endswith("/s") and float(one.removesuffix("/s")) > 0, rows[system]


def _it_reports_the_postgresql_share_the_seal_rate_and_the_load(output: str) -> None:
    assert "govhall's share of the PostgreSQL limit (pgbench, prepared): " in output
    assert "run_jobs seals " in output and "workers" in output
    assert "bigdb loaded 20 cases, 300 audit entries" in output


def _it_reports_the_linker_rate_and_whether_one_linker_keeps_up(output: str) -> None:
    lines = [line for line in output.splitlines() if line.startswith("One linker (")]
    assert len(lines) == 2, output  # the empty and the big database
    for line in lines:
        assert "audit entries/s" in line and "keeps up at" in line and "75/s target: " in line, line
