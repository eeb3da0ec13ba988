from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest_data import BUSINESS_LICENCE_NAMES, add_filler_items

pytestmark = pytest.mark.django_db

ITEMS_URL = "/items/"


def row_names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<h2 class="item-name"><a href="[^"]+">([^<]+)</a>', html)


def test_home_shows_search_stats_and_departments(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html data-theme="light" lang="zh-CN">' in html
    assert 'action="/items/"' in html and 'name="q"' in html
    assert "县市场监督管理局" in html and "4项" in html
    assert "县司法局" not in html  # nothing published: not offered as a starting point
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "/static/vendor/pico/pico.min.css" in html
    assert not re.search(r'(src|href)="https?://', html)


def test_list_shows_published_only(client, catalog):
    response = client.get(ITEMS_URL)
    assert response.status_code == 200
    names = row_names(response)
    assert len(names) == len(catalog.published) == 11
    assert "城镇污水排入排水管网许可" not in names
    assert "药品零售企业经营许可" not in names
    assert "共 11 项事项" in response.content.decode()


def test_row_content(client, catalog):
    html = client.get(ITEMS_URL, {"q": "企业营业执照设立登记"}).content.decode()
    item = catalog.item("企业营业执照设立登记")
    assert f'href="/items/{item.impl_code}/"' in html
    assert "县市场监督管理局" in html
    assert "行政许可" in html
    assert "<strong>1个工作日</strong>" in html
    assert "法定 15个工作日" in html
    assert "0次（零跑动）" in html
    assert 'class="badge badge-green">即办件' in html
    assert "四级：全程网办" in html


def test_search_business_licence(client, catalog):
    response = client.get(ITEMS_URL, {"q": "营业执照"})
    assert set(row_names(response)) == BUSINESS_LICENCE_NAMES
    assert "找到与“营业执照”相关的事项 2 项" in response.content.decode()


def test_search_without_results(client, catalog):
    response = client.get(ITEMS_URL, {"q": "不存在的事项"})
    assert row_names(response) == []
    assert "没有找到符合条件的事项" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"item_type": "07"}, {"内地居民婚姻登记", "居民身份证申领"}),
        ({"visits": "2"}, {"居民身份证申领"}),
        ({"online_depth": "4", "handling_kind": "promised"}, {"食品经营许可证核发", "失业保险金申领"}),
        (
            {"handling_kind": "instant", "q": "登记"},
            {"企业营业执照设立登记", "个体工商户设立登记", "内地居民婚姻登记"},
        ),
    ],
)
def test_filters(client, catalog, params, expected):
    assert set(row_names(client.get(ITEMS_URL, params))) == expected


def test_department_filter(client, catalog):
    dept = catalog.departments["zjj"]
    response = client.get(ITEMS_URL, {"department": dept.pk})
    assert set(row_names(response)) == {"建筑工程施工许可证核发", "商品房预售许可"}
    # The chosen department stays selected in the form.
    assert f'<option value="{dept.pk}" selected>' in response.content.decode()


def test_bad_filter_values_are_ignored_not_errors(client, catalog):
    response = client.get(ITEMS_URL, {"department": "abc", "visits": "9", "item_type": "xx", "page": "zz"})
    assert response.status_code == 200
    assert len(row_names(response)) == 11


def test_pagination(client, catalog):
    add_filler_items(catalog.departments["sfj"], 25)
    first = client.get(ITEMS_URL)
    assert len(row_names(first)) == 20
    html = first.content.decode()
    assert "第 1 / 2 页" in html
    assert 'href="?page=2"' in html
    second = client.get(ITEMS_URL, {"page": 2})
    assert len(row_names(second)) == 16
    assert set(row_names(first)).isdisjoint(row_names(second))
    # Paging keeps the filters.
    filtered = client.get(ITEMS_URL, {"item_type": "20"}).content.decode()
    assert 'href="?item_type=20&amp;page=2"' in filtered
    # Out-of-range pages show the last page instead of failing.
    assert row_names(client.get(ITEMS_URL, {"page": 99})) == row_names(second)


