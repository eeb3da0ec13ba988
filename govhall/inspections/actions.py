"""The only writers of the inspection records: entities and licences, plans and their random draw, inspections,
rectification orders, referrals and credit grades.

Each action is atomic, writes a typed audit event and raises Chinese ValidationErrors keyed by field (or
PermissionDenied). A rectification order's limit runs on the shared clock engine, owned by the inspecting
department, so supervision lights, reminds and escalates it like any clock. Inspection results, draws and grade
changes are published through the disclosure catalog (一公开: 《国务院关于在市场监管领域全面推行部门联合“双随机、
一公开”监管的意见》, results made public in time)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from govhall.calendars.engine import local_date
from govhall.cases.choices import Decision
from govhall.cases.models import Case
from govhall.clocks.actions import set_clock_owner, start_clock, stop_clock
from govhall.clocks.choices import ClockKind, ClockUnit
from govhall.clocks.owner import ClockOwner
from govhall.core.audit import record_event
from govhall.core.clock import now
from govhall.core.identifiers import validate_uscc
from govhall.core.models import AuditEventType
from govhall.org.access import has_role, is_center_wide, require_role
from govhall.org.choices import Role
from govhall.org.models import Department

from . import publishing
from .choices import (
    GRADE_ORDER,
    Campaign,
    Grade,
    InspectionStatus,
    Metric,
    OrderStatus,
    PlanKind,
    PlanStatus,
    Result,
    Sector,
    TestResult,
)
from .draw import Candidates, run_draw
from .models import (
    ChecklistItem,
    CreditRule,
    Finding,
    Frequency,
    GradeChange,
    Inspection,
    InspectionPlan,
    Licence,
    LicenceItem,
    LicenceSource,
    RapidTest,
    RectificationOrder,
    Recusal,
    Referral,
    RiskClass,
    SupervisedEntity,
)

# Who plans and records inspections: the inspectors themselves and the heads of their departments.
PLANNING_ROLES = (Role.INSPECTOR, Role.DEPARTMENT_HEAD)
# Routine frequency when no Frequency row covers a risk class and grade.
DEFAULT_PER_YEAR = 1
MAX_RECTIFY_DAYS = 60


def _require_planner(by: User | AnonymousUser | None, department: Department | int, what: str) -> None:
    if is_center_wide(by) and not has_role(by, *PLANNING_ROLES):
        raise ValidationError({"department": f"{what}须由实施部门的监督检查人员或部门负责人办理"})
    require_role(by, *PLANNING_ROLES, department=department, message=f"只有实施部门的监督检查人员可以{what}")


def _d(value: Any, name: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({name: f"{label}格式不正确（YYYY-MM-DD）"}) from exc


# --------------------------------------------------------------------------- configuration

_M = TypeVar("_M", bound=models.Model)
CONFIG_MODELS = ("licenceitem", "riskclass", "frequency", "checklistitem", "creditrule", "recusal")


@transaction.atomic
def save_config(obj: _M, *, by: User | None) -> _M:
    """Save one row of the configuration data (licence items, risk classes, frequencies, checklist, credit rules,
    recusals), validated, with an audit event."""
    if obj._meta.model_name not in CONFIG_MODELS or obj._meta.app_label != "inspections":
        raise ValueError("not an inspections configuration model")
    obj.full_clean()
    created = obj.pk is None
    obj.save()
    record_event(
        AuditEventType.INSPECTION_CONFIG_SAVED, actor=by, obj=obj, after={"created": created, "row": str(obj)}
    )
    return obj


@transaction.atomic
def delete_config(obj: models.Model, *, by: User | None) -> None:
    if obj._meta.model_name not in CONFIG_MODELS or obj._meta.app_label != "inspections":
        raise ValueError("not an inspections configuration model")
    record_event(AuditEventType.INSPECTION_CONFIG_SAVED, actor=by, obj=obj, after={"deleted": str(obj)})
    obj.delete()


# --------------------------------------------------------------------------- entities and licences


def risk_class_for(business_form: str) -> RiskClass:
    """The risk class configured for a business form (餐饮服务经营者 → 较高风险…), else the lowest class."""
    classes = list(RiskClass.objects.order_by("-rank", "code"))
    if not classes:
        raise ValidationError({"risk_class": "尚未配置风险等级，请先在管理后台维护风险等级"})
    for risk in classes:
        forms = {f.strip() for f in risk.business_forms.replace(",", "、").split("、") if f.strip()}
        if business_form and business_form in forms:
            return risk
    return classes[-1]


@transaction.atomic
def save_entity(
    *,
    by: User | None,
    uscc: str,
    name: str,
    department: Department,
    business_form: str = "",
    address: str = "",
    legal_representative: str = "",
    risk_class: RiskClass | None = None,
    sector: str = Sector.FOOD,
    near_school: bool | None = None,
    rural_market: bool | None = None,
    product_kinds: str | None = None,
    affiliated_department: Department | None = None,
    at: dt.datetime | None = None,
) -> SupervisedEntity:
    """Create the entity with this credit code, or update the one there is (a licence renewal, a change of name)."""
    at = at or now()
    errors: dict[str, str] = {}
    try:
        uscc = validate_uscc(uscc)
    except ValidationError as exc:
        errors["uscc"] = exc.messages[0]
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写监管对象名称"
    if sector not in Sector.values:
        errors["sector"] = "监管行业不正确"
    if errors:
        raise ValidationError(errors)
    risk = risk_class or risk_class_for(business_form)
    entity = SupervisedEntity.objects.select_for_update().filter(uscc=uscc).first()
    created = entity is None
    if entity is None:
        entity = SupervisedEntity(uscc=uscc, created_at=at, grade=Grade.A)
    before = {"name": entity.name, "address": entity.address, "risk_class": entity.risk_class_id}
    entity.name = name[:100]
    entity.department = department
    entity.sector = sector
    entity.business_form = (business_form or entity.business_form)[:30]
    entity.address = (address or entity.address)[:200]
    entity.legal_representative = (legal_representative or entity.legal_representative)[:50]
    if created or risk_class is not None:
        entity.risk_class = risk
    if near_school is not None:
        entity.near_school = near_school
    if rural_market is not None:
        entity.rural_market = rural_market
    if product_kinds is not None:
        entity.product_kinds = product_kinds[:200]
    if affiliated_department is not None:
        entity.affiliated_department = affiliated_department
    entity.save()
    record_event(
        AuditEventType.SUPERVISED_ENTITY_SAVED,
        actor=by,
        obj=entity,
        before=None if created else before,
        after={"uscc": uscc, "name": entity.name, "risk_class": entity.risk_class_id},
    )
    return entity


def _licence_number(item: LicenceItem, case: Case, sector: str) -> str:
    # 食品经营许可证编号: JY + subject code + serial. The case number is unique, so the licence number is too.
    prefix = "JY" if sector == Sector.FOOD else "XK"
    return f"{prefix}{case.number}"[:30]


def _licence_from_case(case: Case, item: LicenceItem, at: dt.datetime) -> tuple[Licence | None, str]:
    applicant = case.applicant
    try:
        uscc = validate_uscc(applicant.id_number)
    except ValidationError:
        return None, "申请人证件号码不是有效的统一社会信用代码"
    form = case.form_data or {}
    entity = save_entity(
        by=None,
        uscc=uscc,
        name=str(form.get("operator_name") or applicant.name),
        department=case.department,
        business_form=str(form.get("business_form") or ""),
        address=str(form.get("premises") or form.get("premises_address") or applicant.address or ""),
        legal_representative=applicant.legal_representative,
        sector=item.sector,
        at=at,
    )
    issued = local_date(case.decided_at or at)
    try:
        valid_until = issued.replace(year=issued.year + item.valid_years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        valid_until = issued.replace(year=issued.year + item.valid_years, day=28)
    licence = Licence.objects.create(
        entity=entity,
        name=item.licence_name,
        number=_licence_number(item, case, item.sector),
        case=case,
        business_items=str(form.get("business_items") or "")[:2000],
        issued_on=issued,
        valid_until=valid_until,
    )
    return licence, ""


def sync_licences(*, limit: int = 200, at: dt.datetime | None = None) -> int:
    """The background job: every approved case of a licence-issuing item not handled yet creates or updates its
    entity and records the licence. A case is handled once (LicenceSource), so rounds may repeat freely."""
    at = at or now()
    items = {li.item_id: li for li in LicenceItem.objects.filter(active=True)}
    if not items:
        return 0
    pending = (
        Case.objects.filter(item_id__in=items, decision=Decision.APPROVED, decided_at__isnull=False)
        .exclude(pk__in=LicenceSource.objects.values("case_id"))
        .select_related("applicant", "department")
        .order_by("decided_at", "pk")[:limit]
    )
    done = 0
    for case in pending:
        try:
            with transaction.atomic():
                licence, skipped = _licence_from_case(case, items[case.item_id], at)
                LicenceSource.objects.create(case=case, licence=licence, skipped=skipped, handled_at=at)
        except IntegrityError:
            continue  # another worker handled it in between
        done += 1
    return done


# --------------------------------------------------------------------------- plans and the draw


def frequency_of(entity: SupervisedEntity) -> int:
    """Routine inspections a year by risk class and grade (《食品安全法》第一百零九条 risk-graded supervision; art. 113:
    a bad credit record means more frequent inspections)."""
    row = Frequency.objects.filter(risk_class_id=entity.risk_class_id, grade=entity.grade).first()
    return row.per_year if row is not None else DEFAULT_PER_YEAR


def _frequencies() -> dict[tuple[int, str], int]:
    return {(f.risk_class_id, f.grade): f.per_year for f in Frequency.objects.all()}


def due_entities(plan: InspectionPlan) -> list[SupervisedEntity]:
    """Routine plans: the entities whose last inspection (done or planned) is at least a year divided by their
    frequency before the plan's last day; never inspected ones are due at once."""
    freq = _frequencies()
    qs = SupervisedEntity.objects.filter(active=True, sector=plan.sector, department_id=plan.department_id)
    risk_ids = list(plan.risk_classes.values_list("pk", flat=True)) if plan.pk else []
    if risk_ids:
        qs = qs.filter(risk_class_id__in=risk_ids)
    # The day of the last inspection: when it was done, or the day it is planned for when not done yet.
    last: dict[int, dt.date] = {}
    for entity_id, planned_on, inspected_at in Inspection.objects.filter(entity__in=qs).values_list(
        "entity_id", "planned_on", "inspected_at"
    ):
        day = local_date(inspected_at) if inspected_at is not None else planned_on
        if entity_id not in last or day > last[entity_id]:
            last[entity_id] = day
    due = []
    for entity in qs.order_by("pk"):
        per_year = freq.get((entity.risk_class_id, entity.grade), DEFAULT_PER_YEAR)
        if per_year <= 0:
            continue
        previous = last.get(entity.pk)
        if previous is None or previous + dt.timedelta(days=365 // per_year) <= plan.ends_on:
            due.append(entity)
    return due


def campaign_entities(plan: InspectionPlan) -> QuerySet[SupervisedEntity]:
    qs = SupervisedEntity.objects.filter(active=True, sector=plan.sector, department_id=plan.department_id)
    risk_ids = list(plan.risk_classes.values_list("pk", flat=True))
    if risk_ids:
        qs = qs.filter(risk_class_id__in=risk_ids)
    if plan.campaign == Campaign.SCHOOL:
        qs = qs.filter(near_school=True)
    elif plan.campaign == Campaign.RURAL_MARKET:
        qs = qs.filter(rural_market=True)
    elif plan.campaign == Campaign.PRODUCT:
        qs = qs.filter(product_kinds__contains=plan.product_kind)
    return qs.order_by("pk")


def inspectors_for(department: Department | int) -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True,
            groups__name=Role.INSPECTOR.value,
            staff__departments=department,
            staff__active=True,
        )
        .distinct()
        .order_by("pk")
    )


