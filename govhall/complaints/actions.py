"""The only writers of complaints: receive, assign, investigate, conclude (domain §8 效能投诉).

Each action is atomic, locks the complaint row, raises Chinese ValidationErrors keyed by field and PermissionDenied
for the wrong person. The limit runs on the shared clock engine so that supervision sees complaint clocks too."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, TypeGuard

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse

from govhall.calendars.engine import local_date
from govhall.cases.access import find_by_check_code
from govhall.cases.models import Case
from govhall.clocks.actions import set_clock_owner, start_clock, stop_clock
from govhall.clocks.choices import ClockKind
from govhall.clocks.owner import ClockOwner
from govhall.core.audit import record_event
from govhall.core.clock import now
from govhall.core.identifiers import new_check_code
from govhall.core.models import AuditEventType
from govhall.core.tz import SHANGHAI
from govhall.notifications.actions import notify
from govhall.org.access import has_role, require_role
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile

from .choices import ComplaintChannel, ComplaintStatus, Finding, Responsibility
from .models import Complaint, ComplaintNumberCounter

_PHONE_RE = re.compile(r"^[0-9][0-9\-]{6,19}$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def limit_workdays() -> int:
    return int(settings.GOVHALL_COMPLAINT_LIMIT_WORKDAYS)


def _most_staffed_by(role: Role) -> Department | None:
    return (
        Department.objects.filter(staff__user__groups__name=role.value, staff__user__is_active=True)
        .annotate(holders=Count("staff", distinct=True))
        .order_by("-holders", "pk")
        .first()
    )


def complaints_office() -> Department:
    """The department that handles efficiency complaints, in this order:

    1. `GOVHALL_COMPLAINT_DEPARTMENT` (a department's name) when set — a name that matches no department is a
       configuration error and is refused, never silently replaced by a guess;
    2. else the department the supervisors (效能监察) sit in, the one with most of them first;
    3. else the department of the center administrators (中心管理员), the one with most of them first;
    4. else a ValidationError: without a handling department the complaint clock would have no owner and the
       supervision ladder would skip its escalation, so the complaint is not received at all."""
    name = settings.GOVHALL_COMPLAINT_DEPARTMENT
    if name:
        named = Department.objects.filter(name=name).first()
        if named is None:
            raise ValidationError(
                {
                    "department": f"未配置效能投诉受理部门：GOVHALL_COMPLAINT_DEPARTMENT 所指的“{name}”不存在，"
                    "请联系中心管理员更正"
                }
            )
        return named
    office = _most_staffed_by(Role.SUPERVISOR) or _most_staffed_by(Role.CENTER_ADMIN)
    if office is None:
        raise ValidationError(
            {
                "department": "未配置效能投诉受理部门：没有部门配备效能监察人员或中心管理员，请联系中心管理员配置"
            }
        )
    return office


def handling_department(handler: User | None) -> Department:
    """The handler's own department (the first, when several), else the complaints office."""
    staff = getattr(handler, "staff", None) if handler is not None else None
    department = staff.departments.order_by("pk").first() if staff is not None else None
    return department or complaints_office()


def next_complaint_number(day: date) -> str:
    """TS + YYYYMMDD + 4-digit daily sequence; the UPDATE takes the row lock before anyone reads the value."""
    counter = ComplaintNumberCounter.objects.filter(day=day)
    if not counter.update(last=F("last") + 1):
        ComplaintNumberCounter.objects.bulk_create(
            [ComplaintNumberCounter(day=day, last=0)], ignore_conflicts=True
        )
        counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"TS{day:%Y%m%d}{last:04d}"


def _authenticated(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None))


def _require_supervisor(user: User | AnonymousUser | None, what: str) -> None:
    require_role(user, Role.SUPERVISOR, message=f"只有效能监察人员可以{what}")


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _link_case(channel: str, case_number: str, check_code: str) -> Case | None:
    case_number, check_code = case_number.strip(), check_code.strip()
    if not case_number:
        return None
    if channel == ComplaintChannel.ONLINE:
        # Online anyone can type a number: only the holder of the receipt's check code may tie a complaint to a case.
        if not check_code:
            raise ValidationError({"check_code": "网上投诉关联办件须同时填写办件查询码"})
        case = find_by_check_code(case_number, check_code)
    else:
        case = Case.objects.filter(number=case_number).select_related("department").first()
        if case is not None and check_code and case.check_code != check_code:
            case = None
    if case is None:
        raise ValidationError({"case_number": "办件编号或查询码不正确"})
    return case


def _mobile(phone: str) -> str:
    digits = phone.replace("-", "")
    return digits if _MOBILE_RE.match(digits) else ""


def _tell_complainant(complaint: Complaint, *, title: str, body: str, at: datetime) -> bool:
    rows = notify(
        title=title,
        body=body,
        user=complaint.complainant,
        phone=_mobile(complaint.phone),
        name="" if complaint.anonymous else complaint.complainant_name,
        kind="complaint",
        link="/complaints/progress/",
        at=at,
    )
    return bool(rows)


