from __future__ import annotations

from django.contrib import admin

from govhall.core.admin import ActionAdmin

from .models import Clock


@admin.register(Clock)
class ClockAdmin(ActionAdmin):
    """Read-only: clocks move only through the clock engine."""

    list_display = ("pk", "kind", "label", "budget", "unit", "state", "due_at", "provisional", "late")
    list_filter = ("kind", "state", "unit", "provisional", "late")
