"""Incremental refresh, interleaved with a simulated hall, gives exactly what a rebuild from the chain gives."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from govhall.cases.choices import CaseStatus
from govhall.cases.models import Case
from govhall.demo.simulation import simulate
from govhall.stats.models import DailyFact
from govhall.stats.queries import indicator_table
from govhall.stats.refresh import rebuild_facts, refresh_facts

pytestmark = pytest.mark.django_db
ALL_TIME = (date(2000, 1, 1), date(2100, 12, 31))
FIELDS = [f.attname for f in DailyFact._meta.concrete_fields if f.name != "id"]


def test_incremental_refresh_equals_rebuild_after_a_simulation() -> None:
    refreshed: list[int] = []

    def progress(message: str) -> None:
        # The simulator reports at the end of each working day: refresh there, while the hall is half-way.
        if "已收件" in message:
            refreshed.append(refresh_facts(batch=37))

    simulate(cases=60, days=5, seed=3, log=progress, modules=False)  # the cases' facts; the modules add none
    refreshed.append(refresh_facts(batch=37))
    assert sum(refreshed) > 0 and sum(1 for n in refreshed if n) >= 2  # folded in several goes
    incremental = Counter(DailyFact.objects.values_list(*FIELDS))
    totals = indicator_table(ALL_TIME)[0].sums

    assert rebuild_facts() == sum(incremental.values())
    assert Counter(DailyFact.objects.values_list(*FIELDS)) == incremental
    assert refresh_facts() == 0

    # Cross-check against the case table itself.
    cases = Case.objects.all()
    assert totals["accepted"] == cases.filter(accepted_at__isnull=False).count() > 0
    assert totals["concluded"] == cases.filter(status=CaseStatus.CONCLUDED).count()
    assert totals["not_accepted"] == cases.filter(status=CaseStatus.NOT_ACCEPTED).count()
    assert totals["withdrawn"] == cases.filter(status=CaseStatus.WITHDRAWN).count()
    concluded = cases.filter(status=CaseStatus.CONCLUDED)
    assert totals["late"] == concluded.filter(clock__late=True).count()
    assert totals["on_time"] + totals["late"] == totals["concluded"]


def test_refresh_command(capsys: Any) -> None:
    from django.core.management import call_command

    call_command("refresh_stats")
    assert "processed 0 audit entries" in capsys.readouterr().out
