"""Process templates in the admin: every save is a new version through actions.save_definition.

A stored version is never edited: its change page shows the specification as editable JSON, and saving that
form stores the next version (and makes it active). "预览流程图" validates the JSON and draws it without saving."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from govhall.core.admin import ActionAdmin
from govhall.core.auth import signed_in

from . import actions
from .engine import spec_of
from .flowchart import render_svg
from .models import ProcessDefinition
from .schema import ProcessSpec
from .standard import STANDARD
from .validation import validate_spec

PREVIEW_FIELD = "_preview"


def _pretty(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


if TYPE_CHECKING:  # generic for the type checker only
    _ProcessDefinitionFormBase = forms.ModelForm[ProcessDefinition]
else:
    _ProcessDefinitionFormBase = forms.ModelForm


class ProcessDefinitionForm(_ProcessDefinitionFormBase):
    spec_json = forms.CharField(
        label="流程定义（JSON）",
        widget=forms.Textarea(
            attrs={"rows": 30, "cols": 100, "spellcheck": "false", "class": "vLargeTextField"}
        ),
        help_text="保存后生成新版本并立即启用；已有版本不会被修改，正在办理的办件继续按原版本运行。",
    )

    class Meta:
        model = ProcessDefinition
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.preview_requested: bool = kwargs.pop("preview_requested", False)
        super().__init__(*args, **kwargs)
        self.parsed: ProcessSpec | None = None
        self.preview_svg: SafeString | None = None
        if not self.is_bound:
            if self.instance.pk:
                self.initial["spec_json"] = _pretty(spec_of(self.instance).to_editable_json())
            else:
                self.initial["spec_json"] = _pretty(validate_spec(STANDARD).to_editable_json())

    def clean_spec_json(self) -> dict[str, Any]:
        text = self.cleaned_data["spec_json"]
        try:
            data: dict[str, Any] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"JSON格式错误：第{exc.lineno}行第{exc.colno}列附近有语法错误。") from None
        self.parsed = validate_spec(data)
        if self.instance.pk and self.parsed.code != self.instance.code:
            raise ValidationError(
                f"流程编码不能从“{self.instance.code}”改为“{self.parsed.code}”；新建其他流程请使用“增加”。"
            )
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.preview_requested and self.parsed is not None and not self.errors:
            self.preview_svg = mark_safe(render_svg(self.parsed))
            # Keeps the admin from saving: the page comes back with the drawing and the same JSON.
            raise ValidationError("仅预览，尚未保存。确认流程图无误后点击“保存”生成新版本。", code="preview")
        return cleaned


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(ActionAdmin):
    form = ProcessDefinitionForm
    list_display = ["name", "code", "version", "active", "step_count", "created_at", "created_by"]
    list_filter = ["code", "active"]
    search_fields = ["name", "code"]
    list_select_related = ["created_by"]
    ordering = ["code", "-version"]
    actions = ["activate_selected"]
    change_form_template = "admin/workflow/processdefinition/change_form.html"

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["spec_json"]})]
        return [
            ("版本", {"fields": [("code", "version", "active"), "name", ("created_at", "created_by")]}),
            ("流程图", {"fields": ["flowchart"]}),
            ("保存为新版本", {"fields": ["spec_json"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["code", "version", "active", "name", "created_at", "created_by", "flowchart"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        preview = request.method == "POST" and PREVIEW_FIELD in request.POST

        class RequestForm(form_class):  # type: ignore[valid-type, misc]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, preview_requested=preview, **inner)

        return RequestForm

    @admin.display(description="步骤数")
    def step_count(self, obj: ProcessDefinition) -> int:
        return len(obj.spec.get("steps", [])) if isinstance(obj.spec, dict) else 0

    @admin.display(description="流程图")
    def flowchart(self, obj: ProcessDefinition) -> SafeString | str:
        try:
            return mark_safe(render_svg(spec_of(obj)))
        except ValidationError as exc:
            return format_html("<span class='errornote'>{}</span>", "；".join(exc.messages))

    # No delete_object: cases refer to the version they run on. Saving always makes a new version.
    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> ProcessDefinition:
        definition = actions.save_definition(form.cleaned_data["spec_json"], by=signed_in(request))
        self.message_user(request, f"已保存为“{definition}”并启用。", messages.SUCCESS)
        return definition

    def update_object(
        self,
        request: HttpRequest,
        obj: ProcessDefinition,
        changes: dict[str, Any],
        form: Any,
        formsets: list[Any],
    ) -> ProcessDefinition:
        return self.create_object(request, form, formsets)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        response = super().response_change(request, obj)
        if "_continue" in request.POST and isinstance(response, HttpResponseRedirect):
            # "Save and continue" edits the version just made, not the one the form was opened on.
            return HttpResponseRedirect(reverse("admin:workflow_processdefinition_change", args=[obj.pk]))
        return response

    @admin.action(description="启用所选版本", permissions=["change"])
    def activate_selected(self, request: HttpRequest, queryset: QuerySet[ProcessDefinition]) -> None:
        chosen = list(queryset)
        if len({d.code for d in chosen}) != len(chosen):
            self.message_user(request, "同一流程只能启用一个版本，请每个流程只选一个版本。", messages.ERROR)
            return
        for definition in chosen:
            try:
                actions.activate_definition(definition, by=signed_in(request))
            except ValidationError as exc:
                self.message_user(request, f"{definition}：{'；'.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"已启用“{definition}”。", messages.SUCCESS)
