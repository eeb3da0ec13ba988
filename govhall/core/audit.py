"""The configuration log: append an event to its hash chain, and verify the chain.

Like the case ledger, every event is linked to the one before by an SM3 hash (govhall/core/hashchain.py) and the
head row (AuditHead pk=1) is locked for the rest of the writing transaction, so the sequence has no gaps; the signed
checkpoints of `govhall.ledger.checkpoints` cover this chain and the case ledger together."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from .hashchain import (
    GENESIS_HASH,
    ChainReport,
    ChainSource,
    canonical,
    clean_text,
    entry_mac,
    link_hash,
    to_json,
    utc_iso,
    walk,
)
from .models import AuditEvent, AuditEventType, AuditHead
from .tz import SHANGHAI

HEAD_PK = 1
FIELDS = (
    "seq",
    "event_type",
    "actor_id",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "note",
    "created_at",
    "prev_hash",
    "hash",
)
# What the verification reads: FIELDS stays without the MAC because migration 0008 reads FIELDS from a table that
# has no mac column yet.
ROW_FIELDS = (*FIELDS, "mac")


def payload(row: dict[str, Any]) -> str:
    """The canonical JSON text of one configuration event (every field but the hashes)."""
    body = {name: row[name] for name in FIELDS if name not in ("prev_hash", "hash")}
    body["created_at"] = utc_iso(row["created_at"])
    return canonical(body)


def _locked_head() -> AuditHead:
    heads = AuditHead.objects.select_for_update()
    try:
        return heads.get(pk=HEAD_PK)
    except AuditHead.DoesNotExist:
        pass
    # Two first events may race here: ON CONFLICT DO NOTHING lets the loser wait for the winner's row.
    AuditHead.objects.bulk_create([AuditHead(id=HEAD_PK, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True)
    head = heads.get(pk=HEAD_PK)
    if head.seq == 0 and AuditEvent.objects.exists():
        # A missing head over existing entries is damage, not a fresh install: restarting at 1 would hide it.
        raise RuntimeError("操作日志链头记录缺失而链中已有记录，请运行 manage.py verify_audit 检查审计链")
    return head


if TYPE_CHECKING:
    from django.contrib.auth.models import User


def record_event(
    event_type: AuditEventType,
    *,
    actor: User | None = None,
    obj: models.Model | None = None,
    before: Any = None,
    after: Any = None,
    note: str = "",
    subject: str = "",
) -> AuditEvent:
    """Append one audit event; call it inside the action's transaction so it commits or rolls back with it.

    `subject` names what the event is about when it is not a model instance (a case number, a client address)."""
    fields: dict[str, Any] = {
        "event_type": str(event_type),
        "actor_id": actor.pk if actor is not None and actor.pk else None,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": clean_text(str(obj.pk)) if obj is not None else "",
        "object_repr": clean_text(str(obj)[:200] if obj is not None else subject[:200]),
        "before": to_json(before, "before"),
        "after": to_json(after, "after"),
        "note": clean_text(note[:500]),
        "created_at": timezone.now(),
    }
    # A savepoint when the caller has a transaction (the usual case), else one of its own: the head stays locked
    # until the event commits.
    with transaction.atomic():
        head = _locked_head()
        seq = head.seq + 1
        digest = link_hash(head.hash, payload({**fields, "seq": seq}))
        event = AuditEvent.objects.create(
            seq=seq, prev_hash=head.hash, hash=digest, mac=entry_mac(digest), **fields
        )
        head.seq, head.hash = seq, digest
        head.save(update_fields=["seq", "hash"])
    return event


def describe(row: dict[str, Any]) -> str:
    """One line naming a configuration event as stored: seq, type, object, Beijing time."""
    when = (
        timezone.localtime(row["created_at"], SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
        if row["created_at"]
        else "?"
    )
    label = dict(AuditEventType.choices).get(row["event_type"], row["event_type"])
    return (
        f"操作日志第 {row['seq']} 条：{label}，对象 {row['object_repr'] or '（无）'}，时间 {when}（北京时间）"
    )


def _rows_after(seq: int, chunk: int) -> Iterator[dict[str, Any]]:
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values(*ROW_FIELDS)[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        seq = rows[-1]["seq"]


def _row_at(seq: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = AuditEvent.objects.filter(seq=seq).values(*ROW_FIELDS).first()
    return row


def _head() -> dict[str, Any] | None:
    head = AuditHead.objects.filter(pk=HEAD_PK).values("seq", "hash").first()
    return dict(head) if head is not None else None


def _recomputed(row: dict[str, Any]) -> str:
    return link_hash(row["prev_hash"], payload(row))


CHAIN = ChainSource(
    rows_after=_rows_after, head=_head, row_at=_row_at, recompute=_recomputed, describe=describe
)


def verify_config_log(*, chunk: int = 5000) -> ChainReport:
    """Walk the configuration log's chain and report its first broken entry."""
    return walk(CHAIN, chunk=chunk)
