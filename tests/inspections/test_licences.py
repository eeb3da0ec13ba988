"""A decided 食品经营许可证 case creates (then updates) the supervised entity and its licence, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from govhall.cases import actions as case_actions
from govhall.cases.jobs import run_due_jobs
from govhall.cases.models import Case, Task
from govhall.inspections import actions
from govhall.inspections.models import Licence, LicenceItem, LicenceSource, RiskClass, SupervisedEntity
from tests.cases.conftest import COMPANY, PERSON, build_hall, local, uploads_for

FOOD = "食品经营许可证核发"


def _decided(hall: Any, applicant: Any, form: dict[str, str]) -> Case:
    item = hall.item(FOOD)
    case = case_actions.submit_application(
        item=item,
        applicant=applicant,
        channel="window",
        by=hall["clerk"],
        uploads=uploads_for(item),
        form_data=form,
    )
    case_actions.accept_case(case, by=hall["clerk"])
    while task := Task.objects.filter(case=case, status__in=["open", "claimed"]).first():
        who = hall["head"] if task.role == "department_head" else hall["approver"]
        case_actions.act_on_task(task, by=who, action="approve", opinion="同意")
    case.refresh_from_db()
    return case


def test_licence_job_creates_the_entity_once_and_skips_persons(db: Any) -> None:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        hall = build_hall()
        RiskClass.objects.create(code="A", name="低风险", rank=1, business_forms="食品销售经营者")
        high = RiskClass.objects.create(code="C", name="较高风险", rank=3, business_forms="餐饮服务经营者")
        LicenceItem.objects.create(item=hall.item(FOOD), licence_name="食品经营许可证", valid_years=5)
        form = {
            "operator_name": "好味餐馆",
            "business_form": "餐饮服务经营者",
            "business_items": "热食类食品制售",
        }
        company = _decided(hall, COMPANY, form)
        person = _decided(hall, PERSON, form)
    assert company.decision == "approved" and company.decided_at is not None
    with time_machine.travel(local(2026, 3, 3, 9, 0), tick=False):
        result = run_due_jobs()
    assert result["licences_synced"] == 2
    entity = SupervisedEntity.objects.get()
    assert (entity.uscc, entity.name, entity.risk_class, entity.department.short_name) == (
        COMPANY.id_number,
        "好味餐馆",
        high,
        "市场监管局",
    )
    licence = Licence.objects.get()
    assert licence.case == company and licence.number == f"JY{company.number}"
    assert (licence.issued_on, licence.valid_until) == (dt.date(2026, 3, 2), dt.date(2031, 3, 1))
    assert licence.business_items == "热食类食品制售"
    skipped = LicenceSource.objects.get(case=person)
    assert skipped.licence is None and skipped.skipped == "申请人证件号码不是有效的统一社会信用代码"
    # Idempotent: the next rounds find nothing to do.
    assert actions.sync_licences() == 0
    assert run_due_jobs()["licences_synced"] == 0
    assert (SupervisedEntity.objects.count(), Licence.objects.count(), LicenceSource.objects.count()) == (
        1,
        1,
        2,
    )
    # A second licence for the same operator updates its entity (one per credit code).
    with time_machine.travel(local(2026, 3, 9, 9, 0), tick=False):
        _decided(hall, COMPANY, {**form, "operator_name": "好味餐饮（新址）"})
        assert actions.sync_licences() == 1
    assert SupervisedEntity.objects.get().name == "好味餐饮（新址）"
    assert Licence.objects.filter(entity=entity).count() == 2
