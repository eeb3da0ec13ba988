"""Staff pages in a real browser (issue 12): each role's home and navigation (what shows and what answers 403), a
filtered case search exported to Excel and opened, and a manual 督办 from an alert answered late and flagged.

One hall per test; staff are signed in by putting a session cookie in the browser context (the login page itself is
covered by the case-flow test), which keeps the role tour fast."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook
from playwright.sync_api import expect

from govhall.cases import actions
from govhall.cases.actions import ApplicantData
from govhall.cases.models import Case, Task
from govhall.clocks.models import Clock
from govhall.core.clock import now
from govhall.org.actions import create_staff
from govhall.stats.refresh import refresh_facts
from govhall.supervision.actions import sweep_once
from govhall.supervision.models import Alert, SupervisionOrder
from tests.cases.conftest import PERSON, Hall, build_hall, uploads_for

pytestmark = [pytest.mark.browser]

CANCEL = "企业营业执照注销登记"  # 市场监管局
OTHER = ApplicantData(kind="person", name="李四", id_number="110105198001010016", phone="13900139000")
# role → (a page its navigation offers, a page it must be refused)
TOUR = {
    "clerk": ("workbench:intake_search", "/supervision/"),
    "approver": ("workbench:tasks", "/stats/monthly/"),
    "head": ("workbench:tasks", "/screen/"),
    "supervisor": ("supervision:board", "/workbench/intake/"),
    "leader": ("screens:screen", "/complaints/"),
    "performance": ("stats:monthly", "/supervision/"),
    "legal": ("workbench:cases", "/stats/monthly/"),
    "hotline": ("workbench:cases", "/supervision/"),
    "root": ("supervision:board", "/complaints/"),
}
PANEL = {
    "clerk": "window_clerk",
    "approver": "approver",
    "head": "department_head",
    "supervisor": "supervisor",
    "leader": "leader",
    "performance": "performance_officer",
    "legal": "legal_officer",
    "hotline": "hotline_operator",
    "root": "center_admin",
}


@pytest.fixture
def staff_hall(live_server: Any, reference_data: None, settings: Any, tmp_path: Path) -> Hall:
    settings.MEDIA_ROOT = tmp_path / "media"
    hall = build_hall()
    for n, (username, role) in enumerate(
        [
            ("supervisor", "supervisor"),
            ("leader", "leader"),
            ("performance", "performance_officer"),
            ("legal", "legal_officer"),
            ("hotline", "hotline_operator"),
        ]
    ):
        hall.users[username] = create_staff(username, f"测试{n}", f"B{n:03d}", (role,), []).user
    hall.users["root"] = get_user_model().objects.create_superuser("root", password="x")
    return hall


def signed_in(new_page: Any, base: str, user: Any, **options: Any) -> Any:
    client = Client()
    client.force_login(user)
    page = new_page(**options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return page


def accept(hall: Hall, applicant: ApplicantData = PERSON) -> Case:
    item = hall.item(CANCEL)
    case = actions.submit_application(
        item=item, applicant=applicant, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )
    actions.accept_case(case, by=hall["clerk"])
    return case


@pytest.mark.django_db(transaction=True)
def test_each_role_has_a_home_and_a_navigation_of_what_it_may_open(
    live_server: Any, staff_hall: Hall, new_page: Any
) -> None:
    base = live_server.url
    for username, (offered, refused) in TOUR.items():
        page = signed_in(new_page, base, staff_hall[username])
        page.goto(f"{base}/workbench/")
        expect(page.locator(f"#panel-{PANEL[username]}")).to_be_visible()
        nav = page.locator("nav.staff-nav")
        link = nav.locator(f'a[data-nav="{offered}"]')
        expect(link).to_be_visible()
        link.click()
        expect(page.locator("h1").first).to_be_visible()
        assert "无权访问" not in page.content(), username
        response = page.goto(f"{base}{refused}")
        assert response is not None and response.status == 403, (username, refused)
        expect(page.locator("h1")).to_contain_text("无权访问")
        assert "Forbidden" not in page.content()
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_a_filtered_case_search_is_exported_to_excel(
    live_server: Any, staff_hall: Hall, new_page: Any, tmp_path: Path
) -> None:
    base = live_server.url
    mine, other = accept(staff_hall), accept(staff_hall, OTHER)
    page = signed_in(new_page, base, staff_hall["approver"], accept_downloads=True)
    page.goto(f"{base}/workbench/cases/")
    expect(page.locator("#results")).to_contain_text(other.number)
    page.get_by_label("证件号码（完整）").fill(PERSON.id_number)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#results")).not_to_contain_text(other.number)
    expect(page.locator("#results")).to_contain_text("110105********002X")
    with page.expect_download() as info:
        page.locator("#export-link").click()
    path = tmp_path / "cases.xlsx"
    info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [mine.number]
    assert rows[0][2] == "张三" and rows[0][3] == "110105********002X" and rows[0][4] == "138****8000"

    # The public table at 1366 px: the department's name stays on one line (it wrapped one character a line).
    refresh_facts()
    public = new_page(viewport={"width": 1366, "height": 900})
    public.goto(f"{base}/stats/public/")
    name = public.locator("#by-department tbody th.dept-name").first
    expect(name).to_contain_text("市场监督管理局")
    box = name.bounding_box()
    line = public.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#by-department tbody th')).lineHeight)"
    )
    assert box is not None and box["height"] < 2 * line + 16, box


@pytest.mark.django_db(transaction=True)
def test_a_manual_order_from_an_alert_answered_late_is_flagged(
    live_server: Any, staff_hall: Hall, new_page: Any
) -> None:
    base = live_server.url
    case = accept(staff_hall)
    task = Task.objects.get(case=case, status="open")
    # The step is in its warning period: the watcher raises a yellow alert (no order is issued for yellow).
    moment = now() - dt.timedelta(minutes=1)
    Clock.objects.filter(pk=task.clock_id).update(warn_at=moment, next_check_at=moment)
    sweep_once()
    alert = Alert.objects.get(task=task, level="yellow")

    supervisor = signed_in(new_page, base, staff_hall["supervisor"])
    supervisor.goto(f"{base}/supervision/?level=yellow")
    supervisor.locator(f'a[data-order-alert="{alert.pk}"]').click()
    supervisor.get_by_label("督办内容").fill("预警未处理，请说明原因并加快办理")
    supervisor.get_by_label("答复时限（工作日）").fill("1")
    supervisor.get_by_role("button", name="发出督办").click()
    expect(supervisor.locator("#order-status")).to_have_text("待答复")
    order = SupervisionOrder.objects.get(alert=alert)
    assert order.origin == "manual" and order.issued_by == staff_hall["supervisor"]

    # Its answer limit passes before the head answers.
    Clock.objects.filter(pk=order.clock_id).update(due_at=now() - dt.timedelta(hours=1))
    head = signed_in(new_page, base, staff_hall["head"])
    head.goto(f"{base}/workbench/")
    head.locator("#panel-department_head").get_by_role("link", name=order.number).click()
    head.get_by_label("答复内容（原因及整改措施）").fill("已督促经办人办结")
    head.get_by_role("button", name="提交答复").click()
    expect(head.locator("#order-status")).to_have_text("逾期答复")
    expect(head.locator("#late-answer")).to_be_visible()
    order.refresh_from_db()
    assert order.status == "late" and order.answer == "已督促经办人办结"
