"""Reliability suite, tamper part: rewrite the audit trail as a database administrator would, and count what
`verify_audit` detects once a signed checkpoint covers the rewritten range. Prints one JSON object; exits 1 when a
tamper went undetected (or the untouched trail did not verify).

    .venv/bin/python bench/tamper.py                                  # throwaway SQLite database
    .venv/bin/python bench/tamper.py --database-url postgres://postgres@127.0.0.1:5432/govhall_tamper

On PostgreSQL every rewrite runs with `SET LOCAL session_replication_role = replica`, which bypasses the ledger's
append-only trigger (a superuser can always do so). See bench/README.md."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from run import _configure_environment, _is_postgres, _log, _postgres_database  # noqa: E402

CASES, EVENTS_PER_CASE, CONFIG_EVENTS = 10, 5, 6


def _as_dba() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _reset(directory: Path) -> None:
    from django.db import transaction

    from govhall.core.models import AuditEvent, AuditHead
    from govhall.ledger.models import LedgerEntry, LedgerHead

    with transaction.atomic():
        _as_dba()
        for model in (LedgerEntry, LedgerHead, AuditEvent, AuditHead):
            model.objects.all().delete()
    shutil.rmtree(directory, ignore_errors=True)


def _append(case: int, count: int, prefix: str = "step") -> None:
    from django.db import transaction

    from govhall.ledger.actions import append

    with transaction.atomic():
        for i in range(count):
            append(
                subject=f"RX20260302{case:05d}",
                subject_id=case,
                action=f"{prefix}{i}",
                actor_name="窗口工作人员",
                after={"status": f"s{i}", "fee": "0.00"},
                opinion="同意",
            )


def _populate() -> None:
    from django.db import transaction

    from govhall.core.audit import record_event
    from govhall.core.models import AuditEventType

    for case in range(1, CASES + 1):
        _append(case, EVENTS_PER_CASE)
    with transaction.atomic():
        for i in range(CONFIG_EVENTS):
            record_event(AuditEventType.WARN_RULE_SAVED, subject=f"预警阈值 {i}", after={"percent": 60 + i})


def _checkpoint() -> None:
    from govhall.ledger.checkpoints import make_checkpoint

    if make_checkpoint(force=True) is None:
        raise RuntimeError("no checkpoint written")


def _verify(*extra: str) -> tuple[int, str]:
    from django.core.management import call_command

    args = ["verify_audit"]
    for directory in extra:
        args += ["--checkpoints", directory]
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        return 0, out.getvalue().splitlines()[0]
    except SystemExit as exc:
        return int(exc.code or 0), err.getvalue().splitlines()[0]


# --- the tampers: each runs on a populated, checkpointed trail and returns extra checkpoint dirs to compare ---------


def delete_tail_and_move_head(work: Path) -> list[str]:
    from govhall.ledger.models import LedgerEntry, LedgerHead

    keep = CASES * EVENTS_PER_CASE - 5
    LedgerEntry.objects.filter(seq__gt=keep).delete()
    LedgerHead.objects.update(seq=keep, hash=LedgerEntry.objects.get(seq=keep).hash)
    return []


def forged_append_with_correct_hash(work: Path) -> list[str]:
    from govhall.ledger.chain import entry_hash, payload
    from govhall.ledger.models import LedgerEntry, LedgerHead

    last = LedgerEntry.objects.order_by("-seq").first()
    assert last is not None
    LedgerEntry.objects.filter(pk=last.pk).delete()
    fields: dict[str, Any] = {
        "at": last.at,
        "actor_id": None,
        "actor_name": "审批人员",
        "actor_role": "审批人员",
        "subject": "RX2026030200003",
        "subject_id": 3,
        "action": "approve",
        "before": None,
        "after": {"status": "approved"},
        "opinion": "同意",
    }
    digest = entry_hash(last.prev_hash, payload(seq=last.seq, **fields))
    LedgerEntry.objects.create(seq=last.seq, prev_hash=last.prev_hash, hash=digest, **fields)
    LedgerHead.objects.update(seq=last.seq, hash=digest)
    return []


def true_append_after_last_checkpoint(work: Path) -> list[str]:
    """A new entry after the last checkpoint (seq = head + 1), hashed and linked exactly as append() would, head row
    moved: only the MAC (keyed outside the database) names it; no checkpoint covers it yet."""
    from govhall.ledger.chain import entry_hash, payload
    from govhall.ledger.models import LedgerEntry, LedgerHead

    last = LedgerEntry.objects.order_by("-seq").first()
    assert last is not None
    seq = last.seq + 1
    fields: dict[str, Any] = {
        "at": last.at,
        "actor_id": None,
        "actor_name": "审批人员",
        "actor_role": "审批人员",
        "subject": "RX2026030200003",
        "subject_id": 3,
        "action": "approve",
        "before": None,
        "after": {"status": "approved"},
        "opinion": "同意",
    }
    digest = entry_hash(last.hash, payload(seq=seq, **fields))
    LedgerEntry.objects.create(seq=seq, prev_hash=last.hash, hash=digest, **fields)
    LedgerHead.objects.update(seq=seq, hash=digest)
    return []


def edit_and_rechain(work: Path) -> list[str]:
    from govhall.ledger.models import LedgerEntry
    from tests.ledger.tampering import rechain_ledger

    LedgerEntry.objects.filter(seq=7).update(opinion="不予受理")
    rechain_ledger()
    return []


def erase_case_and_renumber(work: Path) -> list[str]:
    from govhall.ledger.models import LedgerEntry
    from tests.ledger.tampering import rechain_ledger

    LedgerEntry.objects.filter(subject_id=4).delete()
    rechain_ledger(renumber=True)
    _append(99, EVENTS_PER_CASE)  # padded back to the checkpointed length
    return []


def edit_configuration_entry(work: Path) -> list[str]:
    from govhall.core.models import AuditEvent

    AuditEvent.objects.filter(seq=2).update(after={"percent": 99})
    return []


def edit_configuration_entry_and_rechain(work: Path) -> list[str]:
    from govhall.core.models import AuditEvent
    from tests.ledger.tampering import rechain_config

    AuditEvent.objects.filter(seq=2).update(after={"percent": 99})
    rechain_config()
    return []


def forged_checkpoint_file(work: Path) -> list[str]:
    from govhall.ledger.checkpoints import checkpoint_dir
    from govhall.ledger.models import LedgerEntry

    edit_and_rechain(work)
    path = checkpoint_dir() / "00000001.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["chains"]["ledger"]["hash"] = LedgerEntry.objects.order_by("-seq").values_list("hash", flat=True)[0]
    path.write_text(json.dumps(data), encoding="utf-8")
    return []


def deleted_checkpoint_file(work: Path) -> list[str]:
    from govhall.ledger.checkpoints import checkpoint_dir

    for case in (101, 102):
        _append(case, 1)
        _checkpoint()
    (checkpoint_dir() / "00000002.json").unlink()
    return []


def deleted_newest_checkpoint_and_tail(work: Path) -> list[str]:
    from govhall.ledger.checkpoints import checkpoint_dir
    from govhall.ledger.models import LedgerEntry, LedgerHead

    _append(103, 1)
    _checkpoint()
    copy = work / "third-party-copy"
    shutil.copytree(checkpoint_dir(), copy)
    last = LedgerEntry.objects.order_by("-seq").first()
    assert last is not None
    LedgerEntry.objects.filter(pk=last.pk).delete()
    LedgerHead.objects.update(seq=last.seq - 1, hash=last.prev_hash)
    (checkpoint_dir() / "00000002.json").unlink()
    return [str(copy)]


# --- entries written by the actions and not linked yet (docs/audit.md) ----------------------------------------------


def edited_unlinked_entry(work: Path) -> list[str]:
    """An action's entry altered before the linker chained it: its content MAC no longer matches."""
    from govhall.ledger.models import LedgerEntry

    _append(201, 3)
    LedgerEntry.objects.filter(seq__isnull=True, subject_id=201, action="step1").update(opinion="不予受理")
    return []