def candidates_for(plan: InspectionPlan) -> Candidates:
    """Everything the draw depends on, as it stands now."""
    if plan.kind == PlanKind.ROUTINE:
        entities = [e.pk for e in due_entities(plan)]
    else:
        entities = list(campaign_entities(plan).values_list("pk", flat=True))
    inspectors = list(inspectors_for(plan.department_id).values_list("pk", flat=True))
    excluded: dict[str, set[int]] = {}
    # Never the same inspector for an entity twice running: last time's pair is out.
    latest: dict[int, tuple[int, int]] = {}
    for entity_id, first, second in (
        Inspection.objects.filter(entity_id__in=entities)
        .order_by("planned_on", "pk")
        .values_list("entity_id", "inspector_id", "second_inspector_id")
    ):
        latest[entity_id] = (first, second)
    for entity_id, pair in latest.items():
        excluded.setdefault(str(entity_id), set()).update(pair)
    for entity_id, inspector_id in Recusal.objects.filter(entity_id__in=entities).values_list(
        "entity_id", "inspector_id"
    ):
        excluded.setdefault(str(entity_id), set()).add(inspector_id)
    # Conflict of department: staff of the department an entity belongs to (its canteen) may not inspect it.
    affiliated = dict(
        SupervisedEntity.objects.filter(pk__in=entities, affiliated_department__isnull=False).values_list(
            "pk", "affiliated_department_id"
        )
    )
    if affiliated:
        members: dict[int, set[int]] = {}
        for user_id, dept_id in User.objects.filter(
            pk__in=inspectors, staff__departments__in=set(affiliated.values())
        ).values_list("pk", "staff__departments"):
            members.setdefault(dept_id, set()).add(user_id)
        for entity_id, dept_id in affiliated.items():
            excluded.setdefault(str(entity_id), set()).update(members.get(dept_id, set()))
    return {
        "entities": sorted(entities),
        "inspectors": sorted(inspectors),
        "excluded": {k: sorted(v) for k, v in sorted(excluded.items(), key=lambda kv: int(kv[0])) if v},
        "sample_size": plan.sample_size,
    }


