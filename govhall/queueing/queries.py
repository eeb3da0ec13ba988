"""Reads of the queues: what waits for a window, how many are ahead, the estimate, and the waiting-time figures.

Waiting time (等候时长) is the time from taking a ticket to its first call (docs/queueing.md)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from govhall.calendars.engine import local_date
from govhall.core.clock import now
from govhall.org.models import Hall, Window

from .choices import AT_WINDOW, TicketStatus
from .models import Queue, Ticket

# Service times (start of serving → end) of the last RECENT_SAMPLE finished tickets of a queue, within RECENT_DAYS.
RECENT_SAMPLE = 50
RECENT_DAYS = 14


def today() -> date:
    return local_date(now())


def default_hall() -> Hall | None:
    """The hall a kiosk or screen shows when none is named: the first hall with an active queue."""
    return Hall.objects.filter(queues__active=True).order_by("site_id", "pk").distinct().first()


def active_queues(hall: Hall) -> QuerySet[Queue]:
    return Queue.objects.filter(hall=hall, active=True).select_related("department")


def queue_for_item(hall: Hall, item: Any) -> Queue | None:
    """The queue of a hall that serves an item: the queue of the item's own window, else its department's queue,
    else a queue whose comprehensive window receives for the department (一窗受理), else the hall's comprehensive
    queue."""
    queues = active_queues(hall)
    if item.window_id:
        found = queues.filter(windows=item.window_id).order_by("sort_order", "prefix").first()
        if found is not None:
            return found
    found = queues.filter(department_id=item.department_id).order_by("sort_order", "prefix").first()
    if found is None:
        found = queues.filter(windows__acts_for=item.department_id).order_by("sort_order", "prefix").first()
    if found is None:
        found = queues.filter(window_kind="comprehensive").order_by("sort_order", "prefix").first()
    return found


def waiting_for_window(window: Window, day: date | None = None) -> QuerySet[Ticket]:
    """Tickets a window may call, in calling order: transferred to it first, then its queues' tickets by time."""
    day = day or today()
    return (
        Ticket.objects.filter(day=day, status=TicketStatus.WAITING)
        # A subquery, not a join: the row lock of call_next (FOR UPDATE) may not fall on an outer join.
        .filter(
            Q(target_window=window)
            | Q(target_window__isnull=True, queue__in=Queue.objects.filter(windows=window).values("pk"))
        )
        .order_by("-priority", "taken_at", "id")
    )


def at_window(window: Window) -> Ticket | None:
    """The ticket called to or being served at a window now, if any (today's: a number left open at closing time
    does not follow the window into the next day)."""
    return (
        Ticket.objects.filter(window=window, status__in=AT_WINDOW, day=today())
        .select_related("queue", "item", "case")
        .order_by("-last_called_at", "-id")
        .first()
    )


def ahead_of(ticket: Ticket) -> int:
    """How many tickets of the same queue are still waiting before this one."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    base = Ticket.objects.filter(queue_id=ticket.queue_id, day=ticket.day, status=TicketStatus.WAITING)
    if ticket.target_window_id:
        base = Ticket.objects.filter(
            day=ticket.day, status=TicketStatus.WAITING, target_window_id=ticket.target_window_id
        )
        return base.filter(
            Q(taken_at__lt=ticket.taken_at) | Q(taken_at=ticket.taken_at, id__lt=ticket.pk)
        ).count()
    return (
        base.filter(target_window__isnull=True)
        .filter(Q(taken_at__lt=ticket.taken_at) | Q(taken_at=ticket.taken_at, id__lt=ticket.pk))
        .count()
    )


def service_minutes(queue: Queue, at: datetime | None = None) -> float:
    """Average minutes one ticket takes at the window (serving start → end) over the queue's recent tickets;
    the queue's configured figure while there is no history."""
    at = at or now()
    rows = list(
        Ticket.objects.filter(
            queue=queue,
            status=TicketStatus.DONE,
            served_at__isnull=False,
            finished_at__gte=at - timedelta(days=RECENT_DAYS),
        )
        .order_by("-finished_at")
        .values_list("served_at", "finished_at")[:RECENT_SAMPLE]
    )
    if not rows:
        return float(queue.minutes_per_ticket)
    seconds = [(end - start).total_seconds() for start, end in rows if start is not None and end is not None]
    if not seconds:
        return float(queue.minutes_per_ticket)
    return max(1.0, sum(seconds) / len(seconds) / 60)


def open_windows(queue: Queue) -> int:
    """Windows of the queue that are active and staffed (at least one, so an estimate is always finite)."""
    count = queue.windows.filter(active=True, staff__active=True).distinct().count()
    return max(1, count)


