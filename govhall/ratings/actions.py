"""The only writers of ratings (好差评, 国办发〔2019〕51号): rate, default, verify → call back → rectify → feed back,
appeal and decide the appeal, invite by SMS.

Each action is atomic, raises Chinese ValidationErrors keyed by field and PermissionDenied for the wrong person,
and appends to the rating's record (RatingEvent). No action changes a given rating's level, dimensions or comment:
the only later change is `counted`, by an upheld appeal, which keeps the rating in the record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from govhall.calendars.engine import local_date
from govhall.cases.choices import CaseStatus, Channel
from govhall.cases.events import CaseEvent
from govhall.cases.models import Case, Task
from govhall.clocks.actions import set_clock_owner, start_clock, stop_clock
from govhall.clocks.choices import ClockKind
from govhall.clocks.owner import ClockOwner
from govhall.core.clock import now
from govhall.ledger.models import LedgerEntry
from govhall.notifications.actions import notify
from govhall.org.access import department_ids, has_role, require_role
from govhall.org.choices import Role
from govhall.org.models import StaffProfile

from . import tokens
from .choices import (
    BAD_LEVELS,
    OFFLINE_DIMENSIONS,
    ONLINE_DIMENSIONS,
    SATISFIED_LEVELS,
    AppealGround,
    AppealStatus,
    CallbackResult,
    Dimension,
    Level,
    RatingChannel,
    RatingEventKind,
    ReviewFinding,
    ReviewStatus,
)
from .models import (
    Appeal,
    BadReview,
    Callback,
    Cursor,
    Invitation,
    Rating,
    RatingEvent,
    ReviewNumberCounter,
)

COMMENT_MAX = 500
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Channels where the applicant rates a concluded case (一事一评); the window device rates the visit (一次一评).
AFTER_CONCLUSION = (RatingChannel.ONLINE, RatingChannel.QR, RatingChannel.SMS, RatingChannel.HOTLINE)


def rectify_workdays() -> int:
    return int(settings.GOVHALL_RATING_RECTIFY_WORKDAYS)


def dimensions_for(case: Case) -> tuple[Dimension, ...]:
    """Online applications are rated on the online dimensions, hall and agent applications on the offline ones."""
    return ONLINE_DIMENSIONS if case.channel == Channel.ONLINE else OFFLINE_DIMENSIONS


def rated_staff(case: Case) -> StaffProfile | None:
    """The staff member the rating is about: who received the case at the window or agent point, else who
    decided it (the last step done)."""
    if case.received_by_id is not None:
        profile = StaffProfile.objects.filter(user_id=case.received_by_id).first()
        if profile is not None:
            return profile
    task = Task.objects.filter(case=case).exclude(assignee=None).order_by("-completed_at", "-pk").first()
    if task is None or task.assignee_id is None:
        return None
    return StaffProfile.objects.filter(user_id=task.assignee_id).first()


def _authenticated(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None))


def _log(
    rating: Rating, kind: RatingEventKind, *, actor: User | None, at: datetime, note: str = "", **data: Any
) -> None:
    RatingEvent.objects.create(rating=rating, kind=kind, actor=actor, at=at, note=note[:2000], data=data)


def _mobile(phone: str) -> str:
    digits = (phone or "").replace("-", "").replace(" ", "")
    return digits if _MOBILE_RE.match(digits) else ""


def _heads(department_id: int) -> list[User]:
    return list(
        User.objects.filter(
            groups__name=Role.DEPARTMENT_HEAD.value, staff__departments=department_id, is_active=True
        )
        .distinct()
        .order_by("pk")
    )


def _clean_level(value: Any, field: str = "level") -> str:
    text = str(value or "").strip()
    if text not in Level.values:
        raise ValidationError({field: "请选择评价等级（非常满意、满意、基本满意、不满意、非常不满意）"})
    return text


def _check_proof(
    case: Case,
    channel: str,
    by: User | AnonymousUser | None,
    *,
    check_code: str,
    token: str,
    device_key: str,
) -> User | None:
    """Only the applicant rates (by account, check code or the signed link they were given); returns the rater's
    account when known. The hotline operator enters what the caller says, after the caller gave the check code."""
    user = by if _authenticated(by) and isinstance(by, User) else None
    if channel == RatingChannel.HOTLINE:
        require_role(
            by, Role.HOTLINE_OPERATOR, Role.SUPERVISOR, message="只有热线话务员和效能监察人员可以录入热线评价"
        )
        if (check_code or "").strip() != case.check_code:
            raise ValidationError({"check_code": "查询码不正确：热线评价须由申请人本人报出办件查询码"})
        return None
    if channel == RatingChannel.WINDOW:
        if case.window_id is None or tokens.read(tokens.DEVICE_SALT, device_key) != case.window_id:
            raise PermissionDenied("评价器未绑定本窗口，不能评价该办件")
        return None
    if channel in (RatingChannel.QR, RatingChannel.SMS):
        if tokens.read(tokens.CASE_SALT, token) != case.pk:
            raise PermissionDenied("评价链接无效")
        return user if user is not None and case.applicant.user_id == user.pk else None
    # Online: the applicant's own account, or the case number with its check code.
    if user is not None and case.applicant.user_id == user.pk:
        return user
    if check_code and check_code.strip() == case.check_code:
        return None
    raise PermissionDenied("只有申请人本人可以评价（请登录本人账号或输入办件查询码）")


def _clean_dimensions(case: Case, dimensions: Mapping[str, Any] | None, level: str) -> dict[str, str]:
    allowed = {d.value for d in dimensions_for(case)}
    out: dict[str, str] = {}
    for code, value in (dimensions or {}).items():
        if value in (None, ""):
            continue
        if code not in allowed:
            raise ValidationError(
                {"dimensions": f"该办件不评价“{Dimension(code).label if code in Dimension.values else code}”"}
            )
        out[code] = _clean_level(value, f"dimension_{code}")
    out[Dimension.OVERALL.value] = level
    return out


def _next_review_number(day: date) -> str:
    counter = ReviewNumberCounter.objects.filter(day=day)
    if not counter.update(last=F("last") + 1):
        ReviewNumberCounter.objects.bulk_create([ReviewNumberCounter(day=day, last=0)], ignore_conflicts=True)
        counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"CP{day:%Y%m%d}{last:04d}"


def _open_review(rating: Rating, at: datetime) -> BadReview:
    """差评: the unit that handled the case (谁办理、谁负责) verifies, rectifies and feeds back within the limit, on the
    clock engine so that supervision lights, alerts and escalates it like any other time limit."""
    number = _next_review_number(local_date(at))
    link = reverse("ratings:review", args=[number])
    clock = start_clock(
        kind=ClockKind.RECTIFY,
        amount=rectify_workdays(),
        unit="workday",
        at=at,
        label=number,
        owner=ClockOwner(label=f"差评 {number} 整改反馈时限", link=link, department=rating.department),
    )
    review = BadReview.objects.create(
        rating=rating,
        number=number,
        department=rating.department,
        clock=clock,
        callback_required=rating.real_name,
        created_at=at,
    )
    set_clock_owner(clock, subject=review)
    # The heads learn of the bad review and its limit; never who gave it.
    for head in _heads(rating.department_id):
        notify(
            title=f"收到差评 {number}",
            body=f"“{rating.item.name}”收到一条{rating.get_level_display()}评价，请在 {clock.due_day} 前核实、整改并反馈。",
            user=head,
            kind="rating",
            link=link,
            at=at,
        )
    return review


@transaction.atomic
def submit_rating(
    case: Case,
    *,
    channel: str,
    level: str,
    by: User | AnonymousUser | None = None,
    dimensions: Mapping[str, Any] | None = None,
    comment: str = "",
    anonymous: bool = False,
    check_code: str = "",
    token: str = "",
    device_key: str = "",
) -> Rating:
    """One rating of one case (一事一评), by its applicant on `channel`. A second rating of the same case is refused."""
    if channel not in RatingChannel.values or channel == RatingChannel.DEFAULT:
        raise ValidationError({"channel": "评价渠道不正确"})
    level = _clean_level(level)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"评价意见不能超过{COMMENT_MAX}个字"})
    # The case row lock serialises two ratings of the same case (double click, two channels at once).
    case = Case.objects.select_for_update().select_related("item", "applicant").get(pk=case.pk)
    rater = _check_proof(case, channel, by, check_code=check_code, token=token, device_key=device_key)
    if Rating.objects.filter(case=case).exists():
        raise ValidationError({"case": "该办件已评价，每项服务只能评价一次，评价提交后不能修改"})
    if channel in AFTER_CONCLUSION and case.status != CaseStatus.CONCLUDED:
        raise ValidationError({"case": "办件办结后才能评价"})
    if channel == RatingChannel.WINDOW and case.status in (CaseStatus.WITHDRAWN,):
        raise ValidationError({"case": "该办件已撤回，不能评价"})
    dims = _clean_dimensions(case, dimensions, level)
    at = now()
    staff = rated_staff(case)
    entered_by = by if channel == RatingChannel.HOTLINE and isinstance(by, User) else None
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case=case,
                level=level,
                dimensions=dims,
                comment=comment,
                channel=channel,
                online=case.channel == Channel.ONLINE,
                real_name=not anonymous,
                rater=rater,
                entered_by=entered_by,
                rated_at=at,
                rated_day=local_date(at),
                department_id=case.department_id,
                window_id=case.window_id,
                staff=staff,
                item_id=case.item_id,
            )
    except IntegrityError:
        raise ValidationError({"case": "该办件已评价，每项服务只能评价一次，评价提交后不能修改"}) from None
    _log(rating, RatingEventKind.RATED, actor=entered_by or rater, at=at, level=level, channel=channel)
    Invitation.objects.filter(case=case).update(settled=True)
    if level in BAD_LEVELS:
        _open_review(rating, at)
    return rating


@transaction.atomic
def give_default_ratings(*, limit: int = 500) -> int:
    """默认评价: cases concluded more than GOVHALL_RATING_DEFAULT_AFTER_DAYS days ago and still unrated get the
    configured level, marked as default (is_default) and counted apart in the statistics. Off when 0."""
    days = int(settings.GOVHALL_RATING_DEFAULT_AFTER_DAYS)
    if days <= 0:
        return 0
    level = str(settings.GOVHALL_RATING_DEFAULT_LEVEL)
    if level not in SATISFIED_LEVELS:
        # A default bad review would open rectifications nobody asked for: a configuration error, refused.
        raise ValidationError({"GOVHALL_RATING_DEFAULT_LEVEL": "默认评价只能是非常满意、满意或基本满意"})
    at = now()
    due = list(
        Invitation.objects.select_for_update(skip_locked=True)
        .filter(settled=False, concluded_at__lte=at - timedelta(days=days))
        .order_by("concluded_at")
        .values_list("pk", "case_id")[:limit]
    )
    done = 0
    for pk, case_id in due:
        case = Case.objects.select_related("item").get(pk=case_id)
        if not Rating.objects.filter(case=case).exists():
            rating = Rating.objects.create(
                case=case,
                level=level,
                dimensions={Dimension.OVERALL.value: level},
                channel=RatingChannel.DEFAULT,
                online=case.channel == Channel.ONLINE,
                is_default=True,
                real_name=False,
                rated_at=at,
                rated_day=local_date(at),
                department_id=case.department_id,
                window_id=case.window_id,
                staff=rated_staff(case),
                item_id=case.item_id,
            )
            _log(rating, RatingEventKind.DEFAULTED, actor=None, at=at, level=level, after_days=days)
            done += 1
        Invitation.objects.filter(pk=pk).update(settled=True)
    return done


INVITE_CURSOR = "invitations"


def rating_url(case_pk: int, *, sms: bool = True) -> str:
    name = "ratings:sms" if sms else "ratings:qr"
    return settings.GOVHALL_PUBLIC_URL + reverse(name, args=[tokens.case_token(case_pk)])


def notice_rating_link(case_number: str) -> tuple[str, str] | None:
    """The QR code printed on every notice of a case: its signed rating link (None for a 一件事 notice, whose
    member cases are rated one by one)."""
    pk = Case.objects.filter(number=case_number).values_list("pk", flat=True).first()
    return None if pk is None else ("扫码评价", rating_url(pk, sms=False))


@transaction.atomic
def invite_concluded(*, batch: int = 500) -> int:
    """Read the audit chain after the cursor for concluded cases; for each, one Invitation and — when the applicant
    left a mobile number — the rating SMS with its signed link (plus the in-app message for an account)."""
    Cursor.objects.bulk_create([Cursor(name=INVITE_CURSOR)], ignore_conflicts=True)
    cursor = Cursor.objects.select_for_update(skip_locked=True).filter(name=INVITE_CURSOR).first()
    if cursor is None:
        return 0
    entries = list(
        LedgerEntry.objects.filter(seq__gt=cursor.seq)
        .order_by("seq")
        .values("seq", "subject_id", "action", "after", "at")[:batch]
    )
    if not entries:
        return 0
    concluded: dict[int, datetime] = {}
    for e in entries:
        after = e["after"] if isinstance(e["after"], dict) else {}
        if e["subject_id"] is None:
            continue
        if e["action"] == CaseEvent.CONCLUDED_WITH_GROUP or (
            e["action"] == CaseEvent.DECIDED and after.get("status") == CaseStatus.CONCLUDED
        ):
            concluded[int(e["subject_id"])] = e["at"]
    sent = 0
    if concluded:
        known = set(Invitation.objects.filter(case_id__in=concluded).values_list("case_id", flat=True))
        rated = set(Rating.objects.filter(case_id__in=concluded).values_list("case_id", flat=True))
        at = now()
        cases = Case.objects.select_related("item", "applicant").in_bulk(
            [pk for pk in concluded if pk not in known]
        )
        for pk, case in cases.items():
            phone = _mobile(case.applicant_phone)
            user = case.applicant.user
            rows = []
            if pk not in rated and (phone or user is not None):
                rows = notify(
                    title="请对本次政务服务作出评价",
                    body=f"您申请的“{case.item.name}”（办件编号 {case.number}）已办结，欢迎评价：{rating_url(pk)}",
                    user=user,
                    phone=phone,
                    name=case.applicant_name,
                    kind="rating",
                    case_number=case.number,
                    link=reverse("ratings:sms", args=[tokens.case_token(pk)]),
                    at=at,
                )
            Invitation.objects.create(
                case=case, concluded_at=concluded[pk], sent_at=at if rows else None, settled=pk in rated
            )
            sent += bool(rows)
    # Only linked entries have a seq (seq__gt above never matches an unlinked one): the job reads what the
    # linker has chained, which run_jobs runs before the registered jobs.
    cursor.seq = entries[-1]["seq"] or cursor.seq
    cursor.save(update_fields=["seq"])
    return len(entries)


def rating_jobs() -> int:
    """The worker's rating job: invitations for newly concluded cases, then due default ratings."""
    return invite_concluded() + give_default_ratings()