@transaction.atomic
def create_plan(
    *,
    by: User,
    name: str,
    kind: str,
    department: Department,
    starts_on: dt.date | str,
    ends_on: dt.date | str,
    campaign: str = "",
    product_kind: str = "",
    sample_size: int = 0,
    risk_classes: Iterable[RiskClass] = (),
    sector: str = Sector.FOOD,
    at: dt.datetime | None = None,
) -> InspectionPlan:
    _require_planner(by, department, "制定检查计划")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写计划名称"
    if kind not in PlanKind.values:
        errors["kind"] = "请选择计划类型（日常检查、专项检查）"
    if kind == PlanKind.SPECIAL and campaign not in Campaign.values[1:]:
        errors["campaign"] = "专项检查须选择专项内容（节假日、校园周边、农村集贸市场、重点品种）"
    if kind == PlanKind.ROUTINE:
        campaign = ""
    if campaign == Campaign.PRODUCT and not (product_kind or "").strip():
        errors["product_kind"] = "重点品种专项须填写品种"
    if sector not in Sector.values:
        errors["sector"] = "监管行业不正确"
    try:
        start = _d(starts_on, "starts_on", "开始日期")
        end = _d(ends_on, "ends_on", "结束日期")
        if end < start:
            errors["ends_on"] = "结束日期不能早于开始日期"
    except ValidationError as exc:
        raise ValidationError({**errors, **exc.message_dict}) from exc
    if sample_size is None or int(sample_size) < 0:
        errors["sample_size"] = "抽取户数不能为负数"
    if errors:
        raise ValidationError(errors)
    plan = InspectionPlan.objects.create(
        name=name[:100],
        kind=kind,
        campaign=campaign,
        product_kind=(product_kind or "").strip()[:30],
        sector=sector,
        department=department,
        starts_on=start,
        ends_on=end,
        sample_size=int(sample_size),
        created_by=by,
        created_at=at or now(),
    )
    plan.risk_classes.set(list(risk_classes))
    record_event(
        AuditEventType.INSPECTION_PLAN_CREATED, actor=by, obj=plan, after={"kind": kind, "name": name}
    )
    return plan