@transaction.atomic
def receive_complaint(
    *,
    channel: str,
    by: User | AnonymousUser,
    complainant_name: str,
    phone: str,
    content: str,
    subject: str = "",
    case_number: str = "",
    check_code: str = "",
    anonymous: bool = False,
    department: Department | None = None,
    staff: StaffProfile | None = None,
    submission_key: str = "",
) -> Complaint:
    if channel not in ComplaintChannel.values:
        raise ValidationError({"channel": "投诉渠道不正确"})
    if channel == ComplaintChannel.ONLINE:
        if not _authenticated(by):
            raise PermissionDenied("网上投诉须先登录")
    elif channel in (ComplaintChannel.HOTLINE, ComplaintChannel.OPEN311):
        # 12345 calls are recorded by its operators; Open311 requests arrive with an api_key of an operator account.
        require_role(by, Role.HOTLINE_OPERATOR, message="只有12345热线话务员可以登记热线投诉")
    else:
        require_role(
            by,
            Role.SUPERVISOR,
            Role.WINDOW_CLERK,
            message="只有效能监察人员和窗口工作人员可以登记现场和电话投诉",
        )
    user = by if _authenticated(by) else None  # both checks above let only a signed-in user through
    name = (complainant_name or "").strip()
    phone = (phone or "").strip().replace(" ", "")
    content = (content or "").strip()
    subject = (subject or "").strip()
    errors: dict[str, str] = {}
    if not content:
        errors["content"] = "请填写投诉内容"
    if not anonymous and not name:
        errors["complainant_name"] = "请填写投诉人姓名（或选择匿名投诉）"
    if len(name) > 50:
        errors["complainant_name"] = "姓名不能超过50个字"
    if len(subject) > 200:
        errors["subject"] = "投诉事由不能超过200个字"
    if phone and not _PHONE_RE.match(phone):
        errors["phone"] = "联系电话格式不正确"
    elif not phone and channel not in (ComplaintChannel.ONLINE, ComplaintChannel.OPEN311) and not anonymous:
        # Hall and phone complainants have no account: the phone is how they are told the outcome.
        errors["phone"] = "请填写联系电话，以便告知处理结果"
    if errors:
        raise ValidationError(errors)
    case = _link_case(channel, case_number or "", check_code or "")
    # Before anything is written (the number counter included): no handling department, no complaint.
    office = handling_department(None)
    if staff is not None and department is None:
        department = staff.departments.order_by("pk").first()
    if case is not None and department is None:
        department = case.department
    at = now()
    number = next_complaint_number(local_date(at))
    # Until a supervisor is assigned, nobody holds it: the head of the complaints office answers for the limit.
    clock = start_clock(
        kind=ClockKind.COMPLAINT,
        amount=limit_workdays(),
        unit="workday",
        at=at,
        label=number,
        owner=ClockOwner(
            label=f"投诉 {number} 办理时限",
            link=reverse("complaints:detail", args=[number]),
            department=office,
        ),
    )
    complaint = Complaint.objects.create(
        number=number,
        check_code=new_check_code(),
        channel=channel,
        complainant_name=name,
        phone=phone,
        anonymous=anonymous,
        complainant=user if channel == ComplaintChannel.ONLINE else None,
        subject=subject,
        content=content,
        case=case,
        department=department,
        staff=staff,
        received_by=user if channel != ComplaintChannel.ONLINE else None,
        received_at=at,
        clock=clock,
        submission_key=submission_key if channel == ComplaintChannel.ONLINE else "",
    )
    set_clock_owner(clock, subject=complaint)
    _tell_complainant(
        complaint,
        title="效能投诉已受理",
        body=f"您的投诉已受理，投诉编号 {complaint.number}，查询码 {complaint.check_code}，"
        f"我们将在{limit_workdays()}个工作日内办结并告知您结果。",
        at=at,
    )
    record_event(
        AuditEventType.COMPLAINT_RECEIVED,
        actor=user,
        obj=complaint,
        after={"channel": channel, "case": case.number if case else None, "due_day": str(clock.due_day)},
    )
    return complaint


def earlier_complaint(by: User | AnonymousUser, submission_key: str | None) -> Complaint | None:
    """The complaint an earlier submission of the same online form filed for this account, if any."""
    if not submission_key or not _authenticated(by):
        return None
    return Complaint.objects.filter(complainant=by, submission_key=submission_key).first()


def receive_complaint_once(
    *, submission_key: str, by: User | AnonymousUser, **fields: Any
) -> tuple[Complaint, bool]:
    """receive_complaint for the online form, at most once per form token: returns (complaint, created). A token
    already stored, also by a concurrent request that committed first (the unique constraint), returns the stored
    complaint and files nothing (its number, clock, notice and audit entry are rolled back with it)."""
    earlier = earlier_complaint(by, submission_key)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            complaint = receive_complaint(by=by, submission_key=submission_key, **fields)
    except IntegrityError:
        earlier = earlier_complaint(by, submission_key)
        if earlier is None:
            raise
        return earlier, False
    return complaint, True


