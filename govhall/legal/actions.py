"""The only writers of the legal office's records: lawsuits (registration = the report of the court notice, defence,
hearings and appearances, judgment, appeal), quarterly summaries to the court, and reconsiderations (receipt,
acceptance or refusal, hearing, extension, decision).

Each action is atomic, locks its row, writes a typed audit event and starts or stops its time limits on the one clock
engine, owned by the record, so supervision lights, reminds and escalates them like any clock. Bad input raises a
Chinese ValidationError keyed by field; the wrong person PermissionDenied."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from govhall.calendars import engine
from govhall.cases.models import Case
from govhall.clocks.actions import extend_clock, start_clock, stop_clock
from govhall.clocks.choices import ClockKind, ClockState
from govhall.clocks.models import Clock
from govhall.clocks.owner import ClockOwner
from govhall.core.audit import record_event
from govhall.core.clock import now
from govhall.core.models import AuditEventType
from govhall.core.tz import SHANGHAI
from govhall.disclosure.models import InfoRequest
from govhall.org.access import require_role
from govhall.org.choices import Role
from govhall.org.models import Department

from . import rules
from .access import require_for_agency, require_legal_office
from .choices import (
    CORRECTING_OUTCOMES,
    RECON_FEEDS_BACK,
    AbsenceReason,
    ActSource,
    AppearanceStatus,
    CorrectionSource,
    Instrument,
    LawsuitStatus,
    NamedBy,
    Outcome,
    ReconOutcome,
    ReconProcedure,
    ReconStatus,
    RefusalGround,
    Stage,
)
from .models import AppearanceRule, CaseCorrection, CourtSummary, Hearing, Lawsuit, Reconsideration

# Time limits, each with the statute it comes from.
REPORT_DAYS = 3  # court notice reported to the legal office (Yuyao rules)
DEFENCE_DAYS = (
    15  # 《行政诉讼法》第六十七条: defence and evidence within 15 days of receiving the complaint copy
)
ABSENCE_NOTICE_DAYS = 5  # a head who cannot appear explains in writing at least 5 days before the hearing
FILING_WORKDAYS = 10  # the judgment filed with the legal office within 10 working days of service
APPEAL_DAYS = {Instrument.JUDGMENT: 15, Instrument.RULING: 10}  # 《行政诉讼法》第八十五条
RECON_REVIEW_WORKDAYS = 5  # 《行政复议法》（2023年修订）第三十条: acceptance reviewed within 5 (working) days
RECON_DECISION_DAYS = {ReconProcedure.NORMAL: 60, ReconProcedure.SIMPLIFIED: 30}  # 同法第六十二条
RECON_EXTENSION_MAX = 30  # ordinary procedure only, with the approval of the organ's head (同法第六十二条)
RECON_APPLY_DAYS = 60  # 同法第二十条: apply within 60 days of knowing of the act


def day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=SHANGHAI)


def _office(user: User | None) -> Department | None:
    staff = getattr(user, "staff", None) if user is not None and getattr(user, "pk", None) else None
    if staff is None:
        return None
    department: Department | None = staff.departments.order_by("pk").first()
    return department


def _stop(clock: Clock | None, at: datetime) -> None:
    if clock is not None and clock.state != ClockState.STOPPED:
        stop_clock(clock, at=at)


def _owner(lawsuit: Lawsuit, what: str) -> ClockOwner:
    return ClockOwner(
        label=f"行政诉讼 {lawsuit.case_number} {what}",
        link=lawsuit.get_absolute_url(),
        department=lawsuit.department,
        subject=lawsuit,
    )


def _snapshot(obj: Lawsuit | Reconsideration | Hearing, *fields: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def _locked_lawsuit(lawsuit: Lawsuit) -> Lawsuit:
    return (
        Lawsuit.objects.select_for_update(of=("self",))
        .select_related(
            "department", "parent", "report_clock", "defence_clock", "judgment_filing_clock", "appeal_clock"
        )
        .get(pk=lawsuit.pk)
    )


def _act(
    act_source: str,
    case: Case | None,
    case_number: str,
    act_description: str,
    errors: dict[str, str],
    info_request: InfoRequest | None = None,
    request_number: str = "",
) -> tuple[Case | None, InfoRequest | None]:
    """The challenged act: a case of this platform, an answer to an information request, or described in words."""
    if act_source not in ActSource.values:
        errors["act_source"] = "请选择被诉行政行为来源（本平台办件、信息公开答复或其他）"
        return None, None
    if act_source == ActSource.CASE:
        if case is None and case_number.strip():
            case = Case.objects.filter(number=case_number.strip()).first()
            if case is None:
                errors["act_case_number"] = "未找到该办件编号"
        if case is None and "act_case_number" not in errors:
            errors["act_case_number"] = "来源为本平台办件时，请填写办件编号"
        return case, None
    if act_source == ActSource.INFO_REQUEST:
        if info_request is None and request_number.strip():
            info_request = InfoRequest.objects.filter(number=request_number.strip()).first()
            if info_request is None:
                errors["act_request_number"] = "未找到该政府信息公开申请编号"
        if info_request is None and "act_request_number" not in errors:
            errors["act_request_number"] = "来源为政府信息公开申请答复时，请填写申请编号"
        return None, info_request
    if not act_description.strip():
        errors["act_description"] = "请写明被诉的行政行为"
    return None, None


# ---------------------------------------------------------------- litigation


@transaction.atomic
def register_lawsuit(
    *,
    by: User,
    department: Department,
    court: str,
    case_number: str,
    plaintiffs: str,
    cause: str,
    notice_received_on: date,
    act_source: str = ActSource.OTHER,
    case: Case | None = None,
    act_case_number: str = "",
    act_description: str = "",
    complaint_received_on: date | None = None,
    plaintiff_count: int | None = None,
    stage: str = Stage.FIRST,
    parent: Lawsuit | None = None,
    major_impact: bool = False,
    state_compensation: bool = False,
    named_by: str = "",
    reconsideration: Reconsideration | None = None,
    info_request: InfoRequest | None = None,
    act_request_number: str = "",
) -> Lawsuit:
    """The agency reports a court notice to the legal office: the report limit (3 days from receipt) is measured and
    stopped now, the defence limit (15 days from receipt of the complaint copy) starts, and the appearance rules are
    evaluated."""
    require_for_agency(by, department.pk, "登记行政诉讼案件")
    # The earlier instance as stored (its judgment decides the appeal-after-loss rule), not the caller's copy.
    parent = Lawsuit.objects.get(pk=parent.pk) if parent is not None else None
    at = now()
    today = engine.local_date(at)
    court, case_number, cause = court.strip(), case_number.strip(), cause.strip()
    names = [line.strip() for line in (plaintiffs or "").splitlines() if line.strip()]
    errors: dict[str, str] = {}
    if not court:
        errors["court"] = "请填写受理法院"
    if not case_number:
        errors["case_number"] = "请填写案号"
    if not cause:
        errors["cause"] = "请填写案由"
    if not names:
        errors["plaintiffs"] = "请填写原告（每行一名）"
    count = plaintiff_count if plaintiff_count is not None else len(names)
    if count < max(1, len(names)):
        errors["plaintiff_count"] = "原告人数不能少于所列原告"
    if stage not in Stage.values:
        errors["stage"] = "审级不正确"
    elif stage != Stage.FIRST and parent is None:
        errors["parent"] = "二审或再审案件请关联前一审级的案件"
    if parent is not None and parent.department_id != department.pk:
        errors["parent"] = "前一审级案件的被告机关不同"
    if named_by not in NamedBy.values:
        errors["named_by"] = "要求负责人出庭的主体不正确"
    complaint_received_on = complaint_received_on or notice_received_on
    if notice_received_on > today:
        errors["notice_received_on"] = "收到应诉通知日不能晚于今天"
    if complaint_received_on > today:
        errors["complaint_received_on"] = "收到起诉状副本日不能晚于今天"
    act_case, act_request = _act(
        act_source, case, act_case_number, act_description, errors, info_request, act_request_number
    )
    if not errors and Lawsuit.objects.filter(court=court, case_number=case_number).exists():
        errors["case_number"] = "该法院的此案号已登记"
    if errors:
        raise ValidationError(errors)
    lawsuit = Lawsuit(
        court=court,
        case_number=case_number,
        stage=stage,
        parent=parent,
        department=department,
        plaintiffs="\n".join(names),
        plaintiff_count=count,
        cause=cause[:200],
        act_source=act_source,
        case=act_case,
        info_request=act_request,
        act_description=act_description.strip()[:300],
        major_impact=major_impact,
        state_compensation=state_compensation,
        named_by=named_by,
        reconsideration=reconsideration,
        year=notice_received_on.year,
        notice_received_on=notice_received_on,
        complaint_received_on=complaint_received_on,
        registered_at=at,
        registered_by=by,
    )
    try:
        with transaction.atomic():
            lawsuit.save()
    except IntegrityError:
        raise ValidationError({"case_number": "该法院的此案号已登记"}) from None
    report = start_clock(
        kind=ClockKind.COURT_REPORT,
        amount=REPORT_DAYS,
        unit="day",
        at=min(day_start(notice_received_on), at),
        start_day=notice_received_on,
        label=case_number[:100],
        owner=_owner(lawsuit, "应诉通知报告"),
    )
    stop_clock(report, at=at)
    defence = start_clock(
        kind=ClockKind.DEFENCE,
        amount=DEFENCE_DAYS,
        unit="day",
        at=min(day_start(complaint_received_on), at),
        start_day=complaint_received_on,
        label=case_number[:100],
        owner=_owner(lawsuit, "答辩举证期限"),
    )
    lawsuit.report_clock, lawsuit.defence_clock = report, defence
    lawsuit.appearance_reasons = rules.reasons_for(lawsuit)
    lawsuit.appearance_required = bool(lawsuit.appearance_reasons)
    lawsuit.save(update_fields=["report_clock", "defence_clock", "appearance_reasons", "appearance_required"])
    if parent is not None:
        # The next instance is under way: the earlier one's appeal period is over for the legal office's purposes.
        locked_parent = _locked_lawsuit(parent)
        _stop(locked_parent.appeal_clock, at)
        if locked_parent.status != LawsuitStatus.CLOSED:
            locked_parent.status, locked_parent.closed_at = LawsuitStatus.CLOSED, at
            locked_parent.save(update_fields=["status", "closed_at"])
    record_event(
        AuditEventType.LAWSUIT_REGISTERED,
        actor=by,
        obj=lawsuit,
        after=_snapshot(
            lawsuit,
            "court",
            "case_number",
            "stage",
            "department_id",
            "plaintiff_count",
            "notice_received_on",
            "appearance_reasons",
        ),
        note=f"报告{'逾期' if report.late else '按时'}",
    )
    return lawsuit


@transaction.atomic
def set_appearance_flags(
    lawsuit: Lawsuit,
    *,
    by: User,
    major_impact: bool | None = None,
    state_compensation: bool | None = None,
    named_by: str | None = None,
) -> Lawsuit:
    """The legal office marks a case as of major impact, a state-compensation case, or names it; the rules are
    evaluated again (a lawsuit once required keeps its later hearings' requirement from now on)."""
    require_legal_office(by, "认定负责人出庭情形")
    lawsuit = _locked_lawsuit(lawsuit)
    if named_by is not None and named_by not in NamedBy.values:
        raise ValidationError({"named_by": "要求负责人出庭的主体不正确"})
    before = _snapshot(lawsuit, "major_impact", "state_compensation", "named_by", "appearance_reasons")
    if major_impact is not None:
        lawsuit.major_impact = major_impact
    if state_compensation is not None:
        lawsuit.state_compensation = state_compensation
    if named_by is not None:
        lawsuit.named_by = named_by
    lawsuit.appearance_reasons = rules.reasons_for(lawsuit)
    lawsuit.appearance_required = bool(lawsuit.appearance_reasons)
    lawsuit.save()
    at = now()
    for hearing in lawsuit.hearings.filter(appearance=AppearanceStatus.PENDING, scheduled_for__gt=at):
        if hearing.head_required != lawsuit.appearance_required:
            hearing.head_required = lawsuit.appearance_required
            if hearing.head_required and hearing.absence_clock_id is None:
                hearing.absence_clock = _absence_clock(lawsuit, hearing, at)
            hearing.save(update_fields=["head_required", "absence_clock"])
    record_event(
        AuditEventType.LAWSUIT_UPDATED,
        actor=by,
        obj=lawsuit,
        before=before,
        after=_snapshot(lawsuit, "major_impact", "state_compensation", "named_by", "appearance_reasons"),
        note="认定负责人出庭情形",
    )
    return lawsuit


@transaction.atomic
def file_defence(lawsuit: Lawsuit, *, by: User) -> Lawsuit:
    """The defence (答辩状) and the evidence reach the court: the 15-day limit stops."""
    lawsuit = _locked_lawsuit(lawsuit)
    require_for_agency(by, lawsuit.department_id, "提交答辩状")
    if lawsuit.defence_filed_at is not None:
        raise ValidationError({"status": "已提交答辩状和证据"})
    at = now()
    _stop(lawsuit.defence_clock, at)
    lawsuit.defence_filed_at = at
    if lawsuit.status == LawsuitStatus.REGISTERED:
        lawsuit.status = LawsuitStatus.DEFENDED
    lawsuit.save(update_fields=["defence_filed_at", "status"])
    late = bool(lawsuit.defence_clock and lawsuit.defence_clock.late)
    record_event(
        AuditEventType.LAWSUIT_UPDATED,
        actor=by,
        obj=lawsuit,
        note=f"提交答辩状和证据（{'逾期' if late else '按时'}）",
    )
    return lawsuit


def absence_deadline(hearing_day: date) -> date:
    """The last day a written explanation is in time: 5 days before the hearing, moved back to a working day so
    that the office is open on it (moving it forward would leave fewer than 5 days)."""
    day = hearing_day - timedelta(days=ABSENCE_NOTICE_DAYS)
    while not engine.is_working_day(day).value:
        day -= timedelta(days=1)
    return day


def _absence_clock(lawsuit: Lawsuit, hearing: Hearing, at: datetime) -> Clock:
    today = engine.local_date(at)
    due = absence_deadline(engine.local_date(hearing.scheduled_for))
    return start_clock(
        kind=ClockKind.ABSENCE_NOTE,
        amount=max(0, (due - today).days),
        unit="day",
        at=at,
        start_day=today,
        label=lawsuit.case_number[:100],
        owner=_owner(lawsuit, "负责人出庭确认或不能出庭书面说明"),
    )


@transaction.atomic
def schedule_hearing(lawsuit: Lawsuit, *, by: User, scheduled_for: datetime, place: str = "") -> Hearing:
    """The court sets a hearing. When the head must appear, a clock runs to the last day a written explanation of
    absence may be filed; the head's confirmation of appearance stops it too."""
    lawsuit = _locked_lawsuit(lawsuit)
    require_for_agency(by, lawsuit.department_id, "登记开庭")
    at = now()
    if lawsuit.status == LawsuitStatus.CLOSED or lawsuit.outcome:
        raise ValidationError({"status": "案件已裁判，不能再登记开庭"})
    if scheduled_for <= at:
        raise ValidationError({"scheduled_for": "开庭时间应晚于现在"})
    hearing = Hearing.objects.create(
        lawsuit=lawsuit,
        scheduled_for=scheduled_for,
        place=place.strip()[:100],
        head_required=lawsuit.appearance_required,
        appearance=AppearanceStatus.PENDING,
    )
    if hearing.head_required:
        hearing.absence_clock = _absence_clock(lawsuit, hearing, at)
        hearing.save(update_fields=["absence_clock"])
    record_event(
        AuditEventType.LAWSUIT_UPDATED,
        actor=by,
        obj=lawsuit,
        after={
            "hearing": hearing.pk,
            "scheduled_for": scheduled_for.isoformat(),
            "head_required": hearing.head_required,
        },
        note="登记开庭",
    )
    return hearing


def _locked_hearing(hearing: Hearing) -> Hearing:
    return (
        Hearing.objects.select_for_update(of=("self",))
        .select_related("lawsuit", "lawsuit__department", "absence_clock")
        .get(pk=hearing.pk)
    )


@transaction.atomic
def confirm_head_appearance(hearing: Hearing, *, by: User, head_name: str, head_title: str = "") -> Hearing:
    """The agency confirms which head will appear: nothing is left to explain, the explanation limit stops."""
    hearing = _locked_hearing(hearing)
    require_for_agency(by, hearing.lawsuit.department_id, "确认负责人出庭")
    if hearing.appearance != AppearanceStatus.PENDING:
        raise ValidationError({"appearance": "该次庭审已记录"})
    if not head_name.strip():
        raise ValidationError({"head_name": "请填写出庭负责人姓名"})
    hearing.head_name, hearing.head_title = head_name.strip()[:50], head_title.strip()[:50]
    _stop(hearing.absence_clock, now())
    hearing.save(update_fields=["head_name", "head_title"])
    record_event(
        AuditEventType.LAWSUIT_UPDATED,
        actor=by,
        obj=hearing.lawsuit,
        note=f"确认负责人{hearing.head_name}出庭",
    )
    return hearing


@transaction.atomic
def explain_absence(hearing: Hearing, *, by: User, reason: str, explanation: str) -> Hearing:
    """A head who cannot appear explains in writing; it counts as excused only if filed by the deadline (at least 5
    days before the hearing) with one of the valid reasons."""
    hearing = _locked_hearing(hearing)
    require_for_agency(by, hearing.lawsuit.department_id, "提交不能出庭书面说明")
    errors: dict[str, str] = {}
    if hearing.appearance != AppearanceStatus.PENDING:
        errors["appearance"] = "该次庭审已记录"
    if not hearing.head_required:
        errors["appearance"] = "该案无需负责人出庭，无需说明"
    if reason not in AbsenceReason.values:
        errors["reason"] = "请选择不能出庭的正当理由"
    if not explanation.strip():
        errors["explanation"] = "请填写书面说明"
    if hearing.explained_at is not None:
        errors["explanation"] = "已提交书面说明"
    if errors:
        raise ValidationError(errors)
    at = now()
    clock = hearing.absence_clock
    _stop(clock, at)
    hearing.absence_reason, hearing.absence_explanation = reason, explanation.strip()
    hearing.explained_at = at
    hearing.explained_in_time = not bool(clock and clock.late)
    hearing.save(update_fields=["absence_reason", "absence_explanation", "explained_at", "explained_in_time"])
    record_event(
        AuditEventType.LAWSUIT_UPDATED,
        actor=by,
        obj=hearing.lawsuit,
        after={"hearing": hearing.pk, "reason": reason, "in_time": hearing.explained_in_time},
        note="负责人不能出庭书面说明",
    )
    return hearing


@transaction.atomic
def record_hearing(
    hearing: Hearing, *, by: User, head_appeared: bool, head_name: str = "", head_title: str = ""
) -> Hearing:
    """After the session: a head appeared, or the agency was represented by staff — excused when the head was not
    required or explained in time with a valid reason, otherwise absent."""
    hearing = _locked_hearing(hearing)
    require_for_agency(by, hearing.lawsuit.department_id, "记录庭审出庭情况")
    at = now()
    if hearing.appearance != AppearanceStatus.PENDING:
        raise ValidationError({"appearance": "该次庭审已记录"})
    if hearing.scheduled_for > at:
        raise ValidationError({"scheduled_for": "尚未开庭"})
    if head_appeared:
        name = head_name.strip() or hearing.head_name
        if not name:
            raise ValidationError({"head_name": "请填写出庭负责人姓名"})
        hearing.head_name, hearing.head_title = name[:50], (head_title.strip() or hearing.head_title)[:50]
        hearing.appearance = AppearanceStatus.HEAD_APPEARED
    elif not hearing.head_required:
        hearing.appearance = AppearanceStatus.NOT_REQUIRED
    elif hearing.explained_in_time:
        hearing.appearance = AppearanceStatus.EXCUSED
    else:
        hearing.appearance = AppearanceStatus.ABSENT
    _stop(hearing.absence_clock, at)
    hearing.held_at = at
    hearing.save(update_fields=["head_name", "head_title", "appearance", "held_at"])
    record_event(
        AuditEventType.LAWSUIT_UPDATED,
        actor=by,
        obj=hearing.lawsuit,
        after={"hearing": hearing.pk, "appearance": hearing.appearance},
        note="记录庭审出庭情况",
    )
    return hearing


def _correct_case(
    case: Case | None, *, source: str, label: str, note: str, at: datetime, **link: Lawsuit | Reconsideration
) -> None:
    if case is not None:
        CaseCorrection.objects.create(
            case=case, source=source, outcome_label=label[:50], note=note, at=at, **link
        )


@transaction.atomic
def record_judgment(
    lawsuit: Lawsuit,
    *,
    by: User,
    instrument: str,
    outcome: str,
    served_on: date,
    summary: str = "",
) -> Lawsuit:
    """The judgment or ruling is served: the filing limit (10 working days) starts, and at first instance the appeal
    period (15 days for a judgment, 10 for a ruling, 《行政诉讼法》第八十五条). A judgment that sets the act
    aside feeds back to its case."""
    lawsuit = _locked_lawsuit(lawsuit)
    require_for_agency(by, lawsuit.department_id, "登记裁判结果")
    at = now()
    errors: dict[str, str] = {}
    if lawsuit.outcome:
        errors["outcome"] = "已登记裁判结果"
    if instrument not in Instrument.values:
        errors["instrument"] = "请选择判决或裁定"
    if outcome not in Outcome.values:
        errors["outcome"] = "请选择裁判结果"
    if served_on > engine.local_date(at):
        errors["served_on"] = "送达日不能晚于今天"
    elif served_on < lawsuit.notice_received_on:
        errors["served_on"] = "送达日不能早于收到应诉通知日"
    if errors:
        raise ValidationError(errors)
    lawsuit.instrument, lawsuit.outcome, lawsuit.judgment_served_on = instrument, outcome, served_on
    lawsuit.judgment_summary = summary.strip()
    start = min(day_start(served_on), at)
    lawsuit.judgment_filing_clock = start_clock(
        kind=ClockKind.JUDGMENT_FILING,
        amount=FILING_WORKDAYS,
        unit="workday",
        at=start,
        start_day=served_on,
        label=lawsuit.case_number[:100],
        owner=_owner(lawsuit, "裁判文书备案"),
    )
    if lawsuit.stage == Stage.FIRST and outcome != Outcome.WITHDRAWN:
        lawsuit.appeal_clock = start_clock(
            kind=ClockKind.APPEAL,
            amount=APPEAL_DAYS[Instrument(instrument)],
            unit="day",
            at=start,
            start_day=served_on,
            label=lawsuit.case_number[:100],
            owner=_owner(lawsuit, "上诉期限"),
        )
        lawsuit.status = LawsuitStatus.JUDGED
    else:
        lawsuit.status, lawsuit.closed_at = LawsuitStatus.CLOSED, at
    lawsuit.save()
    for hearing in lawsuit.hearings.select_related("absence_clock").filter(
        appearance=AppearanceStatus.PENDING
    ):
        _stop(hearing.absence_clock, at)
    if outcome in CORRECTING_OUTCOMES:
        _correct_case(
            lawsuit.case,
            source=CorrectionSource.LAWSUIT,
            label=Outcome(outcome).label,
            note=f"{lawsuit.court}（{lawsuit.case_number}）{summary.strip()}"[:2000],
            at=at,
            lawsuit=lawsuit,
        )
    record_event(
        AuditEventType.LAWSUIT_UPDATED,
        actor=by,
        obj=lawsuit,
        after=_snapshot(lawsuit, "instrument", "outcome", "judgment_served_on"),
        note="登记裁判结果",
    )
    return lawsuit


@transaction.atomic
def file_judgment(lawsuit: Lawsuit, *, by: User) -> Lawsuit:
    """The judgment is filed with the legal office (备案)."""
    lawsuit = _locked_lawsuit(lawsuit)
    require_for_agency(by, lawsuit.department_id, "报送裁判文书备案")
    if not lawsuit.outcome:
        raise ValidationError({"outcome": "尚未登记裁判结果"})
    if lawsuit.judgment_filed_at is not None:
        raise ValidationError({"judgment_filed_at": "裁判文书已备案"})
    at = now()
    _stop(lawsuit.judgment_filing_clock, at)
    lawsuit.judgment_filed_at = at
    lawsuit.save(update_fields=["judgment_filed_at"])
    late = bool(lawsuit.judgment_filing_clock and lawsuit.judgment_filing_clock.late)
    record_event(
        AuditEventType.LAWSUIT_UPDATED,
        actor=by,
        obj=lawsuit,
        note=f"裁判文书备案（{'逾期' if late else '按时'}）",
    )
    return lawsuit


@transaction.atomic
def decide_appeal(lawsuit: Lawsuit, *, by: User, appeal: bool) -> Lawsuit:
    """The agency appeals or accepts the first-instance decision; either way the appeal period's clock stops. An
    appeal is then registered as the next instance (`register_lawsuit(stage="appeal", parent=…)`)."""
    lawsuit = _locked_lawsuit(lawsuit)
    require_for_agency(by, lawsuit.department_id, "决定是否上诉")
    if lawsuit.status != LawsuitStatus.JUDGED or lawsuit.appeal_clock is None:
        raise ValidationError({"status": "案件不在上诉期内"})
    at = now()
    clock = lawsuit.appeal_clock
    if appeal and clock.due_at is not None and at > clock.due_at:
        raise ValidationError({"appeal": "上诉期限已届满"})
    _stop(clock, at)
    lawsuit.appealed = appeal
    lawsuit.status, lawsuit.closed_at = LawsuitStatus.CLOSED, at
    lawsuit.save(update_fields=["appealed", "status", "closed_at"])
    record_event(
        AuditEventType.LAWSUIT_UPDATED,
        actor=by,
        obj=lawsuit,
        note="提起上诉" if appeal else "服判息诉，不上诉",
    )
    return lawsuit


@transaction.atomic
def save_appearance_rule(
    *, by: User, key: str, active: bool, threshold: int | None = None, note: str = ""
) -> AppearanceRule:
    """Configure one appearance rule (the legal office's data)."""
    require_role(
        by,
        Role.LEGAL_OFFICER,
        Role.CENTER_ADMIN,
        message="只有法制机构或中心管理员可以配置负责人出庭应诉规则",
    )
    from .choices import AppearanceRuleKey

    if key not in AppearanceRuleKey.values:
        raise ValidationError({"key": "规则不正确"})
    if threshold is not None and threshold < 2:
        raise ValidationError({"threshold": "人数标准至少为2人"})
    rule, _ = AppearanceRule.objects.update_or_create(
        key=key, defaults={"active": active, "threshold": threshold, "note": note[:200]}
    )
    record_event(
        AuditEventType.APPEARANCE_RULE_SAVED,
        actor=by,
        obj=rule,
        after={"key": key, "active": active, "threshold": threshold},
    )
    return rule


@transaction.atomic
def issue_court_summary(*, by: User | None, year: int, quarter: int) -> CourtSummary:
    """Generate (or regenerate) the quarter's summary of heads' appearances for the court."""
    if by is not None:
        require_legal_office(by, "生成出庭应诉季度通报")
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "季度应为1至4"})
    from .report import quarter_summary

    figures, body = quarter_summary(year, quarter)
    summary, _ = CourtSummary.objects.update_or_create(
        year=year,
        quarter=quarter,
        defaults={"generated_at": now(), "generated_by": by, "figures": figures, "body": body},
    )
    record_event(AuditEventType.COURT_SUMMARY_ISSUED, actor=by, obj=summary, after=figures.get("totals"))
    return summary


