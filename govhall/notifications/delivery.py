"""Delivery of the SMS and e-mail outbox: `deliver_pending()` is one round of the worker
(`manage.py deliver_notifications`, or `run_jobs`).

Rows are claimed with `outbox()` (SELECT … FOR UPDATE SKIP LOCKED) and stay locked until the round's transaction
commits the outcome, so two workers never send the same row. A failure is recorded on the row (attempt count, error)
and retried after an exponential back-off; after `GOVHALL_NOTIFY_MAX_ATTEMPTS` attempts the row is given up on
(`failed_at`) and stays in the admin for someone to look at. A worker that dies between sending and committing sends
that message again on the next round: delivery is at least once, never silently lost."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from govhall.core import clock

from .actions import outbox
from .choices import OUTBOUND_CHANNELS, Channel
from .models import Notification
from .sms import SmsBackend, get_sms_backend

logger = logging.getLogger(__name__)

SMS_MAX_LENGTH = 300
# However many failures, the next attempt is at most this far away: a gateway that is back is used within hours.
MAX_BACKOFF = dt.timedelta(hours=6)


def max_attempts() -> int:
    return max(1, int(settings.GOVHALL_NOTIFY_MAX_ATTEMPTS))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt `attempts + 1`: the base delay, doubled after each failure."""
    base = float(settings.GOVHALL_NOTIFY_RETRY_SECONDS)
    return min(dt.timedelta(seconds=base * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def sms_text(notification: Notification) -> str:
    """The platform signature, the title and the body, cut to 300 characters (an ellipsis marks the cut)."""
    signature = settings.GOVHALL_SMS_SIGNATURE
    title, body = notification.title.strip(), notification.body.strip()
    text = f"{signature}{title}：{body}" if body else f"{signature}{title}"
    if len(text) > SMS_MAX_LENGTH:
        text = text[: SMS_MAX_LENGTH - 1] + "…"
    return text


def email_body(notification: Notification) -> str:
    body = notification.body.strip() or notification.title
    if notification.link:
        public = str(settings.GOVHALL_PUBLIC_URL).rstrip("/")
        body += f"\n\n详情：{public}{notification.link}"
    return body


def _send_email(notification: Notification) -> str:
    count = send_mail(
        subject=notification.title,
        message=email_body(notification),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notification.email],
        fail_silently=False,
    )
    if count != 1:
        raise RuntimeError("邮件未被发送")
    return ""


def deliver_pending(*, limit: int = 100) -> dict[str, int]:
    """One round: send up to `limit` due SMS rows and `limit` due e-mail rows. Returns counts of what happened."""
    result = {"sent": 0, "sms_sent": 0, "email_sent": 0, "retry": 0, "given_up": 0}
    sms: SmsBackend | None = None
    for channel in OUTBOUND_CHANNELS:
        with transaction.atomic():
            rows = list(outbox(channel, limit=limit, at=clock.now()))
            if channel == Channel.SMS and rows:
                sms = sms or get_sms_backend()
            for row in rows:
                try:
                    if channel == Channel.SMS:
                        assert sms is not None
                        provider_id = sms.send(row.phone, sms_text(row))
                    else:
                        provider_id = _send_email(row)
                except Exception as exc:  # any gateway failure is recorded and retried, never fatal
                    result["given_up" if _failed(row, exc) else "retry"] += 1
                else:
                    _sent(row, str(provider_id or ""))
                    result["sent"] += 1
                    result[f"{channel}_sent"] += 1
    return result


def _sent(row: Notification, provider_id: str) -> None:
    row.sent_at = clock.now()
    row.attempts += 1
    row.provider_id = provider_id[: Notification._meta.get_field("provider_id").max_length or 100]
    row.next_attempt_at = None
    row.save(update_fields=["sent_at", "attempts", "provider_id", "next_attempt_at"])


def _failed(row: Notification, exc: BaseException) -> bool:
    """Record a failed attempt; True when this was the last one allowed."""
    instant = clock.now()
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    gave_up = row.attempts >= max_attempts()
    fields: dict[str, Any] = (
        {"failed_at": instant, "next_attempt_at": None}
        if gave_up
        else {"next_attempt_at": instant + backoff(row.attempts)}
    )
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["attempts", "last_error", *fields])
    log = logger.error if gave_up else logger.warning
    log(
        "notification %s (%s) attempt %s failed%s: %s",
        row.pk,
        row.channel,
        row.attempts,
        ", giving up" if gave_up else "",
        row.last_error,
    )
    return gave_up
