from __future__ import annotations

from django.contrib import admin

from govhall.core.admin import ActionAdmin

from .models import Complaint


@admin.register(Complaint)
class ComplaintAdmin(ActionAdmin):
    """Read-only: complaints change only through complaints.actions (audit and clock stay consistent)."""

    list_display = ("number", "channel", "name_shown", "phone_masked", "status", "department", "received_at")
    list_filter = ("status", "channel", "finding")
    search_fields = ("number", "subject")
    exclude = ("phone", "check_code")

    @admin.display(description="投诉人")
    def name_shown(self, obj: Complaint) -> str:
        return obj.display_name

    @admin.display(description="联系电话")
    def phone_masked(self, obj: Complaint) -> str:
        return obj.masked_phone
