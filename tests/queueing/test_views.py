"""The queue pages over HTTP: the kiosk without login (and its throttle), the ticket, the calling page and its
permissions, the call screen, the big-screen panel, the public statistics and the window intake linking a ticket."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from govhall.cases.models import Case
from govhall.queueing import actions
from govhall.queueing.choices import TicketChannel, TicketStatus
from govhall.queueing.models import Ticket
from tests.workbench.conftest import intake_data

from .conftest import QueueHall

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(qhall: QueueHall, at: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    with at(2026, 3, 2, 10, 0):
        yield


def client_for(qhall: QueueHall, username: str) -> Client:
    client = Client()
    client.force_login(qhall[username])
    return client


def test_kiosk_gives_a_ticket_without_login(qhall: QueueHall) -> None:
    kiosk = Client()
    page = kiosk.get("/queue/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "自助取号" in html and "综合受理" in html and "htmx.min.js" in html and "//cdn" not in html
    actions.take_ticket(queue=qhall.comprehensive)  # one person already waiting
    response = kiosk.post("/queue/", {"queue": qhall.comprehensive.pk, "hall": qhall.a05.hall_id})
    assert response.status_code == 302
    ticket = Ticket.objects.get(number="A002")
    assert response["Location"] == f"/queue/t/{ticket.code}/?kiosk=1"
    assert ticket.channel == TicketChannel.KIOSK and ticket.taken_by is None
    shown = kiosk.get(response["Location"]).content.decode()
    assert "A002" in shown and re.search(r'data-testid="ahead">1<', shown) and "预计等候约" in shown


def test_kiosk_by_item_search(qhall: QueueHall) -> None:
    kiosk = Client()
    found = kiosk.get("/queue/items/", {"q": "营业执照", "hall": qhall.a05.hall_id}).content.decode()
    assert "企业营业执照设立登记" in found and "综合受理" in found
    item = qhall.hall.item("企业营业执照设立登记")
    response = kiosk.post("/queue/", {"item": item.pk, "hall": qhall.a05.hall_id})
    assert response.status_code == 302
    assert Ticket.objects.get().item == item


def test_kiosk_bad_input_is_a_clear_error_and_creates_nothing(qhall: QueueHall) -> None:
    kiosk = Client()
    response = kiosk.post("/queue/", {"queue": "abc", "hall": qhall.a05.hall_id})
    assert response.status_code == 400 and "请选择要办理的业务" in response.content.decode()
    assert kiosk.get("/queue/", {"hall": "x"}).status_code == 404
    assert kiosk.get("/queue/t/nope/").status_code == 404
    assert not Ticket.objects.exists()


def test_kiosk_is_throttled_per_address(qhall: QueueHall, settings: Any) -> None:
    settings.GOVHALL_THROTTLE_TICKET_IP = (3, 600)
    kiosk = Client(REMOTE_ADDR="10.1.2.3")
    codes = [kiosk.post("/queue/", {"queue": qhall.comprehensive.pk}).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Ticket.objects.count() == 3
    refused = kiosk.post("/queue/", {"queue": qhall.comprehensive.pk})
    assert "取号过于频繁" in refused.content.decode() and int(refused["Retry-After"]) > 0
    # Another kiosk is not affected.
    assert (
        Client(REMOTE_ADDR="10.1.2.4").post("/queue/", {"queue": qhall.comprehensive.pk}).status_code == 302
    )


def test_call_page_needs_a_window_clerk(qhall: QueueHall) -> None:
    anonymous = Client().get("/queue/call/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    applicant = client_for(qhall, "applicant")
    refused = applicant.get("/queue/call/")
    assert refused.status_code == 403 and "窗口工作人员" in refused.content.decode()
    assert applicant.post("/queue/call/next/").status_code == 403
    assert client_for(qhall, "approver").get("/queue/call/").status_code == 403
    assert client_for(qhall, "clerk").get("/queue/call/").status_code == 200


def test_a_clerk_without_window_is_told_why(qhall: QueueHall) -> None:
    from govhall.org.models import StaffProfile

    StaffProfile.objects.filter(user=qhall["clerk2"]).update(window=None)
    response = client_for(qhall, "clerk2").get("/queue/call/")
    assert response.status_code == 403 and "没有分配在岗窗口" in response.content.decode()


def test_calling_through_the_page_and_the_screen(qhall: QueueHall) -> None:
    actions.take_ticket(queue=qhall.comprehensive)
    actions.take_ticket(queue=qhall.comprehensive)
    clerk = client_for(qhall, "clerk")
    assert clerk.post("/queue/call/next/").status_code == 302
    page = clerk.get("/queue/call/").content.decode()
    assert 'data-testid="current-number">A001<' in page and "已叫号：A001" in page
    assert 'data-testid="waiting-count">1<' in page
    board = Client().get("/queue/screen/board/", {"hall": qhall.a05.hall_id}).content.decode()
    assert 'data-testid="latest-number">A001<' in board and "A05" in board
    screen = Client().get("/queue/screen/").content.decode()
    assert 'hx-trigger="every 5s"' in screen and "A001" in screen
    a1 = Ticket.objects.get(number="A001")
    # Wrong actions answer with a message, never a 500.
    assert clerk.post("/queue/call/finish/", {"ticket": a1.pk}).status_code == 302
    assert "不能结束办理" in clerk.get("/queue/call/").content.decode()
    assert clerk.post("/queue/call/recall/", {"ticket": "x"}).status_code == 302
    assert clerk.post("/queue/call/bogus/").status_code == 404
    clerk.post("/queue/call/serve/", {"ticket": a1.pk})
    clerk.post("/queue/call/transfer/", {"ticket": a1.pk, "window": qhall.a06.pk, "note": "转市场监管"})
    a1.refresh_from_db()
    assert (a1.status, a1.target_window) == (TicketStatus.WAITING, qhall.a06)
    # Another window's clerk cannot act on a ticket at A05.
    clerk.post("/queue/call/next/")
    a2 = Ticket.objects.get(number="A002")
    assert client_for(qhall, "clerk3").post("/queue/call/serve/", {"ticket": a2.pk}).status_code == 403
    a2.refresh_from_db()
    assert a2.status == TicketStatus.CALLED


def test_clerk_takes_a_ticket_for_a_person(qhall: QueueHall) -> None:
    clerk = client_for(qhall, "clerk")
    clerk.post("/queue/call/take/", {"queue": qhall.market.pk})
    ticket = Ticket.objects.get()
    assert (ticket.number, ticket.channel, ticket.taken_by) == ("B001", TicketChannel.WINDOW, qhall["clerk"])


def test_window_intake_links_the_served_ticket(qhall: QueueHall) -> None:
    item = qhall.hall.item("企业营业执照设立登记")
    ticket = actions.take_ticket(item=item, hall=qhall.a05.hall)
    clerk = client_for(qhall, "clerk")
    clerk.post("/queue/call/next/")
    clerk.post("/queue/call/serve/", {"ticket": ticket.pk})
    url = f"/workbench/intake/{item.impl_code}/"
    assert "正在办理排队号 <strong>A001</strong>" in clerk.get(url).content.decode()
    response = clerk.post(url, intake_data(item))
    assert response.status_code == 302
    case = Case.objects.get()
    ticket.refresh_from_db()
    assert ticket.case == case
    assert "（排队号 A001）" in clerk.get(response["Location"]).content.decode()
    page = clerk.get("/queue/call/").content.decode()
    assert case.number in page


def test_big_screen_panel_and_published_waits(qhall: QueueHall, at: Any) -> None:
    ticket = actions.take_ticket(queue=qhall.comprehensive)
    with at(2026, 3, 2, 10, 12):
        actions.call_next(by=qhall["clerk"])
        actions.take_ticket(queue=qhall.comprehensive)
        panel = Client().get("/queue/screen/waits/").content.decode()
    assert "A05 企业开办综合窗口" in panel and "12.0 分钟" in panel
    supervisor_screen = client_for(qhall, "clerk").get("/screen/")
    # The supervision screen itself is for supervisors; its template loads the panel by HTMX.
    from django.template.loader import get_template

    assert "queueing:waits" in get_template("supervision/screen.html").template.source
    assert supervisor_screen.status_code in (302, 403)
    public = Client().get("/stats/public/", {"month": "2026-03"}).content.decode()
    assert "窗口排队等候时间" in public
    assert re.search(r'data-testid="average-wait">12.0<', public)
    assert ticket.pk


def test_call_page_in_english(qhall: QueueHall) -> None:
    # The clerk's call page follows the language switch (a cookie); without it it stays Chinese.
    actions.take_ticket(queue=qhall.comprehensive)
    clerk = client_for(qhall, "clerk")
    assert clerk.post("/i18n/setlang/", {"language": "en", "next": "/queue/call/"}).status_code == 302
    page = clerk.get("/queue/call/").content.decode()
    assert 'lang="en"' in page and "Calling · Window A05" in page
    assert '<span data-testid="waiting-count">1</span> waiting' in page and "Call next" in page
    assert "叫下一号" not in page
    chinese = client_for(qhall, "clerk").get("/queue/call/").content.decode()
    assert 'lang="zh-CN"' in chinese and "叫下一号" in chinese


def test_kiosk_and_screen_in_english(qhall: QueueHall) -> None:
    visitor = Client()
    assert visitor.post("/i18n/setlang/", {"language": "en", "next": "/queue/"}).status_code == 302
    kiosk = visitor.get("/queue/").content.decode()
    assert "By service" in kiosk and "按业务取号" not in kiosk
    screen = visitor.get("/queue/screen/").content.decode()
    assert "Current number at each window" in screen and "各窗口当前号" not in screen
