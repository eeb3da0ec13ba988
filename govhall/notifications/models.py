"""Notifications to staff and applicants.

One row per recipient and channel. In-app rows are read on the workbench (`read_at`); SMS and e-mail rows are an
outbox: they are written unsent (`sent_at` null) in the same transaction as the event, and the delivery worker
(`delivery.deliver_pending`) claims them with `outbox()` (SELECT … FOR UPDATE SKIP LOCKED) and stamps `sent_at`, or
records the failure and retries later, giving up (`failed_at`) after a configured number of attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.core.identifiers import mask_phone

from .choices import OUTBOUND_CHANNELS, Channel


class Notification(models.Model):
    # Applicants served at a window may have no account: they are reached by phone or e-mail only.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收账号",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    phone = models.CharField("手机号码", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    name = models.CharField("接收人", max_length=64, blank=True)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices, default=Channel.IN_APP)
    kind = models.CharField("类别", max_length=40, blank=True, db_index=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    case_number = models.CharField("办件编号", max_length=64, blank=True, db_index=True)
    link = models.CharField("链接", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    # Delivery bookkeeping (SMS and e-mail): failed attempts are retried with back-off until `failed_at` gives up.
    attempts = models.PositiveSmallIntegerField("发送尝试次数", default=0)
    last_error = models.TextField("最近一次发送错误", blank=True)
    next_attempt_at = models.DateTimeField("下次重试时间", null=True, blank=True)
    failed_at = models.DateTimeField("放弃发送时间", null=True, blank=True)
    provider_id = models.CharField("服务商消息编号", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notif_user_read_idx"),
            # Only the outbound rows still to deliver, so the delivery workers' scan stays small however long the
            # history (rows given up on leave it too).
            models.Index(
                fields=["channel", "created_at"],
                name="notif_pending_idx",
                condition=Q(
                    sent_at__isnull=True, failed_at__isnull=True, channel__in=list(OUTBOUND_CHANNELS)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_display}：{self.title}"

    @property
    def recipient_display(self) -> str:
        """Who it goes to, with the phone number masked (personal information: lists and logs)."""
        if self.channel == Channel.SMS:
            address = mask_phone(self.phone)
        elif self.channel == Channel.EMAIL:
            address = self.email
        else:
            address = self.user.get_username() if self.user is not None else ""
        return f"{self.name}（{address}）" if self.name and address else (self.name or address)
