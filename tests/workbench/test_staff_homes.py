"""Every role has a home and a navigation of what it may open; 办件查询 with exact personal-data matching and the
Excel export of the same filtered, permission-scoped list (issue 12)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from govhall.cases import actions
from govhall.cases.actions import ApplicantData
from govhall.cases.models import Case
from govhall.clocks.models import Clock
from govhall.org.actions import create_staff
from govhall.workbench.nav import NAV, entries_for
from tests.cases.conftest import PERSON, local, uploads_for

CANCEL = "企业营业执照注销登记"  # 市场监管局, promised 3 working days
OTHER = ApplicantData(kind="person", name="李四", id_number="110105198001010016", phone="13900139000")

# role → (pages its navigation must show, pages it must not show)
EXPECTED = {
    "window_clerk": ({"workbench:intake_search", "workbench:tasks"}, {"supervision:board", "stats:monthly"}),
    "approver": ({"workbench:tasks"}, {"workbench:intake_search", "supervision:board"}),
    "department_head": ({"workbench:tasks"}, {"supervision:board", "stats:monthly"}),
    "supervisor": (
        {"supervision:board", "screens:screen", "complaints:list", "stats:monthly"},
        {"admin:index"},
    ),
    "leader": (
        {"supervision:board", "screens:screen", "stats:monthly"},
        {"complaints:list", "workbench:tasks"},
    ),
    "center_admin": ({"supervision:board", "stats:monthly"}, {"complaints:list", "workbench:tasks"}),
    "performance_officer": ({"stats:monthly"}, {"supervision:board", "screens:screen"}),
    "legal_officer": ({"workbench:cases", "rulemaking:registry"}, {"supervision:board", "stats:monthly"}),
    "hotline_operator": ({"workbench:cases"}, {"supervision:board", "stats:monthly"}),
}


def _staff(role: str, departments: list[Any] | None = None, window: Any = None) -> Any:
    number = f"H{sorted(EXPECTED).index(role) + 100}"
    return create_staff(f"u_{role}", f"测试{role}", number, (role,), departments or [], window=window).user


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _accept(hall: Any, applicant: ApplicantData = PERSON) -> Case:
    item = hall.item(CANCEL)
    case = actions.submit_application(
        item=item, applicant=applicant, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )
    actions.accept_case(case, by=hall["clerk"])
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_navigation_and_home_and_every_link_opens(hall: Any, role: str) -> None:
    user = _staff(
        role, [hall.catalog.departments["scjg"]], hall.catalog.window if role == "window_clerk" else None
    )
    shown, hidden = EXPECTED[role]
    names = {e.url_name for e in entries_for(user)}
    assert shown <= names and not (hidden & names), names
    client = _client(user)
    home = client.get("/workbench/")
    assert home.status_code == 200
    page = home.content.decode()
    assert f'id="panel-{role}"' in page
    for name in names:
        assert f'data-nav="{name}"' in page
        if name == "admin:index":
            continue
        assert client.get(reverse(name)).status_code == 200, name
    for name in hidden - {"admin:index"}:
        refused = client.get(reverse(name))
        assert refused.status_code == 403, name
        text = refused.content.decode()
        assert "无权访问" in text and "Forbidden" not in text


def test_entries_of_pages_not_built_yet_are_left_out(hall: Any) -> None:
    clerk = hall["clerk"]
    built = {e.url_name for e in entries_for(clerk)}
    registered = {e.url_name for e in NAV}
    assert {"queueing:call", "hotline:home", "ratings:staff_home"} <= registered
    from django.urls import NoReverseMatch

    try:
        reverse("queueing:call")
    except NoReverseMatch:
        assert "queueing:call" not in built
    else:
        assert "queueing:call" in built


def test_superuser_gets_the_center_wide_view(hall: Any) -> None:
    admin = get_user_model().objects.create_superuser("root", password="x-staff-pw")
    client = _client(admin)
    assert client.get("/supervision/").status_code == 200
    assert client.get("/stats/monthly/").status_code == 200
    page = client.get("/workbench/").content.decode()
    assert 'id="panel-center_admin"' in page and 'data-nav="admin:index"' in page


def test_citizens_get_no_staff_navigation(hall: Any) -> None:
    client = _client(hall["applicant"])
    page = client.get("/").content.decode()
    assert "staff-nav" not in page
    refused = client.get("/screen/")
    assert refused.status_code == 403 and "无权访问" in refused.content.decode()


def test_case_search_matches_personal_data_exactly_and_masks_it(hall: Any) -> None:
    mine = _accept(hall)
    other = _accept(hall, OTHER)
    client = _client(hall["approver"])

    def numbers(**query: str) -> str:
        return client.get("/workbench/cases/", query).content.decode()

    page = numbers(id_number=PERSON.id_number)
    assert mine.number in page and other.number not in page
    table = page[
        page.index("<table") : page.index("</table>")
    ]  # the search term stays in the form, not the rows
    assert PERSON.id_number not in table and "110105********002X" in table
    assert "138****8000" in table and PERSON.phone not in table
    assert mine.number not in numbers(id_number=PERSON.id_number[:10])  # no fragments
    assert other.number in numbers(phone=OTHER.phone) and mine.number not in numbers(phone=OTHER.phone)
    assert mine.number in numbers(applicant_name="张三") and mine.number not in numbers(applicant_name="张")
    assert mine.number in numbers(received_from="2026-03-02", received_to="2026-03-02", channel="window")
    assert mine.number not in numbers(received_from="2026-03-03")
    bad = numbers(received_from="2026-03-05", received_to="2026-03-01")
    assert "收件日期止不能早于起" in bad


def test_light_and_overdue_filters_follow_the_one_light_definition(hall: Any, clock: Any) -> None:
    late = _accept(hall)
    fresh = _accept(hall, OTHER)
    Clock.objects.filter(pk=late.clock_id).update(due_at=local(2026, 3, 2, 9, 30))
    client = _client(hall["approver"])
    red = client.get("/workbench/cases/", {"light": "red"}).content.decode()
    assert late.number in red and fresh.number not in red
    overdue = client.get("/workbench/cases/", {"overdue": "on"}).content.decode()
    assert late.number in overdue and fresh.number not in overdue
    green = client.get("/workbench/cases/", {"light": "green"}).content.decode()
    assert fresh.number in green and late.number not in green


def test_export_is_the_filtered_and_scoped_list_with_masked_data(hall: Any) -> None:
    mine = _accept(hall)
    other = _accept(hall, OTHER)
    response = _client(hall["approver"]).get("/workbench/cases/export.xlsx", {"phone": PERSON.phone})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [mine.number]
    assert rows[0][3] == "110105********002X" and rows[0][4] == "138****8000"
    assert other.number not in str(rows)
    # A head of another department sees neither case in the list nor in the file.
    outsider = _client(hall["zj_head"]).get("/workbench/cases/export.xlsx")
    numbers = [
        r[0]
        for r in load_workbook(io.BytesIO(outsider.content)).active.iter_rows(min_row=3, values_only=True)
    ]
    assert mine.number not in numbers and other.number not in numbers
    refused = _client(hall["approver"]).get("/workbench/cases/export.xlsx", {"received_from": "x"})
    assert refused.status_code == 400 and "收件日期起" in refused.content.decode()


def test_staff_pages_in_english_and_chinese_pages_without_english(hall: Any) -> None:
    supervisor = _staff("supervisor")
    chinese = _client(supervisor)
    for path in ("/workbench/", "/supervision/", "/stats/monthly/", "/workbench/cases/", "/screen/"):
        page = chinese.get(path).content.decode()
        for word in ("Workbench", "E-supervision", "Case search", "Choose all", "Forbidden"):
            assert word not in page, (path, word)
    english = _client(supervisor)
    english.cookies["django_language"] = "en"
    home = english.get("/workbench/").content.decode()
    assert "Efficiency supervision" in home and "Red cases" in home and "Sign out" in home
    board = english.get("/supervision/").content.decode()
    assert "Open alerts (red alerts" in board and "Supervised department" in board
    assert "monthly report" in english.get("/stats/monthly/").content.decode()
    assert "Case search" in english.get("/workbench/cases/").content.decode()
    screen = english.get("/screen/").content.decode()
    assert "Red cases (overdue)" in screen and '"red": "Red"' in screen and "No overdue cases" in screen


def test_the_admin_picker_speaks_chinese_on_a_chinese_page(hall: Any) -> None:
    # Django 5.2's picker asks for "Choose all %s", which its zh_Hans catalog lacks ("Choose all 联审部门").
    catalog = Client().get("/admin/jsi18n/").content.decode()
    assert '"Choose all %s": "\\u5168\\u9009%s"' in catalog
    english = Client()
    english.cookies["django_language"] = "en"
    assert '"Choose all %s"' not in english.get("/admin/jsi18n/").content.decode()
