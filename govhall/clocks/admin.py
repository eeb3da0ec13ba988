from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Clock


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    """Read-only: clocks move only through the clock engine."""

    list_display = ("pk", "kind", "label", "budget", "unit", "state", "due_at", "provisional", "late")
    list_filter = ("kind", "state", "unit", "provisional", "late")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
