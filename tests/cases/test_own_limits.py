"""A case owns its time limits: copied at acceptance, never moved by a later catalog or template edit."""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import re
from typing import Any

from django.apps import apps
from django.test import Client

from govhall.cases import actions
from govhall.cases.choices import Channel
from govhall.cases.models import Case, Task
from govhall.catalog.actions import update_item
from govhall.documents.models import Document
from govhall.workflow.actions import save_definition
from govhall.workflow.standard import STANDARD

from .conftest import PERSON, Hall, uploads_for

CANCEL = (
    "企业营业执照注销登记"  # standard template (review 0.5 → decide 0.5), promised 3 / legal 15 working days
)


def _standard(**changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(STANDARD)
    spec.update(changes)
    return spec


def _shares(review: float, decide: float) -> list[dict[str, Any]]:
    steps = copy.deepcopy(STANDARD["steps"])
    for step in steps:
        if step["key"] == "review":
            step["budget"] = {"share": review}
        if step["key"] == "decide":
            step["budget"] = {"share": decide}
    return steps


def _accept(hall: Hall, *, channel: str = Channel.WINDOW, green_channel: bool = False) -> Case:
    item = hall.item(CANCEL)
    by = hall["applicant"] if channel == Channel.ONLINE else hall["clerk"]
    case = actions.submit_application(
        item=item,
        applicant=PERSON,
        channel=channel,
        by=by,
        uploads=uploads_for(item),
        green_channel=green_channel,
    )
    actions.accept_case(case, by=hall["clerk"])
    case.refresh_from_db()
    return case


def _open_task(case: Case) -> Task:
    return Task.objects.select_related("clock").get(case=case, status__in=["open", "claimed"])


def _acceptance_rows(case: Case) -> dict[str, str]:
    notice = Document.objects.get(case_number=case.number, kind="acceptance")
    return {str(k): str(v) for k, v in notice.content["rows"]}


def _cell(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">(.*?)</td>', html, re.S)
    assert found is not None, element_id
    return re.sub(r"\s+", "", found.group(1))


def test_green_channel_0_28_of_25_working_days_is_7_through_the_real_accept(hall: Hall, at: Any) -> None:
    # 0.28 × 25 = 7 exactly; the float product is 7.000000000000001, which math.ceil turned into 8.
    save_definition(_standard(green_channel={"factor": 0.28, "note": "重大项目"}))
    update_item(hall.item(CANCEL), promised_limit=25, legal_limit=30)
    with at(2026, 3, 2, 10):  # Monday; accepted the same day
        case = _accept(hall, green_channel=True)
    assert (case.catalog_promised_limit, case.promised_limit, case.promised_limit_unit) == (25, 7, "workday")
    assert (case.legal_limit, case.legal_limit_unit) == (
        30,
        "workday",
    )  # the green channel leaves the statute alone
    assert case.green_channel_shortened
    # 7 working days after Monday 2 March: 3, 4, 5, 6, 9, 10, 11 March.
    assert case.clock.budget == 7 and case.clock.due_day == dt.date(2026, 3, 11)
    # 30 working days: 21 in March (3–31), 1–3 April, 6 April is 清明 (2026 arrangement), 7–10 and 13–14 April.
    assert case.legal_clock.budget == 30 and case.legal_clock.due_day == dt.date(2026, 4, 14)
    # The review step is half of the promised limit that applies: ⌈0.5 × 7⌉ = 4 → Friday 6 March (not ⌈0.5 × 25⌉).
    review = _open_task(case)
    assert review.clock.budget == 4 and review.clock.due_day == dt.date(2026, 3, 6)
    rows = _acceptance_rows(case)
    assert rows["承诺时限"] == "7个工作日（绿色通道，事项承诺时限25个工作日）"
    assert rows["法定时限"] == "30个工作日"
    notice = Document.objects.get(case_number=case.number, kind="acceptance")
    assert "本机关承诺于2026年3月11日前办结" in " ".join(notice.content["paragraphs"])
    staff = Client()
    staff.force_login(hall["clerk"])
    with at(2026, 3, 2, 11):
        html = staff.get(f"/workbench/cases/{case.number}/").content.decode()
        limits = staff.get(f"/api/v1/cases/{case.number}").json()["limits"]
    assert _cell(html, "promised-limit") == "7个工作日（绿色通道，事项承诺时限25个工作日）"
    assert (limits["promised_limit"], limits["green_channel_shortened"]) == (7, True)


def test_a_template_without_green_channel_keeps_the_item_limit(hall: Hall, at: Any) -> None:
    with at(2026, 3, 2, 10):
        case = _accept(hall, green_channel=True)  # the standard template has no green channel
    assert (case.catalog_promised_limit, case.promised_limit) == (3, 3) and not case.green_channel_shortened
    assert _acceptance_rows(case)["承诺时限"] == "3个工作日"


def test_editing_the_catalog_mid_case_changes_nothing_about_the_running_case(hall: Hall, at: Any) -> None:
    item = hall.item(CANCEL)
    with at(2026, 3, 2, 10):
        case = _accept(hall, channel=Channel.ONLINE)
    accepted_version = item.version
    assert case.item_version == accepted_version
    assert (case.promised_limit, case.promised_limit_unit, case.legal_limit, case.legal_limit_unit) == (
        3,
        "workday",
        15,
        "workday",
    )
    # 3 working days after Monday 2 March → Thursday 5 March; review ⌈0.5 × 3⌉ = 2 → Wednesday 4 March.
    assert case.clock.due_day == dt.date(2026, 3, 5)
    assert _open_task(case).clock.due_day == dt.date(2026, 3, 4)
    rows_before = _acceptance_rows(case)

    # Mid-case: the center rewrites the item's limits and units, and the template's step shares and green channel.
    with at(2026, 3, 2, 11):
        edited = update_item(
            item,
            promised_limit=8,
            promised_limit_unit="day",
            legal_limit=10,
            legal_limit_unit="day",
        )
        save_definition(_standard(steps=_shares(0.2, 0.8), green_channel={"factor": 0.5, "note": "重大项目"}))
    assert edited.version > accepted_version

    with at(
        2026, 3, 3, 10
    ):  # Tuesday: the review is approved and the deciding step is created after the edit
        actions.act_on_task(_open_task(case), by=hall["approver"], action="approve", opinion="同意")
    decide = _open_task(case)
    # ⌈0.5 × 3⌉ = 2 working days after Tuesday 3 March → Thursday 5 March (the live item: ⌈0.5 × 8⌉ natural days).
    assert decide.step_key == "decide"
    assert (decide.clock.budget, decide.clock.unit, decide.clock.due_day) == (
        2,
        "workday",
        dt.date(2026, 3, 5),
    )

    case = Case.objects.select_related("clock", "legal_clock").get(pk=case.pk)
    assert (
        case.item_version,
        case.catalog_promised_limit,
        case.promised_limit,
        case.promised_limit_unit,
    ) == (
        accepted_version,
        3,
        3,
        "workday",
    )
    assert (case.legal_limit, case.legal_limit_unit) == (15, "workday")
    assert (case.clock.budget, case.clock.unit, case.clock.due_day) == (3, "workday", dt.date(2026, 3, 5))
    assert (case.legal_clock.budget, case.legal_clock.unit) == (15, "workday")
    assert (
        _acceptance_rows(case)
        == rows_before
        == {
            "办件编号": case.number,
            "查询码": case.check_code,
            "承诺时限": "3个工作日",
            "法定时限": "15个工作日",
        }
    )

    with at(2026, 3, 3, 11):
        staff = Client()
        staff.force_login(hall["clerk"])
        page = staff.get(f"/workbench/cases/{case.number}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert _cell(html, "promised-limit") == "3个工作日"
        assert _cell(html, "legal-limit") == "15个工作日"
        assert _cell(html, "item-version") == f"受理时第{accepted_version}版"

        applicant = Client()
        applicant.force_login(hall["applicant"])
        mine = applicant.get(f"/my/cases/{case.number}/")
        assert mine.status_code == 200
        assert _cell(mine.content.decode(), "promised-limit") == "3个工作日"
        assert _cell(mine.content.decode(), "legal-limit") == "15个工作日"

        response = staff.get(f"/api/v1/cases/{case.number}")
        assert response.status_code == 200, response.content.decode()
        body = response.json()
    assert body["limits"] == {
        "item_version": accepted_version,
        "promised_limit": 3,
        "promised_limit_unit": "workday",
        "promised_limit_text": "3个工作日",
        "legal_limit": 15,
        "legal_limit_unit": "workday",
        "legal_limit_text": "15个工作日",
        "green_channel_shortened": False,
    }
    assert (body["item"]["promised_limit_text"], body["item"]["legal_limit_text"]) == (
        "3个工作日",
        "15个工作日",
    )
    clocks = {c["kind"]: c for c in body["clocks"]}
    assert clocks["promised"]["due_day"] == "2026-03-05"


def test_a_case_not_yet_accepted_has_no_limits_of_its_own(hall: Hall, at: Any) -> None:
    item = hall.item(CANCEL)
    with at(2026, 3, 2, 10):
        case = actions.submit_application(
            item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
        )
        staff = Client()
        staff.force_login(hall["clerk"])
        body = staff.get(f"/api/v1/cases/{case.number}").json()
        page = staff.get(f"/workbench/cases/{case.number}/").content.decode()
    assert case.promised_limit is None and case.item_version is None
    assert body["limits"] is None and body["item"]["promised_limit"] == 3
    assert 'id="promised-limit"' not in page
    # Acceptance takes the item as it is then, not as it was at receipt.
    update_item(item, promised_limit=2)
    with at(2026, 3, 2, 11):
        actions.accept_case(case, by=hall["clerk"])
    case.refresh_from_db()
    assert (case.promised_limit, case.item_version) == (2, item.version + 1)


def test_deemed_acceptance_copies_the_limits_too(hall: Hall, at: Any) -> None:
    item = hall.item(CANCEL)
    with at(2026, 3, 2, 10):
        case = actions.submit_application(
            item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
        )
    with at(2026, 3, 10, 9):  # the 5-working-day intake clock ran out at the end of Monday 9 March
        assert actions.deem_accepted_due() == 1
    case.refresh_from_db()
    assert (case.promised_limit, case.legal_limit, case.item_version) == (3, 15, item.version)
    # Deemed accepted from the receipt day: 3 working days after Monday 2 March.
    assert case.clock.due_day == dt.date(2026, 3, 5)


def test_an_instant_case_keeps_its_minutes(hall: Hall, at: Any) -> None:
    item = hall.item("个体工商户设立登记")
    with at(2026, 3, 2, 10):
        case = actions.submit_application(
            item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
        )
        case = actions.handle_instant(case, by=hall["clerk"])
    assert (case.promised_limit, case.promised_limit_unit) == (item.promised_limit, item.promised_limit_unit)
    assert (case.legal_limit, case.legal_limit_unit) == (item.legal_limit, item.legal_limit_unit)


def test_the_migration_fills_cases_accepted_before_the_change(hall: Hall, at: Any) -> None:
    """Old rows: the limits the clocks were started with and the item version in force at acceptance."""
    migration = importlib.import_module("govhall.cases.migrations.0003_case_own_limits")
    item = hall.item(CANCEL)
    with at(2026, 3, 2, 10):
        plain = _accept(hall)
    save_definition(_standard(green_channel={"factor": 0.5, "note": "重大项目"}))
    with at(2026, 3, 2, 10, 30):
        green = _accept(hall, green_channel=True)  # ⌈0.5 × 3⌉ = 2
    with at(2026, 3, 3, 9):
        update_item(item, promised_limit=1, legal_limit=5)  # after both acceptances
    Case.objects.filter(pk__in=[plain.pk, green.pk]).update(
        item_version=None,
        catalog_promised_limit=None,
        promised_limit=None,
        promised_limit_unit="",
        legal_limit=None,
        legal_limit_unit="",
    )
    unaccepted = actions.submit_application(
        item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )

    migration.fill_limits(apps, None)

    fields = (
        "item_version",
        "catalog_promised_limit",
        "promised_limit",
        "promised_limit_unit",
        "legal_limit",
        "legal_limit_unit",
    )
    rows = dict(Case.objects.values_list("pk", "item_version"))
    assert rows[unaccepted.pk] is None
    values = {
        c.pk: tuple(getattr(c, f) for f in fields) for c in Case.objects.filter(pk__in=[plain.pk, green.pk])
    }
    assert values[plain.pk] == (plain.item_version, 3, 3, "workday", 15, "workday")
    assert values[green.pk] == (green.item_version, 3, 2, "workday", 15, "workday")
    assert plain.item_version == green.item_version == item.version