def _planned_day(plan: InspectionPlan, index: int, count: int) -> dt.date:
    """Spread the drawn inspections evenly over the plan's period."""
    span = (plan.ends_on - plan.starts_on).days
    return plan.starts_on + dt.timedelta(days=(span * index) // max(count, 1))


@transaction.atomic
def draw_plan(
    plan: InspectionPlan, *, by: User | None, seed: str | None = None, at: dt.datetime | None = None
) -> InspectionPlan:
    """双随机: draw entities and inspector pairs, record seed and inputs, create the inspections and publish the
    list. `by` None is the management command (the system draws)."""
    at = at or now()
    plan = InspectionPlan.objects.select_for_update(of=("self",)).select_related("department").get(pk=plan.pk)
    if by is not None:
        _require_planner(by, plan.department, "抽取检查对象")
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError({"status": "该计划已抽取，不能重复抽取"})
    candidates = candidates_for(plan)
    if not candidates["entities"]:
        raise ValidationError({"entities": "没有符合条件的检查对象"})
    if len(candidates["inspectors"]) < 2:
        raise ValidationError({"inspectors": "实施部门的监督检查人员不足两名，无法抽取"})
    seed = (seed or "").strip() or secrets.token_hex(8)
    drawn = run_draw(seed, candidates)
    count = len(drawn["pairs"])
    Inspection.objects.bulk_create(
        [
            Inspection(
                plan=plan,
                entity_id=entity,
                inspector_id=first,
                second_inspector_id=second,
                planned_on=_planned_day(plan, index, count),
            )
            for index, (entity, first, second) in enumerate(drawn["pairs"])
        ]
    )
    plan.seed = seed[:64]
    plan.candidates = dict(candidates)
    plan.draw = dict(drawn)
    plan.status = PlanStatus.DRAWN
    plan.drawn_at = at
    plan.drawn_by = by
    plan.save(update_fields=["seed", "candidates", "draw", "status", "drawn_at", "drawn_by"])
    record_event(
        AuditEventType.INSPECTION_PLAN_DRAWN,
        actor=by,
        obj=plan,
        after={"seed": seed, "drawn": count, "unassigned": drawn["unassigned"]},
    )
    names = dict(
        SupervisedEntity.objects.filter(pk__in=[p[0] for p in drawn["pairs"]]).values_list("pk", "name")
    )
    lines = [
        f"随机种子：{seed}；候选对象{len(candidates['entities'])}户，检查人员{len(candidates['inspectors'])}名。"
    ]
    lines += [f"{names.get(p[0], p[0])}" for p in drawn["pairs"]]
    publishing.publish(
        actor=by,
        organ=plan.department,
        title=f"{plan.name}随机抽查对象名单",
        body="\n".join(lines),
        source=plan,
    )
    return plan


def verify_draw(plan: InspectionPlan) -> bool:
    """Re-run the draw from the recorded seed and candidates: True when it gives exactly the recorded pairs and the
    inspections created match them."""
    if plan.status == PlanStatus.DRAFT or plan.candidates is None or plan.draw is None:
        return False
    again = run_draw(plan.seed, plan.candidates)
    if again != plan.draw:
        return False
    made = sorted(
        [e, i, s]
        for e, i, s in plan.inspections.values_list("entity_id", "inspector_id", "second_inspector_id")
    )
    return made == sorted(again["pairs"])


# --------------------------------------------------------------------------- inspections


@dataclass
class Answer:
    item: ChecklistItem | int
    compliant: bool
    note: str = ""


@dataclass
class Test:
    sample: str
    test_item: str
    result: str = TestResult.NEGATIVE


@dataclass
class Outcome:
    result: Result
    findings: int = 0
    serious: int = 0
    positives: int = 0
    reasons: list[str] = field(default_factory=list)


def judge(answers: Sequence[tuple[bool, bool]], tests: Sequence[str]) -> Outcome:
    """(compliant, serious) per checklist line and the rapid-test results → the inspection result: a failed key line
    or a positive test is 不符合; any other failed line 基本符合 with an order to rectify; else 符合."""
    findings = sum(1 for compliant, _ in answers if not compliant)
    serious = sum(1 for compliant, key in answers if not compliant and key)
    positives = sum(1 for t in tests if t == TestResult.POSITIVE)
    if serious or positives:
        result = Result.FAIL
    elif findings:
        result = Result.RECTIFY
    else:
        result = Result.PASS
    return Outcome(result, findings, serious, positives)


def _require_inspector_of(inspection: Inspection, by: User, what: str) -> None:
    if by.pk not in (inspection.inspector_id, inspection.second_inspector_id) and not has_role(
        by, Role.DEPARTMENT_HEAD
    ):
        raise ValidationError({"inspector": f"只有本次检查的检查人员可以{what}"})
    _require_planner(by, inspection.entity.department_id, what)


@transaction.atomic
def schedule_inspection(
    *,
    by: User,
    entity: SupervisedEntity,
    inspector: User,
    second_inspector: User,
    planned_on: dt.date | str,
) -> Inspection:
    """An inspection outside any plan (a complaint, a referral from another unit): still two inspectors."""
    _require_planner(by, entity.department_id, "安排检查")
    day = _d(planned_on, "planned_on", "检查日期")
    if inspector.pk == second_inspector.pk:
        raise ValidationError({"second_inspector": "每次检查须有两名不同的检查人员"})
    for name, user in (("inspector", inspector), ("second_inspector", second_inspector)):
        if not has_role(user, Role.INSPECTOR):
            raise ValidationError({name: f"{user.get_full_name() or user.username}不是监督检查人员"})
    inspection = Inspection.objects.create(
        entity=entity, inspector=inspector, second_inspector=second_inspector, planned_on=day
    )
    return inspection


@transaction.atomic
def record_inspection(
    inspection: Inspection,
    *,
    by: User,
    answers: Sequence[Answer],
    tests: Sequence[Test] = (),
    notes: str = "",
    at: dt.datetime | None = None,
) -> Inspection:
    """Record what was found against the sector's checklist (every active line answered) and the rapid tests; the
    result follows from them (`judge`) and is published."""
    at = at or now()
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("entity", "entity__department")
        .get(pk=inspection.pk)
    )
    _require_inspector_of(inspection, by, "记录检查结果")
    if inspection.status != InspectionStatus.PLANNED:
        raise ValidationError({"status": "该检查已记录结果"})
    checklist = {c.pk: c for c in ChecklistItem.objects.filter(sector=inspection.entity.sector, active=True)}
    given: dict[int, Answer] = {}
    for answer in answers:
        pk = answer.item if isinstance(answer.item, int) else answer.item.pk
        if pk not in checklist:
            raise ValidationError({"answers": f"检查要点{pk}不在本行业的检查要点表中"})
        given[pk] = answer
    missing = [checklist[pk].code for pk in checklist if pk not in given]
    if missing:
        raise ValidationError({"answers": f"检查要点未逐项填写：{'、'.join(missing[:10])}"})
    for test in tests:
        if not test.sample.strip() or not test.test_item.strip():
            raise ValidationError({"tests": "快速检测须填写样品和检测项目"})
        if test.result not in TestResult.values:
            raise ValidationError({"tests": "快速检测结果只能是阴性或阳性"})
    Finding.objects.bulk_create(
        [
            Finding(
                inspection=inspection,
                item=checklist[pk],
                compliant=a.compliant,
                serious=checklist[pk].serious,
                note=a.note[:200],
            )
            for pk, a in given.items()
        ]
    )
    RapidTest.objects.bulk_create(
        [
            RapidTest(
                inspection=inspection, sample=t.sample[:60], test_item=t.test_item[:60], result=t.result
            )
            for t in tests
        ]
    )
    outcome = judge(
        [(a.compliant, checklist[pk].serious) for pk, a in given.items()], [t.result for t in tests]
    )
    inspection.result = outcome.result
    inspection.inspected_at = at
    inspection.notes = (notes or "").strip()
    inspection.status = (
        InspectionStatus.DONE if outcome.result == Result.PASS else InspectionStatus.RECTIFYING
    )
    inspection.save(update_fields=["result", "inspected_at", "notes", "status"])
    record_event(
        AuditEventType.INSPECTION_RECORDED,
        actor=by,
        obj=inspection,
        after={"result": outcome.result.value, "findings": outcome.findings, "positives": outcome.positives},
    )
    entity = inspection.entity
    publishing.publish(
        actor=by,
        organ=entity.department,
        title=f"{entity.name}监督检查结果：{outcome.result.label}",
        body=(
            f"检查日期：{local_date(at):%Y-%m-%d}；检查对象：{entity.name}（{entity.uscc}）；"
            f"检查结果：{outcome.result.label}；问题项{outcome.findings}项，快检阳性{outcome.positives}批次。"
        ),
        source=inspection,
    )
    if (
        inspection.plan_id
        and not Inspection.objects.filter(
            plan_id=inspection.plan_id, status=InspectionStatus.PLANNED
        ).exists()
    ):
        InspectionPlan.objects.filter(pk=inspection.plan_id).update(status=PlanStatus.CLOSED)
    return inspection


