from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Complaint


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
