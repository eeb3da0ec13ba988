"""The hall of the case tests, at a frozen Monday morning, with uploads going to a temporary media directory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from govhall.cases import actions
from govhall.cases.models import Case
from govhall.catalog.models import ServiceItem
from tests.cases.conftest import PDF, PERSON, Hall, build_hall, local, uploads_for

CANCEL = "企业营业执照注销登记"  # standard process (review → decide), 市场监管局, promised 3 working days
SOLE_TRADER = "个体工商户设立登记"  # instant
LOW_INCOME = "最低生活保障对象认定"  # special_procedure template, 民政局
GOOD_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clock() -> Iterator[Any]:
    """Monday 2 March 2026, 10:00 Shanghai (no holiday for two weeks); `clock.move_to(local(...))` moves on."""
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def _module_hall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Hall]:
    """Built once per module inside a transaction rolled back at the end; each test runs in a savepoint of it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
                hall = build_hall()
            yield hall
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def hall(_module_hall: Hall, db: Any, clock: Any) -> Hall:
    return _module_hall


@pytest.fixture
def as_user(hall: Hall) -> Any:
    """`as_user("approver")` → a test client logged in as that staff member."""

    def _client(username: str) -> Client:
        client = Client()
        client.force_login(hall[username])
        return client

    return _client


def pdf_file(name: str = "a.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def intake_data(item: ServiceItem, *, skip: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """A complete intake POST for `item`: the applicant, two form lines and a PDF for every required material."""
    data: dict[str, Any] = {
        "applicant_kind": "person",
        "id_number": GOOD_ID,
        "name": "张三",
        "phone": "13800138000",
        "form_text": "经营场所: 示范县人民路1号\n注销原因：决议解散",
    }
    for material in item.materials.all():
        if material.required and material.name not in skip:
            data[f"material_{material.pk}"] = pdf_file(f"{material.seq}.pdf")
    data.update(fields)
    return data


def submitted(hall: Hall, name: str = CANCEL, *, skip: tuple[str, ...] = ()) -> Case:
    item = hall.item(name)
    return actions.submit_application(
        item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item, skip=skip)
    )


def accepted(hall: Hall, name: str = CANCEL) -> Case:
    case = submitted(hall, name)
    actions.accept_case(case, by=hall["clerk"])
    case.refresh_from_db()
    return case


def case_url(case: Case, suffix: str = "") -> str:
    return f"/workbench/cases/{case.number}/{suffix}"
