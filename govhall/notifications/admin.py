from __future__ import annotations

from django.contrib import admin

from govhall.core.admin import ActionAdmin

from .models import Notification

SHOWN = (
    "created_at",
    "channel",
    "recipient",
    "user",
    "email",
    "kind",
    "title",
    "body",
    "case_number",
    "link",
    "read_at",
    "sent_at",
    "attempts",
    "next_attempt_at",
    "failed_at",
    "last_error",
    "provider_id",
)


@admin.register(Notification)
class NotificationAdmin(ActionAdmin):
    """Read-only list: messages are written by the actions that cause them and read on the workbench."""

    list_display = [
        "created_at",
        "channel",
        "recipient",
        "kind",
        "title",
        "case_number",
        "read_at",
        "sent_at",
        "attempts",
        "failed_at",
    ]
    list_filter = ["channel", "kind"]
    search_fields = ["=case_number", "title", "name", "user__username"]
    list_select_related = ["user"]
    show_full_result_count = False
    # The full phone number stays out of the page (personal information); recipient shows it masked.
    fields = SHOWN
    readonly_fields = SHOWN

    @admin.display(description="接收人")
    def recipient(self, obj: Notification) -> str:
        return obj.recipient_display
