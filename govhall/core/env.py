"""Strict readers of environment variables for ``govhall/settings.py``.

A value that does not parse stops the process at start-up with ImproperlyConfigured naming the variable: a typo
such as ``GOVHALL_DEBUG=flase`` must not quietly mean "on" or "off" in production."""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off "
        f"(环境变量 {name} 应为 1/0、true/false、yes/no 或 on/off)"
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        result = default
    else:
        try:
            result = int(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}={value!r} is not a whole number (环境变量 {name} 应为整数)"
            ) from None
    if minimum is not None and result < minimum:
        raise ImproperlyConfigured(f"{name}={result} is below {minimum} (环境变量 {name} 不应小于 {minimum})")
    if maximum is not None and result > maximum:
        raise ImproperlyConfigured(f"{name}={result} is above {maximum} (环境变量 {name} 不应大于 {maximum})")
    return result


def env_float(
    name: str, default: float, *, minimum: float | None = None, environ: Mapping[str, str] | None = None
) -> float:
    value = _raw(name, environ)
    if value is None or value == "":
        result = default
    else:
        try:
            result = float(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}={value!r} is not a number (环境变量 {name} 应为数字)"
            ) from None
    if minimum is not None and result < minimum:
        raise ImproperlyConfigured(f"{name}={result} is below {minimum} (环境变量 {name} 不应小于 {minimum})")
    return result


def env_list(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> list[str]:
    """Comma-separated; blanks between commas are dropped."""
    value = _raw(name, environ)
    return [part.strip() for part in (default if value is None else value).split(",") if part.strip()]


def env_rate(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """Parse "attempts/seconds" (e.g. "10/3600"): that many failures within the window lock for one window."""
    raw = env_str(name, default, environ=environ)
    try:
        attempts, seconds = (int(part) for part in raw.split("/"))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={raw!r} must look like 10/3600 (环境变量 {name} 应为“失败次数/秒数”)"
        ) from None
    if attempts < 1 or seconds < 1:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: both numbers must be positive (环境变量 {name} 的两个数都应为正数)"
        )
    return attempts, seconds


def env_required(name: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set (必须设置环境变量 {name})")
    return value
