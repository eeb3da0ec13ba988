"""Keys drawn ahead from a table's own sequence, a block at a time (PostgreSQL).

A new row that others point at — a case's clocks, which the case names, or a task and its step clock, which name
each other — had to be inserted at once, `RETURNING` its key, before anything could point at it: a statement of
its own in the middle of the action. With its key known beforehand the row can wait in the action's queue of
trailing writes (core.deferred) and leave with the statement after it, as the rows nobody points at do.

The keys come from the sequence that gives the table's keys anyway, `BLOCK` of them in one statement
(`SELECT nextval(…) FROM generate_series(1, n)`, Hibernate's "pooled" optimiser without the arithmetic), and are
kept with the database connection that drew them: one statement per `BLOCK` new rows of the table instead of one
per action. `reserve` tops the block up beforehand, for a measurement that must not count a refill.

What this changes, and why it is safe:

- Keys stay unique: each comes from the sequence exactly once, whoever inserts the row.
- Keys no longer follow insertion order across processes (each process spends its own block). Nothing here reads
  the key as a time: listings order by their time columns and use the key only to break ties.
- A connection that closes leaves the rest of its block unused: gaps, as a rolled-back transaction leaves. A block
  belongs to the driver connection that drew it and dies with it, so a new connection — to another database, a
  test database — never spends keys of another sequence.
- A sequence set back (`manage.py flush`, a restore) while a process still holds a block would hand out the
  block's keys a second time, and so would rows written with keys of their own choosing (a bulk copy numbering
  past the highest key): restart the processes after a restore, as a restore requires anyway, and `forget()` the
  blocks after such a copy in the same process.

Elsewhere (SQLite: no sequences, and an INSERT's round trip costs nothing there) nothing is drawn: `draw_into`
answers False and the caller inserts at once, the keys returned.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from .cursors import kept_cursor

# Keys drawn per statement. A lifecycle of the demo item starts nine clocks: one refill of them every seven lifecycles.
BLOCK = 64
_ATTR = "_govhall_drawn_keys"


def _pools(connection: Any) -> dict[str, deque[int]]:
    connection.ensure_connection()
    kept = getattr(connection, _ATTR, None)
    if kept is None or kept[0] is not connection.connection:
        kept = (connection.connection, {})
        setattr(connection, _ATTR, kept)
    pools: dict[str, deque[int]] = kept[1]
    return pools


def _pool(model: type[Model], connection: Any, wanted: int) -> deque[int]:
    """The connection's keys of the model's table, at least `wanted` of them (one statement when short)."""
    table = model._meta.db_table
    pools = _pools(connection)
    pool = pools.get(table)
    if pool is None:
        pool = pools[table] = deque()
    if len(pool) < wanted:
        count = max(BLOCK, wanted - len(pool))
        cursor = kept_cursor(connection.alias)
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), model._meta.pk.column, count],
        )
        pool.extend(sorted(key for (key,) in cursor.fetchall()))
    return pool


def draw_into(objs: Sequence[Model], using: str = DEFAULT_DB_ALIAS) -> bool:
    """Give each new instance (of one model, with an auto-incremented key) its key now: True on PostgreSQL, the
    keys set; False elsewhere, nothing set (insert them at once and read the keys back)."""
    connection = connections[using]
    if not objs or connection.vendor != "postgresql":
        return False
    model = type(objs[0])
    if any(type(obj) is not model for obj in objs):
        raise TypeError("draw_into: the instances must be of one model")
    if any(obj.pk is not None for obj in objs):
        raise TypeError("draw_into: new instances only (they have a key already)")
    pool = _pool(model, connection, len(objs))
    attname = model._meta.pk.attname
    for obj in objs:
        setattr(obj, attname, pool.popleft())
    return True


def reserve(model: type[Model], count: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make sure the next `count` keys of the model are drawn already (a measurement that must not count a
    refill). Nothing elsewhere than PostgreSQL."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        _pool(model, connection, count)


def forget(using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop the keys the connection holds: after rows went in with keys chosen otherwise than from the sequence (a
    bulk copy numbering its rows past the highest key, then setting the sequence past them: bench/bigdb.py), a
    held key may be taken already."""
    connection = connections[using]
    if hasattr(connection, _ATTR):
        delattr(connection, _ATTR)


def drawn(model: type[Model], using: str = DEFAULT_DB_ALIAS) -> int:
    """How many keys of the model the connection holds drawn and unspent."""
    kept = getattr(connections[using], _ATTR, None)
    if kept is None or kept[0] is not connections[using].connection:
        return 0
    return len(kept[1].get(model._meta.db_table, ()))