def forged_unlinked_entry(work: Path) -> list[str]:
    """An entry inserted with SQL to be linked as if an action had written it: no valid content MAC."""
    import secrets

    from govhall.core.clock import now
    from govhall.ledger.models import LedgerEntry

    LedgerEntry.objects.create(
        at=now(),
        actor_name="审批人员",
        subject="RX2026030200003",
        subject_id=3,
        action="approve",
        after={"status": "approved"},
        opinion="同意",
        nonce=secrets.token_hex(16),
        writer=secrets.token_hex(16),
        writer_seq=1,
        body_mac="0" * 64,
    )
    return []


def copied_unlinked_entry(work: Path) -> list[str]:
    """A genuine unlinked entry inserted a second time (the unique nonce refuses an exact copy, so a new one)."""
    import secrets

    from govhall.ledger.models import LedgerEntry

    _append(202, 2)
    row = LedgerEntry.objects.filter(seq__isnull=True).order_by("id").values().first()
    assert row is not None
    row.pop("id")
    row["nonce"] = secrets.token_hex(16)
    LedgerEntry.objects.create(**row)
    return []


def deleted_unlinked_entries(work: Path) -> list[str]:
    """One action's entries deleted before the linker saw them, while the same writer went on: its numbers skip."""
    from govhall.ledger.models import LedgerEntry

    for case in (203, 204, 205):
        _append(case, 2)
    LedgerEntry.objects.filter(seq__isnull=True, subject_id=204).delete()
    return []


