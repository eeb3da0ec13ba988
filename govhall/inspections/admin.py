"""Admin: the configuration data (licence items, risk classes, frequencies, checklist, credit rules, recusals) is
edited here through `actions.save_config`; the records (entities, licences, plans, inspections, grade changes) are
read-only, written only by the other actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from govhall.core.admin import ActionAdmin, admin_user

from . import actions
from .models import (
    ChecklistItem,
    CreditRule,
    Frequency,
    GradeChange,
    Inspection,
    InspectionPlan,
    Licence,
    LicenceItem,
    Recusal,
    RiskClass,
    SupervisedEntity,
)


class ConfigAdmin(ActionAdmin):
    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> models.Model:
        obj: models.Model = form.save(commit=False)
        return actions.save_config(obj, by=admin_user(request))

    def update_object(
        self, request: HttpRequest, obj: Any, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> models.Model:
        row: models.Model = obj
        for name, value in changes.items():
            setattr(row, name, value)
        return actions.save_config(row, by=admin_user(request))

    def delete_object(self, request: HttpRequest, obj: Any) -> None:
        actions.delete_config(obj, by=admin_user(request))


@admin.register(LicenceItem)
class LicenceItemAdmin(ConfigAdmin):
    list_display = ("item", "licence_name", "sector", "valid_years", "active")
    raw_id_fields = ("item",)


@admin.register(RiskClass)
class RiskClassAdmin(ConfigAdmin):
    list_display = ("code", "name", "rank", "business_forms")


@admin.register(Frequency)
class FrequencyAdmin(ConfigAdmin):
    list_display = ("risk_class", "grade", "per_year")
    list_filter = ("risk_class", "grade")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ConfigAdmin):
    list_display = ("sector", "code", "text", "serious", "sort_order", "active")
    list_filter = ("sector", "serious", "active")


@admin.register(CreditRule)
class CreditRuleAdmin(ConfigAdmin):
    list_display = ("grade", "metric", "count", "window_days", "active")


@admin.register(Recusal)
class RecusalAdmin(ConfigAdmin):
    list_display = ("inspector", "entity", "reason")
    raw_id_fields = ("inspector", "entity")


@admin.register(SupervisedEntity)
class SupervisedEntityAdmin(ActionAdmin):
    list_display = ("name", "uscc", "department", "risk_class", "grade", "active")
    list_filter = ("grade", "risk_class", "sector")
    search_fields = ("name", "uscc")


@admin.register(Licence)
class LicenceAdmin(ActionAdmin):
    list_display = ("number", "name", "entity", "issued_on", "valid_until")
    search_fields = ("number", "entity__name")


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ActionAdmin):
    list_display = ("name", "kind", "campaign", "department", "starts_on", "ends_on", "status")
    list_filter = ("kind", "status")


@admin.register(Inspection)
class InspectionAdmin(ActionAdmin):
    list_display = ("entity", "planned_on", "status", "result")
    list_filter = ("status", "result")


@admin.register(GradeChange)
class GradeChangeAdmin(ActionAdmin):
    list_display = ("entity", "old_grade", "new_grade", "changed_at")