@transaction.atomic
def order_rectification(
    inspection: Inspection, *, by: User, requirement: str, days: int, at: dt.datetime | None = None
) -> RectificationOrder:
    """责令限期整改: the limit in working days runs on the clock, owned by the supervising department."""
    at = at or now()
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("entity", "entity__department")
        .get(pk=inspection.pk)
    )
    _require_inspector_of(inspection, by, "责令整改")
    if inspection.status == InspectionStatus.PLANNED:
        raise ValidationError({"status": "检查结果尚未记录，不能责令整改"})
    if RectificationOrder.objects.filter(inspection=inspection).exists():
        raise ValidationError({"status": "该检查已下达整改通知"})
    requirement = (requirement or "").strip()
    errors: dict[str, str] = {}
    if not requirement:
        errors["requirement"] = "请填写整改要求"
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_RECTIFY_DAYS:
        errors["days"] = f"整改期限应为1至{MAX_RECTIFY_DAYS}个工作日"
    if errors:
        raise ValidationError(errors)
    entity = inspection.entity
    clock = start_clock(
        kind=ClockKind.INSP_RECTIFY,
        amount=days,
        unit=ClockUnit.WORKDAY,
        at=at,
        label="责令整改期限",
        owner=ClockOwner(
            label=f"{entity.name} 责令整改期限",
            link=reverse("inspections:inspection", args=[inspection.pk]),
            department=entity.department,
            responsible=inspection.inspector,
        ),
    )
    order = RectificationOrder.objects.create(
        inspection=inspection, requirement=requirement, days=days, issued_at=at, clock=clock
    )
    set_clock_owner(clock, subject=order)
    if inspection.status == InspectionStatus.DONE:
        inspection.status = InspectionStatus.RECTIFYING
        inspection.save(update_fields=["status"])
    record_event(
        AuditEventType.INSPECTION_RECTIFY_ORDERED,
        actor=by,
        obj=inspection,
        after={"days": days, "due": str(clock.due_day)},
    )
    return order


