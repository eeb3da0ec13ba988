"""Receiving applications and the 《行政许可法》 art. 32 intake decisions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError

from govhall.calendars import engine as calendar
from govhall.catalog import kept
from govhall.catalog.choices import ItemStatus, OnlineDepth
from govhall.catalog.formfields import clean_form_data
from govhall.catalog.models import Material, ServiceItem
from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockKind
from govhall.clocks.thresholds import warn_kwargs
from govhall.core.clock import now
from govhall.core.compiled import CompiledRead, insert_objects, insert_unless_conflict_reading
from govhall.core.identifiers import validate_resident_id, validate_uscc
from govhall.org.access import has_role, require_intake_role, require_role, staff_window
from govhall.org.choices import Role
from govhall.org.models import Site, Window
from govhall.workflow import engine as wf

from ..choices import ApplicantKind, CaseStatus, Channel, IntakeOutcome
from ..events import CaseEvent
from ..limits import CAPTURED_FIELDS, capture_limits, limit_text, own_limits
from ..models import Applicant, Case, CaseGroup, CaseMaterial, CorrectionNotice
from ..owners import case_clock_owner, new_case_clock_owner
from ..uploads import Upload, sm3_hex
from ._common import (
    DEFAULT_REMEDIES,
    INTAKE_RELATED,
    OutOfProcedure,
    acting_role,
    fmt_day,
    guarded,
    issue,
    lock_case,
    lock_case_reading,
    log,
    new_check_code,
    next_case_number_reading,
    require_staff,
    save_fields,
    tell_applicant,
)
from .processing import pause_case_clocks, resume_case_clocks, start_flow

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# 《行政许可法》 art. 32: an incomplete application must be answered with one notice within 5 working days.
INTAKE_LIMIT_WORKDAYS = 5


@dataclass(frozen=True)
class ApplicantData:
    kind: str
    name: str
    id_number: str
    phone: str = ""
    legal_representative: str = ""
    address: str = ""

    def validated(self) -> ApplicantData:
        if self.kind not in ApplicantKind.values:
            raise ValidationError({"applicant.kind": "申请人类型应为自然人或法人及其他组织"})
        name = self.name.strip()
        if not name:
            raise ValidationError({"applicant.name": "请填写申请人姓名或名称"})
        number = self.id_number.strip().upper()
        try:
            if self.kind == ApplicantKind.PERSON:
                validate_resident_id(number)
            else:
                validate_uscc(number)
        except ValidationError as exc:
            raise ValidationError({"applicant.id_number": exc.messages}) from None
        phone = self.phone.strip()
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
            raise ValidationError({"applicant.phone": "联系电话应为 7–12 位数字"})
        if self.kind == ApplicantKind.ENTERPRISE and not self.legal_representative.strip():
            raise ValidationError({"applicant.legal_representative": "法人申请须填写法定代表人"})
        return ApplicantData(
            self.kind, name, number, phone, self.legal_representative.strip(), self.address.strip()
        )


# The reads of every application and acceptance, built once per connection (core.compiled).
_HALL_APPLICANT = CompiledRead(
    lambda kind, number: Applicant.objects.filter(kind=kind, id_number=number, user__isnull=True), str, str
)
_ACCOUNT_APPLICANT = CompiledRead(
    lambda kind, number, user: Applicant.objects.filter(kind=kind, id_number=number, user_id=user),
    str,
    str,
    int,
)
_MISSING_MATERIALS = CompiledRead(
    lambda item, case: Material.objects.filter(item_id=item, required=True, e_license_ok=False).exclude(
        pk__in=CaseMaterial.objects.filter(case_id=case, material__isnull=False).values("material_id")
    ),
    int,
    int,
)


def _applicant(data: ApplicantData | Applicant, user: User | None) -> Applicant:
    """The applicant record of this identity as known to this channel.

    An online account keeps its own record of each identity it applies under, and a window/agent intake uses the
    hall's record (user = None). Nothing typed online ever changes or takes over a record someone else created:
    otherwise anyone could type a neighbour's ID number and read their window cases under "my cases"."""
    if isinstance(data, Applicant):
        return data
    data = data.validated()
    user_id = getattr(user, "pk", None)
    read, values = (
        (_HALL_APPLICANT, (data.kind, data.id_number))
        if user_id is None
        else (_ACCOUNT_APPLICANT, (data.kind, data.id_number, user_id))
    )
    fresh = Applicant(
        kind=data.kind,
        id_number=data.id_number,
        user=user,
        name=data.name,
        phone=data.phone,
        legal_representative=data.legal_representative,
        address=data.address,
    )
    # get_or_create in one statement on PostgreSQL, a known identity and a new one alike: the INSERT goes in
    # unless one of Applicant's two unique constraints (the hall's, each account's) already holds the identity,
    # and the read beside it finds that record. (A known identity's attempt uses up a key of the table's
    # sequence: a gap in the keys, which mean nothing.)
    created, known = insert_unless_conflict_reading(fresh, read, *values, unless_found=True)
    if created:
        applicant = fresh
    elif known:
        applicant = known[0]
    else:  # another first application of the same identity got in first, after this statement's snapshot
        applicant = Applicant.objects.get(kind=data.kind, id_number=data.id_number, user=user)
    if not created:
        changed = []
        for field in ("name", "phone", "legal_representative", "address"):
            value = getattr(data, field)
            if value and getattr(applicant, field) != value:
                setattr(applicant, field, value)
                changed.append(field)
        if changed:
            applicant.save(update_fields=[*changed, "updated_at"])
    return applicant


