"""The one clock engine: start, pause, resume, extend and stop time limits (domain §3, 《行政许可法》 arts. 32, 42, 45, 82).

Counting rules, all delegated to `govhall.calendars.engine`:

- working days: the deadline is the N-th working day strictly after the start day (民法典 art. 201), expiring 24:00 Shanghai;
- natural days: start + N days, rolled to the next working day when that is a rest day (民法典 art. 203);
- office minutes: N minutes of the hall's office sessions on working days (即办件 "30 minutes").

A pause from instant p1 to p2 adds to the budget exactly the time the clock would have consumed in between, measured in the
clock's own unit: the working days d with day(p1) < d <= day(p2), the natural days between the two dates, or the office minutes
in [p1, p2]. So a clock that is paused and resumed expires exactly as much later as it was stopped — never more, never less.

These functions save the clock but do not open a transaction: they run inside the calling action's."""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError

from govhall.calendars import engine
from govhall.core.clock import now as _now
from govhall.core.compiled import Computed, insert_objects, insert_with_parents, update_later, update_rows

from .choices import ClockKind, ClockState, ClockUnit, Light
from .models import Clock, ClockPause
from .owner import ClockOwner, subject_type

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db import models

    from govhall.org.models import Department

# Default yellow threshold (domain §8: configurable per item and step; issue #4 wires the configuration):
# one unit left for day clocks, 80% used for minute clocks.
DEFAULT_WARN_UNITS = 1
DEFAULT_WARN_RATIO = 0.8

UNIT_ALIASES = {
    "workday": ClockUnit.WORKDAY,
    "day": ClockUnit.DAY,
    "minute": ClockUnit.MINUTE,
    "hour": ClockUnit.MINUTE,
}


def normalise_budget(amount: int, unit: str) -> tuple[int, ClockUnit]:
    """(amount, catalog TimeUnit value) -> (amount, ClockUnit); hours become office minutes."""
    if unit not in UNIT_ALIASES:
        raise ValidationError({"unit": f"不支持的时限单位：{unit}"})
    if amount < 0:
        raise ValidationError({"budget": "时限不能为负数"})
    return (amount * 60 if unit == "hour" else amount), UNIT_ALIASES[unit]


def _deadline(clock: Clock) -> tuple[date, datetime, bool]:
    total = clock.total
    if clock.unit == ClockUnit.WORKDAY:
        r = engine.add_working_days(clock.start_day, total)
        return r.value, engine.deadline_instant(r.value), r.provisional
    if clock.unit == ClockUnit.DAY:
        r = engine.add_natural_days(clock.start_day, total)
        return r.value, engine.deadline_instant(r.value), r.provisional
    rm = engine.add_office_minutes(
        clock.started_at, total, engine.parse_sessions(clock.sessions) if clock.sessions else None
    )
    return engine.local_date(rm.value), rm.value, rm.provisional


def _warn_instant(clock: Clock) -> datetime | None:
    total = clock.total
    sessions = engine.parse_sessions(clock.sessions) if clock.sessions else None
    if clock.warn_ratio is not None or (clock.warn_units is None and clock.unit == ClockUnit.MINUTE):
        # Yellow once `ratio` of the whole budget (extensions and paused time included) has been used.
        ratio = clock.warn_ratio if clock.warn_ratio is not None else DEFAULT_WARN_RATIO
        used = max(0, math.ceil(total * ratio - 1e-9))
        if used >= total:
            return None
        lead = used
    else:
        # Yellow for the whole of the last `units` units before expiry.
        units = clock.warn_units if clock.warn_units is not None else DEFAULT_WARN_UNITS
        lead = total - units
        if lead < 0:
            return clock.started_at
    if clock.unit == ClockUnit.MINUTE:
        return engine.add_office_minutes(clock.started_at, lead, sessions).value
    if clock.unit == ClockUnit.WORKDAY:
        return engine.deadline_instant(engine.add_working_days(clock.start_day, lead).value)
    return engine.deadline_instant(engine.add_natural_days(clock.start_day, lead).value)


def _schedule(clock: Clock, at: datetime) -> None:
    clock.due_day, clock.due_at, clock.provisional = _deadline(clock)
    warn = _warn_instant(clock)
    clock.warn_at = min(warn, clock.due_at) if warn is not None else None
    clock.next_check_at = clock.warn_at if clock.warn_at and clock.warn_at > at else clock.due_at