@transaction.atomic
def complete_rectification(
    order: RectificationOrder, *, by: User, note: str = "", at: dt.datetime | None = None
) -> RectificationOrder:
    """复查: the operator has rectified; late when the clock's deadline had passed (it counts in the grade)."""
    at = at or now()
    order = (
        RectificationOrder.objects.select_for_update(of=("self",))
        .select_related("inspection", "inspection__entity", "clock")
        .get(pk=order.pk)
    )
    _require_inspector_of(order.inspection, by, "复查整改")
    if order.status != OrderStatus.OPEN:
        raise ValidationError({"status": "该整改已复查完成"})
    stop_clock(order.clock, at=at)
    order.status = OrderStatus.LATE if order.clock.late else OrderStatus.DONE
    order.completed_at = at
    order.review_note = (note or "").strip()
    order.save(update_fields=["status", "completed_at", "review_note"])
    inspection = order.inspection
    inspection.status = InspectionStatus.CLOSED
    inspection.save(update_fields=["status"])
    record_event(
        AuditEventType.INSPECTION_RECTIFIED, actor=by, obj=inspection, after={"status": order.status}
    )
    return order


@transaction.atomic
def refer_case(
    inspection: Inspection,
    *,
    by: User,
    reason: str,
    to_unit: str,
    penalty_case_number: str = "",
    at: dt.datetime | None = None,
) -> Referral:
    """移送立案查处: what the inspection found goes to a penalty case; the referral is recorded and counts in the
    grade."""
    at = at or now()
    inspection = (
        Inspection.objects.select_for_update(of=("self",)).select_related("entity").get(pk=inspection.pk)
    )
    _require_inspector_of(inspection, by, "移送立案")
    if inspection.status == InspectionStatus.PLANNED:
        raise ValidationError({"status": "检查结果尚未记录，不能移送立案"})
    if Referral.objects.filter(inspection=inspection).exists():
        raise ValidationError({"status": "该检查已移送立案"})
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = "请填写移送理由"
    if not (to_unit or "").strip():
        errors["to_unit"] = "请填写移送单位"
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        inspection=inspection,
        reason=reason.strip(),
        to_unit=to_unit.strip()[:100],
        penalty_case_number=(penalty_case_number or "").strip()[:40],
        referred_at=at,
        referred_by=by,
    )
    record_event(
        AuditEventType.INSPECTION_REFERRED,
        actor=by,
        obj=inspection,
        after={"to_unit": referral.to_unit, "penalty_case_number": referral.penalty_case_number},
    )
    return referral


