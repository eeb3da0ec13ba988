"""The only writers of the registry of normative documents (行政规范性文件) and of major administrative decisions.

A normative document moves one stage at a time — drafting, public comment, legality review, collective discussion,
publication, filing — as 《国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知》（国办发〔2018〕37号） and
《国务院办公厅关于全面推行行政规范性文件合法性审核机制的指导意见》（国办发〔2018〕115号） require; no stage can be
skipped and each action checks the one it starts from. A major decision runs the fixed steps of
《重大行政决策程序暂行条例》 (public participation, expert argumentation, risk assessment, legality review, collective
discussion), in order, before it is decided; then publication and post-implementation evaluation.

Each action is atomic, locks its row, writes a typed audit event and starts or stops the clocks its stage owns: the
comment period, the filing limit after publication, the validity period and the answer to a citizen's request."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from govhall.calendars.engine import local_date
from govhall.clocks.actions import set_clock_owner, start_clock, stop_clock
from govhall.clocks.choices import ClockKind, ClockState
from govhall.clocks.models import Clock
from govhall.clocks.owner import ClockOwner
from govhall.core.audit import record_event
from govhall.core.clock import frozen_at, now
from govhall.core.models import AuditEventType
from govhall.disclosure import actions as disclosure
from govhall.disclosure.choices import DisclosureCategory, Validity
from govhall.notifications.actions import notify
from govhall.org.access import require_role
from govhall.org.choices import Role
from govhall.org.models import Department

from .choices import (
    DECISION_STEPS,
    IN_FORCE,
    MAKING_ORDER,
    CitizenReviewOutcome,
    CleanupDecision,
    DecisionStatus,
    DecisionStep,
    DocStage,
    ReviewConclusion,
)
from .models import (
    CitizenReview,
    CleanupItem,
    CleanupRound,
    DecisionStepRecord,
    DocumentComment,
    MajorDecision,
    NormativeDocument,
    NumberCounter,
    RulemakingRule,
)

Actor = User | AnonymousUser | None
# Who keeps the registry: the government's legal office (法制办); the drafting organ's head may draft, take comments
# and report the filing for the organ's own documents.
LEGAL = (Role.LEGAL_OFFICER,)
DISCUSSION_ROLES = (Role.LEGAL_OFFICER, Role.LEADER)


# --- helpers -------------------------------------------------------------------------------------------------------


def _text(value: str, field: str, label: str, *, max_length: int | None = None, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}"})
    if max_length is not None and len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字"})
    return value


def _field(
    errors: dict[str, str], value: str, field: str, label: str, max_length: int, *, required: bool = True
) -> str:
    """Like _text, but collects the error so that one answer names every bad field."""
    try:
        return _text(value, field, label, max_length=max_length, required=required)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return ""


def _next_number(prefix: str, year: int, width: int = 4) -> str:
    """PREFIX-YYYY-NNNN, the UPDATE taking the row lock before anyone reads the value."""
    counter = NumberCounter.objects.filter(prefix=prefix, year=year)
    if not counter.update(last=F("last") + 1):
        NumberCounter.objects.bulk_create(
            [NumberCounter(prefix=prefix, year=year, last=0)], ignore_conflicts=True
        )
        counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"{prefix}-{year}-{last:0{width}d}"


def _require_drafter(by: Actor, organ: Department | int, what: str) -> None:
    """The legal office, or the head of the drafting organ for its own document."""
    try:
        require_role(by, *LEGAL, message=f"{what}需要“法制办”角色")
    except PermissionDenied:
        require_role(
            by,
            Role.DEPARTMENT_HEAD,
            department=organ,
            message=f"{what}需要“法制办”角色，或制定机关的“部门负责人”角色",
        )


def _user(by: Actor) -> User | None:
    return by if isinstance(by, User) and by.pk else None


def _locked(doc: NormativeDocument) -> NormativeDocument:
    return (
        NormativeDocument.objects.select_for_update(of=("self",))
        .select_related("organ", "comment_clock", "filing_clock", "validity_clock")
        .get(pk=doc.pk)
    )


def _require_stage(doc: NormativeDocument, stage: DocStage, what: str) -> None:
    """The no-skip rule: an action starts from exactly one stage."""
    if doc.stage == stage:
        return
    current = DocStage(doc.stage).label
    if doc.stage in MAKING_ORDER and MAKING_ORDER.index(DocStage(doc.stage)) < MAKING_ORDER.index(stage):
        passed = MAKING_ORDER[MAKING_ORDER.index(DocStage(doc.stage)) + 1 : MAKING_ORDER.index(stage) + 1]
        missing = "、".join(str(s.label) for s in passed)
        raise ValidationError(
            {"stage": f"不能{what}：文件处于“{current}”阶段，须先经过“{missing}”，程序不得跳过"}
        )
    raise ValidationError(
        {"stage": f"不能{what}：文件处于“{current}”阶段，只有“{stage.label}”阶段的文件可以{what}"}
    )


def _owner(doc: NormativeDocument, what: str) -> ClockOwner:
    return ClockOwner(
        label=f"规范性文件 {doc.number}《{doc.title[:60]}》{what}",
        link=doc.get_absolute_url(),
        department=doc.organ,
        subject=doc,
    )


def _snapshot(doc: NormativeDocument) -> dict[str, Any]:
    return {"number": doc.number, "stage": doc.stage}


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _period_over(clock: Clock | None, at: datetime) -> bool:
    return (
        clock is None
        or clock.state == ClockState.STOPPED
        or (clock.due_at is not None and at >= clock.due_at)
    )


RULE_FIELDS = (
    "comment_workdays",
    "filing_days",
    "validity_years",
    "expiry_alert_days",
    "citizen_review_days",
    "decision_comment_days",
)


@transaction.atomic
def save_rule(*, by: Actor, **values: int) -> RulemakingRule:
    """Set the local limits (center admin or legal office); they apply to clocks started from now on."""
    require_role(by, Role.CENTER_ADMIN, *LEGAL, message="修改时限配置需要“中心管理员”或“法制办”角色")
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "未知的配置项"})
    errors = {name: "应为大于 0 的整数" for name, v in values.items() if not isinstance(v, int) or v <= 0}
    if errors:
        raise ValidationError(errors)
    rule = RulemakingRule.objects.select_for_update().order_by("pk").first() or RulemakingRule()
    before = {name: getattr(rule, name) for name in RULE_FIELDS}
    for name, value in values.items():
        setattr(rule, name, value)
    rule.save()
    record_event(
        AuditEventType.RULEMAKING_RULE_SAVED,
        actor=_user(by),
        obj=rule,
        before=before,
        after={name: getattr(rule, name) for name in RULE_FIELDS},
    )
    return rule


# --- normative documents: making -----------------------------------------------------------------------------------


@transaction.atomic
def draft_document(
    *, by: Actor, organ: Department, title: str, summary: str = "", body: str = "", at: datetime | None = None
) -> NormativeDocument:
    """Register a draft: the document enters the registry at the drafting stage."""
    at = at or now()
    if organ is None:
        raise ValidationError({"organ": "请选择制定机关"})
    _require_drafter(by, organ, "起草规范性文件")
    title = _text(title, "title", "文件名称", max_length=200)
    doc = NormativeDocument.objects.create(
        number=_next_number("GFWJ", local_date(at).year),
        title=title,
        organ=organ,
        summary=(summary or "").strip(),
        body=(body or "").strip(),
        drafted_at=at,
        drafted_by=_user(by),
    )
    record_event(AuditEventType.NORMATIVE_DRAFTED, actor=_user(by), obj=doc, after=_snapshot(doc))
    return doc


@transaction.atomic
def open_comment(
    doc: NormativeDocument, *, by: Actor, workdays: int | None = None, at: datetime | None = None
) -> NormativeDocument:
    """Put the draft out for public comment; the period runs on a working-day clock from the day after it opens."""
    at = at or now()
    doc = _locked(doc)
    _require_drafter(by, doc.organ_id, "公开征求意见")
    _require_stage(doc, DocStage.DRAFTING, "公开征求意见")
    rule = RulemakingRule.current()
    minimum = rule.comment_workdays
    days = minimum if workdays is None else workdays
    if days < minimum:
        raise ValidationError({"workdays": f"征求意见期不得少于 {minimum} 个工作日"})
    if days > 60:
        raise ValidationError({"workdays": "征求意见期不超过 60 个工作日"})
    doc.comment_clock = start_clock(
        kind=ClockKind.NORMATIVE_COMMENT, amount=days, unit="workday", at=at, owner=_owner(doc, "征求意见期")
    )
    doc.comment_opened_at = at
    doc.comment_closed_at = None
    doc.stage = DocStage.COMMENT
    doc.save()
    record_event(
        AuditEventType.NORMATIVE_COMMENT_OPENED,
        actor=_user(by),
        obj=doc,
        after={**_snapshot(doc), "until": str(doc.comment_clock.due_day)},
    )
    return doc


@transaction.atomic
def record_comment(
    doc: NormativeDocument, *, by: Actor, commenter: str, content: str, at: datetime | None = None
) -> DocumentComment:
    """An opinion received while the comment period runs (by post, e-mail or the portal); none after it ends."""
    at = at or now()
    doc = _locked(doc)
    errors: dict[str, str] = {}
    commenter = _field(errors, commenter, "commenter", "意见人", 100)
    content = _field(errors, content, "content", "意见内容", 5000)
    if errors:
        raise ValidationError(errors)
    if doc.stage != DocStage.COMMENT:
        raise ValidationError({"stage": "该文件不在公开征求意见阶段，不能提交意见"})
    clock = doc.comment_clock
    if _period_over(clock, at):
        until = clock.due_day if clock is not None else ""
        raise ValidationError({"content": f"征求意见期已于 {until} 届满，不再接收意见"})
    comment = DocumentComment.objects.create(
        document=doc, commenter=commenter, content=content, received_at=at
    )
    record_event(
        AuditEventType.NORMATIVE_COMMENT_RECORDED, actor=_user(by), obj=doc, after={"comment": comment.pk}
    )
    return comment


@transaction.atomic
def answer_comment(
    comment: DocumentComment, *, by: Actor, adopted: bool, answer: str, at: datetime | None = None
) -> DocumentComment:
    """The drafting office says whether an opinion is adopted and why (the 采纳情况 published with the draft's notes)."""
    at = at or now()
    comment = (
        DocumentComment.objects.select_for_update(of=("self",)).select_related("document").get(pk=comment.pk)
    )
    doc = comment.document
    _require_drafter(by, doc.organ_id, "答复意见")
    if doc.stage not in (DocStage.COMMENT, DocStage.DRAFTING):
        raise ValidationError({"stage": "文件已送审，意见不能再修改答复"})
    comment.answer = _text(answer, "answer", "采纳情况及理由", max_length=2000)
    comment.adopted = bool(adopted)
    comment.answered_at = at
    comment.save()
    record_event(
        AuditEventType.NORMATIVE_COMMENT_RECORDED,
        actor=_user(by),
        obj=doc,
        after={"comment": comment.pk, "adopted": comment.adopted},
    )
    return comment


@transaction.atomic
def close_comment_period(doc: NormativeDocument, *, at: datetime | None = None) -> bool:
    """The period has run out: its clock stops on the deadline (it measured a period, not anyone's delay)."""
    at = at or now()
    doc = _locked(doc)
    clock = doc.comment_clock
    if doc.stage != DocStage.COMMENT or clock is None or clock.state == ClockState.STOPPED:
        return False
    if clock.due_at is None or at < clock.due_at:
        return False
    stop_clock(clock, at=clock.due_at)
    Clock.objects.filter(pk=clock.pk).update(late=False)
    doc.comment_closed_at = clock.due_at
    doc.save(update_fields=["comment_closed_at"])
    record_event(
        AuditEventType.NORMATIVE_COMMENT_CLOSED,
        obj=doc,
        after={**_snapshot(doc), "comments": doc.comments.count()},
    )
    return True


@transaction.atomic
def submit_for_review(doc: NormativeDocument, *, by: Actor, at: datetime | None = None) -> NormativeDocument:
    """After the comment period, with every opinion answered, the draft goes to the legal office for review."""
    at = at or now()
    doc = _locked(doc)
    _require_drafter(by, doc.organ_id, "送合法性审核")
    _require_stage(doc, DocStage.COMMENT, "送合法性审核")
    clock = doc.comment_clock
    if not _period_over(clock, at):
        assert clock is not None
        raise ValidationError({"stage": f"征求意见期至 {clock.due_day} 届满，期满前不能送审"})
    unanswered = doc.comments.filter(answered_at__isnull=True).count()
    if unanswered:
        raise ValidationError({"comments": f"还有 {unanswered} 条意见未答复采纳情况，不能送审"})
    if clock is not None and clock.state != ClockState.STOPPED:
        stop_clock(clock, at=clock.due_at or at)
        Clock.objects.filter(pk=clock.pk).update(late=False)
    doc.comment_closed_at = doc.comment_closed_at or (clock.due_at if clock is not None else at)
    doc.stage = DocStage.REVIEW
    doc.save()
    record_event(AuditEventType.NORMATIVE_SUBMITTED, actor=_user(by), obj=doc, after=_snapshot(doc))
    return doc


@transaction.atomic
def review_legality(
    doc: NormativeDocument, *, by: Actor, conclusion: str, opinion: str, at: datetime | None = None
) -> NormativeDocument:
    """The legal office's review (国办发〔2018〕115号): lawful (or lawful once amended) goes to collective
    discussion; unlawful returns the draft to drafting, and it must go through comment again."""
    at = at or now()
    doc = _locked(doc)
    require_role(by, *LEGAL, message="合法性审核需要“法制办”角色")
    _require_stage(doc, DocStage.REVIEW, "进行合法性审核")
    if conclusion not in ReviewConclusion.values:
        raise ValidationError({"conclusion": "请选择审核意见（合法、修改后提交审议、不合法）"})
    doc.review_opinion = _text(opinion, "opinion", "审核意见书", max_length=5000)
    doc.review_conclusion = conclusion
    doc.reviewed_at = at
    doc.reviewed_by = _user(by)
    doc.stage = DocStage.DRAFTING if conclusion == ReviewConclusion.UNLAWFUL else DocStage.DISCUSSION
    doc.save()
    record_event(
        AuditEventType.NORMATIVE_REVIEWED,
        actor=_user(by),
        obj=doc,
        after={**_snapshot(doc), "conclusion": conclusion},
    )
    return doc


@transaction.atomic
def record_discussion(
    doc: NormativeDocument,
    *,
    by: Actor,
    meeting: str,
    held_on: date,
    approved: bool,
    at: datetime | None = None,
) -> NormativeDocument:
    """The executive meeting (常务会议/办公会议) discusses the reviewed draft: approved, it may be published;
    not approved, it returns to drafting."""
    at = at or now()
    doc = _locked(doc)
    require_role(by, *DISCUSSION_ROLES, message="登记集体审议需要“法制办”或“领导”角色")
    _require_stage(doc, DocStage.DISCUSSION, "登记集体审议")
    meeting = _text(meeting, "meeting", "审议会议", max_length=200)
    if held_on is None:
        raise ValidationError({"held_on": "请填写审议日期"})
    if doc.reviewed_at is not None and held_on < local_date(doc.reviewed_at):
        raise ValidationError({"held_on": "审议日期不能早于合法性审核日期"})
    if held_on > local_date(at):
        raise ValidationError({"held_on": "审议日期不能晚于今天"})
    doc.meeting = meeting
    if approved:
        doc.discussed_on = held_on
    else:
        doc.discussed_on = None
        doc.stage = DocStage.DRAFTING
    doc.save()
    record_event(
        AuditEventType.NORMATIVE_DISCUSSED,
        actor=_user(by),
        obj=doc,
        after={**_snapshot(doc), "approved": bool(approved), "held_on": str(held_on)},
    )
    return doc


@transaction.atomic
def publish_document(
    doc: NormativeDocument,
    *,
    by: Actor,
    document_number: str,
    effective_from: date | None = None,
    valid_years: int | None = None,
    at: datetime | None = None,
) -> NormativeDocument:
    """Publish the discussed document in the disclosure catalog (it gets its 索引号) and start the filing limit and
    the validity period. Unpublished, a normative document binds nobody."""
    at = at or now()
    doc = _locked(doc)
    _require_drafter(by, doc.organ_id, "公布规范性文件")
    _require_stage(doc, DocStage.DISCUSSION, "公布")
    if doc.discussed_on is None:
        raise ValidationError({"stage": "不能公布：文件尚未经集体审议通过，程序不得跳过"})
    document_number = _text(document_number, "document_number", "文号", max_length=60)
    rule = RulemakingRule.current()
    today = local_date(at)
    effective_from = effective_from or today
    if effective_from < today:
        raise ValidationError({"effective_from": "施行日期不能早于公布日期"})
    years = rule.validity_years if valid_years is None else valid_years
    if not 1 <= years <= rule.validity_years:
        raise ValidationError({"valid_years": f"有效期应为 1 至 {rule.validity_years} 年"})
    with frozen_at(at):  # the catalog record carries the same instant as the registry
        record = disclosure.publish_record(
            actor=_user(by),
            organ=doc.organ,
            title=doc.title,
            category=DisclosureCategory.NORMATIVE,
            summary=doc.summary,
            body=doc.body,
            document_number=document_number,
            formed_on=doc.discussed_on,
            source=doc,
            validity=Validity.VALID,
        )
    doc.document_number = document_number
    doc.index_number = record.index_number or ""
    doc.disclosure_url = record.get_absolute_url()
    doc.published_at = at
    doc.published_on = today
    doc.effective_from = effective_from
    # Five years from the day it takes effect: the last day in force is the day before the anniversary.
    doc.valid_until = add_years(effective_from, years) - timedelta(days=1)
    doc.stage = DocStage.PUBLISHED
    doc.filing_clock = start_clock(
        kind=ClockKind.NORMATIVE_FILING,
        amount=rule.filing_days,
        unit="day",
        at=at,
        start_day=today,
        owner=_owner(doc, "报送备案时限"),
    )
    doc.validity_clock = start_clock(
        kind=ClockKind.NORMATIVE_VALIDITY,
        amount=(doc.valid_until - effective_from).days,
        unit="day",
        at=at,
        start_day=effective_from,
        warn_units=rule.expiry_alert_days,
        owner=_owner(doc, "有效期"),
    )
    doc.save()
    record_event(
        AuditEventType.NORMATIVE_PUBLISHED,
        actor=_user(by),
        obj=doc,
        after={**_snapshot(doc), "index_number": doc.index_number, "valid_until": str(doc.valid_until)},
    )
    return doc


@transaction.atomic
def file_document(
    doc: NormativeDocument, *, by: Actor, filed_with: str, filing_number: str = "", at: datetime | None = None
) -> NormativeDocument:
    """Report the published document to the level above for filing (备案); late when after the filing limit."""
    at = at or now()
    doc = _locked(doc)
    _require_drafter(by, doc.organ_id, "报送备案")
    _require_stage(doc, DocStage.PUBLISHED, "报送备案")
    doc.filed_with = _text(filed_with, "filed_with", "备案机关", max_length=100)
    doc.filing_number = _text(filing_number, "filing_number", "备案登记号", max_length=60, required=False)
    doc.filed_at = at
    if doc.filing_clock is not None:
        stop_clock(doc.filing_clock, at=at)
        doc.filed_late = bool(doc.filing_clock.late)
    else:
        doc.filed_late = False
    doc.stage = DocStage.FILED
    doc.save()
    record_event(
        AuditEventType.NORMATIVE_FILED,
        actor=_user(by),
        obj=doc,
        after={**_snapshot(doc), "late": doc.filed_late, "filed_with": doc.filed_with},
    )
    return doc


# --- normative documents: life after publication -------------------------------------------------------------------


def _end(doc: NormativeDocument, stage: DocStage, at: datetime, reason: str, by: Actor = None) -> None:
    """Out of force: its clocks stop and its catalog record shows 已废止（失效） (the record stays public)."""
    for clock in (doc.filing_clock, doc.validity_clock):
        if clock is not None and clock.state != ClockState.STOPPED:
            stop_clock(clock, at=at)
            if clock.kind == ClockKind.NORMATIVE_VALIDITY:
                Clock.objects.filter(pk=clock.pk).update(late=False)
    doc.stage = stage
    doc.ended_at = at
    doc.end_reason = reason[:500]
    doc.save()
    with frozen_at(at):
        for record in disclosure.records_for(doc):
            disclosure.correct_record(record, actor=_user(by), reason=reason[:200], validity=Validity.INVALID)


@transaction.atomic
def repeal_document(
    doc: NormativeDocument, *, by: Actor, reason: str, at: datetime | None = None, check: bool = True
) -> NormativeDocument:
    """Repeal a document in force (by clean-up, on review, or on its organ's decision). It stays in the disclosure
    catalog, marked repealed in the registry, so the public can see what applied when."""
    at = at or now()
    doc = _locked(doc)
    if check:
        require_role(by, *LEGAL, message="废止规范性文件需要“法制办”角色")
    reason = _text(reason, "reason", "废止理由", max_length=500)
    if doc.stage not in IN_FORCE:
        raise ValidationError(
            {"stage": f"文件处于“{DocStage(doc.stage).label}”阶段，不是现行有效文件，不能废止"}
        )
    _end(doc, DocStage.REPEALED, at, reason, by)
    record_event(
        AuditEventType.NORMATIVE_REPEALED, actor=_user(by), obj=doc, after=_snapshot(doc), note=reason
    )
    return doc


def _alert_recipients(doc: NormativeDocument) -> list[User]:
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.LEGAL_OFFICER.value) | (
        get_user_model().objects.filter(
            is_active=True, groups__name=Role.DEPARTMENT_HEAD.value, staff__departments=doc.organ_id
        )
    )
    return list(users.distinct().order_by("pk"))


