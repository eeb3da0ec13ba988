"""PostgreSQL only: several delivery workers claim different outbox rows at once (SKIP LOCKED)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connections, transaction

from govhall.notifications.actions import notify, outbox
from govhall.notifications.choices import Channel

pytestmark = pytest.mark.postgres_only


def test_two_workers_claim_disjoint_outbox_rows(transactional_db: Any, on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("PostgreSQL only (row locks)")
    t0 = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
    for i in range(6):
        notify(title=f"通知{i}", body="", phone=f"1380013800{i}", at=t0 + dt.timedelta(seconds=i))
    first_claimed = threading.Event()
    release = threading.Event()
    claims: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def worker(name: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                claims[name] = [n.phone for n in outbox(Channel.SMS, limit=3)]
                if hold:
                    first_claimed.set()
                    release.wait(timeout=30)
        except BaseException as exc:
            errors.append(exc)
            first_claimed.set()
        finally:
            connections.close_all()

    holder = threading.Thread(target=worker, args=("a", True))
    holder.start()
    assert first_claimed.wait(timeout=30)
    second = threading.Thread(target=worker, args=("b", False))
    second.start()
    second.join(timeout=30)
    release.set()
    holder.join(timeout=30)
    assert not errors, errors
    assert claims["a"] == ["13800138000", "13800138001", "13800138002"]
    assert claims["b"] == ["13800138003", "13800138004", "13800138005"]