# ---------------------------------------------------------------- bad reviews


def can_handle_review(user: User | AnonymousUser | None, department_id: int) -> bool:
    """The head of the rated department (谁办理、谁负责) or a supervisor (效能监察)."""
    if has_role(user, Role.SUPERVISOR) or (getattr(user, "is_superuser", False)):
        return True
    return has_role(user, Role.DEPARTMENT_HEAD) and department_id in department_ids(user)


def _require_review_handler(review: BadReview, by: User, what: str) -> None:
    if not can_handle_review(by, review.department_id):
        raise PermissionDenied(f"只有被评价部门负责人或效能监察人员可以{what}")


def _locked_review(review: BadReview) -> BadReview:
    return BadReview.objects.select_for_update().select_related("rating", "clock").get(pk=review.pk)


def _text(value: str, field: str, message: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: f"不能超过{limit}个字"})
    return value


@transaction.atomic
def verify_review(review: BadReview, *, by: User, finding: str, verification: str) -> BadReview:
    review = _locked_review(review)
    _require_review_handler(review, by, "核实差评")
    if review.status != ReviewStatus.VERIFYING:
        raise ValidationError({"status": f"差评当前为“{review.get_status_display()}”，不能核实"})
    if finding not in ReviewFinding.values:
        raise ValidationError({"finding": "请选择核实结论"})
    review.verification = _text(verification, "verification", "请填写核实情况")
    review.finding = finding
    review.verified_at = now()
    review.verified_by = by
    review.status = ReviewStatus.RECTIFYING
    review.save(update_fields=["verification", "finding", "verified_at", "verified_by", "status"])
    set_clock_owner(review.clock, responsible=by)
    _log(
        review.rating,
        RatingEventKind.VERIFIED,
        actor=by,
        at=review.verified_at,
        note=review.verification,
        finding=finding,
    )
    return review


