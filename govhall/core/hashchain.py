"""Hash chains: the JSON normalisation that makes an entry's hash reproducible from the database, the link hash, and
the one walk that verifies a chain. The case ledger (`govhall.ledger`) and the configuration log (`core.AuditEvent`)
are both chains built from these pieces, and both are anchored by the same signed checkpoints (`ledger.checkpoints`).

    hash = SM3_hex( prev_hash + canonical_json(fields) )
    mac  = HMAC-SM3( GOVHALL_AUDIT_MAC_KEY, hash )

The hash links the entries; the MAC, keyed by a secret that is not in the database, proves that the application
wrote the entry. Without it a database administrator could append an entry with a correct hash after the last
signed checkpoint, and the next checkpoint would sign it.

`before`/`after` are normalised to plain JSON values *before* they are stored and hashed (`to_json`): key order
stops mattering through sort_keys, integral floats become ints (jsonb prints 1e20 back as an integer), Decimals,
dates and times become strings, and NUL characters — which PostgreSQL refuses in text and jsonb — become U+FFFD in
every string, on both databases, so the same event hashes the same everywhere."""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import json
import math
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise

from .crypto import hmac_sm3_hex, sm3_hex

GENESIS_HASH = "0" * 64
# The fixed label of the MAC key derived from SECRET_KEY: a different label, a different key, so the derived value
# serves nothing else that SECRET_KEY signs.
MAC_KEY_LABEL = b"govhall.audit-entry-mac.v1"


def mac_key() -> bytes:
    """GOVHALL_AUDIT_MAC_KEY, or HMAC-SM3(SECRET_KEY, label) in hex when it is empty; read per call (not cached) so
    a changed setting takes effect at once."""
    explicit: str = settings.GOVHALL_AUDIT_MAC_KEY
    if explicit:
        return explicit.encode("utf-8")
    return hmac_sm3_hex(str(settings.SECRET_KEY).encode("utf-8"), MAC_KEY_LABEL).encode("ascii")


def entry_mac(entry_hash: str, key: bytes | None = None) -> str:
    """The MAC of one entry, over its hash (which covers its fields and everything before it)."""
    return hmac_sm3_hex(key if key is not None else mac_key(), entry_hash.encode("ascii"))


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
        return sorted(items, key=canonical)
    raise TypeError(
        f"审计记录 {path} 的值类型 {type(value).__name__} 无法写入审计链；请传入其主键或字典等 JSON 值"
    )


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def link_hash(prev_hash: str, canonical_payload: str) -> str:
    return sm3_hex((prev_hash + canonical_payload).encode("utf-8"))


