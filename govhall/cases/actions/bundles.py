"""一件事 (bundles): one form, one intake decision, one acceptance notice, member cases handled in parallel by their
departments, one delivery.

Each member item keeps its own case (its department, process, clocks and decision); the bundle-level actions call
the members' own intake actions with `in_bundle=True`, so every member goes through exactly the acceptance path a
single application does, and then write the one notice and the one message the applicant gets for the bundle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.calendars import engine as calendar
from govhall.catalog.choices import ItemStatus
from govhall.catalog.models import Bundle
from govhall.clocks import actions as clocks
from govhall.clocks.choices import ClockState
from govhall.core.clock import now
from govhall.documents import actions as documents
from govhall.documents.models import Document
from govhall.notifications.actions import notify
from govhall.org.access import require_intake_role

from ..bundles import BundleMaterial, bundle_items, bundle_materials, lead_member, material_key, members
from ..choices import CaseStatus
from ..events import CaseEvent
from ..models import Applicant, Case, CaseGroup, CorrectionNotice
from ..uploads import Upload
from ._common import DEFAULT_REMEDIES, OutOfProcedure, fmt_day, guarded, log, new_check_code, next_case_number
from .intake import (
    ApplicantData,
    _applicant,
    _check_channel,
    _new_case,
    _store,
    accept_case,
    given_details,
    missing_materials,
    refuse_application,
    request_correction,
    submit_correction,
)
from .processing import deliver_result

INTAKE_OPEN = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION)


def group_number(at: datetime) -> str:
    """L + the case-number scheme (YYYYMMDD + the day's 6-digit sequence, shared with cases: never the same digits)."""
    return "L" + next_case_number(calendar.local_date(at))


def _by(user: User | None) -> User | None:
    return user if getattr(user, "pk", None) else None


def _tell(group: CaseGroup, title: str, body: str, *, at: datetime, kind: str) -> None:
    notify(
        title=title,
        body=body,
        user=group.applicant.user,
        phone=group.applicant_phone,
        name=group.applicant_name,
        kind=kind,
        case_number=group.number,
        link=f"/my/bundles/{group.number}/",
        at=at,
    )


def _issue(
    group: CaseGroup,
    kind: str,
    *,
    by: User | None,
    at: datetime,
    paragraphs: list[str],
    rows: list[list[str]],
    remedies: str = "",
) -> Document:
    """The bundle's one notice, numbered under the bundle number and sealed by the lead department (牵头部门)."""
    content: dict[str, Any] = {
        "recipient": group.applicant_name,
        "paragraphs": paragraphs,
        "rows": rows,
        "date": calendar.local_date(at).isoformat(),
    }
    if remedies:
        content["remedies"] = remedies
    return documents.issue_document(
        kind=kind,
        department=group.bundle.lead_department,
        case_number=group.number,
        recipient=group.applicant_name,
        content=content,
        by=_by(by),
        at=at,
    )


def _lock_group(group: CaseGroup) -> CaseGroup:
    return (
        CaseGroup.objects.select_for_update(of=("self",))
        .select_related("bundle__lead_department", "applicant")
        .get(pk=group.pk)
    )


def _fan_out(
    bundle: Bundle, combined: Sequence[BundleMaterial], uploads: Sequence[Upload], lead_item_id: int
) -> dict[int, list[Upload]]:
    """Item id → its uploads: a file for a shared material goes to every member item that needs it; a file for
    no particular material goes to the lead item."""
    by_material = {m.pk: entry for entry in combined for m in entry.materials}
    out: dict[int, list[Upload]] = {}
    for upload in uploads:
        if upload.material_id is None:
            out.setdefault(lead_item_id, []).append(upload)
            continue
        entry = by_material.get(upload.material_id)
        if entry is None:
            raise ValidationError({"materials": f"材料编号 {upload.material_id} 不属于“{bundle.name}”"})
        for material in entry.materials:
            out.setdefault(material.item_id, []).append(
                Upload(filename=upload.filename, content=upload.content, material_id=material.pk)
            )
    return out


@guarded("submit_bundle")
def submit_bundle(
    *,
    bundle: Bundle,
    applicant: ApplicantData | Applicant,
    channel: str,
    by: User,
    form_data: dict[str, Any] | None = None,
    uploads: Sequence[Upload] | Mapping[int, Sequence[Upload]] = (),
) -> CaseGroup:
    """一件事: one form and one set of files create one linked case per member item (收件; the intake decision is
    `accept_bundle`, `request_bundle_correction` or `refuse_bundle`). `uploads` name any member item's material;
    older callers may pass them per item id."""
    at = now()
    items = bundle_items(bundle)
    if bundle.status != ItemStatus.PUBLISHED or not items:
        raise ValidationError({"bundle": f"“{bundle.name}”未发布或已暂停办理"})
    owner: User | None = None
    for item in items:
        owner = _check_channel(item, channel, by)
    person = _applicant(applicant, owner)
    if owner is not None and person.user_id != owner.pk:
        raise PermissionDenied("网上申请只能以本账号的申请人身份提交")
    files = (
        [u for batch in uploads.values() for u in batch] if isinstance(uploads, Mapping) else list(uploads)
    )
    lead = next((i for i in items if i.department_id == bundle.lead_department_id), items[0])
    per_item = _fan_out(bundle, bundle_materials(bundle, items), files, lead.pk)
    details = given_details(person)
    group = CaseGroup.objects.create(
        number=group_number(at),
        check_code=new_check_code(),
        bundle=bundle,
        applicant=person,
        **details,
        created_at=at,
    )
    for item in items:
        case = _new_case(
            item=item,
            applicant=person,
            details=details,
            channel=channel,
            form_data=form_data or {},
            by=by,
            at=at,
            group=group,
        )
        _store(case, per_item.get(item.pk, ()), by=by, at=at)
        log(
            case,
            CaseEvent.SUBMITTED,
            by=by,
            at=at,
            after={"item": item.impl_code, "channel": channel, "group": group.number},
        )
    _tell(
        group,
        "申请已收到",
        f"您申请的“{bundle.name}”（{len(items)}个事项）已收到，联办编号 {group.number}，查询码 {group.check_code}。",
        at=at,
        kind="submitted",
    )
    return group


def _bundle_intake_staff(group: CaseGroup, by: User | None, what: str) -> None:
    """一件事 is taken at one window (一窗受理): its intake decisions belong to the lead department or a
    comprehensive window acting for it, checked once here; each member then checks only the role."""
    require_intake_role(by, group.bundle.lead_department_id, what=what)


def _intake_members(group: CaseGroup, cases: Sequence[Case], action: str) -> list[Case]:
    open_ = [c for c in cases if c.status in INTAKE_OPEN]
    if not open_:
        raise OutOfProcedure("该一件事已作出受理决定", case=cases[0], action=action)
    return open_


@guarded("accept_bundle")
def accept_bundle(group: CaseGroup, *, by: User | None, deemed: bool = False) -> CaseGroup:
    """One acceptance (《行政许可法》第三十二条) for the whole bundle: every member is accepted through its own
    acceptance path and starts its own flow in its department (parallel handling); the applicant gets ONE
    acceptance notice listing each member's number and promised date."""
    at = now()
    group = _lock_group(group)
    cases = members(group)
    pending = _intake_members(group, cases, "accept_bundle")
    if not deemed:
        _bundle_intake_staff(group, by, "受理")
    waiting = [c for c in pending if c.status == CaseStatus.CORRECTION]
    if waiting:
        names = "、".join(c.item.name for c in waiting)
        raise OutOfProcedure(
            f"“{names}”的补正材料尚未补齐，不能受理", case=waiting[0], action="accept_bundle"
        )
    if not deemed:
        missing = [f"{c.item.name}：{m.name}" for c in pending for m in missing_materials(c)]
        if missing:
            raise ValidationError(
                {"materials": f"材料不齐全（缺少：{'；'.join(missing)}），应一次性告知补正，不能受理"}
            )
    for case in pending:
        accept_case(case, by=by, deemed=deemed, in_bundle=True)
    rows = [["联办编号", group.number], ["查询码", group.check_code]]
    dues = []
    for case in pending:
        case.refresh_from_db(fields=["clock"])
        due = case.clock.due_day if case.clock is not None else None
        if due is not None:
            dues.append(due)
        rows.append(
            [
                case.item.name,
                f"{case.number}，{case.department.name}" + (f"，{fmt_day(due)}前办结" if due else ""),
            ]
        )
    received = fmt_day(calendar.local_date(group.created_at))
    basis = (
        "因本机关未在收到申请材料之日起五个工作日内告知补正，依照《中华人民共和国行政许可法》第三十二条，视为受理。"
        if deemed
        else "经审查，申请材料齐全、符合法定形式，依照《中华人民共和国行政许可法》第三十二条，决定予以受理。"
    )
    last = max(dues) if dues else None
    _issue(
        group,
        "acceptance",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）于{received}提出的“{group.bundle.name}”申请（共{len(pending)}个事项），{basis}",
            "各事项由有关部门并联办理，全部办结后一次送达办理结果"
            + (f"，承诺于{fmt_day(last)}前全部办结" if last else "")
            + "。可凭联办编号和查询码查询办理进度。",
        ],
        rows=rows,
    )
    _tell(
        group,
        "申请已受理",
        f"“{group.bundle.name}”已受理，各事项并联办理"
        + (f"，承诺{fmt_day(last)}前全部办结。" if last else "。"),
        at=at,
        kind="accepted",
    )
    return group


