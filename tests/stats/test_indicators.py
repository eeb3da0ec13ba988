"""Each indicator against a hand-computed month of cases driven through the real case actions."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from govhall.cases import actions
from govhall.cases.choices import CaseStatus
from govhall.cases.models import Case, Task
from govhall.stats.indicators import BY_CODE, INDICATORS
from govhall.stats.models import DailyFact
from govhall.stats.queries import indicator_table
from govhall.stats.refresh import rebuild_facts, refresh_facts
from tests.cases.conftest import PERSON, local, uploads_for

CANCEL = "企业营业执照注销登记"  # promised 3 working days: accepted Mon 2 March → due Thu 5 March
INSTANT = "企业营业执照设立登记"  # instant item, promised 1 working day
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def submit(hall: Any, name: str = CANCEL) -> Case:
    item = hall.item(name)
    return actions.submit_application(
        item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )


def accepted(hall: Any) -> Case:
    case = submit(hall)
    actions.accept_case(case, by=hall["clerk"])
    case.refresh_from_db()
    return case


def decide(hall: Any, case: Case, action: str = "approve") -> None:
    review = Task.objects.get(case=case, status__in=["open", "claimed"])
    actions.act_on_task(review, by=hall["approver"], action="approve", opinion="同意")
    final = Task.objects.get(case=case, status__in=["open", "claimed"])
    actions.act_on_task(
        final, by=hall["head"], action=action, opinion="准予" if action == "approve" else "不符合条件"
    )


@pytest.fixture
def month(hall: Any, at: Any) -> dict[str, Case]:
    """A: decided Tue 3 March (early, 1 working day); B: refused Thu 5 March, the due day (on time, 3 days);
    C: decided Mon 9 March (late, 5 days); D: instant item at the window (same day, early, 0 days);
    E: accepted and still open; F: refused at intake; G: accepted then withdrawn."""
    with at(2026, 3, 2, 10):
        cases = {key: accepted(hall) for key in "ABCEG"}
        cases["D"] = submit(hall, INSTANT)
        actions.handle_instant(cases["D"], by=hall["clerk"])
        cases["F"] = submit(hall)
        actions.refuse_application(cases["F"], by=hall["clerk"], reasons="申请人不具备申请资格")
    with at(2026, 3, 3, 15):
        decide(hall, cases["A"])
        actions.withdraw_case(cases["G"], by=hall["clerk"], reason="申请人撤回")
    with at(2026, 3, 5, 16):
        decide(hall, cases["B"], "refuse")
    with at(2026, 3, 9, 11):
        decide(hall, cases["C"])
    for case in cases.values():
        case.refresh_from_db()
    assert cases["C"].clock is not None and cases["C"].clock.late is True
    assert cases["E"].status == CaseStatus.IN_PROGRESS
    return cases


EXPECTED = {
    "accepted": 6,  # A B C D E G
    "concluded": 4,  # A B C D
    "conclusion_rate": Decimal("66.67"),  # 4 / 6
    "on_time_rate": Decimal("75.00"),  # A B D / 4
    "overdue_rate": Decimal("25.00"),  # C / 4
    "early_rate": Decimal("50.00"),  # A D / 4
    "average_duration": Decimal("2.25"),  # (1 + 3 + 5 + 0) / 4
    "instant_share": Decimal("16.67"),  # D / 6
    "on_site_rate": Decimal("100.00"),  # D / D
    "satisfaction_rate": Decimal("50.00"),  # A 非常满意, C 不满意 (好差评)
    "rated": 2,
    "default_rated": 0,
    "complaints": 0,
}


def rate_month(month: dict[str, Case], at: Any) -> None:
    """The applicants of A and C rate them (好差评): 非常满意 and 不满意."""
    from govhall.ratings import actions as ratings
    from govhall.ratings import tokens

    with at(2026, 3, 20, 10):
        for case, level in ((month["A"], "5"), (month["C"], "2")):
            ratings.submit_rating(case, channel="qr", level=level, token=tokens.case_token(case.pk))


def test_every_indicator_matches_the_hand_computed_month(month: dict[str, Case], at: Any) -> None:
    rate_month(month, at)
    refresh_facts()
    row = indicator_table(MARCH)[0]
    assert set(EXPECTED) == {ind.code for ind in INDICATORS}
    assert row.values == EXPECTED
    assert row.sums["refused"] == 1 and row.sums["not_accepted"] == 1 and row.sums["withdrawn"] == 1
    assert row.sums["duration_sum"] == 9 and row.sums["on_time"] == 3 and row.sums["late"] == 1
    assert dict(row.cells())["satisfaction_rate"] == "50.00%"
    assert dict(row.cells())["on_time_rate"] == "75.00%"
    assert "按期办结件数 ÷ 办结件数 × 100%" in BY_CODE["on_time_rate"].formula
    # Nothing in February or April.
    assert indicator_table((date(2026, 4, 1), date(2026, 4, 30)))[0].values["accepted"] == 0
    assert indicator_table((date(2026, 4, 1), date(2026, 4, 30)))[0].values["conclusion_rate"] is None


def test_groupings_split_the_same_totals(month: dict[str, Case], hall: Any) -> None:
    refresh_facts()
    by_day = {row.key: row.sums for row in indicator_table(MARCH, by="day")}
    assert by_day[date(2026, 3, 2)]["accepted"] == 6 and by_day[date(2026, 3, 2)]["concluded"] == 1
    assert by_day[date(2026, 3, 3)]["concluded"] == 1 and by_day[date(2026, 3, 3)]["withdrawn"] == 1
    assert by_day[date(2026, 3, 9)]["concluded"] == 1
    by_staff = {row.label: row.sums for row in indicator_table(MARCH, by="staff")}
    assert by_staff["陈窗口"]["accepted"] == 6 and by_staff["陈窗口"]["concluded"] == 1  # the instant item
    assert by_staff["梁局长"]["concluded"] == 3
    by_item = {row.label: row.values for row in indicator_table(MARCH, by="item")}
    assert by_item[INSTANT]["on_site_rate"] == Decimal("100.00")
    assert by_item[CANCEL]["accepted"] == 5 and by_item[CANCEL]["instant_share"] == Decimal("0.00")
    (month_row,) = indicator_table(MARCH, by="month")
    assert month_row.label == "2026-03" and month_row.values["concluded"] == 4
    (level,) = indicator_table(MARCH, by="site_level")
    assert level.values["accepted"] == 6
    (dept,) = indicator_table(MARCH, by="department")
    assert dept.label == "县市场监督管理局" and dept.values["accepted"] == 6
    assert dept.values["complaints"] == 0
    assert indicator_table(MARCH, department=hall.catalog.departments["zjj"])[0].values["accepted"] == 0


def test_refresh_is_incremental_idempotent_and_equals_rebuild(
    month: dict[str, Case], at: Any, hall: Any
) -> None:
    assert refresh_facts(batch=3) > 0
    first = indicator_table(MARCH)[0].sums
    rows = DailyFact.objects.count()
    assert refresh_facts() == 0  # nothing new: nothing added
    assert indicator_table(MARCH)[0].sums == first and DailyFact.objects.count() == rows
    with at(2026, 3, 10, 9):
        decide(hall, month["E"])
    assert refresh_facts() > 0
    after = indicator_table(MARCH)[0].sums
    assert after["concluded"] == first["concluded"] + 1 and after["accepted"] == first["accepted"]
    snapshot = Counter(DailyFact.objects.values_list(*_KEY))
    rebuild_facts()
    assert Counter(DailyFact.objects.values_list(*_KEY)) == snapshot


_KEY = (
    "day",
    "department_id",
    "window_id",
    "staff_id",
    "item_id",
    "site_level",
    "accepted",
    "concluded",
    "on_time",
    "late",
    "early",
    "duration_sum",
    "instant_cases",
    "instant_same_day",
    "refused",
    "not_accepted",
    "redirected",
    "withdrawn",
)


def test_complaints_are_counted_from_the_complaints_app_by_department(hall: Any) -> None:
    from govhall.clocks.actions import start_clock
    from govhall.complaints.models import Complaint as model

    scjg, zjj = hall.catalog.departments["scjg"], hall.catalog.departments["zjj"]
    # 1 March 00:30 Beijing is still 28 February in UTC: the Beijing day decides the month.
    for n, (dept, when) in enumerate(
        [
            (scjg, local(2026, 3, 1, 0, 30)),
            (scjg, local(2026, 3, 31, 23, 0)),
            (zjj, local(2026, 3, 10, 9, 0)),
            (scjg, local(2026, 4, 1, 0, 10)),
        ]
    ):
        model.objects.create(
            number=f"TS{n}",
            check_code="000000",
            channel="hall",
            content="窗口人员态度差",
            department=dept,
            received_at=when,
            clock=start_clock(kind="complaint", amount=15, unit="workday", at=when, label="投诉办理时限"),
        )
    assert indicator_table(MARCH)[0].values["complaints"] == 3
    by_dept = {row.key: row.values["complaints"] for row in indicator_table(MARCH, by="department")}
    assert by_dept == {}  # no case facts in March yet: complaints alone add no department row
    assert indicator_table(MARCH, department=scjg)[0].values["complaints"] == 2
