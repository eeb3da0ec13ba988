"""The only code that writes process definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from govhall.core import clock
from govhall.core.audit import record_event
from govhall.core.models import AuditEventType

from .models import ProcessDefinition
from .validation import validate_spec

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def save_definition(spec: dict[str, Any], *, by: User | None = None) -> ProcessDefinition:
    """Validate `spec` and store it as the next version of its template, active in place of the previous one.

    Raises ValidationError (a list of Chinese messages) when the specification is not valid."""
    parsed = validate_spec(spec)
    try:
        with transaction.atomic():
            # Serialises two administrators saving the same template; the unique constraints catch the first
            # version of a code, where there is no row to lock yet.
            list(ProcessDefinition.objects.select_for_update().filter(code=parsed.code).values_list("pk"))
            last = ProcessDefinition.objects.filter(code=parsed.code).aggregate(v=Max("version"))["v"] or 0
            ProcessDefinition.objects.filter(code=parsed.code, active=True).update(active=False)
            definition = ProcessDefinition.objects.create(
                code=parsed.code,
                version=last + 1,
                name=parsed.name,
                spec=parsed.to_json(),
                active=True,
                created_at=clock.now(),
                created_by=by if getattr(by, "pk", None) else None,
            )
            record_event(
                AuditEventType.PROCESS_DEFINITION_SAVED,
                actor=by,
                obj=definition,
                before={"version": last} if last else None,
                after={"code": definition.code, "version": definition.version},
            )
    except IntegrityError:
        raise ValidationError("另一位管理员正在保存同一流程，请刷新后重试。") from None
    return definition


def activate_definition(definition: ProcessDefinition, *, by: User | None = None) -> ProcessDefinition:
    """Make an existing version the active one again (e.g. to undo a faulty new version)."""
    validate_spec(definition.spec)
    with transaction.atomic():
        list(ProcessDefinition.objects.select_for_update().filter(code=definition.code).values_list("pk"))
        ProcessDefinition.objects.filter(code=definition.code, active=True).exclude(pk=definition.pk).update(
            active=False
        )
        definition.active = True
        definition.save(update_fields=["active"])
        record_event(
            AuditEventType.PROCESS_DEFINITION_ACTIVATED,
            actor=by,
            obj=definition,
            after={"code": definition.code, "version": definition.version},
        )
    return definition