@transaction.atomic
def record_callback(review: BadReview, *, by: User, result: str, notes: str) -> Callback:
    """回访: a call to the rater, recorded with its result. Real-name bad reviews need one before the feedback."""
    review = _locked_review(review)
    _require_review_handler(review, by, "回访评价人")
    if not review.is_open:
        raise ValidationError({"status": "差评整改已办结，不能再登记回访"})
    if not review.rating.real_name:
        raise ValidationError({"result": "匿名评价不回访"})
    if result not in CallbackResult.values:
        raise ValidationError({"result": "请选择回访结果"})
    callback = Callback.objects.create(
        review=review, result=result, notes=_text(notes, "notes", "请填写回访记录"), at=now(), by=by
    )
    _log(
        review.rating,
        RatingEventKind.CALLED_BACK,
        actor=by,
        at=callback.at,
        note=callback.notes,
        result=result,
    )
    return callback


@transaction.atomic
def rectify_review(review: BadReview, *, by: User, rectification: str) -> BadReview:
    review = _locked_review(review)
    _require_review_handler(review, by, "登记整改")
    if review.status != ReviewStatus.RECTIFYING:
        raise ValidationError({"status": "请先核实差评"})
    review.rectification = _text(
        rectification, "rectification", "请填写整改措施（无法律依据的，填写解释说明）"
    )
    review.rectified_at = now()
    review.rectified_by = by
    review.status = ReviewStatus.FEEDBACK
    review.save(update_fields=["rectification", "rectified_at", "rectified_by", "status"])
    _log(
        review.rating, RatingEventKind.RECTIFIED, actor=by, at=review.rectified_at, note=review.rectification
    )
    return review


