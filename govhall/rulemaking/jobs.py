"""The registry's background job, run by the worker each round (registered in apps.py)."""

from __future__ import annotations

from .actions import run_expiry


def expiry_job() -> int:
    return sum(run_expiry().values())
