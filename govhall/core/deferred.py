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
  savepoint or a transaction command (a statement with WITH parts of its own takes the queue's before them). A
  savepoint's statements send the queue first, so what is queued was queued inside the savepoint now open, and a
  handler that rolls that savepoint back would have lost the writes either way;
- otherwise the queue goes out alone, as one statement, just before it;
- at the end of the block, inside the transaction, before it commits;
- before an UPDATE of a table the queue already writes (two writes to one table never share a statement).

So every statement still sees every write before it, as if each had been sent at once. Queued INSERTs return no
keys: they are for rows the caller drops, or whose keys were drawn ahead (core.keys). A failing queued write fails
the action: its transaction rolls back as it would have; sent alone ahead of another statement or write it comes
as `DeferredWriteError`, so that an `except IntegrityError` meant for that statement cannot swallow it. If the
block raises, the queue is dropped with the transaction it belonged to; a rollback to a savepoint drops what was
queued inside it, and a transaction already broken sends nothing more (Django then refuses the statement as it
always does). Outside `deferring()`, on SQLite (no writable CTEs; its statements cost no round trip) and in a
nested block, writes run at once.

`if_changed()` is the other half: writes that belong to a conditional UPDATE (a claim's audit entry and clock
owner) go out with that UPDATE and take effect only if it changed rows — one statement on PostgreSQL, the UPDATE
and then the writes on SQLite. A write of such a block may ask for its own row count (`counted`: the step clock
stopped with the task that completes it, whose count tells whether it was paused): the guard's statement counts
its rows too and reports them. The block may carry one read as well (`Guard.read_along`: what an action on a task
reads next), which sees the rows as they were before the guard's statement.

`single_write()` goes one step further: an action whose every write is such one statement (a claim, a delivery)
needs no transaction of its own on PostgreSQL, since one statement is atomic by itself. The block stands where
the transaction would, refuses anything that would need one back (a second write, a locking read), and an action
that finds it needs more raises `NeedsTransaction` before writing, to be run again in a transaction.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from .cursors import kept_cursor

_ATTR = "_govhall_deferred_writes"


class DeferredWriteError(DatabaseError):
    """A queued write failed when the queue was sent ahead of another statement (the cause is the database's)."""


@dataclass
class _Write:
    table: str
    sql: str
    params: list[Any]
    rows: int = 0  # an INSERT … VALUES of this many rows; 0 for an UPDATE (… WHERE at its end)
    # An UPDATE in an `if_changed()` block whose row count its caller needs: told once the guard has run.
    counted: Callable[[int], None] | None = None


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
    if head == 'WITH "':
        # A statement with WITH parts of its own (rows inserted with their parents) takes the queue's as more of
        # them, unless it names a part as the queue names its own.
        if _QUEUE_PART.search(sql):
            return False
    elif head not in _OWN_STATEMENT:
        return False
    return not any(_names(sql, table) for table in queue.tables)


_QUEUE_PART = re.compile(r'"w\d+"')


def _names(sql: str, table: str) -> bool:
    """Whether `sql` names `table`: the name as a whole word, quoted or not, so that a write queued to
    `documents_document` still rides on an UPDATE of `documents_documentcounter`."""
    if table not in sql:
        return False
    return re.search(rf"(?<![\w$]){re.escape(table)}(?![\w$])", sql) is not None


def _drop(queue: _Queue) -> None:
    queue.writes, queue.tables = [], set()


def queue_write(
    using: str,
    table: str,
    sql: str,
    params: list[Any],
    *,
    updates: bool,
    rows: int = 0,
    counted: Callable[[int], None] | None = None,
) -> bool:
    """Queue a write when a `deferring()` or `if_changed()` block is open on the connection; False when the caller
    must run it now. `rows`: the rows of an INSERT … VALUES (0 for an UPDATE). `counted`: an UPDATE whose row
    count the caller needs, queued only in an `if_changed()` block, whose guard reports it."""
    queue = _queue(using)
    if queue is None or (counted is not None and not queue.conditional):
        return False
    if table in queue.tables and queue.conditional:
        raise TypeError(f"if_changed: a second write to {table} cannot share the guard's statement")
    if updates and table in queue.tables:
        _send_ahead(queue)
    queue.writes.append(_Write(table, sql, params, rows, counted))
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
    queued = [value for write in writes for value in write.params]
    stripped = sql.lstrip()
    if stripped[:5].upper() == "WITH ":
        # Its own parts after the queue's: the values stay in the order of the text.
        return f"WITH {parts}, {stripped[5:]}", [*queued, *params]
    return f"WITH {parts} {sql}", [*queued, *params]


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
        kept_cursor(queue.connection.alias).execute(sql, params)
    finally:
        queue.sending = False


class Guard:
    """The block of `if_changed()`: `run()` sends its guard statement with the writes queued in the block."""

    def __init__(self, queue: _Queue) -> None:
        self._queue = queue
        self.ran = False
        # Called first when the guard runs: a caller that gathers writes of its own queues them here.
        self.before_run: Callable[[], None] | None = None
        self._after: list[Callable[[int], None]] = []
        self._read: tuple[str, list[Any], Callable[[list[tuple[Any, ...]]], None]] | None = None

    def read_along(
        self, sql: str, params: list[Any], receive: Callable[[list[tuple[Any, ...]]], None]
    ) -> None:
        """Send the SELECT `sql` in the guard's statement and give its rows to `receive` once it has run (whether
        it changed rows or not). They are the rows as they were before the guard's statement: on PostgreSQL the
        read is a part of that statement and shares its snapshot, so it sees neither the guard's write nor the
        block's; on SQLite it is read just before the guard, to the same effect. In no particular order. One read
        per guard."""
        if self.ran or self._read is not None:
            raise TypeError("if_changed: one read per guard, before it runs")
        self._read = (sql, list(params), receive)

    def _read_alone(self, cursor: Any) -> None:
        if self._read is not None:
            sql, params, receive = self._read
            cursor.execute(sql, params)
            receive([tuple(row) for row in cursor.fetchall()])

    def after_run(self, callback: Callable[[int], None]) -> None:
        """Call `callback(rows changed)` once the guard's statement has succeeded — with 0 when it matched nothing
        and the block's writes were dropped. Not called when the statement fails."""
        self._after.append(callback)

    def _settled(self, changed: int, writes: list[_Write], counts: list[int]) -> int:
        """Tell the counted writes their row counts (0 for all when the guard matched nothing), then the
        `after_run` callbacks."""
        reported = iter(counts)
        for write in writes:
            if write.counted is not None:
                write.counted(next(reported, 0) if changed else 0)
        for callback in self._after:
            callback(changed)
        return changed

    def _start(self) -> None:
        if self.ran:
            raise TypeError("if_changed: one guard per block")
        if self.before_run is not None:
            self.before_run()
        self.ran = True

    def run_nothing(self) -> int:
        """The guard matches nothing without asking (an empty `__in`): the block's writes are dropped."""
        self._start()
        dropped, self._queue.writes, self._queue.tables = self._queue.writes, [], set()
        if self._read is not None:
            with self._queue.connection.cursor() as cursor:
                self._read_alone(cursor)
        return self._settled(0, dropped, [])

    def run(self, table: str, sql: str, params: list[Any]) -> int:
        """Send `sql` — an UPDATE of `table` ending in its WHERE clause — with the block's writes, which take effect
        only if it changes rows; returns the rows it changed."""
        queue = self._queue
        self._start()
        if table in queue.tables:
            raise TypeError(f"if_changed: the guard's table {table} cannot be written in its own block")
        writes, queue.writes, queue.tables = queue.writes, [], set()
        counts: list[int] = []
        queue.sending = True
        try:
            if queue.connection.vendor == "postgresql":
                parts = [f'"g" AS ({sql} RETURNING 1)']
                values = list(params)
                asked = []  # the counted writes' parts, whose rows the statement counts too
                for write in writes:
                    for part, part_params in _only_if_guarded(write):
                        name = f"w{len(parts)}"
                        if write.counted is not None:
                            part = f"{part} RETURNING 1"
                            asked.append(name)
                        parts.append(f'"{name}" AS ({part})')
                        values.extend(part_params)
                select = ", ".join(f'(SELECT count(*) FROM "{name}")' for name in ["g", *asked])
                statement = f"WITH {', '.join(parts)} SELECT {select}"
                if self._read is not None:
                    # The counts once, on one row, beside each row of the read (or beside nulls when it finds
                    # none, "found" telling which).
                    read_sql, read_params, receive = self._read
                    statement += f', "r".* {beside_read(read_sql)}'
                    values.extend(read_params)
                cursor = kept_cursor(queue.connection.alias)
                cursor.execute(statement, values)
                found = cursor.fetchall()
                width = 1 + len(asked)
                changed, *counts = (int(n) for n in found[0][:width])
                if self._read is not None:
                    receive(rows_read(found, width))
            else:
                # SQLite: the read, the guard, then the writes when it changed rows (no round trips to save there).
                with queue.connection.cursor() as cursor:
                    self._read_alone(cursor)
                    cursor.execute(sql, params)
                    changed = int(cursor.rowcount)
                    if changed:
                        for write in writes:
                            cursor.execute(write.sql, write.params)
                            if write.counted is not None:
                                counts.append(int(cursor.rowcount))
        finally:
            queue.sending = False
        return self._settled(changed, writes, counts)


def beside_read(read_sql: str) -> str:
    """The FROM clause that lays the rows of `read_sql` beside one row of the statement's own columns: each row the
    read finds, or once beside nulls when it finds none — a "found" column (true, or null) first telling which.
    The read is a part of the statement and shares its snapshot: it sees the database as the statement found it,
    without the statement's writes."""
    return (
        'FROM (SELECT 1) AS "one" LEFT JOIN LATERAL '
        f'(SELECT true AS "found", "x".* FROM ({read_sql}) AS "x") AS "r" ON true'
    )


def rows_read(rows: list[Any], at: int) -> list[tuple[Any, ...]]:
    """The read's rows out of a statement ending in `beside_read`, its "found" column at position `at`."""
    return [tuple(row[at + 1 :]) for row in rows if row[at]]


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


class NeedsTransaction(Exception):
    """Raised by an action in a `single_write()` block that finds it must do more than one write can (a paused
    clock to resume before stopping it), or whose guard matched nothing and must be explained under a lock.
    Raise it only before anything is written — before the guard, or after a guard that changed no rows (its
    writes were dropped with it): the caller then runs the action again in a transaction."""


class SingleWriteError(TypeError):
    """A statement an action declared as writing once cannot send: a second write, or a lock."""


_SINGLE_ATTR = "_govhall_single_write"
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.IGNORECASE)


