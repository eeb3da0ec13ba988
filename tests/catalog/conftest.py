"""Fixtures of the catalog tests: three departments with valid credit codes, a hall with windows, and an item
factory that goes through the actions. Built here, not taken from seed_demo, so the figures are hand-checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from govhall.catalog.actions import create_item
from govhall.catalog.codes import make_impl_code
from govhall.catalog.models import ServiceItem
from govhall.core.identifiers import uscc_check_char
from govhall.org.models import Department, Hall, Region, Site, Window


def uscc(serial: int) -> str:
    first17 = f"11130682{serial:09d}"
    return first17 + uscc_check_char(first17)


def basic(item_type: str, main: int, sub: int = 0) -> str:
    return f"00{item_type}{main:05d}{sub:03d}"


@pytest.fixture
def departments(db) -> dict[str, Department]:
    return {
        "scjg": Department.objects.create(
            name="县市场监督管理局", uscc=uscc(1001), group="economic", sort_order=10
        ),
        "rsj": Department.objects.create(
            name="县人力资源和社会保障局", uscc=uscc(1002), group="comprehensive", sort_order=20
        ),
        # Not resident in the center: its items count against the residency rate.
        "gtj": Department.objects.create(
            name="县自然资源局", uscc=uscc(1003), group="economic", sort_order=30, in_hall=False
        ),
    }


@pytest.fixture
def windows(departments) -> dict[str, Window]:
    region = Region.objects.create(code="130682000000", name="定州市", level="county")
    site = Site.objects.create(name="县政务服务中心", kind="center", region=region)
    hall = Hall.objects.create(site=site, name="综合大厅")
    annex = Hall.objects.create(site=site, name="不动产大厅")
    return {
        "A01": Window.objects.create(
            hall=hall, number="A01", name="市场准入", kind="specialised", department=departments["scjg"]
        ),
        "A02": Window.objects.create(
            hall=hall, number="A02", name="社保", kind="specialised", department=departments["rsj"]
        ),
        # The same number in another hall, for nobody's department: ambiguous without the hall name.
        "annex-A01": Window.objects.create(hall=annex, number="A01", name="不动产登记", kind="specialised"),
    }


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser("catalog-admin", "admin@example.org", "pass-word-123")


def item_fields(
    department: Department, item_type: str = "01", main: int = 1, **overrides: Any
) -> dict[str, Any]:
    code = basic(item_type, main)
    fields: dict[str, Any] = {
        "basic_code": code,
        "impl_code": make_impl_code(department.uscc or "", "county", code),
        "name": f"测试事项{main}",
        "item_type": item_type,
        "department": department,
        "power_source": "statutory",
        "exercise_level": "county",
        "target": "enterprise",
        "legal_basis": "《中华人民共和国行政许可法》",
        "acceptance_conditions": "申请材料齐全、符合法定形式",
        "legal_limit": 20,
        "legal_limit_unit": "workday",
        "promised_limit": 5,
        "promised_limit_unit": "workday",
        "handling_kind": "promised",
        "visits": 1,
        "online_depth": "3",
        "in_hall": True,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_item(departments) -> Callable[..., ServiceItem]:
    def factory(dept: str = "scjg", item_type: str = "01", main: int = 1, **overrides: Any) -> ServiceItem:
        materials = overrides.pop("materials", ())
        fees = overrides.pop("fees", ())
        status = overrides.pop("status", "draft")
        return create_item(
            materials=materials,
            fees=fees,
            status=status,
            **item_fields(departments[dept], item_type, main, **overrides),
        )

    return factory


@pytest.fixture
def rich_catalog(departments, windows, make_item) -> dict[str, ServiceItem]:
    """Items exercising every column of the Excel template, two of them bundled."""
    from govhall.catalog.actions import create_bundle

    licence = make_item(
        "scjg",
        "01",
        1,
        name="企业营业执照设立登记",
        window=windows["A01"],
        special_procedures=["site_inspection", "publicity"],
        consult_phone="0312-2345678",
        complaint_phone="12345",
        handling_place="县政务服务中心一楼A01窗口",
        result_name="营业执照",
        legal_basis="《中华人民共和国市场主体登记管理条例》第十九条\n《公司法》",
        status="published",
        materials=[
            {"name": "公司登记（备案）申请书", "required": True, "form": "original", "copies": 1},
            {
                "name": "法定代表人身份证件",
                "required": True,
                "form": "copy",
                "source": "government",
                "e_license_ok": True,
                "notes": "=可用电子证照",  # would be a formula if written carelessly
            },
            {"name": "住所使用证明", "required": False, "form": "original_and_copy", "copies": 2},
        ],
    )
    food = make_item(
        "scjg",
        "01",
        2,
        name="食品经营许可",
        process_template="site_inspection",
        legal_limit=20,
        promised_limit=10,
        status="published",
        fees=[{"name": "工本费", "standard": "不收费", "basis": "财税〔2015〕102号", "waivable": True}],
        materials=[{"name": "食品经营许可申请书", "required": True}],
    )
    insurance = make_item(
        "rsj",
        "20",
        3,
        name="职工参保登记",
        handling_kind="instant",
        legal_limit=5,
        promised_limit=30,
        promised_limit_unit="minute",
        visits=0,
        online_depth="4",
        window=windows["A02"],
        process_template="instant",
        status="published",
    )
    land = make_item(
        "gtj",
        "07",
        4,
        name="不动产首次登记",
        exercise_level="county",
        legal_limit=30,
        legal_limit_unit="day",
        promised_limit=10,
        in_hall=False,
        visits=2,
        window=windows["annex-A01"],
        status="draft",
    )
    create_bundle(
        code="YJS-001",
        name="开办餐馆“一件事”",
        lead_department=licence.department,
        items=[licence, food],
        promised_limit=5,
        description="营业执照与食品经营许可联办",
        status="published",
    )
    return {"licence": licence, "food": food, "insurance": insurance, "land": land}
