"""Write notifications, mark them read, and the queries the workbench and the delivery workers use.

`notify()` is called from inside the action that caused the message (accept, correction notice, decision …), so
the message exists exactly when the action commits; SMS and e-mail rows wait unsent for the delivery worker
(`delivery.deliver_pending`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from govhall.core import clock
from govhall.core.compiled import insert_objects

from .choices import Channel
from .models import Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Only mobiles receive SMS: a landline is a valid phone number elsewhere, but not here.
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE_RE = re.compile(r"[\s-]")


def _normalise_mobile(value: str) -> str:
    phone = _PHONE_NOISE_RE.sub("", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not _MOBILE_RE.match(phone):
        raise ValidationError(
            {"phone": "手机号码格式不正确，短信只能发送到11位手机号码。"}, code="mobile_format"
        )
    return phone


def _default_name(user: User) -> str:
    try:
        name = user.staff.name
    except (ObjectDoesNotExist, AttributeError):
        name = ""
    return name or user.get_full_name() or user.get_username()


def _check_length(field: str, value: str, label: str) -> None:
    max_length: int | None = getattr(Notification._meta.get_field(field), "max_length", None)
    if max_length is not None and len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字符。"}, code="too_long")


def notify(
    *,
    title: str,
    body: str,
    user: User | None = None,
    phone: str = "",
    email: str = "",
    name: str = "",
    kind: str = "",
    case_number: str = "",
    link: str = "",
    at: dt.datetime | None = None,
    later: bool = False,
) -> list[Notification]:
    """Create one row per reachable channel: in-app for `user`, SMS for `phone`, e-mail for `email`.

    Returns the rows created — an empty list when nobody is reachable (an applicant without account, phone or
    e-mail): the event itself must not fail for that. Call it inside the action's transaction."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "通知标题不能为空。"}, code="required")
    link = (link or "").strip()
    # "//host/…" is a link to another site, not a path on this one.
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValidationError({"link": "链接应为站内路径，以 / 开头。"}, code="link_path")
    if user is not None and getattr(user, "pk", None) is None:
        user = None  # AnonymousUser: no in-app inbox
    phone = _normalise_mobile(phone) if (phone or "").strip() else ""
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": "电子邮箱格式不正确。"}, code="email_format") from None
    name = (name or "").strip() or (_default_name(user) if user is not None else "")
    for field, value, label in (
        ("title", title, "通知标题"),
        ("name", name, "接收人姓名"),
        ("kind", kind, "通知类别"),
        ("case_number", case_number, "办件编号"),
        ("link", link, "链接"),
        ("email", email, "电子邮箱"),
    ):
        _check_length(field, value, label)
    instant = at if at is not None else clock.now()
    if timezone.is_naive(instant):
        raise ValueError("通知时间必须带时区")

    common: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "title": title,
        "body": body or "",
        "case_number": case_number,
        "link": link,
        "created_at": instant,
    }
    rows: list[Notification] = []
    if user is not None:
        # Shown the moment it is committed: there is nothing left to deliver.
        rows.append(Notification(user=user, channel=Channel.IN_APP, sent_at=instant, **common))
    if phone:
        rows.append(Notification(user=user, phone=phone, channel=Channel.SMS, **common))
    if email:
        rows.append(Notification(user=user, email=email, channel=Channel.EMAIL, **common))
    if rows:
        # One statement, no savepoint: this runs on the hot path of every case action.
        with transaction.atomic(savepoint=False):
            insert_objects(rows, later=later)
    return rows


def mark_read(notification: Notification, user: User) -> Notification:
    """Mark an in-app message read by its owner; reading it again keeps the first reading time."""
    if user is None or getattr(user, "pk", None) is None or notification.user_id != user.pk:
        raise PermissionDenied("只能标记发给自己的消息。")
    if notification.channel != Channel.IN_APP:
        raise ValidationError("只有站内消息可以标记为已读。", code="not_in_app")
    if notification.read_at is None:
        with transaction.atomic():
            # Conditional update: of two tabs marking the same message, the first reading time wins.
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=clock.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread in-app message of `user` read; returns how many were marked."""
    with transaction.atomic():
        return unread_for(user).update(read_at=clock.now())


def inbox_for(user: User) -> QuerySet[Notification]:
    """The user's in-app messages, newest first."""
    return Notification.objects.filter(user=user, channel=Channel.IN_APP).order_by("-created_at", "-id")


def unread_for(user: User) -> QuerySet[Notification]:
    """The user's unread in-app messages, newest first (served by the (user, read_at) index)."""
    return inbox_for(user).filter(read_at__isnull=True)


def outbox(channel: str, *, limit: int = 100, at: dt.datetime | None = None) -> QuerySet[Notification]:
    """Unsent SMS or e-mail rows due for an attempt at `at` (now), oldest first, locked for the calling worker
    (call inside a transaction). Rows given up on, and rows waiting for their retry, are left out.

    SKIP LOCKED lets several workers on several machines claim different rows at once (README, deployment)."""
    if channel == Channel.IN_APP:
        raise ValueError("站内消息无需发送")
    instant = at if at is not None else clock.now()
    return (
        Notification.objects.select_for_update(skip_locked=True)
        .filter(channel=channel, sent_at__isnull=True, failed_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=instant))
        .order_by("created_at", "id")[:limit]
    )


def mark_sent(notification: Notification, *, at: dt.datetime | None = None) -> Notification:
    """Record that a backend handed the message to the carrier (used by issue #4's delivery workers)."""
    notification.sent_at = at if at is not None else clock.now()
    with transaction.atomic():
        notification.save(update_fields=["sent_at"])
    return notification
