"""The second public channel: the government information disclosure catalog (政府信息公开目录).

《政府信息公开条例》第二十条 lists the exercise of administrative licensing and other powers among what an organ
publishes of its own motion; the catalog's `publish_record` files the exercise under 权力清单与权力运行."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govhall.calendars import engine
from govhall.core.clock import now

if TYPE_CHECKING:
    from .models import PowerExercise


def publish(exercise: PowerExercise) -> str:
    """Publish the exercise in the disclosure catalog; the record's public URL."""
    from govhall.disclosure.actions import publish_record
    from govhall.disclosure.choices import DisclosureCategory

    record = publish_record(
        actor=None,
        organ=exercise.department,
        title=exercise.title,
        category=DisclosureCategory.POWER,
        summary=exercise.summary[:500],
        body=exercise.summary,
        formed_on=engine.local_date(exercise.decided_at or now()),
        source=exercise,
    )
    return str(record.get_absolute_url())