def given_details(person: Applicant) -> dict[str, str]:
    """The applicant's details at this application, for its own snapshot (models.ApplicantSnapshot): what was given
    (the row was just updated with it), with what the identity's record already held for a field left empty."""
    return {
        "applicant_name": person.name,
        "applicant_phone": person.phone,
        "applicant_address": person.address,
        "applicant_legal_representative": person.legal_representative,
    }


def _check_channel(item: ServiceItem, channel: str, by: User) -> User | None:
    """Returns the account the application belongs to online (None for window and agent intake)."""
    if channel == Channel.ONLINE:
        if getattr(by, "pk", None) is None:
            raise PermissionDenied("网上申请需要先登录")
        if item.online_depth < OnlineDepth.PREVIEW:
            raise ValidationError({"channel": f"“{item.name}”不支持网上申请，请到窗口办理"})
        return by
    if channel == Channel.WINDOW:
        require_role(by, Role.WINDOW_CLERK, message="窗口收件需要窗口工作人员角色")
        return None
    if channel == Channel.AGENT:
        require_role(by, Role.AGENT, message="代办申请需要村级代办员角色")
        return None
    raise ValidationError({"channel": "申请渠道应为窗口、网上或代办"})


def _store(
    case: Case, uploads: Sequence[Upload], *, by: User, at: datetime, for_correction: bool = False
) -> None:
    materials = {m.pk: m for m in kept.materials(case.item)}
    for upload in uploads:
        if upload.material_id is not None and upload.material_id not in materials:
            raise ValidationError(
                {"materials": f"材料编号 {upload.material_id} 不属于事项“{case.item.name}”"}
            )
        upload.check()
    rows = []
    for upload in uploads:
        material = materials.get(upload.material_id) if upload.material_id is not None else None
        rows.append(
            CaseMaterial(
                case=case,
                material=material,
                name=material.name if material else (upload.label or upload.filename)[:200],
                file=upload.as_file(),
                original_name=upload.filename[:200],
                size=len(upload.content),
                content_type=upload.suffix,
                sm3=sm3_hex(upload.content),
                for_correction=for_correction,
                uploaded_at=at,
                uploaded_by=by if getattr(by, "pk", None) else None,
            )
        )
    # As bulk_create, insert_objects stores each file (FileField.pre_save runs for every row, now); the rows go out
    # with the action's trailing writes (core.deferred), no caller reads their keys.
    insert_objects(rows, later=True)


# The same, by the case alone: read with acceptance's lock, before the case's item is known (accept_case).
# (The case's key is given twice: a compiled read takes each value where it reaches the SQL once.)
_MISSING_MATERIALS_OF_CASE = CompiledRead(
    lambda case, again: Material.objects.filter(item__cases=case, required=True, e_license_ok=False).exclude(
        pk__in=CaseMaterial.objects.filter(case_id=again, material__isnull=False).values("material_id")
    ),
    int,
    int,
)


def missing_materials(case: Case) -> list[Material]:
    """Required materials of the item with no file handed in (an e-licence-replaceable one counts as present)."""
    return _MISSING_MATERIALS.objects(case.item_id, case.pk)


