"""An action's trailing writes, sent to PostgreSQL with the statement after them.

Most statements of a case action are writes whose outcome the action never reads: the audit entries, the
notices, a clock's new owner or responsible person, the case's changed columns. Each cost a round trip and
Django's and psycopg's work per statement (bench/README.md, "Trailing writes"). Inside `deferring()` (opened by
every case action, `cases.actions._common.guarded`), such a write — `insert_objects(…, later=True)`,
`update_later(…)` — is queued instead of sent. The queue leaves as data-modifying `WITH` parts (PostgreSQL's
writable CTEs) at the first moment anything else needs the database:

- the next statement on the connection (an execute wrapper) carries the queue as its own `WITH` parts, one
  round trip for both, when it cannot tell the difference: it names none of the queued tables (the parts of one
  statement share one snapshot and do not see one another's rows), takes positional parameters, is not a
  `WITH` already, a savepoint or a transaction command. A savepoint's statements send the queue first, so what
  is queued was queued inside the savepoint now open, and a handler that rolls that savepoint back would have
  lost the writes either way;
- otherwise the queue goes out alone, as one statement, just before it;
- at the end of the block, inside the transaction, before it commits;
- before an UPDATE of a table the queue already writes (two writes to one table never share a statement).

So every statement still sees every write before it, as if each had been sent at once. Queued INSERTs return no
keys: they are for rows the caller drops. A failing queued write fails the action: its transaction rolls back as
it would have; sent alone ahead of another statement or write it comes as `DeferredWriteError`, so that an
`except IntegrityError` meant for that statement cannot swallow it. If the block raises, the queue is dropped
with the transaction it belonged to; a rollback to a savepoint drops what was queued inside it, and a transaction
already broken sends nothing more (Django then refuses the statement as it always does). Outside `deferring()`,
on SQLite (no writable CTEs; its statements cost no round trip) and in a nested block, writes run at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

_ATTR = "_govhall_deferred_writes"


class DeferredWriteError(DatabaseError):
    """A queued write failed when the queue was sent ahead of another statement (the cause is the database's)."""


@dataclass
class _Write:
    table: str
    sql: str
    params: list[Any]


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
    # The outermost wrapper, so that any other (a recorder, a tracer) sees the statements as they go out. Django's
    # own query log records the text it was given: a statement that carried the queue is logged without it.
    wrapper = _send_first(queue)
    connection.execute_wrappers.insert(0, wrapper)
    try:
        yield
        if connection.needs_rollback:
            _drop(queue)
        else:
            _send(queue)
    finally:
        connection.execute_wrappers.remove(wrapper)
        delattr(connection, _ATTR)


_OWN_STATEMENT = ("SELECT", "INSERT", "UPDATE", "DELETE")


def _send_first(queue: _Queue) -> Any:
    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not queue.writes or queue.sending:
            return execute(sql, params, many, context)
        if queue.connection.needs_rollback or sql.lstrip()[:8].upper() == "ROLLBACK":
            # Queued inside what is being rolled back: a savepoint's own statement sent the rest before it.
            _drop(queue)
            return execute(sql, params, many, context)
        if _may_carry(queue, sql, params, many):
            writes, queue.writes, queue.tables = queue.writes, [], set()
            return execute(*_with(writes, sql, list(params)), many, context)
        _send_ahead(queue)
        return execute(sql, params, many, context)

    return wrapper


def _may_carry(queue: _Queue, sql: str, params: Any, many: bool) -> bool:
    if many or not isinstance(params, list | tuple):
        # Several parameter sets, or none at all (a '%' in such a text would turn into a placeholder).
        return False
    head = sql.lstrip()[:6].upper()
    if head not in _OWN_STATEMENT:
        return False
    return not any(table in sql for table in queue.tables)


def _drop(queue: _Queue) -> None:
    queue.writes, queue.tables = [], set()


def queue_write(using: str, table: str, sql: str, params: list[Any], *, updates: bool) -> bool:
    """Queue a write when a `deferring()` block is open on the connection; False when the caller must run it now."""
    queue = _queue(using)
    if queue is None:
        return False
    if updates and table in queue.tables:
        _send_ahead(queue)
    queue.writes.append(_Write(table, sql, params))
    queue.tables.add(table)
    return True


def pending(using: str = DEFAULT_DB_ALIAS) -> int:
    """How many writes wait in the open block's queue (0 outside one)."""
    queue = _queue(using)
    return len(queue.writes) if queue is not None else 0


def _with(writes: list[_Write], sql: str, params: list[Any]) -> tuple[str, list[Any]]:
    """`sql` with the writes as its WITH parts (each runs once, whether the main statement reads it or not)."""
    if not writes:
        return sql, params
    parts = ", ".join(f'"w{n}" AS ({write.sql})' for n, write in enumerate(writes))
    return f"WITH {parts} {sql}", [*(value for write in writes for value in write.params), *params]


def _send_ahead(queue: _Queue) -> None:
    """Send the queue alone before another statement: a failure there is the queue's, and says so."""
    try:
        _send(queue)
    except DatabaseError as exc:
        raise DeferredWriteError(f"a deferred write failed: {exc}") from exc


def _send(queue: _Queue) -> None:
    writes, queue.writes = queue.writes, []
    queue.tables = set()
    if not writes:
        return
    sql, params = _with(writes[:-1], writes[-1].sql, writes[-1].params)
    queue.sending = True
    try:
        with queue.connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        queue.sending = False
