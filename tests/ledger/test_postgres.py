"""PostgreSQL only: the append-only trigger and concurrent appends from several connections."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, connections, transaction

from govhall.ledger.actions import append, verify
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
            seqs = []
            for i in range(per_thread):
                with transaction.atomic():
                    entry = append(subject=f"RX{n}", subject_id=n, action="step", after={"i": i})
                seqs.append(entry.seq)
            written[n] = seqs
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
    total = threads_n * per_thread
    assert sorted(seq for seqs in written.values() for seq in seqs) == list(range(1, total + 1))
    for n, seqs in written.items():
        assert seqs == sorted(seqs)
        stored = list(LedgerEntry.objects.filter(subject=f"RX{n}").values_list("after", flat=True))
        assert stored == [{"i": i} for i in range(per_thread)]
    report = verify(chunk=17)
    assert (report.ok, report.checked) == (True, total)
    assert LedgerHead.objects.get().seq == total
