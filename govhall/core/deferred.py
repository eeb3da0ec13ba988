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

`if_changed()` is the other half: writes that belong to a conditional UPDATE (a claim's audit entry and clock
owner) go out with that UPDATE and take effect only if it changed rows — one statement on PostgreSQL, the UPDATE
and then the writes on SQLite.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
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
    rows: int = 0  # an INSERT … VALUES of this many rows; 0 for an UPDATE (… WHERE at its end)


@dataclass
class _Queue:
    connection: Any
    writes: list[_Write] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)
    sending: bool = False
    conditional: bool = False  # the queue of an `if_changed()` block


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
    return not any(_names(sql, table) for table in queue.tables)


def _names(sql: str, table: str) -> bool:
    """Whether `sql` names `table`: the name as a whole word, quoted or not, so that a write queued to
    `documents_document` still rides on an UPDATE of `documents_documentcounter`."""
    if table not in sql:
        return False
    return re.search(rf"(?<![\w$]){re.escape(table)}(?![\w$])", sql) is not None


def _drop(queue: _Queue) -> None:
    queue.writes, queue.tables = [], set()


def queue_write(using: str, table: str, sql: str, params: list[Any], *, updates: bool, rows: int = 0) -> bool:
    """Queue a write when a `deferring()` or `if_changed()` block is open on the connection; False when the caller
    must run it now. `rows`: the rows of an INSERT … VALUES (0 for an UPDATE)."""
    queue = _queue(using)
    if queue is None:
        return False
    if table in queue.tables and queue.conditional:
        raise TypeError(f"if_changed: a second write to {table} cannot share the guard's statement")
    if updates and table in queue.tables:
        _send_ahead(queue)
    queue.writes.append(_Write(table, sql, params, rows))
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


class Guard:
    """The block of `if_changed()`: `run()` sends its guard statement with the writes queued in the block."""

    def __init__(self, queue: _Queue) -> None:
        self._queue = queue
        self.ran = False
        # Called first when the guard runs: a caller that gathers writes of its own queues them here.
        self.before_run: Callable[[], None] | None = None

    def _start(self) -> None:
        if self.ran:
            raise TypeError("if_changed: one guard per block")
        if self.before_run is not None:
            self.before_run()
        self.ran = True

    def run_nothing(self) -> int:
        """The guard matches nothing without asking (an empty `__in`): the block's writes are dropped."""
        self._start()
        self._queue.writes, self._queue.tables = [], set()
        return 0

    def run(self, table: str, sql: str, params: list[Any]) -> int:
        """Send `sql` — an UPDATE of `table` ending in its WHERE clause — with the block's writes, which take effect
        only if it changes rows; returns the rows it changed."""
        queue = self._queue
        self._start()
        if table in queue.tables:
            raise TypeError(f"if_changed: the guard's table {table} cannot be written in its own block")
        writes, queue.writes, queue.tables = queue.writes, [], set()
        queue.sending = True
        try:
            if queue.connection.vendor == "postgresql":
                parts = [f'"g" AS ({sql} RETURNING 1)']
                values = list(params)
                for write in writes:
                    for part, part_params in _only_if_guarded(write):
                        parts.append(f'"w{len(parts)}" AS ({part})')
                        values.extend(part_params)
                with queue.connection.cursor() as cursor:
                    cursor.execute(f'WITH {", ".join(parts)} SELECT count(*) FROM "g"', values)
                    return int(cursor.fetchone()[0])
            # SQLite: the guard, then the writes when it changed rows (no round trips to save there).
            with queue.connection.cursor() as cursor:
                cursor.execute(sql, params)
                changed = int(cursor.rowcount)
                if changed:
                    for write in writes:
                        cursor.execute(write.sql, write.params)
                return changed
        finally:
            queue.sending = False


def _only_if_guarded(write: _Write) -> list[tuple[str, list[Any]]]:
    """The write as WITH parts that do nothing unless the guard "g" returned a row. An INSERT … VALUES becomes one
    INSERT … SELECT … WHERE per row: PostgreSQL gives the values of such a SELECT the types of the columns they go
    to, as it does for VALUES, which it would not for a VALUES list read in a subquery."""
    condition = 'EXISTS (SELECT 1 FROM "g")'
    if not write.rows:
        return [(f"{write.sql} AND {condition}", write.params)]
    head = write.sql[: write.sql.index(" VALUES ")]
    width = len(write.params) // write.rows
    select = ", ".join(["%s"] * width)
    return [
        (f"{head} SELECT {select} WHERE {condition}", write.params[n * width : (n + 1) * width])
        for n in range(write.rows)
    ]


@contextlib.contextmanager
def if_changed(using: str = DEFAULT_DB_ALIAS) -> Iterator[Guard]:
    """Writes that belong to a conditional UPDATE, sent with it and kept only if it changes rows:

        with deferred.if_changed() as guard:
            update_later(Clock, {...}, pk=clock_id)                       # queued in the block
            claimed = update_rows(Task, {...}, pk=pk, status="open", guard=guard)

    A claim must find its task still open, and its audit entry and the clock's responsible person belong to a
    claim that happened. Without this the UPDATE goes first, alone, and the writes after it; here they leave
    together, on PostgreSQL as one statement whose parts after the guard each test that it returned a row, on
    SQLite one after the other, only if it changed rows. The block must end with its guard, and a statement in it
    that names a table a queued write goes to (it would not see the write) is refused; others run as usual (the
    actor's name read for an audit entry, say). What the enclosing `deferring()` block had queued goes out
    first, unconditionally."""
    connection = connections[using]
    outer = getattr(connection, _ATTR, None)
    if outer is not None and outer.conditional:
        raise TypeError(
            "if_changed: blocks do not nest (the outer block's writes would lose their condition)"
        )
    if outer is not None:
        _send_ahead(outer)
    queue = _Queue(connection, conditional=True)
    guard = Guard(queue)

    def refuse_others(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if queue.writes and not queue.sending and any(_names(sql, table) for table in queue.tables):
            raise TypeError(
                "if_changed: a statement read or wrote a table between a queued write to it and the guard"
            )
        return execute(sql, params, many, context)

    setattr(connection, _ATTR, queue)
    connection.execute_wrappers.append(refuse_others)
    try:
        yield guard
    finally:
        connection.execute_wrappers.remove(refuse_others)
        if outer is None:
            delattr(connection, _ATTR)
        else:
            setattr(connection, _ATTR, outer)
    if not guard.ran:
        raise TypeError("if_changed: the block ended without running its guard")
