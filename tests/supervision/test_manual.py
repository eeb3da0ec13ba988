"""Supervision by hand (人工督办, 催办) from a case, an alert or a department; a late answer is flagged 逾期答复; the
board filters and pages; the board, the big screen and the homes count red cases with one definition (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from govhall.clocks.choices import ClockKind
from govhall.clocks.models import Clock
from govhall.core.models import AuditEvent
from govhall.notifications.models import Notification
from govhall.supervision import actions as sv
from govhall.supervision.models import Alert, Card, SupervisionOrder, Urge
from govhall.supervision.screens import screen_data

from .conftest import accepted, local, open_task, sweep_at


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_manual_order_from_a_case_runs_on_the_clock_and_a_late_answer_is_flagged(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        with pytest.raises(PermissionDenied):
            sv.issue_order(by=hall["leader"], content="请加快", case=case)
        with pytest.raises(ValidationError) as missing:
            sv.issue_order(by=hall["supervisor"], content=" ", case=case)
        assert "content" in missing.value.message_dict
        with pytest.raises(ValidationError) as days:
            sv.issue_order(by=hall["supervisor"], content="请加快", days="99", case=case)
        assert "days" in days.value.message_dict
        with pytest.raises(ValidationError):
            sv.issue_order(by=hall["supervisor"], content="请加快", case=case, department=case.department)
        order = sv.issue_order(by=hall["supervisor"], content="群众反映办理慢，请加快", days=2, case=case)
    assert order.origin == "manual" and order.issued_by == hall["supervisor"] and order.alert is None
    assert order.department == case.department and list(order.addressees.all()) == [hall["head"]]
    assert order.number.startswith("DB20260302M")
    assert order.clock.kind == ClockKind.ORDER and order.clock.due_at == local(2026, 3, 5, 0, 0)
    assert order.clock.owner_link.endswith(f"/supervision/orders/{order.pk}/")
    assert Notification.objects.filter(user=hall["head"], title=f"督办单 {order.number}").exists()
    assert AuditEvent.objects.filter(event_type="supervision_order_issued", object_id=str(order.pk)).exists()
    with at(2026, 3, 5, 9):
        sv.answer_order(order, by=hall["head"], text="已办结")
    order.refresh_from_db()
    assert order.status == "late"
    assert Card.objects.filter(level="red", alert__clock=order.clock).count() == 1
    page = client_for(hall["supervisor"]).get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "逾期答复" in page and 'id="late-answer"' in page and "被督办部门" in page


def test_an_answer_in_time_to_a_manual_order_is_accepted(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        order = sv.issue_order(by=hall["supervisor"], content="请说明进度", department=case.department)
    with at(2026, 3, 2, 15):
        sv.answer_order(order, by=hall["head"], text="正常办理中")
    order.refresh_from_db()
    assert order.status == "answered" and order.case is None
    sweep_at(local(2026, 3, 10, 9))
    assert not Card.objects.filter(level="red").exists()


def test_urge_reaches_the_heads_and_the_holder_of_the_case(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        from govhall.cases import actions

        actions.claim_task(open_task(case), by=hall["approver"])
        with pytest.raises(PermissionDenied):
            sv.urge(by=hall["head"], text="快", case=case)
        record = sv.urge(by=hall["supervisor"], text="请今日内办结", case=case)
    assert set(record.recipients.all()) == {hall["head"], hall["approver"]}
    assert Notification.objects.filter(user=hall["approver"], body="请今日内办结").exists()
    assert AuditEvent.objects.filter(event_type="supervision_urged").count() == 1


def test_manual_pages_from_an_alert_and_a_department(hall, at):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        task = open_task(case)
    sweep_at(task.clock.due_at)
    alert = Alert.objects.get(task=task, level="red")
    supervisor = client_for(hall["supervisor"])
    with at(2026, 3, 5, 9):
        form = supervisor.get(f"/supervision/manual/order/?alert={alert.pk}")
        assert form.status_code == 200 and alert.summary in form.content.decode()
        # The watcher already issued the alert's order: a second one is refused with a reason, nothing written.
        again = supervisor.post(
            "/supervision/manual/order/", {"alert": alert.pk, "text": "再督办", "days": "1"}
        )
        assert again.status_code == 400 and "该告警已有督办单" in again.content.decode()
        urged = supervisor.post("/supervision/manual/urge/", {"alert": alert.pk, "text": "请立即处理"})
        assert urged.status_code == 302 and Urge.objects.filter(alert=alert).count() == 1
        done = supervisor.post(
            "/supervision/manual/order/",
            {"department": case.department_id, "text": "部门整体超期，请整改", "days": "3"},
        )
        assert done.status_code == 302
    assert SupervisionOrder.objects.filter(origin="manual", department=case.department).count() == 1
    assert client_for(hall["leader"]).get("/supervision/manual/order/").status_code == 403
    bad = supervisor.post("/supervision/manual/urge/", {"department": case.department_id, "text": ""})
    assert bad.status_code == 400 and "请填写催办内容" in bad.content.decode()


def test_board_filters_pages_and_counts_like_the_big_screen(hall, at):
    with at(2026, 3, 2, 10):
        cases = [accepted(hall) for _ in range(3)]
    # Two cases overdue as a whole: red on every page that counts red cases.
    for case in cases[:2]:
        overdue = local(2026, 3, 2, 10, 30)
        Clock.objects.filter(pk=case.clock_id).update(due_at=overdue, warn_at=overdue, next_check_at=overdue)
    sweep_at(local(2026, 3, 2, 11))
    with at(2026, 3, 2, 11):
        board = client_for(hall["supervisor"]).get("/supervision/")
        screen = screen_data()
        home = client_for(hall["leader"]).get("/workbench/").content.decode()
        filtered = client_for(hall["supervisor"]).get("/supervision/", {"level": "yellow"}).content.decode()
        red_only = client_for(hall["supervisor"]).get("/supervision/", {"level": "red"}).content.decode()
    page = board.content.decode()
    assert screen["lights"]["total"]["red"] == 2
    assert '<strong id="red-cases">2</strong>' in page
    assert "<strong>2</strong><span>办件红灯</span>" in home
    assert "alert-row alert-red" not in filtered
    assert red_only.count("alert-row alert-red") == 2
    # Paging: 30 a page.
    alert = Alert.objects.filter(level="red").first()
    Alert.objects.bulk_create(
        [
            Alert(
                level="red",
                kind="refusal",
                source=f"t{n}",
                summary=f"批量{n}",
                raised_at=local(2026, 3, 2, 10) - dt.timedelta(minutes=n),
                department=alert.department,
            )
            for n in range(40)
        ]
    )
    with at(2026, 3, 2, 11):
        first = client_for(hall["supervisor"]).get("/supervision/").content.decode()
        second = client_for(hall["supervisor"]).get("/supervision/", {"page": 2}).content.decode()
    assert first.count('class="alert-row') == 30 and "第 1 / 2 页" in first
    assert second.count('class="alert-row') == 12
