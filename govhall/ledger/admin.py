from __future__ import annotations

from django.contrib import admin

from govhall.core.admin import ActionAdmin

from .models import LedgerEntry

# The account may have been deleted (the column keeps the old id), so the id is shown, not the user.
SHOWN = (
    "seq",
    "at",
    "actor_account",
    "actor_name",
    "actor_role",
    "subject",
    "subject_id",
    "action",
    "before",
    "after",
    "opinion",
    "prev_hash",
    "hash",
)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ActionAdmin):
    """Read-only: the chain is append-only; repairs follow the documented procedure in the migration 0002."""

    list_display = ["seq", "at", "subject", "action", "actor_name", "actor_role"]
    list_filter = ["action"]
    search_fields = ["=subject", "actor_name"]
    ordering = ["-seq"]
    fields = SHOWN
    readonly_fields = SHOWN
    # Counting a chain of millions of rows on every page view is the slow part of the changelist.
    show_full_result_count = False

    @admin.display(description="操作人账号")
    def actor_account(self, obj: LedgerEntry) -> str:
        return str(obj.actor_id) if obj.actor_id is not None else "—"
