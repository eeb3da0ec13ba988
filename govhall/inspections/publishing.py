"""Results made public through the disclosure catalog's one publishing action: the random-inspection lists and results
(一公开, 《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》) and the operators' credit records
(《食品安全法》第一百一十三条: the credit file is published and kept up to date)."""

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
