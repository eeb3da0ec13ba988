"""效能投诉 (domain §8): received at the hall, by phone or online, then assigned, investigated and concluded against a
clock on the shared engine. Written only by `complaints.actions`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govhall.core.identifiers import mask_phone

from .choices import ComplaintChannel, ComplaintStatus, Finding, Responsibility


class ComplaintNumberCounter(models.Model):
    """Daily sequence for complaint numbers, incremented under a row lock."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "投诉编号计数"

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class Complaint(models.Model):
    number = models.CharField("投诉编号", max_length=20, unique=True)
    # GOVHALL_CHECK_CODE_DIGITS digits (6–12); complaints of before keep their 6.
    check_code = models.CharField("查询码", max_length=12)
    channel = models.CharField("投诉渠道", max_length=8, choices=ComplaintChannel.choices, db_index=True)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
        db_index=True,
    )
    complainant_name = models.CharField("投诉人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="投诉人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_made",
    )
    subject = models.CharField("投诉事由", max_length=200, blank=True)
    content = models.TextField("投诉内容")
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="涉及办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="被投诉部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    staff = models.ForeignKey(
        "org.StaffProfile",
        verbose_name="被投诉人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_against",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_received",
    )
    received_at = models.DateTimeField("受理时间", db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_assigned",
    )
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    investigation_notes = models.TextField("调查情况", blank=True)
    finding = models.CharField("调查结论", max_length=16, choices=Finding.choices, blank=True)
    responsibility = models.CharField("责任认定", max_length=16, choices=Responsibility.choices, blank=True)
    conclusion = models.TextField("处理意见", blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_concluded",
    )
    complainant_informed_at = models.DateTimeField("告知投诉人时间", null=True, blank=True)
    # The online form's one-time token (cases.form_tokens), unique per complainant account: a second POST of the same
    # form (double click, reload) finds the first complaint instead of filing another. Empty for hall and phone.
    submission_key = models.CharField("提交令牌", max_length=80, blank=True, default="", editable=False)
    clock = models.OneToOneField(
        "clocks.Clock",
        verbose_name="办理时限",
        on_delete=models.PROTECT,
        related_name="complaint",
    )

    class Meta:
        verbose_name = verbose_name_plural = "效能投诉"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complainant", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="complaint_submission_key_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject or self.content[:20]}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def display_name(self) -> str:
        return "匿名" if self.anonymous else self.complainant_name

    @property
    def is_open(self) -> bool:
        return self.status != ComplaintStatus.CONCLUDED
