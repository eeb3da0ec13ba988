"""Configuration of the evaluation in the admin: the monthly scheme and its items, the yearly scheme and the veto
items are edited through `actions.save_config` (validated, audited); goals, months and years are shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from govhall.core.admin import ActionAdmin, ReadOnlyAdmin, admin_user

from . import actions
from .models import EvaluationMonth, EvaluationYear, Goal, MonthlyScheme, SchemeItem, VetoItem, YearScheme


class _ConfigAdmin(ActionAdmin):
    def update_object(
        self, request: HttpRequest, obj: Any, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> models.Model:
        return actions.save_config(actor=admin_user(request), obj=obj, changes=changes)


@admin.register(MonthlyScheme)
class MonthlySchemeAdmin(_ConfigAdmin):
    list_display = ("name", "active", "base", "honours_cap", "red_flag_share", "star_share")


@admin.register(SchemeItem)
class SchemeItemAdmin(_ConfigAdmin):
    list_display = ("scheme", "key", "applies_to", "points", "cap")
    list_filter = ("scheme",)
    readonly_fields = ("scheme", "key")


@admin.register(YearScheme)
class YearSchemeAdmin(_ConfigAdmin):
    list_display = (
        "year",
        "daily_weight",
        "year_end_weight",
        "appraisal_weight",
        "advanced_share",
        "good_share",
    )
    readonly_fields = ("year",)


@admin.register(VetoItem)
class VetoItemAdmin(_ConfigAdmin):
    list_display = ("key", "name", "source", "active")
    readonly_fields = ("key", "source")


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ("year", "title", "category", "key_work", "weight", "lead")
    list_filter = ("year", "category", "key_work")


@admin.register(EvaluationMonth)
class EvaluationMonthAdmin(ReadOnlyAdmin):
    list_display = ("month", "status", "closed_at", "closed_by")


@admin.register(EvaluationYear)
class EvaluationYearAdmin(ReadOnlyAdmin):
    list_display = ("year", "status", "closed_at", "closed_by")
