"""The module's background work, run by the case worker at the end of each round (registered in apps.py).

Disclosure runs every round over a small batch of newly decided cases. The rule triggers and the rotation alerts
read whole tables, so they run at most once per THROTTLE_SECONDS in a process: a warning by rule or a rotation
alert a few minutes later is as good as at once."""

from __future__ import annotations

import time

from . import actions

THROTTLE_SECONDS = 600.0
_last: dict[str, float] = {}


def _due(name: str) -> bool:
    now = time.monotonic()
    if name in _last and now - _last[name] < THROTTLE_SECONDS:
        return False
    _last[name] = now
    return True


def disclose() -> int:
    return actions.disclose_exercises(limit=200)


def warnings() -> int:
    # Late plans are checked every round (an indexed query on the clock's due time); the rules less often.
    done = actions.escalate_overdue_warnings()
    if _due("rules"):
        done += actions.apply_trigger_rules()
    return done


def rotation_alerts() -> int:
    return actions.send_rotation_alerts() if _due("rotation") else 0
