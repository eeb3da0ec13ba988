"""Throttling of guessable secrets: public check codes (查询码) and passwords.

Failed attempts are counted in the database (`ThrottleCounter`), the one store every application server, worker and
process shares, so a guesser gains nothing by spreading requests over gunicorn workers or machines. A subject (a case
number, an account, a client address) that reaches its limit within the window is locked for one window; the lock
is answered with a Chinese message (HTTP 429) and recorded once in the audit log, which is also the alert.

Limits come from settings (`GOVHALL_THROTTLE_*`, "attempts/seconds" in the environment, see settings.py)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from .audit import record_event
from .models import AuditEventType, ThrottleCounter

logger = logging.getLogger(__name__)

T = TypeVar("T")

LOOKUP = "lookup"  # one case or complaint number, from anywhere
LOOKUP_IP = "lookup_ip"  # one client address, whatever number it tries
LOGIN = "login"  # one account, by password form or HTTP Basic
LOGIN_IP = "login_ip"  # one client address, whatever account it tries
TICKET_IP = "ticket_ip"  # queue tickets taken from one client address (the kiosk page)


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: int
    seconds: int


@dataclass(frozen=True)
class Outcome:
    count: int
    locked_until: datetime | None
    just_locked: bool


class Throttled(Exception):
    """Too many failed attempts: the message is for the person (Chinese), retry_after for the client (seconds)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def rule(scope: str) -> Rule:
    # Read on every call (not at import) so that a settings override applies; the values are declared in settings.py.
    limit, seconds = {
        LOOKUP: settings.GOVHALL_THROTTLE_LOOKUP,
        LOOKUP_IP: settings.GOVHALL_THROTTLE_LOOKUP_IP,
        LOGIN: settings.GOVHALL_THROTTLE_LOGIN,
        LOGIN_IP: settings.GOVHALL_THROTTLE_LOGIN_IP,
        TICKET_IP: settings.GOVHALL_THROTTLE_TICKET_IP,
    }[scope]
    return Rule(scope, int(limit), int(seconds))


def _key(rule: Rule, ident: str) -> str:
    return f"{rule.scope}:{ident.strip().lower()}"[:200]


def record_failure(rule: Rule, ident: str) -> Outcome:
    """Count one failed attempt; the attempt that reaches the limit locks the subject for one window.

    Runs in its own transaction with the counter row locked, so concurrent attempts on PostgreSQL count exactly and
    lock once. Call it outside the request's other transactions: a failure must not roll back with them."""
    at = timezone.now()
    key = _key(rule, ident)
    with transaction.atomic():
        row = ThrottleCounter.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = ThrottleCounter.objects.create(key=key, window_start=at, count=0)
            except IntegrityError:  # another process created it first
                row = ThrottleCounter.objects.select_for_update().get(key=key)
            else:
                if row.pk % PURGE_EVERY == 0:
                    purge_stale(at)
        locked = row.locked_until is not None and row.locked_until > at
        if not locked and row.window_start + timedelta(seconds=rule.seconds) <= at:
            row.window_start, row.count, row.locked_until = at, 0, None
        row.count += 1
        # Attempts while locked are still counted (the audit shows the pressure) but never extend the lock.
        just_locked = not locked and row.count >= rule.limit
        if just_locked:
            row.locked_until = at + timedelta(seconds=rule.seconds)
        row.save(update_fields=["window_start", "count", "locked_until"])
    return Outcome(row.count, row.locked_until, just_locked)


# Guessers try many numbers: every PURGE_EVERY-th new row, rows idle for a day (window and lock over) are deleted.
PURGE_EVERY = 100


def purge_stale(at: datetime | None = None) -> int:
    at = at or timezone.now()
    day_ago = at - timedelta(days=1)
    stale = ThrottleCounter.objects.filter(window_start__lt=day_ago).exclude(locked_until__gt=at)
    return stale.delete()[0]


def retry_after(rule: Rule, ident: str) -> int:
    """Seconds until the subject may try again; 0 when it is not locked."""
    until = (
        ThrottleCounter.objects.filter(key=_key(rule, ident), locked_until__gt=timezone.now())
        .values_list("locked_until", flat=True)
        .first()
    )
    return max(1, math.ceil((until - timezone.now()).total_seconds())) if until is not None else 0