# ---------------------------------------------------------------- reconsideration


def _next_recon_number(year: int) -> str:
    prefix = f"〔{year}〕"
    taken = Reconsideration.objects.select_for_update().filter(year=year).count()
    return f"复议{prefix}{taken + 1}号"


def _recon_owner(recon: Reconsideration, what: str, office: Department | None) -> ClockOwner:
    return ClockOwner(
        label=f"行政复议 {recon.number} {what}",
        link=recon.get_absolute_url(),
        department=office,
        subject=recon,
    )


def _locked_recon(recon: Reconsideration) -> Reconsideration:
    return (
        Reconsideration.objects.select_for_update(of=("self",))
        .select_related("department", "case", "review_clock", "decision_clock")
        .get(pk=recon.pk)
    )


@transaction.atomic
def receive_reconsideration(
    *,
    by: User,
    department: Department,
    applicant_name: str,
    request: str,
    act_source: str = ActSource.OTHER,
    case: Case | None = None,
    act_case_number: str = "",
    act_description: str = "",
    applicant_count: int = 1,
    known_on: date | None = None,
    info_request: InfoRequest | None = None,
    act_request_number: str = "",
) -> Reconsideration:
    """An application arrives at the legal office: the acceptance review (5 working days) starts."""
    require_legal_office(by, "登记行政复议申请")
    at = now()
    errors: dict[str, str] = {}
    if not applicant_name.strip():
        errors["applicant_name"] = "请填写申请人"
    if not request.strip():
        errors["request"] = "请填写复议请求"
    if applicant_count < 1:
        errors["applicant_count"] = "申请人人数至少为1"
    if known_on is not None and known_on > engine.local_date(at):
        errors["known_on"] = "知道行政行为之日不能晚于今天"
    act_case, act_request = _act(
        act_source, case, act_case_number, act_description, errors, info_request, act_request_number
    )
    if errors:
        raise ValidationError(errors)
    year = engine.local_date(at).year
    recon = Reconsideration.objects.create(
        number=_next_recon_number(year),
        year=year,
        applicant_name=applicant_name.strip()[:200],
        applicant_count=applicant_count,
        department=department,
        act_source=act_source,
        case=act_case,
        info_request=act_request,
        act_description=act_description.strip()[:300],
        request=request.strip(),
        known_on=known_on,
        received_at=at,
        received_by=by,
    )
    recon.review_clock = start_clock(
        kind=ClockKind.RECON_REVIEW,
        amount=RECON_REVIEW_WORKDAYS,
        unit="workday",
        at=at,
        label=recon.number,
        owner=_recon_owner(recon, "受理审查", _office(by)),
    )
    recon.save(update_fields=["review_clock"])
    record_event(
        AuditEventType.RECONSIDERATION_RECEIVED,
        actor=by,
        obj=recon,
        after=_snapshot(recon, "number", "department_id", "act_source", "applicant_count"),
    )
    return recon


