"""A 12345 operator records a call as a work order and dispatches it; the department's approver answers it. Both log
in through the login page in their own browser; nothing is done behind the browser's back but building the hall."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from govhall.calendars import engine
from govhall.hotline.models import WorkOrder
from tests.cases.conftest import Hall, build_hall
from tests.hotline.conftest import add_hotline_staff

pytestmark = [pytest.mark.browser]

PASSWORD = "browser-hotline-pw"


@pytest.fixture
def hotline_hall(live_server: Any, reference_data: None, settings: Any) -> Hall:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hall = add_hotline_staff(build_hall())
    for username in ("operator", "zj_approver"):
        user = hall[username]
        user.set_password(PASSWORD)
        user.save()
    engine.get_calendar()  # the snapshot, loaded outside the server's transactions (shared in-memory SQLite)
    return hall


def login(new_page: Any, base: str, username: str, next_path: str) -> Any:
    page = new_page()
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{base}{next_path}")
    return page


def test_operator_records_and_dispatches_department_answers(
    hotline_hall: Hall, live_server: Any, new_page: Any
) -> None:
    base = live_server.url
    operator = login(new_page, base, "operator", "/hotline/")
    form = operator.locator("#new-order form")
    form.get_by_label("类别").select_option(label="求助")
    form.get_by_label("紧急程度").select_option(label="一般")
    form.get_by_label("来电人").fill("张三")
    form.get_by_label("来电号码").fill("13800138000")
    form.get_by_label("诉求内容").fill("幸福小区路灯损坏一个月，夜间出行不便")
    form.get_by_role("button", name="登记工单").click()
    expect(operator.locator(".messages")).to_contain_text("已登记工单")
    order = WorkOrder.objects.get()
    expect(operator.locator("#order-status")).to_have_text("已登记")
    dispatch = operator.locator("#dispatch-form")
    dispatch.get_by_label("承办部门").select_option(label="县住房和城乡建设局")
    dispatch.get_by_role("button", name="派单").click()
    expect(operator.locator(".messages")).to_contain_text("已派单至县住房和城乡建设局")
    expect(operator.locator("#order-department")).to_have_text("县住房和城乡建设局")

    department = login(new_page, base, "zj_approver", "/hotline/")
    department.get_by_role("link", name=order.number).click()
    expect(department.locator("#order-status")).to_have_text("已派单")
    answer = department.locator("#answer-form")
    answer.get_by_label("答复内容").fill("已安排维修人员，3日内修复")
    answer.get_by_role("button", name="提交答复").click()
    expect(department.locator(".messages")).to_contain_text("已答复")
    expect(department.locator("#order-status")).to_have_text("已答复")
    expect(department.locator("#order-answer")).to_contain_text("已安排维修人员")
    history = department.locator("#order-history")
    expect(history).to_contain_text("派单")
    expect(history).to_contain_text("答复")

    # Back at the hotline: the order waits for its call-back.
    operator.reload()
    expect(operator.locator("#order-status")).to_have_text("已答复")
    expect(operator.locator("#callback-form")).to_be_visible()