def estimate_minutes(queue: Queue, ahead: int, at: datetime | None = None) -> int:
    """Expected wait: the people ahead, served by the queue's open windows at its recent pace (rounded up)."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead * service_minutes(queue, at) / open_windows(queue))


def minutes(delta: timedelta | None) -> float | None:
    return round(delta.total_seconds() / 60, 1) if delta is not None else None


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class WaitFigures:
    """Waiting-time figures over a set of tickets: those called at least once count; the rest are listed apart."""

    taken: int
    called: int
    average_minutes: float | None
    within_30: float | None  # share (percent) of called tickets that waited 30 minutes or less
    longest_minutes: float | None
    not_called: int


def _figures(taken: int, waits: list[float]) -> WaitFigures:
    called = len(waits)
    return WaitFigures(
        taken=taken,
        called=called,
        average_minutes=round(sum(waits) / called, 1) if called else None,
        within_30=round(100 * sum(1 for w in waits if w <= 30) / called, 1) if called else None,
        longest_minutes=round(max(waits), 1) if called else None,
        not_called=taken - called,
    )


def wait_figures(tickets: QuerySet[Ticket]) -> WaitFigures:
    rows = list(tickets.values_list("taken_at", "first_called_at"))
    return _figures(
        len(rows), [(called - taken).total_seconds() / 60 for taken, called in rows if called is not None]
    )


def period_tickets(first: date, last: date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(day__gte=first, day__lte=last).exclude(status=TicketStatus.CANCELLED)


def published_waits(first: date, last: date) -> dict[str, Any]:
    """The figures the public statistics page publishes for a period: overall and per queue name."""
    tickets = period_tickets(first, last)
    per_queue = []
    names = (
        tickets.values_list("queue__hall__name", "queue__prefix", "queue__name")
        .distinct()
        .order_by("queue__hall__name", "queue__prefix")
    )
    for hall, prefix, name in names:
        figures = wait_figures(tickets.filter(queue__hall__name=hall, queue__prefix=prefix))
        per_queue.append({"hall": hall, "prefix": prefix, "name": name, "figures": figures})
    return {"overall": wait_figures(tickets), "queues": per_queue, "period": (first, last)}


@dataclass(frozen=True)
class WindowLine:
    window: Window
    current: Ticket | None
    waiting: int
    average_minutes: float | None
    served_today: int


def window_lines(hall: Hall | None = None, day: date | None = None) -> list[WindowLine]:
    """Per window of the hall(s) with a queue: the ticket at it now, how many wait for it, today's average wait
    of the tickets it called, and how many it finished today. A fixed handful of queries, however many windows."""
    day = day or today()
    windows = Window.objects.filter(active=True, queues__active=True).distinct().select_related("hall")
    if hall is not None:
        windows = windows.filter(hall=hall)
    windows = windows.order_by("hall_id", "floor", "number")
    todays = Ticket.objects.filter(day=day)
    current: dict[int, Ticket] = {}
    for ticket in (
        todays.filter(status__in=AT_WINDOW).select_related("queue").order_by("last_called_at", "id")
    ):
        if ticket.window_id is not None:
            current[ticket.window_id] = ticket  # the latest call wins
    queues_of: dict[int, set[int]] = defaultdict(set)
    for window_id, queue_id in Queue.windows.through.objects.filter(queue__active=True).values_list(
        "window_id", "queue_id"
    ):
        queues_of[window_id].add(queue_id)
    in_queue: Counter[int] = Counter()
    to_window: Counter[int] = Counter()
    for queue_id, target in todays.filter(status=TicketStatus.WAITING).values_list(
        "queue_id", "target_window_id"
    ):
        if target is None:
            in_queue[queue_id] += 1
        else:
            to_window[target] += 1
    waits: dict[int, list[float]] = defaultdict(list)
    done: Counter[int] = Counter()
    called = todays.filter(first_called_at__isnull=False, window__isnull=False)
    for window_id, taken, first, status in called.values_list(
        "window_id", "taken_at", "first_called_at", "status"
    ):
        if first is not None:
            waits[window_id].append((first - taken).total_seconds() / 60)
        done[window_id] += status == TicketStatus.DONE
    return [
        WindowLine(
            window=window,
            current=current.get(window.pk),
            waiting=to_window[window.pk] + sum(in_queue[q] for q in queues_of[window.pk]),
            average_minutes=round(sum(waits[window.pk]) / len(waits[window.pk]), 1)
            if waits[window.pk]
            else None,
            served_today=done[window.pk],
        )
        for window in windows
    ]


def queue_lines(hall: Hall | None = None, day: date | None = None) -> list[dict[str, Any]]:
    """Per queue: waiting now, the longest current wait, today's wait figures (two queries, however many queues)."""
    day = day or today()
    at = now()
    found = (
        Queue.objects.filter(active=True).select_related("hall").order_by("hall_id", "sort_order", "prefix")
    )
    if hall is not None:
        found = found.filter(hall=hall)
    queues = list(found)
    rows: dict[int, list[tuple[Any, Any, str, Any]]] = defaultdict(list)
    todays = Ticket.objects.filter(day=day, queue__in=[q.pk for q in queues]).exclude(
        status=TicketStatus.CANCELLED
    )
    for queue_id, taken, first, status, target in todays.values_list(
        "queue_id", "taken_at", "first_called_at", "status", "target_window_id"
    ):
        rows[queue_id].append((taken, first, status, target))
    out = []
    for queue in queues:
        mine = rows[queue.pk]
        waiting = [
            taken for taken, _, status, target in mine if status == TicketStatus.WAITING and target is None
        ]
        waits = [(first - taken).total_seconds() / 60 for taken, first, _, _ in mine if first is not None]
        out.append(
            {
                "queue": queue,
                "waiting": len(waiting),
                "longest_minutes": minutes(at - min(waiting)) if waiting else None,
                "today": _figures(len(mine), waits),
            }
        )
    return out


def recent_calls(hall: Hall, limit: int = 8) -> list[Ticket]:
    """The last tickets called in a hall today (newest first), for the call screen."""
    return list(
        Ticket.objects.filter(
            queue__hall=hall, day=today(), last_called_at__isnull=False, window__isnull=False
        )
        .select_related("window", "queue")
        .order_by("-last_called_at", "-id")[:limit]
    )