def application_late(recon: Reconsideration) -> bool:
    """Filed more than 60 days after the applicant knew of the act (《行政复议法》（2023年修订）第二十条)."""
    if recon.known_on is None:
        return False
    return (engine.local_date(recon.received_at) - recon.known_on).days > RECON_APPLY_DAYS


@transaction.atomic
def accept_reconsideration(
    recon: Reconsideration, *, by: User, procedure: str = ReconProcedure.NORMAL
) -> Reconsideration:
    """Accepted: the decision limit starts on the day of acceptance — 60 days, 30 under the simplified procedure."""
    require_legal_office(by, "受理行政复议申请")
    recon = _locked_recon(recon)
    if recon.status != ReconStatus.RECEIVED:
        raise ValidationError({"status": "该申请不在受理审查阶段"})
    if procedure not in ReconProcedure.values:
        raise ValidationError({"procedure": "请选择普通程序或简易程序"})
    at = now()
    _stop(recon.review_clock, at)
    recon.status, recon.procedure, recon.accepted_at = ReconStatus.ACCEPTED, procedure, at
    recon.decision_clock = start_clock(
        kind=ClockKind.RECON_DECISION,
        amount=RECON_DECISION_DAYS[ReconProcedure(procedure)],
        unit="day",
        at=at,
        label=recon.number,
        owner=_recon_owner(recon, "复议决定期限", _office(by)),
    )
    recon.save(update_fields=["status", "procedure", "accepted_at", "decision_clock"])
    record_event(
        AuditEventType.RECONSIDERATION_UPDATED,
        actor=by,
        obj=recon,
        after={"procedure": procedure},
        note="受理",
    )
    return recon


