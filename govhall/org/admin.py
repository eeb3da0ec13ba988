from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as _auth_admin  # noqa: F401  (registers Django's User and Group admins)
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest

from govhall.core.admin import ActionAdmin, admin_user
from govhall.core.identifiers import mask_phone, mask_resident_id

from . import actions
from .access import user_roles
from .choices import STAFF_ROLES, Role, SiteKind
from .models import Department, Hall, OfficeSession, Region, Site, StaffProfile, Window


def _fields(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


@admin.register(Region)
class RegionAdmin(ActionAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Region:
        return actions.create_region(actor=admin_user(request), **_fields(form, actions.REGION_FIELDS))

    def update_object(
        self, request: HttpRequest, obj: Region, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> Region:
        return actions.update_region(obj, actor=admin_user(request), **changes)


@admin.register(Site)
class SiteAdmin(ActionAdmin):
    list_display = ["name", "kind", "parent", "region", "phone", "active"]
    # RelatedOnly: the parent filter lists the 28 sites that have children, not all 370.
    list_filter = ["kind", ("parent", admin.RelatedOnlyFieldListFilter), "active"]
    search_fields = ["name", "address", "region__name"]
    autocomplete_fields = ["region", "parent"]
    list_select_related = ["parent", "region"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Site], search_term: str
    ) -> tuple[QuerySet[Site], bool]:
        # The parent autocomplete only offers sites that can be parents.
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "parent":
            queryset = queryset.exclude(kind=SiteKind.VILLAGE)
        return queryset, distinct

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Site:
        return actions.create_site(actor=admin_user(request), **_fields(form, actions.SITE_FIELDS))

    def update_object(
        self, request: HttpRequest, obj: Site, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> Site:
        return actions.update_site(obj, actor=admin_user(request), **changes)


if TYPE_CHECKING:  # generic for the type checker only
    _OfficeSessionInlineBase = admin.TabularInline[OfficeSession, Hall]
else:
    _OfficeSessionInlineBase = admin.TabularInline


class OfficeSessionInline(_OfficeSessionInlineBase):
    model = OfficeSession
    extra = 0


if TYPE_CHECKING:  # generic for the type checker only
    _WindowInlineBase = admin.TabularInline[Window, Hall]
else:
    _WindowInlineBase = admin.TabularInline


class WindowInline(_WindowInlineBase):
    """Shown for reference; windows are added and changed on their own page (create_window / update_window)."""

    model = Window
    extra = 0
    fields = ["floor", "number", "name", "kind", "department", "active"]
    readonly_fields = ["floor", "number", "name", "kind", "department", "active"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _sessions(formsets: list[Any]) -> list[tuple[Any, Any]] | None:
    for formset in formsets:
        if formset.model is OfficeSession:
            return [
                (form.cleaned_data["start"], form.cleaned_data["end"])
                for form in formset.forms
                if getattr(form, "cleaned_data", None)
                and not form.cleaned_data.get("DELETE")
                and form.cleaned_data.get("start")
            ]
    return None


@admin.register(Hall)
class HallAdmin(ActionAdmin):
    list_display = ["name", "site", "floors", "window_count"]
    list_filter = [("site", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "site__name"]
    autocomplete_fields = ["site"]
    inlines = [OfficeSessionInline, WindowInline]

    @admin.display(description="窗口数")
    def window_count(self, obj: Hall) -> int:
        return obj.windows.count()

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Hall:
        return actions.create_hall(
            actor=admin_user(request),
            sessions=_sessions(formsets) or [],
            **_fields(form, actions.HALL_FIELDS),
        )

    def update_object(
        self, request: HttpRequest, obj: Hall, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> Hall:
        return actions.update_hall(obj, actor=admin_user(request), sessions=_sessions(formsets), **changes)


@admin.register(Department)
class DepartmentAdmin(ActionAdmin):
    list_display = ["name", "short_name", "uscc", "group", "in_hall", "phone", "sort_order", "active"]
    list_filter = ["group", "in_hall", "active"]
    search_fields = ["name", "short_name", "uscc"]
    autocomplete_fields = ["parent", "region"]
    list_editable = ["sort_order"]

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Department:
        return actions.create_department(
            actor=admin_user(request), **_fields(form, actions.DEPARTMENT_FIELDS)
        )

    def update_object(
        self, request: HttpRequest, obj: Department, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> Department:
        return actions.update_department(obj, actor=admin_user(request), **changes)


@admin.register(Window)
class WindowAdmin(ActionAdmin):
    list_display = ["number", "name", "hall", "floor", "kind", "department", "active"]
    list_filter = ["hall", "floor", "kind", "active"]
    search_fields = ["number", "name", "department__name"]
    autocomplete_fields = ["department", "acts_for"]
    list_select_related = ["hall", "department"]

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Window:
        return actions.create_window(
            actor=admin_user(request), **_fields(form, (*actions.WINDOW_FIELDS, "acts_for"))
        )

    def update_object(
        self, request: HttpRequest, obj: Window, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> Window:
        return actions.update_window(obj, actor=admin_user(request), **changes)


if TYPE_CHECKING:  # generic for the type checker only
    _StaffProfileFormBase = forms.ModelForm[StaffProfile]
else:
    _StaffProfileFormBase = forms.ModelForm


class StaffProfileForm(_StaffProfileFormBase):
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
class StaffProfileAdmin(ActionAdmin):
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

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> StaffProfile:
        data = _fields(form, actions.STAFF_FIELDS)
        return actions.create_staff_profile(
            form.cleaned_data.get("user"),
            roles=form.cleaned_data.get("roles", []),
            actor=admin_user(request),
            **data,
        )

    def update_object(
        self,
        request: HttpRequest,
        obj: StaffProfile,
        changes: dict[str, Any],
        form: Any,
        formsets: list[Any],
    ) -> StaffProfile:
        changes = {k: v for k, v in changes.items() if k in actions.STAFF_FIELDS}
        return actions.update_staff(
            obj, roles=form.cleaned_data.get("roles", []), actor=admin_user(request), **changes
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The account a record belongs to is chosen once.
        return ["user"] if obj is not None else []


# Django's own UserAdmin and GroupAdmin write accounts, passwords, roles (groups) and permissions directly, past
# org.actions and the audit log. django.contrib.auth.admin is imported above so that they are registered before they
# are taken away, whatever the order of INSTALLED_APPS.
for _model in (User, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(ActionAdmin):
    """Accounts, read-only. Staff are made and given roles through the staff admin (StaffProfileAdmin →
    org.actions.create_staff_profile / update_staff, audited); the staff form picks its account here, so the list
    stays searchable. No write hooks: nothing is added, edited or deleted from this page."""

    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fields = _ACCOUNT_FIELDS = (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "last_login",
        "date_joined",
    )
    readonly_fields = _ACCOUNT_FIELDS
