"""A small hall for case tests: the test catalog plus staff in three departments and a joint-review item."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.cases.actions import ApplicantData
from govhall.cases.uploads import Upload
from govhall.catalog.models import ServiceItem
from govhall.org.actions import create_staff, update_window
from tests.conftest_data import Catalog, build_catalog
from tests.shared import SharedData, shared_data, shared_or_built

T = TypeVar("T")

SH = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n% test material\n%%EOF\n"
PERSON = ApplicantData(kind="person", name="张三", id_number="11010519491231002X", phone="13800138000")
COMPANY = ApplicantData(
    kind="enterprise",
    name="示范县好味餐饮有限公司",
    id_number="91130682MA0CXXXX05",
    legal_representative="李四",
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@dataclass
class Hall:
    catalog: Catalog
    users: dict[str, Any] = field(default_factory=dict)

    def item(self, name: str) -> ServiceItem:
        return ServiceItem.objects.get(name=name)

    def __getitem__(self, key: str) -> Any:
        return self.users[key]

    def refreshed(self) -> Hall:
        """The same rows as fresh instances, for a hall shared between tests (tests/shared.py)."""
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.in_bulk([u.pk for u in self.users.values()])
        return Hall(self.catalog.refreshed(), {key: users[u.pk] for key, u in self.users.items()})


def uploads_for(item: ServiceItem, *, skip: tuple[str, ...] = ()) -> list[Upload]:
    return [
        Upload(filename=f"{m.seq}.pdf", content=PDF, material_id=m.pk)
        for m in item.materials.all()
        if m.required and m.name not in skip
    ]


def build_hall() -> Hall:
    catalog = build_catalog()
    d = catalog.departments
    hall = Hall(catalog)
    assert catalog.window is not None
    # The test hall's clerks sit at one comprehensive window (一窗受理) that receives for every department.
    update_window(catalog.window, acts_for=list(d.values()))
    specs = [
        ("clerk", "陈窗口", ("window_clerk",), [d["scjg"], d["zjj"]]),
        ("clerk2", "王窗口", ("window_clerk",), [d["scjg"]]),
        ("approver", "黄审批", ("approver",), [d["scjg"]]),
        ("approver2", "刘审批", ("approver",), [d["scjg"]]),
        ("zj_approver", "周审批", ("approver",), [d["zjj"]]),
        ("mz_approver", "吴审批", ("approver",), [d["mzj"]]),
        ("rs_approver", "郑审批", ("approver",), [d["rsj"]]),
        ("head", "梁局长", ("department_head",), [d["scjg"]]),
        ("zj_head", "孙局长", ("department_head",), [d["zjj"]]),
        ("agent", "莫代办", ("agent",), []),
    ]
    for n, (username, name, roles, depts) in enumerate(specs, start=1):
        assert catalog.window is not None
        profile = create_staff(
            username,
            name,
            f"T{n:03d}",
            roles,
            depts,
            window=catalog.window if username.startswith("clerk") else None,
            sites=[catalog.window.hall.site] if username == "agent" else [],
        )
        hall.users[username] = profile.user
    # Applicants are ordinary accounts (registration lives outside the staff directory).
    from django.contrib.auth import get_user_model

    hall.users["applicant"] = get_user_model().objects.create_user("applicant", password="govhall-test-pw")
    # 建筑工程施工许可: joint review by the lead (住建) with 市场监管 and 民政 as co-departments (test configuration).
    permit = ServiceItem.objects.get(name="建筑工程施工许可证核发")
    ServiceItem.objects.filter(pk=permit.pk).update(process_template="joint_review")
    permit.joint_departments.set([d["scjg"], d["mzj"]])
    ServiceItem.objects.filter(name="最低生活保障对象认定").update(process_template="special_procedure")
    return hall


def monday(build: Callable[[], T]) -> Callable[[], T]:
    """`build` run on Monday 2026-03-02 09:00 Shanghai: no holiday for two weeks either side."""

    def built() -> T:
        with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
            return build()

    return built


@pytest.fixture(scope="module")
def _shared_hall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SharedData[Hall]]:
    with shared_data("_shared_hall", monday(build_hall), django_db_blocker) as shared:
        yield shared


@pytest.fixture
def hall(_shared_hall: SharedData[Hall], db: Any) -> Hall:
    """Built once per module and shared (tests/shared.py); each test sees it as built and fresh instances."""
    return shared_or_built(_shared_hall, monday(build_hall), Hall.refreshed)


@pytest.fixture
def at() -> Any:
    """Travel to a Shanghai wall-clock instant: `with at(2026, 3, 2, 9): ...`."""

    def _at(*args: int) -> Any:
        return time_machine.travel(local(*args), tick=False)

    return _at
