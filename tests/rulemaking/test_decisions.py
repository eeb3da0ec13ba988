"""A major decision through the fixed steps of 《重大行政决策程序暂行条例》: the 30-day comment period, no step skipped,
legality review by the legal office, the decision at collective discussion, publication with an index number and the
post-implementation evaluation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.clocks.choices import ClockKind, ClockState
from govhall.disclosure.choices import DisclosureCategory
from govhall.disclosure.models import DisclosureRecord
from govhall.rulemaking import actions
from govhall.rulemaking.choices import DecisionStatus, DecisionStep
from govhall.rulemaking.queries import yearly_figures

from .conftest import County, decision_through, local


def test_participation_waits_for_the_thirty_day_comment_period(county: County) -> None:
    c = county
    decision = actions.start_decision(
        by=c["leader"], organ=c.departments["zjj"], title="老旧小区改造", at=local(2026, 3, 2, 9)
    )
    assert decision.number == "ZDJC-2026-001"
    with pytest.raises(ValidationError) as exc:
        actions.record_step(
            decision, by=c["leader"], step="participation", summary="x", at=local(2026, 3, 2, 10)
        )
    assert "请先公开征求意见" in exc.value.message_dict["step"][0]
    with pytest.raises(ValidationError):
        actions.open_participation(decision, by=c["legal"], days=20, at=local(2026, 3, 2, 10))
    decision = actions.open_participation(decision, by=c["legal"], at=local(2026, 3, 2, 10))
    clock = decision.comment_clock
    # 2 March + 30 days = 1 April (a Wednesday).
    assert (
        clock is not None and clock.kind == ClockKind.DECISION_COMMENT and clock.due_day == date(2026, 4, 1)
    )
    with pytest.raises(ValidationError) as exc:
        actions.record_step(
            decision, by=c["leader"], step="participation", summary="x", at=local(2026, 4, 1, 17)
        )
    assert "2026-04-01" in exc.value.message_dict["step"][0]
    assert actions.run_expiry(at=local(2026, 4, 2, 0, 10))["decision_comment_closed"] == 1
    clock.refresh_from_db()
    assert clock.state == ClockState.STOPPED and clock.late is False
    actions.record_step(
        decision,
        by=c["leader"],
        step="participation",
        summary="收到意见 56 条，采纳 12 条",
        at=local(2026, 4, 2, 9),
    )
    assert actions.next_step(decision) == DecisionStep.EXPERTS


def test_no_step_can_be_skipped(county: County) -> None:
    c = county
    decision = decision_through(c, "participation")
    for skipped in ("risk", "legality", "discussion", "publication", "evaluation"):
        with pytest.raises(ValidationError) as exc:
            actions.record_step(decision, by=c["legal"], step=skipped, summary="x", at=local(2026, 4, 3, 9))
        assert exc.value.message_dict["step"][0].startswith("不能跳过“专家论证”")
    with pytest.raises(ValidationError) as exc:
        actions.record_step(
            decision, by=c["leader"], step="participation", summary="x", at=local(2026, 4, 3, 9)
        )
    assert "已经完成" in exc.value.message_dict["step"][0]
    with pytest.raises(ValidationError) as exc:
        actions.record_step(decision, by=c["leader"], step="vote", summary="x", at=local(2026, 4, 3, 9))
    assert set(exc.value.message_dict) == {"step"}
    actions.record_step(
        decision, by=c["leader"], step="experts", summary="专家论证会", at=local(2026, 4, 3, 9)
    )
    actions.record_step(
        decision, by=c["leader"], step="risk", summary="社会稳定风险评估：低", at=local(2026, 4, 3, 9)
    )
    with pytest.raises(PermissionDenied):
        actions.record_step(decision, by=c["leader"], step="legality", summary="x", at=local(2026, 4, 3, 9))
    with pytest.raises(ValidationError):
        actions.record_step(
            decision,
            by=c["legal"],
            step="legality",
            summary="不合法",
            approved=False,
            at=local(2026, 4, 3, 9),
        )
    assert decision.steps.count() == 3 and decision.status == DecisionStatus.PREPARING


def test_all_steps_decision_published_and_evaluated(county: County) -> None:
    c = county
    decision = decision_through(c, "discussion")
    assert decision.status == DecisionStatus.DECIDED and decision.decided_at == local(2026, 4, 2, 9)
    assert DisclosureRecord.objects.count() == 0
    actions.record_step(
        decision, by=c["leader"], step="publication", summary="决定全文公布", at=local(2026, 4, 3, 9)
    )
    decision.refresh_from_db()
    record = DisclosureRecord.objects.get()
    assert record.category == DisclosureCategory.DECISION and decision.index_number == record.index_number
    assert decision.status == DecisionStatus.PUBLISHED
    actions.record_step(
        decision,
        by=c["leader"],
        step="evaluation",
        summary="实施一年后评估：效果良好",
        at=local(2026, 12, 1, 9),
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.EVALUATED
    assert [s.step for s in decision.steps.all()] == [s.value for s in DecisionStep]
    with pytest.raises(ValidationError):
        actions.record_step(
            decision, by=c["leader"], step="evaluation", summary="再评估", at=local(2026, 12, 2, 9)
        )
    assert yearly_figures(2026)["decisions"] == {
        "started": 1,
        "decided": 1,
        "published": 1,
        "evaluated": 1,
        "shelved": 0,
    }


def test_collective_discussion_may_refuse(county: County) -> None:
    c = county
    decision = decision_through(c, "legality")
    actions.record_step(
        decision,
        by=c["leader"],
        step="discussion",
        summary="未通过，暂缓",
        approved=False,
        at=local(2026, 4, 3, 9),
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SHELVED
    with pytest.raises(ValidationError):
        actions.record_step(
            decision, by=c["leader"], step="publication", summary="x", at=local(2026, 4, 4, 9)
        )
