from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govhall.core.admin import ActionAdmin, admin_user

from . import actions
from .models import CitizenReview, CleanupRound, MajorDecision, NormativeDocument, RulemakingRule


@admin.register(RulemakingRule)
class RulemakingRuleAdmin(ActionAdmin):
    """The local limits (comment period, filing, validity, alert lead, review answer, decision comment period)."""

    list_display = actions.RULE_FIELDS

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> RulemakingRule:
        d = form.cleaned_data
        return actions.save_rule(by=admin_user(request), **{name: d[name] for name in actions.RULE_FIELDS})

    def update_object(
        self, request: HttpRequest, obj: Any, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> RulemakingRule:
        return self.create_object(request, form, formsets)


@admin.register(NormativeDocument)
class NormativeDocumentAdmin(ActionAdmin):
    """Read-only: documents change only through rulemaking.actions (stages, clocks and audit stay consistent)."""

    list_display = ("number", "title", "organ", "stage", "document_number", "index_number", "valid_until")
    list_filter = ("stage",)
    search_fields = ("number", "title", "document_number", "index_number")


@admin.register(CitizenReview)
class CitizenReviewAdmin(ActionAdmin):
    list_display = ("number", "document", "applicant", "received_at", "outcome", "answered_at")
    search_fields = ("number", "applicant")


@admin.register(CleanupRound)
class CleanupRoundAdmin(ActionAdmin):
    list_display = ("title", "year", "started_at", "closed_at")


@admin.register(MajorDecision)
class MajorDecisionAdmin(ActionAdmin):
    list_display = ("number", "title", "organ", "status", "decided_at", "index_number")
    list_filter = ("status",)
    search_fields = ("number", "title")