def _new_case(
    *,
    item: ServiceItem,
    applicant: Applicant,
    details: dict[str, str],
    channel: str,
    form_data: dict[str, Any],
    by: User,
    at: datetime,
    site: Site | None = None,
    window: Window | None = None,
    appointment_at: datetime | None = None,
    green_channel: bool = False,
    group: CaseGroup | None = None,
) -> Case:
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError({"item": f"事项“{item.name}”未发布或已暂停办理"})
    if not isinstance(form_data, dict):
        raise ValidationError({"form_data": "申请表应为键值对"})
    # The item's own form (catalog.FormField): required entries present, values of their kind, for every channel.
    form_data = clean_form_data(kept.form_fields(item), form_data)
    window_id = getattr(window, "pk", None)
    site_id = getattr(site, "pk", None)
    if window_id is None and channel == Channel.WINDOW:
        # The clerk's own window and its site, read with the clerk's roles (org.access.staff_window).
        own_window, own_site = staff_window(by)
        if own_window is not None:
            window_id = own_window
            site_id = site_id or own_site
    elif site_id is None and window is not None:
        site_id = window.hall.site_id
    day = calendar.local_date(at)
    # The item's process version is read in the number counter's statement (a round trip less); with no version
    # active the application is refused, and the number goes back with the rolled-back transaction.
    number, active = next_case_number_reading(day, wf.ACTIVE_VERSION, item.process_template)
    definition = wf.get_active(item.process_template, active)
    intake_spec = {
        "kind": ClockKind.INTAKE,
        "amount": INTAKE_LIMIT_WORKDAYS,
        "unit": "workday",
        "at": at,
        "label": "受理审查（一次性告知）时限",
        "owner": new_case_clock_owner(number, "受理审查时限", item.department),
    }
    case = Case(
        number=number,
        check_code=new_check_code(),
        item=item,
        department_id=item.department_id,
        process=definition,
        group=group,
        applicant=applicant,
        **details,
        channel=channel,
        site_id=site_id,
        window_id=window_id,
        received_by=by if getattr(by, "pk", None) else None,
        form_data=form_data,
        green_channel=green_channel,
        appointment_at=appointment_at,
        status=CaseStatus.SUBMITTED,
        received_at=at,
    )
    # The case goes in with its intake clock, which names it as its owner: on PostgreSQL both keys are drawn
    # ahead and both INSERTs wait with the action's trailing writes (clocks.start_clocks_of).
    clocks.start_clocks_of([(intake_spec, case)], "intake_clock")
    return case


@guarded("submit")
def submit_application(
    *,
    item: ServiceItem,
    applicant: ApplicantData | Applicant,
    channel: str,
    by: User,
    form_data: dict[str, Any] | None = None,
    uploads: Sequence[Upload] = (),
    site: Site | None = None,
    window: Window | None = None,
    appointment_at: datetime | None = None,
    green_channel: bool = False,
) -> Case:
    """Receive an application at a window, online (the applicant's own account) or at a village agent point (代办)."""
    at = now()
    owner = _check_channel(item, channel, by)
    person = _applicant(applicant, owner)
    if owner is not None and person.user_id != owner.pk:
        raise PermissionDenied("网上申请只能以本账号的申请人身份提交")
    if green_channel and channel != Channel.WINDOW:
        raise ValidationError({"green_channel": "绿色通道由窗口或部门认定，网上申请不能自行选择"})
    case = _new_case(
        item=item,
        applicant=person,
        details=given_details(person),
        channel=channel,
        form_data=form_data or {},
        by=by,
        at=at,
        site=site,
        window=window,
        appointment_at=appointment_at,
        green_channel=green_channel,
    )
    _store(case, uploads, by=by, at=at)
    log(
        case,
        CaseEvent.SUBMITTED,
        by=by,
        at=at,
        after={"item": item.impl_code, "channel": channel, "files": len(uploads)},
    )
    tell_applicant(
        case,
        "申请已收到",
        f"您申请的“{item.name}”已收到，办件编号 {case.number}，查询码 {case.check_code}。",
        at=at,
        kind="submitted",
    )
    return case


