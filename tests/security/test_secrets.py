"""Secrets in logs: the console SMS backend masks check codes, and production refuses backends that reveal them."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from govhall.notifications.sms import ConsoleSmsBackend, refuse_revealing_backend_in_production

ROOT = Path(__file__).resolve().parents[2]
TEXT = "您申请的“企业营业执照注销登记”已收到，办件编号 20260302000001，查询码 48213397。身份证 11010519491231002X，电话 13800138000"


def test_console_backend_prints_no_check_code_id_number_or_phone() -> None:
    out = io.StringIO()
    ConsoleSmsBackend(stream=out).send("13800138000", TEXT)
    printed = out.getvalue()
    assert "20260302000001" in printed  # the case number is not a secret
    for secret in ("48213397", "11010519491231002X", "13800138000"):
        assert secret not in printed
    assert "138****8000" in printed and "110105********002X" in printed


def test_log_records_are_masked_by_the_configured_handler() -> None:
    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    from govhall.core.logfilters import RedactSecrets

    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("govhall.tests.redact")
    logger.addHandler(handler)
    try:
        logger.warning("sms to %s: %s", "13800138000", TEXT)
        logger.warning("lookup check_code=123456 for %s", "20260302000001")
    finally:
        logger.removeHandler(handler)
    logged = stream.getvalue()
    for secret in ("48213397", "11010519491231002X", "13800138000", "123456 "):
        assert secret not in logged
    assert "20260302000001" in logged


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_") and k != "DJANGO_SETTINGS_MODULE"
    }
    environ.update(
        GOVHALL_DEBUG="0",
        GOVHALL_SECRET_KEY="test-secret-key-for-the-production-check-0123456789",
        GOVHALL_VAR_DIR=str(tmp_path),
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_with_a_printing_sms_backend(tmp_path: Path) -> None:
    default = _check(tmp_path)
    assert default.returncode != 0
    assert "GOVHALL_SMS_BACKEND" in default.stderr and "查询码" in default.stderr
    file_backend = _check(tmp_path, GOVHALL_SMS_BACKEND="govhall.notifications.sms.FileSmsBackend")
    assert file_backend.returncode != 0 and "GOVHALL_SMS_BACKEND" in file_backend.stderr
    gateway = _check(tmp_path, GOVHALL_SMS_BACKEND="tests.security.gateway.SilentGateway")
    assert gateway.returncode == 0, gateway.stderr


def test_production_refuses_an_email_backend_that_prints_or_keeps_messages(settings: Any) -> None:
    settings.DEBUG = False
    settings.GOVHALL_SMS_BACKEND = "tests.security.gateway.SilentGateway"
    for backend in ("console", "filebased", "locmem"):
        settings.EMAIL_BACKEND = f"django.core.mail.backends.{backend}.EmailBackend"
        with pytest.raises(ImproperlyConfigured, match="GOVHALL_EMAIL_BACKEND"):
            refuse_revealing_backend_in_production()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    refuse_revealing_backend_in_production()
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    refuse_revealing_backend_in_production()  # development prints mail on purpose


def test_production_does_not_start_with_the_console_email_backend(tmp_path: Path) -> None:
    console = _check(
        tmp_path,
        GOVHALL_SMS_BACKEND="tests.security.gateway.SilentGateway",
        GOVHALL_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    assert console.returncode != 0
    assert "GOVHALL_EMAIL_BACKEND" in console.stderr and "查询码" in console.stderr
