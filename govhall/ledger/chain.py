"""The hash of a ledger entry and the normalisation that makes it reproducible from the database.

    hash = SM3_hex( prev_hash + canonical_json(fields) )
    canonical_json = json.dumps({seq, at, actor_id, actor_name, actor_role, subject, subject_id, action,
                                 before, after, opinion}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

Entries written unlinked (every entry since docs/audit.md's design) also carry `nonce`, `writer` and `writer_seq`;
these keys are in the JSON only when `nonce` is set, so the entries written before keep their hashes. The unlinked
entry's own MAC covers the same JSON without `seq` (`body_payload`):

    body_mac = HMAC-SM3( GOVHALL_AUDIT_MAC_KEY, "govhall.ledger.unlinked.v1\n" + canonical_json(fields - seq) )

`at` is written as UTC ISO 8601 with microseconds. The hash must come out the same when the row is read back,
on SQLite (JSON as text) and on PostgreSQL (jsonb: keys reordered, numbers stored as numeric, no NUL). So
`before`/`after` are normalised to plain JSON values *before* they are stored and hashed (`to_json`):
key order stops mattering through sort_keys, integral floats become ints (jsonb prints 1e20 back as an integer),
Decimals, dates and times become strings, and NUL characters — which PostgreSQL refuses in text and jsonb — become
U+FFFD in every string, on both databases, so the same event hashes the same everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govhall.core.crypto import hmac_sm3_hex, sm3_hex
from govhall.core.hashchain import GENESIS_HASH, canonical, clean_text, link_hash, mac_key, to_json, utc_iso

__all__ = [
    "GENESIS_HASH",
    "body_mac",
    "body_payload",
    "clean_text",
    "entry_hash",
    "payload",
    "sm3_hex",
    "to_json",
    "utc_iso",
]

# The domain of the unlinked entry's MAC: never the same message as the linked MAC (over a 64-hex-digit hash).
BODY_MAC_LABEL = "govhall.ledger.unlinked.v1\n"

# The normalisation and the link hash are shared with the configuration log's chain (govhall/core/hashchain.py).


def payload(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    actor_role: str,
    subject: str,
    subject_id: int | None,
    action: str,
    before: Any,
    after: Any,
    opinion: str,
    nonce: str = "",
    writer: str = "",
    writer_seq: int | None = None,
) -> str:
    """The canonical JSON text of one entry's fields (without the hashes)."""
    return canonical(
        _fields(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            actor_role=actor_role,
            subject=subject,
            subject_id=subject_id,
            action=action,
            before=before,
            after=after,
            opinion=opinion,
            nonce=nonce,
            writer=writer,
            writer_seq=writer_seq,
        )
    )


def body_payload(**fields: Any) -> str:
    """The canonical JSON text an unlinked entry's MAC covers: `payload`'s fields without `seq`."""
    body = _fields(seq=None, **fields)
    del body["seq"]
    return canonical(body)


def body_mac(canonical_body: str, key: bytes | None = None) -> str:
    return hmac_sm3_hex(
        key if key is not None else mac_key(), (BODY_MAC_LABEL + canonical_body).encode("utf-8")
    )


def _fields(
    *,
    seq: int | None,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    actor_role: str,
    subject: str,
    subject_id: int | None,
    action: str,
    before: Any,
    after: Any,
    opinion: str,
    nonce: str = "",
    writer: str = "",
    writer_seq: int | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "seq": seq,
        "at": utc_iso(at),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "actor_role": actor_role,
        "subject": subject,
        "subject_id": subject_id,
        "action": action,
        "before": before,
        "after": after,
        "opinion": opinion,
    }
    if nonce:
        fields.update(nonce=nonce, writer=writer, writer_seq=writer_seq)
    return fields


def entry_hash(prev_hash: str, canonical_payload: str) -> str:
    return link_hash(prev_hash, canonical_payload)