@transaction.atomic
def refuse_reconsideration(recon: Reconsideration, *, by: User, ground: str, reason: str) -> Reconsideration:
    """Not accepted, with the legal ground and a written reason (《行政复议法》（2023年修订）第三十条)."""
    require_legal_office(by, "决定不予受理")
    recon = _locked_recon(recon)
    errors: dict[str, str] = {}
    if recon.status != ReconStatus.RECEIVED:
        errors["status"] = "该申请不在受理审查阶段"
    if ground not in RefusalGround.values:
        errors["ground"] = "请选择不予受理的法定情形"
    if not reason.strip():
        errors["reason"] = "请写明不予受理的理由"
    if errors:
        raise ValidationError(errors)
    at = now()
    _stop(recon.review_clock, at)
    recon.status, recon.refusal_ground, recon.refusal_reason = ReconStatus.REFUSED, ground, reason.strip()
    recon.decided_at = at
    recon.save(update_fields=["status", "refusal_ground", "refusal_reason", "decided_at"])
    record_event(
        AuditEventType.RECONSIDERATION_UPDATED, actor=by, obj=recon, after={"ground": ground}, note="不予受理"
    )
    return recon


@transaction.atomic
def hear_reconsideration(recon: Reconsideration, *, by: User, note: str = "") -> Reconsideration:
    require_legal_office(by, "审理行政复议案件")
    recon = _locked_recon(recon)
    if recon.status != ReconStatus.ACCEPTED:
        raise ValidationError({"status": "该案件不在审理阶段"})
    recon.status, recon.heard_at, recon.hearing_note = ReconStatus.HEARD, now(), note.strip()
    recon.save(update_fields=["status", "heard_at", "hearing_note"])
    record_event(AuditEventType.RECONSIDERATION_UPDATED, actor=by, obj=recon, note="审理")
    return recon


