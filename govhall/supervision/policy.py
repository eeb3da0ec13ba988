"""The escalation ladder (domain §8: "responses escalate (configurable)").

Defaults are the national practice; a deployment overrides any field with a dict in settings, e.g.

    GOVHALL_SUPERVISION = {"order_days": 2, "escalate_kinds": ["case", "step"]}

- `remind_on_yellow`: a yellow light sends a reminder to the clock owner's responsible person (a task's assignee, a
  complaint's handler; the owner department's head while nobody holds the clock).
- `escalate_kinds`: clock kinds whose red light escalates to a yellow card plus a supervision order (督办单) to the
  head(s) of the clock's owner department. The legal clock is shown beside the promised one, so by default only the
  promised one escalates; an overdue efficiency complaint or 12345 work order escalates like a case.
- `order_days`: the supervision order's own deadline, in working days.
- `red_card_on_order_overdue`: an order whose own deadline passes unanswered brings a red card, a rectification notice
  (整改通知) and an accountability record (责任追究) for a supervisor to decide.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings


@dataclass(frozen=True)
class EscalationPolicy:
    remind_on_yellow: bool = True
    escalate_kinds: tuple[str, ...] = ("intake", "case", "step", "delivery", "complaint", "hotline")
    order_days: int = 1
    red_card_on_order_overdue: bool = True
    rectification_text: str = "督办事项逾期未答复。请于收到本通知后立即整改，并将整改情况书面报告电子监察室。"


def escalation_policy() -> EscalationPolicy:
    overrides = dict(settings.GOVHALL_SUPERVISION or {})
    known = {f.name for f in fields(EscalationPolicy)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"GOVHALL_SUPERVISION: unknown keys {sorted(unknown)}")
    if "escalate_kinds" in overrides:
        overrides["escalate_kinds"] = tuple(overrides["escalate_kinds"])
    return EscalationPolicy(**overrides)
