from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate

from tests.conftest_data import BUSINESS_LICENCE_NAMES, add_filler_items

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["items"]}


def test_list_returns_published_items_only(client, catalog):
    response = client.get("/api/v1/items")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(catalog.published) == 11
    assert "城镇污水排入排水管网许可" not in names(response)  # draft
    assert "药品零售企业经营许可" not in names(response)  # suspended


def test_summary_fields(client, catalog):
    item = catalog.item("企业营业执照设立登记")
    row = next(r for r in client.get("/api/v1/items").json()["items"] if r["impl_code"] == item.impl_code)
    assert row == {
        "impl_code": item.impl_code,
        "basic_code": "000100101000",
        "name": "企业营业执照设立登记",
        "item_type": "01",
        "item_type_label": "行政许可",
        "department": {"id": item.department_id, "name": "县市场监督管理局"},
        "legal_limit": 15,
        "legal_limit_unit": "workday",
        "legal_limit_unit_label": "工作日",
        "promised_limit": 1,
        "promised_limit_unit": "workday",
        "promised_limit_unit_label": "工作日",
        "handling_kind": "instant",
        "handling_kind_label": "即办件",
        "visits": 0,
        "online_depth": "4",
        "online_depth_label": "四级：全程网办",
        "in_hall": True,
    }


def test_search_business_licence(client, catalog):
    response = client.get("/api/v1/items", {"q": "营业执照"})
    assert response.status_code == 200
    assert names(response) == BUSINESS_LICENCE_NAMES
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("食品经营许可", {"食品经营许可证核发"}),
        ("个体工商户", {"个体工商户设立登记"}),
        ("婚姻", {"内地居民婚姻登记"}),
        ("  营业执照　注销 ", {"企业营业执照注销登记"}),
        ("不存在的事项名称", set()),
    ],
)
def test_search_other_queries(client, catalog, query, expected):
    assert names(client.get("/api/v1/items", {"q": query})) == expected


def test_search_by_department_name(client, catalog):
    # search_text includes the department name, so a citizen can type the agency.
    found = names(client.get("/api/v1/items", {"q": "民政局"}))
    assert found == {"内地居民婚姻登记", "最低生活保障对象认定"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"item_type": "05"}, {"失业保险金申领", "最低生活保障对象认定"}),
        ({"visits": "2"}, {"居民身份证申领"}),
        ({"visits": "0"}, {"企业营业执照设立登记", "个体工商户设立登记", "失业保险金申领"}),
        ({"handling_kind": "instant"}, {"企业营业执照设立登记", "个体工商户设立登记", "内地居民婚姻登记"}),
        ({"online_depth": "1"}, {"最低生活保障对象认定"}),
        ({"online_depth": "4", "item_type": "01", "q": "许可"}, {"食品经营许可证核发"}),
    ],
)
def test_filters(client, catalog, params, expected):
    assert names(client.get("/api/v1/items", params)) == expected


def test_filter_by_department(client, catalog):
    dept = catalog.departments["rsj"]
    assert names(client.get("/api/v1/items", {"department": dept.pk})) == {"失业保险金申领", "社会保障卡申领"}
    assert client.get("/api/v1/items", {"department": 999_999}).json() == {"items": [], "count": 0}


def test_pagination(client, catalog):
    add_filler_items(catalog.departments["sfj"], 15)
    first = client.get("/api/v1/items").json()
    assert first["count"] == 26
    assert len(first["items"]) == 20
    second = client.get("/api/v1/items", {"offset": 20}).json()
    assert len(second["items"]) == 6
    assert {r["impl_code"] for r in first["items"]}.isdisjoint({r["impl_code"] for r in second["items"]})
    assert len(client.get("/api/v1/items", {"limit": 100}).json()["items"]) == 26
    small = client.get("/api/v1/items", {"limit": 5, "offset": 5}).json()
    assert [r["impl_code"] for r in small["items"]] == [r["impl_code"] for r in first["items"][5:10]]
    assert client.get("/api/v1/items", {"offset": 500}).json() == {"items": [], "count": 26}


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"limit": "101"}, "limit", "不能大于100"),
        ({"limit": "0"}, "limit", "不能小于1"),
        ({"limit": "abc"}, "limit", "应为整数"),
        ({"offset": "-1"}, "offset", "不能小于0"),
        ({"department": "市场监管局"}, "department", "应为整数"),
        ({"item_type": "99"}, "item_type", "取值无效"),
        ({"visits": "3"}, "visits", "取值无效"),
        ({"online_depth": "5"}, "online_depth", "取值无效"),
        ({"handling_kind": "fast"}, "handling_kind", "取值无效"),
        ({"q": "营" * 101}, "q", "长度不能超过100"),
    ],
)
def test_bad_params_are_422_in_chinese(client, catalog, params, field, fragment):
    response = client.get("/api/v1/items", params)
    assert response.status_code == 422
    errors = response.json()["detail"]
    error = next(e for e in errors if e["loc"] == ["query", field])
    assert fragment in error["msg"]
    assert field in error["msg"]