def _new_clock(
    *,
    kind: ClockKind | str,
    amount: int,
    unit: str,
    at: datetime | None = None,
    start_day: date | None = None,
    label: str = "",
    sessions: str = "",
    warn_units: int | None = None,
    warn_ratio: float | None = None,
    owner: ClockOwner | None = None,
) -> Clock:
    """An unsaved, scheduled clock (see start_clock)."""
    at = at or _now()
    budget, clock_unit = normalise_budget(amount, unit)
    if warn_units is not None and warn_ratio is not None:
        raise ValidationError("预警阈值只能设置剩余时限或已用比例之一")
    if warn_units is not None:
        warn_units, _ = normalise_budget(warn_units, unit)
    if warn_ratio is not None and not 0 < warn_ratio <= 1:
        raise ValidationError({"warn_ratio": "预警比例应在 0 到 1 之间"})
    clock = Clock(
        kind=kind,
        label=label[:100],
        unit=clock_unit,
        budget=budget,
        sessions=sessions if clock_unit == ClockUnit.MINUTE else "",
        started_at=at,
        start_day=start_day or engine.local_date(at),
        state=ClockState.RUNNING,
        warn_units=warn_units,
        warn_ratio=warn_ratio,
    )
    if owner is not None:
        _set_subject(clock, owner.subject)
        clock.owner_label = owner.label[:200]
        clock.owner_link = owner.link[:200]
        clock.owner_department = owner.department
        clock.owner_responsible = owner.responsible
    _schedule(clock, at)
    return clock


def start_clock(
    *,
    kind: ClockKind | str,
    amount: int,
    unit: str,
    at: datetime | None = None,
    start_day: date | None = None,
    label: str = "",
    sessions: str = "",
    warn_units: int | None = None,
    warn_ratio: float | None = None,
    owner: ClockOwner | None = None,
) -> Clock:
    """Start a clock at `at`. Day clocks count from `start_day` (default: the local day of `at`), which lets deemed
    acceptance (art. 32) start the case clock on the receipt day.

    `warn_units` (yellow when that many units are left) or `warn_ratio` (yellow once that share of the budget is used)
    override the default threshold; minute clocks take `warn_units` in the unit given (hours become minutes).

    `owner` says whose limit it is (department, responsible person, label, link, owning record): supervision raises
    and escalates its alerts from that alone."""
    clock = _new_clock(
        kind=kind,
        amount=amount,
        unit=unit,
        at=at,
        start_day=start_day,
        label=label,
        sessions=sessions,
        warn_units=warn_units,
        warn_ratio=warn_ratio,
        owner=owner,
    )
    clock.save()
    return clock


def start_clocks(specs: Sequence[dict[str, Any]]) -> list[Clock]:
    """Start several clocks (each spec: start_clock's keyword arguments) with one INSERT: an action starting the
    promised and legal clocks, or one clock per joint-review branch, pays one statement for all of them — none of
    its own inside a case action on PostgreSQL, where the keys are drawn ahead (core.keys) and the INSERT goes
    out with the action's trailing writes (core.deferred), though the case points at the clocks."""
    clocks = [_new_clock(**spec) for spec in specs]
    if clocks:
        insert_objects(clocks, later=True, draw_keys=True)
    return clocks


M = TypeVar("M", bound="models.Model")


def start_clocks_of(pairs: Sequence[tuple[dict[str, Any], M]], link: str) -> list[Clock]:
    """Start one clock (spec: start_clock's keyword arguments) for each new record that runs against it — a task
    and its step clock —, the record inserted with its clock, its `link` pointing at it, and the clock's owning
    record (the subject supervision names) pointing back at the record: on PostgreSQL no statement of their own
    inside a case action (core.compiled.insert_with_parents with `back`, the keys drawn ahead and both INSERTs
    queued with the action's trailing writes). Returns the clocks in order."""
    started = [(_new_clock(**spec), record) for spec, record in pairs]
    for clock, record in started:
        clock.owner_type = subject_type(record)
    insert_with_parents(started, link, back="owner_id", later=True)
    return [clock for clock, _ in started]


class _Keep(enum.Enum):
    KEEP = enum.auto()


KEEP = _Keep.KEEP


def _set_subject(clock: Clock, subject: models.Model | None) -> None:
    if subject is not None and subject.pk is None:
        raise ValueError("the owning record must be saved before it is attached to its clock")
    clock.owner_type = subject_type(subject) if subject is not None else ""
    clock.owner_id = subject.pk if subject is not None else None


