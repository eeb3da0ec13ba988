"""A citizen searches the disclosure catalog, opens a record by its index number, files an information request,
and — once the officer has answered (through the action) — downloads the sealed answer from the progress page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from govhall.calendars import engine
from govhall.disclosure import actions
from govhall.disclosure.models import InfoRequest
from tests.disclosure.conftest import ID_NUMBER, build_county

pytestmark = [pytest.mark.browser]


def test_citizen_finds_a_record_requests_and_downloads_the_answer(
    live_server: Any, reference_data: None, settings: Any, new_page: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    county = build_county()
    record = actions.publish_record(
        actor=county.officer,
        organ=county.organ,
        title="城区控制性详细规划批复",
        category="plan",
        document_number="县政复〔2026〕12号",
        summary="城东片区控制性详细规划的批复",
    )
    actions.publish_record(
        actor=county.officer, organ=county.organ, title="2026年部门预算", category="budget"
    )
    engine.get_calendar()
    base = live_server.url
    page = new_page()
    page.goto(f"{base}/disclosure/")
    page.locator("#search-form").get_by_label("检索").fill("详细规划")
    page.locator("#search-form").get_by_role("button", name="检索").click()
    rows = page.locator("#records tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(record.index_number or "")

    page.get_by_label("按索引号查看").fill(record.index_number or "")
    page.locator("#lookup-form").get_by_role("button", name="查看").click()
    expect(page.locator("#index-number")).to_have_text(record.index_number or "")
    page.get_by_role("link", name="没有找到需要的信息？申请政府信息公开").click()

    form = page.locator("#request-form")
    form.get_by_label("向哪个机关申请").select_option(label="县自然资源局")
    form.get_by_label("姓名或名称").fill("李明")
    form.get_by_label("身份证号码或统一社会信用代码").fill(ID_NUMBER)
    form.get_by_label("联系电话").fill("13800138000")
    form.get_by_label("所需信息的描述（名称、文号或其他特征）").fill("城东片区控制性详细规划图则")
    form.get_by_role("button", name="提交申请").click()
    number = page.locator("#request-number").inner_text()
    code = page.locator("#check-code").inner_text()

    info = InfoRequest.objects.get(number=number)
    actions.answer_request(
        info,
        by=county.officer,
        outcome="partly",
        reason_category="third_party",
        answer_text="提供城东片区图则；涉及个人信息的部分不予公开。",
    )

    page.goto(f"{base}/disclosure/progress/")
    page.get_by_label("申请编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#progress-status")).to_have_text("已答复")
    with page.expect_download() as download:
        page.locator("#answer-pdf").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
