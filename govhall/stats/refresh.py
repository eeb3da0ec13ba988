"""Fold the case audit chain into DailyFact, incrementally (refresh_facts) or from scratch (rebuild_facts).

The chain's seq is gap-free and entries become visible in seq order (the linker holds the chain head's lock until
its batch commits), so "everything after the cursor" is exactly what has not been counted yet. The entries the
actions wrote and the linker has not chained yet are linked first (govhall.ledger.actions.link), so a refresh counts
everything committed before it started."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F

from govhall.calendars import engine as calendar
from govhall.cases.choices import CaseStatus, Decision
from govhall.cases.events import CaseEvent
from govhall.cases.models import Case
from govhall.core.clock import now
from govhall.ledger.actions import link
from govhall.ledger.models import LedgerEntry
from govhall.org.models import StaffProfile

from .models import DailyFact, FactCursor

CURSOR_PK = 1
CONSUMED = (
    CaseEvent.ACCEPTED,
    CaseEvent.DEEMED_ACCEPTED,
    CaseEvent.DECIDED,
    CaseEvent.CONCLUDED_WITH_GROUP,
    CaseEvent.REFUSED_INTAKE,
    CaseEvent.REDIRECTED,
    CaseEvent.WITHDRAWN,
)
# (day, department_id, window_id, staff_id, item_id, site_level)
Key = tuple[date, int, int | None, int | None, int, str]
Deltas = dict[Key, Counter[str]]

_CASE_FIELDS = (
    "pk",
    "department_id",
    "window_id",
    "item_id",
    "item__handling_kind",
    "site__kind",
    "channel",
    "accepted_at",
    "accepted_day",
    "decided_at",
    "clock__late",
    "clock__due_day",
)


def _conclusion(case: dict[str, Any], counts: Counter[str]) -> None:
    counts["concluded"] += 1
    late = case["clock__late"]
    if late is True:
        counts["late"] += 1
    elif late is False:
        counts["on_time"] += 1
    decided_at = case["decided_at"]
    if decided_at is None:
        return
    decision_day = calendar.local_date(decided_at)
    due_day = case["clock__due_day"]
    if due_day is not None and calendar.working_days_between(decision_day, due_day).value >= 1:
        counts["early"] += 1
    if case["accepted_day"] is not None:
        counts["duration_sum"] += max(
            0, calendar.working_days_between(case["accepted_day"], decision_day).value
        )
    if (
        case["item__handling_kind"] == "instant"
        and case["channel"] == "window"
        and case["accepted_at"] is not None
        and calendar.local_date(case["accepted_at"]) == decision_day
    ):
        counts["instant_same_day"] += 1


def _fold(entries: list[dict[str, Any]], into: Deltas) -> None:
    """Add the counters of `entries` (LedgerEntry values) to `into`, with one query for the cases, one for the staff
    and, when bundles were concluded, one for who decided them."""
    case_ids = {e["subject_id"] for e in entries if e["subject_id"] is not None}
    cases = {row["pk"]: row for row in Case.objects.filter(pk__in=case_ids).values(*_CASE_FIELDS)}
    grouped = [e["subject_id"] for e in entries if e["action"] == CaseEvent.CONCLUDED_WITH_GROUP]
    decider: dict[int, int | None] = {}
    if grouped:
        rows = LedgerEntry.objects.filter(subject_id__in=grouped, action=CaseEvent.DECIDED).values_list(
            "subject_id", "actor_id"
        )
        decider = {int(subject): actor for subject, actor in rows if subject is not None}
    actors = {e["actor_id"] for e in entries if e["actor_id"] is not None} | {
        a for a in decider.values() if a is not None
    }
    staff = dict(StaffProfile.objects.filter(user_id__in=actors).values_list("user_id", "pk"))
    for entry in entries:
        case = cases.get(entry["subject_id"])
        if case is None:
            continue
        event = CaseEvent.parse(entry["action"])
        after = entry["after"] if isinstance(entry["after"], dict) else {}
        actor = decider.get(case["pk"]) if event == CaseEvent.CONCLUDED_WITH_GROUP else entry["actor_id"]
        key: Key = (
            calendar.local_date(entry["at"]),
            case["department_id"],
            case["window_id"],
            staff.get(actor) if actor is not None else None,
            case["item_id"],
            case["site__kind"] or "",
        )
        counts = into[key]
        if event in (CaseEvent.ACCEPTED, CaseEvent.DEEMED_ACCEPTED):
            counts["accepted"] += 1
            if case["item__handling_kind"] == "instant":
                counts["instant_cases"] += 1
        elif event == CaseEvent.DECIDED:
            if after.get("decision") == Decision.REFUSED:
                counts["refused"] += 1
            if after.get("status") == CaseStatus.CONCLUDED:
                _conclusion(case, counts)
        elif event == CaseEvent.CONCLUDED_WITH_GROUP:
            _conclusion(case, counts)
        elif event == CaseEvent.REFUSED_INTAKE:
            counts["not_accepted"] += 1
        elif event == CaseEvent.REDIRECTED:
            counts["redirected"] += 1
        elif event == CaseEvent.WITHDRAWN:
            counts["withdrawn"] += 1


def _key_of(fact: DailyFact) -> Key:
    return (fact.day, fact.department_id, fact.window_id, fact.staff_id, fact.item_id, fact.site_level)


def _new_fact(key: Key, counts: Counter[str]) -> DailyFact:
    day, department, window, staff, item, level = key
    return DailyFact(
        day=day,
        department_id=department,
        window_id=window,
        staff_id=staff,
        item_id=item,
        site_level=level,
        **{name: value for name, value in counts.items() if value},
    )


def _upsert(deltas: Deltas) -> None:
    deltas = {k: c for k, c in deltas.items() if any(c.values())}
    if not deltas:
        return
    days = {k[0] for k in deltas}
    departments = {k[1] for k in deltas}
    existing = {
        _key_of(f): f.pk
        for f in DailyFact.objects.filter(day__in=days, department_id__in=departments).only(
            "pk", "day", "department_id", "window_id", "staff_id", "item_id", "site_level"
        )
    }
    missing = []
    for key, counts in deltas.items():
        pk = existing.get(key)
        if pk is None:
            missing.append(_new_fact(key, counts))
        else:
            DailyFact.objects.filter(pk=pk).update(**{n: F(n) + v for n, v in counts.items() if v})
    DailyFact.objects.bulk_create(missing)


def _locked_cursor() -> FactCursor:
    FactCursor.objects.bulk_create([FactCursor(id=CURSOR_PK, seq=0)], ignore_conflicts=True)
    return FactCursor.objects.select_for_update().get(pk=CURSOR_PK)


def _entries_after(seq: int, limit: int) -> list[dict[str, Any]]:
    rows = (
        LedgerEntry.objects.filter(seq__gt=seq)
        .order_by("seq")
        .values("seq", "at", "actor_id", "subject_id", "action", "after")[:limit]
    )
    return [dict(row) for row in rows]


def _relevant(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if e["action"] in CONSUMED]


def refresh_facts(batch: int = 5000) -> int:
    """Fold audit entries after the cursor into DailyFact, `batch` entries per transaction; returns how many entries
    were read. The cursor row is locked for each batch, so a second refresher waits and then continues after it."""
    link()
    total = 0
    while True:
        with transaction.atomic():
            cursor = _locked_cursor()
            entries = _entries_after(cursor.seq, batch)
            if not entries:
                return total
            deltas: Deltas = defaultdict(Counter)
            _fold(_relevant(entries), deltas)
            _upsert(deltas)
            cursor.seq = entries[-1]["seq"]
            cursor.updated_at = now()
            cursor.save(update_fields=["seq", "updated_at"])
        total += len(entries)
        if len(entries) < batch:
            return total


def rebuild_facts(chunk: int = 5000) -> int:
    """Recompute DailyFact from the whole chain (for verification and repair); returns the number of fact rows."""
    link()
    with transaction.atomic():
        cursor = _locked_cursor()
        DailyFact.objects.all().delete()
        deltas: Deltas = defaultdict(Counter)
        seq = 0
        while True:
            entries = _entries_after(seq, chunk)
            if not entries:
                break
            _fold(_relevant(entries), deltas)
            seq = entries[-1]["seq"]
            if len(entries) < chunk:
                break
        facts = [_new_fact(k, c) for k, c in deltas.items() if any(c.values())]
        DailyFact.objects.bulk_create(facts, batch_size=2000)
        cursor.seq = seq
        cursor.updated_at = now()
        cursor.save(update_fields=["seq", "updated_at"])
    return len(facts)