def expiry_alert_due(doc: NormativeDocument, today: date, alert_days: int) -> bool:
    return (
        doc.stage in IN_FORCE
        and doc.valid_until is not None
        and doc.expiry_alerted_at is None
        and today >= doc.valid_until - timedelta(days=alert_days)
    )


def run_expiry(*, at: datetime | None = None) -> dict[str, int]:
    """The registry's daily round: close ended comment periods, warn of documents whose validity ends within the
    alert window (once each: the organ must decide to renew, amend or let it lapse), and mark as expired those past
    their last day. Each document in its own transaction."""
    at = at or now()
    today = local_date(at)
    rule = RulemakingRule.current()
    result = {"comment_closed": 0, "expiry_alerts": 0, "expired": 0, "decision_comment_closed": 0}
    for doc in NormativeDocument.objects.filter(
        stage=DocStage.COMMENT, comment_clock__state=ClockState.RUNNING, comment_clock__due_at__lte=at
    ):
        result["comment_closed"] += int(close_comment_period(doc, at=at))
    for decision in MajorDecision.objects.filter(
        comment_clock__state=ClockState.RUNNING, comment_clock__due_at__lte=at
    ).select_related("comment_clock"):
        with transaction.atomic():
            clock = Clock.objects.select_for_update().get(pk=decision.comment_clock_id or 0)
            if clock.state == ClockState.RUNNING:
                stop_clock(clock, at=clock.due_at)
                Clock.objects.filter(pk=clock.pk).update(late=False)
                record_event(
                    AuditEventType.DECISION_STEP_DONE, obj=decision, after={"step": "participation_closed"}
                )
                result["decision_comment_closed"] += 1
    horizon = today + timedelta(days=rule.expiry_alert_days)
    for doc in NormativeDocument.objects.filter(
        stage__in=IN_FORCE, expiry_alerted_at__isnull=True, valid_until__lte=horizon, valid_until__gte=today
    ):
        result["expiry_alerts"] += int(alert_expiry(doc, at=at))
    for doc in NormativeDocument.objects.filter(stage__in=IN_FORCE, valid_until__lt=today):
        result["expired"] += int(expire_document(doc, at=at))
    return result


