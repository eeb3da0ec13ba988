from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from govhall.core.audit import record_event
from govhall.core.identifiers import mask_phone, mask_resident_id
from govhall.core.models import AuditEventType

from .access import user_roles
from .actions import set_staff_roles, staff_summary
from .choices import STAFF_ROLES, Role, SiteKind
from .models import Department, Hall, OfficeSession, Region, Site, StaffProfile, Window


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "region", "phone", "active"]
    # RelatedOnly: the parent filter lists the 28 sites that have children, not all 370.
    list_filter = ["kind", ("parent", admin.RelatedOnlyFieldListFilter), "active"]
    search_fields = ["name", "address", "region__name"]
    autocomplete_fields = ["region", "parent"]
    list_select_related = ["parent", "region"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> Any:
        # The parent autocomplete only offers sites that can be parents.
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "parent":
            queryset = queryset.exclude(kind=SiteKind.VILLAGE)
        return queryset, distinct


class OfficeSessionInline(admin.TabularInline):
    model = OfficeSession
    extra = 0


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    fields = ["floor", "number", "name", "kind", "department", "active"]
    autocomplete_fields = ["department"]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "floors", "window_count"]
    list_filter = [("site", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "site__name"]
    autocomplete_fields = ["site"]
    inlines = [OfficeSessionInline, WindowInline]

    @admin.display(description="窗口数")
    def window_count(self, obj: Hall) -> int:
        return obj.windows.count()


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "uscc", "group", "in_hall", "phone", "sort_order", "active"]
    list_filter = ["group", "in_hall", "active"]
    search_fields = ["name", "short_name", "uscc"]
    autocomplete_fields = ["parent", "region"]
    list_editable = ["sort_order"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "hall", "floor", "kind", "department", "active"]
    list_filter = ["hall", "floor", "kind", "active"]
    search_fields = ["number", "name", "department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["hall", "department"]


class StaffProfileForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label="角色",
        required=False,
        choices=[(r.value, r.label) for r in STAFF_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = StaffProfile
        fields = [
            "user",
            "name",
            "employee_no",
            "phone",
            "id_number",
            "title",
            "departments",
            "sites",
            "window",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(r.value for r in user_roles(self.instance.user))


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    form = StaffProfileForm
    list_display = ["employee_no", "name", "role_list", "masked_phone", "masked_id", "window", "active"]
    list_filter = ["active", "user__groups", ("departments", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "employee_no", "user__username"]
    autocomplete_fields = ["user", "window", "departments", "sites"]
    list_select_related = ["user", "window"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffProfile]:
        return super().get_queryset(request).prefetch_related("user__groups")

    @admin.display(description="角色")
    def role_list(self, obj: StaffProfile) -> str:
        names = {g.name for g in obj.user.groups.all()}
        return "、".join(r.label for r in Role if r.value in names)

    @admin.display(description="手机号码")
    def masked_phone(self, obj: StaffProfile) -> str:
        return mask_phone(obj.phone)

    @admin.display(description="身份证号码")
    def masked_id(self, obj: StaffProfile) -> str:
        return mask_resident_id(obj.id_number)

    def save_model(self, request: HttpRequest, obj: StaffProfile, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            record_event(
                AuditEventType.STAFF_CREATED, actor=request.user, obj=obj, after=staff_summary(obj, [])
            )
        # Role changes go through the action so they are audited like any other.
        set_staff_roles(obj, form.cleaned_data.get("roles", []), actor=request.user)
