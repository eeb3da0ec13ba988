"""What a database administrator can do to the audit trail with SQL: rewrite rows and recompute every hash after
them, renumber, move the chain heads. Used by the checkpoint tests to prove each rewrite is caught.

The rechain helpers also recompute every entry's MAC, as an attacker who has stolen GOVHALL_AUDIT_MAC_KEY from an
application server could: what then still catches the rewrite is the signed checkpoints."""

from __future__ import annotations

from typing import Any

from govhall.core.audit import payload as config_payload
from govhall.core.hashchain import GENESIS_HASH, entry_mac, link_hash
from govhall.core.models import AuditEvent, AuditHead
from govhall.ledger.chain import body_mac, body_payload, entry_hash, payload
from govhall.ledger.models import LedgerEntry, LedgerHead

_LEDGER_BODY = (
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
    "nonce",
    "writer",
    "writer_seq",
)


def rechain_ledger(*, renumber: bool = False) -> None:
    """Recompute prev_hash and hash of every entry in seq order (renumbering from 1 first when asked), and point
    the head at the last one: the chain is perfectly linked again."""
    previous = GENESIS_HASH
    writers: dict[str, int] = {}
    for seq, entry in enumerate(LedgerEntry.objects.filter(seq__isnull=False).order_by("seq"), start=1):
        if renumber and entry.seq != seq:
            LedgerEntry.objects.filter(pk=entry.pk).update(seq=seq)
        if renumber and entry.nonce:
            # The writers' numbers closed up too, and every content MAC recomputed with the stolen key.
            entry.writer_seq = writers[entry.writer] + 1 if entry.writer in writers else entry.writer_seq
            writers[entry.writer] = entry.writer_seq
        body: dict[str, Any] = {name: getattr(entry, name) for name in _LEDGER_BODY}
        sealed = body_mac(body_payload(**body)) if entry.nonce else ""
        digest = entry_hash(previous, payload(seq=seq if renumber else entry.seq, **body))
        LedgerEntry.objects.filter(pk=entry.pk).update(
            prev_hash=previous,
            hash=digest,
            mac=entry_mac(digest),
            writer_seq=entry.writer_seq,
            body_mac=sealed,
        )
        previous = digest
    last = LedgerEntry.objects.filter(seq__isnull=False).order_by("-seq").first()
    LedgerHead.objects.filter(pk=1).update(seq=last.seq if last else 0, hash=previous)


def rechain_config() -> None:
    previous = GENESIS_HASH
    for row in AuditEvent.objects.order_by("seq").values():
        digest = link_hash(previous, config_payload(row))
        AuditEvent.objects.filter(pk=row["id"]).update(prev_hash=previous, hash=digest, mac=entry_mac(digest))
        previous = digest
    last = AuditEvent.objects.order_by("-seq").first()
    AuditHead.objects.filter(pk=1).update(seq=last.seq if last else 0, hash=previous)
