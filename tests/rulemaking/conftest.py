"""A small county for the registry: two departments, the legal office, a leader, the heads of the two departments
and an approver (who may do nothing here). Built by hand; no catalog, no demo seed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
import time_machine

from govhall.core.tz import SHANGHAI
from govhall.org.actions import create_staff
from govhall.org.models import Department
from govhall.rulemaking import actions
from govhall.rulemaking.models import MajorDecision, NormativeDocument
from tests.conftest_data import make_uscc


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@dataclass
class County:
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.users[key]


def build_county() -> County:
    c = County()
    c.departments["scjg"] = Department.objects.create(
        name="县市场监督管理局", short_name="市场监管局", uscc=make_uscc(1), group="economic"
    )
    c.departments["zjj"] = Department.objects.create(
        name="县住房和城乡建设局", short_name="住建局", uscc=make_uscc(2), group="economic"
    )
    c.departments["sfj"] = Department.objects.create(
        name="县司法局", short_name="司法局", uscc=make_uscc(3), group="enforcement"
    )
    d = c.departments
    for username, name, roles, depts in (
        ("legal", "冯法制", ("legal_officer",), [d["sfj"]]),
        ("leader", "蒋县长", ("leader",), []),
        ("head", "梁局长", ("department_head",), [d["scjg"]]),
        ("zj_head", "孙局长", ("department_head",), [d["zjj"]]),
        ("clerk", "黄审批", ("approver",), [d["scjg"]]),
    ):
        c.users[username] = create_staff(username, name, f"R{len(c.users) + 1:03d}", roles, depts).user
    return c


@pytest.fixture
def county(db: Any) -> County:
    return build_county()


@pytest.fixture
def at() -> Any:
    """Travel to a Shanghai wall-clock instant: `with at(2026, 3, 2, 9): ...`."""

    def _at(*args: int) -> Any:
        return time_machine.travel(local(*args), tick=False)

    return _at


def discussed(
    c: County, *, title: str = "县农贸市场管理办法", start: date = date(2026, 3, 2)
) -> NormativeDocument:
    """A document drafted on `start` (a Monday), commented for 7 working days without opinions, reviewed and
    approved at a meeting: ready to publish. Instants are passed explicitly."""
    y, m, day = start.year, start.month, start.day
    doc = actions.draft_document(
        by=c["head"],
        organ=c.departments["scjg"],
        title=title,
        summary="规范农贸市场经营秩序",
        at=local(y, m, day, 9),
    )
    doc = actions.open_comment(doc, by=c["head"], at=local(y, m, day, 10))
    assert doc.comment_clock is not None
    closes = doc.comment_clock.due_at
    doc = actions.submit_for_review(doc, by=c["head"], at=closes)
    doc = actions.review_legality(
        doc, by=c["legal"], conclusion="lawful", opinion="经审核，合法。", at=closes
    )
    return actions.record_discussion(
        doc,
        by=c["leader"],
        meeting="县政府第12次常务会议",
        held_on=closes.astimezone(SHANGHAI).date(),
        approved=True,
        at=closes,
    )


def decision_through(c: County, upto: str, *, at: datetime | None = None) -> MajorDecision:
    """A major decision started 2026-03-02 with every step up to and including `upto` done."""
    from govhall.rulemaking.choices import DECISION_STEPS

    decision = actions.start_decision(
        by=c["leader"], organ=c.departments["zjj"], title="老旧小区改造三年行动", at=local(2026, 3, 2, 9)
    )
    decision = actions.open_participation(decision, by=c["legal"], at=local(2026, 3, 2, 10))
    when = at or local(2026, 4, 2, 9)
    for step in DECISION_STEPS:
        by = c["legal"] if step == "legality" else c["leader"]
        actions.record_step(decision, by=by, step=step, summary=f"{step} 情况", at=when)
        if step == upto:
            break
    decision.refresh_from_db()
    return decision
