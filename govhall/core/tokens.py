"""API tokens: the actions that issue and revoke them, and the lookup that authenticates a bearer request.

A token is 256 random bits (``secrets``), so a single SHA-256 of it is as strong a stored form as a slow password
hash: there is no small space of likely tokens to search. Checking it costs one indexed query instead of the
hundreds of milliseconds PBKDF2 spends on every HTTP Basic request, which is why scripts should use tokens.
Only the digest and a short prefix (to tell tokens apart in lists) are stored; the token is shown once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import record_event
from .clock import now
from .models import ApiToken, AuditEventType

# Tokens say what they are (and secret scanners can find a leaked one): "ghk_" + 43 URL-safe characters.
TOKEN_PREFIX = "ghk_"
DEFAULT_DAYS = 365
# last_used_at is written at most this often per token: a busy script must not turn every read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)

UNKNOWN = "接口令牌无效：请核对 Authorization 请求头（Bearer 令牌），或向中心管理员申请新令牌"
REVOKED = "接口令牌已被吊销，请向中心管理员申请新令牌"
EXPIRED = "接口令牌已过期，请向中心管理员申请新令牌"
INACTIVE = "该接口令牌所属账号已停用"


class TokenRefused(Exception):
    """A bearer token that cannot be used; the message is Chinese and is the API's 401 answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the token itself: give it to the user now, it cannot be recovered later


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(
    user: User,
    name: str,
    *,
    actor: User | None = None,
    days: int | None = DEFAULT_DAYS,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Issue a new token to `user`, valid for `days` (None: until revoked) or until `expires_at` when given."""
    name = name.strip()
    at = now()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写令牌名称（用途）。"
    elif len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = "名称不能超过100个字符。"
    if not user.is_active:
        errors["user"] = "该账号已停用，不能签发令牌。"
    if expires_at is None and days is not None:
        if days < 1:
            errors["expires_at"] = "有效天数至少为 1 天。"
        else:
            expires_at = at + timedelta(days=days)
    if expires_at is not None and expires_at <= at:
        errors["expires_at"] = "有效期应晚于当前时间。"
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            token_hash=digest(secret),
            created_by=actor,
            expires_at=expires_at,
        )
        record_event(
            AuditEventType.API_TOKEN_ISSUED,
            actor=actor,
            obj=token,
            after={
                "user": user.get_username(),
                "name": name,
                "prefix": token.prefix,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
            note=f"为 {user.get_username()} 签发接口令牌「{name}」",
        )
    return IssuedToken(token, secret)


def revoke_token(token: ApiToken, *, actor: User | None = None) -> ApiToken:
    """Revoke a token at once; revoking one already revoked changes nothing and writes no second event."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = now()
        locked.save(update_fields=["revoked_at"])
        record_event(
            AuditEventType.API_TOKEN_REVOKED,
            actor=actor,
            obj=locked,
            after={"user": locked.user.get_username(), "prefix": locked.prefix},
            note=f"吊销 {locked.user.get_username()} 的接口令牌「{locked.name}」",
        )
    return locked


def user_for_token(secret: str) -> User:
    """The active user a bearer token stands for; TokenRefused (in Chinese) when it is unknown, revoked or expired."""
    token = ApiToken.objects.select_related("user").filter(token_hash=digest(secret.strip())).first()
    if token is None:
        raise TokenRefused(UNKNOWN)
    at = now()
    if token.revoked_at is not None:
        raise TokenRefused(REVOKED)
    if token.expires_at is not None and token.expires_at <= at:
        raise TokenRefused(EXPIRED)
    if not token.user.is_active:
        raise TokenRefused(INACTIVE)
    if token.last_used_at is None or token.last_used_at <= at - LAST_USED_PRECISION:
        # One UPDATE, no lock: two requests racing to stamp the same minute write the same kind of value.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    return token.user
