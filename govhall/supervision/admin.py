from __future__ import annotations

from django.contrib import admin

from govhall.core.admin import ReadOnlyAdmin

from .models import Accountability, Alert, Card, SupervisionOrder, WarnRule


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["raised_at", "level", "kind", "summary", "department", "responsible", "due_at"]
    list_filter = ["level", "kind"]
    search_fields = ["summary", "case__number"]


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ["issued_at", "level", "person", "department", "reason"]
    list_filter = ["level"]


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "issued_at", "department", "status", "answered_at"]
    list_filter = ["status"]
    search_fields = ["number", "case__number"]


@admin.register(Accountability)
class AccountabilityAdmin(ReadOnlyAdmin):
    list_display = ["opened_at", "person", "department", "type", "status", "decided_at"]
    list_filter = ["status", "type"]


@admin.register(WarnRule)
class WarnRuleAdmin(ReadOnlyAdmin):
    # Configured through supervision.actions.save_warn_rule (audited); shown here read-only.
    list_display = ["item", "step_key", "units_left", "ratio_used"]
