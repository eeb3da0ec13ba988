"""The SMS backend interface and the two backends that ship.

A real gateway (a carrier's or a cloud provider's SMS API) is a class with the same `send()` named by its dotted path
in `settings.GOVHALL_SMS_BACKEND`; nothing else changes. The backends raise `SmsError` for anything the gateway
refuses, so the delivery worker can record the reason and retry."""

from __future__ import annotations

import json
import logging
import sys
import threading
import uuid
from pathlib import Path
from typing import IO, ClassVar, Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from govhall.core import clock
from govhall.core.identifiers import mask_phone, redact_text

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "govhall.notifications.sms.ConsoleSmsBackend"


class SmsError(Exception):
    """The gateway did not accept the message (the text says why; it is stored on the notification)."""


@runtime_checkable
class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> str:
        """Hand one message to the gateway; return the provider's message id, raise SmsError on failure."""
        ...


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


class ConsoleSmsBackend:
    """Development: prints each message and logs it. The console ends up in logs, so the number, check codes and ID
    numbers are masked; it sends nothing, and production refuses it (reveals_secrets)."""

    reveals_secrets: ClassVar[bool] = True

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream

    def send(self, phone: str, text: str) -> str:
        if not phone:
            raise SmsError("缺少手机号码")
        message_id = _new_id("console")
        line = f"[短信] {mask_phone(phone)} {redact_text(text)}"
        stream = self.stream or sys.stdout
        stream.write(line + "\n")
        stream.flush()
        logger.info("sms %s → %s", message_id, mask_phone(phone))
        return message_id


_file_lock = threading.Lock()


class FileSmsBackend:
    """Tests and staging: appends one JSON line per message to `settings.GOVHALL_SMS_FILE_PATH`
    (default VAR_DIR/sms.log), the way a gateway's log would record it: full numbers and texts, check codes
    included, so production refuses it (reveals_secrets)."""

    reveals_secrets: ClassVar[bool] = True

    def __init__(self, path: str | Path | None = None) -> None:
        configured = path or settings.GOVHALL_SMS_FILE_PATH
        self.path = Path(configured) if configured else Path(settings.VAR_DIR) / "sms.log"

    def send(self, phone: str, text: str) -> str:
        if not phone:
            raise SmsError("缺少手机号码")
        message_id = _new_id("file")
        line = json.dumps(
            {"id": message_id, "phone": phone, "text": text, "at": clock.now().isoformat()},
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write of a whole line in append mode: lines from several workers never interleave.
            with _file_lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise SmsError(f"短信文件无法写入：{exc}") from exc
        return message_id


class NullSmsBackend:
    """A hall without an SMS gateway (and benchmarks): messages stay in the outbox as sent, nothing leaves or is
    printed. Applicants still see every message in their account."""

    def send(self, phone: str, text: str) -> str:
        if not phone:
            raise SmsError("缺少手机号码")
        return _new_id("null")


def refuse_revealing_backend_in_production() -> None:
    """Production (DEBUG off) must not print or file message texts: they carry check codes (查询码)."""
    if settings.DEBUG:
        return
    path = settings.GOVHALL_SMS_BACKEND or DEFAULT_BACKEND
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"GOVHALL_SMS_BACKEND: cannot import {path!r}") from exc
    if getattr(backend_class, "reveals_secrets", False):
        raise ImproperlyConfigured(
            f"GOVHALL_SMS_BACKEND={path} 把短信全文（含办件查询码、手机号）打印到控制台或写入文件，"
            "生产环境（GOVHALL_DEBUG=0）不能使用：请配置短信网关类，"
            "或在没有短信网关时使用 govhall.notifications.sms.NullSmsBackend。"
        )
    email = settings.EMAIL_BACKEND
    if email in REVEALING_EMAIL_BACKENDS:
        raise ImproperlyConfigured(
            f"GOVHALL_EMAIL_BACKEND={email} 把邮件全文（含办件查询码）打印到控制台、写入文件或留在内存里，"
            "生产环境（GOVHALL_DEBUG=0）不能使用：请配置 django.core.mail.backends.smtp.EmailBackend（EMAIL_HOST…），"
            "不发邮件时使用 django.core.mail.backends.dummy.EmailBackend。"
        )


# Django's development mail backends: console and file print the whole message (notification bodies carry check codes,
# 查询码), locmem keeps every message in the process's memory where nothing sends it.
REVEALING_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    }
)


def get_sms_backend() -> SmsBackend:
    """The backend named in settings.GOVHALL_SMS_BACKEND (a dotted path to a class taking no arguments)."""
    path = settings.GOVHALL_SMS_BACKEND or DEFAULT_BACKEND
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"GOVHALL_SMS_BACKEND: cannot import {path!r}") from exc
    backend: SmsBackend = backend_class()
    if not callable(getattr(backend, "send", None)):
        raise ImproperlyConfigured(f"GOVHALL_SMS_BACKEND: {path!r} has no send(phone, text)")
    return backend