@guarded("bundle_correction")
def request_bundle_correction(
    group: CaseGroup, *, by: User, missing: Sequence[dict[str, Any]], note: str = ""
) -> list[CorrectionNotice]:
    """一次性告知 for the bundle: ONE notice listing everything missing across its items. A shared material is
    asked for once and recorded on every member that needs it; a free-text item goes to the lead member. Members
    with nothing to supplement wait with their intake clock stopped, like the others (时间不计入)."""
    at = now()
    group = _lock_group(group)
    cases = members(group)
    pending = _intake_members(group, cases, "bundle_correction")
    _bundle_intake_staff(group, by, "补正告知")
    if CorrectionNotice.objects.filter(case__group=group).exists():
        raise OutOfProcedure(
            "本一件事已出具过一次性补正告知，依法不得再次要求补正",
            case=pending[0],
            action="bundle_correction",
        )
    combined = bundle_materials(group.bundle, [c.item for c in cases])
    by_material = {m.pk: entry for entry in combined for m in entry.materials}
    lead = lead_member(group, pending)
    per_case: dict[int, list[dict[str, Any]]] = {}
    listed: list[str] = []
    for entry in missing:
        material_id = entry.get("material")
        reason = str(entry.get("reason", "")).strip()
        if material_id is None:
            name = str(entry.get("name", "")).strip()
            if not name:
                raise ValidationError({"missing": "请写明需补正的材料名称"})
            per_case.setdefault(lead.pk, []).append({"material": None, "name": name, "reason": reason})
            listed.append(f"{name}" + (f"（{reason}）" if reason else ""))
            continue
        shared = by_material.get(material_id)
        if shared is None:
            raise ValidationError({"missing": f"材料编号 {material_id} 不属于“{group.bundle.name}”"})
        for material in shared.materials:
            case = next((c for c in pending if c.item_id == material.item_id), None)
            if case is not None:
                per_case.setdefault(case.pk, []).append(
                    {"material": material.pk, "name": "", "reason": reason}
                )
        listed.append(f"{shared.name}（{'、'.join(shared.items)}）" + (f"：{reason}" if reason else ""))
    if not per_case:
        raise ValidationError({"missing": "一次性告知须列明全部需补正的材料"})
    notices = []
    for case in pending:
        entries = per_case.get(case.pk)
        if entries:
            notices.append(request_correction(case, by=by, missing=entries, note=note, in_bundle=True))
        elif case.intake_clock is not None and case.status == CaseStatus.SUBMITTED:
            clocks.pause_clock(case.intake_clock, at=at)
    _issue(
        group,
        "correction",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）提出的“{group.bundle.name}”申请，申请材料不齐全或者不符合法定形式。依照《中华人民共和国行政许可法》"
            "第三十二条，现一次性告知需要补正的全部内容如下：",
            *[f"{n}. {text}" for n, text in enumerate(dict.fromkeys(listed), 1)],
            "请补齐上述材料后提交，同一份材料只需提交一次。补正期间不计入办理时限。"
            + (f"说明：{note}" if note else ""),
        ],
        rows=[["联办编号", group.number]],
    )
    _tell(group, "请补正材料", "需补正：" + "；".join(dict.fromkeys(listed)), at=at, kind="correction")
    return notices


