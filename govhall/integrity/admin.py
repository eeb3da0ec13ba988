"""Configuration (grades, rotation limits, warning rules, key departments) is edited here through the audited
`save_config` action; the records the module's actions and imports write are shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from govhall.core.admin import ActionAdmin, ReadOnlyAdmin, admin_user

from . import actions
from .models import (
    Commitment,
    KeyDepartment,
    Post,
    PostAssignment,
    Power,
    PowerExercise,
    RiskLevel,
    RiskPoint,
    RotationLimit,
    RotationPlan,
    TriggerRule,
    Warning,
)


class ConfigAdmin(ActionAdmin):
    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> models.Model:
        return actions.save_config(form.save(commit=False), by=admin_user(request))  # type: ignore[no-any-return]

    def update_object(
        self, request: HttpRequest, obj: Any, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> models.Model:
        for name, value in changes.items():
            setattr(obj, name, value)
        return actions.save_config(obj, by=admin_user(request))  # type: ignore[no-any-return]

    def delete_object(self, request: HttpRequest, obj: Any) -> None:
        actions.delete_config(obj, by=admin_user(request))


@admin.register(RiskLevel)
class RiskLevelAdmin(ConfigAdmin):
    list_display = ["code", "name", "color", "rank", "channels_required"]


@admin.register(RotationLimit)
class RotationLimitAdmin(ConfigAdmin):
    list_display = ["key_post", "max_years", "alert_days"]


@admin.register(TriggerRule)
class TriggerRuleAdmin(ConfigAdmin):
    list_display = ["name", "source", "target", "threshold", "window_days", "level", "active"]


@admin.register(KeyDepartment)
class KeyDepartmentAdmin(ConfigAdmin):
    list_display = ["department", "reason"]


@admin.register(Power)
class PowerAdmin(ReadOnlyAdmin):
    # Written by `manage.py import_powers` and save_power.
    list_display = ["code", "name", "power_type", "department", "level", "item"]
    list_filter = ["power_type", "level"]
    search_fields = ["code", "name"]


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["department", "name", "is_key", "specialised", "active"]
    list_filter = ["is_key", "specialised"]


@admin.register(PostAssignment)
class PostAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["staff", "post", "start_date", "end_date"]


@admin.register(RiskPoint)
class RiskPointAdmin(ReadOnlyAdmin):
    list_display = ["level", "description", "discovery", "department", "power", "post"]
    list_filter = ["level", "discovery"]


@admin.register(Warning)
class WarningAdmin(ReadOnlyAdmin):
    list_display = ["number", "level", "status", "department", "person", "issued_at"]
    list_filter = ["level", "status"]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["staff", "year", "signed_on"]


@admin.register(RotationPlan)
class RotationPlanAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "to_post", "planned_on", "status"]


@admin.register(PowerExercise)
class PowerExerciseAdmin(ReadOnlyAdmin):
    list_display = ["title", "power", "level", "decided_at"]