@transaction.atomic
def alert_expiry(doc: NormativeDocument, *, at: datetime | None = None) -> bool:
    at = at or now()
    doc = _locked(doc)
    today = local_date(at)
    if not expiry_alert_due(doc, today, RulemakingRule.current().expiry_alert_days):
        return False
    assert doc.valid_until is not None
    days = (doc.valid_until - today).days
    for user in _alert_recipients(doc):
        notify(
            user=user,
            title="规范性文件有效期即将届满",
            body=f"{doc.organ.name}《{doc.title}》（{doc.document_number}）有效期至 {doc.valid_until}，"
            f"还有 {days} 天届满。需要继续施行的，请在届满前评估并按程序重新公布；需要修改的，请启动修改程序。",
            kind="rulemaking_expiry",
            link=doc.get_absolute_url(),
            at=at,
        )
    doc.expiry_alerted_at = at
    doc.save(update_fields=["expiry_alerted_at"])
    record_event(
        AuditEventType.NORMATIVE_EXPIRY_ALERT,
        obj=doc,
        after={**_snapshot(doc), "valid_until": str(doc.valid_until), "days_left": days},
    )
    return True


@transaction.atomic
def expire_document(doc: NormativeDocument, *, at: datetime | None = None) -> bool:
    at = at or now()
    doc = _locked(doc)
    if doc.stage not in IN_FORCE or doc.valid_until is None or local_date(at) <= doc.valid_until:
        return False
    _end(doc, DocStage.EXPIRED, at, f"有效期至 {doc.valid_until} 届满，自动失效")
    record_event(AuditEventType.NORMATIVE_EXPIRED, obj=doc, after=_snapshot(doc))
    return True


