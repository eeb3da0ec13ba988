"""Entries written unlinked by the actions, the linker that chains them, and what protects them in between."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from govhall.core import deferred
from govhall.core.compiled import update_rows
from govhall.ledger.actions import append, append_many, entries_for, link, new_writer, unlinked_count, verify
from govhall.ledger.models import LedgerEntry, LedgerHead
from govhall.org.models import StaffProfile

pytestmark = pytest.mark.django_db

Tamper = Callable[[], None]


def act(case: int, *actions: str) -> list[LedgerEntry]:
    """One case action's transaction writing its events."""
    with transaction.atomic():
        return append_many([{"subject": f"RX{case}", "subject_id": case, "action": a} for a in actions])


def test_an_action_writes_its_entries_in_one_insert_and_touches_no_head(clerk: User) -> None:
    staffed = User.objects.create_user("approver8", password=None)
    StaffProfile.objects.create(user=staffed, name="赵六", employee_no="E0008")
    events = [
        {"subject": "RX1", "subject_id": 1, "action": "accept", "actor": staffed, "actor_role": "审批人员"},
        {"subject": "RX1", "subject_id": 1, "action": "task_done", "actor": staffed, "after": {"step": 2}},
        {"subject": "RX1", "subject_id": 1, "action": "notice", "actor_name": "系统"},
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        entries = append_many(events)
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO")
    assert not LedgerHead.objects.exists()
    assert [e.seq for e in entries] == [None, None, None]
    assert [e.actor_name for e in entries] == ["赵六", "赵六", "系统"]
    # Each entry is sealed: a fresh nonce, the writer's consecutive numbers, a content MAC.
    assert len({e.nonce for e in entries}) == 3 and all(len(e.nonce) == 32 for e in entries)
    assert len({e.writer for e in entries}) == 1
    assert [e.writer_seq for e in entries] == [entries[0].writer_seq + i for i in range(3)]
    assert all(len(e.body_mac) == 64 for e in entries)
    # The staff name is remembered on the user object: a later action of the same request looks nothing up.
    with transaction.atomic(), CaptureQueriesContext(connection) as again:
        append(subject="RX1", subject_id=1, action="decide", actor=staffed)
    assert len(again.captured_queries) == 1


def test_linking_chains_in_commit_order_and_the_timeline_shows_unlinked_entries_last(db: Any) -> None:
    first = act(1, "submit", "accept")
    act(2, "submit")
    link()
    third = act(1, "approve")
    # Not linked yet, but already part of the case's timeline, after the linked ones.
    assert [e.action for e in entries_for("RX1")] == ["submit", "accept", "approve"]
    assert unlinked_count() == 1 and verify().ok
    act(3, "submit")
    act(1, "conclude")
    assert link(batch=2) == 3  # batches of two: 2 + 1
    rows = list(LedgerEntry.objects.order_by("seq").values_list("seq", "subject", "action"))
    assert rows == [
        (1, "RX1", "submit"),
        (2, "RX1", "accept"),
        (3, "RX2", "submit"),
        (4, "RX1", "approve"),
        (5, "RX3", "submit"),
        (6, "RX1", "conclude"),
    ]
    assert LedgerEntry.objects.get(pk=first[0].pk).prev_hash == "0" * 64
    assert LedgerEntry.objects.get(pk=third[0].pk).prev_hash == LedgerEntry.objects.get(seq=3).hash
    assert (LedgerHead.objects.get().seq, verify().checked) == (6, 6)
    assert link() == 0 and unlinked_count() == 0


def test_rolled_back_actions_and_savepoints_leave_no_gap_in_the_writers_numbers(db: Any) -> None:
    act(1, "submit")
    with pytest.raises(RuntimeError), transaction.atomic():
        act(1, "accept")
        raise RuntimeError("the action failed after writing")
    with transaction.atomic():
        act(1, "accept")
        with pytest.raises(RuntimeError), transaction.atomic():
            act(1, "oops")
            raise RuntimeError("a savepoint rolled back")
        act(1, "approve")
    link()
    rows = list(LedgerEntry.objects.order_by("seq").values_list("action", "writer", "writer_seq"))
    assert [r[0] for r in rows] == ["submit", "accept", "approve"]
    # A writer that saw a transaction end uncommitted goes on under a new name; within a name, no number is missing.
    by_writer: dict[str, list[int]] = {}
    for _, writer, number in rows:
        by_writer.setdefault(writer, []).append(number)
    for numbers in by_writer.values():
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert verify().ok


def test_an_altered_unlinked_entry_is_never_linked_and_verify_names_it(db: Any, tamper: Tamper) -> None:
    act(1, "submit")
    (altered,) = act(1, "accept")
    act(2, "submit")
    tamper()
    LedgerEntry.objects.filter(pk=altered.pk).update(opinion="不予受理")
    report = verify()
    assert not report.ok and "待链接记录的内容校验码" in report.reason_zh
    assert f"待链接记录（标识 {altered.pk}）：办件 RX1，动作 accept" in report.entry_summary
    assert link() == 3
    # The others are chained; the altered one stays out of the chain, and verify keeps naming it.
    assert list(LedgerEntry.objects.filter(seq__isnull=False).values_list("subject", "action")) == [
        ("RX1", "submit"),
        ("RX2", "submit"),
    ]
    assert LedgerEntry.objects.get(pk=altered.pk).seq is None
    assert not verify().ok


@pytest.mark.parametrize(
    "forgery",
    [
        {"body_mac": "0" * 64},  # written with SQL: no key
        {"writer_seq": 99},  # renumbered
        {"nonce": ""},  # stripped of its seal
        {"subject_id": 7},
    ],
)
def test_forged_unlinked_entries_are_refused(db: Any, tamper: Tamper, forgery: dict[str, Any]) -> None:
    (entry,) = act(1, "submit")
    tamper()
    LedgerEntry.objects.filter(pk=entry.pk).update(**forgery)
    assert not verify().ok
    link()
    assert LedgerEntry.objects.get(pk=entry.pk).seq is None


def test_a_copied_entry_is_refused_by_its_nonce_or_its_mac(db: Any, tamper: Tamper) -> None:
    (entry,) = act(1, "decide")
    row = LedgerEntry.objects.filter(pk=entry.pk).values().get()
    row.pop("id")
    tamper()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(**row)  # the very same entry twice
    LedgerEntry.objects.create(**{**row, "nonce": secrets.token_hex(16)})
    report = verify()
    assert not report.ok and "内容校验码" in report.reason_zh


def test_an_action_deleted_before_linking_shows_as_a_gap_before_and_after_linking(
    db: Any, tamper: Tamper
) -> None:
    act(1, "submit")
    act(2, "submit", "accept")
    act(3, "submit")
    tamper()
    LedgerEntry.objects.filter(subject="RX2").delete()
    report = verify()
    assert not report.ok and "之前的记录缺失（链接前被删除）" in report.reason_zh
    link()
    report = verify()
    assert not report.ok and report.first_bad_seq == 2
    assert "同一写入者" in report.reason_zh and "号记录缺失（记录在链接前被删除）" in report.reason_zh


def test_the_newest_action_deleted_before_linking_is_the_known_limit(db: Any, tamper: Tamper) -> None:
    """Documented in docs/audit.md: nothing names the last entries of a writer that writes no more."""
    act(1, "submit")
    act(2, "submit")
    tamper()
    LedgerEntry.objects.filter(subject="RX2").delete()
    link()
    assert verify().ok
    act(3, "submit")  # ... until the same writer writes again
    link()
    assert not verify().ok


def test_a_fresh_writer_starts_its_own_numbers(db: Any) -> None:
    (a,) = act(1, "submit")
    new_writer()
    (b,) = act(1, "accept")
    assert a.writer != b.writer and b.writer_seq == 1
    link()
    assert verify().ok


def test_verify_audit_checks_unlinked_entries_and_links_them_with_link(db: Any, tamper: Tamper) -> None:
    act(1, "submit", "accept")
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue() == (
        "审计链完整：共 0 条记录\n另有待链接记录 2 条，内容校验码均有效（链接进程稍后将其链入审计链）\n"
    )
    out = io.StringIO()
    call_command("verify_audit", "--link", stdout=out)
    assert out.getvalue() == "审计链完整：共 2 条记录\n"
    act(1, "approve")
    tamper()
    LedgerEntry.objects.filter(seq__isnull=True).update(opinion="改")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_audit", "--link", stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1 and "待链接记录的内容校验码" in err.getvalue()


def test_link_audit_command_links_once(db: Any) -> None:
    act(1, "submit", "accept")
    out = io.StringIO()
    call_command("link_audit", "--once", stdout=out)
    assert out.getvalue() == '{"audit_linked": 2}\n'
    assert unlinked_count() == 0 and verify().checked == 2


def test_an_entry_linked_while_verify_pages_through_the_unlinked_ones_is_no_gap(
    db: Any, tamper: Tamper
) -> None:
    from govhall.ledger.actions import _unlinked_problem

    act(1, "submit")
    (middle,) = act(1, "accept")
    act(1, "approve")
    tamper()
    # As if a linker had chained the middle one between two pages of one-entry reads.
    LedgerEntry.objects.filter(pk=middle.pk).update(seq=1, prev_hash="0" * 64, hash="a" * 64, mac="b" * 64)
    assert _unlinked_problem(1) is None
    LedgerEntry.objects.filter(pk=middle.pk).delete()
    problem = _unlinked_problem(1)
    assert problem is not None and "之前的记录缺失（链接前被删除）" in problem[0]


def _guarded_entry(user: User, action: str) -> int:
    """An entry that goes with an `if_changed()` guard (a claim's, in the case actions): written only if the guard
    finds the user's first name still empty."""
    with deferred.if_changed() as guard:
        append_many([{"subject": "RX7", "subject_id": 7, "action": action}], later=True, guard=guard)
        return update_rows(User, {"first_name": action}, pk=user.pk, first_name="", guard=guard)


def _no_gap_in_the_writers_numbers() -> None:
    by_writer: dict[str, list[int]] = {}
    for writer, number in LedgerEntry.objects.order_by("seq").values_list("writer", "writer_seq"):
        by_writer.setdefault(writer, []).append(number)
    for numbers in by_writer.values():
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))


