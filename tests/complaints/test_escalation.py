"""An overdue complaint is supervised like a case: its clock names the handling department and the handler, the
watcher raises the alerts and the ladder runs (reminder → yellow card and 督办单 → red card and 责任追究)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from govhall.clocks.choices import ClockKind
from govhall.clocks.models import Clock
from govhall.complaints import actions
from govhall.complaints.models import Complaint
from govhall.notifications.models import Notification
from govhall.org.actions import create_staff
from govhall.org.models import StaffProfile
from govhall.supervision.models import Accountability, Alert, Card, RectificationNotice, SupervisionOrder
from tests.cases.conftest import local
from tests.supervision.conftest import sweep_at

from .conftest import phone_complaint

SECOND = dt.timedelta(seconds=1)
# Received Monday 2 March 10:00: 10 working days are 3–16 March, so due at 24:00 on the 16th; yellow once the 9th
# working day (Friday 13th) is over.
WARN = local(2026, 3, 14, 0, 0)
DUE = local(2026, 3, 17, 0, 0)


def test_the_complaint_clock_names_its_owner_and_follows_reassignment(hall: Any, at: Any) -> None:
    scjg = hall.catalog.departments["scjg"]
    with at(2026, 3, 2, 10):
        complaint = phone_complaint(hall)
    clock = complaint.clock
    assert clock.kind == ClockKind.COMPLAINT and clock.due_at == DUE and clock.warn_at == WARN
    assert clock.owner_type == "complaints.complaint" and clock.owner_id == complaint.pk
    assert clock.owner_label == f"投诉 {complaint.number} 办理时限"
    assert clock.owner_link == f"/complaints/{complaint.number}/"
    # Not assigned yet: the complaints office (where the supervisors sit) owns it, nobody holds it.
    assert clock.owner_department == scjg and clock.owner_responsible is None
    with at(2026, 3, 3, 9):
        actions.assign(complaint, by=hall["supervisor"], to=hall["supervisor2"])
    clock.refresh_from_db()
    # 冯监察 has no department of their own: the office stays the handling department.
    assert clock.owner_responsible == hall["supervisor2"] and clock.owner_department == scjg
    with at(2026, 3, 3, 10):
        actions.assign(complaint, by=hall["supervisor"], to=hall["supervisor"])
    clock.refresh_from_db()
    assert clock.owner_responsible == hall["supervisor"] and clock.owner_department == scjg


@override_settings(GOVHALL_COMPLAINT_DEPARTMENT="县住房和城乡建设局")
def test_the_complaints_office_can_be_named_in_settings(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        complaint = phone_complaint(hall)
    assert complaint.clock.owner_department == hall.catalog.departments["zjj"]


@override_settings(GOVHALL_COMPLAINT_DEPARTMENT="县不存在局")
def test_a_named_office_that_does_not_exist_refuses_the_complaint(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10), pytest.raises(ValidationError) as refused:
        phone_complaint(hall)
    assert "未配置效能投诉受理部门" in str(refused.value) and "县不存在局" in str(refused.value)
    assert "department" in refused.value.message_dict
    assert not Complaint.objects.exists() and not Clock.objects.filter(kind=ClockKind.COMPLAINT).exists()


def test_without_supervisors_the_office_falls_back_to_the_center_administrators(hall: Any, at: Any) -> None:
    # Test setup: the supervisors sit in no department, a center administrator sits in 民政.
    for profile in StaffProfile.objects.filter(user__groups__name="supervisor"):
        profile.departments.clear()
    mzj = hall.catalog.departments["mzj"]
    admin = create_staff("center_admin", "蒋管理", "T950", ("center_admin",), [mzj])
    with at(2026, 3, 2, 10):
        complaint = phone_complaint(hall)
    assert complaint.clock.owner_department == mzj
    # Nobody left to name: refused in Chinese, nothing written.
    admin.departments.clear()
    with at(2026, 3, 2, 11), pytest.raises(ValidationError) as refused:
        phone_complaint(hall)
    assert "未配置效能投诉受理部门" in str(refused.value)
    assert Complaint.objects.count() == 1


def test_an_unassigned_overdue_complaint_is_the_office_heads(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        complaint = phone_complaint(hall)
    sweep_at(DUE)
    red = Alert.objects.get(clock=complaint.clock, level="red")
    assert red.department == hall.catalog.departments["scjg"] and red.responsible == hall["head"]
    assert Card.objects.get(alert=red).person == hall["head"]


def test_an_overdue_complaint_escalates_like_a_case(hall: Any, at: Any) -> None:
    scjg = hall.catalog.departments["scjg"]
    with at(2026, 3, 2, 10):
        complaint = phone_complaint(hall)
        actions.assign(complaint, by=hall["supervisor"], to=hall["supervisor"])
    sweep_at(WARN - SECOND)
    assert not Alert.objects.filter(clock=complaint.clock).exists()
    # Yellow: an alert naming the handling department and the handler, who is reminded.
    sweep_at(WARN)
    yellow = Alert.objects.get(clock=complaint.clock)
    assert yellow.level == "yellow" and yellow.kind == "complaint" and yellow.case is None
    assert yellow.department == scjg and yellow.responsible == hall["supervisor"]
    assert yellow.label == f"投诉 {complaint.number} 办理时限"
    assert yellow.link == f"/complaints/{complaint.number}/"
    reminder = Notification.objects.get(user=hall["supervisor"], kind="supervision")
    assert complaint.number in reminder.title and reminder.link == yellow.link
    # Red: a yellow card for the handler and a supervision order to the head of the handling department.
    sweep_at(DUE - SECOND)
    assert not Card.objects.exists()
    sweep_at(DUE)
    red = Alert.objects.get(clock=complaint.clock, level="red")
    assert red.department == scjg and red.responsible == hall["supervisor"]
    card = Card.objects.get(alert=red)
    assert card.level == "yellow" and card.person == hall["supervisor"] and card.department == scjg
    order = SupervisionOrder.objects.get(alert=red)
    assert order.case is None and order.department == scjg and order.responsible == hall["supervisor"]
    assert list(order.addressees.all()) == [hall["head"]]
    assert complaint.number in order.content
    assert Notification.objects.filter(user=hall["head"], title__contains=order.number).exists()
    # The order's own clock has an owner too: its department, and its page.
    order.clock.refresh_from_db()
    assert order.clock.owner_type == "supervision.supervisionorder" and order.clock.owner_id == order.pk
    assert (
        order.clock.owner_department == scjg and order.clock.owner_link == f"/supervision/orders/{order.pk}/"
    )
    # Unanswered past its own deadline: red card, rectification notice, accountability for the handler.
    assert order.clock.due_at is not None
    sweep_at(order.clock.due_at)
    order.refresh_from_db()
    assert order.status == "overdue"
    assert Card.objects.get(level="red", alert__clock=order.clock).person == hall["supervisor"]
    assert RectificationNotice.objects.filter(order=order).exists()
    assert Accountability.objects.get(order=order).person == hall["supervisor"]


@override_settings(GOVHALL_SUPERVISION={"escalate_kinds": ["case"]})
def test_complaint_escalation_is_configurable(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        complaint = phone_complaint(hall)
        actions.assign(complaint, by=hall["supervisor"], to=hall["supervisor"])
    sweep_at(DUE)
    assert Alert.objects.filter(clock=complaint.clock, level="red").exists()
    assert not Card.objects.exists() and not SupervisionOrder.objects.exists()


def test_the_board_and_the_order_page_show_the_complaint_and_link_to_it(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        complaint = phone_complaint(hall)
        actions.assign(complaint, by=hall["supervisor"], to=hall["supervisor"])
    sweep_at(DUE)
    order = SupervisionOrder.objects.get(alert__clock=complaint.clock)
    client = Client()
    client.force_login(hall["leader"])
    with at(2026, 3, 17, 9):
        board = client.get("/supervision/").content.decode()
        order_page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    row = next(r for r in board.split('class="alert-row ')[1:] if complaint.number in r)
    assert row.startswith("alert-red")
    assert f'<a href="/complaints/{complaint.number}/">投诉 {complaint.number} 办理时限</a>' in row
    assert "钱监察" in row and hall.catalog.departments["scjg"].name in row
    assert f'<a href="/complaints/{complaint.number}/">投诉 {complaint.number} 办理时限</a>' in order_page