@transaction.atomic
def start_cleanup(
    *, by: Actor, title: str, year: int | None = None, at: datetime | None = None
) -> CleanupRound:
    at = at or now()
    require_role(by, *LEGAL, message="组织规范性文件清理需要“法制办”角色")
    title = _text(title, "title", "清理名称", max_length=200)
    year = year or local_date(at).year
    if CleanupRound.objects.filter(closed_at__isnull=True).exists():
        raise ValidationError({"title": "已有一轮清理尚未结束，请先结束该轮清理"})
    cleanup = CleanupRound.objects.create(year=year, title=title, started_at=at, started_by=_user(by))
    record_event(AuditEventType.NORMATIVE_CLEANUP, actor=_user(by), obj=cleanup, after={"year": year})
    return cleanup


@transaction.atomic
def decide_cleanup(
    cleanup: CleanupRound,
    doc: NormativeDocument,
    *,
    by: Actor,
    decision: str,
    reason: str = "",
    at: datetime | None = None,
) -> CleanupItem:
    """One document's clean-up result: keep, amend (its organ starts an amending document), or repeal (at once)."""
    at = at or now()
    cleanup = CleanupRound.objects.select_for_update().get(pk=cleanup.pk)
    require_role(by, *LEGAL, message="作出清理结论需要“法制办”角色")
    if cleanup.closed_at is not None:
        raise ValidationError({"round": "该轮清理已经结束"})
    if decision not in CleanupDecision.values:
        raise ValidationError({"decision": "请选择清理结论（继续有效、需要修改、废止）"})
    reason = _text(reason, "reason", "理由", max_length=500, required=decision != CleanupDecision.KEEP)
    if doc.stage not in IN_FORCE:
        raise ValidationError({"document": "只有现行有效的文件纳入清理"})
    if CleanupItem.objects.filter(round=cleanup, document=doc).exists():
        raise ValidationError({"document": "该文件在本轮清理中已有结论"})
    item = CleanupItem.objects.create(
        round=cleanup, document=doc, decision=decision, reason=reason, decided_at=at, decided_by=_user(by)
    )
    if decision == CleanupDecision.REPEAL:
        repeal_document(doc, by=by, reason=f"{cleanup.title}：{reason}", at=at, check=False)
    record_event(
        AuditEventType.NORMATIVE_CLEANUP,
        actor=_user(by),
        obj=doc,
        after={"round": cleanup.pk, "decision": decision},
        note=reason,
    )
    return item