@pytest.mark.parametrize("block", ["transaction", "single_write"])
def test_entries_of_a_guard_are_numbered_only_when_written(transactional_db: Any, block: str) -> None:
    """A guard that matches nothing drops its entries; their numbers must not count as used when the transaction
    commits, or the writer's next entry would show a gap — an entry deleted, to verify_audit. Without a
    transaction (core.deferred.single_write, PostgreSQL) the guard's statement commits by itself: its entries'
    numbers count once it has changed rows, not before, and not at all when it matched nothing."""
    if block == "single_write" and connection.vendor != "postgresql":
        pytest.skip("single_write is PostgreSQL's")
    opened = transaction.atomic if block == "transaction" else deferred.single_write
    user = User.objects.create_user("guarded-writer", password=None)
    with opened():
        assert _guarded_entry(user, "claimed") == 1
    with opened():
        assert _guarded_entry(user, "claimed-again") == 0  # ended well, without its entry
    act(7, "approve")
    link()
    assert list(LedgerEntry.objects.order_by("seq").values_list("action", flat=True)) == [
        "claimed",
        "approve",
    ]
    _no_gap_in_the_writers_numbers()
    assert len(set(LedgerEntry.objects.values_list("writer", flat=True))) == 1  # the same writer went on
    assert verify().ok


def test_entries_outside_a_transaction_without_a_guard_are_still_refused(transactional_db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("single_write is PostgreSQL's")
    with pytest.raises(transaction.TransactionManagementError), deferred.single_write():
        append_many([{"subject": "RX8", "subject_id": 8, "action": "submit"}])
    assert not LedgerEntry.objects.exists()
