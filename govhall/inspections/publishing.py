"""Results made public (一公开: 《政府信息公开条例》第二十条 lists the results of administrative inspections among the
information published proactively) through the disclosure catalog's one publishing action."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import models

from govhall.disclosure.actions import publish_record
from govhall.disclosure.actions import records_for as disclosed
from govhall.disclosure.choices import DisclosureCategory
from govhall.org.models import Department


def publish(*, actor: User | None, organ: Department, title: str, body: str, source: models.Model) -> int:
    """Publish a record disclosing `source` (category 监管执法结果); returns the disclosure record's id."""
    record = publish_record(
        actor=actor,
        organ=organ,
        title=title[:200],
        category=DisclosureCategory.SUPERVISION,
        summary=title[:200],
        body=body,
        source=source,
    )
    return int(record.pk)


def records_for(source: models.Model) -> list[tuple[str, str]]:
    """(index number, public URL) of the published records disclosing `source`."""
    return [(r.index_number or "", r.get_absolute_url()) for r in disclosed(source)]
