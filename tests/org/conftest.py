"""A small county built through the org actions: a center with one hall, a township with two villages,
two departments with windows. Hand-sized so the scoping tests can name every expected row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from govhall.core.identifiers import resident_id_check_char, uscc_check_char
from govhall.org import actions
from govhall.org.models import Department, Hall, Region, Site, Window


def uscc(serial: int) -> str:
    first17 = f"11450921MB{serial:07d}"
    return first17 + uscc_check_char(first17)


def resident_id(birth: str = "19850612", seq: int = 123) -> str:
    first17 = f"450921{birth}{seq:03d}"
    return first17 + resident_id_check_char(first17)


@dataclass
class County:
    county: Region
    township: Region
    center: Site
    town_site: Site
    village_sites: list[Site]
    other_town_site: Site
    hall: Hall
    scj: Department
    rsj: Department
    scj_window: Window
    rsj_window: Window


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county(db: Any) -> County:
    city = actions.create_region(code="450900000000", name="玉林市", level="city")
    rong = actions.create_region(code="450921000000", name="容县", level="county", parent=city)
    town = actions.create_region(code="450921101000", name="杨梅镇", level="township", parent=rong)
    town2 = actions.create_region(code="450921102000", name="灵山镇", level="township", parent=rong)
    center = actions.create_site(name="容县政务服务中心", kind="center", region=rong, phone="0775-5312345")
    town_site = actions.create_site(name="杨梅镇便民服务中心", kind="township", region=town, parent=center)
    other = actions.create_site(name="灵山镇便民服务中心", kind="township", region=town2, parent=center)
    villages = []
    for i, name in enumerate(["龙湾村", "石岭村"], start=1):
        region = actions.create_region(
            code=f"450921101{200 + i:03d}", name=name, level="village", parent=town
        )
        villages.append(
            actions.create_site(name=f"杨梅镇{name}代办点", kind="village", region=region, parent=town_site)
        )
    hall = actions.create_hall(
        site=center,
        name="综合服务大厅",
        floors=3,
        sessions=[(dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17, 30))],
    )
    scj = actions.create_department(name="县市场监督管理局", group="enforcement", uscc=uscc(1))
    rsj = actions.create_department(name="县人力资源和社会保障局", group="comprehensive", uscc=uscc(2))
    scj_window = actions.create_window(
        hall=hall, number="A06", name="市场监管局窗口", kind="specialised", department=scj
    )
    rsj_window = actions.create_window(
        hall=hall, number="C16", name="人社局窗口", kind="specialised", floor=3, department=rsj
    )
    return County(rong, town, center, town_site, villages, other, hall, scj, rsj, scj_window, rsj_window)


@pytest.fixture
def staff_factory(county: County):  # type: ignore[no-untyped-def]
    counter = iter(range(1, 1000))

    def make(roles: list[str], **kwargs: Any):  # type: ignore[no-untyped-def]
        n = next(counter)
        kwargs.setdefault("departments", [county.scj])
        kwargs.setdefault("sites", [])
        if "window_clerk" in roles:
            kwargs.setdefault("window", county.scj_window)
        return actions.create_staff(
            kwargs.pop("username", f"user{n}"),
            kwargs.pop("name", f"测试{n}"),
            kwargs.pop("employee_no", f"T{n:04d}"),
            roles,
            **kwargs,
        )

    return make


__all__ = ["County", "resident_id", "uscc"]