@transaction.atomic
def close_cleanup(cleanup: CleanupRound, *, by: Actor, at: datetime | None = None) -> CleanupRound:
    """End a round: every document that was in force when the round began must have a result."""
    at = at or now()
    cleanup = CleanupRound.objects.select_for_update().get(pk=cleanup.pk)
    require_role(by, *LEGAL, message="结束清理需要“法制办”角色")
    if cleanup.closed_at is not None:
        raise ValidationError({"round": "该轮清理已经结束"})
    pending = (
        NormativeDocument.objects.filter(stage__in=IN_FORCE, published_at__lte=cleanup.started_at)
        .exclude(cleanups__round=cleanup)
        .count()
    )
    if pending:
        raise ValidationError({"round": f"还有 {pending} 件现行有效文件没有清理结论"})
    cleanup.closed_at = at
    cleanup.save(update_fields=["closed_at"])
    record_event(AuditEventType.NORMATIVE_CLEANUP, actor=_user(by), obj=cleanup, after={"closed": True})
    return cleanup


@transaction.atomic
def request_review(
    doc: NormativeDocument,
    *,
    applicant: str,
    reason: str,
    contact: str = "",
    by: Actor = None,
    at: datetime | None = None,
) -> CitizenReview:
    """A citizen or organisation asks that a document in force be reviewed; the answer is due on a natural-day clock
    (the period is set locally, 60 days by default)."""
    at = at or now()
    doc = _locked(doc)
    errors: dict[str, str] = {}
    applicant = _field(errors, applicant, "applicant", "申请人", 100)
    reason = _field(errors, reason, "reason", "审查建议及理由", 5000)
    contact = _field(errors, contact, "contact", "联系方式", 100, required=False)
    if doc.stage not in IN_FORCE:
        errors["document"] = "只能对现行有效的规范性文件提出审查申请"
    if errors:
        raise ValidationError(errors)
    rule = RulemakingRule.current()
    review = CitizenReview(
        number=_next_number("SCSQ", local_date(at).year),
        document=doc,
        applicant=applicant,
        contact=contact,
        reason=reason,
        received_at=at,
    )
    review.clock = start_clock(
        kind=ClockKind.NORMATIVE_REVIEW,
        amount=rule.citizen_review_days,
        unit="day",
        at=at,
        owner=ClockOwner(
            label=f"规范性文件审查申请 {review.number}（{doc.title[:50]}）",
            link=doc.get_absolute_url(),
            department=doc.organ,
        ),
    )
    review.save()

    set_clock_owner(review.clock, subject=review)  # the clock was started before the row had its id
    record_event(
        AuditEventType.NORMATIVE_REVIEW_REQUESTED,
        actor=_user(by),
        obj=review,
        after={"document": doc.number, "due": str(review.clock.due_day)},
    )
    return review


