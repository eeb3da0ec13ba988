"""Every time limit of a lawsuit on the clock engine, with hand-computed dates (March 2026 has no holiday; the 14th and
15th are a weekend)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.clocks.choices import ClockKind, ClockState
from govhall.legal import actions
from govhall.legal.choices import AppearanceStatus, Instrument, LawsuitStatus, Outcome
from govhall.legal.models import CaseCorrection
from tests.cases.conftest import local

from .conftest import sue


def test_court_notice_reported_within_3_days(hall, at):
    with at(2026, 3, 5, 17):  # received Mon 2 March: 3 days → Thu 5 March
        on_time = sue(hall, received=date(2026, 3, 2))
    assert on_time.report_clock.kind == ClockKind.COURT_REPORT
    assert on_time.report_clock.due_day == date(2026, 3, 5)
    assert on_time.report_clock.state == ClockState.STOPPED and on_time.report_clock.late is False
    with at(2026, 3, 6, 9):
        late = sue(hall, received=date(2026, 3, 2))
    assert late.report_clock.late is True


def test_defence_within_15_days_of_the_complaint(hall, at):
    with at(2026, 3, 3, 9):
        suit = sue(hall, received=date(2026, 3, 2), complaint_received_on=date(2026, 3, 2))
    clock = suit.defence_clock
    assert clock.kind == ClockKind.DEFENCE and clock.state == ClockState.RUNNING
    assert clock.due_day == date(2026, 3, 17)  # 《行政诉讼法》第六十七条
    assert (
        clock.owner_department_id == suit.department_id and clock.owner_link == f"/legal/lawsuits/{suit.pk}/"
    )
    with at(2026, 3, 17, 16):
        suit = actions.file_defence(suit, by=hall["head"])
    suit.defence_clock.refresh_from_db()
    assert suit.status == LawsuitStatus.DEFENDED and suit.defence_clock.late is False
    with at(2026, 3, 3, 9):
        other = sue(hall, received=date(2026, 3, 2))
    with at(2026, 3, 18, 9):
        other = actions.file_defence(other, by=hall["legal"])
    other.defence_clock.refresh_from_db()
    assert other.defence_clock.late is True


def test_head_explains_absence_at_least_5_days_before_the_hearing(hall, at):
    with at(2026, 3, 3, 9):
        suit = sue(hall, received=date(2026, 3, 2), plaintiff_count=12, plaintiffs="张三\n李四")
        assert suit.appearance_required
        # Hearing Fri 20 March: 5 days before is Sun 15 March, a rest day → the last day is Fri 13 March.
        hearing = actions.schedule_hearing(suit, by=hall["legal"], scheduled_for=local(2026, 3, 20, 9))
        late_hearing = actions.schedule_hearing(suit, by=hall["legal"], scheduled_for=local(2026, 3, 27, 9))
    assert hearing.absence_clock.kind == ClockKind.ABSENCE_NOTE
    assert hearing.absence_clock.due_day == date(2026, 3, 13)
    assert late_hearing.absence_clock.due_day == date(2026, 3, 20)  # 27 − 5 = Sun 22 → Fri 20
    with at(2026, 3, 13, 17):
        hearing = actions.explain_absence(hearing, by=hall["head"], reason="illness", explanation="住院治疗")
    assert hearing.explained_in_time is True
    with at(2026, 3, 23, 9):
        late_hearing = actions.explain_absence(
            late_hearing, by=hall["head"], reason="official_duty", explanation="外出开会"
        )
    assert late_hearing.explained_in_time is False
    with at(2026, 3, 20, 12):
        hearing = actions.record_hearing(hearing, by=hall["legal"], head_appeared=False)
    with at(2026, 3, 27, 12):
        late_hearing = actions.record_hearing(late_hearing, by=hall["legal"], head_appeared=False)
    assert hearing.appearance == AppearanceStatus.EXCUSED
    assert late_hearing.appearance == AppearanceStatus.ABSENT


def test_explanation_needs_a_valid_reason_and_text(hall, at):
    with at(2026, 3, 3, 9):
        suit = sue(hall, received=date(2026, 3, 2), major_impact=True)
        hearing = actions.schedule_hearing(suit, by=hall["legal"], scheduled_for=local(2026, 3, 20, 9))
        with pytest.raises(ValidationError) as err:
            actions.explain_absence(hearing, by=hall["head"], reason="busy", explanation="")
    assert set(err.value.message_dict) == {"reason", "explanation"}


def test_confirmed_appearance_stops_the_explanation_clock(hall, at):
    with at(2026, 3, 3, 9):
        suit = sue(hall, received=date(2026, 3, 2), state_compensation=True)
        hearing = actions.schedule_hearing(suit, by=hall["legal"], scheduled_for=local(2026, 3, 20, 9))
        hearing = actions.confirm_head_appearance(
            hearing, by=hall["head"], head_name="梁局长", head_title="局长"
        )
    hearing.absence_clock.refresh_from_db()
    assert hearing.absence_clock.state == ClockState.STOPPED and hearing.absence_clock.late is False
    with at(2026, 3, 20, 12):
        hearing = actions.record_hearing(hearing, by=hall["head"], head_appeared=True)
    assert hearing.appearance == AppearanceStatus.HEAD_APPEARED and hearing.head_name == "梁局长"


def test_judgment_filed_within_10_working_days_and_appeal_deadlines(hall, at):
    case = hall["case"]
    with at(2026, 2, 2, 9):
        suit = sue(hall, received=date(2026, 2, 2), act_source="case", case=case)
        ruling = sue(hall, received=date(2026, 2, 2))
    with at(2026, 3, 2, 15):
        suit = actions.record_judgment(
            suit,
            by=hall["head"],
            instrument=Instrument.JUDGMENT,
            outcome=Outcome.REVOKED,
            served_on=date(2026, 3, 2),
        )
        ruling = actions.record_judgment(
            ruling,
            by=hall["head"],
            instrument=Instrument.RULING,
            outcome=Outcome.DISMISSED_SUIT,
            served_on=date(2026, 3, 2),
        )
    assert suit.judgment_filing_clock.kind == ClockKind.JUDGMENT_FILING
    assert suit.judgment_filing_clock.due_day == date(2026, 3, 16)  # 10 working days after Mon 2 March
    assert suit.appeal_clock.due_day == date(2026, 3, 17)  # judgment: 15 days (《行政诉讼法》第八十五条)
    assert ruling.appeal_clock.due_day == date(2026, 3, 12)  # ruling: 10 days
    # A judgment revoking the act made in a case of this platform feeds back to the case.
    correction = CaseCorrection.objects.get(case=case, lawsuit=suit)
    assert correction.outcome_label == "撤销行政行为"
    with at(2026, 3, 16, 17):
        suit = actions.file_judgment(suit, by=hall["head"])
    suit.judgment_filing_clock.refresh_from_db()
    assert suit.judgment_filing_clock.late is False
    with at(2026, 3, 18, 9):
        with pytest.raises(ValidationError) as err:
            actions.decide_appeal(suit, by=hall["head"], appeal=True)
        assert "appeal" in err.value.message_dict
        suit = actions.decide_appeal(suit, by=hall["head"], appeal=False)
    suit.appeal_clock.refresh_from_db()
    assert suit.status == LawsuitStatus.CLOSED and suit.appeal_clock.late is True


def test_other_agencies_cannot_act_and_bad_input_names_the_field(hall, at):
    with at(2026, 3, 3, 9):
        with pytest.raises(PermissionDenied):
            sue(hall, by="zj_head", received=date(2026, 3, 2))
        with pytest.raises(ValidationError) as err:
            sue(hall, received=date(2026, 3, 9), court="", plaintiffs="")
    assert {"court", "plaintiffs", "notice_received_on"} <= set(err.value.message_dict)
