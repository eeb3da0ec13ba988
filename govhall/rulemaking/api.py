"""The registry's JSON API under /api/v1/rulemaking/: the same reads and steps as the staff pages, same permissions
(the actions check the roles). Bad input is 422 with the field named; a skipped stage is 422 on `stage`/`step`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from govhall.cases.api import AUTH
from govhall.cases.schemas import Invalid, Problem
from govhall.clocks.actions import status as clock_status
from govhall.clocks.models import Clock
from govhall.core.clock import now
from govhall.org.access import acting_user
from govhall.org.models import Department

from . import actions, queries
from .models import CitizenReview, MajorDecision, NormativeDocument

router = Router(tags=["规范性文件与重大决策"], auth=AUTH)

ERR = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Invalid}


class ClockOut(Schema):
    kind: str
    due_day: date | None
    state: str
    light: str
    late: bool


class CommentOut(Schema):
    id: int
    commenter: str
    content: str
    received_at: datetime
    adopted: bool | None
    answer: str
    answered_at: datetime | None


class ReviewOut(Schema):
    number: str
    document: str
    applicant: str
    reason: str
    received_at: datetime
    due_day: date | None
    outcome: str
    answer: str
    answered_at: datetime | None
    late: bool | None


class DocumentOut(Schema):
    number: str
    title: str
    organ_id: int
    organ: str
    stage: str = Field(..., description="drafting/comment/review/discussion/published/filed/expired/repealed")
    stage_label: str
    document_number: str
    index_number: str = Field(..., description="公开目录索引号（公布后）")
    disclosure_url: str
    review_conclusion: str
    discussed_on: date | None
    published_on: date | None
    effective_from: date | None
    valid_until: date | None
    filed_at: datetime | None
    filed_with: str
    filed_late: bool | None
    end_reason: str
    clocks: dict[str, ClockOut]
    comments: list[CommentOut]
    reviews: list[ReviewOut]


class StepOut(Schema):
    step: str
    step_label: str
    done_at: datetime
    summary: str
    approved: bool


class DecisionOut(Schema):
    number: str
    title: str
    organ_id: int
    organ: str
    status: str
    status_label: str
    next_step: str | None
    comment_clock: ClockOut | None
    decided_at: datetime | None
    decision: str
    index_number: str
    published_at: datetime | None
    evaluated_at: datetime | None
    steps: list[StepOut]


def _clock(clock: Clock | None, at: datetime) -> dict[str, Any] | None:
    if clock is None:
        return None
    return {
        "kind": clock.kind,
        "due_day": clock.due_day,
        "state": clock.state,
        "light": clock_status(clock, at).light.value,
        "late": bool(clock.late),
    }


def _review(r: CitizenReview) -> dict[str, Any]:
    return {
        "number": r.number,
        "document": r.document.number,
        "applicant": r.applicant,
        "reason": r.reason,
        "received_at": r.received_at,
        "due_day": r.clock.due_day if r.clock else None,
        "outcome": r.outcome,
        "answer": r.answer,
        "answered_at": r.answered_at,
        "late": r.clock.late if r.clock and r.answered_at else None,
    }


def _doc(doc: NormativeDocument) -> dict[str, Any]:
    at = now()
    clocks = {
        name: out
        for name, c in (
            ("comment", doc.comment_clock),
            ("filing", doc.filing_clock),
            ("validity", doc.validity_clock),
        )
        if (out := _clock(c, at)) is not None
    }
    return {
        "number": doc.number,
        "title": doc.title,
        "organ_id": doc.organ_id,
        "organ": doc.organ.name,
        "stage": doc.stage,
        "stage_label": doc.get_stage_display(),
        "document_number": doc.document_number,
        "index_number": doc.index_number,
        "disclosure_url": doc.disclosure_url,
        "review_conclusion": doc.review_conclusion,
        "discussed_on": doc.discussed_on,
        "published_on": doc.published_on,
        "effective_from": doc.effective_from,
        "valid_until": doc.valid_until,
        "filed_at": doc.filed_at,
        "filed_with": doc.filed_with,
        "filed_late": doc.filed_late,
        "end_reason": doc.end_reason,
        "clocks": clocks,
        "comments": [
            {
                "id": c.pk,
                "commenter": c.commenter,
                "content": c.content,
                "received_at": c.received_at,
                "adopted": c.adopted,
                "answer": c.answer,
                "answered_at": c.answered_at,
            }
            for c in doc.comments.all()
        ],
        "reviews": [_review(r) for r in doc.citizen_reviews.select_related("clock", "document")],
    }


def _decision(d: MajorDecision) -> dict[str, Any]:
    step = actions.next_step(d)
    return {
        "number": d.number,
        "title": d.title,
        "organ_id": d.organ_id,
        "organ": d.organ.name,
        "status": d.status,
        "status_label": d.get_status_display(),
        "next_step": step.value if step is not None and d.status != "shelved" else None,
        "comment_clock": _clock(d.comment_clock, now()),
        "decided_at": d.decided_at,
        "decision": d.decision,
        "index_number": d.index_number,
        "published_at": d.published_at,
        "evaluated_at": d.evaluated_at,
        "steps": [
            {
                "step": s.step,
                "step_label": s.get_step_display(),
                "done_at": s.done_at,
                "summary": s.summary,
                "approved": s.approved,
            }
            for s in d.steps.all()
        ],
    }


def _user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    if not queries.may_use_registry(user):
        raise PermissionDenied("需要“法制办”“领导”或“效能监察”角色，或制定机关的部门负责人")
    return user


def _document(request: HttpRequest, number: str) -> NormativeDocument:
    doc = queries.documents_for(_user(request)).filter(number=number).first()
    if doc is None:
        raise Http404
    return doc


def _major(request: HttpRequest, number: str) -> MajorDecision:
    decision = queries.decisions_for(_user(request)).filter(number=number).first()
    if decision is None:
        raise Http404
    return decision


def _organ(pk: int) -> Department:
    organ = Department.objects.filter(pk=pk).first()
    if organ is None:
        raise ValidationError({"organ_id": "部门不存在"})
    return organ


# --- schemas in ------------------------------------------------------------------------------------------------


class DraftIn(Schema):
    organ_id: int
    title: str = Field(..., max_length=200)
    summary: str = Field("", max_length=5000)
    body: str = Field("", max_length=100000)


class CommentPeriodIn(Schema):
    workdays: int | None = Field(None, ge=1, le=60, description="征求意见期（工作日），默认为规定的最短期限")


class CommentIn(Schema):
    commenter: str = Field(..., max_length=100)
    content: str = Field(..., max_length=5000)


class AnswerCommentIn(Schema):
    adopted: bool
    answer: str = Field(..., max_length=2000)


class LegalityIn(Schema):
    conclusion: Literal["lawful", "amend", "unlawful"]
    opinion: str = Field(..., max_length=5000)


class DiscussionIn(Schema):
    meeting: str = Field(..., max_length=200)
    held_on: date
    approved: bool


class PublishIn(Schema):
    document_number: str = Field(..., max_length=60)
    effective_from: date | None = None
    valid_years: int | None = Field(None, ge=1, le=10)


class FilingIn(Schema):
    filed_with: str = Field(..., max_length=100)
    filing_number: str = Field("", max_length=60)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=500)


class ReviewRequestIn(Schema):
    applicant: str = Field(..., max_length=100)
    contact: str = Field("", max_length=100)
    reason: str = Field(..., max_length=5000)


class ReviewAnswerIn(Schema):
    outcome: Literal["lawful", "correct", "repeal", "rejected"]
    answer: str = Field(..., max_length=5000)


class DecisionIn(Schema):
    organ_id: int
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)


class ParticipationIn(Schema):
    days: int | None = Field(None, ge=1, le=365)


class StepIn(Schema):
    step: Literal["participation", "experts", "risk", "legality", "discussion", "publication", "evaluation"]
    summary: str = Field(..., max_length=5000)
    approved: bool = True


class ListFilter(Schema):
    stage: (
        Literal["drafting", "comment", "review", "discussion", "published", "filed", "expired", "repealed"]
        | None
    ) = None
    limit: int = Field(100, ge=1, le=500)


class YearQuery(Schema):
    year: int = Field(..., ge=1900, le=2099)


# --- documents -------------------------------------------------------------------------------------------------


@router.get(
    "/rulemaking/documents",
    response={200: list[DocumentOut], **ERR},
    summary="规范性文件登记簿",
    operation_id="rulemaking_documents",
)
def list_documents(request: HttpRequest, filters: Query[ListFilter]) -> list[dict[str, Any]]:
    qs = queries.documents_for(_user(request))
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    return [_doc(d) for d in qs[: filters.limit]]


@router.post(
    "/rulemaking/documents",
    response={201: DocumentOut, **ERR},
    summary="登记规范性文件草案",
    operation_id="rulemaking_draft",
)
def draft(request: HttpRequest, payload: DraftIn) -> Status[dict[str, Any]]:
    doc = actions.draft_document(
        by=_user(request),
        organ=_organ(payload.organ_id),
        title=payload.title,
        summary=payload.summary,
        body=payload.body,
    )
    return Status(201, _doc(doc))


@router.get(
    "/rulemaking/documents/{number}",
    response={200: DocumentOut, **ERR},
    summary="规范性文件详情",
    operation_id="rulemaking_document",
)
def document_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _doc(_document(request, number))


def _after(request: HttpRequest, number: str) -> dict[str, Any]:
    return _doc(_document(request, number))


@router.post(
    "/rulemaking/documents/{number}/comment-period",
    response={200: DocumentOut, **ERR},
    summary="公开征求意见",
    operation_id="rulemaking_open_comment",
)
def open_comment(request: HttpRequest, number: str, payload: CommentPeriodIn) -> dict[str, Any]:
    actions.open_comment(_document(request, number), by=_user(request), workdays=payload.workdays)
    return _after(request, number)


@router.post(
    "/rulemaking/documents/{number}/comments",
    response={201: CommentOut, **ERR},
    summary="登记收到的意见",
    operation_id="rulemaking_comment",
)
def comment(request: HttpRequest, number: str, payload: CommentIn) -> Status[dict[str, Any]]:
    c = actions.record_comment(
        _document(request, number), by=_user(request), commenter=payload.commenter, content=payload.content
    )
    return Status(
        201,
        {
            "id": c.pk,
            "commenter": c.commenter,
            "content": c.content,
            "received_at": c.received_at,
            "adopted": c.adopted,
            "answer": c.answer,
            "answered_at": c.answered_at,
        },
    )


@router.post(
    "/rulemaking/documents/{number}/comments/{comment_id}/answer",
    response={200: DocumentOut, **ERR},
    summary="答复意见采纳情况",
    operation_id="rulemaking_answer_comment",
)
def answer_comment(
    request: HttpRequest, number: str, comment_id: int, payload: AnswerCommentIn
) -> dict[str, Any]:
    doc = _document(request, number)
    c = doc.comments.filter(pk=comment_id).first()
    if c is None:
        raise Http404
    actions.answer_comment(c, by=_user(request), adopted=payload.adopted, answer=payload.answer)
    return _after(request, number)


@router.post(
    "/rulemaking/documents/{number}/submit",
    response={200: DocumentOut, **ERR},
    summary="征求意见期满，送合法性审核",
    operation_id="rulemaking_submit",
)
def submit(request: HttpRequest, number: str) -> dict[str, Any]:
    actions.submit_for_review(_document(request, number), by=_user(request))
    return _after(request, number)


@router.post(
    "/rulemaking/documents/{number}/legality-review",
    response={200: DocumentOut, **ERR},
    summary="合法性审核",
    operation_id="rulemaking_review",
)
def review(request: HttpRequest, number: str, payload: LegalityIn) -> dict[str, Any]:
    actions.review_legality(
        _document(request, number), by=_user(request), conclusion=payload.conclusion, opinion=payload.opinion
    )
    return _after(request, number)


@router.post(
    "/rulemaking/documents/{number}/discussion",
    response={200: DocumentOut, **ERR},
    summary="集体审议",
    operation_id="rulemaking_discussion",
)
def discussion(request: HttpRequest, number: str, payload: DiscussionIn) -> dict[str, Any]:
    actions.record_discussion(
        _document(request, number),
        by=_user(request),
        meeting=payload.meeting,
        held_on=payload.held_on,
        approved=payload.approved,
    )
    return _after(request, number)


@router.post(
    "/rulemaking/documents/{number}/publish",
    response={200: DocumentOut, **ERR},
    summary="公布（编制索引号，开始备案时限和有效期）",
    operation_id="rulemaking_publish",
)
def publish(request: HttpRequest, number: str, payload: PublishIn) -> dict[str, Any]:
    actions.publish_document(
        _document(request, number),
        by=_user(request),
        document_number=payload.document_number,
        effective_from=payload.effective_from,
        valid_years=payload.valid_years,
    )
    return _after(request, number)


@router.post(
    "/rulemaking/documents/{number}/filing",
    response={200: DocumentOut, **ERR},
    summary="报送备案",
    operation_id="rulemaking_file",
)
def filing(request: HttpRequest, number: str, payload: FilingIn) -> dict[str, Any]:
    actions.file_document(
        _document(request, number),
        by=_user(request),
        filed_with=payload.filed_with,
        filing_number=payload.filing_number,
    )
    return _after(request, number)


@router.post(
    "/rulemaking/documents/{number}/repeal",
    response={200: DocumentOut, **ERR},
    summary="废止",
    operation_id="rulemaking_repeal",
)
def repeal(request: HttpRequest, number: str, payload: ReasonIn) -> dict[str, Any]:
    actions.repeal_document(_document(request, number), by=_user(request), reason=payload.reason)
    return _after(request, number)


@router.post(
    "/rulemaking/documents/{number}/citizen-reviews",
    response={201: ReviewOut, **ERR},
    summary="登记公民、法人或其他组织的审查申请",
    operation_id="rulemaking_request_review",
)
def request_review(request: HttpRequest, number: str, payload: ReviewRequestIn) -> Status[dict[str, Any]]:
    r = actions.request_review(
        _document(request, number),
        by=_user(request),
        applicant=payload.applicant,
        contact=payload.contact,
        reason=payload.reason,
    )
    return Status(201, _review(r))


@router.post(
    "/rulemaking/citizen-reviews/{number}/answer",
    response={200: ReviewOut, **ERR},
    summary="答复审查申请",
    operation_id="rulemaking_answer_review",
)
def answer_review(request: HttpRequest, number: str, payload: ReviewAnswerIn) -> dict[str, Any]:
    user = _user(request)
    r = CitizenReview.objects.filter(number=number, document__in=queries.documents_for(user)).first()
    if r is None:
        raise Http404
    r = actions.answer_review(r, by=user, outcome=payload.outcome, answer=payload.answer)
    return _review(r)


# --- decisions -------------------------------------------------------------------------------------------------


@router.get(
    "/rulemaking/decisions",
    response={200: list[DecisionOut], **ERR},
    summary="重大行政决策",
    operation_id="rulemaking_decisions",
)
def list_decisions(request: HttpRequest) -> list[dict[str, Any]]:
    return [_decision(d) for d in queries.decisions_for(_user(request))[:200]]


@router.post(
    "/rulemaking/decisions",
    response={201: DecisionOut, **ERR},
    summary="启动重大行政决策",
    operation_id="rulemaking_start_decision",
)
def start_decision(request: HttpRequest, payload: DecisionIn) -> Status[dict[str, Any]]:
    d = actions.start_decision(
        by=_user(request),
        organ=_organ(payload.organ_id),
        title=payload.title,
        description=payload.description,
    )
    return Status(201, _decision(d))


@router.get(
    "/rulemaking/decisions/{number}",
    response={200: DecisionOut, **ERR},
    summary="重大行政决策详情",
    operation_id="rulemaking_decision",
)
def decision_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _decision(_major(request, number))


@router.post(
    "/rulemaking/decisions/{number}/participation",
    response={200: DecisionOut, **ERR},
    summary="决策草案公开征求意见",
    operation_id="rulemaking_participation",
)
def participation(request: HttpRequest, number: str, payload: ParticipationIn) -> dict[str, Any]:
    actions.open_participation(_major(request, number), by=_user(request), days=payload.days)
    return _decision(_major(request, number))


@router.post(
    "/rulemaking/decisions/{number}/steps",
    response={200: DecisionOut, **ERR},
    summary="登记决策程序环节（依次，不得跳过）",
    operation_id="rulemaking_step",
)
def step(request: HttpRequest, number: str, payload: StepIn) -> dict[str, Any]:
    actions.record_step(
        _major(request, number),
        by=_user(request),
        step=payload.step,
        summary=payload.summary,
        approved=payload.approved,
    )
    return _decision(_major(request, number))


@router.get(
    "/rulemaking/figures",
    response={200: dict[str, Any], **ERR},
    summary="年度数据（公布、按时备案、审查、废止、重大决策）",
    operation_id="rulemaking_figures",
)
def figures(request: HttpRequest, q: Query[YearQuery]) -> dict[str, Any]:
    _user(request)
    return queries.yearly_figures(q.year)
