"""The owner contract: every clock says whose it is (department, responsible person, label, link, owning record);
supervision reads only that, so a clock started by anything gets lights, alerts and the ladder; the data migration
gives existing clocks the same owners the actions record."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps as django_apps
from django.test import Client, override_settings

from govhall.cases import actions
from govhall.clocks import actions as clocks
from govhall.clocks.models import Clock
from govhall.clocks.owner import ClockOwner
from govhall.complaints import actions as complaints
from govhall.notifications.models import Notification
from govhall.supervision.models import Alert, Card, SupervisionOrder
from tests.cases.conftest import local

from .conftest import accepted, open_task, sweep_at

OWNER_FIELDS = [
    "owner_type",
    "owner_id",
    "owner_label",
    "owner_link",
    "owner_department_id",
    "owner_responsible_id",
]
STEP_DUE = local(2026, 3, 5, 0, 0)  # review: 2 working days from Monday 2 March


def test_case_clocks_carry_their_owner_and_a_claim_makes_the_assignee_responsible(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        case = accepted(hall)
    link = f"/workbench/cases/{case.number}/"
    for clock, what in (
        (case.intake_clock, "受理审查时限"),
        (case.clock, "承诺办结时限"),
        (case.legal_clock, "法定办结时限"),
    ):
        assert (clock.owner_type, clock.owner_id) == ("cases.case", case.pk)
        assert clock.owner_label == f"办件 {case.number} {what}" and clock.owner_link == link
        assert clock.owner_department == case.department and clock.owner_responsible is None
    task = open_task(case)
    step_clock = task.clock
    assert step_clock is not None
    assert (step_clock.owner_type, step_clock.owner_id) == ("cases.task", task.pk)
    assert step_clock.owner_label == f"办件 {case.number} 环节“{task.step_name}”"
    assert step_clock.owner_department == task.department and step_clock.owner_responsible is None
    with at(2026, 3, 2, 11):
        actions.claim_task(task, by=hall["approver"])
    step_clock.refresh_from_db()
    assert step_clock.owner_responsible == hall["approver"]
    with at(2026, 3, 2, 14):
        actions.act_on_task(task, by=hall["approver"], action="approve", opinion="同意")
        actions.act_on_task(open_task(case), by=hall["head"], action="approve", opinion="准予注销")
    case.refresh_from_db()
    delivery = case.delivery_clock
    assert (delivery.owner_type, delivery.owner_id) == ("cases.case", case.pk)
    assert (
        delivery.owner_label == f"办件 {case.number} 送达时限"
        and delivery.owner_department == case.department
    )


def test_an_unclaimed_step_is_the_department_heads_until_claimed(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        case = accepted(hall)
    task = open_task(case)
    assert task.clock is not None
    sweep_at(task.clock.warn_at)
    yellow = Alert.objects.get(clock=task.clock)
    assert yellow.responsible == hall["head"] and yellow.task == task and yellow.case == case
    assert yellow.label == task.clock.owner_label and yellow.link == f"/workbench/cases/{case.number}/"
    with at(2026, 3, 4, 9):
        actions.claim_task(task, by=hall["approver2"])
    sweep_at(STEP_DUE)
    red = Alert.objects.get(clock=task.clock, level="red")
    assert red.responsible == hall["approver2"]
    assert Card.objects.get(alert=red).person == hall["approver2"]


def _made_up_clock(hall: Any, *, responsible: Any) -> Clock:
    """A clock some future module (here: a bad-review rectification, 好差评整改) starts with nothing but an owner."""
    item = hall.item("企业营业执照注销登记")  # any saved record stands for the owning object
    return clocks.start_clock(
        kind="rating",
        amount=2,
        unit="workday",
        at=local(2026, 3, 2, 10),
        label="差评整改时限",
        owner=ClockOwner(
            label="差评 HP20260302001 整改时限",
            link="/ratings/HP20260302001/",
            department=hall.catalog.departments["zjj"],
            responsible=responsible,
            subject=item,
        ),
    )


@override_settings(GOVHALL_SUPERVISION={"escalate_kinds": ["rating"]})
def test_a_clock_with_any_owner_gets_lights_alerts_and_the_ladder(hall: Any) -> None:
    zjj = hall.catalog.departments["zjj"]
    clock = _made_up_clock(hall, responsible=hall["zj_approver"])
    assert clock.owner_type == "catalog.serviceitem"
    assert clocks.status(clock, local(2026, 3, 2, 11)).light == "green"
    sweep_at(clock.warn_at)
    yellow = Alert.objects.get(clock=clock)
    assert (yellow.level, yellow.kind, yellow.case, yellow.task) == ("yellow", "rating", None, None)
    assert yellow.department == zjj and yellow.responsible == hall["zj_approver"]
    assert yellow.label == yellow.summary == "差评 HP20260302001 整改时限"
    assert yellow.link == "/ratings/HP20260302001/"
    reminder = Notification.objects.get(user=hall["zj_approver"], kind="supervision")
    assert "HP20260302001" in reminder.title and reminder.link == "/ratings/HP20260302001/"
    sweep_at(clock.due_at)
    red = Alert.objects.get(clock=clock, level="red")
    card = Card.objects.get(alert=red)
    assert card.level == "yellow" and card.person == hall["zj_approver"] and card.department == zjj
    order = SupervisionOrder.objects.get(alert=red)
    assert order.department == zjj and list(order.addressees.all()) == [hall["zj_head"]]
    assert "HP20260302001" in order.content
    client = Client()
    client.force_login(hall["supervisor"])
    row = client.get("/supervision/").content.decode().split('class="alert-row alert-red')[1]
    assert '<a href="/ratings/HP20260302001/">差评 HP20260302001 整改时限</a>' in row


def test_nobody_holding_a_clock_makes_the_owner_departments_head_responsible(hall: Any) -> None:
    clock = _made_up_clock(hall, responsible=None)
    sweep_at(clock.due_at)
    assert Alert.objects.get(clock=clock).responsible == hall["zj_head"]


def test_set_clock_owner_changes_only_what_is_given(hall: Any) -> None:
    clock = _made_up_clock(hall, responsible=hall["zj_approver"])
    clocks.set_clock_owner(clock, responsible=hall["zj_head"], link="/ratings/2/")
    clock.refresh_from_db()
    assert clock.owner_responsible == hall["zj_head"] and clock.owner_link == "/ratings/2/"
    assert clock.owner_label == "差评 HP20260302001 整改时限" and clock.owner_type == "catalog.serviceitem"
    assert clock.owner_department == hall.catalog.departments["zjj"]


def test_the_data_migration_gives_existing_clocks_the_owners_the_actions_record(hall: Any, at: Any) -> None:
    hall["supervisor"].staff.departments.add(hall.catalog.departments["zjj"])  # the complaints office
    with at(2026, 3, 2, 10):
        overdue = accepted(hall)
        actions.claim_task(open_task(overdue), by=hall["approver"])
        concluded = accepted(hall)
        actions.act_on_task(open_task(concluded), by=hall["approver"], action="approve")
        actions.act_on_task(open_task(concluded), by=hall["head"], action="approve", opinion="准予")
        waiting = complaints.receive_complaint(
            channel="phone", by=hall["clerk"], complainant_name="张三", phone="13800138000", content="推诿"
        )
        handled = complaints.receive_complaint(
            channel="phone", by=hall["clerk"], complainant_name="李四", phone="13800138001", content="刁难"
        )
        complaints.assign(handled, by=hall["supervisor"], to=hall["supervisor"])
    sweep_at(STEP_DUE)  # the overdue step brings a supervision order with its own clock
    assert SupervisionOrder.objects.exists() and waiting.clock.owner_type == "complaints.complaint"
    recorded = {c["pk"]: c for c in Clock.objects.values("pk", *OWNER_FIELDS)}
    kinds = set(Clock.objects.values_list("kind", flat=True))
    assert kinds == {"intake", "case", "legal", "step", "delivery", "order", "complaint"}
    assert all(c["owner_type"] and c["owner_label"] and c["owner_department_id"] for c in recorded.values())
    alerts = {a["pk"]: a for a in Alert.objects.values("pk", "label", "link")}

    # As before the migration: no owners, alerts without label and link.
    Clock.objects.update(
        owner_type="",
        owner_id=None,
        owner_label="",
        owner_link="",
        owner_department=None,
        owner_responsible=None,
    )
    Alert.objects.update(label="", link="")
    importlib.import_module("govhall.clocks.migrations.0004_clock_owner").fill_owners(django_apps, None)
    importlib.import_module("govhall.supervision.migrations.0002_clock_owner").copy_owner(django_apps, None)

    assert {c["pk"]: c for c in Clock.objects.values("pk", *OWNER_FIELDS)} == recorded
    assert {a["pk"]: a for a in Alert.objects.values("pk", "label", "link")} == alerts
