"""Read-only case administration: cases change only through the actions (workbench, API), never by editing rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from govhall.core.admin import ActionAdmin
from govhall.core.identifiers import mask_resident_id, mask_uscc

from .models import Applicant, Case, CaseGroup, Extension, OutOfProcedureAttempt, Pause, Task


class ReadOnlyAdmin(ActionAdmin):
    """No write hooks: every write is refused here (see ActionAdmin)."""


if TYPE_CHECKING:  # generic for the type checker only
    _TabularInline = admin.TabularInline[Any, Case]
else:
    _TabularInline = admin.TabularInline


class ReadOnlyInline(_TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TaskInline(ReadOnlyInline):
    model = Task
    fields = (
        "step_name",
        "department",
        "assignee",
        "status",
        "outcome",
        "opinion",
        "created_at",
        "completed_at",
    )


class PauseInline(ReadOnlyInline):
    model = Pause
    fields = ("kind", "reason", "expected_days", "started_at", "ended_at", "result")


class ExtensionInline(ReadOnlyInline):
    model = Extension
    fields = ("amount", "reason", "approved_by", "approved_at")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "item",
        "department",
        "applicant",
        "channel",
        "status",
        "decision",
        "received_at",
    )
    list_filter = ("status", "channel", "decision", "department")
    search_fields = ("number", "item__name", "applicant__name")
    date_hierarchy = "received_at"
    list_select_related = ("item", "department", "applicant")
    inlines = [TaskInline, PauseInline, ExtensionInline]
    exclude = ("check_code",)


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "masked_id", "phone")
    search_fields = ("name",)
    exclude = ("id_number",)
    readonly_fields = ("masked_id",)

    @admin.display(description="证件号码")
    def masked_id(self, obj: Applicant) -> str:
        return mask_resident_id(obj.id_number) if obj.kind == "person" else mask_uscc(obj.id_number)


@admin.register(CaseGroup)
class CaseGroupAdmin(ReadOnlyAdmin):
    list_display = ("number", "bundle", "applicant", "created_at", "concluded_at")


@admin.register(OutOfProcedureAttempt)
class OutOfProcedureAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "case", "user", "action", "reason")
    list_filter = ("action",)
    date_hierarchy = "at"
