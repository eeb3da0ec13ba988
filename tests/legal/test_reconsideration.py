"""Reconsideration under 《行政复议法》（2023年修订）: the 5-working-day acceptance review, refusal with its ground, the
60-day (simplified: 30) decision limit with one extension of at most 30 days, the decisions, and the feedback of a
revoking decision to the case."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.clocks.choices import ClockKind, ClockState
from govhall.legal import actions
from govhall.legal.choices import ReconOutcome, ReconStatus
from govhall.legal.models import CaseCorrection, Reconsideration


def apply(hall, **kw) -> Reconsideration:
    args = {
        "by": hall["legal"],
        "department": hall.catalog.departments["scjg"],
        "applicant_name": "王五",
        "request": "撤销注销登记决定",
        "act_description": "注销登记决定",
    }
    args.update(kw)
    return actions.receive_reconsideration(**args)


def test_acceptance_reviewed_within_5_working_days_then_60_days(hall, at):
    with at(2026, 3, 2, 10):  # Monday
        recon = apply(hall)
    assert recon.number == "复议〔2026〕1号"
    assert recon.review_clock.kind == ClockKind.RECON_REVIEW
    assert recon.review_clock.due_day == date(2026, 3, 9)  # 5 working days: 3,4,5,6,9 March
    with at(2026, 3, 16, 10):
        recon = actions.accept_reconsideration(recon, by=hall["legal"], procedure="normal")
    assert recon.review_clock.late is True  # accepted a week late
    assert recon.decision_clock.kind == ClockKind.RECON_DECISION
    assert recon.decision_clock.due_day == date(2026, 5, 15)  # 16 March + 60 days
    with at(2026, 5, 10, 10):
        recon = actions.extend_reconsideration(recon, by=hall["legal"], reason="需要补充鉴定")
        with pytest.raises(ValidationError) as err:
            actions.extend_reconsideration(recon, by=hall["legal"], reason="再次延长")
    assert "days" in err.value.message_dict
    recon.decision_clock.refresh_from_db()
    assert recon.decision_clock.due_day == date(2026, 6, 15)  # +30 = Sun 14 June → Mon 15 June
    with at(2026, 6, 1, 10):
        recon = actions.hear_reconsideration(recon, by=hall["legal"], note="听取双方意见")
        recon = actions.decide_reconsideration(
            recon, by=hall["legal"], outcome=ReconOutcome.UPHELD, text="维持"
        )
    assert recon.status == ReconStatus.DECIDED and recon.decision_clock.state == ClockState.STOPPED
    assert recon.decision_clock.late is False


def test_simplified_procedure_30_days_and_no_extension(hall, at):
    with at(2026, 3, 16, 10):
        recon = apply(hall)
        recon = actions.accept_reconsideration(recon, by=hall["legal"], procedure="simplified")
    assert recon.decision_clock.due_day == date(2026, 4, 15)
    with at(2026, 3, 20, 10), pytest.raises(ValidationError) as err:
        actions.extend_reconsideration(recon, by=hall["legal"], reason="复杂")
    assert "procedure" in err.value.message_dict


def test_refusal_needs_a_legal_ground_and_reason(hall, at):
    with at(2026, 3, 2, 10):
        recon = apply(hall, known_on=date(2025, 12, 1))
        assert actions.application_late(recon)  # 91 days after knowing of the act
        with pytest.raises(ValidationError) as err:
            actions.refuse_reconsideration(recon, by=hall["legal"], ground="", reason="")
        assert set(err.value.message_dict) == {"ground", "reason"}
        recon = actions.refuse_reconsideration(
            recon, by=hall["legal"], ground="too_late", reason="超过六十日申请期限"
        )
    assert recon.status == ReconStatus.REFUSED and recon.review_clock.late is False


def test_revoking_decision_feeds_back_to_the_case(hall, at):
    case = hall["case"]
    with at(2026, 3, 2, 10):
        recon = apply(hall, act_source="case", act_case_number=case.number)
        recon = actions.accept_reconsideration(recon, by=hall["legal"])
        recon = actions.decide_reconsideration(
            recon, by=hall["legal"], outcome=ReconOutcome.REVOKED, text="撤销，责令重新作出"
        )
    correction = CaseCorrection.objects.get(reconsideration=recon)
    assert correction.case == case and correction.outcome_label == "撤销"


def test_only_the_legal_office_handles_reconsiderations(hall, at):
    with at(2026, 3, 2, 10):
        with pytest.raises(PermissionDenied):
            apply(hall, by=hall["head"])
        with pytest.raises(ValidationError) as err:
            apply(hall, act_source="case", act_case_number="nope")
    assert "act_case_number" in err.value.message_dict
