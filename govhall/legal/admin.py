"""Admin: the appearance rules are configuration; the case records are shown read-only (they change only through
the actions, which keep the clocks and the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govhall.core.admin import ActionAdmin, admin_user

from . import actions
from .models import AppearanceRule, CourtSummary, Hearing, Lawsuit, Reconsideration


@admin.register(AppearanceRule)
class AppearanceRuleAdmin(ActionAdmin):
    """The cases in which the head must appear (a rule without a row applies with its default)."""

    list_display = ("key", "active", "threshold", "note")

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> AppearanceRule:
        d = form.cleaned_data
        return actions.save_appearance_rule(
            by=admin_user(request), key=d["key"], active=d["active"], threshold=d["threshold"], note=d["note"]
        )

    def update_object(
        self, request: HttpRequest, obj: Any, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> AppearanceRule:
        return self.create_object(request, form, formsets)


class ReadOnly(ActionAdmin):
    """Shown, never written here: without the action hooks ActionAdmin offers no add, change or delete."""


@admin.register(Lawsuit)
class LawsuitAdmin(ReadOnly):
    list_display = (
        "case_number",
        "court",
        "stage",
        "department",
        "plaintiff_count",
        "appearance_required",
        "status",
        "outcome",
    )
    list_filter = ("year", "stage", "status", "outcome")
    search_fields = ("case_number", "court", "plaintiffs", "cause")


@admin.register(Hearing)
class HearingAdmin(ReadOnly):
    list_display = ("lawsuit", "scheduled_for", "head_required", "appearance", "head_name")
    list_filter = ("appearance",)


@admin.register(Reconsideration)
class ReconsiderationAdmin(ReadOnly):
    list_display = ("number", "applicant_name", "department", "status", "procedure", "outcome")
    list_filter = ("year", "status", "outcome")
    search_fields = ("number", "applicant_name")


@admin.register(CourtSummary)
class CourtSummaryAdmin(ReadOnly):
    list_display = ("__str__", "generated_at")
