"""Supervisor pages: the board (roles, red before yellow, links), answering a supervision order (only the head of its
department; the answer stops the order's clock), and the accountability decision form; bad input is a Chinese error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govhall.cases import actions
from govhall.clocks.choices import ClockState
from govhall.supervision.models import Accountability, Card, SupervisionOrder

from .conftest import accepted, local, open_task, sweep_at

STEP_DUE = local(2026, 3, 5, 0, 0)  # review: 2 working days from Monday 2 March
ORDER_DUE = local(2026, 3, 7, 0, 0)  # the order issued at STEP_DUE: 1 working day (Friday 6 March)
BOARD = "/supervision/"


def overdue_step(hall: Any, at: Any) -> tuple[Any, SupervisionOrder]:
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        task = open_task(case)
        actions.claim_task(task, by=hall["approver"])
    sweep_at(STEP_DUE)
    return case, SupervisionOrder.objects.get(alert__task=task)


def page(response: Any) -> str:
    return str(response.content.decode())


def test_board_is_for_supervisors_and_leaders(hall: Any, client: Any) -> None:
    assert client.get(BOARD).status_code == 302  # to the login page
    for name in ("approver", "head", "clerk"):
        client.force_login(hall[name])
        response = client.get(BOARD)
        assert response.status_code == 403, name
        assert "只有效能监察人员、领导和中心管理员可以查看" in page(response)
    for name in ("supervisor", "leader"):
        client.force_login(hall[name])
        assert client.get(BOARD).status_code == 200


def test_board_lists_red_alerts_first_with_case_links_orders_and_clocks(
    hall: Any, at: Any, client: Any
) -> None:
    with at(2026, 3, 2, 10):
        late = accepted(hall)
        actions.claim_task(open_task(late), by=hall["approver"])
    with at(2026, 3, 3, 10):
        soon = accepted(hall)  # its review step turns yellow when the first one turns red
    sweep_at(STEP_DUE)
    order = SupervisionOrder.objects.get(case=late)
    client.force_login(hall["supervisor"])
    with at(2026, 3, 5, 9):
        html = page(client.get(BOARD))
    rows = html.split('class="alert-row ')[1:]
    levels = [row.split('"')[0] for row in rows]
    assert "alert-red" in levels and "alert-yellow" in levels
    assert levels == sorted(levels, key=lambda level: level != "alert-red")  # red first, then yellow
    red = rows[0]
    assert f'href="/workbench/cases/{late.number}/"' in red
    assert "黄审批" in red and late.department.name in red and "2026-03-05 00:00" in red
    assert any(f"/workbench/cases/{soon.number}/" in row for row in rows if row.startswith("alert-yellow"))
    # The order, with its own light and remaining time, and a link to it.
    assert f'href="/supervision/orders/{order.pk}/"' in html
    assert "light light-green" in html and "剩余 1 个工作日" in html


def test_head_of_the_department_answers_the_order_and_its_clock_stops(
    hall: Any, at: Any, client: Any
) -> None:
    _case, order = overdue_step(hall, at)
    url = f"/supervision/orders/{order.pk}/"
    # Another department's head: no view, no answer.
    client.force_login(hall["zj_head"])
    assert client.get(url).status_code == 403
    with at(2026, 3, 5, 10):
        response = client.post(url, {"text": "已督促办结"})
    assert response.status_code == 403 and "负责人" in page(response)
    client.force_login(hall["approver"])
    assert client.get(url).status_code == 403
    # Supervisors read it, without the form, and cannot answer it.
    client.force_login(hall["supervisor"])
    html = page(client.get(url))
    assert order.number in html and 'name="text"' not in html
    assert client.post(url, {"text": "代答"}).status_code == 403
    order.refresh_from_db()
    assert order.answered_at is None
    # The head of the department: an empty answer is a Chinese error, then a real answer.
    client.force_login(hall["head"])
    with at(2026, 3, 5, 10):
        assert 'name="text"' in page(client.get(url))
        empty = client.post(url, {"text": "   "})
        assert empty.status_code == 400 and "请填写答复内容" in page(empty)
        done = client.post(url, {"text": "已督促办结，原因是材料核查延误。"})
    assert done.status_code == 302
    order.refresh_from_db()
    order.clock.refresh_from_db()
    assert order.status == "answered" and order.answered_by == hall["head"]
    assert order.clock.state == ClockState.STOPPED
    html = page(client.get(url))
    assert "已督促办结，原因是材料核查延误。" in html and 'name="text"' not in html
    with at(2026, 3, 5, 11):
        again = client.post(url, {"text": "再答一次"})
    assert again.status_code == 400 and "该督办单已答复" in page(again)
    # Answered in time: off the board, and its deadline passing brings no red card.
    client.force_login(hall["supervisor"])
    with at(2026, 3, 5, 12):
        assert f"/supervision/orders/{order.pk}/" not in page(client.get(BOARD))
    sweep_at(ORDER_DUE + dt.timedelta(hours=1))
    assert not Card.objects.filter(level="red").exists()


BAD_DECISIONS = [
    ({"type": "", "decision": "通报批评一次"}, "请选择追究方式"),
    ({"type": "beheading", "decision": "x"}, "请选择追究方式"),
    ({"type": "criticism", "decision": "  "}, "请填写决定内容"),
    ({}, "请选择追究方式"),
]


def test_bad_decision_input_is_a_chinese_error(hall: Any, at: Any, client: Any) -> None:
    _case, order = overdue_step(hall, at)
    sweep_at(ORDER_DUE)
    record = Accountability.objects.get(order=order)
    client.force_login(hall["supervisor"])
    for form, message in BAD_DECISIONS:
        response = client.post(f"/supervision/accountability/{record.pk}/", form)
        assert response.status_code == 400 and message in page(response), form
        record.refresh_from_db()
        assert record.status == "pending"


def test_supervisor_decides_accountability(hall: Any, at: Any, client: Any) -> None:
    _case, order = overdue_step(hall, at)
    sweep_at(ORDER_DUE)
    record = Accountability.objects.get(order=order)
    url = f"/supervision/accountability/{record.pk}/"
    client.force_login(hall["approver"])
    assert client.get(url).status_code == 403
    # The leader reads the pending record on the board and its page, but the decision is the supervisor's.
    client.force_login(hall["leader"])
    with at(2026, 3, 9, 9):
        assert url in page(client.get(BOARD))
    html = page(client.get(url))
    assert "待决定" in html and 'name="decision"' not in html
    assert client.post(url, {"type": "criticism", "decision": "通报批评"}).status_code == 403
    client.force_login(hall["supervisor"])
    form_html = page(client.get(url))
    assert 'name="decision"' in form_html and "诫勉谈话" in form_html
    with at(2026, 3, 9, 10):
        response = client.post(url, {"type": "admonition", "decision": "对黄审批进行诫勉谈话。"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.type, record.decided_by) == ("decided", "admonition", hall["supervisor"])
    assert record.decided_at == local(2026, 3, 9, 10)
    html = page(client.get(url))
    assert "诫勉谈话" in html and "对黄审批进行诫勉谈话。" in html and 'name="decision"' not in html
    again = client.post(url, {"type": "criticism", "decision": "再决定"})
    assert again.status_code == 400 and "已作出决定" in page(again)
    with at(2026, 3, 9, 11):
        assert url not in page(client.get(BOARD))


def test_unknown_records_are_404(hall: Any, client: Any) -> None:
    client.force_login(hall["supervisor"])
    assert client.get("/supervision/orders/999999/").status_code == 404
    assert client.get("/supervision/accountability/999999/").status_code == 404