def _lock(
    case: Case,
    *,
    also: tuple[str, ...] = (),
    reading: tuple[CompiledRead[Any], tuple[Any, ...]] | None = None,
) -> list[Any]:
    """Re-read the case under lock_case's lock, into the caller's object (`also`: more related rows to join).
    `reading`: (a read, its values) run in the same statement (lock_case_reading); its objects are returned."""
    related = (*INTAKE_RELATED, *also)
    found: list[Any] = []
    if reading is None:
        locked = lock_case(case, related=related)
    else:
        read, values = reading
        locked, found = lock_case_reading(case, read, *values, related=related)
    case.__dict__.update({k: v for k, v in locked.__dict__.items() if k != "_state"})
    case._state.fields_cache = locked._state.fields_cache
    return found


def _intake_staff(case: Case, by: User | None, what: str, *, in_bundle: bool = False) -> None:
    """In a bundle the department was checked once for the whole 一件事 (bundles._bundle_intake_staff)."""
    if (
        case.channel == Channel.AGENT
        and has_role(by, Role.AGENT)
        and case.received_by_id == getattr(by, "pk", None)
    ):
        raise PermissionDenied(f"{what}由窗口工作人员作出，代办员不能作出受理决定")
    if in_bundle:
        require_role(by, Role.WINDOW_CLERK, Role.APPROVER, message=f"{what}需要窗口工作人员或审批人员角色")
    else:
        require_intake_role(by, case.department_id, what=what)


def _bundle_level(case: Case, in_bundle: bool, what: str) -> None:
    """一件事: one intake decision for the whole bundle, never one member on its own."""
    if case.group_id is not None and case.accepted_at is None and not in_bundle:
        raise OutOfProcedure(
            f"本件属于一件事联办，{what}须对整件事统一作出", case=case, action="bundle_member_intake"
        )


def _start_case_clocks(case: Case, at: datetime, start_day: Any) -> None:
    """Every path that starts a case's clocks comes here, so the case takes its own copy of its limits here too.
    The promised and the legal clock are inserted together."""
    limits = capture_limits(case)
    case.clock, case.legal_clock = clocks.start_clocks(
        [
            {
                "kind": ClockKind.CASE,
                "amount": limits.promised,
                "unit": limits.promised_unit,
                "at": at,
                "start_day": start_day,
                "label": "承诺办结时限",
                "owner": case_clock_owner(case, "承诺办结时限"),
                **warn_kwargs(case.item_id, ""),
            },
            {
                "kind": ClockKind.LEGAL,
                "amount": limits.legal,
                "unit": limits.legal_unit,
                "at": at,
                "start_day": start_day,
                "label": "法定办结时限",
                "owner": case_clock_owner(case, "法定办结时限"),
            },
        ]
    )


def _limit_rows(case: Case) -> list[list[str]]:
    """The acceptance notice's limit rows: the promised limit that actually applies (shortened under the green
    channel, with the item's own limit beside it) and the legal one."""
    limits = own_limits(case)
    promised = limit_text(limits.promised, limits.promised_unit)
    if limits.green_channel_shortened:
        promised += f"（绿色通道，事项承诺时限{limit_text(limits.catalog_promised, limits.promised_unit)}）"
    return [["承诺时限", promised], ["法定时限", limit_text(limits.legal, limits.legal_unit)]]


_ACCEPTED_FIELDS = (
    "status",
    "intake_outcome",
    "accepted_at",
    "accepted_day",
    "complete_at",
    "clock",
    "legal_clock",
)