@transaction.atomic
def answer_review(
    review: CitizenReview, *, by: Actor, outcome: str, answer: str, at: datetime | None = None
) -> CitizenReview:
    at = at or now()
    review = (
        CitizenReview.objects.select_for_update(of=("self",))
        .select_related("document", "clock")
        .get(pk=review.pk)
    )
    require_role(by, *LEGAL, message="答复审查申请需要“法制办”角色")
    if review.answered_at is not None:
        raise ValidationError({"outcome": "该申请已经答复"})
    if outcome not in CitizenReviewOutcome.values:
        raise ValidationError({"outcome": "请选择审查结论"})
    review.answer = _text(answer, "answer", "答复内容", max_length=5000)
    review.outcome = outcome
    review.answered_at = at
    review.answered_by = _user(by)
    if review.clock is not None:
        stop_clock(review.clock, at=at)
    review.save()
    if outcome == CitizenReviewOutcome.REPEAL:
        repeal_document(review.document, by=by, reason=f"依审查申请 {review.number} 审查认定违法", at=at)
    record_event(
        AuditEventType.NORMATIVE_REVIEW_ANSWERED,
        actor=_user(by),
        obj=review,
        after={"outcome": outcome, "late": bool(review.clock.late) if review.clock else False},
    )
    return review