def test_htmx_request_returns_only_the_partial(client, catalog):
    full = client.get(ITEMS_URL, {"q": "营业执照"})
    partial = client.get(ITEMS_URL, {"q": "营业执照"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    html = partial.content.decode()
    assert "<html" not in html and "<form" not in html
    assert set(row_names(partial)) == BUSINESS_LICENCE_NAMES
    # The language switcher's return address follows the pushed URL.
    assert 'id="lang-next"' in html and 'hx-swap-oob="true"' in html
    assert "HX-Request" in partial["Vary"] and "HX-Request" in full["Vary"]
    # A history restore after a cache miss needs the whole page.
    restore = client.get(
        ITEMS_URL, {"q": "营业执照"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_filter_form_is_wired_for_htmx_and_plain_get(client, catalog):
    html = client.get(ITEMS_URL).content.decode()
    form = re.search(r'<form id="item-filters"[^>]*>', html, re.S)
    assert form
    tag = form.group(0)
    assert 'method="get"' in tag and 'action="/items/"' in tag
    assert 'hx-get="/items/"' in tag and 'hx-target="#results"' in tag and 'hx-push-url="true"' in tag
    assert 'id="results"' in html


def test_list_query_count(client, catalog):
    add_filler_items(catalog.departments["sfj"], 15)
    with CaptureQueriesContext(connection) as queries:
        client.get(ITEMS_URL, {"q": "事项"})
    # departments for the filter, count, page (+ session/none): independent of the number of rows.
    assert len(queries) <= 4


def test_guide_shows_every_section(client, catalog):
    item = catalog.item("企业营业执照设立登记")
    response = client.get(reverse("portal:item_detail", args=[item.impl_code]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "<h1>企业营业执照设立登记</h1>",
        item.basic_code,
        item.impl_code,
        "行政许可",
        "县市场监督管理局",
        "法定本级行使",
        "县级",
        "自然人、法人及其他组织",
        "《企业营业执照设立登记管理办法》第十条",
        "材料齐全、符合法定形式",
        # materials: name, required, form, copies, source, e-licence, downloads, notes
        "公司登记（备案）申请书",
        "非必要",
        "原件和复印件",
        "政府部门核发",
        "可用电子证照替代",
        "/materials/",
        "/form/",
        "/sample/",
        "法定代表人签字",
        "不收费",
        "1个工作日",
        "15个工作日",
        "93%",
        "即办件",
        "0次（零跑动）",
        "四级：全程网办",
        "县政务服务中心·综合服务大厅 1楼 A05号窗口（企业开办综合窗口）",
        "县政务服务中心一楼",
        "0311-87654321",
        "12345",
        "即办流程",
        "营业执照",
        f"版本 {item.version}",
        "最后更新",
    ]:
        assert text in html, text


def test_guide_fees_and_special_procedures(client, catalog):
    html = client.get(f"/items/{catalog.item('居民身份证申领').impl_code}/").content.decode()
    assert "居民身份证工本费" in html and "20元/证" in html and "可减免" in html
    assert "不收费" not in html
    assert "上级委托" in html
    assert "60个自然日" in html and "20个自然日" in html
    dibao = client.get(f"/items/{catalog.item('最低生活保障对象认定').impl_code}/").content.decode()
    assert "公示、现场勘查" in dibao


def test_guide_query_count(client, catalog):
    code = catalog.item("企业营业执照设立登记").impl_code
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/items/{code}/")
    # item with materials and fees, then the active process version for the flowchart (another server may switch it)
    assert len(queries) <= 4


def _links(html: str) -> dict[str, str]:
    """The guide's action links by id: href."""
    block = re.search(r'<p class="guide-actions">(.*?)</p>', html, re.S)
    assert block, "no action links on the guide"
    return dict(
        (ident, href) for href, ident in re.findall(r'<a href="([^"]+)"[^>]*\bid="([^"]+)"', block.group(1))
    )


@pytest.mark.parametrize(
    ("name", "depth", "can_apply"),
    [
        ("企业营业执照设立登记", "4", True),
        ("企业营业执照注销登记", "3", True),
        ("社会保障卡申领", "2", False),
        ("最低生活保障对象认定", "1", False),
    ],
)
def test_guide_offers_online_application_from_depth_three(client, catalog, name, depth, can_apply):
    item = catalog.item(name)
    assert item.online_depth == depth
    html = client.get(f"/items/{item.impl_code}/").content.decode()
    links = _links(html)
    assert links["progress-link"] == "/progress/"
    assert "办件进度查询" in html
    if can_apply:
        assert links["apply-online"] == f"/apply/{item.impl_code}/"
        assert "在线申请" in html
    else:
        assert "apply-online" not in links
        assert "/apply/" not in html and "在线申请" not in html


def test_guide_links_lead_to_the_application_and_progress_pages(client, catalog):
    item = catalog.item("企业营业执照设立登记")
    links = _links(client.get(f"/items/{item.impl_code}/").content.decode())
    # Applying needs an account: a visitor is sent to log in and comes back to this item's form.
    response = client.get(links["apply-online"])
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/login/"
    assert parse_qs(location.query)["next"] == [links["apply-online"]]
    assert client.get(links["progress-link"]).status_code == 200


@pytest.mark.parametrize("name", ["城镇污水排入排水管网许可", "药品零售企业经营许可"])
def test_unpublished_guide_is_404(client, catalog, name):
    response = client.get(f"/items/{catalog.item(name).impl_code}/")
    assert response.status_code == 404
    assert "没有找到该事项" in response.content.decode()


def test_unknown_code_is_chinese_404(client, catalog):
    response = client.get("/items/NOSUCHCODE/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "查看事项目录" in html


def test_unknown_page_uses_site_404(client, catalog):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_department_page(client, catalog):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/departments/")
    assert response.status_code == 200
    assert len(queries) <= 2
    html = response.content.decode()
    dept = catalog.departments["scjg"]
    assert "县市场监督管理局" in html and dept.uscc in html and "经济管理" in html
    assert f'href="/items/?department={dept.pk}">4</a>' in html
    assert "县司法局" in html
