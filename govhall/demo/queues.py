"""The simulator's queue hook: window applicants take a ticket first, wait, are called and served, and the case
they hand in is linked to their ticket — through the queueing actions, at the simulated instants.

Waits follow a hall's day: a median of about 12 minutes, longer in the morning peak and on Mondays, rarely over
an hour. The hook draws from its own random streams, so the cases themselves come out as without it."""

from __future__ import annotations

import math
import random
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from govhall.calendars import engine as calendar
from govhall.cases.choices import Channel
from govhall.core.clock import frozen_at, now
from govhall.queueing import actions as queue_actions
from govhall.queueing.choices import TicketChannel, TicketStatus
from govhall.queueing.models import Queue, Ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EARLIEST = time(8, 30)  # people queue before the doors open, not before this


class QueueHook:
    def __init__(self, simulator: Any) -> None:
        self.sim = simulator
        self.tickets: dict[int, int] = {}  # plan index → ticket pk
        self._queue_of_window: dict[int, Queue | None] = {}

    def _queue(self, clerk: User | None) -> Queue | None:
        window_id = self.sim.staff.window_of.get(clerk.pk) if clerk is not None else None
        if window_id is None:
            return None
        if window_id not in self._queue_of_window:
            self._queue_of_window[window_id] = (
                Queue.objects.filter(windows=window_id, active=True).order_by("sort_order", "pk").first()
            )
        return self._queue_of_window[window_id]

    def wait_minutes(self, rng: random.Random, arrival: datetime) -> float:
        local = arrival.astimezone(calendar.CALENDAR_TZ)
        factor = 1.5 if local.hour < 11 else 1.0
        factor *= 1.3 if local.weekday() == 0 else 1.0
        return min(75.0, rng.lognormvariate(math.log(12 * factor), 0.6))

    def schedule(self) -> None:
        """Plan a ticket before every window application whose clerk calls from a queue."""
        for plan in self.sim.plans:
            if plan.channel != Channel.WINDOW or self._queue(plan.clerk) is None:
                continue
            rng = random.Random(f"queue-{self.sim.options.seed}-{plan.index}")
            local = plan.arrival.astimezone(calendar.CALENDAR_TZ)
            earliest = datetime.combine(local.date(), EARLIEST, tzinfo=calendar.CALENDAR_TZ)
            taken = max(plan.arrival - timedelta(minutes=self.wait_minutes(rng, plan.arrival)), earliest)
            if taken < plan.arrival:
                self.sim._at(taken, self.take, plan)

    def take(self, plan: Any) -> None:
        queue = self._queue(plan.clerk)
        if queue is None:
            return
        ticket = queue_actions.take_ticket(queue=queue, item=plan.item, channel=TicketChannel.KIOSK)
        self.tickets[plan.index] = ticket.pk

    def call(self, plan: Any) -> None:
        """At the window: call the plan's ticket (if it took one) and start serving it."""
        pk = self.tickets.get(plan.index)
        ticket = Ticket.objects.filter(pk=pk, status=TicketStatus.WAITING).first() if pk else None
        if ticket is None:
            return
        ticket = queue_actions.call_ticket(ticket, by=plan.clerk)
        queue_actions.start_serving(ticket, by=plan.clerk)

    def link(self, plan: Any) -> None:
        pk = self.tickets.get(plan.index)
        ticket = (
            Ticket.objects.filter(pk=pk, status=TicketStatus.SERVING, case__isnull=True).first()
            if pk
            else None
        )
        if (
            ticket is not None
            and plan.case is not None
            and ticket.window_id == self.sim.staff.window_of.get(plan.clerk.pk)
        ):
            queue_actions.link_case(ticket, plan.case, by=plan.clerk)

    def finish(self, plan: Any) -> None:
        """The intake decision ends the service (unless the clerk already called the next number)."""
        pk = self.tickets.pop(plan.index, None)
        ticket = Ticket.objects.filter(pk=pk, status=TicketStatus.SERVING).first() if pk else None
        if ticket is not None and ticket.served_by_id == plan.clerk.pk:
            queue_actions.finish(ticket, by=plan.clerk)

    def live_today(self, *, per_queue: int = 6) -> int:
        """Today's hall for the demo screens: some people waiting in the busiest queues, a number at each staffed
        window. Returns the number of tickets taken."""
        at = now()
        rng = random.Random(f"queue-today-{self.sim.options.seed}")
        clerks: dict[int, User] = {}
        for users in self.sim.staff.by_role.values():
            for user in users:
                window_id = self.sim.staff.window_of.get(user.pk)
                if window_id and self._queue(user) is not None:
                    clerks.setdefault(window_id, user)
        queues = {q.pk: q for q in (self._queue_of_window[w] for w in clerks) if q is not None}
        busiest = sorted(queues.values(), key=lambda q: (q.sort_order, q.pk))[:8]
        taken = 0
        times = sorted(
            (at - timedelta(minutes=rng.uniform(1, 50)), queue)
            for queue in busiest
            for _ in range(rng.randint(2, per_queue))
        )
        for instant, queue in times:
            with frozen_at(instant):
                queue_actions.take_ticket(queue=queue, channel=TicketChannel.KIOSK)
                taken += 1
        with frozen_at(at - timedelta(minutes=2)):
            for window_id, clerk in sorted(clerks.items()):
                if self._queue_of_window[window_id] in busiest:
                    queue_actions.call_next(by=clerk)
        return taken
