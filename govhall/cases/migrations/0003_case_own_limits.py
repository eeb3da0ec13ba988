"""A case owns its time limits (copied at acceptance). Cases accepted before this change get theirs here."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from django.db import migrations, models

TIME_UNITS = [("workday", "工作日"), ("day", "自然日"), ("hour", "小时"), ("minute", "分钟")]


def _from_clock(clock: Any, unit: str) -> int | None:
    """The limit a running clock was started with, in the catalog unit (clocks keep hours as office minutes)."""
    if clock is None:
        return None
    if clock.unit == unit:
        return int(clock.budget)
    if unit == "hour" and clock.unit == "minute" and clock.budget % 60 == 0:
        return int(clock.budget) // 60
    return None


def _green_channel(process: Any, promised: int) -> int:
    # Same arithmetic as workflow.engine.green_channel_limit (a migration must not import app code that may change).
    factor = (process.spec or {}).get("green_channel", {}) if process is not None else {}
    if not isinstance(factor, dict) or factor.get("factor") is None:
        return promised
    return max(1, math.ceil(Fraction(str(factor["factor"])) * promised))


def fill_limits(apps: Any, schema_editor: Any) -> None:
    """Every accepted case gets the limits it has been running on: the item version in force when it was accepted
    (the first version when the history starts later, as with simulated cases), and the budgets its promised and
    legal clocks were started with — so the copy agrees with the deadlines already announced to the applicant."""
    Case = apps.get_model("cases", "Case")
    ItemVersion = apps.get_model("catalog", "ItemVersion")
    cases = Case.objects.filter(accepted_at__isnull=False, promised_limit__isnull=True).select_related(
        "item", "process", "clock", "legal_clock"
    )
    item_ids = set(cases.values_list("item_id", flat=True))
    versions: dict[int, list[Any]] = {}
    for version in ItemVersion.objects.filter(item_id__in=item_ids).order_by("item_id", "version"):
        versions.setdefault(version.item_id, []).append(version)
    batch: list[Any] = []
    fields = [
        "item_version",
        "catalog_promised_limit",
        "promised_limit",
        "promised_limit_unit",
        "legal_limit",
        "legal_limit_unit",
    ]
    for case in cases.iterator(chunk_size=500):
        item = case.item
        history = versions.get(item.pk, [])
        in_force = [v for v in history if v.changed_at <= case.accepted_at]
        version = in_force[-1] if in_force else (history[0] if history else None)
        snapshot = version.snapshot if version is not None and isinstance(version.snapshot, dict) else {}
        catalog_promised = int(snapshot.get("promised_limit", item.promised_limit))
        promised_unit = str(snapshot.get("promised_limit_unit", item.promised_limit_unit))
        legal = int(snapshot.get("legal_limit", item.legal_limit))
        legal_unit = str(snapshot.get("legal_limit_unit", item.legal_limit_unit))
        promised = _from_clock(case.clock, promised_unit)
        if promised is None:
            promised = (
                _green_channel(case.process, catalog_promised) if case.green_channel else catalog_promised
            )
        case.item_version = version.version if version is not None else item.version
        case.catalog_promised_limit = catalog_promised
        case.promised_limit = promised
        case.promised_limit_unit = promised_unit
        from_clock = _from_clock(case.legal_clock, legal_unit)
        case.legal_limit = legal if from_clock is None else from_clock
        case.legal_limit_unit = legal_unit
        batch.append(case)
        if len(batch) >= 500:
            Case.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Case.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_case_concluded_idx_case_case_accepted_idx")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="item_version",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="受理时事项版本"),
        ),
        migrations.AddField(
            model_name="case",
            name="catalog_promised_limit",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="事项承诺时限（受理时）"),
        ),
        migrations.AddField(
            model_name="case",
            name="promised_limit",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="适用承诺时限"),
        ),
        migrations.AddField(
            model_name="case",
            name="promised_limit_unit",
            field=models.CharField(
                blank=True, choices=TIME_UNITS, max_length=10, verbose_name="承诺时限单位"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="legal_limit",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="法定办结时限"),
        ),
        migrations.AddField(
            model_name="case",
            name="legal_limit_unit",
            field=models.CharField(
                blank=True, choices=TIME_UNITS, max_length=10, verbose_name="法定时限单位"
            ),
        ),
        migrations.RunPython(fill_limits, migrations.RunPython.noop),
    ]