def set_clock_owner(
    clock: Clock,
    *,
    subject: models.Model | _Keep | None = KEEP,
    department: Department | _Keep | None = KEEP,
    responsible: User | _Keep | None = KEEP,
    label: str | _Keep = KEEP,
    link: str | _Keep = KEEP,
) -> Clock:
    """Change what is given of the clock's owner, the rest kept: the owning record once it exists, the responsible
    person when a task is claimed or a complaint reassigned. Alerts already raised keep the owner they named."""
    fields: list[str] = []
    if not isinstance(subject, _Keep):
        _set_subject(clock, subject)
        fields += ["owner_type", "owner_id"]
    if not isinstance(department, _Keep):
        clock.owner_department = department
        fields.append("owner_department")
    if not isinstance(responsible, _Keep):
        clock.owner_responsible = responsible
        fields.append("owner_responsible")
    if not isinstance(label, _Keep):
        clock.owner_label = label[:200]
        fields.append("owner_label")
    if not isinstance(link, _Keep):
        clock.owner_link = link[:200]
        fields.append("owner_link")
    if fields:
        clock.save(update_fields=fields)
    return clock


def set_responsible(clock_id: int, responsible: User | None) -> None:
    """Who answers for the clock from now on (a claimed task's assignee): one UPDATE, the clock row not read."""
    update_later(Clock, {"owner_responsible": responsible}, pk=clock_id)


def _consumed_between(clock: Clock, a: datetime, b: datetime) -> int:
    if clock.unit == ClockUnit.WORKDAY:
        return max(0, engine.working_days_between(engine.local_date(a), engine.local_date(b)).value)
    if clock.unit == ClockUnit.DAY:
        return max(0, (engine.local_date(b) - engine.local_date(a)).days)
    sessions = engine.parse_sessions(clock.sessions) if clock.sessions else None
    return max(0, engine.office_minutes_between(a, b, sessions).value)


def pause_clock(clock: Clock, *, at: datetime | None = None) -> Clock:
    at = at or _now()
    if clock.state != ClockState.RUNNING:
        return clock
    clock.state = ClockState.PAUSED
    clock.paused_since = at
    clock.next_check_at = None
    clock.save(update_fields=["state", "paused_since", "next_check_at"])
    ClockPause.objects.create(clock=clock, started_at=at)
    return clock


def resume_clock(clock: Clock, *, at: datetime | None = None) -> Clock:
    at = at or _now()
    if clock.state != ClockState.PAUSED or clock.paused_since is None:
        return clock
    amount = _consumed_between(clock, clock.paused_since, at)
    ClockPause.objects.filter(clock=clock, ended_at__isnull=True).update(ended_at=at, amount=amount)
    clock.paused_amount += amount
    clock.state = ClockState.RUNNING
    clock.paused_since = None
    _schedule(clock, at)
    clock.save()
    return clock


def extend_clock(clock: Clock, amount: int, *, at: datetime | None = None) -> Clock:
    at = at or _now()
    if amount <= 0:
        raise ValidationError({"amount": "延长时限必须大于 0"})
    if clock.state == ClockState.STOPPED:
        raise ValidationError("计时已停止，不能延长")
    clock.extension += amount
    if clock.state == ClockState.RUNNING:
        _schedule(clock, at)
    clock.save()
    return clock


_STOP_FIELDS = ["state", "stopped_at", "late", "next_check_at"]


def stop_clock(clock: Clock, *, at: datetime | None = None) -> Clock:
    at = at or _now()
    if clock.state == ClockState.STOPPED:
        return clock
    if clock.state == ClockState.PAUSED:
        resume_clock(clock, at=at)
    clock.state = ClockState.STOPPED
    clock.stopped_at = at
    clock.late = clock.due_at is not None and at >= clock.due_at
    clock.next_check_at = None
    clock.save(update_fields=_STOP_FIELDS)  # only what stopping changes
    return clock


def _stopping(at: datetime) -> dict[str, Any]:
    """The columns a running clock's stop sets; `late` is decided by the database from the row's own deadline."""
    return {
        "state": ClockState.STOPPED,
        "stopped_at": at,
        "late": Computed(
            "CASE WHEN {due_at} <= %s THEN %s ELSE %s END", (("due_at", at), ("late", True), ("late", False))
        ),
        "next_check_at": None,
    }


def stop_running_later(clock: Clock, *, at: datetime) -> None:
    """Stop a clock the caller has just read running, as a trailing write (core.deferred): no row count comes
    back, so a caller that must know — a clock paused meanwhile would need resuming first — uses stop_clocks.
    For a write that rides on a guard whose own condition rules that out (a delivery: nothing pauses a delivery
    clock). The UPDATE still requires the clock to be running, so it never stops one twice."""
    if clock.state != ClockState.RUNNING:
        raise ValueError("stop_running_later: the clock is not running; use stop_clocks")
    update_later(Clock, _stopping(at), pk=clock.pk, state=ClockState.RUNNING)
    clock.state, clock.stopped_at, clock.next_check_at = ClockState.STOPPED, at, None
    clock.late = clock.due_at is not None and at >= clock.due_at


