"""Documents and seals are read-only here: documents come from case actions, seals from ensure_seal. The one
administrative act is revoking a seal, done through actions.revoke_seal."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.db.models.functions import Length
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from govhall.core.admin import ReadOnlyAdmin
from govhall.core.auth import signed_in

from . import actions
from .choices import SealStatus
from .models import Document, Seal, SealMaker


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "kind",
        "department",
        "recipient",
        "case_number",
        "status",
        "issued_at",
        "sealed_at",
    ]
    list_filter = ["department", "kind", "status"]
    search_fields = ["number", "case_number", "recipient"]
    date_hierarchy = "issued_at"
    list_select_related = ["department"]
    fields = (
        "number",
        "kind",
        "title",
        "case_number",
        "department",
        "recipient",
        "content",
        "issued_at",
        "issued_by",
        "status",
        "sealed_at",
        "seal",
        "sha",
        "file_size",
        "verify_link",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return super().get_queryset(request).defer("pdf", "signature")

    @admin.display(description="文件大小")
    def file_size(self, obj: Document) -> str:
        size = (
            Document.objects.filter(pk=obj.pk)
            .annotate(size=Length("pdf"))
            .values_list("size", flat=True)
            .first()
        )
        return f"{size / 1024:.1f} KB" if size else "—"

    @admin.display(description="验证与下载")
    def verify_link(self, obj: Document) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.public_verify_url(), "打开验证页"
        )


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ["name", "es_id", "department", "status", "valid_from", "valid_to", "revoked_at"]
    list_filter = ["department", "status"]
    search_fields = ["name", "es_id", "department__name"]
    list_select_related = ["department"]
    fields = (
        "name",
        "es_id",
        "department",
        "holder_name",
        "maker",
        "status",
        "valid_from",
        "valid_to",
        "created_at",
        "revoked_at",
        "revoked_by",
        "picture",
        "holder_public_key",
        "certificate",
    )
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="印章图片")
    def picture(self, obj: Seal) -> str:
        # Safe to inline: seal_picture.seal_svg generates the markup and escapes the holder's name.
        return format_html('<div style="width:10rem">{}</div>', mark_safe(obj.picture_svg))

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("documents.change_seal")

    @admin.action(description="吊销所选印章", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Seal]) -> None:
        count = 0
        for seal in queryset.exclude(status=SealStatus.REVOKED):
            actions.revoke_seal(seal, by=signed_in(request))
            count += 1
        self.message_user(
            request,
            f"已吊销 {count} 枚印章；此前签章的文书仍然有效，部门的新文书将使用新印章。",
            messages.SUCCESS,
        )


@admin.register(SealMaker)
class SealMakerAdmin(ReadOnlyAdmin):
    list_display = ["name", "key_id", "active", "created_at"]
    fields = ("name", "key_id", "public_key", "active", "created_at")
    readonly_fields = fields
