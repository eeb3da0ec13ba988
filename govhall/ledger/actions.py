"""Append to the case audit chain, link it, verify it, and read a case's entries.

`append()`/`append_many()` are called by the case actions inside their own transaction and write the action's
entries *unlinked* in one INSERT: no head row, no lock, nothing read. Each unlinked entry carries a random nonce, its
writer's gap-free number and a keyed MAC of its content (`chain.body_mac`), so it is durable exactly when the change
it records is committed and cannot be forged or altered before it is linked. The linker (`link()`, run by
`run_jobs` every round and by `manage.py link_audit` continuously) then takes the head row (LedgerHead pk=1) and
chains the committed unlinked entries in the order they became visible, in batches. See docs/audit.md."""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from govhall.core import clock, deferred
from govhall.core.compiled import insert_objects
from govhall.core.hashchain import ChainReport, ChainSource, entry_mac, mac_key, walk
from govhall.core.identifiers import redact_text
from govhall.core.tz import SHANGHAI

from .chain import GENESIS_HASH, body_mac, body_payload, clean_text, entry_hash, payload, to_json
from .models import LedgerEntry, LedgerHead

logger = logging.getLogger(__name__)

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
    "nonce",
    "writer",
    "writer_seq",
    "body_mac",
)
# The fields the hashes and MACs cover (everything but the hashes and MACs themselves).
_BODY = tuple(name for name in _FIELDS if name not in ("seq", "prev_hash", "hash", "mac", "body_mac"))


_NAME_ATTR = "_govhall_ledger_actor_name"


def _actor_name(actor: User) -> str:
    """The name the immutable ledger keeps for the actor. A login may be anything (an applicant may name their
    account after their ID or phone number), and nothing written here can ever be erased, so ID and mobile
    numbers are masked as a last line of defence (《个人信息保护法》第五十一条).

    Kept on the user object: a request's (or a worker's) user is looked up once, not on every action."""
    cached: str | None = getattr(actor, _NAME_ATTR, None)
    if cached is not None:
        return cached
    try:
        name = actor.staff.name
    except (ObjectDoesNotExist, AttributeError):
        name = ""
    result = redact_text(str(name or actor.get_username()))
    with contextlib.suppress(AttributeError):
        setattr(actor, _NAME_ATTR, result)
    return result


def _text(value: str, field: str, *, truncate: bool = False) -> str:
    value = clean_text(value or "")
    max_length: int | None = getattr(LedgerEntry._meta.get_field(field), "max_length", None)
    if max_length is not None and len(value) > max_length:
        if truncate:
            return value[:max_length]
        # Never store a shortened value silently: SQLite would keep the long one, PostgreSQL would refuse it.
        raise ValueError(f"审计记录字段 {field} 超过 {max_length} 个字符：{value[:40]}…")
    return value


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


def _require_transaction(guard: deferred.Guard | None = None) -> None:
    # An action whose one statement carries its entries with its guard (core.deferred.single_write) needs no
    # transaction: the statement is atomic by itself, and the entries' numbers wait for it (see append_many).
    if transaction.get_connection().in_atomic_block or (guard is not None and deferred.in_single_write()):
        return
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


def append_many(
    events: list[dict[str, Any]], *, later: bool = False, guard: deferred.Guard | None = None
) -> list[LedgerEntry]:
    """Write several events (each with `append`'s keyword arguments) in order as unlinked entries, in one INSERT and
    nothing else: no lock is taken and nothing is read, so concurrent actions never wait for one another here. The
    entries are returned unlinked (`seq` None); `link()` chains them once the transaction has committed. `later`:
    the INSERT may go out with the block's other trailing writes (core.deferred), and then returns no keys.
    `guard`: the INSERT is one of the writes of that `if_changed()` guard, written only if the guard changes rows;
    the entries' writer numbers then count as used only if it did (a number used for an entry never written
    would look like an entry deleted)."""
    if not events:
        return []
    _require_transaction(guard)
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
    writer, number = _numbers(len(prepared), guard=guard)
    key = mac_key()
    entries = []
    for fields in prepared:
        fields.update(nonce=secrets.token_hex(16), writer=writer, writer_seq=number)
        number += 1
        entries.append(LedgerEntry(body_mac=body_mac(body_payload(**fields), key), **fields))
    insert_objects(entries, later=later)
    return entries


