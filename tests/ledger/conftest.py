from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from govhall.ledger.actions import append, link
from govhall.ledger.models import LedgerEntry

T0 = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing


@pytest.fixture
def tamper() -> Callable[[], None]:
    """Lift the PostgreSQL append-only trigger for the rest of the test's transaction (the repair procedure)."""

    def lift() -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL govhall.ledger_maintenance = 'on'")

    return lift


@pytest.fixture
def clerk(db: Any) -> User:
    return User.objects.create_user("clerk1", password=None)


@pytest.fixture
def chain(db: Any, clerk: User) -> list[LedgerEntry]:
    """Five events of two cases, as the case actions would write them, then linked by the linker."""
    events: list[dict[str, Any]] = [
        {"subject": "RX2026030200001", "subject_id": 1, "action": "submit", "after": {"status": "submitted"}},
        {
            "subject": "RX2026030200001",
            "subject_id": 1,
            "action": "accept",
            "actor": clerk,
            "actor_role": "窗口工作人员",
            "before": {"status": "submitted"},
            "after": {"status": "accepted", "deadline": dt.date(2026, 3, 30)},
            "opinion": "材料齐全，予以受理",
        },
        {"subject": "RX2026030200002", "subject_id": 2, "action": "submit", "after": {"status": "submitted"}},
        {
            "subject": "RX2026030200001",
            "subject_id": 1,
            "action": "approve",
            "actor": clerk,
            "actor_role": "审批人员",
            "before": {"status": "accepted"},
            "after": {"status": "approved"},
            "opinion": "同意",
        },
        {
            "subject": "RX2026030200002",
            "subject_id": 2,
            "action": "correct",
            "actor": clerk,
            "actor_role": "窗口工作人员",
            "opinion": "请补正营业场所证明",
        },
    ]
    entries = []
    with transaction.atomic():
        for i, event in enumerate(events):
            entries.append(append(at=T0 + dt.timedelta(minutes=i), **event))
    assert link() == 5
    return [LedgerEntry.objects.get(pk=entry.pk) for entry in entries]
