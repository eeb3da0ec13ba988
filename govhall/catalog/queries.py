"""Public reads of the catalog, shared by the portal pages and the API so both show exactly the same items."""

from __future__ import annotations

from django.db.models import QuerySet

from .choices import ItemStatus
from .metrics import item_compression
from .models import ServiceItem


def published_items() -> QuerySet[ServiceItem]:
    """Only published items are public: drafts, suspended and abolished items are treated like unknown codes."""
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).select_related("department")


def published_guide(impl_code: str) -> ServiceItem | None:
    """One published item with everything its service guide shows, in three queries."""
    return (
        published_items()
        .select_related("window__hall__site")
        .prefetch_related("materials", "fees")
        .filter(impl_code=impl_code.strip().upper())
        .first()
    )


def compression(item: ServiceItem) -> float | None:
    """1 − promised/legal rounded for display (units converted by catalog.metrics)."""
    value = item_compression(item).value
    return None if value is None else round(value, 4)