@guarded("bundle_submit_correction")
def submit_bundle_correction(group: CaseGroup, *, by: User, uploads: Sequence[Upload]) -> CaseGroup:
    """The applicant (or a clerk) hands in what the bundle's notice listed, once per material; each file reaches
    every member that listed it. When nothing is missing any more, every member's intake clock runs again."""
    at = now()
    group = _lock_group(group)
    cases = members(group)
    waiting = [c for c in cases if c.status == CaseStatus.CORRECTION]
    if not waiting:
        raise OutOfProcedure("该一件事不在待补正状态", case=cases[0], action="bundle_submit_correction")
    if not uploads:
        raise ValidationError({"materials": "请上传需补正的材料"})
    combined = bundle_materials(group.bundle, [c.item for c in cases])
    keys = {m.pk: material_key(m.name) for entry in combined for m in entry.materials}
    lead = lead_member(group, waiting)
    handed = 0
    for case in waiting:
        listed = {keys.get(it["material"]): it["material"] for it in case.correction.items if it["material"]}
        mine = [
            Upload(filename=u.filename, content=u.content, material_id=listed[keys[u.material_id]])
            for u in uploads
            if u.material_id is not None and keys.get(u.material_id) in listed
        ]
        if case.pk == lead.pk:
            mine += [u for u in uploads if u.material_id is None]
        if mine:
            submit_correction(case, by=by, uploads=mine, in_bundle=True)
            handed += 1
    if not handed:
        raise ValidationError({"materials": "上传的材料不在补正告知所列范围内"})
    # One intake: the members' intake clocks run again only when the whole bundle is complete (a member whose own
    # items arrived first waits, paused, for its siblings, so it can never be deemed accepted alone).
    complete = not Case.objects.filter(group=group, status=CaseStatus.CORRECTION).exists()
    for case in members(group):
        clock = case.intake_clock
        if case.status != CaseStatus.SUBMITTED or clock is None:
            continue
        if complete and clock.state == ClockState.PAUSED:
            clocks.resume_clock(clock, at=at)
        elif not complete and clock.state == ClockState.RUNNING:
            clocks.pause_clock(clock, at=at)
    return group


