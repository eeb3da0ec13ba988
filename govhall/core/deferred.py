"""An action's trailing writes, sent to PostgreSQL as one statement.

Most statements of a case action are writes whose outcome the action never reads: the audit entries, the
notices, a clock's new owner or responsible person, the case's changed columns. Each cost a round trip and
Django's and psycopg's work per statement (bench/README.md, "Trailing writes"). Inside `deferring()` (opened by
every case action, `cases.actions._common.guarded`), such a write — `insert_objects(…, later=True)`,
`update_later(…)` — is queued instead of sent, and the queue goes out as ONE statement of data-modifying `WITH`
parts (PostgreSQL's writable CTEs) at the first moment anything else needs the database:

- before any other statement on the connection (an execute wrapper), a read or a write that needs its result,
  a savepoint — so every statement still sees every write before it, as if each had been sent at once;
- at the end of the block, inside the transaction, before it commits;
- before an UPDATE of a table the queue already writes: the parts of one statement share one snapshot and cannot
  see one another's rows, so two writes to the same table never share a statement.

The new keys of queued INSERTs come back from that statement and are set on their instances then. A failing
queued write fails the action: its transaction rolls back as it would have; raised by the statement it preceded,
it comes as `DeferredWriteError`, so that an `except IntegrityError` meant for that statement cannot swallow it.
If the block raises, the queue is dropped with the transaction it belonged to. Outside `deferring()`, on SQLite
(no writable CTEs; its statements cost no round trip) and in a nested block, writes run at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

_ATTR = "_govhall_deferred_writes"


class DeferredWriteError(DatabaseError):
    """A queued write failed when the queue was sent ahead of another statement (the cause is the database's)."""


@dataclass
class _Write:
    table: str
    sql: str
    params: list[Any]
    # INSERT … RETURNING: the instances that receive the returned keys, in the statement's row order.
    keyed: Sequence[Model] = ()


@dataclass
class _Queue:
    connection: Any
    writes: list[_Write] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)
    sending: bool = False


def _queue(using: str) -> _Queue | None:
    return getattr(connections[using], _ATTR, None)


@contextlib.contextmanager
def deferring(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Queue the trailing writes of the block (see the module's text); call inside the transaction they belong to."""
    connection = connections[using]
    if connection.vendor != "postgresql" or getattr(connection, _ATTR, None) is not None:
        yield
        return
    queue = _Queue(connection)
    setattr(connection, _ATTR, queue)
    try:
        with connection.execute_wrapper(_send_first(queue)):
            yield
            _send(queue)
    finally:
        delattr(connection, _ATTR)


def _send_first(queue: _Queue) -> Any:
    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if queue.writes and not queue.sending:
            try:
                _send(queue)
            except DatabaseError as exc:
                raise DeferredWriteError(f"a deferred write failed: {exc}") from exc
        return execute(sql, params, many, context)

    return wrapper


def queue_write(
    using: str, table: str, sql: str, params: list[Any], *, updates: bool, keyed: Sequence[Model] = ()
) -> bool:
    """Queue a write when a `deferring()` block is open on the connection; False when the caller must run it now."""
    queue = _queue(using)
    if queue is None:
        return False
    if updates and table in queue.tables:
        _send(queue)
    queue.writes.append(_Write(table, sql, params, keyed))
    queue.tables.add(table)
    return True


def pending(using: str = DEFAULT_DB_ALIAS) -> int:
    """How many writes wait in the open block's queue (0 outside one)."""
    queue = _queue(using)
    return len(queue.writes) if queue is not None else 0


def _send(queue: _Queue) -> None:
    writes, queue.writes = queue.writes, []
    queue.tables = set()
    if not writes:
        return
    if len(writes) == 1:
        sql, params = writes[0].sql, writes[0].params
        returning = [0] if writes[0].keyed else []
    else:
        parts = [f'"w{n}" AS ({write.sql})' for n, write in enumerate(writes)]
        returning = [n for n, write in enumerate(writes) if write.keyed]
        # The parts run once each whether the main query reads them or not; it reads the keys of the INSERTs.
        main = (
            " UNION ALL ".join(f'SELECT {n}, * FROM "w{n}"' for n in returning)
            if returning
            else "SELECT 0 WHERE false"
        )
        sql = f"WITH {', '.join(parts)} {main}"
        params = [value for write in writes for value in write.params]
    queue.sending = True
    try:
        with queue.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if returning else []
    finally:
        queue.sending = False
    if len(writes) == 1:
        rows = [(0, *row) for row in rows]
    keys: dict[int, list[Any]] = {}
    for n, key in rows:
        keys.setdefault(n, []).append(key)
    for n in returning:
        instances = writes[n].keyed
        got = keys.get(n, [])
        if len(got) != len(instances):
            raise DatabaseError(
                f"deferred INSERT into {writes[n].table}: {len(got)} keys for {len(instances)} rows"
            )
        for obj, key in zip(instances, got, strict=True):
            setattr(obj, obj._meta.pk.attname, key)
