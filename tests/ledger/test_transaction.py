from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from govhall.ledger.actions import append
from govhall.ledger.models import LedgerEntry, LedgerHead


def test_append_outside_a_transaction_is_refused(transactional_db: Any) -> None:
    # In autocommit each statement would commit alone: the head lock would end before the entry is written.
    with pytest.raises(transaction.TransactionManagementError, match="必须在办件动作的事务"):
        append(subject="RX1", subject_id=1, action="submit")
    assert not LedgerEntry.objects.exists()
    assert not LedgerHead.objects.exists()
