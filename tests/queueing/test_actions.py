"""Queue actions: numbering per day and queue, the estimate, calling order, recall, no-show, transfer, serving,
linking the case, and who may act."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.cases import actions as case_actions
from govhall.queueing import actions, queries
from govhall.queueing.choices import TicketChannel, TicketEventType, TicketStatus
from govhall.queueing.models import Ticket, TicketEvent
from tests.cases.conftest import PERSON, uploads_for

from .conftest import QueueHall

pytestmark = pytest.mark.django_db


def test_default_queues_follow_the_windows(qhall: QueueHall) -> None:
    assert (qhall.comprehensive.prefix, qhall.comprehensive.name) == ("A", "综合受理")
    assert list(qhall.comprehensive.windows.all()) == [qhall.a05]
    assert qhall.market.prefix == "B" and list(qhall.market.windows.all()) == [qhall.a06]
    # Idempotent: a hall with queues keeps them.
    assert actions.ensure_hall_queues(qhall.a05.hall) == [qhall.comprehensive, qhall.market]


def test_numbers_run_per_queue_and_restart_each_day(qhall: QueueHall, at: Any) -> None:
    with at(2026, 3, 2, 9, 5):
        numbers = [actions.take_ticket(queue=qhall.comprehensive).number for _ in range(3)]
        other = actions.take_ticket(queue=qhall.market).number
    with at(2026, 3, 3, 9, 5):
        next_day = actions.take_ticket(queue=qhall.comprehensive)
    assert numbers == ["A001", "A002", "A003"]
    assert other == "B001"
    assert (next_day.number, next_day.day.isoformat()) == ("A001", "2026-03-03")
    assert TicketEvent.objects.filter(kind=TicketEventType.TAKEN).count() == 5


def test_ticket_shows_who_is_ahead_and_the_estimate(qhall: QueueHall, at: Any) -> None:
    qhall.comprehensive.minutes_per_ticket = 6
    qhall.comprehensive.save()
    with at(2026, 3, 2, 9, 5):
        first = actions.take_ticket(queue=qhall.comprehensive)
        actions.take_ticket(queue=qhall.comprehensive)
        third = actions.take_ticket(queue=qhall.comprehensive)
    # Two staffed clerks sit at A05, but it is one window: 2 ahead × 6 minutes.
    assert (first.ahead_at_take, first.estimate_minutes) == (0, 0)
    assert (third.ahead_at_take, third.estimate_minutes) == (2, 12)
    assert queries.ahead_of(third) == 2
    with at(2026, 3, 2, 9, 10):
        actions.call_next(by=qhall["clerk"])
    third.refresh_from_db()
    assert queries.ahead_of(third) == 1


def test_estimate_uses_the_recent_service_pace(qhall: QueueHall, at: Any) -> None:
    with at(2026, 3, 2, 9, 0):
        ticket = actions.take_ticket(queue=qhall.comprehensive)
        actions.call_next(by=qhall["clerk"])
        actions.start_serving(ticket, by=qhall["clerk"])
    with at(2026, 3, 2, 9, 20):
        actions.finish(ticket, by=qhall["clerk"])
        assert queries.service_minutes(qhall.comprehensive) == 20
        assert queries.estimate_minutes(qhall.comprehensive, 3) == 60


def test_item_ticket_goes_to_the_queue_serving_the_item(qhall: QueueHall, at: Any) -> None:
    item = qhall.hall.item("企业营业执照设立登记")  # its window is A05 in the test catalog
    with at(2026, 3, 2, 9, 5):
        ticket = actions.take_ticket(item=item, hall=qhall.a05.hall)
    assert ticket.queue == qhall.comprehensive and ticket.item == item


def test_calling_order_serving_and_finishing(qhall: QueueHall, at: Any) -> None:
    clerk = qhall["clerk"]
    with at(2026, 3, 2, 9, 0):
        a1 = actions.take_ticket(queue=qhall.comprehensive)
    with at(2026, 3, 2, 9, 1):
        a2 = actions.take_ticket(queue=qhall.comprehensive)
        actions.take_ticket(queue=qhall.market)  # another window's queue: never called at A05
    with at(2026, 3, 2, 9, 10):
        called = actions.call_next(by=clerk)
    assert called is not None and called.pk == a1.pk
    assert (called.status, called.window, called.call_count) == (TicketStatus.CALLED, qhall.a05, 1)
    # A number called but not served blocks the next call: the clerk must decide about it first.
    with at(2026, 3, 2, 9, 11), pytest.raises(ValidationError) as exc:
        actions.call_next(by=clerk)
    assert "A001" in str(exc.value)
    with at(2026, 3, 2, 9, 12):
        actions.recall(a1, by=clerk)
        actions.start_serving(a1, by=clerk)
    with at(2026, 3, 2, 9, 30):
        nxt = actions.call_next(by=clerk)  # ends A001's service
    a1.refresh_from_db()
    assert nxt is not None and nxt.pk == a2.pk
    assert a1.status == TicketStatus.DONE and a1.call_count == 2
    # Waiting time is to the FIRST call: the recall does not lengthen it.
    assert queries.minutes(a1.wait) == 10.0
    with at(2026, 3, 2, 9, 31):
        assert actions.no_show(a2, by=clerk).status == TicketStatus.NO_SHOW
        assert actions.call_next(by=clerk) is None  # only a B ticket is left


def test_transfer_puts_the_ticket_first_at_the_other_window(qhall: QueueHall, at: Any) -> None:
    with at(2026, 3, 2, 9, 0):
        b1 = actions.take_ticket(queue=qhall.market)
        a1 = actions.take_ticket(queue=qhall.comprehensive)
    with at(2026, 3, 2, 9, 5):
        actions.call_next(by=qhall["clerk"])
        actions.start_serving(a1, by=qhall["clerk"])
    with at(2026, 3, 2, 9, 8):
        moved = actions.transfer(a1, to=qhall.a06, by=qhall["clerk"], note="需市场监管窗口办理")
    assert (moved.status, moved.target_window, moved.window) == (TicketStatus.WAITING, qhall.a06, None)
    with at(2026, 3, 2, 9, 9):
        called = actions.call_next(by=qhall["clerk3"])
    assert called is not None and called.pk == a1.pk  # ahead of B001, which was taken earlier
    called.refresh_from_db()
    assert called.first_called_at is not None and queries.minutes(called.wait) == 5.0
    assert list(queries.waiting_for_window(qhall.a06, b1.day)) == [b1]
    with pytest.raises(ValidationError):
        actions.transfer(called, to=qhall.a06, by=qhall["clerk3"])  # to its own window


def test_only_the_clerk_at_the_window_acts_on_its_ticket(qhall: QueueHall, at: Any) -> None:
    with at(2026, 3, 2, 9, 0):
        a1 = actions.take_ticket(queue=qhall.comprehensive)
        actions.call_next(by=qhall["clerk"])
    with pytest.raises(PermissionDenied):
        actions.start_serving(a1, by=qhall["clerk3"])  # sits at A06
    with pytest.raises(PermissionDenied):
        actions.call_next(by=qhall["approver"])  # not a window clerk
    with pytest.raises(PermissionDenied):
        actions.call_next(by=qhall["agent"])
    with pytest.raises(PermissionDenied):
        actions.take_ticket(queue=qhall.comprehensive, channel=TicketChannel.WINDOW, by=qhall["approver"])
    # A second clerk at the same window may take over.
    assert actions.start_serving(a1, by=qhall["clerk2"]).status == TicketStatus.SERVING
    a1.refresh_from_db()
    assert a1.status == TicketStatus.SERVING


def test_a_closed_queue_gives_no_tickets(qhall: QueueHall) -> None:
    qhall.market.active = False
    qhall.market.save()
    with pytest.raises(ValidationError) as exc:
        actions.take_ticket(queue=qhall.market)
    assert "queue" in exc.value.message_dict
    assert not Ticket.objects.exists()


def test_the_case_received_while_serving_is_linked(qhall: QueueHall, at: Any) -> None:
    clerk = qhall["clerk"]
    item = qhall.hall.item("企业营业执照设立登记")
    with at(2026, 3, 2, 9, 0):
        ticket = actions.take_ticket(item=item, hall=qhall.a05.hall)
        actions.call_next(by=clerk)
        actions.start_serving(ticket, by=clerk)
        case = case_actions.submit_application(
            item=item, applicant=PERSON, channel="window", by=clerk, uploads=uploads_for(item)
        )
        linked = actions.link_serving_ticket(case, by=clerk)
    assert linked is not None and linked.pk == ticket.pk
    ticket.refresh_from_db()
    assert ticket.case == case and case.queue_ticket == ticket
    assert TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEventType.CASE_LINKED, note=case.number
    ).exists()
    # A ticket has one case and a case one ticket.
    with at(2026, 3, 2, 9, 5):
        other = case_actions.submit_application(
            item=item, applicant=PERSON, channel="window", by=clerk, uploads=uploads_for(item)
        )
        assert actions.link_serving_ticket(other, by=clerk) is None  # the served ticket has its case
        with pytest.raises(ValidationError):
            actions.link_case(ticket, other, by=clerk)


def test_an_online_case_is_never_linked(qhall: QueueHall, at: Any) -> None:
    clerk = qhall["clerk"]
    item = qhall.hall.item("企业营业执照设立登记")
    with at(2026, 3, 2, 9, 0):
        ticket = actions.take_ticket(queue=qhall.comprehensive)
        actions.call_next(by=clerk)
        actions.start_serving(ticket, by=clerk)
        online = case_actions.submit_application(
            item=item, applicant=PERSON, channel="agent", by=qhall["agent"], uploads=uploads_for(item)
        )
        with pytest.raises(ValidationError) as exc:
            actions.link_case(ticket, online, by=clerk)
    assert "case_number" in exc.value.message_dict
    ticket.refresh_from_db()
    assert ticket.case is None


def test_wait_figures_count_called_tickets_and_list_the_rest(qhall: QueueHall, at: Any) -> None:
    with at(2026, 3, 2, 9, 0):
        a1 = actions.take_ticket(queue=qhall.comprehensive)
        actions.take_ticket(queue=qhall.comprehensive)
        actions.take_ticket(queue=qhall.comprehensive)
    with at(2026, 3, 2, 9, 10):
        actions.call_next(by=qhall["clerk"])
        actions.start_serving(a1, by=qhall["clerk"])
    with at(2026, 3, 2, 9, 50):
        actions.call_next(by=qhall["clerk"])  # A002 waited 50 minutes
    from datetime import date

    figures = queries.published_waits(date(2026, 3, 1), date(2026, 3, 31))["overall"]
    assert (figures.taken, figures.called, figures.not_called) == (3, 2, 1)
    assert figures.average_minutes == 30.0
    assert figures.within_30 == 50.0 and figures.longest_minutes == 50.0


def test_a_number_left_open_yesterday_does_not_block_today(qhall: QueueHall, at: Any) -> None:
    with at(2026, 3, 2, 17, 0):
        actions.take_ticket(queue=qhall.comprehensive)
        left = actions.call_next(by=qhall["clerk"])  # called at closing time, never dealt with
    with at(2026, 3, 3, 9, 0):
        assert queries.at_window(qhall.a05) is None
        today = actions.take_ticket(queue=qhall.comprehensive)
        called = actions.call_next(by=qhall["clerk"])
    assert called is not None and called.pk == today.pk and called.number == "A001"
    assert left is not None
    left.refresh_from_db()
    assert left.status == TicketStatus.CALLED  # yesterday's record stays as it was
