"""Each appearance rule per lawsuit, the rules as data, the yearly ">10 cases, ≥2 appearances" check and the
two-years-running consequence (`appearance_failures`, the evaluation's veto)."""

from __future__ import annotations

from datetime import date

from govhall.evaluation.vetoes import vetoed
from govhall.legal import actions
from govhall.legal.choices import AppearanceRuleKey as K
from govhall.legal.choices import Instrument, Outcome
from govhall.legal.queries import appearance_failures
from govhall.legal.rules import year_failures, year_records
from tests.cases.conftest import local

from .conftest import sue


def test_first_case_of_the_year_only(hall, at):
    with at(2026, 3, 3, 9):
        first = sue(hall, "rsj", received=date(2026, 3, 2))
        second = sue(hall, "rsj", received=date(2026, 3, 3))
    assert first.appearance_reasons == [K.FIRST_OF_YEAR]
    assert second.appearance_reasons == [] and not second.appearance_required


def test_ten_plaintiffs_major_impact_compensation_and_named(hall, at):
    with at(2026, 3, 3, 9):
        sue(hall, "zjj", received=date(2026, 3, 1))  # the agency's first of the year
        nine = sue(hall, "zjj", received=date(2026, 3, 2), plaintiff_count=9)
        ten = sue(hall, "zjj", received=date(2026, 3, 2), plaintiff_count=10)
        impact = sue(hall, "zjj", received=date(2026, 3, 2), major_impact=True)
        comp = sue(hall, "zjj", received=date(2026, 3, 2), state_compensation=True)
        named = sue(hall, "zjj", received=date(2026, 3, 2), named_by="court")
        later = sue(hall, "zjj", received=date(2026, 3, 2))
        later = actions.set_appearance_flags(later, by=hall["legal"], named_by="legal_office")
    assert nine.appearance_reasons == []
    assert ten.appearance_reasons == [K.MANY_PLAINTIFFS]
    assert impact.appearance_reasons == [K.MAJOR_IMPACT]
    assert comp.appearance_reasons == [K.STATE_COMPENSATION]
    assert named.appearance_reasons == [K.NAMED]
    assert later.appearance_required and later.appearance_reasons == [K.NAMED]


def test_rules_are_data(hall, at):
    with at(2026, 3, 3, 9):
        actions.save_appearance_rule(by=hall["legal"], key=K.MANY_PLAINTIFFS, active=True, threshold=5)
        actions.save_appearance_rule(by=hall["legal"], key=K.FIRST_OF_YEAR, active=False)
        five = sue(hall, "mzj", received=date(2026, 3, 2), plaintiff_count=5)
    assert five.appearance_reasons == [K.MANY_PLAINTIFFS]  # not first-of-year: that rule is off


def test_appeal_after_losing_at_first_instance(hall, at):
    with at(2026, 2, 2, 9):
        sue(hall, "rsj", received=date(2026, 1, 5))
        lost = sue(hall, "rsj", received=date(2026, 2, 2))
        won = sue(hall, "rsj", received=date(2026, 2, 2))
    with at(2026, 3, 2, 9):
        for suit, outcome in ((lost, Outcome.REVOKED), (won, Outcome.DISMISSED_CLAIM)):
            actions.record_judgment(
                suit,
                by=hall["legal"],
                instrument=Instrument.JUDGMENT,
                outcome=outcome,
                served_on=date(2026, 3, 2),
            )
    with at(2026, 3, 10, 9):
        appeal_lost = sue(
            hall, "rsj", received=date(2026, 3, 10), stage="appeal", parent=lost, court="市中级人民法院"
        )
        appeal_won = sue(
            hall, "rsj", received=date(2026, 3, 10), stage="appeal", parent=won, court="市中级人民法院"
        )
    assert appeal_lost.appearance_reasons == [K.APPEAL_AFTER_LOSS]
    assert appeal_won.appearance_reasons == []
    lost.refresh_from_db()
    assert lost.status == "closed"


def _year(hall, at, year: int, dept: str, cases: int, appearances: int) -> None:
    """`cases` lawsuits against `dept` in `year`, each heard once in May; the head appears in the first
    `appearances` of those after the first (the first, required as first of the year, is excused in time)."""
    with at(year, 3, 2, 9):
        suits = [sue(hall, dept, received=date(year, 3, 2)) for _ in range(cases)]
        hearings = [
            actions.schedule_hearing(s, by=hall["legal"], scheduled_for=local(year, 5, 12, 9)) for s in suits
        ]
    with at(year, 5, 6, 9):
        actions.explain_absence(hearings[0], by=hall["legal"], reason="illness", explanation="住院")
    with at(year, 5, 12, 12):
        for n, h in enumerate(hearings):
            actions.record_hearing(h, by=hall["legal"], head_appeared=1 <= n <= appearances, head_name="局长")


def test_more_than_10_cases_needs_2_appearances_and_two_years_running_is_a_veto(hall, at):
    scjg, rsj, zjj = (hall.catalog.departments[k].pk for k in ("scjg", "rsj", "zjj"))
    _year(hall, at, 2025, "scjg", 11, 1)  # >10 cases, 1 appearance: fails 2025
    _year(hall, at, 2025, "rsj", 11, 2)  # >10 cases, 2 appearances: passes
    _year(hall, at, 2025, "zjj", 11, 1)  # fails 2025 …
    _year(hall, at, 2026, "scjg", 12, 0)  # … scjg fails again in 2026
    _year(hall, at, 2026, "zjj", 10, 0)  # 10 cases is not more than 10: zjj passes 2026
    rec = year_records(2025)[scjg]
    assert (rec.cases, rec.required, rec.heard, rec.appeared, rec.absent_required) == (11, 1, 11, 1, 0)
    failed_2025 = year_failures(2025)
    assert set(failed_2025) == {scjg, zjj}
    assert "全年行政诉讼案件11件" in failed_2025[scjg] and "负责人出庭1件" in failed_2025[scjg]
    assert set(year_failures(2026)) == {scjg}
    vetoes = appearance_failures(2026)
    assert set(vetoes) == {scjg}
    assert vetoes[scjg].startswith("连续两年未达到行政机关负责人出庭应诉要求：2025年")
    assert appearance_failures(2025) == {}  # 2024 had no failures
    assert rsj not in failed_2025


def test_a_required_head_absent_without_timely_explanation_fails_the_year(hall, at):
    mzj = hall.catalog.departments["mzj"].pk
    for year in (2025, 2026):
        with at(year, 3, 2, 9):
            suit = sue(hall, "mzj", received=date(year, 3, 2))  # first of the year: required
            hearing = actions.schedule_hearing(suit, by=hall["legal"], scheduled_for=local(year, 5, 12, 9))
        with at(year, 5, 12, 12):
            actions.record_hearing(hearing, by=hall["legal"], head_appeared=False)
    assert "未出庭且未按时书面说明" in year_failures(2025)[mzj]
    assert mzj in appearance_failures(2026)
    # The department evaluation reads the same record as a one-vote veto item (no 先进, no 最佳 that year).
    reasons = vetoed(2026)[mzj]
    assert reasons == [f"连续两年未落实行政机关负责人出庭应诉：{appearance_failures(2026)[mzj]}"]
    assert mzj not in vetoed(2025)