# --- major decisions -----------------------------------------------------------------------------------------------


@transaction.atomic
def start_decision(
    *, by: Actor, organ: Department, title: str, description: str = "", at: datetime | None = None
) -> MajorDecision:
    at = at or now()
    require_role(by, *LEGAL, Role.LEADER, message="启动重大行政决策需要“法制办”或“领导”角色")
    if organ is None:
        raise ValidationError({"organ": "请选择决策承办单位"})
    title = _text(title, "title", "决策事项", max_length=200)
    decision = MajorDecision.objects.create(
        number=_next_number("ZDJC", local_date(at).year, width=3),
        title=title,
        organ=organ,
        description=(description or "").strip(),
        started_at=at,
        started_by=_user(by),
    )
    record_event(
        AuditEventType.DECISION_STARTED, actor=_user(by), obj=decision, after={"number": decision.number}
    )
    return decision


def next_step(decision: MajorDecision) -> DecisionStep | None:
    done = set(decision.steps.values_list("step", flat=True))
    for step in DECISION_STEPS:
        if step not in done:
            return step
    return None


@transaction.atomic
def open_participation(
    decision: MajorDecision, *, by: Actor, days: int | None = None, at: datetime | None = None
) -> MajorDecision:
    """Publish the draft decision for public comment; the participation step can be recorded only after it ends."""
    at = at or now()
    decision = MajorDecision.objects.select_for_update().get(pk=decision.pk)
    require_role(by, *LEGAL, Role.LEADER, message="公开征求意见需要“法制办”或“领导”角色")
    if decision.comment_clock_id is not None:
        raise ValidationError({"step": "该决策草案已经公开征求意见"})
    if next_step(decision) != DecisionStep.PARTICIPATION:
        raise ValidationError({"step": "公众参与环节已经完成"})
    minimum = RulemakingRule.current().decision_comment_days
    days = minimum if days is None else days
    if days < minimum:
        raise ValidationError({"days": f"重大决策草案征求意见期不得少于 {minimum} 日"})
    decision.comment_clock = start_clock(
        kind=ClockKind.DECISION_COMMENT,
        amount=days,
        unit="day",
        at=at,
        owner=ClockOwner(
            label=f"重大行政决策 {decision.number} 征求意见期",
            link=decision.get_absolute_url(),
            department=decision.organ,
            subject=decision,
        ),
    )
    decision.save(update_fields=["comment_clock"])
    record_event(
        AuditEventType.DECISION_STEP_DONE,
        actor=_user(by),
        obj=decision,
        after={"step": "participation_opened", "until": str(decision.comment_clock.due_day)},
    )
    return decision


