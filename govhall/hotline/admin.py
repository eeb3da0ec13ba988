from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govhall.core.admin import ActionAdmin, admin_user

from . import actions
from .models import HotlineLimit, Open311Request, WorkOrder


@admin.register(HotlineLimit)
class HotlineLimitAdmin(ActionAdmin):
    """The answer limits per category and urgency (a category without a row uses the defaults)."""

    list_display = ("category", "urgency", "amount", "unit")

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> HotlineLimit:
        d = form.cleaned_data
        return actions.set_limit(
            by=admin_user(request),
            category=d["category"],
            urgency=d["urgency"],
            amount=d["amount"],
            unit=d["unit"],
        )

    def update_object(
        self, request: HttpRequest, obj: Any, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> HotlineLimit:
        return self.create_object(request, form, formsets)


@admin.register(WorkOrder)
class WorkOrderAdmin(ActionAdmin):
    """Read-only: work orders change only through hotline.actions (history, audit and clock stay consistent)."""

    list_display = ("number", "category", "urgency", "status", "department", "recorded_at")
    list_filter = ("status", "category", "source")
    search_fields = ("number", "subject")
    exclude = ("caller_phone",)


@admin.register(Open311Request)
class Open311RequestAdmin(ActionAdmin):
    list_display = ("token", "service_code", "order", "complaint", "client", "requested_at")
