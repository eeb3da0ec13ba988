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
import enum
import hashlib
import json
import math
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.duration import duration_iso_string
from django.utils.functional import Promise

from .models import GENESIS_HASH

__all__ = ["GENESIS_HASH", "clean_text", "entry_hash", "payload", "sm3_hex", "to_json", "utc_iso"]


def _sm3_function() -> Callable[[bytes], str]:
    try:
        hashlib.new("sm3")
    except ValueError:
        # OpenSSL built without SM3: gmssl's pure-Python SM3 gives the same digest, only slower.
        from gmssl import func, sm3

        return lambda data: sm3.sm3_hash(func.bytes_to_list(data))
    return lambda data: hashlib.new("sm3", data).hexdigest()


sm3_hex: Callable[[bytes], str] = _sm3_function()


def clean_text(value: str) -> str:
    return value.replace("\x00", "\ufffd")


def utc_iso(instant: dt.datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("审计记录的时间必须带时区")
    return instant.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _key(key: Any, path: str) -> str:
    if isinstance(key, str):
        return clean_text(str(key))
    if isinstance(key, int) and not isinstance(key, bool):
        return str(int(key))
    raise TypeError(f"审计记录 {path} 的键 {key!r} 不是字符串或整数")


def to_json(value: Any, path: str = "$") -> Any:
    """`value` as plain JSON values (dict with str keys, list, str, int, finite float, bool, None) that survive
    the JSONField round trip unchanged on SQLite and on PostgreSQL jsonb."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)  # IntegerChoices/IntEnum → int
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"审计记录 {path} 的数值 {value!r} 不是有限数，JSON 无法表示")
        # jsonb prints integral numerics without a fraction and json.loads then returns an int.
        return int(value) if value.is_integer() else float(value)
    if isinstance(value, str):
        return clean_text(str(value))  # TextChoices/StrEnum → plain str
    if isinstance(value, Promise):
        return clean_text(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"审计记录 {path} 的数值 {value!r} 不是有限数")
        return str(value)  # exact, and the scale ("1.50") is kept
    if isinstance(value, dt.datetime):
        return utc_iso(value) if value.tzinfo is not None else value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return to_json(value.value, path)
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            name = _key(key, path)
            if name in result:
                raise ValueError(f"审计记录 {path} 中的键 {name!r} 重复（整数键与字符串键相同）")
            result[name] = to_json(item, f"{path}.{name}")
        return result
    if isinstance(value, list | tuple):
        return [to_json(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, set | frozenset):
        items = [to_json(item, f"{path}[]") for item in value]
        return sorted(items, key=_canonical)
    raise TypeError(
        f"审计记录 {path} 的值类型 {type(value).__name__} 无法写入审计链；请传入其主键或字典等 JSON 值"
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


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
    return _canonical(
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
    return sm3_hex((prev_hash + canonical_payload).encode("utf-8"))
