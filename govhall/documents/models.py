"""Written notices and the electronic approval seal (电子审批专用章) that signs them.

The seal follows GB/T 38540-2020: the platform's seal maker (制章者) issues each department a seal — header,
identifier, properties, picture, the holder's certificate — and signs it; a document signature then binds the
SM3 hash of the PDF, the signing time and the seal. See signing.py for the byte layout."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from govhall.org.models import Department

from .choices import DocumentKind, DocumentStatus, SealStatus


class SealMaker(models.Model):
    """The platform's seal maker and certificate issuer: the trust anchor every verification starts from.

    Production keeps the private key in an HSM (密码机) and stores only the public key here; this system keeps the
    key pair in the database so that a county can run it without one."""

    name = models.CharField("制章者名称", max_length=100)
    key_id = models.CharField("密钥标识", max_length=16, unique=True)
    public_key = models.CharField("SM2公钥", max_length=128)
    private_key = models.CharField("SM2私钥", max_length=64)
    active = models.BooleanField("当前使用", default=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "印章制作者"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="uniq_active_seal_maker"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_id}）"


class Seal(models.Model):
    """A department's electronic approval seal. A department holds one active seal at a time; an expired or
    revoked seal is kept (not replaced in place) because the documents it signed are verified against it."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="seals"
    )
    maker = models.ForeignKey(
        SealMaker, verbose_name="制章者", on_delete=models.PROTECT, related_name="seals"
    )
    es_id = models.CharField("印章编码", max_length=32, unique=True)
    name = models.CharField("印章名称", max_length=120)
    holder_name = models.CharField("持有者", max_length=120)
    valid_from = models.DateTimeField("有效期起")
    valid_to = models.DateTimeField("有效期止")
    created_at = models.DateTimeField("制作时间")
    picture_svg = models.TextField("印章图片（SVG）")
    holder_public_key = models.CharField("持有者SM2公钥", max_length=128)
    holder_private_key = models.CharField("持有者SM2私钥", max_length=64)
    certificate = models.JSONField("签章人证书")
    certificate_signature = models.CharField("证书签名（制章者）", max_length=128)
    seal_signature = models.CharField("印章签名（制章者）", max_length=128)
    status = models.CharField(
        "状态", max_length=16, choices=SealStatus.choices, default=SealStatus.ACTIVE, db_index=True
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="吊销人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "电子印章"
        ordering = ["department__sort_order", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"], condition=Q(status="active"), name="uniq_active_seal_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.es_id}）"


class DocumentCounter(models.Model):
    """The last sequence number used per department, kind and year; its row lock serialises allocation."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "文书编号计数器"
        constraints = [
            models.UniqueConstraint(fields=["department", "kind", "year"], name="uniq_document_counter")
        ]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.kind}/{self.year}: {self.last}"


class Document(models.Model):
    number = models.CharField("文书编号", max_length=64, unique=True)
    kind = models.CharField("文书种类", max_length=32, choices=DocumentKind.choices, db_index=True)
    title = models.CharField("标题", max_length=100)
    case_number = models.CharField("办件编号", max_length=64, db_index=True)
    department = models.ForeignKey(
        Department, verbose_name="发文部门", on_delete=models.PROTECT, related_name="documents"
    )
    recipient = models.CharField("申请人", max_length=200)
    content = models.JSONField("内容")
    issued_at = models.DateTimeField("出具时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="出具人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    sealed_at = models.DateTimeField("签章时间", null=True, blank=True)
    seal = models.ForeignKey(
        Seal,
        verbose_name="电子印章",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    pdf = models.BinaryField("已签章文件", null=True, blank=True)
    sha = models.CharField("文件SM3摘要", max_length=64, blank=True)
    signature = models.JSONField("签章数据", null=True, blank=True)
    verify_token = models.CharField("验证令牌", max_length=43)

    class Meta:
        verbose_name = verbose_name_plural = "文书"
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["status", "issued_at"], name="document_status_issued_idx")]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.number])

    def public_verify_url(self) -> str:
        """The address printed in the QR code; the token unlocks the recipient's name and the download."""
        base = str(settings.GOVHALL_PUBLIC_URL).rstrip("/")
        return f"{base}{self.get_absolute_url()}?t={self.verify_token}"
