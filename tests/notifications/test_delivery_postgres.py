"""PostgreSQL only: two delivery workers running at once never send one message twice, and together send them all."""

from __future__ import annotations

import collections
import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings

from govhall.notifications.actions import notify
from govhall.notifications.delivery import deliver_pending
from govhall.notifications.models import Notification
from govhall.notifications.sms import FileSmsBackend

pytestmark = pytest.mark.postgres_only

ROWS = 60


class SlowFileSmsBackend(FileSmsBackend):
    """The file gateway with a little latency, so the two workers' rounds overlap."""

    def send(self, phone: str, text: str) -> str:
        time.sleep(0.003)
        return super().send(phone, text)


def test_two_deliverers_never_send_one_row_twice(
    transactional_db: Any, on_postgres: bool, tmp_path: Path
) -> None:
    if not on_postgres:
        pytest.skip("PostgreSQL only (row locks)")
    log = tmp_path / "sms.log"
    t0 = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
    for i in range(ROWS):
        notify(title=f"通知{i}", body="", phone=f"138{i:08d}", at=t0 + dt.timedelta(seconds=i))
    start = threading.Barrier(2)
    rounds: dict[str, list[dict[str, int]]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            start.wait(timeout=30)
            while True:
                result = deliver_pending(limit=7)
                rounds[name].append(result)
                if not result["sent"]:
                    return
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with override_settings(
        GOVHALL_SMS_BACKEND="tests.notifications.test_delivery_postgres.SlowFileSmsBackend",
        GOVHALL_SMS_FILE_PATH=str(log),
    ):
        threads = [threading.Thread(target=worker, args=(name,)) for name in rounds]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    phones = [json.loads(line)["phone"] for line in log.read_text(encoding="utf-8").splitlines()]
    counts = collections.Counter(phones)
    assert len(phones) == ROWS and set(counts.values()) == {1}
    sent_by = {name: sum(r["sent"] for r in results) for name, results in rounds.items()}
    assert sum(sent_by.values()) == ROWS
    # Both really worked at the same time (otherwise the test proves nothing about locking).
    assert all(sent_by.values()), sent_by
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
