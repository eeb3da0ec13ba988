"""A case's audit entries as timeline rows: the one place that reads the chain for display.

`staff_timeline` (the workbench case page) shows every entry with the staff label, the actor's name and role, a
detail and the opinion. `public_timeline` (the applicant's pages, the public progress query, the API) shows only the
events that have a public label, staff by role and never by name, and no opinion of staff: the one exception is the
reason of an extension, which 《行政许可法》第四十二条 requires the applicant be told."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from govhall.ledger.actions import entries_for
from govhall.ledger.models import LedgerEntry
from govhall.org.choices import Role
from govhall.workflow import engine as wf
from govhall.workflow.schema import ProcessSpec

from .choices import Decision, PauseKind
from .events import TASK_EVENTS, CaseEvent
from .models import Case, Task

# Staff appear to the public by role only.
PUBLIC_ROLE_NAMES: dict[str, str] = {
    Role.WINDOW_CLERK: "窗口工作人员",
    Role.AGENT: "村级代办员",
    Role.APPROVER: "审批人员",
    Role.DEPARTMENT_HEAD: "部门负责人",
    "system": "系统",
}
JOIN_VERDICTS = {"passed": "通过", "failed": "未通过"}


@dataclass(frozen=True)
class StaffRow:
    at: datetime
    code: str  # as stored: an entry written by a newer version may carry a code this one does not know
    event: CaseEvent | None
    label: str
    color: str
    actor: str
    role: str
    detail: str
    opinion: str


@dataclass(frozen=True)
class PublicRow:
    at: datetime
    event: CaseEvent
    title: str
    detail: str
    actor: str
    text: str  # the same event as one sentence (the API's `event`)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def step_names(case: Case) -> dict[int, str]:
    return dict(Task.objects.filter(case=case).values_list("pk", "step_name"))


def _step_of(entry: LedgerEntry, steps: Mapping[int, str]) -> str:
    task_pk = _dict(entry.after).get("task") or _dict(entry.before).get("task")
    return steps.get(task_pk, "") if isinstance(task_pk, int) else ""


def _decision(after: dict[str, Any]) -> str:
    decision = after.get("decision")
    return str(Decision(decision).label) if decision in Decision.values else ""


def _pause_kind(after: dict[str, Any]) -> str:
    kind = after.get("kind")
    return str(PauseKind(kind).label) if kind in PauseKind.values else ""


# -- staff ------------------------------------------------------------------------------------------------------


def _staff_detail(event: CaseEvent | None, entry: LedgerEntry, step: str, spec: ProcessSpec | None) -> str:
    after = _dict(entry.after)
    parts = [step]
    if event == CaseEvent.TASK_RETURN and after.get("return_to"):
        target = str(after["return_to"])
        name = spec.step(target).name if spec is not None and spec.has_step(target) else ""
        parts.append(f"退回至“{name}”" if name else f"退回至 {target}")
    elif event == CaseEvent.DECIDED:
        parts.append(_decision(after))
    elif event == CaseEvent.CORRECTION_REQUESTED and after.get("items"):
        parts.append("需补正：" + "、".join(str(i.get("name", "")) for i in after["items"]))
    elif event == CaseEvent.CORRECTION_SUBMITTED and after.get("still_missing"):
        parts.append("仍缺：" + "、".join(map(str, after["still_missing"])))
    elif event == CaseEvent.SPECIAL_PROCEDURE_STARTED and _pause_kind(after):
        parts.append(f"{_pause_kind(after)}，预计 {after.get('expected_days')} 个工作日")
    elif event == CaseEvent.EXTENDED and after.get("amount"):
        parts.append(f"延长 {after['amount']} 个工作日")
    elif event == CaseEvent.DELIVERED and after.get("method"):
        parts.append(str(after["method"]))
    elif event == CaseEvent.REDIRECTED and after.get("agency"):
        parts.append(f"有权机关：{after['agency']}")
    elif event == CaseEvent.JOINT_REVIEW_JOINED:
        verdict = JOIN_VERDICTS.get(str(after.get("verdict")), "")
        parts.append(f"同意 {after.get('approvals', 0)}/{after.get('total', 0)}，{verdict}")
        if after.get("refused_by"):
            parts.append("不同意：" + "、".join(map(str, after["refused_by"])))
    elif event == CaseEvent.COORDINATION_STARTED and after.get("departments"):
        parts.append("重新提出意见：" + "、".join(map(str, after["departments"])))
    elif event == CaseEvent.OUT_OF_PROCEDURE and after.get("action"):
        parts.append(f"尝试：{after['action']}")
    return "；".join(p for p in parts if p)


def staff_timeline(
    case: Case, *, steps: Mapping[int, str] | None = None, spec: ProcessSpec | None = None
) -> list[StaffRow]:
    """Every entry of the case, for staff. Pass the case's step names and process spec when already loaded."""
    steps = step_names(case) if steps is None else steps
    entries = list(entries_for(case.number))
    if spec is None and any(e.action == CaseEvent.TASK_RETURN for e in entries):
        spec = wf.spec_of(case.process)  # only returns name a step outside the entry itself
    rows = []
    for entry in entries:
        event = CaseEvent.parse(entry.action)
        rows.append(
            StaffRow(
                at=entry.at,
                code=entry.action,
                event=event,
                label=str(event.label) if event is not None else entry.action,
                color=event.color if event is not None else "gray",
                actor=entry.actor_name or ("系统" if entry.actor_role == "system" else ""),
                role=entry.actor_role,
                detail=_staff_detail(event, entry, _step_of(entry, steps), spec),
                opinion=entry.opinion,
            )
        )
    return rows


