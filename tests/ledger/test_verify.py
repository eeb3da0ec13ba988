"""append() builds the chain; verify() names the first entry after any single row is altered, deleted or moved."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govhall.core import clock
from govhall.core.hashchain import entry_mac
from govhall.ledger import chain as chain_mod
from govhall.ledger.actions import LedgerCorrupted, append, entries_for, link, verify
from govhall.ledger.models import LedgerEntry, LedgerHead
from govhall.org.models import StaffProfile

from .conftest import T0

pytestmark = pytest.mark.django_db

Tamper = Callable[[], None]
_BODY = (
    "at",
    "actor_id",
    "actor_name",
    "actor_role",
    "subject",
    "subject_id",
    "action",
    "before",
    "after",
    "opinion",
    "nonce",
    "writer",
    "writer_seq",
)


def test_append_chains_entries_from_genesis(chain: list[LedgerEntry]) -> None:
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in chain}) == 5
    head = LedgerHead.objects.get()
    assert (head.seq, head.hash) == (5, chain[-1].hash)
    # The hash is over the row as read back, so it can be recomputed from the database alone.
    stored = LedgerEntry.objects.get(seq=2)
    body = chain_mod.payload(
        seq=2,
        at=stored.at,
        actor_id=stored.actor_id,
        actor_name=stored.actor_name,
        actor_role=stored.actor_role,
        subject=stored.subject,
        subject_id=stored.subject_id,
        action=stored.action,
        before=stored.before,
        after=stored.after,
        opinion=stored.opinion,
        nonce=stored.nonce,
        writer=stored.writer,
        writer_seq=stored.writer_seq,
    )
    assert chain_mod.entry_hash(stored.prev_hash, body) == stored.hash
    assert stored.after == {"status": "accepted", "deadline": "2026-03-30"}


def test_intact_chain_verifies(chain: list[LedgerEntry]) -> None:
    report = verify()
    assert report.ok and report.checked == 5 and report.first_bad_seq is None
    # Small chunks exercise the keyset paging across page borders.
    assert verify(chunk=2).ok and verify(chunk=2).checked == 5


def test_empty_ledger_verifies(db: Any) -> None:
    assert verify().ok and verify().checked == 0


def test_actor_name_defaults_to_staff_name_then_username(clerk: User) -> None:
    other = User.objects.create_user("approver7", password=None)
    StaffProfile.objects.create(user=other, name="李四", employee_no="E0007")
    with transaction.atomic():
        a = append(subject="RX1", subject_id=1, action="submit", actor=clerk)
        b = append(subject="RX1", subject_id=1, action="approve", actor=other, actor_role="审批人员")
        c = append(subject="RX1", subject_id=1, action="submit", actor_name="王五（申请人）")
        d = append(subject="RX1", subject_id=1, action="overdue")
    assert (a.actor_name, a.actor_id) == ("clerk1", clerk.pk)
    assert (b.actor_name, b.actor_role) == ("李四", "审批人员")
    assert (c.actor_name, c.actor_id) == ("王五（申请人）", None)
    assert (d.actor_name, d.actor_id) == ("", None)


def test_at_defaults_to_the_platform_clock_and_is_stored_in_utc(db: Any) -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    with clock.frozen_at(dt.datetime(2026, 10, 9, 17, 29, 59, 123456, tzinfo=beijing)), transaction.atomic():
        entry = append(subject="RX1", subject_id=1, action="conclude")
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert stored.at == dt.datetime(2026, 10, 9, 9, 29, 59, 123456, tzinfo=dt.UTC)
    assert verify().ok


def test_entries_for_gives_one_case_in_chain_order(chain: list[LedgerEntry]) -> None:
    assert [e.action for e in entries_for("RX2026030200001")] == ["submit", "accept", "approve"]
    assert [e.seq for e in entries_for("RX2026030200002")] == [3, 5]
    assert not entries_for("RX-none").exists()


def test_rolled_back_action_leaves_no_gap(chain: list[LedgerEntry]) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        append(subject="RX3", subject_id=3, action="accept")
        raise RuntimeError("the case action failed after appending")
    with transaction.atomic():
        entry = append(subject="RX3", subject_id=3, action="accept")
    assert entry.seq is None and verify().ok  # unlinked: its MAC is checked
    assert link() == 1
    entry.refresh_from_db()
    assert entry.seq == 6
    assert verify().ok


def test_deleting_a_user_does_not_touch_the_entries(chain: list[LedgerEntry], clerk: User) -> None:
    clerk_id = clerk.pk
    clerk.delete()
    assert LedgerEntry.objects.filter(actor_id=clerk_id).count() == 3
    assert verify().ok


def test_bad_input_is_refused_before_anything_is_written(db: Any) -> None:
    with transaction.atomic():
        with pytest.raises(ValueError):
            append(subject="", subject_id=None, action="submit")
        with pytest.raises(ValueError):
            append(subject="X" * 65, subject_id=None, action="submit")
        with pytest.raises(ValueError):
            append(subject="RX1", subject_id=1, action="submit", at=dt.datetime(2026, 3, 2, 9, 0))
        with pytest.raises(TypeError):
            append(subject="RX1", subject_id=1, action="submit", after={"user": User()})
    assert not LedgerEntry.objects.exists()


# --- tampering: each alteration is named by seq ---------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("opinion", "不同意"),
        ("before", {"status": "rejected"}),
        ("after", {"status": "accepted", "deadline": "2026-03-31"}),
        ("actor_role", "中心管理员"),
        ("actor_name", "someone"),
        ("actor_id", None),
        ("subject", "RX2026030200009"),
        ("subject_id", 9),
        ("action", "refuse"),
        ("at", T0 + dt.timedelta(minutes=1, microseconds=1)),
    ],
)
def test_altering_one_field_names_that_entry(
    chain: list[LedgerEntry], tamper: Tamper, field: str, value: Any
) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=2).update(**{field: value})
    report = verify()
    assert not report.ok
    assert report.first_bad_seq == 2
    assert report.checked == 1
    assert "第 2 条记录的内容与其哈希不符" in report.reason_zh
    assert report.entry_summary.startswith("第 2 条：")


def test_rehashing_an_altered_entry_breaks_the_link_to_the_next(
    chain: list[LedgerEntry], tamper: Tamper
) -> None:
    tamper()
    row = LedgerEntry.objects.get(seq=2)
    row.opinion = "不予受理"
    forged = chain_mod.entry_hash(
        row.prev_hash,
        chain_mod.payload(
            seq=2,
            at=row.at,
            actor_id=row.actor_id,
            actor_name=row.actor_name,
            actor_role=row.actor_role,
            subject=row.subject,
            subject_id=row.subject_id,
            action=row.action,
            before=row.before,
            after=row.after,
            opinion=row.opinion,
            nonce=row.nonce,
            writer=row.writer,
            writer_seq=row.writer_seq,
        ),
    )
    # With the MAC key too (stolen from an application server): what is left to catch it is the broken link.
    sealed = chain_mod.body_mac(
        chain_mod.body_payload(**{f: getattr(row, f) for f in _BODY}),
    )
    LedgerEntry.objects.filter(seq=2).update(
        opinion=row.opinion, hash=forged, mac=entry_mac(forged), body_mac=sealed
    )
    report = verify()
    assert report.first_bad_seq == 3
    assert "前序哈希" in report.reason_zh


def test_deleting_a_middle_entry_names_the_gap(chain: list[LedgerEntry], tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=3).delete()
    report = verify()
    assert (report.ok, report.first_bad_seq, report.checked) == (False, 3, 2)
    assert report.reason_zh == "第 3 条记录缺失（被删除）"
    assert "第 2 条" in report.entry_summary and "第 4 条" in report.entry_summary


def test_deleting_the_first_entry_is_detected(chain: list[LedgerEntry], tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=1).delete()
    assert verify().first_bad_seq == 1


def test_deleting_the_last_entry_is_detected_through_the_head(
    chain: list[LedgerEntry], tamper: Tamper
) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=5).delete()
    report = verify()
    assert (report.ok, report.first_bad_seq, report.checked) == (False, 5, 4)
    assert "末尾记录被删除" in report.reason_zh


def test_deleting_every_entry_is_detected(chain: list[LedgerEntry], tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.all().delete()
    report = verify()
    assert (report.ok, report.first_bad_seq) == (False, 1)


def test_renumbering_after_a_deletion_is_detected(chain: list[LedgerEntry], tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=3).delete()
    for seq in (4, 5):
        LedgerEntry.objects.filter(seq=seq).update(seq=seq - 1)
    LedgerHead.objects.update(seq=4)
    report = verify()
    assert report.first_bad_seq == 3
    assert not report.ok


def test_swapping_two_entries_names_the_first(chain: list[LedgerEntry], tamper: Tamper) -> None:
    tamper()
    LedgerEntry.objects.filter(seq=3).update(seq=1000)
    LedgerEntry.objects.filter(seq=4).update(seq=3)
    LedgerEntry.objects.filter(seq=1000).update(seq=4)
    report = verify()
    assert (report.ok, report.first_bad_seq) == (False, 3)
    assert "approve" in report.entry_summary  # the row now standing at 3 is the one that was 4th


def test_tampered_head_hash_is_detected(chain: list[LedgerEntry], tamper: Tamper) -> None:
    LedgerHead.objects.update(hash="f" * 64)
    report = verify()
    assert (report.ok, report.first_bad_seq, report.checked) == (False, 5, 5)
    assert "链头" in report.reason_zh


def test_head_behind_the_entries_is_detected(chain: list[LedgerEntry]) -> None:
    LedgerHead.objects.update(seq=4, hash=chain[3].hash)
    report = verify()
    assert (report.ok, report.first_bad_seq) == (False, 5)


def test_missing_head_is_detected_and_blocks_linking(chain: list[LedgerEntry]) -> None:
    LedgerHead.objects.all().delete()
    report = verify()
    assert not report.ok and "链头记录缺失" in report.reason_zh
    with transaction.atomic():
        entry = append(subject="RX3", subject_id=3, action="submit")  # the action itself is not held up
    with pytest.raises(LedgerCorrupted):
        link()
    entry.refresh_from_db()
    assert entry.seq is None


def test_head_is_created_on_first_link(db: Any) -> None:
    with transaction.atomic():
        entry = append(subject="RX1", subject_id=1, action="submit")
    assert not LedgerHead.objects.exists()  # the action never touches the head
    assert link() == 1
    entry.refresh_from_db()
    assert entry.seq == 1
    assert LedgerHead.objects.get().seq == 1


# --- the stored JSON equals what was hashed, on SQLite and on PostgreSQL jsonb --------------------------

# NUL becomes U+FFFD, so keys holding either could collide (a refused input, tested in test_chain).
# Lone surrogates (category Cs) cannot be UTF-8 at all: refused at the edge (core.middleware), never stored.
_KEY_CHARS = st.characters(blacklist_characters="\x00\ufffd", blacklist_categories=("Cs",))
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.datetimes(min_value=dt.datetime(1900, 1, 1), timezones=st.just(dt.timezone(dt.timedelta(hours=8))))
    | st.dates()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(_KEY_CHARS, max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=json_values,
    after=json_values,
    opinion=st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
)
def test_any_event_hashes_the_same_after_the_database_round_trip(
    before: Any, after: Any, opinion: str
) -> None:
    with transaction.atomic():
        entry = append(
            subject="RX1", subject_id=1, action="edit", before=before, after=after, opinion=opinion
        )
    link()
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert stored.before == entry.before and stored.after == entry.after and stored.opinion == entry.opinion
    body = {
        f: getattr(stored, f)
        for f in ("at", "actor_id", "actor_name", "actor_role", "subject", "nonce", "writer", "writer_seq")
    }
    recomputed = chain_mod.entry_hash(
        stored.prev_hash,
        chain_mod.payload(
            seq=stored.seq,
            subject_id=stored.subject_id,
            action=stored.action,
            before=stored.before,
            after=stored.after,
            opinion=stored.opinion,
            **body,
        ),
    )
    assert recomputed == stored.hash


def test_awkward_values_round_trip_and_verify(db: Any) -> None:
    awkward = {
        "z": 1,
        "a": [1.0, 1e20, 1e-300, 0.1 + 0.2, -0.0, 2**70, Decimal("0.10"), "\x00", "𠮷"],
        "nested": {"b": {"c": None, "a": True}},
        10: "int key",
    }
    with transaction.atomic():
        append(
            subject="RX1", subject_id=1, action="edit", before=awkward, after=[awkward], opinion="含\x00字符"
        )
    assert verify().ok
    stored = LedgerEntry.objects.get()
    assert stored.before["a"][:6] == [1, 100000000000000000000, 1e-300, 0.30000000000000004, 0, 2**70]
    assert stored.opinion == "含\ufffd字符"
