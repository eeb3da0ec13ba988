"""PostgreSQL only: the append-only trigger and concurrent appends from several connections."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, connections, transaction

from govhall.ledger.actions import append, link, verify
from govhall.ledger.models import LedgerEntry, LedgerHead

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _needs_postgres(on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("PostgreSQL only (set DATABASE_URL to a PostgreSQL database)")


@pytest.mark.django_db
def test_trigger_refuses_plain_update_and_delete(chain: list[LedgerEntry]) -> None:
    with pytest.raises(DatabaseError, match="办件审计链只能追加"), transaction.atomic():
        LedgerEntry.objects.filter(seq=2).update(opinion="不同意")
    with pytest.raises(DatabaseError, match="办件审计链只能追加"), transaction.atomic():
        LedgerEntry.objects.filter(seq=5).delete()
    with (
        pytest.raises(DatabaseError, match="UPDATE 第 1 条"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        # Renumbering by hand; pinned to one row because which row a full-table UPDATE reaches first depends on where
        # the rows sit on disk (other tests insert and delete in this table).
        cur.execute("UPDATE ledger_ledgerentry SET seq = seq + 100 WHERE seq = 1")
    assert LedgerEntry.objects.get(seq=2).opinion == "材料齐全，予以受理"
    assert LedgerEntry.objects.count() == 5
    assert verify().ok


@pytest.mark.django_db
def test_maintenance_setting_lifts_the_guard_only_inside_its_transaction(
    chain: list[LedgerEntry], tamper: Callable[[], None]
) -> None:
    with transaction.atomic():
        tamper()  # SET LOCAL inside this savepoint
        LedgerEntry.objects.filter(seq=2).update(opinion="修复")
        transaction.set_rollback(True)  # rolling the savepoint back also ends the SET LOCAL
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(seq=2).update(opinion="不同意")
    assert LedgerEntry.objects.get(seq=2).opinion == "材料齐全，予以受理"


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_eight_connections_give_a_gap_free_chain() -> None:
    threads_n, per_thread = 8, 15
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []
    written: dict[int, list[int]] = {}

    def work(n: int) -> None:
        try:
            barrier.wait()
            ids = []
            for i in range(per_thread):
                with transaction.atomic():
                    entry = append(subject=f"RX{n}", subject_id=n, action="step", after={"i": i})
                ids.append(entry.pk)
                if i % 5 == 4:
                    link()  # several linkers at once, among the writers
            written[n] = ids
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    # Transactional tests are flushed afterwards, so the head row is normally missing here and the threads
    # also race to create it.
    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    link()
    total = threads_n * per_thread
    seq_of = dict(LedgerEntry.objects.values_list("pk", "seq"))
    assert sorted(seq_of[pk] for ids in written.values() for pk in ids) == list(range(1, total + 1))
    for n, ids in written.items():
        seqs = [seq_of[pk] for pk in ids]
        assert seqs == sorted(seqs)  # each writer's entries chained in the order it committed them
        stored = list(LedgerEntry.objects.filter(subject=f"RX{n}").values_list("after", flat=True))
        assert stored == [{"i": i} for i in range(per_thread)]
    report = verify(chunk=17)
    assert (report.ok, report.checked) == (True, total)
    assert LedgerHead.objects.get().seq == total


@pytest.mark.django_db
def test_trigger_lets_the_linker_fill_in_the_link_once_and_nothing_else(db: None) -> None:
    with transaction.atomic():
        entry = append(subject="RX1", subject_id=1, action="submit", opinion="申请")
        append(subject="RX1", subject_id=1, action="accept")
    for change in ({"opinion": "改"}, {"writer_seq": 5}, {"body_mac": "0" * 64}):
        with pytest.raises(DatabaseError, match="待链接"), transaction.atomic():
            LedgerEntry.objects.filter(pk=entry.pk).update(**change)
    with pytest.raises(DatabaseError, match="待链接"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    # Linking while changing the content at the same time is refused too.
    with pytest.raises(DatabaseError, match="待链接"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(
            seq=1, prev_hash="0" * 64, hash="a" * 64, mac="b" * 64, opinion="改"
        )
    assert link() == 2
    with pytest.raises(DatabaseError, match="UPDATE 第 1 条"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(seq=9, hash="c" * 64)  # linked once: never again
    assert verify().ok and verify().checked == 2


@pytest.mark.django_db(transaction=True)
def test_a_linker_skips_its_round_while_another_holds_the_head() -> None:
    with transaction.atomic():
        append(subject="RX1", subject_id=1, action="submit")
    assert link() == 1
    with transaction.atomic():
        append(subject="RX1", subject_id=1, action="accept")
    holding, release = threading.Event(), threading.Event()

    def other_linker() -> None:
        try:
            with transaction.atomic():
                LedgerHead.objects.select_for_update().get(pk=1)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_linker)
    thread.start()
    assert holding.wait(10)
    try:
        assert link() == 0  # SKIP LOCKED: no waiting behind the other linker
    finally:
        release.set()
        thread.join(10)
    assert link() == 1 and verify().checked == 2


@pytest.mark.django_db(transaction=True)
def test_two_linkers_never_link_an_entry_twice() -> None:
    for case in range(40):
        with transaction.atomic():
            for step in range(5):
                append(subject=f"RX{case}", subject_id=case, action=f"step{step}")
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def linker() -> None:
        try:
            barrier.wait()
            total = 0
            while LedgerEntry.objects.filter(seq__isnull=True).exists():
                total += link(batch=7)
            counts.append(total)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=linker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(counts) == 200  # every entry read and linked by exactly one of them
    assert sorted(LedgerEntry.objects.values_list("seq", flat=True)) == list(range(1, 201))
    # In commit order: each case's steps in the order written.
    for case in range(40):
        actions = list(
            LedgerEntry.objects.filter(subject=f"RX{case}").order_by("seq").values_list("action", flat=True)
        )
        assert actions == [f"step{i}" for i in range(5)]
    assert verify().checked == 200