# -- public -----------------------------------------------------------------------------------------------------


def _public_detail(event: CaseEvent, entry: LedgerEntry) -> str:
    after = _dict(entry.after)
    if event == CaseEvent.DECIDED:
        return _decision(after)
    if event == CaseEvent.SPECIAL_PROCEDURE_STARTED:
        kind, days = _pause_kind(after), after.get("expected_days")
        return f"{kind}，预计 {days} 个工作日" if kind and days else kind
    if event == CaseEvent.EXTENDED:
        # 《行政许可法》第四十二条: the applicant is told why the limit was extended.
        return f"延长 {after['amount']} 个工作日；理由：{entry.opinion}" if after.get("amount") else ""
    if event == CaseEvent.REDIRECTED:
        return f"请向{after['agency']}申请" if after.get("agency") else ""
    if event == CaseEvent.DELIVERED:
        return str(after.get("method") or "")
    if event == CaseEvent.CORRECTION_SUBMITTED and after.get("still_missing"):
        return "仍需补正：" + "、".join(str(n) for n in after["still_missing"])
    return ""


def _public_text(event: CaseEvent, entry: LedgerEntry, step: str) -> str:
    text = event.progress_text or ""
    after = _dict(entry.after)
    if step:
        return f"“{step}”{text}"
    if event == CaseEvent.DECIDED and _decision(after):
        return f"{text}：{_decision(after)}"
    if event == CaseEvent.SPECIAL_PROCEDURE_STARTED and _pause_kind(after):
        return f"启动{_pause_kind(after)}程序（所需时间不计入办理时限）"
    if event == CaseEvent.EXTENDED and after.get("amount"):
        return f"{text} {after['amount']} 个工作日"
    return text


def _public_actor(case: Case, event: CaseEvent, entry: LedgerEntry) -> str:
    if entry.actor_id is not None and entry.actor_id == case.applicant.user_id:
        return "申请人"
    fallback = "申请人" if event == CaseEvent.SUBMITTED else "工作人员"
    return PUBLIC_ROLE_NAMES.get(entry.actor_role, fallback)


def public_timeline(case: Case, *, steps: Mapping[int, str] | None = None) -> list[PublicRow]:
    """The entries an applicant and the public may see: public labels, actors by role, no opinions of staff."""
    steps = step_names(case) if steps is None else steps
    rows = []
    for entry in entries_for(case.number):
        event = CaseEvent.parse(entry.action)
        title = event.public_label if event is not None else None
        if event is None or title is None:
            continue  # claims, refused attempts and codes this version does not know stay internal
        step = _step_of(entry, steps) if event in TASK_EVENTS.values() else ""
        rows.append(
            PublicRow(
                at=entry.at,
                event=event,
                title=f"{step}：{title}" if step else title,
                detail=_public_detail(event, entry),
                actor=_public_actor(case, event, entry),
                text=_public_text(event, entry, step),
            )
        )
    return rows
