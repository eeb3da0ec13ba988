"""The one loop every background command runs (`run_jobs`, `supervise`, `seal_documents`, `deliver_notifications`,
`refresh_stats`), and the one way a worker handles a row that fails.

- `add_loop_arguments` gives each command `--once`, `--loop` and `--interval`.
- `run_loop` runs one round after another; SIGTERM or SIGINT (Ctrl-C) lets the round in hand finish — its
  transactions commit or roll back whole — and then the command exits normally (status 0).
- `record_row_failure` is called by a round for a row it could not process: the error is logged and written to the
  audit log (后台任务处理失败, visible in the admin's 操作日志), and the row's retry instant is returned, later each
  time it fails (doubling from ``GOVHALL_WORKER_RETRY_SECONDS`` up to ``GOVHALL_WORKER_MAX_RETRY_SECONDS``). The
  round moves on to the other rows; a restart does not retry the row before its time, so one bad row never turns
  into a crash loop. `deferred_ids` lists the rows still waiting for their retry instant, for rounds whose rows
  have no "next attempt" column of their own.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import close_old_connections, connection, models

from .audit import record_event
from .models import AuditEvent, AuditEventType

logger = logging.getLogger("govhall.worker")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def add_loop_arguments(parser: CommandParser, *, interval: float, loops_by_default: bool) -> None:
    """`--once` / `--loop` pick one round or a loop (each command keeps its historical default); `--interval` is
    the pause between rounds that found nothing to do."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--once", action="store_true", help="只执行一轮后退出" + ("" if loops_by_default else "（默认）")
    )
    mode.add_argument(
        "--loop",
        action="store_true",
        help="持续运行，直到收到 SIGTERM 或 Ctrl-C" + ("（默认）" if loops_by_default else ""),
    )
    parser.add_argument("--interval", type=float, default=interval, help=f"两轮之间的秒数 [{interval:g}]")
    parser.set_defaults(loops_by_default=loops_by_default)


def loops(options: dict[str, Any]) -> bool:
    if options.get("once"):
        return False
    return bool(options.get("loop") or options.get("loops_by_default"))


class StopFlag:
    """Set by SIGTERM/SIGINT; the loop checks it between rounds only."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        return self._event.wait(max(0.0, seconds))


@contextmanager
def stop_on_signals(flag: StopFlag) -> Iterator[None]:
    """Install the handlers for the loop's lifetime, then put back whatever was there (tests run many loops)."""

    def _handler(signum: int, frame: FrameType | None) -> None:
        logger.info("signal %s received: stopping after the current round", signum)
        flag.set()

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS} if in_main_thread else {}
    for sig in previous:
        signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _busy(result: Any) -> bool:
    if isinstance(result, dict):
        return any(bool(v) for v in result.values())
    return bool(result)


def run_loop(
    round_: Callable[[], Any],
    *,
    once: bool,
    interval: float,
    report: Callable[[Any], None] | None = None,
    again_at_once: Callable[[Any], bool] | None = None,
    flag: StopFlag | None = None,
) -> int:
    """Run `round_` once, or until a stop signal. `report(result)` is called after every round that did
    something (and after the only round with `once`); `again_at_once(result)` says a full round means more work
    waits, so the pause is skipped. Returns the number of rounds run."""
    flag = flag or StopFlag()
    rounds = 0
    with stop_on_signals(flag):
        while True:
            if not connection.in_atomic_block:  # never inside a transaction (a test's, or a caller's)
                close_old_connections()
            result = round_()
            rounds += 1
            if report is not None and (once or _busy(result)):
                report(result)
            if once or flag.is_set():
                break
            if again_at_once is not None and again_at_once(result):
                continue
            if flag.wait(interval):
                break
    return rounds


# ------------------------------------------------------------------------------------ rows that fail


def retry_delay(failures: int) -> dt.timedelta:
    """Wait after the `failures`-th failure in a row: the base delay, doubled each time, capped."""
    base = int(settings.GOVHALL_WORKER_RETRY_SECONDS)
    cap = int(settings.GOVHALL_WORKER_MAX_RETRY_SECONDS)
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, failures - 1)))


def _failures_of(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        event_type=AuditEventType.WORKER_ROW_FAILED,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
    )


def record_row_failure(obj: models.Model, error: BaseException, *, task: str, at: dt.datetime) -> dt.datetime:
    """Log and audit a row a worker could not process; returns when it should be tried again. Call it outside
    the failed row's savepoint (after the rollback) so the record survives."""
    cap = dt.timedelta(seconds=int(settings.GOVHALL_WORKER_MAX_RETRY_SECONDS))
    # Failures whose retry fell due long ago belong to an earlier, resolved episode: the back-off starts again.
    # Read by their own retry instant, not created_at: the simulator's clock is not the wall clock.
    recent = _failures_of(obj).order_by("-pk").values_list("after", flat=True)[:_RECENT]
    failures = 1 + sum(1 for after in recent if _retry_at(after) >= at - 2 * cap)
    retry_at = at + retry_delay(failures)
    logger.error(
        "%s: %s %s (%s) failed (%s), attempt %s, retry at %s",
        task,
        obj._meta.label,
        obj.pk,
        obj,
        error,
        failures,
        retry_at.isoformat(),
        exc_info=error,
    )
    record_event(
        AuditEventType.WORKER_ROW_FAILED,
        obj=obj,
        after={
            "task": task,
            "error": f"{type(error).__name__}: {error}"[:400],
            "attempt": failures,
            "retry_at": retry_at.isoformat(),
        },
        note=f"{task}：第{failures}次失败，{retry_at:%Y-%m-%d %H:%M} (UTC) 后重试",
    )
    return retry_at


def deferred_ids(model: type[models.Model], *, at: dt.datetime) -> list[str]:
    """Primary keys (as text) of `model` rows whose last failure asked for a retry after `at`."""
    latest: dict[str, dt.datetime] = {}
    rows = (
        AuditEvent.objects.filter(
            event_type=AuditEventType.WORKER_ROW_FAILED, object_type=model._meta.label_lower
        )
        .order_by("-pk")
        .values_list("object_id", "after")[: _RECENT * 50]
    )
    for object_id, after in rows:
        latest.setdefault(object_id, _retry_at(after))
    return [pk for pk, retry in latest.items() if retry > at]


_RECENT = 20
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def _retry_at(after: Any) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str((after or {})["retry_at"]))
    except (KeyError, TypeError, ValueError):
        return _NEVER
