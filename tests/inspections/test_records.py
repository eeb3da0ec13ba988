"""Inspection records, rectification on the clock, referral, credit grades from the record, and licences from
decided cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from govhall.clocks.choices import ClockState
from govhall.disclosure.actions import records_for as disclosed
from govhall.inspections import actions
from govhall.inspections.choices import InspectionStatus, OrderStatus, Result
from govhall.inspections.models import GradeChange, Inspection, SupervisedEntity
from govhall.supervision.actions import sweep_once
from govhall.supervision.models import Alert

from .conftest import Bureau, answers, local


def _inspect(b: Bureau, entity: SupervisedEntity, *failed: str, tests: Any = ()) -> Inspection:
    insp = actions.schedule_inspection(
        by=b["head"],
        entity=entity,
        inspector=b["i1"],
        second_inspector=b["i2"],
        planned_on=dt.date(2026, 3, 2),
    )
    return actions.record_inspection(insp, by=b["i1"], answers=answers(b, *failed), tests=list(tests))


def test_judge_by_hand() -> None:
    assert actions.judge([(True, False), (True, True)], []).result == Result.PASS
    assert actions.judge([(False, False), (True, True)], ["negative"]).result == Result.RECTIFY
    assert actions.judge([(True, False), (False, True)], []).result == Result.FAIL
    outcome = actions.judge([(False, False), (True, True)], ["negative", "positive"])
    assert (outcome.result, outcome.findings, outcome.serious, outcome.positives) == (Result.FAIL, 1, 0, 1)


def test_record_needs_every_checklist_line_and_two_inspectors(bureau: Bureau, at: Any) -> None:
    b = bureau
    with at(2026, 3, 2, 10):
        entity = b.entity(1)
        with pytest.raises(ValidationError) as err:
            actions.schedule_inspection(
                by=b["head"],
                entity=entity,
                inspector=b["i1"],
                second_inspector=b["i1"],
                planned_on="2026-03-02",
            )
        assert "second_inspector" in err.value.message_dict
        insp = actions.schedule_inspection(
            by=b["head"], entity=entity, inspector=b["i1"], second_inspector=b["i2"], planned_on="2026-03-02"
        )
        with pytest.raises(ValidationError) as err:
            actions.record_inspection(insp, by=b["i1"], answers=answers(b)[:2])
        assert err.value.message_dict["answers"] == ["检查要点未逐项填写：3.1"]
        with pytest.raises(ValidationError) as err:
            actions.record_inspection(insp, by=b["i3"], answers=answers(b))
        assert "inspector" in err.value.message_dict
        done = actions.record_inspection(
            insp,
            by=b["i2"],
            answers=answers(b),
            tests=[actions.Test("青菜", "有机磷农药残留", "positive")],
        )
    assert done.result == Result.FAIL and done.status == InspectionStatus.RECTIFYING
    assert done.findings.count() == 3 and done.tests.get().result == "positive"
    (record,) = disclosed(done)
    assert record.title == "示范餐馆1号监督检查结果：不符合" and "快检阳性1批次" in record.body


def test_rectification_runs_on_the_clock_and_escalates(bureau: Bureau, at: Any) -> None:
    b = bureau
    with at(2026, 3, 2, 10):  # Monday
        insp = _inspect(b, b.entity(1), "2.1")
        assert insp.result == Result.RECTIFY
        with pytest.raises(ValidationError) as err:
            actions.order_rectification(insp, by=b["i1"], requirement="", days=0)
        assert set(err.value.message_dict) == {"requirement", "days"}
        order = actions.order_rectification(insp, by=b["i1"], requirement="补办健康证明", days=5)
    # 5 working days counted from the day after: 3, 4, 5, 6 and 9 March.
    assert order.clock.kind == "insp_rectify" and order.clock.due_day == dt.date(2026, 3, 9)
    assert order.clock.owner_department_id == b.scjg.pk and order.clock.owner_responsible_id == b["i1"].pk
    # Supervision sees it overdue the morning after the deadline, as any clock.
    sweep_once(at=local(2026, 3, 10, 9, 0))
    assert Alert.objects.filter(clock=order.clock).exists()
    with at(2026, 3, 10, 11):
        order = actions.complete_rectification(order, by=b["i2"], note="已补办")
    assert order.status == OrderStatus.LATE and order.clock.state == ClockState.STOPPED
    insp.refresh_from_db()
    assert insp.status == InspectionStatus.CLOSED
    with at(2026, 3, 11, 9):
        change = actions.regrade(insp.entity, by=b["head"])
    assert change is not None and (change.old_grade, change.new_grade) == ("A", "C")
    assert change.reason == "近365天逾期整改次数1（达到1）→ C级"


def test_grades_follow_the_rules_and_set_the_frequency(bureau: Bureau, at: Any) -> None:
    b = bureau
    with at(2026, 3, 2, 10):
        entity = b.entity(1)
        insp = _inspect(b, entity, "2.1")
        actions.order_rectification(insp, by=b["i1"], requirement="补办健康证明", days=5)
        actions.complete_rectification(insp.rectification, by=b["i1"])
    with at(2026, 3, 10, 9):
        assert actions.regrade(entity) is None  # one finding: still A
    assert actions.frequency_of(entity) == 2  # high risk, A
    with at(2026, 5, 4, 10):
        _inspect(b, entity, "1.1", "2.1")
        change = actions.regrade(entity)
    assert change is not None and (change.old_grade, change.new_grade) == ("A", "B")
    assert change.reason == "近365天问题项数3（达到3）→ B级"
    entity.refresh_from_db()
    assert actions.frequency_of(entity) == 4  # high risk, B
    (record,) = disclosed(change)
    assert record.title == "示范餐馆1号食品安全信用等级评定为B级" and "每年4次" in record.body
    with at(2026, 6, 1, 10):
        failed = _inspect(b, entity, "3.1")
        actions.refer_case(
            failed, by=b["i1"], reason="使用超过保质期的食品原料", to_unit="县市场监管局执法大队"
        )
        change = actions.regrade(entity)
    assert change is not None and change.new_grade == "D"
    assert change.reason.split("；") == [
        "近365天问题项数4（达到3）→ B级",
        "近365天检查结果不符合次数1（达到1）→ C级",
        "近730天移送立案次数1（达到1）→ D级",
    ]
    # A year and a half on the findings and the failure are out of their window; the referral is not.
    with at(2027, 12, 1, 10):
        assert actions.regrade(entity) is None
    with at(2028, 6, 2, 10):
        change = actions.regrade(entity)
    assert change is not None and (change.old_grade, change.new_grade) == ("D", "A")
    assert change.reason == "统计期内无失信记录，评为A级"
    assert GradeChange.objects.filter(entity=entity).count() == 3


def test_referral_is_recorded_once(bureau: Bureau, at: Any) -> None:
    b = bureau
    with at(2026, 3, 2, 10):
        insp = _inspect(b, b.entity(1), "3.1")
        with pytest.raises(ValidationError) as err:
            actions.refer_case(insp, by=b["i1"], reason="", to_unit="")
        assert set(err.value.message_dict) == {"reason", "to_unit"}
        referral = actions.refer_case(
            insp,
            by=b["i1"],
            reason="经营超过保质期食品",
            to_unit="执法大队",
            penalty_case_number="容市监立〔2026〕12号",
        )
        assert referral.penalty_case_number == "容市监立〔2026〕12号"
        with pytest.raises(ValidationError):
            actions.refer_case(insp, by=b["i1"], reason="再次", to_unit="执法大队")


def test_entity_uscc_is_validated(bureau: Bureau) -> None:
    with pytest.raises(ValidationError) as err:
        bureau.entity(1, uscc="92450921MA0000010X")
    assert "uscc" in err.value.message_dict
    assert SupervisedEntity.objects.count() == 0
