"""Work orders through their actions: limits on the clock by category and urgency, dispatch and re-dispatch with
history, returns with reasons, answers (on time or late), call-backs, the three rates, and the hand-over of an
efficiency complaint to the one complaint flow."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.catalog.models import ServiceItem
from govhall.clocks.choices import ClockKind, ClockState, ClockUnit
from govhall.complaints.choices import ComplaintChannel
from govhall.core.models import AuditEvent, AuditEventType
from govhall.hotline import actions
from govhall.hotline.choices import EventKind, OrderStatus
from govhall.hotline.models import WorkOrder
from govhall.hotline.rates import monthly_rates
from govhall.supervision.actions import sweep_once
from govhall.supervision.models import Alert

from .conftest import call


def test_record_starts_the_category_clock(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        order = call(hall)  # 求助, ordinary: 3 working days
        urgent = call(hall, category="complaint", urgency="urgent")  # 投诉, urgent: 4 office hours
    assert order.number.startswith("RX20260302") and order.status == OrderStatus.RECORDED
    assert order.clock.kind == ClockKind.HOTLINE and order.clock.unit == ClockUnit.WORKDAY
    assert order.clock.due_day == date(2026, 3, 5)
    assert urgent.clock.unit == ClockUnit.MINUTE and urgent.clock.budget == 240
    # The operator's department answers for it until it is dispatched.
    assert order.clock.owner_department == hall.catalog.departments["mzj"]
    assert order.clock.owner_type == "hotline.workorder" and order.clock.owner_id == order.pk
    assert list(order.events.values_list("kind", flat=True)) == [EventKind.RECORDED]
    assert AuditEvent.objects.filter(event_type=AuditEventType.HOTLINE_RECORDED).count() == 2


def test_configured_limit_replaces_the_default(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        with pytest.raises(PermissionDenied):
            actions.set_limit(
                by=hall["operator"], category="help", urgency="ordinary", amount=7, unit="workday"
            )
        actions.set_limit(by=_admin(), category="help", urgency="ordinary", amount=7, unit="workday")
        order = call(hall)
    assert order.clock.budget == 7


def _admin() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", password="x-root-pw")


def test_bad_input_is_refused_by_field_and_writes_nothing(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10), pytest.raises(ValidationError) as exc:
        call(hall, category="gossip", content=" ", caller_phone="")
    assert set(exc.value.message_dict) == {"category", "content", "caller_phone"}
    assert WorkOrder.objects.count() == 0
    with at(2026, 3, 2, 10), pytest.raises(ValidationError) as exc:
        call(hall, case_number="NOPE", item_code="000")
    assert set(exc.value.message_dict) == {"case_number"}
    with at(2026, 3, 2, 10), pytest.raises(ValidationError) as exc:
        call(hall, item_code="000")
    assert set(exc.value.message_dict) == {"item_code"}
    with at(2026, 3, 2, 10):
        item = ServiceItem.objects.order_by("pk").first()
        assert call(hall, item_code=item.impl_code).item == item
    with at(2026, 3, 2, 10), pytest.raises(PermissionDenied):
        call(hall, by=hall["clerk"])


def test_dispatch_return_redispatch_answer_callback(hall: Any, at: Any) -> None:
    d = hall.catalog.departments
    with at(2026, 3, 2, 10):
        order = call(hall)
    with at(2026, 3, 2, 10, 30):
        actions.dispatch(order, by=hall["operator"], department=d["zjj"])
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED and order.clock.owner_department == d["zjj"]
    # Only the department's own staff return or answer it.
    with at(2026, 3, 2, 11), pytest.raises(PermissionDenied):
        actions.answer(order, by=hall["approver"], text="答复")
    with at(2026, 3, 2, 11), pytest.raises(ValidationError) as exc:
        actions.return_order(order, by=hall["zj_approver"], reason="")
    assert "reason" in exc.value.message_dict
    with at(2026, 3, 2, 11):
        actions.return_order(order, by=hall["zj_approver"], reason="路灯归市场监管局所属公司管理")
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED and order.clock.owner_department == d["mzj"]
    with at(2026, 3, 2, 14):
        actions.dispatch(order, by=hall["operator"], department=d["scjg"])
    # Re-dispatch while a department holds it needs a reason and another department.
    with at(2026, 3, 2, 15), pytest.raises(ValidationError) as exc:
        actions.dispatch(order, by=hall["operator"], department=d["zjj"])
    assert "reason" in exc.value.message_dict
    with at(2026, 3, 3, 9):
        actions.answer(order, by=hall["approver"], text="已安排维修，3月4日前修复")
    order.refresh_from_db()
    assert order.status == OrderStatus.ANSWERED and order.clock.state == ClockState.STOPPED
    assert order.clock.late is False
    with at(2026, 3, 3, 10), pytest.raises(ValidationError) as exc:
        actions.call_back(order, by=hall["operator"], reached=True)
    assert set(exc.value.message_dict) == {"solved", "satisfaction"}
    with at(2026, 3, 3, 10):
        actions.call_back(order, by=hall["operator"], reached=True, solved=True, satisfaction="satisfied")
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED and order.solved is True
    history = list(order.events.values_list("kind", "department__name", "reason"))
    assert [h[0] for h in history] == [
        "recorded",
        "dispatched",
        "returned",
        "dispatched",
        "answered",
        "called_back",
    ]
    assert history[2] == ("returned", "县住房和城乡建设局", "路灯归市场监管局所属公司管理")


def test_overdue_order_lights_red_and_escalates_to_the_department(hall: Any, at: Any) -> None:
    d = hall.catalog.departments
    with at(2026, 3, 2, 10):
        order = call(hall, category="consult")  # 1 working day: due 2026-03-03 24:00
        actions.dispatch(order, by=hall["operator"], department=d["scjg"])
    with at(2026, 3, 4, 9):
        sweep_once()
    alerts = Alert.objects.filter(clock=order.clock)
    assert {a.level for a in alerts} >= {"red"}
    red = alerts.get(level="red")
    assert red.kind == "hotline" and red.department == d["scjg"] and red.responsible == hall["head"]
    with at(2026, 3, 4, 10):
        actions.answer(order, by=hall["head"], text="迟到的答复")
    order.refresh_from_db()
    assert order.clock.late is True


def test_three_rates_per_department_and_month(hall: Any, at: Any) -> None:
    d = hall.catalog.departments
    op = hall["operator"]
    orders = []
    with at(2026, 3, 2, 10):
        for _ in range(5):
            o = call(hall, category="consult")
            actions.dispatch(o, by=op, department=d["scjg"])
            orders.append(o)
        other = call(hall)
        actions.dispatch(other, by=op, department=d["zjj"])
    with at(2026, 3, 3, 10):  # in time (due 3 March 24:00)
        for o in orders[:3]:
            actions.answer(o, by=hall["approver"], text="已答复")
    with at(2026, 3, 5, 10):  # late
        actions.answer(orders[3], by=hall["approver"], text="已答复")
        actions.call_back(orders[0], by=op, reached=True, solved=True, satisfaction="satisfied")
        actions.call_back(orders[1], by=op, reached=True, solved=False, satisfaction="basic")
        actions.call_back(orders[2], by=op, reached=True, solved=False, satisfaction="dissatisfied")
        actions.call_back(orders[3], by=op, reached=False, note="无人接听")
        rows = {r.department: r for r in monthly_rates(date(2026, 3, 1))}
    scjg = rows["县市场监督管理局"]
    # orders[4] is open and overdue: it counts against the response rate.
    assert (scjg.dispatched, scjg.answered, scjg.answered_on_time, scjg.overdue_open) == (5, 4, 3, 1)
    assert scjg.response_rate == 60.0
    assert scjg.reached == 3 and scjg.resolution_rate == 33.3 and scjg.satisfaction_rate == 66.7
    zjj = rows["县住房和城乡建设局"]
    assert (
        zjj.response_rate is None and zjj.satisfaction_rate is None
    )  # open and still in time: not counted yet
    assert monthly_rates(date(2026, 4, 1)) == []


def test_efficiency_complaint_goes_into_the_complaint_flow(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        order = call(hall, category="complaint", content="窗口人员推诿，让我跑了三次")
        consult = call(hall, category="consult")
        with pytest.raises(ValidationError):
            actions.transfer_to_complaint(consult, by=hall["operator"])
        complaint = actions.transfer_to_complaint(
            order, by=hall["operator"], department=hall.catalog.departments["scjg"]
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.TRANSFERRED and order.complaint == complaint
    assert order.clock.state == ClockState.STOPPED
    assert complaint.channel == ComplaintChannel.HOTLINE and complaint.clock.kind == ClockKind.COMPLAINT
    assert complaint.complainant_name == "张三" and complaint.phone == "13800138000"
    assert complaint.received_by == hall["operator"]
