"""manage.py verify_audit: exit status 0 when intact, 1 naming the first broken entry."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from govhall.ledger.models import LedgerEntry

ROOT = Path(__file__).resolve().parents[2]


def run_verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_intact_chain_exits_zero(chain: list[LedgerEntry]) -> None:
    assert run_verify() == (0, "审计链完整：共 5 条记录\n", "")


@pytest.mark.django_db
def test_altered_entry_exits_one_and_names_it(chain: list[LedgerEntry], tamper: Callable[[], None]) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=4).update(opinion="不同意")
    code, out, err = run_verify()
    assert code == 1 and out == ""
    assert "第 4 条记录的内容与其哈希不符（记录被篡改）" in err
    # seq, case number, action, Beijing time and actor of the broken entry
    assert "第 4 条：办件 RX2026030200001，动作 approve，时间 2026-03-02 09:33:00.000000（北京时间）" in err
    assert "操作人 clerk1（审批人员）" in err
    assert "此前已核验完好的记录：3 条" in err


@pytest.mark.django_db
def test_deleted_entry_exits_one_and_names_the_gap(
    chain: list[LedgerEntry], tamper: Callable[[], None]
) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=2).delete()
    code, _, err = run_verify()
    assert code == 1
    assert "第 2 条记录缺失（被删除）" in err


def _manage(db_path: Path, var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"GOVHALL_TEST_DB_NAME", "DJANGO_SETTINGS_MODULE"}}
    env.update(DATABASE_URL=f"sqlite:///{db_path}", GOVHALL_VAR_DIR=str(var_dir), GOVHALL_LOG_LEVEL="WARNING")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_exit_status_of_the_real_command(tmp_path: Path, on_postgres: Any) -> None:
    """End to end in a separate process on its own SQLite file (the test database is in memory)."""
    if on_postgres:
        pytest.skip("database-independent; run once, in the SQLite pass")
    db = tmp_path / "ledger.sqlite3"
    assert _manage(db, tmp_path, "migrate", "ledger", "--noinput", "-v", "0").returncode == 0
    # verify_audit checks the configuration log's chain too.
    assert _manage(db, tmp_path, "migrate", "core", "--noinput", "-v", "0").returncode == 0
    script = (
        "from django.db import transaction\n"
        "from govhall.ledger.actions import append\n"
        "with transaction.atomic():\n"
        "    for i in range(3):\n"
        "        append(subject='RX9', subject_id=9, action=f'step{i}', opinion='同意')\n"
    )
    assert _manage(db, tmp_path, "shell", "-c", script).returncode == 0

    waiting = _manage(db, tmp_path, "verify_audit")
    assert (waiting.returncode, waiting.stdout.strip()) == (
        0,
        "审计链完整：共 0 条记录\n另有待链接记录 3 条，内容校验码均有效（链接进程稍后将其链入审计链）",
    )
    intact = _manage(db, tmp_path, "verify_audit", "--link")
    assert (intact.returncode, intact.stdout.strip()) == (0, "审计链完整：共 3 条记录")

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE ledger_ledgerentry SET opinion = '不同意' WHERE seq = 2")
    broken = _manage(db, tmp_path, "verify_audit")
    assert broken.returncode == 1
    assert "第 2 条记录的内容与其哈希不符" in broken.stderr
    assert "办件 RX9，动作 step1" in broken.stderr
