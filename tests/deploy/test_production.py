"""Production mode: `check --deploy` is clean with the documented environment, and /healthz answers for the database."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # The test session's own switches (tests/conftest.py allows async-unsafe ORM calls for Playwright) are not
    # part of a deployment.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GOVHALL_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        GOVHALL_DEBUG="0",
        GOVHALL_SECRET_KEY=secrets.token_urlsafe(50),
        GOVHALL_ALLOWED_HOSTS="hall.example.gov.cn",
        GOVHALL_SMS_BACKEND="govhall.notifications.sms.NullSmsBackend",
        GOVHALL_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="govhall.settings",
    )
    env.update(extra)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    done = check_deploy(production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_warns_when_https_is_switched_off(tmp_path: Path) -> None:
    """The plain-HTTP switch (a loopback test cluster) is what `check --deploy` is there to catch."""
    done = check_deploy(production_env(tmp_path, GOVHALL_HTTPS="0"))
    assert done.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stdout + done.stderr


def test_production_settings_behind_a_tls_proxy(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_PROXY_SSL_HEADER, s.SECURE_REDIRECT_EXEMPT)"
    )
    env = production_env(tmp_path, GOVHALL_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "['^healthz$']",
    ]


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"].startswith("no-cache") or "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_in_chinese_when_the_database_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    from govhall.core import health

    def broken() -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "ping_database", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "数据库不可用"}
