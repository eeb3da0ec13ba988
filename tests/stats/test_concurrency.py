"""Two refreshers at once on PostgreSQL: the cursor row lock lets one fold each entry exactly once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import time_machine
from django.db import connection

from govhall.cases import actions
from govhall.stats.models import DailyFact
from govhall.stats.refresh import rebuild_facts, refresh_facts
from tests.cases.conftest import PERSON, build_hall, local, uploads_for

FIELDS = [f.attname for f in DailyFact._meta.concrete_fields if f.name != "id"]


@pytest.mark.postgres_only
def test_two_refreshers_count_each_entry_once(reference_data: None) -> None:
    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        hall = build_hall()
        item = hall.item("企业营业执照设立登记")
        for _ in range(12):
            case = actions.submit_application(
                item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
            )
            actions.handle_instant(case, by=hall["clerk"])
    barrier = threading.Barrier(2)
    read: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            read.append(refresh_facts(batch=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    totals = DailyFact.objects.all()
    assert sum(f.accepted for f in totals) == 12 and sum(f.instant_same_day for f in totals) == 12
    incremental = Counter(DailyFact.objects.values_list(*FIELDS))
    rebuild_facts()
    assert Counter(DailyFact.objects.values_list(*FIELDS)) == incremental