@dataclass(frozen=True)
class ChainReport:
    """Result of verifying a chain: `checked` entries were found intact before the first problem (all of them when
    `ok`); `first_bad_seq` is the entry named by the problem, `reason_zh` what is wrong, and `entry_summary` the
    stored entry (or, for a gap, its neighbours) in one line each, for people. `head_hash` is the hash of the last
    intact entry (what a checkpoint may sign)."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason_zh: str = ""
    entry_summary: str = ""
    head_hash: str = GENESIS_HASH


@dataclass(frozen=True)
class ChainSource:
    """How to read one chain: its entries as dicts with at least seq, prev_hash and hash (`rows_after(seq, chunk)`
    in seq order), its head row (`head()`: {seq, hash} or None), the entry at a seq (`row_at`), the recomputed hash
    of a row, and a one-line description of a row for people.

    A chain whose entries are written first and linked later (the case ledger, docs/audit.md) adds `checker`, which
    makes a fresh per-walk check of each linked row (returning a Chinese problem or ""), and `pending`, which checks
    the entries not linked yet before the walk (returning (problem, entry description) or None)."""

    rows_after: Callable[[int, int], Iterator[dict[str, Any]]]
    head: Callable[[], dict[str, Any] | None]
    row_at: Callable[[int], dict[str, Any] | None]
    recompute: Callable[[dict[str, Any]], str]
    describe: Callable[[dict[str, Any]], str]
    checker: Callable[[], Callable[[dict[str, Any]], str]] | None = None
    pending: Callable[[int], tuple[str, str] | None] | None = None


def walk(source: ChainSource, *, chunk: int = 5000) -> ChainReport:
    """Walk a whole chain in seq order and report the first broken entry.

    Checks, per entry: seq continues from 1 without gaps, prev_hash equals the previous entry's hash, the stored
    hash equals the recomputed one, and the stored MAC equals the one the key gives (rows must carry "mac"), and the
    source's own `checker`; before, the source's `pending` entries; at the end, the head names the last entry. Safe
    while appends go on:
    the head is read after the entries, and entries committed meanwhile are verified before judging it."""
    checked = 0
    last: dict[str, Any] | None = None
    expected_seq = 1
    prev_hash = GENESIS_HASH
    describe = source.describe
    key = mac_key()

    def broken(seq: int | None, reason: str, summary: str) -> ChainReport:
        return ChainReport(False, checked, seq, reason, summary, prev_hash)

    if source.pending is not None:
        waiting = source.pending(chunk)
        if waiting is not None:
            return broken(None, *waiting)
    check = source.checker() if source.checker is not None else None

    while True:
        for row in source.rows_after(last["seq"] if last else 0, chunk):
            seq = row["seq"]
            if seq != expected_seq:
                if seq > expected_seq:
                    missing = (
                        f"第 {expected_seq} 条记录缺失（被删除）"
                        if seq == expected_seq + 1
                        else f"第 {expected_seq} 条记录缺失（被删除；第 {expected_seq}–{seq - 1} 条均缺失）"
                    )
                    around = f"前一条为{describe(last)}\n" if last else ""
                    return broken(expected_seq, missing, f"{around}后一条为{describe(row)}")
                return broken(seq, f"第 {seq} 条记录序号异常（应为第 {expected_seq} 条）", describe(row))
            if row["prev_hash"] != prev_hash:
                return broken(
                    seq,
                    f"第 {seq} 条记录的前序哈希与第 {seq - 1} 条记录的哈希不符（记录被调换、替换或改写）",
                    describe(row),
                )
            if source.recompute(row) != row["hash"]:
                return broken(seq, f"第 {seq} 条记录的内容与其哈希不符（记录被篡改）", describe(row))
            if not hmac.compare_digest(str(row.get("mac") or ""), entry_mac(row["hash"], key)):
                return broken(
                    seq,
                    f"第 {seq} 条记录的校验码（mac）与审计密钥算出的不符"
                    "（记录不是本系统写入的：被直接插入或改写后重新计算了哈希）",
                    describe(row),
                )
            if check is not None:
                problem = check(row)
                if problem:
                    return broken(seq, problem, describe(row))
            checked += 1
            prev_hash = row["hash"]
            expected_seq = seq + 1
            last = row

        head = source.head()
        last_seq = last["seq"] if last else 0
        if head is None:
            if last is None:
                return ChainReport(True, 0)
            return broken(
                last_seq, "审计链头记录缺失（无法确认末尾记录是否被删除）", f"最后一条为{describe(last)}"
            )
        if head["seq"] > last_seq:
            if source.row_at(last_seq + 1) is not None:
                continue  # appended while we were reading: verify those too, then judge the head again
            tail = (
                f"第 {last_seq + 1} 条记录缺失（末尾记录被删除）"
                if head["seq"] == last_seq + 1
                else f"第 {last_seq + 1}–{head['seq']} 条记录缺失（末尾记录被删除）"
            )
            summary = f"链头登记到第 {head['seq']} 条\n现存最后一条为{describe(last)}" if last else ""
            return broken(last_seq + 1, tail, summary or f"链头登记到第 {head['seq']} 条，但链中没有记录")
        if head["seq"] < last_seq:
            extra = source.row_at(head["seq"] + 1)
            return broken(
                head["seq"] + 1,
                f"链头只登记到第 {head['seq']} 条，其后的记录未经登记（链头被篡改或记录被直接插入）",
                describe(extra) if extra is not None else "",
            )
        if head["hash"] != prev_hash:
            return broken(
                last_seq or None,
                f"链头哈希与第 {last_seq} 条记录的哈希不符（链头被篡改）",
                describe(last) if last else "",
            )
        return ChainReport(True, checked, head_hash=prev_hash)
