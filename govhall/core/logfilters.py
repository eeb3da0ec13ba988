"""Logging filters: no secrets in logs, no tracebacks for refusals that are not faults."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied

from .identifiers import redact_text


class RedactSecrets(logging.Filter):
    """Masks check codes, resident ID numbers and mobile numbers in every record (个人信息保护法: logs are kept
    long and read by many; they need none of these in full)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class QuietPermissionDenied(logging.Filter):
    """A refused request (403) is logged as one line; its traceback says nothing an operator needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