@transaction.atomic
def feed_back(review: BadReview, *, by: User, feedback: str) -> BadReview:
    """Tell the rater what was found and done; closes the rectification and stops its clock."""
    review = _locked_review(review)
    _require_review_handler(review, by, "反馈整改结果")
    if review.status != ReviewStatus.FEEDBACK:
        raise ValidationError({"status": "请先核实并登记整改"})
    if review.callback_required and not review.callbacks.exists():
        raise ValidationError({"callback": "实名差评须先回访评价人并登记回访记录"})
    text = _text(feedback, "feedback", "请填写反馈评价人的内容")
    at = now()
    stop_clock(review.clock, at=at)
    review.feedback = text
    review.fed_back_at = at
    review.fed_back_by = by
    review.status = ReviewStatus.CLOSED
    review.save(update_fields=["feedback", "fed_back_at", "fed_back_by", "status"])
    rating = review.rating
    case = Case.objects.select_related("applicant", "item").get(pk=rating.case_id)
    if rating.real_name:
        notify(
            title="差评整改反馈",
            body=f"您对“{case.item.name}”（办件编号 {case.number}）的评价已核实处理：{text}",
            user=case.applicant.user,
            phone=_mobile(case.applicant_phone),
            name=case.applicant_name,
            kind="rating",
            case_number=case.number,
            link=reverse("ratings:sms", args=[tokens.case_token(case.pk)]),
            at=at,
        )
    _log(rating, RatingEventKind.FED_BACK, actor=by, at=at, note=text, late=review.clock.late)
    return review