@guarded("accept")
def accept_case(case: Case, *, by: User | None, deemed: bool = False, in_bundle: bool = False) -> Case:
    """Accept (art. 32(5)); with `deemed`, the automatic acceptance of an application left unanswered for 5 working
    days, effective from the day the complete materials were received. `in_bundle`: called by
    bundles.accept_bundle, which issues the bundle's one acceptance notice instead of one per member."""
    at = now()
    # The materials still missing are read with the lock (a round trip less), as they were when the statement
    # began; a case found short is read again alone, in case materials were handed in while it waited.
    missing = _lock(case, also=("intake_clock",), reading=(_MISSING_MATERIALS_OF_CASE, (case.pk, case.pk)))
    if case.status != CaseStatus.SUBMITTED:
        raise OutOfProcedure(
            f"办件当前状态为“{case.get_status_display()}”，不能受理", case=case, action="accept"
        )
    _bundle_level(case, in_bundle, "受理")
    if not deemed:
        _intake_staff(case, by, "受理", in_bundle=in_bundle)
        if missing:  # as the lock's statement found them: read again alone, materials may have come meanwhile
            missing = missing_materials(case)
        if missing:
            names = "、".join(m.name for m in missing)
            raise ValidationError({"materials": f"材料不齐全（缺少：{names}），应一次性告知补正，不能受理"})
    received = case.complete_at or case.received_at
    start_day = calendar.local_date(received) if deemed else calendar.local_date(at)
    case.status = CaseStatus.IN_PROGRESS
    case.intake_outcome = IntakeOutcome.DEEMED if deemed else IntakeOutcome.ACCEPTED
    case.accepted_at = at
    case.accepted_day = start_day
    if case.complete_at is None:
        case.complete_at = case.received_at
    # Read with the case's lock, which every pause and resume of the intake clock takes too. Before the case
    # clocks' INSERT: both wait in the trailing writes (core.deferred), and an UPDATE queued after an INSERT into
    # the same table would have to send that INSERT ahead alone.
    if case.intake_clock is not None:
        clocks.stop_clock_read_under_lock(case.intake_clock, at=at)
    _start_case_clocks(case, at, start_day)
    # The columns acceptance sets, written with the action's trailing writes (save_fields), not a save() of all.
    save_fields(case, *_ACCEPTED_FIELDS, *CAPTURED_FIELDS)
    log(
        case,
        CaseEvent.DEEMED_ACCEPTED if deemed else CaseEvent.ACCEPTED,
        by=by,
        at=at,
        before={"status": CaseStatus.SUBMITTED},
        after={"status": case.status, "accepted_day": start_day.isoformat()},
    )
    if in_bundle:
        start_flow(case, by=by, at=at)
        return case
    assert case.clock is not None and case.clock.due_day is not None
    basis = (
        f"因本机关未在收到申请材料之日起五个工作日内告知补正，依照《中华人民共和国行政许可法》第三十二条，"
        f"自{fmt_day(start_day)}起视为受理。"
        if deemed
        else "经审查，申请材料齐全、符合法定形式，依照《中华人民共和国行政许可法》第三十二条，决定予以受理。"
    )
    issue(
        case,
        "acceptance",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）于{fmt_day(calendar.local_date(case.received_at))}提出的“{case.item.name}”申请，{basis}",
            f"本机关承诺于{fmt_day(case.clock.due_day)}前办结。可凭办件编号和查询码查询办理进度。",
        ],
        rows=[
            ["办件编号", case.number],
            ["查询码", case.check_code],
            *_limit_rows(case),
        ],
    )
    tell_applicant(
        case,
        "申请已受理",
        f"“{case.item.name}”已受理，承诺{fmt_day(case.clock.due_day)}前办结。",
        at=at,
        kind="accepted",
    )
    start_flow(case, by=by, at=at)
    return case


