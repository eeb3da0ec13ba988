"""Personal information (issue #9 item 9): masked in the admin's lists for supervisors and leaders, never an ID
number in the immutable ledger's actor names, and each application keeps the applicant's details as given."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from govhall.cases import actions
from govhall.cases.choices import Channel
from govhall.cases.models import Applicant, Case
from govhall.documents.models import Document
from govhall.ledger.models import LedgerEntry
from govhall.notifications.models import Notification
from govhall.org.actions import create_staff

from .conftest import PERSON, Hall, uploads_for

CANCEL = "企业营业执照注销登记"


def _submit(hall: Hall, applicant: Any, *, by: str = "clerk", channel: str = Channel.WINDOW) -> Case:
    item = hall.item(CANCEL)
    return actions.submit_application(
        item=item, applicant=applicant, channel=channel, by=hall[by], uploads=uploads_for(item)
    )


@pytest.mark.parametrize("role", ["supervisor", "leader"])
def test_the_admin_applicant_and_case_lists_mask_phone_and_id(hall: Hall, role: str) -> None:
    with_phone = dataclasses.replace(PERSON, phone="13912345678")
    case = _submit(hall, with_phone)
    user = create_staff(f"x_{role}", "监察人员", f"Z-{role}", [role], [hall.catalog.departments["scjg"]]).user
    client = Client()
    client.force_login(user)
    applicant = Applicant.objects.get()
    pages = [
        reverse("admin:cases_applicant_changelist"),
        reverse("admin:cases_applicant_change", args=[applicant.pk]),
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_case_change", args=[case.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "13912345678" not in page and PERSON.id_number not in page, url
    listing = client.get(pages[0]).content.decode()
    assert "139****5678" in listing and PERSON.id_number[:6] + "********" in listing


def test_simulated_accounts_are_not_named_after_the_id_number() -> None:
    from govhall.demo import simulation

    account_name = simulation.account_name
    name = account_name(PERSON.id_number)
    assert name.startswith("sim-") and PERSON.id_number.lower() not in name.lower()
    assert PERSON.id_number[6:14] not in name  # not even the birth date
    assert account_name(PERSON.id_number.lower()) == name  # stable: a re-run finds the same account
    assert account_name("110105194912310037") != name


def test_the_ledger_never_names_an_actor_by_an_id_number(hall: Hall) -> None:
    # An account created before the rename (or by someone naming their login after their ID number).
    user = get_user_model().objects.create_user(f"sim-{PERSON.id_number.lower()}")
    hall.users["id_named"] = user
    case = _submit(hall, PERSON, by="id_named", channel=Channel.ONLINE)
    names = list(LedgerEntry.objects.filter(subject=case.number).values_list("actor_name", flat=True))
    assert names and all(PERSON.id_number.lower() not in n.lower() for n in names)
    assert f"sim-{PERSON.id_number[:6].lower()}" in names[0] and "****" in names[0]


def test_a_later_application_under_the_same_id_does_not_rename_an_earlier_case(hall: Hall) -> None:
    first = _submit(hall, dataclasses.replace(PERSON, name="张三", phone="13800138000", address="人民路1号"))
    second = _submit(hall, dataclasses.replace(PERSON, name="李四", phone="13911112222", address="解放路2号"))
    assert first.applicant_id == second.applicant_id  # one hall record per identity
    first = Case.objects.get(pk=first.pk)
    assert (first.applicant_name, first.applicant_phone, first.applicant_address) == (
        "张三",
        "13800138000",
        "人民路1号",
    )
    assert (second.applicant_name, second.applicant_phone) == ("李四", "13911112222")
    # The shared row holds the latest details (they prefill the next form); the earlier case is unchanged.
    assert Applicant.objects.get().name == "李四"
    progress = Client().post("/progress/", {"number": first.number, "check_code": first.check_code})
    assert 'id="applicant-name">张*<' in progress.content.decode()
    # The earlier case's notices and messages still go to the person and phone of that application.
    actions.accept_case(first, by=hall["clerk"])
    notice = Document.objects.get(case_number=first.number, kind="acceptance")
    assert notice.recipient == "张三"
    latest = Notification.objects.filter(case_number=first.number).order_by("-pk").first()
    assert latest is not None and latest.phone == "13800138000" and latest.name == "张三"
    staff_page = Client()
    staff_page.force_login(hall["clerk"])
    page = staff_page.get(f"/workbench/cases/{first.number}/").content.decode()
    assert "张三" in page and "李四" not in page
