"""Warnings on the clock: the plan deadline by hand, escalation one level up when it passes, the supervision
light, warnings raised by rule, commitments, and the red-warning contract."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from govhall.clocks.choices import ClockKind, ClockState
from govhall.documents.choices import DocumentKind
from govhall.evaluation.vetoes import vetoed
from govhall.integrity import actions
from govhall.integrity.choices import TriggerSource, WarningLevel, WarningStatus
from govhall.integrity.models import TriggerRule, Warning
from govhall.integrity.queries import red_warning_departments
from govhall.supervision.actions import sweep_once
from govhall.supervision.models import Alert, Card

from .conftest import local


@pytest.fixture
def blue(county: Any) -> Warning:
    # Monday 2 March 2026, 10:00: 15 working days → Mon 23 March (3-6, 9-13, 16-20, 23), expiring at 24:00.
    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        return actions.issue_warning(
            level=WarningLevel.BLUE,
            department=county.departments["scjg"],
            person=county["clerk"],
            reason="许可审批岗同一申请人材料多次退回补正",
            by=county["supervisor"].user,
        )


def test_warning_has_letter_and_clock(blue: Warning) -> None:
    assert blue.number == "LZYJ202600001"
    assert blue.plan_days == 15
    assert blue.plan_clock is not None
    assert blue.plan_clock.kind == ClockKind.INTEGRITY
    assert blue.plan_clock.due_day == date(2026, 3, 23)
    assert blue.plan_clock.due_at == local(2026, 3, 24, 0, 0)
    assert blue.plan_clock.owner_responsible_id == blue.person.user_id  # type: ignore[union-attr]
    assert blue.letter is not None and blue.letter.kind == DocumentKind.INTEGRITY_LETTER
    assert blue.letter.number == "市场监管局廉预〔2026〕1号"
    assert "2026-03-23前报送整改方案" in "".join(blue.letter.content["paragraphs"])


def test_late_plan_escalates_one_level_and_lights_red(county: Any, blue: Warning) -> None:
    assert actions.escalate_overdue_warnings(at=local(2026, 3, 23, 23, 59)) == 0
    with time_machine.travel(local(2026, 3, 24, 0, 1), tick=False):
        assert sweep_once().alerts >= 1
        assert actions.escalate_overdue_warnings() == 1
        assert actions.escalate_overdue_warnings() == 0
    alert = Alert.objects.get(clock=blue.plan_clock)
    assert (alert.level, alert.kind, alert.responsible_id) == ("red", "integrity", county["clerk"].user_id)
    blue.refresh_from_db()
    assert blue.status == WarningStatus.ESCALATED
    assert blue.plan_clock is not None and blue.plan_clock.state == ClockState.STOPPED
    yellow = Warning.objects.get(escalated_from=blue)
    assert yellow.level == WarningLevel.YELLOW
    assert yellow.plan_days == 10
    assert yellow.plan_clock is not None
    # 10 working days after Tue 24 March: 25-27, 30-31, 1-3 April, then 清明 (4-6 April) is a holiday: 7, 8 April.
    assert yellow.plan_clock.due_day == date(2026, 4, 8)
    # The yellow warning's plan is handed in on time: no further escalation; then it is closed.
    with time_machine.travel(local(2026, 4, 1, 9), tick=False):
        actions.submit_plan(yellow, plan="一、建立补正一次性告知复核制度……", by=county["clerk"].user)
    assert actions.escalate_overdue_warnings(at=local(2026, 4, 20, 9)) == 0
    yellow.refresh_from_db()
    assert yellow.plan_clock is not None and yellow.plan_clock.late is False
    actions.close_warning(yellow, note="整改到位，同意销号", by=county["supervisor"].user)
    yellow.refresh_from_db()
    assert yellow.status == WarningStatus.CLOSED
    with pytest.raises(ValidationError):
        actions.submit_plan(yellow, plan="再报")


def test_red_is_not_escalated_further(county: Any) -> None:
    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        red = actions.issue_warning(
            level=WarningLevel.RED, department=county.departments["zjj"], reason="违规干预招投标"
        )
    assert red.plan_clock is not None and red.plan_clock.due_day == date(2026, 3, 9)  # 3,4,5,6,9
    assert actions.escalate_overdue_warnings(at=local(2026, 3, 20, 9)) == 0
    assert red_warning_departments(2026) == {
        county.departments["zjj"].pk: "2026年受到红色廉政预警LZYJ202600001：违规干预招投标"
    }
    assert red_warning_departments(2025) == {}
    # The department evaluation reads it as a one-vote veto item.
    assert vetoed(2026)[county.departments["zjj"].pk] == [
        "年度内受到廉政红色预警：2026年受到红色廉政预警LZYJ202600001：违规干预招投标"
    ]


def test_bad_input_names_the_field(county: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.issue_warning(level="purple", department=county.departments["scjg"], reason="x")
    assert "level" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        actions.issue_warning(level="blue", department=county.departments["scjg"], reason=" ")
    assert "reason" in exc.value.error_dict
    assert not Warning.objects.exists()


def _red_card(county: Any, staff_key: str, when: Any) -> Card:
    alert = Alert.objects.create(
        level="red", kind="case", department=county.departments["scjg"], raised_at=when, summary="超期"
    )
    return Card.objects.create(
        level="red",
        person=county[staff_key].user,
        department=county.departments["scjg"],
        reason="超期",
        alert=alert,
        issued_at=when,
    )


def test_rule_two_red_cards_in_a_month_give_a_yellow_warning(county: Any) -> None:
    rule = TriggerRule.objects.create(
        name="一月两张红牌",
        source=TriggerSource.RED_CARD,
        threshold=2,
        window_days=30,
        level=WarningLevel.YELLOW,
    )
    _red_card(county, "clerk", local(2026, 3, 3, 10))
    _red_card(county, "clerk2", local(2026, 3, 3, 11))
    assert actions.apply_trigger_rules(at=local(2026, 3, 10, 9)) == 0
    _red_card(county, "clerk", local(2026, 3, 9, 15))
    assert actions.apply_trigger_rules(at=local(2026, 3, 10, 9)) == 1
    assert actions.apply_trigger_rules(at=local(2026, 3, 11, 9)) == 0  # once per window
    warning = Warning.objects.get(rule=rule)
    assert (warning.level, warning.person) == (WarningLevel.YELLOW, county["clerk"])
    assert warning.reason == "30天内红牌2次（规则：一月两张红牌）"
    # 40 days after the first card: the third (9 March) is the only one left in the 30-day window
    assert actions.apply_trigger_rules(at=local(2026, 3, 3, 10) + timedelta(days=40)) == 0


def test_commitment_once_a_year(county: Any) -> None:
    c = actions.sign_commitment(
        staff=county["clerk"], year=2026, text="严格依法审批，不吃拿卡要。", signed_on=date(2026, 1, 5)
    )
    assert c.year == 2026
    with pytest.raises(ValidationError) as exc:
        actions.sign_commitment(staff=county["clerk"], year=2026, text="再签", signed_on=date(2026, 2, 1))
    assert "已登记2026年度承诺书" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        actions.sign_commitment(staff=county["clerk2"], year=2026, text="x", signed_on=date(2024, 12, 1))
    assert "signed_on" in exc.value.error_dict
