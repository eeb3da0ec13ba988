"""The hash of a ledger entry and the normalisation that makes it reproducible from the database.

    hash = SM3_hex( prev_hash + canonical_json(fields) )
    canonical_json = json.dumps({seq, at, actor_id, actor_name, actor_role, subject, subject_id, action,
                                 before, after, opinion}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

`at` is written as UTC ISO 8601 with microseconds. The hash must come out the same when the row is read back,
on SQLite (JSON as text) and on PostgreSQL (jsonb: keys reordered, numbers stored as numeric, no NUL). So
`before`/`after` are normalised to plain JSON values *before* they are stored and hashed (`to_json`):
key order stops mattering through sort_keys, integral floats become ints (jsonb prints 1e20 back as an integer),
Decimals, dates and times become strings, and NUL characters — which PostgreSQL refuses in text and jsonb — become
U+FFFD in every string, on both databases, so the same event hashes the same everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govhall.core.crypto import sm3_hex
from govhall.core.hashchain import GENESIS_HASH, canonical, clean_text, link_hash, to_json, utc_iso

__all__ = ["GENESIS_HASH", "clean_text", "entry_hash", "payload", "sm3_hex", "to_json", "utc_iso"]

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
) -> str:
    """The canonical JSON text of one entry's fields (without the hashes)."""
    return canonical(
        {
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
    )


def entry_hash(prev_hash: str, canonical_payload: str) -> str:
    return link_hash(prev_hash, canonical_payload)