# ---------------------------------------------------------------- appeals


@transaction.atomic
def file_appeal(
    rating: Rating,
    *,
    by: User,
    ground: str,
    reason: str,
    evidence: str,
    evidence_file: UploadedFile | None = None,
) -> Appeal:
    """申诉: the head of the rated department asks a supervisor to take a mistaken or malicious rating out of the
    statistics, with its evidence."""
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if not (has_role(by, Role.DEPARTMENT_HEAD) and rating.department_id in department_ids(by)):
        raise PermissionDenied("只有被评价部门的负责人可以提出申诉")
    if not rating.counted:
        raise ValidationError({"rating": "该评价已不计入统计，无需申诉"})
    if rating.level not in BAD_LEVELS:
        raise ValidationError({"rating": "只能对差评提出申诉"})
    if Appeal.objects.filter(rating=rating, status=AppealStatus.PENDING).exists():
        raise ValidationError({"rating": "该评价已有待复核的申诉"})
    if ground not in AppealGround.values:
        raise ValidationError({"ground": "请选择申诉理由类别"})
    limit_mb = int(settings.GOVHALL_MAX_UPLOAD_MB)
    if evidence_file is not None and (evidence_file.size or 0) > limit_mb * 1024 * 1024:
        raise ValidationError({"evidence_file": f"证据材料不能超过{limit_mb}MB"})
    appeal = Appeal.objects.create(
        rating=rating,
        department_id=rating.department_id,
        ground=ground,
        reason=_text(reason, "reason", "请填写申诉理由"),
        evidence=_text(evidence, "evidence", "请说明证据（如窗口录像、系统记录、通话记录）"),
        evidence_file=evidence_file or "",
        filed_at=now(),
        filed_by=by,
    )
    _log(rating, RatingEventKind.APPEALED, actor=by, at=appeal.filed_at, note=appeal.reason, ground=ground)
    return appeal