@guarded("correction")
def request_correction(
    case: Case, *, by: User, missing: Sequence[dict[str, Any]], note: str = "", in_bundle: bool = False
) -> CorrectionNotice:
    """一次性告知 (art. 32(4)): ONE notice listing everything to supplement; a second one is refused."""
    at = now()
    _lock(case)
    if CorrectionNotice.objects.filter(case=case).exists():
        raise OutOfProcedure(
            "本申请已出具过一次性补正告知，依法不得再次要求补正", case=case, action="correction"
        )
    if case.status not in (CaseStatus.SUBMITTED, CaseStatus.IN_PROGRESS):
        raise OutOfProcedure(
            f"办件当前状态为“{case.get_status_display()}”，不能要求补正", case=case, action="correction"
        )
    if case.status == CaseStatus.SUBMITTED:
        _bundle_level(case, in_bundle, "补正告知")
        _intake_staff(case, by, "补正告知", in_bundle=in_bundle)
    else:
        require_staff(by, Role.APPROVER, case.department_id, "补正告知")
    materials = {m.pk: m for m in kept.materials(case.item)}
    items: list[dict[str, Any]] = []
    for entry in missing:
        material_id = entry.get("material")
        if material_id is not None and material_id not in materials:
            raise ValidationError({"missing": f"材料编号 {material_id} 不属于该事项"})
        name = materials[material_id].name if material_id is not None else str(entry.get("name", "")).strip()
        if not name:
            raise ValidationError({"missing": "请写明需补正的材料名称"})
        items.append({"material": material_id, "name": name, "reason": str(entry.get("reason", "")).strip()})
    if not items:
        raise ValidationError({"missing": "一次性告知须列明全部需补正的材料"})
    notice = CorrectionNotice.objects.create(
        case=case, items=items, note=note, issued_at=at, issued_by=by if getattr(by, "pk", None) else None
    )
    before = case.status
    if case.status == CaseStatus.SUBMITTED:
        case.intake_outcome = IntakeOutcome.CORRECTION
        if case.intake_clock:
            clocks.pause_clock(case.intake_clock, at=at)
    else:
        pause_case_clocks(case, at=at)
    case.status = CaseStatus.CORRECTION
    case.save(update_fields=["status", "intake_outcome"])
    log(
        case,
        CaseEvent.CORRECTION_REQUESTED,
        by=by,
        at=at,
        before={"status": before},
        after={"status": case.status, "items": items},
        opinion=note,
    )
    if in_bundle:  # the bundle's one notice lists every member's items (bundles.request_bundle_correction)
        return notice
    lines = [
        f"{i}. {it['name']}" + (f"（{it['reason']}）" if it["reason"] else "")
        for i, it in enumerate(items, 1)
    ]
    issue(
        case,
        "correction",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）提出的“{case.item.name}”申请，申请材料不齐全或者不符合法定形式。依照《中华人民共和国行政许可法》"
            "第三十二条，现一次性告知需要补正的全部内容如下：",
            *lines,
            "请补齐上述材料后提交。补正期间不计入办理时限。" + (f"说明：{note}" if note else ""),
        ],
        rows=[["办件编号", case.number]],
    )
    tell_applicant(
        case, "请补正材料", "需补正：" + "；".join(it["name"] for it in items), at=at, kind="correction"
    )
    return notice


@guarded("submit_correction")
def submit_correction(case: Case, *, by: User, uploads: Sequence[Upload], in_bundle: bool = False) -> Case:
    """The applicant (or a clerk for them) hands in the listed materials; once complete, the clock runs again.
    At intake a 一件事 member's correction is one act for the whole bundle (bundles.submit_bundle_correction), never
    a member's alone, so the bundle's intake resumes together; a member's own correction during processing (asked
    by its approver after acceptance) is answered here, case by case."""
    at = now()
    _lock(case)
    if case.status != CaseStatus.CORRECTION:
        raise OutOfProcedure("办件不在待补正状态", case=case, action="submit_correction")
    if case.group_id is not None and case.accepted_at is None and not in_bundle:
        raise OutOfProcedure(
            "本件属于一件事联办，补正材料须通过一件事统一提交补正，不能单独为其中一件提交",
            case=case,
            action="bundle_member_correction",
        )
    if not uploads:
        raise ValidationError({"materials": "请上传需补正的材料"})
    is_owner = case.applicant.user_id is not None and case.applicant.user_id == getattr(by, "pk", None)
    if not is_owner:
        require_role(
            by, Role.WINDOW_CLERK, Role.AGENT, message="只有申请人本人或窗口、代办人员可以提交补正材料"
        )
    # A file for none of the item's materials answers the notice's own entries (申请表申请人签字页…): it is named
    # after them, not after the file.
    listed_items = case.correction.items if case.correction is not None else []
    extra_names = "、".join(
        it["name"] for it in listed_items if it.get("material") is None and it.get("name")
    )
    if extra_names:
        uploads = [
            u if u.material_id is not None or u.label else dataclasses.replace(u, label=extra_names)
            for u in uploads
        ]
    _store(case, uploads, by=by, at=at, for_correction=True)
    notice = case.correction
    listed = {it["material"] for it in notice.items if it["material"] is not None}
    have = set(case.materials.filter(for_correction=True).values_list("material_id", flat=True))
    free_text = [it for it in notice.items if it["material"] is None]
    extra_files = case.materials.filter(for_correction=True, material=None).count()
    still = [it["name"] for it in notice.items if it["material"] is not None and it["material"] not in have]
    if free_text and extra_files == 0:
        still += [it["name"] for it in free_text]
    log(
        case,
        CaseEvent.CORRECTION_SUBMITTED,
        by=by,
        at=at,
        after={"files": len(uploads), "still_missing": still},
    )
    if still:
        return case
    notice.resolved_at = at
    notice.save(update_fields=["resolved_at"])
    case.complete_at = at
    if case.accepted_at is None:
        case.status = CaseStatus.SUBMITTED
        if case.intake_clock:
            clocks.resume_clock(case.intake_clock, at=at)
    else:
        case.status = CaseStatus.IN_PROGRESS
        resume_case_clocks(case, at=at)
    case.save(update_fields=["status", "complete_at"])
    log(
        case,
        CaseEvent.CORRECTION_COMPLETE,
        by=by,
        at=at,
        before={"status": CaseStatus.CORRECTION},
        after={"status": case.status},
    )
    del listed
    return case


