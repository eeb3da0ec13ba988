"""The legal office's JSON API under /api/v1/legal/: lawsuits, hearings, reconsiderations and the annual figures,
with the same permissions as the pages (legal office everywhere; an agency's head and approvers for their agency)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from govhall.cases.api import AUTH
from govhall.cases.schemas import Invalid, Problem
from govhall.clocks.models import Clock
from govhall.org.access import acting_user
from govhall.org.models import Department

from . import actions, queries
from .models import Hearing, Lawsuit, Reconsideration
from .report import annual_report

router = Router(tags=["行政应诉与复议"], auth=AUTH)

ERR = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Invalid}


def _user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    if not queries.may_use(user):
        raise PermissionDenied("需要“法制办”角色，或被告机关的负责人、审批人员")
    return user


def _department(pk: int) -> Department:
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise ValidationError({"department_id": "部门不存在"})
    return department


def _due(clock: Clock | None) -> dict[str, Any] | None:
    if clock is None:
        return None
    return {"kind": clock.kind, "due_day": clock.due_day, "state": clock.state, "late": clock.late}


class ClockOut(Schema):
    kind: str
    due_day: date | None
    state: str
    late: bool | None


class HearingOut(Schema):
    id: int
    scheduled_for: datetime
    place: str
    head_required: bool
    appearance: str
    head_name: str
    absence_reason: str
    explained_in_time: bool | None
    absence_deadline: ClockOut | None


class LawsuitOut(Schema):
    id: int
    court: str
    case_number: str
    stage: str
    parent_id: int | None
    department_id: int
    department: str
    plaintiff_count: int
    cause: str
    act_source: str
    case_number_of_act: str | None = Field(None, description="被诉行为所在的本平台办件编号")
    status: str
    appearance_required: bool
    appearance_reasons: list[str]
    outcome: str
    lost: bool
    report: ClockOut | None
    defence: ClockOut | None
    judgment_filing: ClockOut | None
    appeal: ClockOut | None
    hearings: list[HearingOut]


def _suit_out(s: Lawsuit) -> dict[str, Any]:
    return {
        "id": s.pk,
        "court": s.court,
        "case_number": s.case_number,
        "stage": s.stage,
        "parent_id": s.parent_id,
        "department_id": s.department_id,
        "department": s.department.name,
        "plaintiff_count": s.plaintiff_count,
        "cause": s.cause,
        "act_source": s.act_source,
        "case_number_of_act": s.case.number if s.case_id and s.case else None,
        "status": s.status,
        "appearance_required": s.appearance_required,
        "appearance_reasons": list(s.appearance_reasons),
        "outcome": s.outcome,
        "lost": s.lost,
        "report": _due(s.report_clock),
        "defence": _due(s.defence_clock),
        "judgment_filing": _due(s.judgment_filing_clock),
        "appeal": _due(s.appeal_clock),
        "hearings": [
            {
                "id": h.pk,
                "scheduled_for": h.scheduled_for,
                "place": h.place,
                "head_required": h.head_required,
                "appearance": h.appearance,
                "head_name": h.head_name,
                "absence_reason": h.absence_reason,
                "explained_in_time": h.explained_in_time,
                "absence_deadline": _due(h.absence_clock),
            }
            for h in s.hearings.select_related("absence_clock")
        ],
    }


def _suit(request: HttpRequest, pk: int) -> tuple[User, Lawsuit]:
    user = _user(request)
    suit = queries.lawsuits_for(user).select_related("case", "report_clock").filter(pk=pk).first()
    if suit is None:
        raise Http404
    return user, suit


class LawsuitIn(Schema):
    department_id: int
    court: str = Field(..., max_length=100)
    case_number: str = Field(..., max_length=60)
    plaintiffs: str = Field(..., max_length=5000, description="每行一名")
    plaintiff_count: int | None = Field(None, ge=1)
    cause: str = Field(..., max_length=200)
    notice_received_on: date
    complaint_received_on: date | None = None
    act_source: str = Field("other", description="case 本平台办件, info_request 信息公开答复, other 其他")
    act_case_number: str = Field("", max_length=20)
    act_request_number: str = Field("", max_length=20, description="政府信息公开申请编号")
    act_description: str = Field("", max_length=300)
    stage: str = "first"
    parent_id: int | None = None
    major_impact: bool = False
    state_compensation: bool = False
    named_by: str = ""


@router.get("/legal/lawsuits", response={200: list[LawsuitOut], **ERR}, summary="行政诉讼案件列表")
def list_lawsuits(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    qs = queries.lawsuits_for(_user(request)).select_related("case", "report_clock")
    if year:
        qs = qs.filter(year=year)
    return [_suit_out(s) for s in qs[:500]]


@router.post("/legal/lawsuits", response={201: LawsuitOut, **ERR}, summary="登记行政诉讼案件（报告应诉通知）")
def register(request: HttpRequest, payload: LawsuitIn) -> Status[dict[str, Any]]:
    user = _user(request)
    data = payload.dict()
    department = _department(data.pop("department_id"))
    parent_id = data.pop("parent_id")
    parent = queries.lawsuits_for(user).filter(pk=parent_id).first() if parent_id else None
    if parent_id and parent is None:
        raise ValidationError({"parent_id": "前一审级案件不存在"})
    suit = actions.register_lawsuit(by=user, department=department, parent=parent, **data)
    return Status(201, _suit_out(suit))


@router.get("/legal/lawsuits/{pk}", response={200: LawsuitOut, **ERR}, summary="行政诉讼案件")
def get_lawsuit(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _suit_out(_suit(request, pk)[1])


@router.post("/legal/lawsuits/{pk}/defence", response={200: LawsuitOut, **ERR}, summary="提交答辩状和证据")
def defence(request: HttpRequest, pk: int) -> dict[str, Any]:
    user, suit = _suit(request, pk)
    return _suit_out(actions.file_defence(suit, by=user))


class HearingIn(Schema):
    scheduled_for: datetime
    place: str = Field("", max_length=100)


@router.post("/legal/lawsuits/{pk}/hearings", response={201: LawsuitOut, **ERR}, summary="登记开庭")
def hearing(request: HttpRequest, pk: int, payload: HearingIn) -> Status[dict[str, Any]]:
    user, suit = _suit(request, pk)
    actions.schedule_hearing(suit, by=user, scheduled_for=payload.scheduled_for, place=payload.place)
    return Status(201, _suit_out(suit))


def _hearing(suit: Lawsuit, hearing_id: int) -> Hearing:
    h = suit.hearings.filter(pk=hearing_id).first()
    if h is None:
        raise Http404
    return h


class AbsenceIn(Schema):
    reason: str = Field(..., description="illness, official_duty, emergency, force_majeure, other_approved")
    explanation: str = Field(..., max_length=2000)


@router.post(
    "/legal/lawsuits/{pk}/hearings/{hearing_id}/absence",
    response={200: LawsuitOut, **ERR},
    summary="负责人不能出庭书面说明",
)
def absence(request: HttpRequest, pk: int, hearing_id: int, payload: AbsenceIn) -> dict[str, Any]:
    user, suit = _suit(request, pk)
    actions.explain_absence(_hearing(suit, hearing_id), by=user, **payload.dict())
    return _suit_out(suit)


class AppearanceIn(Schema):
    head_appeared: bool
    head_name: str = Field("", max_length=50)
    head_title: str = Field("", max_length=50)


@router.post(
    "/legal/lawsuits/{pk}/hearings/{hearing_id}/record",
    response={200: LawsuitOut, **ERR},
    summary="记录庭审出庭情况",
)
def record_hearing(request: HttpRequest, pk: int, hearing_id: int, payload: AppearanceIn) -> dict[str, Any]:
    user, suit = _suit(request, pk)
    actions.record_hearing(_hearing(suit, hearing_id), by=user, **payload.dict())
    return _suit_out(suit)


class JudgmentIn(Schema):
    instrument: str = Field(..., description="judgment 判决, ruling 裁定")
    outcome: str
    served_on: date
    summary: str = Field("", max_length=5000)


@router.post("/legal/lawsuits/{pk}/judgment", response={200: LawsuitOut, **ERR}, summary="登记裁判结果")
def judgment(request: HttpRequest, pk: int, payload: JudgmentIn) -> dict[str, Any]:
    user, suit = _suit(request, pk)
    return _suit_out(actions.record_judgment(suit, by=user, **payload.dict()))


@router.post("/legal/lawsuits/{pk}/filing", response={200: LawsuitOut, **ERR}, summary="裁判文书备案")
def filing(request: HttpRequest, pk: int) -> dict[str, Any]:
    user, suit = _suit(request, pk)
    return _suit_out(actions.file_judgment(suit, by=user))


class AppealIn(Schema):
    appeal: bool


@router.post("/legal/lawsuits/{pk}/appeal", response={200: LawsuitOut, **ERR}, summary="决定是否上诉")
def appeal(request: HttpRequest, pk: int, payload: AppealIn) -> dict[str, Any]:
    user, suit = _suit(request, pk)
    return _suit_out(actions.decide_appeal(suit, by=user, appeal=payload.appeal))


class ReconOut(Schema):
    id: int
    number: str
    applicant_name: str
    department_id: int
    department: str
    act_source: str
    status: str
    procedure: str
    refusal_ground: str
    outcome: str
    extended: bool
    review: ClockOut | None
    decision: ClockOut | None


def _recon_out(r: Reconsideration) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "applicant_name": r.applicant_name,
        "department_id": r.department_id,
        "department": r.department.name,
        "act_source": r.act_source,
        "status": r.status,
        "procedure": r.procedure,
        "refusal_ground": r.refusal_ground,
        "outcome": r.outcome,
        "extended": r.extended,
        "review": _due(r.review_clock),
        "decision": _due(r.decision_clock),
    }


def _recon(request: HttpRequest, pk: int) -> tuple[User, Reconsideration]:
    user = _user(request)
    recon = queries.reconsiderations_for(user).filter(pk=pk).first()
    if recon is None:
        raise Http404
    return user, recon


class ReconIn(Schema):
    department_id: int
    applicant_name: str = Field(..., max_length=200)
    applicant_count: int = Field(1, ge=1)
    request: str = Field(..., max_length=5000)
    act_source: str = "other"
    act_case_number: str = Field("", max_length=20)
    act_request_number: str = Field("", max_length=20, description="政府信息公开申请编号")
    act_description: str = Field("", max_length=300)
    known_on: date | None = None


@router.get("/legal/reconsiderations", response={200: list[ReconOut], **ERR}, summary="行政复议案件列表")
def list_recons(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    qs = queries.reconsiderations_for(_user(request))
    if year:
        qs = qs.filter(year=year)
    return [_recon_out(r) for r in qs[:500]]


@router.post("/legal/reconsiderations", response={201: ReconOut, **ERR}, summary="登记行政复议申请")
def receive(request: HttpRequest, payload: ReconIn) -> Status[dict[str, Any]]:
    user = _user(request)
    data = payload.dict()
    department = _department(data.pop("department_id"))
    return Status(201, _recon_out(actions.receive_reconsideration(by=user, department=department, **data)))


@router.get("/legal/reconsiderations/{pk}", response={200: ReconOut, **ERR}, summary="行政复议案件")
def get_recon(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _recon_out(_recon(request, pk)[1])


class ReconStepIn(Schema):
    step: str = Field(..., description="accept, refuse, hear, extend, decide")
    procedure: str = "normal"
    ground: str = ""
    reason: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)
    days: int = 30
    outcome: str = ""
    text: str = Field("", max_length=5000)


@router.post(
    "/legal/reconsiderations/{pk}/steps",
    response={200: ReconOut, **ERR},
    summary="办理行政复议（受理、不予受理、审理、延期、决定）",
)
def recon_step(request: HttpRequest, pk: int, payload: ReconStepIn) -> dict[str, Any]:
    user, recon = _recon(request, pk)
    p = payload
    if p.step == "accept":
        recon = actions.accept_reconsideration(recon, by=user, procedure=p.procedure)
    elif p.step == "refuse":
        recon = actions.refuse_reconsideration(recon, by=user, ground=p.ground, reason=p.reason)
    elif p.step == "hear":
        recon = actions.hear_reconsideration(recon, by=user, note=p.note)
    elif p.step == "extend":
        recon = actions.extend_reconsideration(recon, by=user, reason=p.reason, days=p.days)
    elif p.step == "decide":
        recon = actions.decide_reconsideration(recon, by=user, outcome=p.outcome, text=p.text)
    else:
        raise ValidationError({"step": "办理步骤应为 accept、refuse、hear、extend 或 decide"})
    return _recon_out(recon)


@router.get("/legal/report/{year}", response={200: dict[str, Any], **ERR}, summary="年度法治政府建设数据")
def report(request: HttpRequest, year: int) -> dict[str, Any]:
    user = _user(request)
    if not queries.sees_all(user):
        raise PermissionDenied("需要“法制办”、效能监察或领导角色")
    return annual_report(year)
