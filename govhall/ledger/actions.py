"""Append to the case audit chain, verify it, and read a case's entries.

`append()` is called by the case actions inside their own transaction, so an event is in the chain exactly when
the change it records is committed. The head row (LedgerHead pk=1) is locked for the rest of that transaction:
appends from several servers are serialised and the sequence has no gaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from govhall.core import clock
from govhall.core.hashchain import ChainReport, ChainSource, entry_mac, mac_key, walk
from govhall.core.identifiers import redact_text
from govhall.core.tz import SHANGHAI

from .chain import GENESIS_HASH, clean_text, entry_hash, payload, to_json
from .models import LedgerEntry, LedgerHead

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HEAD_PK = 1
_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "actor_role",
    "subject",
    "subject_id",
    "action",
    "before",
    "after",
    "opinion",
    "prev_hash",
    "hash",
    "mac",
)


class LedgerCorrupted(Exception):
    """Appending would build on a chain whose head is missing: run `manage.py verify_audit`."""


def _actor_name(actor: User) -> str:
    """The name the immutable ledger keeps for the actor. A login may be anything (an applicant may name their
    account after their ID or phone number), and nothing written here can ever be erased, so ID and mobile
    numbers are masked as a last line of defence (《个人信息保护法》第五十一条)."""
    try:
        name = actor.staff.name
    except (ObjectDoesNotExist, AttributeError):
        name = ""
    return redact_text(str(name or actor.get_username()))


def _text(value: str, field: str, *, truncate: bool = False) -> str:
    value = clean_text(value or "")
    max_length: int | None = getattr(LedgerEntry._meta.get_field(field), "max_length", None)
    if max_length is not None and len(value) > max_length:
        if truncate:
            return value[:max_length]
        # Never store a shortened value silently: SQLite would keep the long one, PostgreSQL would refuse it.
        raise ValueError(f"审计记录字段 {field} 超过 {max_length} 个字符：{value[:40]}…")
    return value


def _locked_head() -> LedgerHead:
    heads = LedgerHead.objects.select_for_update()
    try:
        return heads.get(pk=HEAD_PK)
    except LedgerHead.DoesNotExist:
        pass
    # Two first appends may race here: ON CONFLICT DO NOTHING lets the loser wait for the winner's row.
    LedgerHead.objects.bulk_create([LedgerHead(id=HEAD_PK, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True)
    head = heads.get(pk=HEAD_PK)
    if head.seq == 0 and LedgerEntry.objects.exists():
        # A missing head over existing entries is damage, not a fresh install: restarting at 1 would hide it.
        raise LedgerCorrupted("审计链头记录缺失而链中已有记录，请运行 manage.py verify_audit 检查审计链")
    return head


def _prepare(
    *,
    subject: str,
    subject_id: int | None,
    action: str,
    actor: User | None = None,
    actor_role: str = "",
    before: Any = None,
    after: Any = None,
    opinion: str = "",
    at: dt.datetime | None = None,
    actor_name: str | None = None,
) -> dict[str, Any]:
    instant = at if at is not None else clock.now()
    if timezone.is_naive(instant):
        raise ValueError("审计记录的时间必须带时区")
    instant = instant.astimezone(dt.UTC)
    if actor is not None and getattr(actor, "pk", None) is None:
        actor = None  # AnonymousUser: an event without an account
    actor_id: int | None = actor.pk if actor is not None else None
    if actor_name is None:
        actor_name = _actor_name(actor) if actor is not None else ""
    fields: dict[str, Any] = {
        "at": instant,
        "actor_id": actor_id,
        "actor_name": _text(actor_name, "actor_name", truncate=True),
        "actor_role": _text(actor_role, "actor_role", truncate=True),
        "subject": _text(subject, "subject"),
        "subject_id": int(subject_id) if subject_id is not None else None,
        "action": _text(action, "action"),
        "before": to_json(before, "before"),
        "after": to_json(after, "after"),
        "opinion": clean_text(opinion or ""),
    }
    if not fields["subject"] or not fields["action"]:
        raise ValueError("审计记录必须有办件编号和动作")
    return fields


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "ledger.append() 必须在办件动作的事务（transaction.atomic）中调用"
        )


def append(
    *,
    subject: str,
    subject_id: int | None,
    action: str,
    actor: User | None = None,
    actor_role: str = "",
    before: Any = None,
    after: Any = None,
    opinion: str = "",
    at: dt.datetime | None = None,
    actor_name: str | None = None,
) -> LedgerEntry:
    """Add one case event to the chain; must run inside the caller's `transaction.atomic()` block.

    `actor_name` defaults to the user's staff name (`user.staff.name`) or username; pass it for an actor
    without an account (an applicant at the window) or for the system. `before`/`after` may hold dicts, lists,
    strings, numbers, Decimals, dates and datetimes; they are stored as the JSON that was hashed."""
    return append_many(
        [
            {
                "subject": subject,
                "subject_id": subject_id,
                "action": action,
                "actor": actor,
                "actor_role": actor_role,
                "before": before,
                "after": after,
                "opinion": opinion,
                "at": at,
                "actor_name": actor_name,
            }
        ]
    )[0]


def append_many(events: list[dict[str, Any]]) -> list[LedgerEntry]:
    """Append several events (each with `append`'s keyword arguments) in order, with one lock of the head row, one
    insert and one head update: an action's events cost three statements however many there are."""
    _require_transaction()
    if not events:
        return []
    names: dict[int, str] = {}
    prepared = []
    for event in events:
        actor = event.get("actor")
        actor_pk = getattr(actor, "pk", None)
        if event.get("actor_name") is None and actor is not None and actor_pk is not None:
            if actor_pk not in names:
                names[actor_pk] = _actor_name(actor)
            event = {**event, "actor_name": names[actor_pk]}
        prepared.append(_prepare(**event))
    head = _locked_head()
    entries = []
    seq, previous = head.seq, head.hash
    key = mac_key()
    for fields in prepared:
        seq += 1
        digest = entry_hash(previous, payload(seq=seq, **fields))
        mac = entry_mac(digest, key)
        entries.append(LedgerEntry(seq=seq, prev_hash=previous, hash=digest, mac=mac, **fields))
        previous = digest
    LedgerEntry.objects.bulk_create(entries)
    head.seq, head.hash = seq, previous
    head.save(update_fields=["seq", "hash"])
    return entries


def entries_for(subject: str) -> QuerySet[LedgerEntry]:
    """A case's events in chain order (the case timeline)."""
    return LedgerEntry.objects.filter(subject=subject).order_by("seq")


# The result of `verify()`: see ChainReport (the configuration log's chain reports the same way).
LedgerReport = ChainReport


def describe(row: dict[str, Any] | LedgerEntry) -> str:
    """One line naming an entry as stored: seq, case, action, Beijing time, actor."""
    data = row if isinstance(row, dict) else {name: getattr(row, name) for name in _FIELDS}
    at = data["at"]
    when = timezone.localtime(at, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S.%f") if at is not None else "?"
    actor = data["actor_name"] or "（无）"
    if data["actor_role"]:
        actor += f"（{data['actor_role']}）"
    return (
        f"第 {data['seq']} 条：办件 {data['subject']}，动作 {data['action']}，"
        f"时间 {when}（北京时间），操作人 {actor}"
    )


def _rows_after(seq: int, chunk: int) -> Iterator[dict[str, Any]]:
    """Entries with seq > `seq` in seq order, `chunk` rows per query (keyset paging: constant memory)."""
    while True:
        rows = list(LedgerEntry.objects.filter(seq__gt=seq).order_by("seq").values(*_FIELDS)[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        seq = rows[-1]["seq"]


def _recomputed(row: dict[str, Any]) -> str:
    body = {name: row[name] for name in _FIELDS if name not in ("prev_hash", "hash", "mac")}
    return entry_hash(row["prev_hash"], payload(**body))


def _row_at(seq: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = LedgerEntry.objects.filter(seq=seq).values(*_FIELDS).first()
    return row


def _head() -> dict[str, Any] | None:
    head = LedgerHead.objects.filter(pk=HEAD_PK).values("seq", "hash").first()
    return dict(head) if head is not None else None


CHAIN = ChainSource(
    rows_after=_rows_after, head=_head, row_at=_row_at, recompute=_recomputed, describe=describe
)


def verify(*, chunk: int = 5000) -> LedgerReport:
    """Walk the whole case chain in seq order and report the first broken entry (see `hashchain.walk`)."""
    return walk(CHAIN, chunk=chunk)
