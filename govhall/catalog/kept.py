"""An item's materials, form fields and co-departments, kept in the process for the item as it stands.

Every application reads its item's materials and form fields, every acceptance the item's co-departments: three
statements of every case that return the same rows until the catalog changes. The catalog changes only through
`catalog.actions`, and every change there saves the item itself — its `updated_at` moves even when the version
number does not (an edit that replaces the materials with equal ones gives them new keys). So what is read for an
item is kept with the `updated_at` of the item object it was read for, and given again to a caller holding the
item with the same `updated_at`: the item as read from the database then (a request reads it; acceptance reads it
with the case's lock) tells whether what is kept still holds, with no statement of its own. A caller with another
`updated_at` — a newer item, or an older copy — reads afresh, and what it reads replaces what was kept.

What is given is shared between callers: read it, do not change it. Tests empty the store before each test
(`invalidate()`), since a frozen clock and a rolled-back transaction can give two different items one key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from govhall.core.compiled import CompiledRead

from .models import FormField, Material, ServiceItem

_MATERIALS: CompiledRead[Material] = CompiledRead(lambda item: Material.objects.filter(item_id=item), int)
_FORM_FIELDS: CompiledRead[FormField] = CompiledRead(lambda item: FormField.objects.filter(item_id=item), int)
_JOINT_DEPARTMENT_IDS: CompiledRead[Any] = CompiledRead(
    lambda item: ServiceItem.joint_departments.through.objects.filter(serviceitem_id=item).values_list(
        "department_id"
    ),
    int,
)

# (item, what) → (the item's updated_at when read, what was read). One entry per item and kind: bounded by the
# catalog's size, whatever the number of changes.
_KEPT: dict[tuple[int, str], tuple[datetime | None, Any]] = {}


def _kept(item: ServiceItem, what: str, read: Any) -> Any:
    key = (item.pk, what)
    found = _KEPT.get(key)
    if found is not None and item.updated_at is not None and found[0] == item.updated_at:
        return found[1]
    value = read()
    _KEPT[key] = (item.updated_at, value)
    return value


def _of_item(item: ServiceItem, related: str, read: CompiledRead[Any]) -> list[Any]:
    """`list(item.<related>.all())`: what a `prefetch_related()` of the caller already holds, taken as it is, else
    what is kept for the item as it stands."""
    held = getattr(item, "_prefetched_objects_cache", {}).get(related)
    if held is not None:
        return list(held)
    found: list[Any] = _kept(item, related, lambda: read.objects(item.pk))
    return found


def materials(item: ServiceItem) -> list[Material]:
    """The item's materials, in the model's order."""
    return _of_item(item, "materials", _MATERIALS)


def form_fields(item: ServiceItem) -> list[FormField]:
    """The item's application form fields, in the model's order."""
    return _of_item(item, "form_fields", _FORM_FIELDS)


def joint_department_ids(item: ServiceItem) -> list[int]:
    """The keys of the item's co-departments, sorted."""
    found: list[int] = _kept(
        item, "joint", lambda: sorted(pk for (pk,) in _JOINT_DEPARTMENT_IDS.rows(item.pk))
    )
    return found


def invalidate() -> None:
    _KEPT.clear()
