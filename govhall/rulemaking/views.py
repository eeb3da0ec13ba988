"""Pages of the registry. Public: published documents (in force, expired, repealed) with their 索引号, drafts open
for comment (an opinion may be sent), a review request against a document in force, published major decisions.
Staff (法制办, leaders, supervisors; a department head for the own organ): the registry, one page per document and
per decision with the form of the next step only, the clean-up round and the year's figures. Reads go through
`rulemaking.queries`, writes through `rulemaking.actions`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from govhall.calendars.engine import local_date
from govhall.clocks.actions import status as clock_status
from govhall.core.auth import signed_in
from govhall.core.clock import now
from govhall.org.models import Department

from . import actions, queries
from .choices import (
    DECISION_STEPS,
    CitizenReviewOutcome,
    CleanupDecision,
    DecisionStep,
    DocStage,
    ReviewConclusion,
)
from .models import CleanupRound, DocumentComment, NormativeDocument

View = Callable[..., HttpResponseBase]

FIELD_LABELS = {
    "title": "文件名称",
    "organ": "制定机关",
    "workdays": "征求意见期",
    "commenter": "意见人",
    "content": "意见内容",
    "answer": "答复内容",
    "comments": "征求意见",
    "conclusion": "审核意见",
    "opinion": "审核意见书",
    "meeting": "审议会议",
    "held_on": "审议日期",
    "document_number": "文号",
    "effective_from": "施行日期",
    "valid_years": "有效期",
    "filed_with": "备案机关",
    "filing_number": "备案登记号",
    "reason": "理由",
    "applicant": "申请人",
    "contact": "联系方式",
    "outcome": "审查结论",
    "decision": "清理结论",
    "document": "文件",
    "round": "清理",
    "step": "决策环节",
    "summary": "情况说明",
    "approved": "是否通过",
    "days": "征求意见期",
    "stage": "阶段",
}


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{FIELD_LABELS.get(f, f)}：{m}" for f, msgs in exc.message_dict.items() for m in msgs]
    return list(exc.messages)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"exception": message}, status=403)


def guarded(view: View) -> View:
    """Logged in (else the login page) and one of the registry's roles; a refusal is the Chinese 403 page."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            if not queries.may_use_registry(request.user):
                raise PermissionDenied("此页面需要“法制办”“领导”或“效能监察”角色，或制定机关的部门负责人。")
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, str(exc) or "您无权查看此页面。")

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _date(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({field: "日期格式应为 YYYY-MM-DD"}) from exc


def _int(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationError({field: "请填写整数"}) from exc


def _bool(value: str | None) -> bool:
    return value in ("1", "true", "on", "yes")


# --- public --------------------------------------------------------------------------------------------------------


def public_registry(request: HttpRequest) -> HttpResponse:
    stage = request.GET.get("stage", "")
    docs = queries.public_documents()
    if stage in (DocStage.PUBLISHED, DocStage.EXPIRED, DocStage.REPEALED):
        docs = docs.filter(stage__in=queries.IN_FORCE_PUBLIC if stage == DocStage.PUBLISHED else (stage,))
    context = {
        "documents": docs.order_by("-published_at", "-pk")[:300],
        "open_for_comment": NormativeDocument.objects.filter(stage=DocStage.COMMENT)
        .select_related("organ", "comment_clock")
        .order_by("-comment_opened_at"),
        "decisions": queries.public_decisions().order_by("-published_at")[:100],
        "stage": stage,
        "today": local_date(now()),
    }
    return render(request, "rulemaking/public.html", context)


@require_http_methods(["GET", "POST"])
def public_document(request: HttpRequest, number: str) -> HttpResponse:
    """A published document, or a draft open for comment; the form sends an opinion (draft) or a review request."""
    doc = get_object_or_404(
        NormativeDocument.objects.select_related("organ", "comment_clock").filter(
            stage__in=(*queries.PUBLIC_STAGES, DocStage.COMMENT)
        ),
        number=number,
    )
    errors: list[str] = []
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        try:
            if doc.stage == DocStage.COMMENT:
                actions.record_comment(
                    doc,
                    by=user,
                    commenter=request.POST.get("commenter", ""),
                    content=request.POST.get("content", ""),
                )
                messages.success(request, "意见已提交，起草单位将在送审前逐条答复采纳情况。")
            else:
                review = actions.request_review(
                    doc,
                    by=user,
                    applicant=request.POST.get("applicant", ""),
                    contact=request.POST.get("contact", ""),
                    reason=request.POST.get("reason", ""),
                )
                assert review.clock is not None
                messages.success(
                    request, f"审查申请已受理，编号 {review.number}，将于 {review.clock.due_day} 前答复。"
                )
            return redirect("rulemaking:document", number=doc.number)
        except ValidationError as exc:
            errors = _errors(exc)
    context = {"doc": doc, "errors": errors, "comments": doc.comments.filter(answered_at__isnull=False)}
    return render(request, "rulemaking/public_document.html", context, status=400 if errors else 200)


def public_decision(request: HttpRequest, number: str) -> HttpResponse:
    decision = get_object_or_404(queries.public_decisions(), number=number)
    return render(
        request, "rulemaking/public_decision.html", {"decision": decision, "steps": decision.steps.all()}
    )


# --- staff ---------------------------------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def registry(request: HttpRequest) -> HttpResponse:
    """The registry: new draft, new major decision, the clean-up round, and the lists with their clocks."""
    errors: list[str] = []
    if request.method == "POST":
        op = request.POST.get("op", "")
        user = signed_in(request)
        try:
            if op == "draft":
                organ = Department.objects.filter(
                    pk=_int(request.POST.get("organ", ""), "organ") or 0
                ).first()
                if organ is None:
                    raise ValidationError({"organ": "请选择制定机关"})
                doc = actions.draft_document(
                    by=user,
                    organ=organ,
                    title=request.POST.get("title", ""),
                    summary=request.POST.get("summary", ""),
                    body=request.POST.get("body", ""),
                )
                messages.success(request, f"已登记规范性文件草案 {doc.number}")
                return redirect("rulemaking:manage_document", number=doc.number)
            if op == "decision":
                organ = Department.objects.filter(
                    pk=_int(request.POST.get("organ", ""), "organ") or 0
                ).first()
                if organ is None:
                    raise ValidationError({"organ": "请选择决策承办单位"})
                decision = actions.start_decision(
                    by=user,
                    organ=organ,
                    title=request.POST.get("title", ""),
                    description=request.POST.get("description", ""),
                )
                messages.success(request, f"已启动重大行政决策 {decision.number}")
                return redirect("rulemaking:manage_decision", number=decision.number)
            if op == "cleanup_start":
                actions.start_cleanup(by=user, title=request.POST.get("title", ""))
                messages.success(request, "已开始新一轮清理")
                return redirect("rulemaking:registry")
            if op == "cleanup_close":
                cleanup = CleanupRound.objects.filter(closed_at__isnull=True).first()
                if cleanup is None:
                    raise ValidationError({"round": "没有进行中的清理"})
                actions.close_cleanup(cleanup, by=user)
                messages.success(request, "本轮清理已结束")
                return redirect("rulemaking:registry")
            raise ValidationError({"op": "未知操作"})
        except ValidationError as exc:
            errors = _errors(exc)
    at = now()
    docs = queries.documents_for(request.user)
    stage = request.GET.get("stage", "")
    if stage in DocStage.values:
        docs = docs.filter(stage=stage)
    rows = []
    for doc in docs[:300]:
        clock = doc.comment_clock if doc.stage == DocStage.COMMENT else None
        clock = doc.filing_clock if doc.stage == DocStage.PUBLISHED else clock
        clock = doc.validity_clock if doc.stage == DocStage.FILED else clock
        rows.append((doc, clock, clock_status(clock, at) if clock is not None else None))
    context = {
        "rows": rows,
        "decisions": queries.decisions_for(request.user)[:100],
        "stages": DocStage.choices,
        "stage": stage,
        "departments": Department.objects.filter(active=True).order_by("sort_order", "pk"),
        "cleanup": CleanupRound.objects.filter(closed_at__isnull=True).first(),
        "legal": queries.sees_registry(request.user),
        "errors": errors,
    }
    return render(request, "rulemaking/registry.html", context, status=400 if errors else 200)


def _document_op(request: HttpRequest, doc: NormativeDocument, op: str) -> str:
    """Run one step on the document; returns the success message."""
    user = signed_in(request)
    post = request.POST
    if op == "open_comment":
        actions.open_comment(doc, by=user, workdays=_int(post.get("workdays", ""), "workdays"))
        return "已公开征求意见"
    if op == "comment":
        actions.record_comment(
            doc, by=user, commenter=post.get("commenter", ""), content=post.get("content", "")
        )
        return "已登记意见"
    if op == "answer_comment":
        comment = get_object_or_404(
            DocumentComment, pk=_int(post.get("comment", ""), "comment") or 0, document=doc
        )
        actions.answer_comment(
            comment, by=user, adopted=_bool(post.get("adopted")), answer=post.get("answer", "")
        )
        return "已答复意见"
    if op == "submit":
        actions.submit_for_review(doc, by=user)
        return "已送合法性审核"
    if op == "review":
        actions.review_legality(
            doc, by=user, conclusion=post.get("conclusion", ""), opinion=post.get("opinion", "")
        )
        return "已登记合法性审核意见"
    if op == "discuss":
        held_on = _date(post.get("held_on", ""), "held_on")
        if held_on is None:
            raise ValidationError({"held_on": "请填写审议日期"})
        actions.record_discussion(
            doc,
            by=user,
            meeting=post.get("meeting", ""),
            held_on=held_on,
            approved=_bool(post.get("approved")),
        )
        return "已登记集体审议"
    if op == "publish":
        actions.publish_document(
            doc,
            by=user,
            document_number=post.get("document_number", ""),
            effective_from=_date(post.get("effective_from", ""), "effective_from"),
            valid_years=_int(post.get("valid_years", ""), "valid_years"),
        )
        return "已公布并编制索引号"
    if op == "file":
        actions.file_document(
            doc, by=user, filed_with=post.get("filed_with", ""), filing_number=post.get("filing_number", "")
        )
        return "已报送备案"
    if op == "repeal":
        actions.repeal_document(doc, by=user, reason=post.get("reason", ""))
        return "已废止"
    if op == "cleanup":
        cleanup = CleanupRound.objects.filter(closed_at__isnull=True).first()
        if cleanup is None:
            raise ValidationError({"round": "没有进行中的清理"})
        actions.decide_cleanup(
            cleanup, doc, by=user, decision=post.get("decision", ""), reason=post.get("reason", "")
        )
        return "已作出清理结论"
    if op == "answer_review":
        review = get_object_or_404(doc.citizen_reviews, number=post.get("review", ""))
        actions.answer_review(review, by=user, outcome=post.get("outcome", ""), answer=post.get("answer", ""))
        return "已答复审查申请"
    raise ValidationError({"op": "未知操作"})


@guarded
@require_http_methods(["GET", "POST"])
def manage_document(request: HttpRequest, number: str) -> HttpResponse:
    doc = get_object_or_404(queries.documents_for(request.user), number=number)
    errors: list[str] = []
    if request.method == "POST":
        try:
            messages.success(request, _document_op(request, doc, request.POST.get("op", "")))
            return redirect("rulemaking:manage_document", number=doc.number)
        except ValidationError as exc:
            errors = _errors(exc)
            doc.refresh_from_db()
    at = now()
    clocks = [
        (label, c, clock_status(c, at))
        for label, c in (
            ("征求意见期", doc.comment_clock),
            ("报送备案时限", doc.filing_clock),
            ("有效期", doc.validity_clock),
        )
        if c is not None
    ]
    context = {
        "doc": doc,
        "clocks": clocks,
        "comments": doc.comments.all(),
        "reviews": doc.citizen_reviews.select_related("clock"),
        "cleanups": doc.cleanups.select_related("round"),
        "cleanup": CleanupRound.objects.filter(closed_at__isnull=True).first() if doc.in_force else None,
        "conclusions": ReviewConclusion.choices,
        "cleanup_decisions": CleanupDecision.choices,
        "outcomes": CitizenReviewOutcome.choices,
        "legal": queries.sees_registry(request.user),
        "errors": errors,
        "stage": DocStage,
    }
    return render(request, "rulemaking/manage_document.html", context, status=400 if errors else 200)


@guarded
@require_http_methods(["GET", "POST"])
def manage_decision(request: HttpRequest, number: str) -> HttpResponse:
    decision = get_object_or_404(queries.decisions_for(request.user), number=number)
    errors: list[str] = []
    if request.method == "POST":
        user = signed_in(request)
        try:
            if request.POST.get("op") == "participation":
                actions.open_participation(decision, by=user, days=_int(request.POST.get("days", ""), "days"))
                messages.success(request, "决策草案已公开征求意见")
            else:
                actions.record_step(
                    decision,
                    by=user,
                    step=request.POST.get("step", ""),
                    summary=request.POST.get("summary", ""),
                    approved=request.POST.get("approved", "1") != "0",
                )
                messages.success(request, "已登记决策程序环节")
            return redirect("rulemaking:manage_decision", number=decision.number)
        except ValidationError as exc:
            errors = _errors(exc)
            decision.refresh_from_db()
    done = {s.step: s for s in decision.steps.select_related("done_by")}
    context = {
        "decision": decision,
        "steps": [(step, done.get(step.value)) for step in DECISION_STEPS],
        "next": actions.next_step(decision),
        "participation": DecisionStep.PARTICIPATION,
        "comment": clock_status(decision.comment_clock) if decision.comment_clock else None,
        "errors": errors,
    }
    return render(request, "rulemaking/manage_decision.html", context, status=400 if errors else 200)


@guarded
def figures(request: HttpRequest) -> HttpResponse:
    year = local_date(now()).year
    status_code = 200
    raw = request.GET.get("year", "")
    if raw:
        if raw.isdigit() and 1900 <= int(raw) <= 2099:
            year = int(raw)
        else:
            status_code = 400
    return render(
        request,
        "rulemaking/figures.html",
        {"figures": queries.yearly_figures(year), "year": year, "bad_year": status_code == 400},
        status=status_code,
    )