@guarded("refuse_bundle")
def refuse_bundle(group: CaseGroup, *, by: User, reasons: str, remedies: str = "") -> CaseGroup:
    """不予受理 of the whole bundle (《行政许可法》第三十二条、第三十八条): reasons and remedies in ONE decision."""
    at = now()
    group = _lock_group(group)
    cases = members(group)
    pending = _intake_members(group, cases, "refuse_bundle")
    _bundle_intake_staff(group, by, "不予受理")
    if not reasons.strip():
        raise ValidationError({"reasons": "不予受理必须说明理由"})
    remedies = remedies.strip() or DEFAULT_REMEDIES
    for case in pending:
        refuse_application(case, by=by, reasons=reasons, remedies=remedies, in_bundle=True)
    _issue(
        group,
        "refusal",
        by=by,
        at=at,
        paragraphs=[
            f"你（单位）提出的“{group.bundle.name}”申请，经审查，决定不予受理。理由如下：",
            reasons.strip(),
        ],
        rows=[["联办编号", group.number], *[[c.item.name, c.number] for c in pending]],
        remedies=remedies,
    )
    _tell(group, "申请不予受理", f"“{group.bundle.name}”不予受理：{reasons.strip()}", at=at, kind="refused")
    return group


@guarded("deliver_bundle")
def deliver_bundle(group: CaseGroup, *, by: User, method: str = "窗口领取") -> CaseGroup:
    """One delivery (《行政许可法》第四十四条) of every member's result once the whole bundle is concluded."""
    at = now()
    group = _lock_group(group)
    cases = members(group)
    if group.delivered_at is not None:
        raise OutOfProcedure("该一件事的办理结果已送达", case=cases[0], action="deliver_bundle")
    if group.concluded_at is None:
        raise OutOfProcedure(
            "一件事尚有事项未办结，须全部办结后一次送达", case=cases[0], action="deliver_bundle"
        )
    decided = [c for c in cases if c.decided_at is not None and c.delivered_at is None]
    if not decided:
        raise OutOfProcedure("一件事没有待送达的办理结果", case=cases[0], action="deliver_bundle")
    for case in decided:
        deliver_result(case, by=by, method=method, in_bundle=True)
    group.delivered_at = at
    group.save(update_fields=["delivered_at"])
    _tell(
        group,
        "办理结果已送达",
        f"“{group.bundle.name}”的办理结果已一次送达（{method}）。",
        at=at,
        kind="delivered",
    )
    return group


__all__ = [
    "accept_bundle",
    "deliver_bundle",
    "group_number",
    "refuse_bundle",
    "request_bundle_correction",
    "submit_bundle",
    "submit_bundle_correction",
]
