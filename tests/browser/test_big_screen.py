"""The big supervision screen in a real browser: a step that has just gone red shows in the red figures and at the top
of the overdue list, drawn by the page's own 15-second JSON refresh (ECharts served locally)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from govhall.cases import actions
from govhall.cases.models import Case, Task
from govhall.org.actions import create_staff
from tests.cases.conftest import PERSON, Hall, build_hall, local, uploads_for

pytestmark = [pytest.mark.browser]

PASSWORD = "browser-screen-pw"
CANCEL = "企业营业执照注销登记"  # promised 3 working days; review step 2


@pytest.fixture
def screen_hall(live_server: Any, reference_data: None, settings: Any) -> Hall:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        hall = build_hall()
        hall.users["supervisor"] = create_staff("supervisor", "钱监察", "T900", ("supervisor",), []).user
    for user in hall.users.values():
        user.set_password(PASSWORD)
        user.save()
    return hall


def accept(hall: Hall) -> Case:
    item = hall.item(CANCEL)
    case = actions.submit_application(
        item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )
    actions.accept_case(case, by=hall["clerk"])
    return case


@pytest.mark.django_db(transaction=True)
def test_a_step_that_has_just_gone_red_is_on_the_big_screen(
    live_server: Any, screen_hall: Hall, new_page: Any
) -> None:
    base = live_server.url
    # Accepted on Tuesday 3 March: its review step (2 working days) is due at 24:00 on Thursday, the case
    # (3 working days) at 24:00 on Friday. Another case, accepted on Monday, is due as a whole at 24:00 on Thursday.
    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        monday = accept(screen_hall)
    with time_machine.travel(local(2026, 3, 3, 10), tick=False):
        tuesday = accept(screen_hall)
    step = Task.objects.select_related("clock").get(case=tuesday, status="open")
    assert step.clock.due_at == local(2026, 3, 6, 0, 0)
    monday.refresh_from_db()
    assert monday.clock.due_at == local(2026, 3, 6, 0, 0)

    # One minute after both deadlines, with the clock running (the live server and the page share this time).
    with time_machine.travel(step.clock.due_at + dt.timedelta(minutes=1), tick=True):
        page = new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{base}/accounts/login/?next=/screen/")
        page.get_by_label("账号").fill("supervisor")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url(f"{base}/screen/")
        expect(page.locator("#data-at")).to_contain_text("2026-03-06 00:0")
        # The Monday case's promised clock has just gone red; the Tuesday case is on its last (yellow) day.
        expect(page.locator("#count-red")).to_have_text("1")
        expect(page.locator("#count-yellow")).to_have_text("1")
        expect(page.locator("#count-green")).to_have_text("0")
        # Steps: both reviews are red (Tuesday's just now, Monday's since Thursday 00:00).
        expect(page.locator("#count-step-red")).to_have_text("2")
        rows = page.locator("#overdue tbody tr")
        expect(rows).to_have_count(3)
        first, second = rows.nth(0), rows.nth(1)
        expect(first).to_contain_text(tuesday.number)
        expect(first).to_contain_text(step.step_name)
        expect(first).to_contain_text("县市场监督管理局")
        expect(first.locator("td.late")).to_have_text("1分钟")
        expect(second).to_contain_text(monday.number)
        expect(second).to_contain_text("整个办件")
        expect(second.locator("td.late")).to_have_text("1分钟")
        expect(rows.nth(2).locator("td.late")).to_have_text(
            "1天"
        )  # days and hours only, on a screen read from afar
        # ECharts (from /static/vendor/echarts/) drew the department bars and the trend.
        assert page.evaluate("typeof echarts") == "object"
        expect(page.locator("#chart-lights canvas")).to_have_count(1)
        expect(page.locator("#chart-trend canvas")).to_have_count(1)
        expect(page.locator("#status")).to_have_text("")