# --------------------------------------------------------------------------- credit grades


def bulk_metrics(entity_ids: Sequence[int], since: dt.datetime, at: dt.datetime) -> dict[int, dict[str, int]]:
    """The record between `since` and `at` of each entity, counted per metric: six grouped queries for all of them
    (the yearly regrade of a county's thousands of operators costs no more than one)."""
    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(Metric.values, 0) for pk in entity_ids}
    done = Inspection.objects.filter(entity_id__in=entity_ids, inspected_at__gt=since, inspected_at__lte=at)
    findings = Finding.objects.filter(inspection__in=done, compliant=False)
    late = RectificationOrder.objects.filter(
        inspection__entity_id__in=entity_ids, issued_at__gt=since, issued_at__lte=at
    ).filter(Q(status=OrderStatus.LATE) | Q(status=OrderStatus.OPEN, clock__due_at__lte=at))
    queries: list[tuple[str, QuerySet[Any], str]] = [
        (Metric.FAILED, done.filter(result=Result.FAIL), "entity_id"),
        (Metric.FINDINGS, findings, "inspection__entity_id"),
        (Metric.SERIOUS, findings.filter(serious=True), "inspection__entity_id"),
        (
            Metric.POSITIVE_TESTS,
            RapidTest.objects.filter(inspection__in=done, result=TestResult.POSITIVE),
            "inspection__entity_id",
        ),
        (Metric.LATE_RECTIFY, late, "inspection__entity_id"),
        (
            Metric.REFERRALS,
            Referral.objects.filter(
                inspection__entity_id__in=entity_ids, referred_at__gt=since, referred_at__lte=at
            ),
            "inspection__entity_id",
        ),
    ]
    for metric, qs, key in queries:
        for entity_id, n in qs.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n"):
            counts[entity_id][metric] = n
    return counts