@transaction.atomic
def extend_reconsideration(
    recon: Reconsideration, *, by: User, reason: str, days: int = RECON_EXTENSION_MAX
) -> Reconsideration:
    """A complex case under the ordinary procedure, with the head's approval: at most 30 more days, once."""
    require_legal_office(by, "延长行政复议审理期限")
    recon = _locked_recon(recon)
    errors: dict[str, str] = {}
    if recon.status not in (ReconStatus.ACCEPTED, ReconStatus.HEARD):
        errors["status"] = "该案件不在审理阶段"
    elif recon.procedure != ReconProcedure.NORMAL:
        errors["procedure"] = "简易程序案件不能延长审理期限"
    elif recon.extended:
        errors["days"] = "审理期限已延长过"
    if not 1 <= days <= RECON_EXTENSION_MAX:
        errors["days"] = f"延长期限最多不超过{RECON_EXTENSION_MAX}日"
    if not reason.strip():
        errors["reason"] = "请写明情况复杂需要延期的理由"
    if errors:
        raise ValidationError(errors)
    assert recon.decision_clock is not None
    extend_clock(recon.decision_clock, days)
    recon.extended, recon.extension_reason = True, reason.strip()[:200]
    recon.save(update_fields=["extended", "extension_reason"])
    record_event(
        AuditEventType.RECONSIDERATION_UPDATED, actor=by, obj=recon, after={"days": days}, note="延长审理期限"
    )
    return recon