@guarded("refuse_application")
def refuse_application(
    case: Case, *, by: User, reasons: str, remedies: str = "", in_bundle: bool = False
) -> Case:
    """不予受理 (art. 32(2), art. 38): written reasons and the right to reconsideration or litigation."""
    at = now()
    _lock(case)
    if case.status not in (CaseStatus.SUBMITTED, CaseStatus.CORRECTION):
        raise OutOfProcedure(
            f"办件当前状态为“{case.get_status_display()}”，不能作出不予受理决定",
            case=case,
            action="refuse_application",
        )
    _bundle_level(case, in_bundle, "不予受理")
    _intake_staff(case, by, "不予受理", in_bundle=in_bundle)
    if not reasons.strip():
        raise ValidationError({"reasons": "不予受理必须说明理由"})
    remedies = remedies.strip() or DEFAULT_REMEDIES
    before = case.status
    case.status = CaseStatus.NOT_ACCEPTED
    case.intake_outcome = IntakeOutcome.REFUSED
    case.intake_reason = reasons.strip()
    case.closed_at = at
    case.save(update_fields=["status", "intake_outcome", "intake_reason", "closed_at"])
    if case.intake_clock:
        clocks.stop_clock(case.intake_clock, at=at)
    log(
        case,
        CaseEvent.REFUSED_INTAKE,
        by=by,
        at=at,
        before={"status": before},
        after={"status": case.status},
        opinion=reasons,
    )
    if in_bundle:
        return case
    issue(
        case,
        "refusal",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）提出的“{case.item.name}”申请，经审查，决定不予受理。理由如下：",
            reasons.strip(),
        ],
        rows=[["办件编号", case.number]],
        remedies=remedies,
    )
    tell_applicant(
        case, "申请不予受理", f"“{case.item.name}”不予受理：{reasons.strip()}", at=at, kind="refused"
    )
    return case


@guarded("redirect")
def redirect_application(
    case: Case, *, by: User, agency: str, reason: str = "", in_bundle: bool = False
) -> Case:
    """Not within this agency's powers (art. 32(2)): refuse at once and name the agency to apply to."""
    at = now()
    _lock(case)
    if case.status != CaseStatus.SUBMITTED:
        raise OutOfProcedure(
            f"办件当前状态为“{case.get_status_display()}”，不能告知向其他机关申请",
            case=case,
            action="redirect",
        )
    _bundle_level(case, in_bundle, "告知向其他机关申请")
    _intake_staff(case, by, "告知", in_bundle=in_bundle)
    if not agency.strip():
        raise ValidationError({"agency": "请写明有权受理的行政机关"})
    case.status = CaseStatus.REDIRECTED
    case.intake_outcome = IntakeOutcome.NOT_OUR_AGENCY
    case.redirect_agency = agency.strip()
    case.intake_reason = reason.strip()
    case.closed_at = at
    case.save(update_fields=["status", "intake_outcome", "redirect_agency", "intake_reason", "closed_at"])
    if case.intake_clock:
        clocks.stop_clock(case.intake_clock, at=at)
    log(case, CaseEvent.REDIRECTED, by=by, at=at, after={"agency": case.redirect_agency}, opinion=reason)
    issue(
        case,
        "redirect",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）提出的“{case.item.name}”申请，依法不属于本机关职权范围，本机关不予受理。",
            f"请向{case.redirect_agency}提出申请。" + (f"（{reason.strip()}）" if reason.strip() else ""),
        ],
        rows=[["办件编号", case.number]],
    )
    tell_applicant(
        case,
        "请向有权机关申请",
        f"请向{case.redirect_agency}申请“{case.item.name}”。",
        at=at,
        kind="redirected",
    )
    return case


__all__ = [
    "ApplicantData",
    "accept_case",
    "acting_role",
    "missing_materials",
    "redirect_application",
    "refuse_application",
    "request_correction",
    "submit_application",
    "submit_correction",
]
