"""Every role has a home and a navigation of what it may open; 办件查询 with exact personal-data matching and the
Excel export of the same filtered, permission-scoped list (issue 12)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from govhall.calendars import engine
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
    "disclosure_officer": ({"disclosure:staff_home"}, {"supervision:board", "stats:monthly"}),
    "inspector": ({"inspections:home"}, {"supervision:board", "stats:monthly"}),
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


def _stat(page: str, stat_id: str) -> str:
    """The figure of one home stat: `<strong id="open-requests">3</strong>`."""
    start = page.index(f'id="{stat_id}">') + len(f'id="{stat_id}">')
    return page[start : page.index("<", start)]


def _panel(page: str, role: str) -> str:
    start = page.index(f'id="panel-{role}"')
    return page[start : page.index("</section>", start)]


def test_disclosure_officers_home_counts_their_agencys_requests_and_drafts(hall: Any) -> None:
    from govhall.disclosure import actions as disclosure

    scjg, zjj = hall.catalog.departments["scjg"], hall.catalog.departments["zjj"]
    officer = create_staff("gk_test", "公开专员", "H300", ("disclosure_officer",), [scjg]).user
    other = create_staff("gk_other", "住建公开员", "H301", ("disclosure_officer",), [zjj]).user

    def request(organ: Any, by: Any) -> Any:
        return disclosure.file_request(
            by=by,
            organ=organ,
            channel="window",
            requester_name="张三",
            requester_id_number=PERSON.id_number,
            phone=PERSON.phone,
            description="2025年本局行政许可办理情况统计",
        )

    late, soon, fresh = (request(scjg, officer) for _ in range(3))
    request(zjj, other)  # another agency's: not on this officer's home
    # Monday 2 March 10:00 is "now": one answer is already overdue, one has entered its warning period.
    Clock.objects.filter(pk=late.clock_id).update(due_at=local(2026, 3, 2, 9, 0))
    Clock.objects.filter(pk=soon.clock_id).update(
        warn_at=local(2026, 3, 2, 9, 0), due_at=local(2026, 3, 3, 17)
    )
    kw = {"category": "statistics", "summary": "统计信息"}
    overdue_draft = disclosure.draft_record(actor=officer, organ=scjg, title="2025年统计公报", **kw)
    disclosure.draft_record(actor=officer, organ=scjg, title="2026年1月统计月报", **kw)
    disclosure.draft_record(actor=other, organ=zjj, title="住建统计", **kw)
    disclosure.publish_record(actor=officer, organ=scjg, title="已公开的统计", **kw)  # no longer awaiting
    assert overdue_draft.clock_id is not None
    Clock.objects.filter(pk=overdue_draft.clock_id).update(due_at=local(2026, 3, 1, 17))

    page = _client(officer).get("/workbench/").content.decode()
    panel = _panel(page, "disclosure_officer")
    figures = {
        key: _stat(panel, key)
        for key in (
            "open-requests",
            "requests-due-soon",
            "requests-overdue",
            "draft-records",
            "drafts-overdue",
        )
    }
    assert figures == {
        "open-requests": "3",
        "requests-due-soon": "1",
        "requests-overdue": "1",
        "draft-records": "2",
        "drafts-overdue": "1",
    }
    # The requests by their answer deadline, the overdue one first, each linking to its page.
    assert panel.index(late.number) < panel.index(soon.number) < panel.index(fresh.number)
    assert reverse("disclosure:staff_request", args=[late.number]) in panel
    assert reverse("disclosure:staff_record_new") in panel
    assert _client(officer).get(reverse("disclosure:staff_request", args=[late.number])).status_code == 200


def test_legal_officers_home_shows_lawsuits_reconsiderations_and_normative_documents(hall: Any) -> None:
    from govhall.legal import actions as legal
    from govhall.rulemaking import actions as rulemaking
    from govhall.rulemaking.models import NormativeDocument

    d = hall.catalog.departments
    officer = create_staff("fz_test", "法制股长", "H310", ("legal_officer",), [d["mzj"]]).user
    leader = create_staff("ld_test", "县长", "H311", ("leader",), []).user
    suits = [
        legal.register_lawsuit(
            by=officer,
            department=d["scjg"],
            court="示范县人民法院",
            case_number=f"（2026）示0101行初{n}号",
            plaintiffs="张三",
            cause="不服行政许可决定",
            notice_received_on=date(2026, 3, 2),
            act_description="注销登记决定",
        )
        for n in (7, 8)
    ]
    assert suits[1].defence_clock_id is not None
    # The second suit's defence is overdue: its next deadline is the earliest, and it is listed first.
    Clock.objects.filter(pk=suits[1].defence_clock_id).update(due_at=local(2026, 3, 1, 17))
    recons = [
        legal.receive_reconsideration(
            by=officer, department=d["scjg"], applicant_name=name, request="撤销注销登记决定",
            act_description="注销登记决定",
        )
        for name in ("王五", "赵六", "钱七")
    ]  # fmt: skip
    assert recons[0].review_clock_id is not None
    Clock.objects.filter(pk=recons[0].review_clock_id).update(due_at=local(2026, 3, 1, 17))

    def published(title: str, start: int) -> NormativeDocument:
        """Drafted, commented, reviewed and approved in February, published on the 20th."""
        head = hall["head"]
        doc = rulemaking.draft_document(by=head, organ=d["scjg"], title=title, at=local(2026, 2, start, 9))
        doc = rulemaking.open_comment(doc, by=head, at=local(2026, 2, start, 10))
        assert doc.comment_clock is not None and doc.comment_clock.due_at is not None
        closes = doc.comment_clock.due_at
        doc = rulemaking.submit_for_review(doc, by=head, at=closes)
        doc = rulemaking.review_legality(doc, by=officer, conclusion="lawful", opinion="合法。", at=closes)
        doc = rulemaking.record_discussion(
            doc,
            by=leader,
            meeting="县政府常务会议",
            held_on=engine.local_date(closes),
            approved=True,
            at=closes,
        )
        return rulemaking.publish_document(
            doc, by=head, document_number=f"示市监规〔2026〕{start}号", at=local(2026, 2, 27, 9)
        )

    unfiled = published("县农贸市场管理办法", 2)
    filed = published("县摊点管理办法", 3)
    filed = rulemaking.file_document(
        filed, by=hall["head"], filed_with="县人大常委会", at=local(2026, 2, 27, 10)
    )
    assert unfiled.filing_clock_id is not None
    Clock.objects.filter(pk=unfiled.filing_clock_id).update(due_at=local(2026, 3, 1, 17))
    # Its validity ends within the 90-day alert window (1 March + 90 days).
    NormativeDocument.objects.filter(pk=filed.pk).update(valid_until=date(2026, 5, 31))

    page = _client(officer).get("/workbench/").content.decode()
    panel = _panel(page, "legal_officer")
    figures = {
        key: _stat(panel, key)
        for key in (
            "open-lawsuits", "lawsuits-overdue", "pending-reconsiderations", "reconsiderations-overdue",
            "unfiled-documents", "filing-overdue", "expiring-documents",
        )
    }  # fmt: skip
    assert figures == {
        "open-lawsuits": "2",
        "lawsuits-overdue": "1",
        "pending-reconsiderations": "3",
        "reconsiderations-overdue": "1",
        "unfiled-documents": "1",
        "filing-overdue": "1",
        "expiring-documents": "1",
    }
    assert panel.index(suits[1].case_number) < panel.index(suits[0].case_number)
    assert "下一期限 2026-03-01" in panel and "有效期至 2026-05-31" in panel
    for link in (
        reverse("legal:lawsuit", args=[suits[1].pk]),
        reverse("legal:home"),
        filed.get_absolute_url(),
    ):
        assert link in panel
        assert _client(officer).get(link).status_code == 200, link


def test_performance_officers_home_links_the_months_evaluation(hall: Any) -> None:
    officer = _staff("performance_officer", [hall.catalog.departments["scjg"]])
    panel = _panel(_client(officer).get("/workbench/").content.decode(), "performance_officer")
    assert reverse("evaluation:month") in panel
