"""Catalog administration. Every save goes through catalog.actions, so the admin leaves the same versions and
audit trail as the API and the Excel import; status changes are admin actions bound by STATUS_TRANSITIONS."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html

from govhall.core.admin import ActionAdmin
from govhall.core.auth import signed_in

from . import actions
from .choices import ItemStatus, SpecialProcedure, TimeUnit
from .excel import export_workbook, import_catalog
from .metrics import item_compression
from .models import Bundle, BundleItem, Fee, FormField, ItemVersion, Material, ServiceItem, Synonym
from .search import search_items

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# CSS colours for the ColoredChoices colour names; plain "yellow" is unreadable on white.
CSS_COLORS = {
    "green": "#1a7f37",
    "yellow": "#b58105",
    "red": "#cf222e",
    "blue": "#0969da",
    "orange": "#bc4c00",
    "purple": "#8250df",
    "gray": "#6e7781",
}


def _status_badge(status: str) -> str:
    return format_html(
        '<span style="color:{};font-weight:bold">{}</span>',
        CSS_COLORS[ItemStatus.color_of(status)],
        ItemStatus(status).label,
    )


def _clean_text(value: Any) -> Any:
    # Browsers send textarea line breaks as CRLF; Excel and the API use LF, and a mixed catalog would
    # look changed on every round trip.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _inline_rows(formset: Any, names: list[str]) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append({name: _clean_text(data[name]) for name in names if name in data})
    return rows


def _run_status_action(
    modeladmin: ActionAdmin,
    request: HttpRequest,
    queryset: QuerySet[ServiceItem] | QuerySet[Bundle],
    status: str,
    setter: Callable[..., object],
) -> None:
    done, refused = 0, []
    for obj in queryset:
        try:
            setter(obj, status, actor=signed_in(request))
            done += 1
        except ValidationError as exc:
            refused.append(f"{obj}：{exc.messages[0]}")
    if done:
        modeladmin.message_user(request, f"已将{done}项设为“{ItemStatus(status).label}”。", messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.ERROR)


# ------------------------------------------------------------------------------------------------ items


if TYPE_CHECKING:  # generic for the type checker only
    _MaterialInlineBase = admin.TabularInline[Material, ServiceItem]
else:
    _MaterialInlineBase = admin.TabularInline


class MaterialInline(_MaterialInlineBase):
    model = Material
    extra = 0
    fields = [
        "seq",
        "name",
        "required",
        "form",
        "copies",
        "source",
        "e_license_ok",
        "blank_form",
        "sample",
        "notes",
    ]


if TYPE_CHECKING:  # generic for the type checker only
    _FeeInlineBase = admin.TabularInline[Fee, ServiceItem]
else:
    _FeeInlineBase = admin.TabularInline


class FeeInline(_FeeInlineBase):
    model = Fee
    extra = 0
    fields = ["seq", "name", "standard", "basis", "waivable"]


if TYPE_CHECKING:  # generic for the type checker only
    _FormFieldInlineBase = admin.TabularInline[FormField, ServiceItem]
else:
    _FormFieldInlineBase = admin.TabularInline


class FormFieldInline(_FormFieldInlineBase):
    model = FormField
    extra = 0
    fields = ["seq", "key", "label", "kind", "required", "choices", "prefill", "help_text"]


if TYPE_CHECKING:  # generic for the type checker only
    _ItemVersionInlineBase = admin.TabularInline[ItemVersion, ServiceItem]
else:
    _ItemVersionInlineBase = admin.TabularInline


class ItemVersionInline(_ItemVersionInlineBase):
    model = ItemVersion
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["version", "status", "note", "changed_by", "changed_at"]
    readonly_fields = ["version", "status", "note", "changed_by", "changed_at"]
    ordering = ["-version"]
    verbose_name_plural = "版本历史"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


if TYPE_CHECKING:  # generic for the type checker only
    _ServiceItemFormBase = forms.ModelForm[ServiceItem]
else:
    _ServiceItemFormBase = forms.ModelForm


class ServiceItemForm(_ServiceItemFormBase):
    special_procedures = forms.MultipleChoiceField(
        label="特别程序",
        choices=SpecialProcedure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ServiceItem
        fields = [*actions.ITEM_FIELDS, "department", "window", "joint_departments"]

    def clean(self) -> dict[str, Any] | None:
        # The model's clean does not see many-to-many fields; the action's rule is checked here so that a wrong
        # choice is shown on the form instead of failing in save_related.
        data = super().clean() or self.cleaned_data
        if "joint_departments" in data and data.get("department") and data.get("process_template"):
            current = list(self.instance.joint_departments.all()) if self.instance.pk else []
            try:
                actions.clean_joint_departments(
                    data["joint_departments"],
                    department=data["department"],
                    process_template=data["process_template"],
                    current=current,
                )
            except ValidationError as exc:
                self.add_error("joint_departments", exc.message_dict["joint_departments"])
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excel文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    dry_run = forms.BooleanField(label="只校验，不保存（试导入）", required=False)


@admin.register(ServiceItem)
class ServiceItemAdmin(ActionAdmin):
    # No delete_object: items are abolished, never deleted (cases and old guides refer to them).
    form = ServiceItemForm
    inlines = [FormFieldInline, MaterialInline, FeeInline, ItemVersionInline]
    list_display = [
        "name",
        "department",
        "item_type",
        "handling_kind",
        "limits",
        "visits",
        "in_hall",
        "status_badge",
        "version",
    ]
    list_filter = ["status", "item_type", "handling_kind", "visits", "online_depth", "in_hall", "department"]
    search_fields = ["name", "impl_code", "basic_code"]
    list_select_related = ["department"]
    filter_horizontal = ["joint_departments"]
    readonly_fields = ["status_badge", "version", "published_at"]
    actions = ["publish_selected", "suspend_selected", "abolish_selected", "export_selected"]
    fieldsets = [
        ("编码", {"fields": ["basic_code", "impl_code", "name", "item_type", "department"]}),
        ("权力属性", {"fields": ["power_source", "exercise_level", "target", "legal_basis"]}),
        (
            "办理",
            {
                "fields": [
                    "acceptance_conditions",
                    ("legal_limit", "legal_limit_unit"),
                    ("promised_limit", "promised_limit_unit"),
                    "handling_kind",
                    "visits",
                    "online_depth",
                    "in_hall",
                    "window",
                    "process_template",
                    "joint_departments",
                    ("join_rule", "join_ratio"),
                    "special_procedures",
                ]
            },
        ),
        (
            "办事指南",
            {"fields": ["handling_place", "consult_phone", "complaint_phone", "result_name", "aliases"]},
        ),
        ("状态", {"fields": ["status_badge", "version", "published_at"]}),
    ]

    @admin.display(description="时限（法定 / 承诺）")
    def limits(self, obj: ServiceItem) -> str:
        legal = f"{obj.legal_limit}{TimeUnit(obj.legal_limit_unit).label}"
        promised = f"{obj.promised_limit}{TimeUnit(obj.promised_limit_unit).label}"
        return f"{legal} / {promised}（压缩{item_compression(obj).display()}）"

    @admin.display(description="状态", ordering="status")
    def status_badge(self, obj: ServiceItem) -> str:
        return _status_badge(obj.status) if obj.pk else "草稿"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ServiceItem], search_term: str
    ) -> tuple[QuerySet[ServiceItem], bool]:
        by_code, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return by_code, may_have_duplicates
        by_words = search_items(queryset, search_term).values("pk")
        return queryset.filter(Q(pk__in=by_code.values("pk")) | Q(pk__in=by_words)), False

    # -- saving through the actions --------------------------------------------------------------------

    # One action for the form and its inline materials and fees: one version.
    @staticmethod
    def _item_data(form: Any, formsets: list[Any]) -> dict[str, Any]:
        materials = fees = form_fields = None
        for formset in formsets:
            if formset.model is FormField:
                form_fields = _inline_rows(formset, actions.FORM_FIELD_FIELDS)
            if formset.model is Material:
                materials = _inline_rows(formset, actions.MATERIAL_FIELDS + actions.MATERIAL_FILE_FIELDS)
            elif formset.model is Fee:
                fees = _inline_rows(formset, actions.FEE_FIELDS)
        data = form.cleaned_data
        fields = {name: _clean_text(data[name]) for name in actions.ITEM_FIELDS if name in data}
        fields["department"] = data["department"]
        fields["window"] = data.get("window")
        joint = list(data["joint_departments"]) if "joint_departments" in data else None
        return {
            "materials": materials,
            "fees": fees,
            "form_fields": form_fields,
            "joint_departments": joint,
            **fields,
        }

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> ServiceItem:
        data = self._item_data(form, formsets)
        data["materials"], data["fees"] = data["materials"] or [], data["fees"] or []
        data["form_fields"] = data["form_fields"] or []
        return actions.create_item(actor=signed_in(request), note="后台新建", **data)

    def update_object(
        self, request: HttpRequest, obj: ServiceItem, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> ServiceItem:
        return actions.update_item(
            obj, actor=signed_in(request), note="后台修改", **self._item_data(form, formsets)
        )

    # -- status actions --------------------------------------------------------------------------------

    @admin.action(description="发布所选事项", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        _run_status_action(self, request, queryset, ItemStatus.PUBLISHED, actions.set_item_status)

    @admin.action(description="暂停办理所选事项", permissions=["change"])
    def suspend_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        _run_status_action(self, request, queryset, ItemStatus.SUSPENDED, actions.set_item_status)

    @admin.action(description="取消所选事项", permissions=["change"])
    def abolish_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        _run_status_action(self, request, queryset, ItemStatus.ABOLISHED, actions.set_item_status)

    @admin.action(description="导出所选事项为Excel", permissions=["view"])
    def export_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> HttpResponse:
        return self._xlsx_response(queryset)

    # -- Excel -----------------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "excel/export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "excel/import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def _xlsx_response(self, queryset: QuerySet[ServiceItem] | None) -> HttpResponse:
        response = HttpResponse(content_type=XLSX)
        filename = f"catalog-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        export_workbook(queryset).save(response)
        return response

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._xlsx_response(None)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                report = import_catalog(
                    upload,
                    actor=signed_in(request),
                    dry_run=form.cleaned_data["dry_run"],
                    filename=upload.name,
                )
                level = messages.SUCCESS if report.ok else messages.ERROR
                self.message_user(request, report.summary(), level)
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "导入事项目录",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/catalog/serviceitem/import.html", context)


# ------------------------------------------------------------------------------------------------ bundles


if TYPE_CHECKING:  # generic for the type checker only
    _BundleItemFormSetBase = BaseInlineFormSet[BundleItem, Bundle, forms.ModelForm[BundleItem]]
else:
    _BundleItemFormSetBase = BaseInlineFormSet


class BundleItemFormSet(_BundleItemFormSetBase):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        chosen = [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("item")
        ]
        chosen.sort(key=lambda d: d.get("order") or 0)
        try:
            actions.validate_bundle_items([d["item"] for d in chosen])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


if TYPE_CHECKING:  # generic for the type checker only
    _BundleItemInlineBase = admin.TabularInline[BundleItem, Bundle]
else:
    _BundleItemInlineBase = admin.TabularInline


class BundleItemInline(_BundleItemInlineBase):
    model = BundleItem
    formset = BundleItemFormSet
    extra = 2
    fields = ["order", "item"]
    autocomplete_fields = ["item"]


@admin.register(Bundle)
class BundleAdmin(ActionAdmin):
    inlines = [BundleItemInline]
    list_display = ["code", "name", "lead_department", "promised", "item_count", "status_badge"]
    list_filter = ["status", "lead_department"]
    search_fields = ["code", "name"]
    readonly_fields = ["status_badge"]
    fields = ["code", "name", "description", "lead_department", ("promised_limit", "promised_limit_unit")]
    actions = ["publish_selected", "suspend_selected", "abolish_selected"]

    @admin.display(description="承诺时限")
    def promised(self, obj: Bundle) -> str:
        return f"{obj.promised_limit}{TimeUnit(obj.promised_limit_unit).label}"

    @admin.display(description="事项数")
    def item_count(self, obj: Bundle) -> int:
        return obj.entries.count()

    @admin.display(description="状态", ordering="status")
    def status_badge(self, obj: Bundle) -> str:
        return _status_badge(obj.status) if obj.pk else "草稿"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.fields, "status_badge"] if obj else self.fields

    @staticmethod
    def _bundle_data(form: Any, formsets: list[Any]) -> dict[str, Any]:
        rows: list[dict[str, Any]] = []
        for formset in formsets:
            if formset.model is BundleItem:
                rows = _inline_rows(formset, ["order", "item"])
        items = [row["item"] for row in sorted(rows, key=lambda r: r.get("order") or 0)]
        data = form.cleaned_data
        fields = {name: _clean_text(data[name]) for name in actions.BUNDLE_FIELDS}
        return {"items": items, "lead_department": data["lead_department"], **fields}

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Bundle:
        return actions.create_bundle(actor=signed_in(request), **self._bundle_data(form, formsets))

    def update_object(
        self, request: HttpRequest, obj: Bundle, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> Bundle:
        return actions.update_bundle(obj, actor=signed_in(request), **self._bundle_data(form, formsets))

    @admin.action(description="发布所选一件事", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Bundle]) -> None:
        _run_status_action(self, request, queryset, ItemStatus.PUBLISHED, actions.set_bundle_status)

    @admin.action(description="暂停办理所选一件事", permissions=["change"])
    def suspend_selected(self, request: HttpRequest, queryset: QuerySet[Bundle]) -> None:
        _run_status_action(self, request, queryset, ItemStatus.SUSPENDED, actions.set_bundle_status)

    @admin.action(description="取消所选一件事", permissions=["change"])
    def abolish_selected(self, request: HttpRequest, queryset: QuerySet[Bundle]) -> None:
        _run_status_action(self, request, queryset, ItemStatus.ABOLISHED, actions.set_bundle_status)


# ------------------------------------------------------------------------------------------------ versions


@admin.register(ItemVersion)
class ItemVersionAdmin(ActionAdmin):
    """Read-only: versions are written by the item actions."""

    list_display = ["item", "version", "status", "note", "changed_by", "changed_at"]
    list_filter = ["status"]
    search_fields = ["item__name", "item__impl_code", "note"]
    list_select_related = ["item", "changed_by"]
    readonly_fields = ["item", "version", "status", "snapshot", "note", "changed_by", "changed_at"]


@admin.register(Synonym)
class SynonymAdmin(ActionAdmin):
    """搜索同义词: the everyday words of the public search, kept by the center's administrators."""

    list_display = ["word", "means"]
    search_fields = ["word", "means"]
    fields = ["word", "means"]

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Synonym:
        return actions.save_synonym(
            word=form.cleaned_data["word"], means=form.cleaned_data["means"], actor=signed_in(request)
        )

    def update_object(
        self, request: HttpRequest, obj: Synonym, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> Synonym:
        return actions.save_synonym(
            word=form.cleaned_data["word"],
            means=form.cleaned_data["means"],
            synonym=obj,
            actor=signed_in(request),
        )

    def delete_object(self, request: HttpRequest, obj: Synonym) -> None:
        actions.delete_synonym(obj, actor=signed_in(request))