@transaction.atomic
def assign(complaint: Complaint, *, by: User, to: User) -> Complaint:
    _require_supervisor(by, "交办投诉")
    if not has_role(to, Role.SUPERVISOR):
        raise ValidationError({"to": "只能交办给效能监察人员"})
    complaint = _locked(complaint)
    if complaint.status == ComplaintStatus.CONCLUDED:
        raise ValidationError({"status": "投诉已办结，不能再交办"})
    before = complaint.assigned_to_id
    complaint.assigned_to = to
    complaint.assigned_at = now()
    if complaint.status == ComplaintStatus.RECEIVED:
        complaint.status = ComplaintStatus.ASSIGNED
    complaint.save(update_fields=["assigned_to", "assigned_at", "status"])
    # The handler answers for the limit from now on, with their department.
    set_clock_owner(complaint.clock, responsible=to, department=handling_department(to))
    notify(
        title=f"效能投诉交办 {complaint.number}",
        body=f"投诉 {complaint.number} 已交您办理，请在 {complaint.clock.due_day} 前办结。",
        user=to,
        kind="complaint",
        link=f"/complaints/{complaint.number}/",
        at=complaint.assigned_at,
    )
    record_event(
        AuditEventType.COMPLAINT_ASSIGNED, actor=by, obj=complaint, before={"to": before}, after={"to": to.pk}
    )
    return complaint


def _require_handler(complaint: Complaint, by: User, what: str) -> None:
    _require_supervisor(by, what)
    if complaint.assigned_to_id is None:
        raise ValidationError({"status": "投诉尚未交办，请先交办承办人"})
    if complaint.assigned_to_id != by.pk:
        raise PermissionDenied(f"只有承办人可以{what}")


@transaction.atomic
def start_investigation(complaint: Complaint, *, by: User, notes: str) -> Complaint:
    """Record investigation notes (again later to add more); the first call moves the complaint to 调查中."""
    complaint = _locked(complaint)
    _require_handler(complaint, by, "调查投诉")
    if complaint.status == ComplaintStatus.CONCLUDED:
        raise ValidationError({"status": "投诉已办结"})
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "请填写调查情况"})
    at = now()
    entry = f"[{at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}] {notes}"
    complaint.investigation_notes = (
        f"{complaint.investigation_notes}\n{entry}" if complaint.investigation_notes else entry
    )
    complaint.status = ComplaintStatus.INVESTIGATING
    complaint.save(update_fields=["investigation_notes", "status"])
    return complaint


@transaction.atomic
def conclude(
    complaint: Complaint, *, by: User, finding: str, responsibility: str, conclusion: str
) -> Complaint:
    complaint = _locked(complaint)
    _require_handler(complaint, by, "办结投诉")
    if complaint.status == ComplaintStatus.CONCLUDED:
        raise ValidationError({"status": "投诉已办结"})
    if complaint.status != ComplaintStatus.INVESTIGATING:
        raise ValidationError({"status": "请先填写调查情况再办结"})
    errors: dict[str, str] = {}
    if finding not in Finding.values:
        errors["finding"] = "请选择调查结论"
    if responsibility not in Responsibility.values:
        errors["responsibility"] = "请选择责任认定"
    elif finding == Finding.UNSUBSTANTIATED and responsibility != Responsibility.NONE:
        errors["responsibility"] = "投诉不属实时不能认定责任"
    conclusion = (conclusion or "").strip()
    if not conclusion:
        errors["conclusion"] = "请填写处理意见"
    if errors:
        raise ValidationError(errors)
    at = now()
    stop_clock(complaint.clock, at=at)
    complaint.finding = finding
    complaint.responsibility = responsibility
    complaint.conclusion = conclusion
    complaint.status = ComplaintStatus.CONCLUDED
    complaint.concluded_at = at
    complaint.concluded_by = by
    informed = _tell_complainant(
        complaint,
        title="效能投诉办理结果",
        body=f"您的投诉 {complaint.number} 已办结。调查结论：{Finding(finding).label}。处理意见：{conclusion}",
        at=at,
    )
    complaint.complainant_informed_at = at if informed else None
    complaint.save(
        update_fields=[
            "finding",
            "responsibility",
            "conclusion",
            "status",
            "concluded_at",
            "concluded_by",
            "complainant_informed_at",
        ]
    )
    record_event(
        AuditEventType.COMPLAINT_CONCLUDED,
        actor=by,
        obj=complaint,
        after={
            "finding": finding,
            "responsibility": responsibility,
            "staff": complaint.staff_id,
            "late": complaint.clock.late,
        },
    )
    return complaint
