"""One county department with a valid USCC, its 政务公开专员 and its head, built by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from govhall.core.identifiers import uscc_check_char
from govhall.core.tz import SHANGHAI
from govhall.disclosure import actions
from govhall.disclosure.models import InfoRequest
from govhall.org.actions import create_staff
from govhall.org.models import Department

# 组织机构代码 01527918X: characters 9–17 of the code below.
USCC17 = "11450921" + "01527918X"
USCC = USCC17 + uscc_check_char(USCC17)
ORGAN_CODE = "01527918X"
ID_NUMBER = "110101199003074477"  # a valid resident ID (check digit 7)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def travel(*args: int) -> Any:
    return time_machine.travel(local(*args), tick=False)


@dataclass
class County:
    organ: Department
    other: Department
    officer: User
    head: User
    outsider: User


def build_county() -> County:
    organ = Department.objects.create(
        name="县自然资源局", short_name="自然资源局", uscc=USCC, group="economic"
    )
    other = Department.objects.create(name="县住房和城乡建设局", short_name="住建局", group="economic")
    officer = create_staff("gk_officer", "蒙公开", "G001", ("disclosure_officer",), [organ]).user
    head = create_staff("gk_head", "覃局长", "G002", ("department_head",), [organ]).user
    outsider = create_staff("gk_other", "黄专员", "G003", ("disclosure_officer",), [other]).user
    return County(organ, other, officer, head, outsider)


@pytest.fixture
def county(db: Any, settings: Any) -> County:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_county()


def file(county: County, **kw: Any) -> InfoRequest:
    args: dict[str, Any] = {
        "by": None,
        "organ": county.organ,
        "channel": "online",
        "requester_name": "李明",
        "requester_id_number": ID_NUMBER,
        "phone": "13800138000",
        "description": "2025年本县城区控制性详细规划批复文件",
    }
    args.update(kw)
    return actions.file_request(**args)
