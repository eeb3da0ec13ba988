from __future__ import annotations

from django.contrib import admin

from govhall.core.admin import ActionAdmin

from .models import Queue, Ticket


@admin.register(Queue)
class QueueAdmin(ActionAdmin):
    """Read-only: queues are created by queueing.actions (audited), e.g. `ensure_hall_queues` for a new hall."""

    list_display = ("hall", "prefix", "name", "window_kind", "department", "active")
    list_filter = ("hall", "active")


@admin.register(Ticket)
class TicketAdmin(ActionAdmin):
    """Read-only: tickets change only at the kiosk and the calling page (queueing.actions)."""

    list_display = ("number", "day", "queue", "status", "window", "taken_at", "first_called_at", "case")
    list_filter = ("day", "status", "queue__hall")
    search_fields = ("number", "case__number")
