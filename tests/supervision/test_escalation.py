"""The ladder: reminder → yellow card + 督办单 (its own clock) → red card + 整改通知 + 责任追究, only when the order's own
deadline passes unanswered; out-of-procedure attempts and intake refusals raise alerts once; the conduct file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from govhall.cases import actions
from govhall.cases.actions import OutOfProcedure
from govhall.clocks.choices import ClockState
from govhall.core.models import AuditEvent
from govhall.notifications.models import Notification
from govhall.supervision import actions as sv
from govhall.supervision.models import (
    Accountability,
    Alert,
    Card,
    RectificationNotice,
    SupervisionOrder,
    WatcherCursor,
)

from .conftest import PERSON, accepted, local, open_task, sweep_at, uploads_for

SECOND = dt.timedelta(seconds=1)
STEP_DUE = local(2026, 3, 5, 0, 0)  # review: 2 working days from Monday 2 March
ORDER_DUE = local(2026, 3, 7, 0, 0)  # the order issued at STEP_DUE: 1 working day (Friday 6 March)


def overdue_step(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        task = open_task(case)
        actions.claim_task(task, by=hall["approver"])
    assert task.clock.due_at == STEP_DUE
    sweep_at(STEP_DUE)
    order = SupervisionOrder.objects.get(alert__task=task)
    return case, task, order


def test_yellow_reminds_red_brings_a_yellow_card_and_an_order_to_the_head(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        task = open_task(case)
        actions.claim_task(task, by=hall["approver"])
    sweep_at(task.clock.warn_at)
    reminder = Notification.objects.get(user=hall["approver"], kind="supervision")
    assert case.number in reminder.title and reminder.channel == "in_app"
    assert not Card.objects.exists()
    sweep_at(STEP_DUE)
    red = Alert.objects.get(task=task, level="red")
    assert red.responsible == hall["approver"]
    card = Card.objects.get(alert=red)
    assert card.level == "yellow" and card.person == hall["approver"] and card.department == task.department
    order = SupervisionOrder.objects.get(alert=red)
    assert list(order.addressees.all()) == [hall["head"]] and order.department == task.department
    assert order.status == "open" and order.clock.kind == "order" and order.clock.due_at == ORDER_DUE
    assert Notification.objects.filter(user=hall["head"], title__contains=order.number).exists()
    assert AuditEvent.objects.filter(event_type="supervision_order_issued", object_id=str(order.pk)).exists()


def test_red_card_only_when_the_orders_own_deadline_passes(hall, at):
    _case, _task, order = overdue_step(hall, at)
    sweep_at(ORDER_DUE - SECOND)
    assert not Card.objects.filter(level="red").exists()
    order.refresh_from_db()
    assert order.status == "open"
    sweep_at(ORDER_DUE)
    order.refresh_from_db()
    assert order.status == "overdue"
    red_card = Card.objects.get(level="red", alert__clock=order.clock)
    assert red_card.person == hall["approver"]
    notice = RectificationNotice.objects.get(order=order)
    assert order.number in notice.text
    record = Accountability.objects.get(order=order)
    assert record.status == "pending" and record.person == hall["approver"]
    # Exactly once.
    sweep_at(ORDER_DUE + dt.timedelta(days=3))
    assert Card.objects.filter(level="red", alert__clock=order.clock).count() == 1
    # A supervisor decides; nobody else may.
    with pytest.raises(PermissionDenied):
        sv.decide_accountability(record, by=hall["head"], type="criticism", decision="通报批评")
    with pytest.raises(ValidationError):
        sv.decide_accountability(record, by=hall["supervisor"], type="nonsense", decision="x")
    with at(2026, 3, 10, 9):
        sv.decide_accountability(
            record, by=hall["supervisor"], type="admonition", decision="对黄审批诫勉谈话"
        )
    record.refresh_from_db()
    assert (
        record.status == "decided" and record.type == "admonition" and record.decided_by == hall["supervisor"]
    )
    with pytest.raises(ValidationError):
        sv.decide_accountability(record, by=hall["supervisor"], type="criticism", decision="再次")


def test_an_order_answered_in_time_stops_its_clock_and_prevents_the_red_card(hall, at):
    _case, _task, order = overdue_step(hall, at)
    with at(2026, 3, 6, 10):
        with pytest.raises(PermissionDenied):
            sv.answer_order(order, by=hall["approver"], text="已办结")
        with pytest.raises(PermissionDenied):
            sv.answer_order(order, by=hall["zj_head"], text="已办结")
        with pytest.raises(ValidationError):
            sv.answer_order(order, by=hall["head"], text=" ")
        sv.answer_order(order, by=hall["head"], text="已督促经办人当日办结，并加强时限管理")
    order.refresh_from_db()
    assert order.status == "answered" and order.answered_by == hall["head"]
    assert order.clock.state == ClockState.STOPPED and order.clock.next_check_at is None
    sweep_at(ORDER_DUE + dt.timedelta(days=2))
    assert not Card.objects.filter(level="red", alert__clock=order.clock).exists()
    assert not Accountability.objects.exists()


def test_an_answer_after_the_deadline_still_brings_the_red_card_once(hall, at):
    _case, _task, order = overdue_step(hall, at)
    with at(2026, 3, 9, 9):  # Monday, before any sweep saw the order go red
        sv.answer_order(order, by=hall["head"], text="迟复")
    order.refresh_from_db()
    assert order.status == "late" and order.answer == "迟复"  # 逾期答复: kept, flagged, never "answered"
    assert Card.objects.filter(level="red", alert__clock=order.clock).count() == 1
    sweep_at(local(2026, 3, 9, 10))
    assert Card.objects.filter(level="red", alert__clock=order.clock).count() == 1
    assert Accountability.objects.filter(order=order).count() == 1


@override_settings(GOVHALL_SUPERVISION={"escalate_kinds": ["case"], "remind_on_yellow": False})
def test_the_ladder_is_configurable(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        task = open_task(case)
        actions.claim_task(task, by=hall["approver"])
    sweep_at(STEP_DUE)
    assert Alert.objects.filter(task=task, level="red").exists()
    assert not Card.objects.exists() and not SupervisionOrder.objects.exists()
    assert not Notification.objects.filter(kind="supervision").exists()


def test_out_of_procedure_attempts_and_refusals_raise_one_alert_each(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        task = open_task(case)
        with pytest.raises(OutOfProcedure):
            actions.act_on_task(task, by=hall["approver"], action="return", return_to="review", opinion="x")
        item = hall.item("企业营业执照注销登记")
        refused = actions.submit_application(
            item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
        )
        actions.refuse_application(refused, by=hall["clerk"], reasons="申请人不具备主体资格")
    sweep_at(local(2026, 3, 2, 11))
    oop = Alert.objects.get(kind="out_of_procedure")
    assert (
        oop.case == case and oop.task == task and oop.responsible == hall["approver"] and oop.level == "red"
    )
    refusal = Alert.objects.get(kind="refusal")
    assert refusal.case == refused and refusal.responsible == hall["clerk"] and "主体资格" in refusal.summary
    cursor = WatcherCursor.objects.get(name="ledger").position
    sweep_at(local(2026, 3, 2, 11, 5))
    assert Alert.objects.filter(kind__in=["out_of_procedure", "refusal"]).count() == 2
    assert WatcherCursor.objects.get(name="ledger").position == cursor
    # Only what comes after the cursor is read: a rewound cursor would re-raise nothing thanks to the source key.
    WatcherCursor.objects.filter(name="ledger").update(position=0)
    sweep_at(local(2026, 3, 2, 11, 6))
    assert Alert.objects.filter(kind__in=["out_of_procedure", "refusal"]).count() == 2


def test_conduct_file_and_page(hall, at, client):
    _case, _task, order = overdue_step(hall, at)
    sweep_at(ORDER_DUE)
    staff = hall["approver"].staff
    conduct = sv.conduct_for(staff)
    assert {a.level for a in conduct.alerts} >= {"red"}
    assert sorted(c.level for c in conduct.cards) == ["red", "yellow"]
    assert list(conduct.orders) == [order]
    assert len(conduct.accountability) == 1
    head_file = sv.conduct_for(hall["head"].staff)
    assert order in head_file.orders
    url = f"/supervision/staff/{staff.pk}/"
    client.force_login(hall["approver"])
    assert client.get(url).status_code == 403
    client.force_login(hall["supervisor"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert order.number in html and "红牌" in html and "黄审批" in html
    client.force_login(hall["leader"])
    assert client.get(url).status_code == 200