# --- the writers' numbers ------------------------------------------------------------------------------------------
#
# Every database connection (one per thread) is a *writer* with a random name; it numbers the entries it commits 1, 2,
# 3… without gaps. A number is handed out in the transaction and counts as used only when that transaction commits
# (an on_commit callback), so a rolled-back action, or a rolled-back savepoint, leaves no hole. A transaction that
# ended without committing (or whose commit failed, when it may still have reached the database) makes the next
# one start a new writer, so a number is never handed out twice. The chain then shows, per writer, 1…n in order:
# an entry deleted before it was linked leaves a gap the next entry of the same writer exposes (docs/audit.md).

_WRITER_ATTR = "_govhall_ledger_writer"


class _Writer:
    __slots__ = ("committed", "name", "outstanding")

    def __init__(self) -> None:
        self.name = secrets.token_hex(16)
        self.committed = 0
        self.outstanding: _Numbered | None = None


@dataclass
class _Numbered:
    """The on_commit callback of one `append_many`: its numbers (…`end`) now count as used."""

    writer: _Writer
    name: str
    end: int

    def __call__(self) -> None:
        if self.writer.name == self.name:
            self.writer.committed = max(self.writer.committed, self.end)
        if self.writer.outstanding is self:
            self.writer.outstanding = None


def _numbers(count: int, *, guard: deferred.Guard | None = None) -> tuple[str, int]:
    """(writer name, first number) for `count` entries of the current transaction. With a `guard`, the numbers are
    registered for the commit only once the guard has changed rows; if it matched nothing they are given back, as
    if never handed out (nothing was written). Outside a transaction (a single-write action) `on_commit` runs at
    once: after the guard's statement, which has committed by then."""
    connection = transaction.get_connection()
    writer: _Writer | None = getattr(connection, _WRITER_ATTR, None)
    if writer is None:
        writer = _Writer()
        setattr(connection, _WRITER_ATTR, writer)
    # Callbacks of a rolled-back savepoint have left run_on_commit: the numbers still live are those before them.
    live = [
        func
        for _, func, _ in connection.run_on_commit
        if isinstance(func, _Numbered) and func.writer is writer
    ]
    if live:
        first = live[-1].end + 1
    else:
        if writer.outstanding is not None:
            # Numbers were handed out, and neither committed nor still pending: start afresh under a new name.
            writer.name, writer.committed = secrets.token_hex(16), 0
        first = writer.committed + 1
    numbered = _Numbered(writer, writer.name, first + count - 1)
    before, writer.outstanding = writer.outstanding, numbered
    if guard is None:
        transaction.on_commit(numbered, robust=True)
    else:

        def settle(changed: int) -> None:
            if changed:
                transaction.on_commit(numbered, robust=True)
            elif writer.outstanding is numbered:
                writer.outstanding = before

        guard.after_run(settle)
    return writer.name, first


def new_writer() -> None:
    """Forget this connection's writer: the next entry starts a new one (for a test whose database was emptied)."""
    connection = transaction.get_connection()
    if hasattr(connection, _WRITER_ATTR):
        delattr(connection, _WRITER_ATTR)


# --- the linker -----------------------------------------------------------------------------------------------------


class LedgerCorrupted(Exception):
    """Linking would build on a chain whose head is missing: run `manage.py verify_audit`."""


