"""The settings' environment readers fail at start-up on a value they cannot read, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from govhall.core.env import env_bool, env_float, env_int, env_list, env_required, env_str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        ("yes", True),
        (" On ", True),
        ("0", False),
        ("False", False),
        ("no", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(raw: str, expected: bool) -> None:
    assert env_bool("GOVHALL_X", not expected, environ={"GOVHALL_X": raw}) is expected


@pytest.mark.parametrize("raw", ["flase", "2", "", "y", "enabled"])
def test_env_bool_refuses_anything_else_naming_the_variable(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="GOVHALL_DEBUG"):
        env_bool("GOVHALL_DEBUG", True, environ={"GOVHALL_DEBUG": raw})


def test_unset_variables_give_the_default() -> None:
    assert env_bool("GOVHALL_X", True, environ={}) is True
    assert env_int("GOVHALL_X", 7, environ={}) == 7
    assert env_float("GOVHALL_X", 1.5, environ={}) == 1.5
    assert env_list("GOVHALL_X", "a, b,,c", environ={}) == ["a", "b", "c"]
    assert env_str("GOVHALL_X", "d", environ={}) == "d"


def test_env_int_refuses_words_and_out_of_range_values() -> None:
    assert env_int("GOVHALL_MAX_UPLOAD_MB", 20, minimum=1, environ={"GOVHALL_MAX_UPLOAD_MB": " 30 "}) == 30
    with pytest.raises(ImproperlyConfigured, match="GOVHALL_MAX_UPLOAD_MB"):
        env_int("GOVHALL_MAX_UPLOAD_MB", 20, environ={"GOVHALL_MAX_UPLOAD_MB": "20MB"})
    with pytest.raises(ImproperlyConfigured, match="GOVHALL_MAX_UPLOAD_MB=0 is below 1"):
        env_int("GOVHALL_MAX_UPLOAD_MB", 20, minimum=1, environ={"GOVHALL_MAX_UPLOAD_MB": "0"})
    with pytest.raises(ImproperlyConfigured, match="GOVHALL_X"):
        env_float("GOVHALL_X", 1.0, environ={"GOVHALL_X": "abc"})


def test_env_list_splits_on_commas() -> None:
    assert env_list("GOVHALL_ALLOWED_HOSTS", "", environ={"GOVHALL_ALLOWED_HOSTS": "a.gov.cn, b.gov.cn"}) == [
        "a.gov.cn",
        "b.gov.cn",
    ]


def test_env_required() -> None:
    assert env_required("GOVHALL_SECRET_KEY", environ={"GOVHALL_SECRET_KEY": "s3cret"}) == "s3cret"
    with pytest.raises(ImproperlyConfigured, match="GOVHALL_SECRET_KEY"):
        env_required("GOVHALL_SECRET_KEY", environ={"GOVHALL_SECRET_KEY": " "})


def test_a_bad_value_stops_the_process_at_start_up() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "govhall.settings", "GOVHALL_DEBUG": "flase"}
    result = subprocess.run(
        [
            sys.executable,
            str(
                Path(settings.BASE_DIR) / "manage.py",
            ),
            "check",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "GOVHALL_DEBUG='flase'" in result.stderr


def test_every_setting_the_code_reads_is_declared() -> None:
    # The code reads settings.X directly (no getattr default), so each must exist with its default.
    for name in [
        "GOVHALL_MAX_UPLOAD_MB",
        "GOVHALL_SUPERVISION",
        "GOVHALL_SMS_FILE_PATH",
        "GOVHALL_SMS_BACKEND",
        "GOVHALL_SMS_SIGNATURE",
        "GOVHALL_NOTIFY_MAX_ATTEMPTS",
        "GOVHALL_NOTIFY_RETRY_SECONDS",
        "GOVHALL_PUBLIC_URL",
        "GOVHALL_COMPLAINT_LIMIT_WORKDAYS",
        "GOVHALL_COMPLAINT_DEPARTMENT",
        "GOVHALL_PDF_FONT",
        "GOVHALL_SEAL_MAKER_NAME",
        "GOVHALL_WORKER_RETRY_SECONDS",
        "GOVHALL_WORKER_MAX_RETRY_SECONDS",
        "GOVHALL_CHECKPOINT_KEY",
        "GOVHALL_CHECKPOINT_DIR",
        "GOVHALL_CHECKPOINT_MINUTES",
        "GOVHALL_CHECKPOINT_ENTRIES",
    ]:
        assert hasattr(settings, name), name
    source = "\n".join(p.read_text() for p in (Path(settings.BASE_DIR) / "govhall").rglob("*.py"))
    assert "getattr(settings" not in source
    assert source.count('"Asia/Shanghai"') == 1  # govhall/core/tz.py
