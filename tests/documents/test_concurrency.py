"""Several workers and issuers at once, on PostgreSQL where row locks are real (SQLite has a single writer)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from govhall.documents import actions, signing
from govhall.documents.choices import DocumentStatus, SealStatus
from govhall.documents.models import Document, Seal

from .conftest import ISSUED_AT, notice_content

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(on_postgres):
    if not on_postgres:
        pytest.skip("row locks and SKIP LOCKED need PostgreSQL")


def in_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_two_workers_never_seal_a_document_twice(issue, rsj, monkeypatch):
    documents = [issue() for _ in range(8)] + [issue(department=rsj) for _ in range(6)]
    signed: Counter[str] = Counter()
    lock = threading.Lock()
    real_sign = signing.sign_pdf

    def counting_sign(pdf: bytes, **kwargs: Any) -> Any:
        with lock:
            signed[kwargs["number"]] += 1
        return real_sign(pdf, **kwargs)

    monkeypatch.setattr(actions.signing, "sign_pdf", counting_sign)
    counts = in_threads(2, lambda _: actions.seal_pending(limit=100))
    assert sum(counts) == len(documents)
    assert set(signed.values()) == {1}, signed
    assert set(signed) == {d.number for d in documents}
    assert not Document.objects.filter(status=DocumentStatus.PENDING).exists()
    # Both workers raced to make each department's first seal: still one seal each.
    assert Seal.objects.filter(status=SealStatus.ACTIVE).count() == 2
    assert Document.objects.values("seal").distinct().count() == 2


def test_numbers_stay_unique_and_gapless_under_concurrent_issuing(issue):
    per_thread = 8

    def work(index: int) -> list[str]:
        numbers = []
        for i in range(per_thread):
            with transaction.atomic():  # as inside a case action
                numbers.append(issue(case_number=f"T{index}-{i}").number)
        return numbers

    results = in_threads(4, work)
    numbers = [n for batch in results for n in batch]
    assert len(set(numbers)) == 4 * per_thread
    expected = {f"市场监管局受〔2026〕{seq}号" for seq in range(1, 4 * per_thread + 1)}
    assert set(numbers) == expected


def test_decisions_numbering_their_pair_of_documents_at_once_never_deadlock(scj):
    """Four issuers at once, each in its transaction as a decision: a grant numbers its decision and licence
    together (one statement taking both counters in the order of their kinds, creating a missing one), a licence
    alone now and then, a decision alone now and then — the year's counters created in the race too. Every issue
    succeeds and each kind's numbers stay gapless and unique. (This race caught, in CI, the earlier form's
    deadlock: existing counters raised first, missing ones created after — a grant holding the certificate counter
    waited to create the approval counter that another grant held while waiting for the certificate counter.)"""
    per_thread = 10

    def work(index: int) -> list[str]:
        numbers = []
        for i in range(per_thread):
            kinds = [["approval", "certificate"], ["certificate"], ["approval"]][(index + i) % 3]
            with transaction.atomic():
                numbers += [
                    d.number
                    for d in actions.issue_documents(
                        [(kind, notice_content()) for kind in kinds],
                        department=scj,
                        case_number=f"T{index}-{i}",
                        recipient="容县张三餐饮有限公司",
                        at=ISSUED_AT,
                    )
                ]
        return numbers

    numbers = [n for batch in in_threads(4, work) for n in batch]
    approvals = [n for n in numbers if "准" in n]
    certificates = [n for n in numbers if "证" in n]
    assert len(approvals) + len(certificates) == len(numbers)
    assert sorted(approvals) == sorted(f"市场监管局准〔2026〕{seq}号" for seq in range(1, len(approvals) + 1))
    assert sorted(certificates) == sorted(
        f"市场监管局证〔2026〕{seq}号" for seq in range(1, len(certificates) + 1)
    )