def metrics(entity: SupervisedEntity, since: dt.datetime, at: dt.datetime) -> dict[str, int]:
    """The entity's record between `since` and `at`, counted per metric."""
    return bulk_metrics([entity.pk], since, at)[entity.pk]


def _active_rules() -> list[CreditRule]:
    return list(CreditRule.objects.filter(active=True))


def _grade_from(
    rules: Sequence[CreditRule], counts_for: Callable[[int], dict[str, int]]
) -> tuple[Grade, list[str]]:
    grade = Grade.A
    reasons: list[str] = []
    for rule in sorted(rules, key=lambda r: (GRADE_ORDER[Grade(r.grade)], r.metric, r.pk or 0)):
        value = counts_for(rule.window_days)[rule.metric]
        if value >= rule.count:
            reasons.append(
                f"近{rule.window_days}天{Metric(rule.metric).label}{value}（达到{rule.count}）→ {rule.grade}级"
            )
            if GRADE_ORDER[Grade(rule.grade)] > GRADE_ORDER[grade]:
                grade = Grade(rule.grade)
    return grade, reasons


def compute_grade(
    entity: SupervisedEntity, *, at: dt.datetime, rules: Sequence[CreditRule] | None = None
) -> tuple[Grade, list[str]]:
    """The worst grade any active rule gives (A when none matches) and the reasons, one line per matching rule."""
    rules = _active_rules() if rules is None else list(rules)
    cache: dict[int, dict[str, int]] = {}

    def counts_for(days: int) -> dict[str, int]:
        if days not in cache:
            cache[days] = metrics(entity, at - dt.timedelta(days=days), at)
        return cache[days]

    return _grade_from(rules, counts_for)


@transaction.atomic
def regrade(
    entity: SupervisedEntity, *, by: User | None = None, at: dt.datetime | None = None, publish: bool = True
) -> GradeChange | None:
    """Grade the entity from its record; a change is recorded with its reasons and published. None: unchanged."""
    at = at or now()
    entity = (
        SupervisedEntity.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=entity.pk)
    )
    grade, reasons = compute_grade(entity, at=at)
    entity.graded_at = at
    if grade == entity.grade:
        entity.save(update_fields=["graded_at"])
        return None
    old = entity.grade
    explanation = "；".join(reasons) if reasons else "统计期内无失信记录，评为A级"
    entity.grade = grade
    entity.save(update_fields=["grade", "graded_at"])
    change = GradeChange.objects.create(
        entity=entity, old_grade=old, new_grade=grade, reason=explanation, changed_at=at
    )
    record_event(
        AuditEventType.CREDIT_GRADE_CHANGED,
        actor=by,
        obj=entity,
        before={"grade": old},
        after={"grade": grade.value, "reason": explanation},
    )
    if publish:
        publishing.publish(
            actor=by,
            organ=entity.department,
            title=f"{entity.name}食品安全信用等级评定为{grade.value}级"
            if entity.sector == Sector.FOOD
            else f"{entity.name}信用等级评定为{grade.value}级",
            body=(
                f"监管对象：{entity.name}（{entity.uscc}）；原等级：{old or '—'}；新等级：{grade.value}；"
                f"评定理由：{explanation}；检查频次：每年{frequency_of(entity)}次。"
            ),
            source=change,
        )
    return change


def _window_counts(windows: dict[int, dict[int, dict[str, int]]], pk: int, days: int) -> dict[str, int]:
    return windows[days][pk]


def regrade_all(*, by: User | None = None, at: dt.datetime | None = None) -> dict[str, int]:
    """Regrade every active entity; counts of entities per grade and of changes. The record is counted for all of
    them at once; only the entities whose grade changes go through `regrade` (locked, recorded, published)."""
    at = at or now()
    rules = _active_rules()
    entities = list(SupervisedEntity.objects.filter(active=True).order_by("pk").only("pk", "grade"))
    ids = [e.pk for e in entities]
    windows = {r.window_days: bulk_metrics(ids, at - dt.timedelta(days=r.window_days), at) for r in rules}
    changed = 0
    for entity in entities:
        computed, _ = _grade_from(rules, partial(_window_counts, windows, entity.pk))
        if computed != entity.grade and regrade(entity, by=by, at=at) is not None:
            changed += 1
    SupervisedEntity.objects.filter(pk__in=ids).update(graded_at=at)
    counts = dict.fromkeys(Grade.values, 0)
    for grade, n in (
        SupervisedEntity.objects.filter(active=True)
        .order_by()
        .values("grade")
        .annotate(n=Count("pk"))
        .values_list("grade", "n")
    ):
        counts[grade] = n
    return {"changed": changed, **counts}