def stop_clock_read_under_lock(clock: Clock, *, at: datetime) -> None:
    """Stop a clock the caller read under a lock that every pause and resume of it takes too (a case's intake
    clock, read with the case's lock): a running one as a trailing write riding on the next statement
    (stop_running_later), a paused one resumed and then stopped, as stop_clocks does."""
    if clock.state == ClockState.RUNNING:
        stop_running_later(clock, at=at)
    else:
        stop_clocks([clock], at=at)


def stop_clocks(
    clocks: Iterable[Clock | int | None], *, at: datetime, responsible: User | _Keep | None = KEEP
) -> None:
    """Stop clocks given as objects or ids. The running ones stop with ONE UPDATE that the database evaluates
    (late when the deadline has passed at `at`, as stop_clock decides) without reading the rows; a paused one (a
    case stopped during a correction or a special procedure) is then read and resumed first, as stop_clock does.
    Clock objects passed in are updated in memory to match. `responsible` (a task acted on) becomes the owner's
    responsible person in the same statement."""
    clocks = list(clocks)
    objects = {c.pk: c for c in clocks if isinstance(c, Clock)}
    ids = {c if isinstance(c, int) else c.pk for c in clocks if c is not None}
    ids.discard(None)  # type: ignore[arg-type]
    if not ids:
        return
    for clock in objects.values():
        if clock.state == ClockState.PAUSED:  # known paused: the careful path
            if not isinstance(responsible, _Keep):
                set_clock_owner(clock, responsible=responsible)
            stop_clock(clock, at=at)
            ids.discard(clock.pk)
    if not ids:
        return
    changes = _stopping(at)
    if not isinstance(responsible, _Keep):
        changes["owner_responsible"] = responsible
    stopped = update_rows(Clock, changes, pk__in=ids, state=ClockState.RUNNING)
    _stop_the_rest(ids, objects, stopped, at=at, responsible=responsible)


def stop_clocks_with_guard(
    clock_ids: Iterable[int | None],
    *,
    at: datetime,
    responsible: User | _Keep | None = KEEP,
    keeping: Iterable[int | None] = (),
) -> Callable[[], None]:
    """`stop_clocks` as a write of the open `core.deferred.if_changed()` block (an action's task UPDATE): the
    UPDATE of the running clocks rides on the guard's statement, and its row count comes back with the guard's.
    Call the returned function after the block, once the guard has changed rows: a clock the UPDATE did not stop —
    a paused one, to be resumed first — is stopped then, exactly as stop_clocks does. `keeping`: more clocks the
    same UPDATE stops whose responsible person stays as it is (a decision's case clocks, stopped with the task
    that decides)."""
    ids = {pk for pk in clock_ids if pk is not None}
    kept = {pk for pk in keeping if pk is not None} - ids
    every = ids | kept
    stopped: list[int] = []
    if every:
        changes = _stopping(at)
        if not isinstance(responsible, _Keep) and ids:
            if kept:
                # One UPDATE for both: the responsible person named on the acting task's clocks only.
                person = responsible.pk if responsible is not None else None
                changes["owner_responsible"] = Computed(
                    "CASE WHEN {id} IN ("
                    + ", ".join(["%s"] * len(ids))
                    + ") THEN %s ELSE {owner_responsible} END",
                    (*(("id", pk) for pk in sorted(ids)), ("owner_responsible", person)),
                )
            else:
                changes["owner_responsible"] = responsible
        update_later(Clock, changes, pk__in=every, state=ClockState.RUNNING, counted=stopped.append)

    def finish() -> None:
        if not every or (stopped and stopped[0] == len(every)):
            return
        # Some were not running (paused, or already stopped): each group reads its own, with its own person.
        if ids:
            _stop_the_rest(ids, {}, 0, at=at, responsible=responsible)
        if kept:
            _stop_the_rest(kept, {}, 0, at=at, responsible=KEEP)

    return finish