def _claimed_head() -> LedgerHead | None:
    """The head row under this transaction's lock, or None when another linker holds it (SKIP LOCKED: it is linking
    now, this one has nothing to do). On SQLite writers are serialised by the database itself (IMMEDIATE)."""
    heads = LedgerHead.objects.select_for_update(skip_locked=True).filter(pk=HEAD_PK)
    head = heads.first()
    if head is not None:
        return head
    if LedgerHead.objects.filter(pk=HEAD_PK).exists():
        return None  # locked by another linker
    # Two first linkers may race here: ON CONFLICT DO NOTHING lets the loser find the winner's row locked.
    LedgerHead.objects.bulk_create([LedgerHead(id=HEAD_PK, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True)
    head = heads.first()
    if head is not None and head.seq == 0 and LedgerEntry.objects.filter(seq__isnull=False).exists():
        # A missing head over linked entries is damage, not a fresh install: restarting at 1 would hide it.
        raise LedgerCorrupted("审计链头记录缺失而链中已有记录，请运行 manage.py verify_audit 检查审计链")
    return head


_UNLINKED_FIELDS = ("id", *_BODY, "body_mac")


def _sealed(row: dict[str, Any], key: bytes) -> bool:
    """True when an unlinked row carries the MAC the key gives for its content (the application wrote it as is)."""
    if not row["nonce"] or not row["writer"] or row["writer_seq"] is None:
        return False
    expected = body_mac(body_payload(**{name: row[name] for name in _BODY}), key)
    return hmac.compare_digest(str(row["body_mac"] or ""), expected)


_refused: set[int] = set()


def _link_batch(batch: int) -> int:
    with transaction.atomic():
        head = _claimed_head()
        if head is None:
            return 0
        key = mac_key()
        rows = list(
            LedgerEntry.objects.filter(seq__isnull=True).order_by("id").values(*_UNLINKED_FIELDS)[:batch]
        )
        seq, previous = head.seq, head.hash
        linked: list[tuple[int, int, str, str, str]] = []
        for row in rows:
            if not _sealed(row, key):
                # Not the application's, or altered since it was written: never chained. It stays unlinked, and
                # verify_audit names it until an authorised repair removes it.
                if row["id"] not in _refused:
                    _refused.add(row["id"])
                    logger.error("未链接的审计记录校验码不符，拒绝链接：%s", describe(row))
                continue
            seq += 1
            digest = entry_hash(previous, payload(seq=seq, **{name: row[name] for name in _BODY}))
            linked.append((row["id"], seq, previous, digest, entry_mac(digest, key)))
            previous = digest
        if linked:
            _write_links(linked)
            LedgerHead.objects.filter(pk=HEAD_PK).update(seq=seq, hash=previous)
        return len(rows)


def _write_links(linked: list[tuple[int, int, str, str, str]]) -> None:
    """One UPDATE for the whole batch: on PostgreSQL joined with five arrays (unnest: five parameters, however big
    the batch), on SQLite (≥ 3.33) with a VALUES list."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    if connection.vendor == "postgresql":
        source = "unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[]) AS v(id, seq, prev_hash, hash, mac)"
        params: list[Any] = [list(column) for column in zip(*linked, strict=True)]
        v_id, v_seq, v_prev, v_hash, v_mac = ("v.id", "v.seq", "v.prev_hash", "v.hash", "v.mac")
    else:  # SQLite names a VALUES list's columns column1…column5
        source = "(VALUES {}) AS v".format(", ".join(["(%s, %s, %s, %s, %s)"] * len(linked)))
        params = [value for row in linked for value in row]
        v_id, v_seq, v_prev, v_hash, v_mac = ("v.column1", "v.column2", "v.column3", "v.column4", "v.column5")
    sql = (
        f"UPDATE {table} SET seq = {v_seq}, prev_hash = {v_prev}, hash = {v_hash}, mac = {v_mac} "
        f"FROM {source} WHERE {table}.id = {v_id} AND {table}.seq IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len(linked):
            raise LedgerCorrupted(f"链接审计记录时应更新 {len(linked)} 条，实际更新 {cursor.rowcount} 条")


def link(*, batch: int = 1000, limit: int | None = None) -> int:
    """Chain the committed unlinked entries, oldest first, `batch` per transaction, until none are left (or `limit`
    were read); returns how many were read. Another linker holding the head makes this return 0 at once."""
    total = 0
    while limit is None or total < limit:
        size = batch if limit is None else min(batch, limit - total)
        done = _link_batch(size)
        total += done
        if done < size:
            break
    return total


def unlinked_count() -> int:
    return LedgerEntry.objects.filter(seq__isnull=True).count()


def entries_for(subject: str) -> QuerySet[LedgerEntry]:
    """A case's events in chain order (the case timeline); the entries not linked yet last, in the order written
    (a case's actions are serialised by its row lock, so that is the order the linker will chain them in)."""
    return LedgerEntry.objects.filter(subject=subject).order_by(F("seq").asc(nulls_last=True), "id")


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
    which = (
        f"第 {data['seq']} 条" if data.get("seq") is not None else f"待链接记录（标识 {data.get('id', '?')}）"
    )
    return f"{which}：办件 {data['subject']}，动作 {data['action']}，时间 {when}（北京时间），操作人 {actor}"


def _rows_after(seq: int, chunk: int) -> Iterator[dict[str, Any]]:
    """Entries with seq > `seq` in seq order, `chunk` rows per query (keyset paging: constant memory)."""
    while True:
        rows = list(LedgerEntry.objects.filter(seq__gt=seq).order_by("seq").values(*_FIELDS)[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        seq = rows[-1]["seq"]


def _recomputed(row: dict[str, Any]) -> str:
    return entry_hash(row["prev_hash"], payload(seq=row["seq"], **{name: row[name] for name in _BODY}))


def _checker() -> Callable[[dict[str, Any]], str]:
    """What the walk checks beyond the link, hash and MAC of a linked entry written unlinked: its content MAC, and
    its writer's numbers continuing without a gap (an entry deleted before it was linked) or a repeat (a copy)."""
    key = mac_key()
    last: dict[str, int] = {}

    def check(row: dict[str, Any]) -> str:
        if not row["nonce"]:
            return ""  # written before entries were written unlinked
        if not _sealed(row, key):
            return f"第 {row['seq']} 条记录的内容校验码（body_mac）与审计密钥算出的不符（记录在链接前被改写或伪造）"
        writer, number = row["writer"], row["writer_seq"]
        previous = last.get(writer)
        last[writer] = number
        if previous is None or number == previous + 1:
            return ""
        if number <= previous:
            return f"第 {row['seq']} 条记录的写入者序号 {number} 重复出现（记录被复制后插入）"
        missing = f"第 {previous + 1} 号" if number == previous + 2 else f"第 {previous + 1}–{number - 1} 号"
        return (
            f"第 {row['seq']} 条记录之前，同一写入者（{writer[:8]}…）的{missing}记录缺失"
            "（记录在链接前被删除）"
        )

    return check


def _row_at(seq: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = LedgerEntry.objects.filter(seq=seq).values(*_FIELDS).first()
    return row


def _head() -> dict[str, Any] | None:
    head = LedgerHead.objects.filter(pk=HEAD_PK).values("seq", "hash").first()
    return dict(head) if head is not None else None


def _linked_meanwhile(row: dict[str, Any], previous: int) -> bool:
    """True when the numbers between `previous` and the row's are all there after all: read across pages while a
    linker chained them (a rare, unindexed look, only when a gap seems to appear)."""
    between = range(previous + 1, row["writer_seq"])
    if not between:
        return False
    found = LedgerEntry.objects.filter(
        writer=row["writer"], writer_seq__gt=previous, writer_seq__lt=row["writer_seq"]
    ).count()
    return found == len(between)


def _unlinked_problem(chunk: int) -> tuple[str, str] | None:
    """(reason, entry) for the first unlinked entry whose content MAC is wrong or whose writer's numbers skip or
    repeat among the unlinked entries, or None. Read before the linked chain is walked: an entry linked meanwhile
    is then checked by the walk."""
    key = mac_key()
    last: dict[str, int] = {}
    after = 0
    while True:
        rows = list(
            LedgerEntry.objects.filter(seq__isnull=True, id__gt=after)
            .order_by("id")
            .values(*_UNLINKED_FIELDS)[:chunk]
        )
        for row in rows:
            if not _sealed(row, key):
                return (
                    "待链接记录的内容校验码与审计密钥算出的不符（记录不是本系统写入的：被直接插入，或在链接前被改写）",
                    describe(row),
                )
            previous = last.get(row["writer"])
            last[row["writer"]] = row["writer_seq"]
            if (
                previous is not None
                and row["writer_seq"] != previous + 1
                and not _linked_meanwhile(row, previous)
            ):
                what = (
                    "重复出现（记录被复制后插入）"
                    if row["writer_seq"] <= previous
                    else "之前的记录缺失（链接前被删除）"
                )
                return f"待链接记录的写入者序号 {row['writer_seq']} {what}", describe(row)
        if len(rows) < chunk:
            return None
        after = rows[-1]["id"]


CHAIN = ChainSource(
    rows_after=_rows_after,
    head=_head,
    row_at=_row_at,
    recompute=_recomputed,
    describe=describe,
    checker=_checker,
    pending=_unlinked_problem,
)


def verify(*, chunk: int = 5000) -> LedgerReport:
    """Check the unlinked entries' MACs, then walk the whole linked chain in seq order; report the first broken
    entry (see `hashchain.walk`)."""
    return walk(CHAIN, chunk=chunk)