@transaction.atomic
def decide_reconsideration(
    recon: Reconsideration, *, by: User, outcome: str, text: str = ""
) -> Reconsideration:
    """The decision: the limit stops; a decision that revokes, changes or finds the act unlawful or void feeds back
    to the case the act was made in."""
    require_legal_office(by, "作出行政复议决定")
    recon = _locked_recon(recon)
    errors: dict[str, str] = {}
    if recon.status not in (ReconStatus.ACCEPTED, ReconStatus.HEARD):
        errors["status"] = "该案件不在审理阶段"
    if outcome not in ReconOutcome.values:
        errors["outcome"] = "请选择复议决定类型"
    if errors:
        raise ValidationError(errors)
    at = now()
    _stop(recon.decision_clock, at)
    recon.status, recon.outcome, recon.decision_text, recon.decided_at = (
        ReconStatus.DECIDED,
        outcome,
        text.strip(),
        at,
    )
    recon.save(update_fields=["status", "outcome", "decision_text", "decided_at"])
    if outcome in RECON_FEEDS_BACK:
        _correct_case(
            recon.case,
            source=CorrectionSource.RECONSIDERATION,
            label=ReconOutcome(outcome).label,
            note=f"{recon.number}：{text.strip()}"[:2000],
            at=at,
            reconsideration=recon,
        )
    record_event(
        AuditEventType.RECONSIDERATION_UPDATED,
        actor=by,
        obj=recon,
        after={"outcome": outcome},
        note="作出复议决定",
    )
    return recon