def test_enum_error_lists_choices(client, catalog):
    msg = client.get("/api/v1/items", {"item_type": "99"}).json()["detail"][0]["msg"]
    assert "01、02" in msg
    assert " or " not in msg


def test_detail(client, catalog):
    item = catalog.item("企业营业执照设立登记")
    response = client.get(f"/api/v1/items/{item.impl_code}")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "企业营业执照设立登记"
    assert data["power_source_label"] == "法定本级行使"
    assert data["exercise_level"] == "county"
    assert data["legal_basis"].startswith("《企业营业执照设立登记管理办法》")
    assert "材料齐全" in data["acceptance_conditions"]
    assert data["compression"] == pytest.approx(1 - 1 / 15, abs=1e-4)
    assert data["window"] == {
        "hall": "县政务服务中心·综合服务大厅",
        "floor": 1,
        "number": "A05",
        "name": "企业开办综合窗口",
    }
    assert data["process_template_label"] == "即办流程"
    assert data["fees"] == []
    assert [m["name"] for m in data["materials"]] == [
        "公司登记（备案）申请书",
        "公司章程",
        "法定代表人身份证件",
        "住所使用证明",
    ]
    first, _, id_card, optional = data["materials"]
    assert first["blank_form_url"] == "/media/catalog/forms/company-application.docx"
    assert first["sample_url"] == "/media/catalog/samples/company-sample.pdf"
    assert id_card["e_license_ok"] is True and id_card["form_label"] == "复印件"
    assert optional["required"] is False and optional["copies"] == 2
    assert data["version"] == item.version


def test_detail_fees_and_special_procedures(client, catalog):
    id_card = client.get(f"/api/v1/items/{catalog.item('居民身份证申领').impl_code}").json()
    assert id_card["fees"] == [
        {
            "seq": 1,
            "name": "居民身份证工本费",
            "standard": "20元/证",
            "basis": "《关于居民身份证收费标准及有关问题的通知》",
            "waivable": True,
        }
    ]
    dibao = client.get(f"/api/v1/items/{catalog.item('最低生活保障对象认定').impl_code}").json()
    assert dibao["special_procedures"] == [
        {"code": "publicity", "label": "公示"},
        {"code": "site_inspection", "label": "现场勘查"},
    ]
    assert dibao["window"] is None


def test_detail_accepts_lower_case_code(client, catalog):
    item = catalog.item("企业营业执照设立登记")
    assert client.get(f"/api/v1/items/{item.impl_code.lower()}").status_code == 200


@pytest.mark.parametrize("name", ["城镇污水排入排水管网许可", "药品零售企业经营许可"])
def test_detail_hides_unpublished(client, catalog, name):
    response = client.get(f"/api/v1/items/{catalog.item(name).impl_code}")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该事项"}


@pytest.mark.parametrize("code", ["nope", "1" * 31, "%E8%90%A5"])
def test_detail_unknown_is_404_json(client, catalog, code):
    response = client.get(f"/api/v1/items/{code}")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该事项"}


def test_query_counts_stay_flat(client, catalog):
    add_filler_items(catalog.departments["sfj"], 10)
    with CaptureQueriesContext(connection) as list_queries:
        assert client.get("/api/v1/items", {"limit": 100}).status_code == 200
    assert len(list_queries) <= 2
    code = catalog.item("企业营业执照设立登记").impl_code
    with CaptureQueriesContext(connection) as detail_queries:
        assert client.get(f"/api/v1/items/{code}").status_code == 200
    assert len(detail_queries) <= 3


def test_openapi_document_is_valid(client, catalog):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    paths = spec["paths"]
    assert {"/api/v1/items", "/api/v1/items/{impl_code}", "/api/v1/departments"} <= set(paths)
    params = {p["name"]: p for p in paths["/api/v1/items"]["get"]["parameters"]}
    assert {
        "q",
        "department",
        "item_type",
        "visits",
        "online_depth",
        "handling_kind",
        "limit",
        "offset",
    } <= set(params)
    assert "中文分词" in params["q"]["description"]


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html
    assert '"validatorUrl": null' in html
    # The referenced assets really exist in the static files.
    for path in ("/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"):
        from django.contrib.staticfiles import finders

        assert finders.find(path.removeprefix("/static/")), path
