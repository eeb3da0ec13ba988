"""Django admin: the catalog and requests are read here (they change only through the actions, so the audit trail
and the clocks stay right); the index-number counters are configuration an administrator may inspect."""

from __future__ import annotations

from django.contrib import admin

from govhall.core.admin import ActionAdmin

from .models import DisclosureRecord, IndexCounter, InfoRequest


class ReadOnlyAdmin(ActionAdmin):
    """Offers no write hook, so the project's ActionAdmin refuses add, change and delete."""


@admin.register(DisclosureRecord)
class DisclosureRecordAdmin(ReadOnlyAdmin):
    list_display = ("index_number", "title", "organ", "category", "status", "published_at")
    list_filter = ("status", "category", "organ")
    search_fields = ("index_number", "title", "document_number")
    date_hierarchy = "published_at"


@admin.register(InfoRequest)
class InfoRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "organ",
        "channel",
        "requester_kind",
        "status",
        "outcome",
        "received_at",
        "answered_at",
    )
    list_filter = ("status", "outcome", "channel", "organ")
    search_fields = ("number", "requester_name")
    exclude = ("check_code", "requester_id_number")


@admin.register(IndexCounter)
class IndexCounterAdmin(ReadOnlyAdmin):
    list_display = ("key", "last")
