"""The platform's notion of "now".

Every action reads the time through `now()` so that the simulator (`manage.py simulate`) can drive a case
through weeks of working days in seconds, and so that one action stamps one instant on everything it writes.
Tests may use time-machine instead; both work because `now()` falls back to `django.utils.timezone.now()`."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_simulated: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("govhall_now", default=None)


def now() -> datetime:
    value = _simulated.get()
    return value if value is not None else timezone.now()


@contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    """Make `now()` return `instant` inside the block (used by the simulator)."""
    if timezone.is_naive(instant):
        raise ValueError("frozen_at needs an aware datetime")
    token = _simulated.set(instant)
    try:
        yield
    finally:
        _simulated.reset(token)
