"""Read-only case administration: cases change only through the actions (workbench, API), never by editing rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from govhall.core.admin import ReadOnlyAdmin
from govhall.core.identifiers import mask_phone, mask_resident_id, mask_uscc

from .models import Applicant, Case, CaseGroup, Extension, OutOfProcedureAttempt, Pause, Task

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
        "applicant_name",
        "channel",
        "status",
        "decision",
        "received_at",
    )
    list_filter = ("status", "channel", "decision", "department")
    search_fields = ("number", "item__name", "applicant_name")
    date_hierarchy = "received_at"
    list_select_related = ("item", "department", "applicant")
    inlines = [TaskInline, PauseInline, ExtensionInline]
    # The contact phone given with the application is personal data: masked like the applicant list's.
    exclude = ("check_code", "applicant_phone")
    readonly_fields = ("masked_phone",)

    @admin.display(description="联系电话（申请时）")
    def masked_phone(self, obj: Case) -> str:
        return mask_phone(obj.applicant_phone)


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyAdmin):
    """Supervisors and leaders read this list too: ID and phone numbers are shown masked here, in the list and
    on the record (《个人信息保护法》第六条、第五十一条, minimum necessary). Staff who must call an applicant
    read the number on the case they handle, not here."""

    list_display = ("name", "kind", "masked_id", "masked_phone")
    search_fields = ("name",)
    exclude = ("id_number", "phone")
    readonly_fields = ("masked_id", "masked_phone")

    @admin.display(description="证件号码")
    def masked_id(self, obj: Applicant) -> str:
        return mask_resident_id(obj.id_number) if obj.kind == "person" else mask_uscc(obj.id_number)

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Applicant) -> str:
        return mask_phone(obj.phone)


@admin.register(CaseGroup)
class CaseGroupAdmin(ReadOnlyAdmin):
    list_display = ("number", "bundle", "applicant_name", "created_at", "concluded_at")
    exclude = ("applicant_phone",)
    readonly_fields = ("masked_phone",)

    @admin.display(description="联系电话（申请时）")
    def masked_phone(self, obj: CaseGroup) -> str:
        return mask_phone(obj.applicant_phone)


@admin.register(OutOfProcedureAttempt)
class OutOfProcedureAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "case", "user", "action", "reason")
    list_filter = ("action",)
    date_hierarchy = "at"
