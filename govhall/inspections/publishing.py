"""Results made public (一公开: 《政府信息公开条例》第二十条 lists the results of administrative inspections among the
information published proactively) through the disclosure catalog's one publishing action."""

from __future__ import annotations

import importlib
from typing import Any

from django.contrib.auth.models import User
from django.db import models

from govhall.org.models import Department

# The disclosure category of supervision and enforcement results (监管执法结果).
CATEGORY = "supervision"


def _disclosure() -> Any:
    try:
        return importlib.import_module("govhall.disclosure.actions")
    except ImportError:  # pragma: no cover - before the disclosure catalog is installed
        return None


def publish(
    *, actor: User | None, organ: Department, title: str, body: str, source: models.Model
) -> int | None:
    """Publish a record disclosing `source`; returns the disclosure record's id."""
    module = _disclosure()
    if module is None or not hasattr(module, "publish_record"):
        return None
    record = module.publish_record(
        actor=actor,
        organ=organ,
        title=title[:200],
        category=CATEGORY,
        summary=title[:200],
        body=body,
        source=source,
    )
    return int(record.pk)


def records_for(source: models.Model) -> list[tuple[str, str]]:
    """(index number, public URL) of the published records disclosing `source`."""
    module = _disclosure()
    if module is None or not hasattr(module, "records_for"):
        return []
    return [(r.index_number, r.get_absolute_url()) for r in module.records_for(source)]
