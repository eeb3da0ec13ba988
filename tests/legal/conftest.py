"""One small hall per test module (the case-test catalog, its staff, a legal officer and one case), built once and
rolled back at the end; each test runs in its own savepoint inside it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from govhall.cases import actions as case_actions
from govhall.cases.choices import Channel
from govhall.legal import actions
from govhall.legal.models import Lawsuit
from govhall.org.actions import create_staff
from tests.cases.conftest import PERSON, Hall, build_hall, local, uploads_for

CANCEL = "企业营业执照注销登记"


def build_legal_hall() -> Hall:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        hall = build_hall()
        d = hall.catalog.departments
        hall.users["legal"] = create_staff("legal", "法制办小林", "T800", ("legal_officer",), [d["mzj"]]).user
        item = hall.item(CANCEL)
        hall.users["case"] = case_actions.submit_application(
            item=item, applicant=PERSON, channel=Channel.WINDOW, by=hall["clerk"], uploads=uploads_for(item)
        )
    return hall


@pytest.fixture(scope="module")
def lhall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Hall]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_legal_hall()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def hall(lhall: Hall, db: Any) -> Hall:
    return lhall


@pytest.fixture
def at() -> Any:
    def _at(*args: int) -> Any:
        return time_machine.travel(local(*args), tick=False)

    return _at


_numbers = iter(range(1, 100000))


def sue(hall: Hall, dept: str = "scjg", *, received: date, by: str = "legal", **kw: Any) -> Lawsuit:
    """Register a lawsuit (the caller travels to the registration instant)."""
    args: dict[str, Any] = {
        "by": hall[by],
        "department": hall.catalog.departments[dept],
        "court": "示范县人民法院",
        "case_number": f"（{received.year}）示0101行初{next(_numbers)}号",
        "plaintiffs": "张三",
        "cause": "不服行政许可决定",
        "notice_received_on": received,
        "act_description": "注销登记决定",
    }
    args.update(kw)
    return actions.register_lawsuit(**args)