@transaction.atomic
def record_step(
    decision: MajorDecision,
    *,
    by: Actor,
    step: str,
    summary: str,
    approved: bool = True,
    at: datetime | None = None,
) -> DecisionStepRecord:
    """Record one step of the fixed process; only the next one is accepted, so none can be skipped. Collective
    discussion makes (or refuses) the decision; publication puts it in the disclosure catalog."""
    at = at or now()
    decision = (
        MajorDecision.objects.select_for_update(of=("self",))
        .select_related("organ", "comment_clock")
        .get(pk=decision.pk)
    )
    if step not in DecisionStep.values:
        raise ValidationError({"step": "请选择决策程序环节"})
    wanted = DecisionStep(step)
    if decision.status == DecisionStatus.SHELVED:
        raise ValidationError({"step": "集体讨论未通过，该决策程序已终止"})
    expected = next_step(decision)
    if expected is None:
        raise ValidationError({"step": "该决策的全部程序已经完成"})
    if wanted != expected:
        if DECISION_STEPS.index(wanted) < DECISION_STEPS.index(expected):
            raise ValidationError({"step": f"“{wanted.label}”环节已经完成"})
        raise ValidationError(
            {
                "step": f"不能跳过“{expected.label}”：重大行政决策须依次完成公众参与、专家论证、风险评估、合法性审查、集体讨论决定"
            }
        )
    if wanted == DecisionStep.LEGALITY:
        require_role(by, *LEGAL, message="合法性审查需要“法制办”角色")
    else:
        require_role(by, *LEGAL, Role.LEADER, message="登记重大决策程序需要“法制办”或“领导”角色")
    summary = _text(summary, "summary", "情况说明", max_length=5000)
    if wanted == DecisionStep.PARTICIPATION:
        clock = decision.comment_clock
        if clock is None:
            raise ValidationError({"step": "请先公开征求意见，期满后再登记公众参与情况"})
        if not _period_over(clock, at):
            raise ValidationError({"step": f"征求意见期至 {clock.due_day} 届满，期满前不能登记公众参与情况"})
        if clock.state != ClockState.STOPPED:
            stop_clock(clock, at=clock.due_at or at)
            Clock.objects.filter(pk=clock.pk).update(late=False)
    if wanted == DecisionStep.LEGALITY and not approved:
        raise ValidationError({"approved": "合法性审查未通过的，应修改决策草案后重新审查，不能提交集体讨论"})
    record = DecisionStepRecord.objects.create(
        decision=decision,
        step=wanted,
        position=DECISION_STEPS.index(wanted) + 1,
        done_at=at,
        done_by=_user(by),
        summary=summary,
        approved=bool(approved),
    )
    fields: list[str] = []
    if wanted == DecisionStep.DISCUSSION:
        if approved:
            decision.status = DecisionStatus.DECIDED
            decision.decided_at = at
            decision.decision = summary
            fields += ["status", "decided_at", "decision"]
        else:
            decision.status = DecisionStatus.SHELVED
            fields.append("status")
    elif wanted == DecisionStep.PUBLICATION:
        with frozen_at(at):
            published = disclosure.publish_record(
                actor=_user(by),
                organ=decision.organ,
                title=decision.title,
                category=DisclosureCategory.DECISION,
                summary=summary,
                body=decision.decision,
                formed_on=local_date(decision.decided_at) if decision.decided_at else None,
                source=decision,
            )
        decision.index_number = published.index_number or ""
        decision.disclosure_url = published.get_absolute_url()
        decision.published_at = at
        decision.status = DecisionStatus.PUBLISHED
        fields += ["index_number", "disclosure_url", "published_at", "status"]
    elif wanted == DecisionStep.EVALUATION:
        decision.evaluated_at = at
        decision.status = DecisionStatus.EVALUATED
        fields += ["evaluated_at", "status"]
    if fields:
        decision.save(update_fields=fields)
    record_event(
        AuditEventType.DECISION_EVALUATED
        if wanted == DecisionStep.EVALUATION
        else AuditEventType.DECISION_STEP_DONE,
        actor=_user(by),
        obj=decision,
        after={"step": wanted.value, "approved": bool(approved), "status": decision.status},
    )
    return record
