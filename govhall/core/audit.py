from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from .models import AuditEvent, AuditEventType

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def record_event(
    event_type: AuditEventType,
    *,
    actor: User | None = None,
    obj: models.Model | None = None,
    before: Any = None,
    after: Any = None,
    note: str = "",
    subject: str = "",
) -> AuditEvent:
    """Append one audit event; call it inside the action's transaction so it commits or rolls back with it.

    `subject` names what the event is about when it is not a model instance (a case number, a client address)."""
    return AuditEvent.objects.create(
        event_type=event_type,
        actor=actor if getattr(actor, "pk", None) else None,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else subject[:200],
        before=before,
        after=after,
        note=note[:500],
    )