@transaction.atomic
def decide_appeal(appeal: Appeal, *, by: User, upheld: bool, decision: str) -> Appeal:
    """复核: a supervisor decides. Upheld: the rating leaves the statistics (kept in the record) and an open
    rectification is withdrawn; rejected: nothing changes."""
    require_role(by, Role.SUPERVISOR, message="只有效能监察人员可以复核申诉")
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise ValidationError({"status": "该申诉已复核"})
    appeal.decision = _text(decision, "decision", "请填写复核意见")
    appeal.decided_at = now()
    appeal.decided_by = by
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.save(update_fields=["decision", "decided_at", "decided_by", "status"])
    rating = Rating.objects.select_for_update().get(pk=appeal.rating_id)
    if upheld:
        rating.counted = False
        rating.excluded_at = appeal.decided_at
        rating.save(update_fields=["counted", "excluded_at"])
        review = BadReview.objects.select_for_update().filter(rating=rating).select_related("clock").first()
        if review is not None and review.is_open:
            stop_clock(review.clock, at=appeal.decided_at)
            review.status = ReviewStatus.WITHDRAWN
            review.save(update_fields=["status"])
    _log(
        rating,
        RatingEventKind.APPEAL_UPHELD if upheld else RatingEventKind.APPEAL_REJECTED,
        actor=by,
        at=appeal.decided_at,
        note=appeal.decision,
        appeal=appeal.pk,
    )
    return appeal