def clear(rule: Rule, ident: str) -> None:
    ThrottleCounter.objects.filter(key=_key(rule, ident)).delete()


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or behind a reverse proxy the header it sets (GOVHALL_CLIENT_IP_HEADER,
    e.g. HTTP_X_REAL_IP), whose last entry is the one the proxy itself appended."""
    if request is None:
        return ""
    header = settings.GOVHALL_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    if value:
        return str(value).split(",")[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


# --- public lookups by number and check code -----------------------------------------------------------------------


def lookup_message(seconds: int) -> str:
    return (
        f"查询次数过多，该编号或本机的查询已暂停，请 {_minutes(seconds)} 分钟后再试，"
        "或携带受理回执和身份证件到窗口查询。"
    )


def refuse_lookup_if_locked(request: HttpRequest, subject: str) -> None:
    wait = max(retry_after(rule(LOOKUP), subject), retry_after(rule(LOOKUP_IP), client_ip(request)))
    if wait:
        raise Throttled(lookup_message(wait), wait)


def lookup_failed(request: HttpRequest, subject: str) -> None:
    """A wrong number or code: count it for the number and for the address; raise Throttled when it locks either."""
    ip = client_ip(request)
    locks = [(rule(LOOKUP), subject), (rule(LOOKUP_IP), ip)] if ip else [(rule(LOOKUP), subject)]
    wait = 0
    for one, ident in locks:
        outcome = record_failure(one, ident)
        if outcome.just_locked:
            # Never the code that was tried: the audit log must not become a list of guesses.
            record_event(
                AuditEventType.LOOKUP_LOCKED,
                subject=ident if one.scope == LOOKUP else f"地址 {ident}",
                after={"scope": one.scope, "attempts": outcome.count, "minutes": _minutes(one.seconds)},
                note=f"{outcome.count} 次查询码错误，暂停查询 {_minutes(one.seconds)} 分钟",
            )
            logger.warning("lookup locked: %s %s after %d failures", one.scope, ident, outcome.count)
        if outcome.locked_until is not None and outcome.locked_until > timezone.now():
            wait = max(wait, retry_after(one, ident))
    if wait:
        raise Throttled(lookup_message(wait), wait)


def guarded_lookup(request: HttpRequest, subject: str, lookup: Callable[[], T | None]) -> T | None:
    """Run a lookup by number and check code under the throttle: refused while locked, failures counted."""
    refuse_lookup_if_locked(request, subject)
    found = lookup()
    if found is None:
        lookup_failed(request, subject)
    return found


# --- passwords (login form, admin, HTTP Basic) ---------------------------------------------------------------------


def login_message(seconds: int) -> str:
    return (
        f"登录失败次数过多，账号已暂时锁定，请 {_minutes(seconds)} 分钟后再试；"
        "如忘记密码，请联系中心管理员重置。"
    )


def login_retry_after(request: HttpRequest | None, username: str | None) -> int:
    waits = [retry_after(rule(LOGIN), username)] if username else []
    ip = client_ip(request)
    if ip:
        waits.append(retry_after(rule(LOGIN_IP), ip))
    return max(waits, default=0)


def login_failed(request: HttpRequest | None, username: str | None) -> None:
    """Count a failed password for the account and the address; the locking failure is audited once."""
    targets = [(rule(LOGIN), username)] if username else []
    ip = client_ip(request)
    if ip:
        targets.append((rule(LOGIN_IP), ip))
    for one, ident in targets:
        outcome = record_failure(one, ident)
        if not outcome.just_locked:
            continue
        account = User.objects.filter(username=ident).first() if one.scope == LOGIN else None
        record_event(
            AuditEventType.LOGIN_LOCKED,
            obj=account,
            subject=ident if one.scope == LOGIN else f"地址 {ident}",
            after={"scope": one.scope, "attempts": outcome.count, "address": ip},
            note=f"{outcome.count} 次密码错误，锁定 {_minutes(one.seconds)} 分钟",
        )
        logger.warning("login locked: %s %s after %d failures", one.scope, ident, outcome.count)


def login_succeeded(username: str) -> None:
    clear(rule(LOGIN), username)


# --- queue tickets from the kiosk ----------------------------------------------------------------------------------


def ticket_message(seconds: int) -> str:
    return f"本机取号过于频繁，请 {_minutes(seconds)} 分钟后再试，或到咨询导办台请工作人员代为取号。"


def ticket_taken(request: HttpRequest) -> None:
    """Count one kiosk ticket for the client address; refuse (Throttled) while the address is locked.

    Every ticket counts, not only failures: pressing the button is the abuse. The lock is logged, not audited (no
    configuration changed and no secret was guessed)."""
    ip = client_ip(request)
    if not ip:
        return
    one = rule(TICKET_IP)
    wait = retry_after(one, ip)
    if wait:
        raise Throttled(ticket_message(wait), wait)
    outcome = record_failure(one, ip)
    if outcome.just_locked:
        logger.warning("ticket kiosk locked: %s after %d tickets", ip, outcome.count)