def deleted_unlinked_entries_then_linked(work: Path) -> list[str]:
    """As above, and the linker has chained what was left: the gap is in the chain for good."""
    from govhall.ledger.actions import link

    deleted_unlinked_entries(work)
    link()
    return []


def deleted_newest_unlinked_entries(work: Path) -> list[str]:
    """A known limit, not counted: the newest action's entries deleted before the linker saw them, and their writer
    never writes again. Nothing is left that names them (docs/audit.md)."""
    from govhall.ledger.models import LedgerEntry

    _append(206, 2)
    LedgerEntry.objects.filter(seq__isnull=True, subject_id=206).delete()
    return []


LIMITS: dict[str, Callable[[Path], list[str]]] = {
    "deleted_newest_unlinked_entries": deleted_newest_unlinked_entries,
}


TAMPERS: dict[str, Callable[[Path], list[str]]] = {
    "delete_tail_and_move_head": delete_tail_and_move_head,
    "forged_append_with_correct_hash": forged_append_with_correct_hash,
    "true_append_after_last_checkpoint": true_append_after_last_checkpoint,
    "edit_and_rechain": edit_and_rechain,
    "erase_case_and_renumber": erase_case_and_renumber,
    "edit_configuration_entry": edit_configuration_entry,
    "edit_configuration_entry_and_rechain": edit_configuration_entry_and_rechain,
    "forged_checkpoint_file": forged_checkpoint_file,
    "deleted_checkpoint_file": deleted_checkpoint_file,
    "deleted_newest_checkpoint_and_tail": deleted_newest_checkpoint_and_tail,
    "edited_unlinked_entry": edited_unlinked_entry,
    "forged_unlinked_entry": forged_unlinked_entry,
    "copied_unlinked_entry": copied_unlinked_entry,
    "deleted_unlinked_entries": deleted_unlinked_entries,
    "deleted_unlinked_entries_then_linked": deleted_unlinked_entries_then_linked,
}


def _run(work: Path) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from govhall.ledger.checkpoints import checkpoint_dir, create_key

    _log(f"migrate ({connection.vendor})")
    call_command("migrate", interactive=False, verbosity=0)
    create_key()
    results: dict[str, Any] = {"database": connection.vendor, "tampers": {}}
    _reset(checkpoint_dir())
    _populate()
    _checkpoint()
    code, line = _verify()
    results["untouched"] = {"exit": code, "verify_audit": line}
    for name, tamper in TAMPERS.items():
        _log(name)
        _reset(checkpoint_dir())
        _populate()
        _checkpoint()
        with transaction.atomic():
            _as_dba()
            extra = tamper(work)
        code, line = _verify(*extra)
        results["tampers"][name] = {"detected": code == 1, "verify_audit": line}
    detected = sum(1 for r in results["tampers"].values() if r["detected"])
    results["detected"] = f"{detected}/{len(TAMPERS)}"
    results["known_limits"] = {}
    for name, tamper in LIMITS.items():
        _log(f"{name} (known limit)")
        _reset(checkpoint_dir())
        _populate()
        _checkpoint()
        with transaction.atomic():
            _as_dba()
            extra = tamper(work)
        code, line = _verify(*extra)
        results["known_limits"][name] = {"detected": code == 1, "verify_audit": line}
    _reset(checkpoint_dir())
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="govhall-tamper-"))
    try:
        _configure_environment(args.database_url, str(work))
        os.environ["GOVHALL_CHECKPOINT_DIR"] = str(work / "checkpoints")
        os.environ["GOVHALL_CHECKPOINT_KEY"] = str(work / "checkpoint-key.json")
        if args.database_url and _is_postgres(args.database_url):
            with _postgres_database(args.database_url):
                results = _run(work)
        else:
            results = _run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    all_detected = all(r["detected"] for r in results["tampers"].values())
    return 0 if all_detected and results["untouched"]["exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
