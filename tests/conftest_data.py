"""A small county catalog for portal, API and browser tests, built through the catalog actions.

Independent of seed_demo on purpose: tests assert on exact names and counts, and the demo data is free to change.
Import ``catalog`` (db) or ``live_catalog`` (transactional_db) into a conftest to use it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from govhall.catalog.actions import create_item, publish_item, set_item_status
from govhall.catalog.choices import ItemStatus
from govhall.catalog.codes import make_impl_code
from govhall.catalog.models import Material, ServiceItem
from govhall.core.identifiers import uscc_check_char
from govhall.org.models import Department, Hall, Region, Site, Window
from tests.shared import SharedData, shared_data, shared_or_built

BUSINESS_LICENCE_NAMES = {"企业营业执照设立登记", "企业营业执照注销登记"}


def make_uscc(serial: int) -> str:
    # 1 = 机构编制 registry, 1 = 机关, then the county's region code and a nine-digit organisation code.
    first17 = f"11130682{serial:09d}"
    return first17 + uscc_check_char(first17)


def basic_code(item_type: str, main: int, sub: int = 0) -> str:
    return f"00{item_type}{main:05d}{sub:03d}"


@dataclass
class Catalog:
    departments: dict[str, Department] = field(default_factory=dict)
    items: dict[str, ServiceItem] = field(default_factory=dict)
    window: Window | None = None

    def item(self, name: str) -> ServiceItem:
        return self.items[name]

    @property
    def published(self) -> list[ServiceItem]:
        return [i for i in self.items.values() if i.status == ItemStatus.PUBLISHED]

    def refreshed(self) -> Catalog:
        """The same rows as fresh instances (three statements), for data shared between tests (tests/shared.py)."""
        departments = Department.objects.in_bulk([d.pk for d in self.departments.values()])
        items = ServiceItem.objects.in_bulk([i.pk for i in self.items.values()])
        return Catalog(
            departments={key: departments[d.pk] for key, d in self.departments.items()},
            items={key: items[i.pk] for key, i in self.items.items()},
            window=Window.objects.get(pk=self.window.pk) if self.window is not None else None,
        )


DEPARTMENTS = [
    # key, name, short name, group, sort order
    ("scjg", "县市场监督管理局", "市场监管局", "economic", 10),
    ("rsj", "县人力资源和社会保障局", "人社局", "comprehensive", 20),
    ("mzj", "县民政局", "民政局", "comprehensive", 30),
    ("gaj", "县公安局", "公安局", "vertical", 40),
    ("zjj", "县住房和城乡建设局", "住建局", "economic", 50),
]

MATERIALS_BUSINESS = [
    {
        "name": "公司登记（备案）申请书",
        "required": True,
        "form": "original",
        "copies": 1,
        "notes": "法定代表人签字",
    },
    {
        "name": "公司章程",
        "required": True,
        "form": "original",
        "copies": 1,
    },
    {
        "name": "法定代表人身份证件",
        "required": True,
        "form": "copy",
        "copies": 1,
        "source": "government",
        "e_license_ok": True,
    },
    {
        "name": "住所使用证明",
        "required": False,
        "form": "original_and_copy",
        "copies": 2,
        "notes": "自有房产提供产权证明",
    },
]

ITEMS: list[dict[str, Any]] = [
    {
        "dept": "scjg",
        "name": "企业营业执照设立登记",
        "item_type": "01",
        "main": 101,
        "legal": (15, "workday"),
        "promised": (1, "workday"),
        "handling_kind": "instant",
        "visits": 0,
        "online_depth": "4",
        "process_template": "instant",
        "result_name": "营业执照",
        "materials": MATERIALS_BUSINESS,
        "window": True,
    },
    {
        "dept": "scjg",
        "name": "企业营业执照注销登记",
        "item_type": "01",
        "main": 102,
        "legal": (15, "workday"),
        "promised": (3, "workday"),
        "handling_kind": "promised",
        "visits": 1,
        "online_depth": "3",
        "result_name": "准予注销登记通知书",
        "special_procedures": ["publicity"],
        "materials": MATERIALS_BUSINESS[:2],
    },
    {
        "dept": "scjg",
        "name": "食品经营许可证核发",
        "item_type": "01",
        "main": 103,
        "legal": (20, "workday"),
        "promised": (10, "workday"),
        "handling_kind": "promised",
        "visits": 1,
        "online_depth": "4",
        "process_template": "site_inspection",
        "special_procedures": ["site_inspection"],
        "result_name": "食品经营许可证",
        "materials": [
            {"name": "食品经营许可申请书", "required": True, "form": "original", "copies": 1},
            {"name": "食品安全管理制度文本", "required": True, "form": "original", "copies": 1},
        ],
    },
    {
        "dept": "scjg",
        "name": "个体工商户设立登记",
        "item_type": "01",
        "main": 104,
        "legal": (15, "workday"),
        "promised": (1, "workday"),
        "handling_kind": "instant",
        "visits": 0,
        "online_depth": "4",
        "process_template": "instant",
        "target": "person",
        "result_name": "个体工商户执照",
        "materials": [{"name": "个体工商户登记申请书", "required": True, "form": "original", "copies": 1}],
    },
    {
        "dept": "rsj",
        "name": "失业保险金申领",
        "item_type": "05",
        "main": 201,
        "legal": (20, "day"),
        "promised": (5, "workday"),
        "handling_kind": "promised",
        "visits": 0,
        "online_depth": "4",
        "target": "person",
    },
    {
        "dept": "rsj",
        "name": "社会保障卡申领",
        "item_type": "20",
        "main": 202,
        "legal": (30, "workday"),
        "promised": (10, "workday"),
        "handling_kind": "promised",
        "visits": 1,
        "online_depth": "2",
        "target": "person",
    },
    {
        "dept": "mzj",
        "name": "内地居民婚姻登记",
        "item_type": "07",
        "main": 301,
        "legal": (1, "workday"),
        "promised": (30, "minute"),
        "handling_kind": "instant",
        "visits": 1,
        "online_depth": "2",
        "process_template": "instant",
        "target": "person",
        "result_name": "结婚证",
    },
    {
        "dept": "mzj",
        "name": "最低生活保障对象认定",
        "item_type": "05",
        "main": 302,
        "legal": (30, "workday"),
        "promised": (20, "workday"),
        "handling_kind": "promised",
        "visits": 1,
        "online_depth": "1",
        "target": "person",
        "special_procedures": ["publicity", "site_inspection"],
    },
    {
        "dept": "gaj",
        "name": "居民身份证申领",
        "item_type": "07",
        "main": 401,
        "legal": (60, "day"),
        "promised": (20, "day"),
        "handling_kind": "promised",
        "visits": 2,
        "online_depth": "2",
        "target": "person",
        "power_source": "entrusted_upper",
        "fees": [
            {
                "name": "居民身份证工本费",
                "standard": "20元/证",
                "basis": "《关于居民身份证收费标准及有关问题的通知》",
                "waivable": True,
            }
        ],
    },
    {
        "dept": "zjj",
        "name": "建筑工程施工许可证核发",
        "item_type": "01",
        "main": 501,
        "legal": (15, "workday"),
        "promised": (5, "workday"),
        "handling_kind": "promised",
        "visits": 1,
        "online_depth": "3",
        "target": "enterprise",
    },
    {
        "dept": "zjj",
        "name": "商品房预售许可",
        "item_type": "01",
        "main": 502,
        "legal": (20, "workday"),
        "promised": (10, "workday"),
        "handling_kind": "promised",
        "visits": 1,
        "online_depth": "3",
        "target": "enterprise",
    },
    # Never published: the public must not see it.
    {
        "dept": "zjj",
        "name": "城镇污水排入排水管网许可",
        "item_type": "01",
        "main": 503,
        "legal": (20, "workday"),
        "promised": (10, "workday"),
        "handling_kind": "promised",
        "visits": 1,
        "online_depth": "3",
        "status": ItemStatus.DRAFT,
    },
    # Published once, then suspended: hidden too.
    {
        "dept": "scjg",
        "name": "药品零售企业经营许可",
        "item_type": "01",
        "main": 105,
        "legal": (30, "workday"),
        "promised": (15, "workday"),
        "handling_kind": "promised",
        "visits": 1,
        "online_depth": "3",
        "status": ItemStatus.SUSPENDED,
    },
]


def _item_fields(spec: dict[str, Any], dept: Department) -> dict[str, Any]:
    code = basic_code(spec["item_type"], spec["main"])
    level = "county"
    assert dept.uscc
    return {
        "basic_code": code,
        "impl_code": make_impl_code(dept.uscc, level, code),
        "name": spec["name"],
        "item_type": spec["item_type"],
        "department": dept,
        "power_source": spec.get("power_source", "statutory"),
        "exercise_level": level,
        "target": spec.get("target", "both"),
        "legal_basis": f"《{spec['name']}管理办法》第十条",
        "acceptance_conditions": f"申请人符合{spec['name']}的法定条件，材料齐全、符合法定形式。",
        "legal_limit": spec["legal"][0],
        "legal_limit_unit": spec["legal"][1],
        "promised_limit": spec["promised"][0],
        "promised_limit_unit": spec["promised"][1],
        "handling_kind": spec["handling_kind"],
        "visits": spec["visits"],
        "online_depth": spec["online_depth"],
        "in_hall": spec.get("in_hall", True),
        "process_template": spec.get("process_template", "standard"),
        "special_procedures": spec.get("special_procedures", []),
        "handling_place": "县政务服务中心一楼",
        "consult_phone": "0311-87654321",
        "complaint_phone": "12345",
        "result_name": spec.get("result_name", ""),
    }


def build_catalog() -> Catalog:
    catalog = Catalog()
    region = Region.objects.create(code="130682000000", name="示范县", level="county")
    site = Site.objects.create(name="县政务服务中心", kind="center", region=region)
    hall = Hall.objects.create(site=site, name="综合服务大厅", floors=3)
    for serial, (key, name, short, group, order) in enumerate(DEPARTMENTS, start=1):
        catalog.departments[key] = Department.objects.create(
            name=name, short_name=short, uscc=make_uscc(serial), group=group, sort_order=order
        )
    # A department with nothing published: listed with a zero count.
    catalog.departments["sfj"] = Department.objects.create(
        name="县司法局", short_name="司法局", uscc=make_uscc(99), group="enforcement", sort_order=90
    )
    catalog.window = Window.objects.create(
        hall=hall,
        floor=1,
        number="A05",
        name="企业开办综合窗口",
        kind="comprehensive",
        department=catalog.departments["scjg"],
    )
    for spec in ITEMS:
        dept = catalog.departments[spec["dept"]]
        fields = _item_fields(spec, dept)
        if spec.get("window"):
            fields["window"] = catalog.window
        item = create_item(materials=spec.get("materials", []), fees=spec.get("fees", []), **fields)
        status = spec.get("status", ItemStatus.PUBLISHED)
        if status in (ItemStatus.PUBLISHED, ItemStatus.SUSPENDED):
            item = publish_item(item)
        if status == ItemStatus.SUSPENDED:
            item = set_item_status(item, ItemStatus.SUSPENDED)
        catalog.items[item.name] = item
    # Files are uploaded by the admin, not by create_item: attach a blank form and a sample by path.
    Material.objects.filter(item=catalog.items["企业营业执照设立登记"], name="公司登记（备案）申请书").update(
        blank_form="catalog/forms/company-application.docx", sample="catalog/samples/company-sample.pdf"
    )
    return catalog


def add_filler_items(department: Department, count: int, start: int = 700) -> list[ServiceItem]:
    """Plain published items, for pagination."""
    items = []
    for n in range(count):
        spec = {
            "name": f"其他公共服务事项{n + 1:02d}",
            "item_type": "20",
            "main": start + n,
            "legal": (10, "workday"),
            "promised": (5, "workday"),
            "handling_kind": "promised",
            "visits": 1,
            "online_depth": "2",
        }
        items.append(publish_item(create_item(**_item_fields(spec, department))))
    return items


@pytest.fixture(scope="module")
def _shared_catalog(django_db_setup, django_db_blocker) -> Iterator[SharedData[Catalog]]:
    with shared_data("_shared_catalog", build_catalog, django_db_blocker) as shared:
        yield shared


@pytest.fixture
def catalog(_shared_catalog, db) -> Catalog:
    """Built once per module and shared (tests/shared.py); each test sees it as built and fresh instances."""
    return shared_or_built(_shared_catalog, build_catalog, Catalog.refreshed)


@pytest.fixture
def live_catalog(transactional_db) -> Catalog:
    return build_catalog()
