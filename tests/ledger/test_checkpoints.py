"""Signed checkpoints anchor the audit trail outside the database: every rewrite an administrator can do with SQL
— re-linked, renumbered, truncated, forged — is named by verify_audit once a checkpoint covers it."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from govhall.core import crypto
from govhall.core.audit import FIELDS as config_fields
from govhall.core.audit import payload as config_payload
from govhall.core.audit import record_event, verify_config_log
from govhall.core.hashchain import MAC_KEY_LABEL, entry_mac, link_hash, mac_key
from govhall.core.models import AuditEvent, AuditEventType, AuditHead
from govhall.ledger import checkpoints
from govhall.ledger.actions import append, link, new_writer
from govhall.ledger.actions import verify as ledger_verify
from govhall.ledger.chain import entry_hash, payload
from govhall.ledger.models import LedgerEntry, LedgerHead

from .conftest import T0
from .tampering import rechain_config, rechain_ledger

pytestmark = pytest.mark.django_db

Tamper = Callable[[], None]


@pytest.fixture(params=["maintenance", "replica"])
def tamper(request: pytest.FixtureRequest, on_postgres: bool) -> Tamper:
    """Lift the PostgreSQL append-only trigger for the rest of the test's transaction: by the documented repair
    setting, or as an administrator bypassing every trigger with session_replication_role = replica."""
    if request.param == "replica" and not on_postgres:
        pytest.skip("PostgreSQL only: SQLite has no trigger to bypass")

    def lift() -> None:
        if on_postgres:
            with connection.cursor() as cursor:
                if request.param == "replica":
                    cursor.execute("SET LOCAL session_replication_role = replica")
                else:
                    cursor.execute("SET LOCAL govhall.ledger_maintenance = 'on'")

    return lift


def at(*args: int) -> Any:
    return time_machine.travel(dt.datetime(*args, tzinfo=dt.UTC), tick=False)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def config_events(n: int = 3) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            record_event(AuditEventType.WARN_RULE_SAVED, subject=f"预警阈值 {i}", after={"percent": 60 + i})
            for i in range(n)
        ]


@pytest.fixture
def key(settings: Any) -> checkpoints.CheckpointKey:
    code, out, _ = run("checkpoint_key")
    assert code == 0 and "检查点密钥已生成" in out
    loaded = checkpoints.load_key()
    assert loaded is not None and loaded.public_key in out
    return loaded


@pytest.fixture
def anchored(chain: list[LedgerEntry], key: checkpoints.CheckpointKey) -> Path:
    """The five-entry case chain and three configuration events, covered by checkpoint 1."""
    config_events()
    code, out, err = run("checkpoint")
    assert (code, err) == (0, ""), err
    assert "已写第 1 个检查点" in out
    return Path(checkpoints.checkpoint_dir())


def assert_broken(*fragments: str, extra: list[str] | None = None) -> str:
    args = ["verify_audit"]
    for directory in extra or []:
        args += ["--checkpoints", directory]
    code, out, err = run(*args)
    assert code == 1 and out == "", out
    for fragment in fragments:
        assert fragment in err
    return err


# --- making and reading checkpoints -----------------------------------------------------------------------------


def test_a_checkpoint_is_a_signed_file_of_both_chain_heads(
    anchored: Path, key: checkpoints.CheckpointKey
) -> None:
    files = sorted(anchored.iterdir())
    assert [f.name for f in files] == ["00000001.json"]
    data = json.loads(files[0].read_text(encoding="utf-8"))
    last = LedgerEntry.objects.get(seq=5)
    assert data["chains"] == {
        "ledger": {"seq": 5, "hash": last.hash},
        "config": {"seq": 3, "hash": AuditEvent.objects.get(seq=3).hash},
    }
    body = {name: data[name] for name in ("number", "at", "chains", "key_id")}
    assert crypto.verify(key.public_key, data["signature"], crypto.canonical_json(body))
    assert data["number"] == 1 and data["key_id"] == key.key_id
    # The key is a file outside the database, readable by its owner only; its public half is published beside it.
    assert checkpoints.key_path().stat().st_mode & 0o077 == 0
    assert checkpoints.public_key_path().read_text().strip() == key.public_key

    code, out, err = run("verify_audit")
    assert (code, err) == (0, "")
    assert out == "审计链完整：共 5 条记录\n操作日志链完整：共 3 条记录\n签名检查点：1 个，均与审计链一致\n"


def test_no_new_entries_no_new_checkpoint_and_files_are_never_rewritten(anchored: Path) -> None:
    first = (anchored / "00000001.json").read_bytes()
    assert run("checkpoint")[1] == "自上一个检查点以来没有新记录，未写检查点\n"
    with transaction.atomic():
        append(subject="RX2026030200003", subject_id=3, action="submit", at=T0 + dt.timedelta(hours=1))
    assert "已写第 2 个检查点" in run("checkpoint")[1]
    assert (anchored / "00000001.json").read_bytes() == first
    assert [c.chains["ledger"]["seq"] for c in checkpoints.published()] == [5, 6]
    assert run("verify_audit")[0] == 0


def test_the_key_is_never_replaced(key: checkpoints.CheckpointKey) -> None:
    code, out, _ = run("checkpoint_key")
    assert code == 0 and "已存在（未覆盖）" in out and key.public_key in out
    assert checkpoints.load_key() == key


def test_no_checkpoint_without_a_key(chain: list[LedgerEntry]) -> None:
    code, _, err = run("checkpoint")
    assert code == 1 and "checkpoint_key" in err
    assert checkpoints.checkpoint_due() == 0
    assert checkpoints.published() == []


def test_no_checkpoint_over_a_broken_chain(anchored: Path, tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=2).update(opinion="不予受理")
    code, _, err = run("checkpoint", "--force")
    assert code == 1 and "审计链核验未通过，不写检查点" in err and "第 2 条记录的内容与其哈希不符" in err
    assert [f.name for f in anchored.iterdir()] == ["00000001.json"]


def test_the_worker_checkpoints_after_m_entries_or_n_minutes(
    chain: list[LedgerEntry], key: checkpoints.CheckpointKey, settings: Any
) -> None:
    settings.GOVHALL_CHECKPOINT_ENTRIES = 3
    settings.GOVHALL_CHECKPOINT_MINUTES = 10
    with at(2026, 3, 2, 10):
        assert checkpoints.checkpoint_due() == 1  # the first one as soon as there is anything
        assert checkpoints.checkpoint_due() == 0
        with transaction.atomic():
            for i in range(2):
                append(subject="RX2026030200009", subject_id=9, action=f"step{i}", at=T0)
        assert checkpoints.checkpoint_due() == 0  # 2 new entries, 0 minutes
        config_events(1)
        assert checkpoints.checkpoint_due() == 1  # 3 new entries across both chains
    with transaction.atomic():
        append(subject="RX2026030200009", subject_id=9, action="step9", at=T0)
    with at(2026, 3, 2, 10, 9):
        assert checkpoints.checkpoint_due() == 0
    with at(2026, 3, 2, 10, 10):
        assert checkpoints.checkpoint_due() == 1
    assert [c.chains["ledger"]["seq"] for c in checkpoints.published()] == [5, 7, 8]


def test_run_jobs_writes_the_checkpoint(chain: list[LedgerEntry], key: checkpoints.CheckpointKey) -> None:
    out = io.StringIO()
    call_command("run_jobs", "--once", stdout=out)
    assert json.loads(out.getvalue())["audit_checkpoint"] == 1
    assert len(checkpoints.published()) == 1


# --- the configuration log is a chain ---------------------------------------------------------------------------


def test_configuration_events_are_chained(db: Any) -> None:
    events = config_events(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and AuditHead.objects.get().hash == events[2].hash
    report = verify_config_log()
    assert report.ok and report.checked == 3


def test_an_edited_configuration_event_is_named(chain: list[LedgerEntry]) -> None:
    config_events(3)
    AuditEvent.objects.filter(seq=2).update(after={"percent": 99})
    assert_broken("操作日志链：第 2 条记录的内容与其哈希不符（记录被篡改）", "操作日志第 2 条：保存预警阈值")


# --- every tamper is caught once a checkpoint covers it ---------------------------------------------------------


def test_deleted_tail_with_the_head_moved(anchored: Path, tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.filter(seq__gte=4).delete()
    LedgerHead.objects.update(seq=3, hash=LedgerEntry.objects.get(seq=3).hash)
    assert checkpoints.CHAINS["ledger"].head() == {"seq": 3, "hash": LedgerEntry.objects.get(seq=3).hash}
    assert_broken(
        "办件审计链现只有 3 条记录，短于第 1 个检查点登记的 5 条（第 4–5 条记录被删除，链头被改写）"
    )


def test_forged_entry_appended_with_a_correct_hash(anchored: Path, tamper: Tamper) -> None:
    # Replace the last entry by a forged decision, hashed, linked and MAC'd exactly as append() would (the MAC key
    # stolen from an application server): the checkpoint still names it.
    tamper()
    last = LedgerEntry.objects.get(seq=5)
    LedgerEntry.objects.filter(seq=5).delete()
    fields: dict[str, Any] = {
        "at": last.at,
        "actor_id": last.actor_id,
        "actor_name": last.actor_name,
        "actor_role": "审批人员",
        "subject": "RX2026030200002",
        "subject_id": 2,
        "action": "approve",
        "before": None,
        "after": {"status": "approved"},
        "opinion": "同意",
    }
    digest = entry_hash(last.prev_hash, payload(seq=5, **fields))
    LedgerEntry.objects.create(seq=5, prev_hash=last.prev_hash, hash=digest, mac=entry_mac(digest), **fields)
    LedgerHead.objects.update(seq=5, hash=digest)
    assert_broken("办件审计链第 5 条记录的哈希与第 1 个检查点", "第 5 条：办件 RX2026030200002，动作 approve")


def test_edited_entry_re_chained(anchored: Path, tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=2).update(opinion="材料不齐，不予受理")
    rechain_ledger()
    assert_broken(
        "办件审计链第 5 条记录的哈希与第 1 个检查点",
        "（检查点之前的记录被改写并重新链接、删除、插入或重新编号）",
    )


def test_case_erased_and_the_rest_renumbered(anchored: Path, tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.filter(subject="RX2026030200002").delete()
    rechain_ledger(renumber=True)
    assert list(LedgerEntry.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert_broken("办件审计链现只有 3 条记录，短于第 1 个检查点登记的 5 条")


def test_case_erased_renumbered_and_padded_to_the_old_length(anchored: Path, tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.filter(subject="RX2026030200002").delete()
    rechain_ledger(renumber=True)
    # Padded with entries under a writer name of its own (with the stolen key): the application's own next entry
    # would show the writer's missing numbers, so only the checkpoint is left to catch it.
    new_writer()
    with transaction.atomic():
        for i in range(2):
            append(subject="RX2026030200001", subject_id=1, action=f"note{i}", at=T0)
    link()
    assert_broken("办件审计链第 5 条记录的哈希与第 1 个检查点")


def test_configuration_event_edited_and_re_chained(anchored: Path) -> None:
    AuditEvent.objects.filter(seq=1).update(after={"percent": 90})
    rechain_config()
    assert verify_config_log().ok
    assert_broken("操作日志链第 3 条记录的哈希与第 1 个检查点")


def test_forged_checkpoint_file(anchored: Path, tamper: Tamper) -> None:
    # Rewrite the trail, then rewrite the checkpoint to match it: without the key the signature no longer fits.
    tamper()
    LedgerEntry.objects.filter(seq=2).update(opinion="不予受理")
    rechain_ledger()
    path = anchored / "00000001.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["chains"]["ledger"]["hash"] = LedgerEntry.objects.get(seq=5).hash
    path.write_text(json.dumps(data), encoding="utf-8")
    assert_broken("第 1 个检查点", "的签名无效（检查点文件被伪造或改写")


def test_checkpoint_signed_by_another_key(anchored: Path) -> None:
    private, public = crypto.generate_keypair()
    path = anchored / "00000001.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    body = {name: data[name] for name in ("number", "at", "chains", "key_id")}
    data["signature"] = crypto.sign(private, public, crypto.canonical_json(body))
    path.write_text(json.dumps(data), encoding="utf-8")
    assert_broken("第 1 个检查点", "的签名无效")


def test_deleted_checkpoint_file_in_the_middle(anchored: Path) -> None:
    for i in range(2):
        with transaction.atomic():
            append(subject="RX2026030200003", subject_id=3, action=f"step{i}", at=T0)
        assert run("checkpoint")[0] == 0
    (anchored / "00000002.json").unlink()
    assert_broken("第 2 个检查点文件缺失（检查点编号不连续，文件被删除）")


def test_deleted_last_checkpoint_is_found_against_a_published_copy(
    anchored: Path, tamper: Tamper, tmp_path: Path
) -> None:
    with transaction.atomic():
        append(subject="RX2026030200003", subject_id=3, action="submit", at=T0)
    assert run("checkpoint")[0] == 0
    copy = tmp_path / "copy"
    shutil.copytree(anchored, copy)
    # Delete the newest entry and the newest checkpoint: the directory alone still agrees with the chain...
    tamper()
    LedgerEntry.objects.filter(seq=6).delete()
    LedgerHead.objects.update(seq=5, hash=LedgerEntry.objects.get(seq=5).hash)
    (anchored / "00000002.json").unlink()
    assert run("verify_audit")[0] == 0
    # ...the third party's copy does not.
    assert_broken("办件审计链现只有 5 条记录，短于第 2 个检查点登记的 6 条", extra=[str(copy)])
    shutil.copy(copy / "00000002.json", anchored)
    LedgerEntry.objects.filter(seq=5).update(opinion="改")
    assert_broken("第 5 条记录的内容与其哈希不符", extra=[str(copy)])


def test_checkpoints_checked_against_a_given_public_key(
    anchored: Path, key: checkpoints.CheckpointKey
) -> None:
    assert run("verify_audit", "--public-key", key.public_key)[0] == 0
    other = crypto.generate_keypair()[1]
    code, _, err = run("verify_audit", "--public-key", other)
    assert code == 1 and "的签名无效" in err


def test_public_key_missing_is_a_failure_not_a_pass(anchored: Path) -> None:
    checkpoints.key_path().unlink()
    checkpoints.public_key_path().unlink()
    assert_broken("找不到检查点公钥")


# --- the public page --------------------------------------------------------------------------------------------


def test_public_page_lists_the_checkpoints_and_the_public_key(
    anchored: Path, key: checkpoints.CheckpointKey, client: Client
) -> None:
    checkpoint = checkpoints.published()[0]
    page = client.get("/audit/checkpoints/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in (key.public_key, checkpoint.signature, checkpoint.chains["ledger"]["hash"], checkpoint.at):
        assert text in html
    assert "办件审计链" in html and "操作日志链" in html and "检查点（共 1 个）" in html

    data = client.get("/audit/checkpoints.json").json()
    assert data["public_key"] == key.public_key
    assert data["checkpoints"] == [json.loads((anchored / "00000001.json").read_text(encoding="utf-8"))]
    assert data["next_after"] is None
    assert client.get("/audit/checkpoints.json?after=1").json()["checkpoints"] == []
    assert client.get("/audit/checkpoints.json?after=x").status_code == 200
    # A third party's copy of the JSON verifies like the directory.
    assert checkpoint.signed_by(data["public_key"])


def test_public_page_before_any_key(client: Client, db: Any) -> None:
    page = client.get("/audit/checkpoints/")
    assert page.status_code == 200
    assert "尚未生成检查点密钥" in page.content.decode() and "尚无检查点" in page.content.decode()


# --- entries appended after the last checkpoint: the MAC (issue #9 item 2) --------------------------------------


def forge_ledger_append(**extra: Any) -> LedgerEntry:
    """What an administrator with SQL alone can do: a new entry after the head (seq = head + 1), hashed and linked
    exactly as append() would, and the head row moved onto it."""
    last = LedgerEntry.objects.order_by("-seq").first()
    assert last is not None
    seq = last.seq + 1
    fields: dict[str, Any] = {
        "at": last.at,
        "actor_id": None,
        "actor_name": "审批人员",
        "actor_role": "审批人员",
        "subject": "RX2026030200002",
        "subject_id": 2,
        "action": "approve",
        "before": None,
        "after": {"status": "approved"},
        "opinion": "同意",
    }
    digest = entry_hash(last.hash, payload(seq=seq, **fields))
    entry = LedgerEntry.objects.create(seq=seq, prev_hash=last.hash, hash=digest, **fields, **extra)
    LedgerHead.objects.update(seq=seq, hash=digest)
    return entry


def test_every_entry_carries_the_mac_of_its_hash(anchored: Path) -> None:
    for entry in LedgerEntry.objects.all():
        assert entry.mac == entry_mac(entry.hash) and len(entry.mac) == 64
    for event in AuditEvent.objects.all():
        assert event.mac == entry_mac(event.hash)


def test_a_true_append_after_the_last_checkpoint_is_named(anchored: Path, tamper: Tamper) -> None:
    tamper()
    forge_ledger_append()
    assert_broken(
        "第 6 条记录的校验码（mac）与审计密钥算出的不符",
        "第 6 条：办件 RX2026030200002，动作 approve",
    )


def test_a_true_append_with_a_guessed_mac_is_named(anchored: Path, tamper: Tamper, settings: Any) -> None:
    # A MAC under any key but the application's (here: one derived from another SECRET_KEY) does not verify.
    tamper()
    entry = forge_ledger_append()
    real = settings.SECRET_KEY
    settings.SECRET_KEY = "guessed-secret-key"
    LedgerEntry.objects.filter(pk=entry.pk).update(mac=entry_mac(entry.hash))
    settings.SECRET_KEY = real
    assert_broken("第 6 条记录的校验码（mac）")


def test_the_worker_refuses_to_sign_a_true_append(anchored: Path, tamper: Tamper) -> None:
    tamper()
    forge_ledger_append()
    code, _, err = run("checkpoint", "--force")
    assert code == 1 and "审计链核验未通过，不写检查点" in err and "第 6 条记录的校验码" in err
    assert checkpoints.checkpoint_due() == 0
    with pytest.raises(checkpoints.CheckpointError, match="第 6 条记录的校验码"):
        checkpoints.make_checkpoint(force=True)
    assert sorted(f.name for f in anchored.glob("*.json")) == ["00000001.json"]


def test_a_true_append_to_the_configuration_log_is_named(anchored: Path) -> None:
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    row = {**AuditEvent.objects.filter(pk=last.pk).values(*config_fields).get(), "seq": 4}
    row["note"] = "伪造的阈值变更"
    digest = link_hash(last.hash, config_payload(row))
    body = {k: v for k, v in row.items() if k not in ("prev_hash", "hash")}
    AuditEvent.objects.create(prev_hash=last.hash, hash=digest, **body)
    AuditHead.objects.update(seq=4, hash=digest)
    assert_broken("操作日志链：第 4 条记录的校验码（mac）与审计密钥算出的不符")
    assert checkpoints.checkpoint_due() == 0


def test_the_explicit_mac_key_is_the_key(chain: list[LedgerEntry], settings: Any) -> None:
    # Entries written under the derived key do not verify under another one: the key, not the code, is the secret.
    assert verify_config_log().ok and checkpoints.CHAINS["ledger"] is not None
    settings.GOVHALL_AUDIT_MAC_KEY = "an-explicit-key-kept-outside-the-database"
    report = ledger_verify()
    assert not report.ok and report.first_bad_seq == 1 and "校验码" in report.reason_zh
    # Setting the explicit key to the old derived value (the SECRET_KEY rotation procedure) keeps the trail valid.
    settings.GOVHALL_AUDIT_MAC_KEY = ""
    derived = mac_key().decode()
    settings.SECRET_KEY = "a-rotated-secret-key"
    assert not ledger_verify().ok
    settings.GOVHALL_AUDIT_MAC_KEY = derived
    assert ledger_verify().ok
    assert mac_key() == derived.encode()


def test_the_derived_key_is_labelled(settings: Any) -> None:
    settings.GOVHALL_AUDIT_MAC_KEY = ""
    assert mac_key() == crypto.hmac_sm3_hex(settings.SECRET_KEY.encode(), MAC_KEY_LABEL).encode()
    assert mac_key() != settings.SECRET_KEY.encode()


def test_a_tail_deleted_after_the_worker_saw_it_is_refused(
    anchored: Path, tamper: Tamper, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # The limit of the MAC: deleting the newest, not yet checkpointed entries leaves a valid chain. The worker's
    # record of the heads it saw (outside the database) narrows the window to one round.
    settings.GOVHALL_CHECKPOINT_ENTRIES = 1000
    settings.GOVHALL_CHECKPOINT_MINUTES = 1000
    with transaction.atomic():
        append(subject="RX2026030200003", subject_id=3, action="submit", at=T0 + dt.timedelta(hours=1))
    assert checkpoints.checkpoint_due() == 0  # not due yet, but the head (6) is remembered
    assert checkpoints.seen_heads() == {"ledger": 6, "config": 3}
    tamper()
    LedgerEntry.objects.filter(seq=6).delete()
    LedgerHead.objects.update(seq=5, hash=LedgerEntry.objects.get(seq=5).hash)
    assert run("verify_audit")[0] == 0  # the chain and checkpoint 1 alone cannot tell
    settings.GOVHALL_CHECKPOINT_ENTRIES = 1
    assert checkpoints.checkpoint_due() == 0
    assert "办件审计链现只到第 5 条，短于检查点工作进程此前见到的第 6 条" in caplog.text
    with pytest.raises(checkpoints.CheckpointError, match="短于检查点工作进程此前见到的第 6 条"):
        checkpoints.make_checkpoint(force=True)
    assert [c.number for c in checkpoints.published()] == [1]


# --- deleted checkpoints: entries left unanchored too long --------------------------------------------------------


def _key_made_at(instant: dt.datetime) -> None:
    for path in (checkpoints.key_path(), checkpoints.public_key_path()):
        os.utime(path, (instant.timestamp(), instant.timestamp()))


def test_deleting_every_checkpoint_file_is_not_a_pass(anchored: Path, settings: Any) -> None:
    settings.GOVHALL_CHECKPOINT_MINUTES = 10
    _key_made_at(T0 - dt.timedelta(days=1))
    (anchored / "00000001.json").unlink()
    with at(2026, 3, 2, 2, 1):  # 31 minutes after the entries: more than 10 + 2 × 10
        assert_broken("一个检查点都没有", "办件审计链第 1 条起的记录", "超过 30 分钟仍无检查点覆盖")
    with at(2026, 3, 2, 1, 59):  # within the grace the worker may simply not have run yet
        assert run("verify_audit")[0] == 0


def test_deleting_the_newest_checkpoints_is_not_a_pass(anchored: Path, settings: Any) -> None:
    settings.GOVHALL_CHECKPOINT_MINUTES = 10
    with transaction.atomic():
        append(subject="RX2026030200003", subject_id=3, action="submit", at=T0 + dt.timedelta(hours=1))
    assert run("checkpoint")[0] == 0
    (anchored / "00000002.json").unlink()
    with at(2026, 3, 2, 2, 50):
        assert run("verify_audit")[0] == 0  # the entry is 20 minutes old: its checkpoint may still be coming
    with at(2026, 3, 2, 3, 1):
        assert_broken("第 1 个检查点", "之后办件审计链第 6 条起的记录", "仍无检查点覆盖")


def test_no_anchor_requirement_without_a_key_or_for_a_key_made_just_now(
    chain: list[LedgerEntry], settings: Any
) -> None:
    # A fresh install (no key) and an install whose key was only just made verify as before.
    assert run("verify_audit")[0] == 0
    run("checkpoint_key")
    assert run("verify_audit")[0] == 0  # the entries are older than the key: the grace runs from the key
    _key_made_at(T0 - dt.timedelta(days=1))
    assert_broken("一个检查点都没有")
    assert run("checkpoint")[0] == 0
    assert run("verify_audit")[0] == 0