@contextlib.contextmanager
def single_write(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """The block of an action whose writes all leave as one statement (an `if_changed()` guard with its writes): on
    PostgreSQL one statement is atomic by itself, so the action needs no transaction of its own — no BEGIN and no
    COMMIT, two round trips fewer. Open it where the transaction would be, around `deferring()`.

    Without a transaction nothing holds the block's statements together, so the block refuses, before it is
    sent, any that would need one: a second statement that writes (anything but a plain SELECT: what the first
    wrote is already committed) and a locking read (`FOR UPDATE`, `FOR SHARE`: a lock taken outside a
    transaction is released at once and protects nothing). Plain reads run as usual, before and after the write:
    each statement sees what was committed before it began, as it would inside a READ COMMITTED transaction.
    `transaction.on_commit` runs its callback at once here, before the write: what must wait for the write
    waits for the guard instead (`Guard.after_run`, as the audit entries' numbers do).
    Inside a transaction already open (a test's, or a caller's) the statement is part of it, as any other — no
    savepoint around it: a statement that fails leaves that transaction failed, as any of its statements would.
    Elsewhere than PostgreSQL (SQLite sends a guard and its writes one by one) use a transaction instead:
    `single_write` refuses to open there."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise SingleWriteError("single_write: only PostgreSQL sends a guard and its writes as one statement")
    if getattr(connection, _SINGLE_ATTR, False):
        raise SingleWriteError("single_write: blocks do not nest")
    wrote = False

    def refuse_what_needs_a_transaction(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal wrote
        head = sql.lstrip()[:6].upper()
        if head == "SELECT" and not many:
            if _LOCKING.search(sql):
                raise SingleWriteError(
                    f"single_write: a lock outside a transaction holds nothing: {sql[:120]}"
                )
            return execute(sql, params, many, context)
        if wrote or many:
            raise SingleWriteError(
                f"single_write: a second write would not be atomic with the first: {sql[:120]}"
            )
        wrote = True
        return execute(sql, params, many, context)

    # Inside deferring()'s wrapper (the outermost): it sees each statement as it goes out, with any queue it carries.
    connection.execute_wrappers.append(refuse_what_needs_a_transaction)
    setattr(connection, _SINGLE_ATTR, True)
    try:
        yield
    finally:
        connection.execute_wrappers.remove(refuse_what_needs_a_transaction)
        delattr(connection, _SINGLE_ATTR)


def in_single_write(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether a `single_write()` block is open on the connection: its statements run without a transaction."""
    return bool(getattr(connections[using], _SINGLE_ATTR, False))