def _stop_the_rest(
    ids: set[int], objects: dict[int, Clock], stopped: int, *, at: datetime, responsible: User | _Keep | None
) -> None:
    """After the UPDATE that stopped `stopped` of the running clocks among `ids`: any it did not stop were paused
    (read now, resumed, then stopped) or already stopped; the objects passed in are brought up to date."""
    if stopped < len(ids):
        # Some were not running: paused ones (read now and resumed before stopping) or already stopped.
        for clock in Clock.objects.filter(pk__in=ids, state=ClockState.PAUSED):
            if not isinstance(responsible, _Keep):
                set_clock_owner(clock, responsible=responsible)
            stop_clock(clock, at=at)
            if clock.pk in objects:
                objects[clock.pk].__dict__.update({k: v for k, v in clock.__dict__.items() if k != "_state"})
    for clock in objects.values():
        if clock.pk in ids and clock.state == ClockState.RUNNING:
            clock.state = ClockState.STOPPED
            clock.stopped_at = at
            clock.late = clock.due_at is not None and at >= clock.due_at
            clock.next_check_at = None
            if not isinstance(responsible, _Keep):
                clock.owner_responsible = responsible


def recompute_provisional(*, years: Iterable[int] | None = None, batch: int = 500) -> int:
    """Recompute deadlines that looked at an unconfirmed year (called when a year is confirmed). Returns the count."""
    at = _now()
    done = 0
    qs = Clock.objects.filter(provisional=True).exclude(state=ClockState.STOPPED).order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return done
        for clock in chunk:
            last = clock.pk
            if clock.state == ClockState.RUNNING:
                _schedule(clock, at)
            else:
                # A paused clock keeps no deadline; only the flag can change when it resumes.
                continue
            clock.save(update_fields=["due_day", "due_at", "warn_at", "next_check_at", "provisional"])
            done += 1


@dataclass(frozen=True)
class ClockStatus:
    light: Light
    state: ClockState
    remaining: int | None  # in `unit`; negative when overdue; None when stopped
    unit: ClockUnit
    due_at: datetime | None
    provisional: bool

    @property
    def remaining_text(self) -> str:
        if self.remaining is None:
            return ""
        unit = {ClockUnit.WORKDAY: "个工作日", ClockUnit.DAY: "天", ClockUnit.MINUTE: "分钟"}[self.unit]
        if self.remaining < 0:
            return f"已超期 {-self.remaining} {unit}"
        if self.remaining == 0:
            return "今日到期" if self.unit != ClockUnit.MINUTE else "即将到期"
        return f"剩余 {self.remaining} {unit}"


def remaining(clock: Clock, at: datetime) -> int:
    """Units left at `at`; 0 = expires today (day clocks), negative when overdue. A paused clock is frozen at the
    instant it was paused: it shows the budget that was left then."""
    if clock.state == ClockState.PAUSED and clock.paused_since is not None:
        ref = clock.paused_since
        if clock.unit == ClockUnit.WORKDAY:
            elapsed = engine.working_days_between(clock.start_day, engine.local_date(ref)).value
        elif clock.unit == ClockUnit.DAY:
            elapsed = (engine.local_date(ref) - clock.start_day).days
        else:
            sessions = engine.parse_sessions(clock.sessions) if clock.sessions else None
            elapsed = engine.office_minutes_between(clock.started_at, ref, sessions).value
        return clock.budget + clock.extension - (elapsed - clock.paused_amount)
    assert clock.due_day is not None and clock.due_at is not None
    if clock.unit == ClockUnit.WORKDAY:
        return engine.working_days_between(engine.local_date(at), clock.due_day).value
    if clock.unit == ClockUnit.DAY:
        return (clock.due_day - engine.local_date(at)).days
    sessions = engine.parse_sessions(clock.sessions) if clock.sessions else None
    return engine.office_minutes_between(at, clock.due_at, sessions).value


def light_at(clock: Clock, at: datetime) -> Light:
    if clock.state == ClockState.STOPPED:
        return Light.RED if clock.late else Light.GREEN
    ref = (clock.paused_since or at) if clock.state == ClockState.PAUSED else at
    if clock.due_at is not None and ref >= clock.due_at:
        return Light.RED
    if clock.state == ClockState.PAUSED:
        return Light.RED if remaining(clock, ref) < 0 else Light.GREEN
    if clock.warn_at is not None and ref >= clock.warn_at:
        return Light.YELLOW
    return Light.GREEN


def status(clock: Clock, at: datetime | None = None) -> ClockStatus:
    at = at or _now()
    return ClockStatus(
        light=light_at(clock, at),
        state=ClockState(clock.state),
        remaining=None if clock.state == ClockState.STOPPED else remaining(clock, at),
        unit=ClockUnit(clock.unit),
        due_at=clock.due_at,
        provisional=clock.provisional,
    )
