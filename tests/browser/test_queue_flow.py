"""取号 → 叫号 → 办理 → 办件: a ticket taken at the touch-screen kiosk, called on the clerk's page and shown on the
hall's call screen (which refreshes itself), served, and turned into a case at the window intake."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from govhall.cases.models import Case
from govhall.queueing.choices import TicketStatus
from govhall.queueing.models import Ticket
from tests.cases.conftest import PDF
from tests.queueing.conftest import QueueHall, build_queue_hall

pytestmark = [pytest.mark.browser]

PASSWORD = "browser-queue-pw"
ITEM = "企业营业执照设立登记"  # an instant item received at the comprehensive window A05


@pytest.fixture
def queue_hall(live_server: Any, reference_data: None, settings: Any, tmp_path: Path) -> QueueHall:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    qhall = build_queue_hall()
    for user in qhall.hall.users.values():
        user.set_password(PASSWORD)
        user.save()
    return qhall


@pytest.mark.django_db(transaction=True)
def test_ticket_taken_called_shown_served_and_turned_into_a_case(
    live_server: Any, queue_hall: QueueHall, new_page: Any
) -> None:
    base = live_server.url
    # 1. The kiosk: a portrait touch screen, nobody signed in; the person finds the item and takes a ticket.
    kiosk = new_page(viewport={"width": 1080, "height": 1600}, has_touch=True)
    kiosk.goto(f"{base}/queue/")
    expect(kiosk.get_by_role("heading", name=re.compile("自助取号"))).to_be_visible()
    kiosk.get_by_label("事项名称").fill("营业执照")
    kiosk.get_by_role("button", name=re.compile(ITEM)).tap()
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A001")
    expect(kiosk.get_by_test_id("ahead")).to_have_text("0")

    # 2. The hall's call screen is open before the call: it must pick the call up by itself.
    screen = new_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{base}/queue/screen/")
    expect(screen.get_by_text("欢迎办事，请取号等候叫号")).to_be_visible()

    # 3. The clerk at window A05 calls the next number.
    clerk = new_page()
    clerk.goto(f"{base}/accounts/login/?next=/queue/call/")
    clerk.get_by_label("账号").fill("clerk")
    clerk.get_by_label("密码").fill(PASSWORD)
    clerk.get_by_role("button", name="登录", exact=True).click()
    clerk.wait_for_url(f"{base}/queue/call/")
    expect(clerk.get_by_test_id("waiting-count")).to_have_text("1")
    clerk.get_by_role("button", name=re.compile("^叫下一号")).click()
    expect(clerk.get_by_test_id("current-number")).to_have_text("A001")
    expect(screen.get_by_test_id("latest-number")).to_have_text("A001", timeout=15_000)
    expect(screen.locator("#board")).to_contain_text("A05")

    # 4. The person arrives: the clerk starts serving and receives the application, which takes the ticket along.
    clerk.get_by_role("button", name="开始办理").click()
    expect(clerk.locator(".messages")).to_contain_text("A001 号开始办理")
    clerk.get_by_role("button", name=re.compile("受理申请")).click()
    clerk.get_by_label("事项名称").fill(ITEM)
    clerk.get_by_role("button", name="搜索").click()
    clerk.locator("tr", has_text=ITEM).get_by_role("link", name="收件").click()
    expect(clerk.get_by_text(re.compile("正在办理排队号\\s*A001"))).to_be_visible()
    clerk.get_by_label("证件号码").fill("11010519491231002X")
    clerk.get_by_label("姓名/名称").fill("张三")
    clerk.get_by_label("联系电话").fill("13800138000")
    for n, upload in enumerate(clerk.locator("input[type=file]").all()):
        upload.set_input_files({"name": f"m{n}.pdf", "mimeType": "application/pdf", "buffer": PDF})
    clerk.get_by_role("button", name="收件并生成办件").click()
    expect(clerk.locator(".messages")).to_contain_text("（排队号 A001）")
    case = Case.objects.get()

    # 5. Back at the calling page the ticket shows its case; the next call ends its service.
    clerk.goto(f"{base}/queue/call/")
    expect(clerk.locator(".current")).to_contain_text(case.number)
    clerk.get_by_role("button", name=re.compile("^叫下一号")).click()
    expect(clerk.locator(".messages")).to_contain_text("当前没有等候的号")
    ticket = Ticket.objects.get()
    assert (ticket.case_id, ticket.status) == (case.pk, TicketStatus.DONE)
    assert ticket.wait is not None and ticket.first_called_at is not None
