from django.contrib import admin

from .models import Queue, Ticket


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    """Read in the admin; queues are created by `queueing.actions` (audited), e.g. `ensure_hall_queues`."""

    list_display = ("hall", "prefix", "name", "window_kind", "department", "active")
    list_filter = ("hall", "active")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "day", "queue", "status", "window", "taken_at", "first_called_at", "case")
    list_filter = ("day", "status", "queue__hall")
    search_fields = ("number", "case__number")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
