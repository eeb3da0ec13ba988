from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser]


def test_search_then_open_guide(live_server, live_catalog, page, screenshot):
    page.goto(f"{live_server.url}/items/")
    results = page.locator("#results")
    rows = results.locator(".item-row")
    published = len(live_catalog.published)
    assert rows.count() == published

    with page.expect_response(
        lambda r: "/items/?" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.get_by_role("searchbox").fill("营业执照")
    # HTMX swapped the list in place and pushed the search into the address bar.
    page.wait_for_function("document.querySelectorAll('#results .item-row').length === 2")
    assert re.search(r"[?&]q=", page.url)
    names = rows.locator(".item-name").all_inner_texts()
    assert set(names) == {"企业营业执照设立登记", "企业营业执照注销登记"}
    screenshot("catalog-search-results")

    page.get_by_role("link", name="企业营业执照设立登记").click()
    page.wait_for_url(re.compile(r"/items/[0-9A-Z]{31}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "企业营业执照设立登记"
    materials = page.locator("#materials table")
    assert materials.get_by_text("公司章程").is_visible()
    assert materials.get_by_role("link", name="空白表格").is_visible()
    limits = page.locator("#limits")
    assert "1个工作日" in limits.inner_text()
    assert "15个工作日" in limits.inner_text()
    assert "93%" in limits.inner_text()


def test_filter_without_typing(live_server, live_catalog, page):
    page.goto(f"{live_server.url}/items/")
    page.get_by_label("办件类型").select_option("instant")
    page.wait_for_function("document.querySelectorAll('#results .item-row').length === 3")
    assert "handling_kind=instant" in page.url


def test_works_without_javascript_on_a_phone(live_server, live_catalog, new_page):
    page = new_page(java_script_enabled=False, viewport={"width": 375, "height": 740}, is_mobile=True)
    page.goto(f"{live_server.url}/")
    page.get_by_role("searchbox").fill("食品经营")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"/items/\?q="))
    assert page.locator("#results .item-name").all_inner_texts() == ["食品经营许可证核发"]
    # The filter form submits as a plain GET when HTMX cannot run.
    page.get_by_label("到现场次数").select_option("2")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"visits=2"))
    assert "没有找到符合条件的事项" in page.locator("#results").inner_text()
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_english_switch(live_server, live_catalog, page):
    page.goto(f"{live_server.url}/items/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Service guides"
    assert page.get_by_role("button", name="简体中文").is_visible()


def test_api_docs_load_offline(live_server, page):
    # The hall's intranet has no Internet: every request the docs page makes must stay on this server.
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.get_by_text("/api/v1/items/{impl_code}").first.is_visible()
    assert outside == []
