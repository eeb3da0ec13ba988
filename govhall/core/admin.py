"""`ActionAdmin`: the base of every ModelAdmin in the project, so that the admin writes only through actions.

A subclass offers a write by defining its hook; a write without a hook is not offered (the admin is read-only for
it, whatever the user's model permissions say):

- ``create_object(request, form, formsets)`` — the add form;
- ``update_object(request, obj, changes, form, formsets)`` — the change form and ``list_editable`` rows; ``obj``
  is the row as stored, ``changes`` the edited fields' new values (``form.changed_data``);
- ``delete_object(request, obj)`` — the delete page and the bulk "delete selected" action.

The hook calls the app's action (validation, transaction, audit event). A ValidationError it raises is shown in
Chinese on the form it came from (field errors on their fields), or as an error message on the change list; nothing
is written."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from . import tokens
from .clock import now
from .models import ApiToken, AuditEvent

_ERRORS_ATTR = "_govhall_action_errors"


def admin_user(request: HttpRequest) -> User:
    """The acting user of an admin request (admin_view lets only logged-in staff through)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def attach_errors(form: BaseForm, error: ValidationError) -> None:
    """Put an action's ValidationError on the form: keyed errors on their fields when the form has them."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for messages_ in error.message_dict.values() for m in messages_)
    return "；".join(error.messages)


def mark_formsets_saved(formsets: list[Any]) -> None:
    # construct_change_message reads what formset.save() would have recorded; the actions did the saving.
    for formset in formsets:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:  # ModelAdmin is generic for the type checker only
    _ModelAdmin = admin.ModelAdmin


class ActionAdmin(_ModelAdmin):
    # -- the hooks (a subclass defines those it offers) --------------------------------------------------

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> models.Model:
        raise NotImplementedError

    def update_object(
        self, request: HttpRequest, obj: Any, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> models.Model:
        raise NotImplementedError

    def delete_object(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def _offers(self, hook: str) -> bool:
        return getattr(type(self), hook) is not getattr(ActionAdmin, hook)

    # -- permissions: a write without a hook is not offered ----------------------------------------------

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._offers("create_object") and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._offers("update_object") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._offers("delete_object") and super().has_delete_permission(request, obj)

    # -- writes --------------------------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Deferred to save_related, where the inline formsets are known: one action for the whole form."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        formsets = list(formsets or [])
        if change:
            stored = self.model._default_manager.get(pk=form.instance.pk)
            changes = {
                name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
            }
            saved = self.update_object(request, stored, changes, form, formsets)
        else:
            saved = self.create_object(request, form, formsets)
        mark_formsets_saved(formsets)
        # The admin's redirect, message and LogEntry read the form's instance.
        for field in saved._meta.concrete_fields:
            setattr(form.instance, field.attname, getattr(saved, field.attname))
        form.instance._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_object(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # All or nothing: a refused row leaves the others as they were.
        with transaction.atomic(using=queryset.db):
            for obj in queryset:
                self.delete_object(request, obj)

    # -- an action's ValidationError is shown, never a 500 --------------------------------------------------

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        found: ValidationError | None = getattr(request, _ERRORS_ATTR, None)
        if found is None:
            return form_class
        error: ValidationError = found

        class WithActionErrors(form_class):  # type: ignore[valid-type, misc]
            def clean(self) -> Any:
                data = super().clean()
                attach_errors(self, error)
                return data

        return WithActionErrors

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            if request.method != "POST":
                raise
            # The view's transaction has rolled back; show the same form again with the action's errors.
            setattr(request, _ERRORS_ATTR, exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except ValidationError as exc:
            # list_editable rows and bulk actions: nothing was saved (one transaction); say why.
            self.message_user(request, f"未保存：{error_text(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> Any:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self.message_user(request, f"未删除：{error_text(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(ActionAdmin):
    """No write hooks: every write is refused (see ActionAdmin). For records written only by their app's actions
    (cases, documents, supervision), which the admin merely shows."""


@admin.register(AuditEvent)
class AuditEventAdmin(ActionAdmin):
    """Read-only: the log is append-only, so nobody adds, edits or deletes entries here."""

    list_display = ["created_at", "event_type", "object_repr", "actor", "note"]
    list_filter = ["event_type", "object_type"]
    search_fields = ["object_repr", "object_id", "note", "actor__username"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


_ISSUED_ATTR = "_govhall_issued_token"


@admin.register(ApiToken)
class ApiTokenAdmin(ActionAdmin):
    """API tokens: issued on the add form (the token is shown once, in the confirmation message), revoked with the
    list's action; never edited nor deleted, so that the audit log's entries keep pointing at them."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke_selected"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "name", "expires_at")
        return (
            "user",
            "name",
            "prefix",
            "created_at",
            "created_by",
            "expires_at",
            "last_used_at",
            "revoked_at",
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"expires_at": now() + timedelta(days=tokens.DEFAULT_DAYS)}

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> ApiToken:
        issued = tokens.issue_token(
            form.cleaned_data["user"],
            form.cleaned_data["name"],
            actor=admin_user(request),
            days=None,
            expires_at=form.cleaned_data.get("expires_at"),
        )
        setattr(request, _ISSUED_ATTR, issued.secret)
        return issued.token

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        secret = getattr(request, _ISSUED_ATTR, None)
        if secret:
            self.message_user(
                request,
                f"令牌只显示这一次，请立即复制并交给使用者（请求头 Authorization: Bearer <令牌>）：{secret}",
                messages.WARNING,
            )
        return super().response_add(request, obj, post_url_continue)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.add_apitoken")

    @admin.action(description="吊销所选令牌", permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        with transaction.atomic():
            for token in queryset:
                tokens.revoke_token(token, actor=admin_user(request))
        self.message_user(request, f"已吊销 {queryset.count()} 个令牌。", messages.SUCCESS)
