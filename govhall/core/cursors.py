"""The cursor the hot path's statements run on: kept for the life of a connection, native placeholders on PostgreSQL.

Two costs of the driver are paid on every statement unless the cursor avoids them:

- A new psycopg cursor per statement (what `connection.cursor()` makes) cost about 40 µs more Python than a cursor
  used before (bench/README.md, "One cursor, fewer statements"), so the cursor is kept.
- psycopg turns the `%s` placeholders Django writes into PostgreSQL's `$1, $2…` by parsing the statement's text.
  It remembers the result only for statements of at most 50 parameters and 4096 bytes (a guard against the
  ever-different texts ORMs write); the statements that carry an action's trailing writes are longer, and were
  parsed again on every call: 247 µs of client CPU for a 60-parameter statement of 4.6 kB against 55 µs once
  converted (bench/README.md, "Native placeholders"). On PostgreSQL, with server-side binding (the default here), the kept
  cursor is psycopg's `RawCursor`, which takes `$n` placeholders and parses nothing, and the conversion is done
  here once per statement text and remembered.

The statements still go through Django's cursor wrapper with their `%s` text: its execute wrappers, its query log
(which renders the `%s` text with the values) and its translation of database errors all apply as before.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

_CURSOR_ATTR = "_govhall_kept_cursor"

# Statement texts converted to native placeholders. The texts come from a bounded set of shapes (compiled reads,
# inserts per row count, the trailing writes an action can queue), so the table stays small; the cap only guards
# against a caller that builds texts without end.
_NATIVE_TEXTS: dict[str, str] = {}
_NATIVE_TEXTS_MAX = 2048


def native_placeholders(sql: str) -> str:
    """`sql` with each `%s` numbered as PostgreSQL writes it (`$1`, `$2`…) and each `%%` a `%`: the conversion
    psycopg makes of a statement with parameters. Any other `%` sequence (named or typed placeholders, which
    Django never writes) is refused: the statement would mean something else once converted."""
    native = _NATIVE_TEXTS.get(sql)
    if native is not None:
        return native
    parts = sql.split("%")
    out = [parts[0]]
    number = 0
    pieces = iter(parts[1:])
    for piece in pieces:
        if piece.startswith("s"):
            number += 1
            out.append(f"${number}{piece[1:]}")
        elif piece == "":
            # "%%": an empty piece, then the text after the second "%".
            following = next(pieces, None)
            if following is None:
                raise ValueError("a statement cannot end in a lone '%'")
            out.append(f"%{following}")
        else:
            raise ValueError(f"only %s placeholders can be converted, not %{piece[:1]!r}")
    native = "".join(out)
    if len(_NATIVE_TEXTS) >= _NATIVE_TEXTS_MAX:
        _NATIVE_TEXTS.clear()
    _NATIVE_TEXTS[sql] = native
    return native


def _native_cursor_class() -> type[Any]:
    # Built on first use: psycopg is imported only where PostgreSQL is.
    from psycopg import RawCursor

    class NativePlaceholderCursor(RawCursor[Any]):
        """psycopg's cursor for `$n` placeholders, given Django's `%s` statements and converting them once."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            if params is not None and isinstance(query, str):
                query = native_placeholders(query)
            return super().execute(query, params, **kwargs)

        def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> Any:
            if isinstance(query, str):
                query = native_placeholders(query)
            return super().executemany(query, params_seq, **kwargs)

    return NativePlaceholderCursor


_native_class: type[Any] | None = None


def _new_driver_cursor(connection: Any) -> Any:
    """What `connection.create_cursor()` makes, on PostgreSQL with server-side binding a native-placeholder one
    (client-side binding writes the values into the text, which needs `%s`)."""
    global _native_class
    if connection.vendor != "postgresql" or not connection.features.uses_server_side_binding:
        return connection.create_cursor()
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import adapters
    from psycopg.pq import Format

    if _native_class is None:
        _native_class = _native_cursor_class()
    cursor = _native_class(connection.connection)
    # As create_cursor does: the connection's time zone on the cursor when the connection's loader differs.
    tzloader = connection.connection.adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    if connection.timezone != tzloader.timezone:
        register_tzloader(connection.timezone, cursor)
    return cursor


def kept_cursor(alias: str = DEFAULT_DB_ALIAS) -> Any:
    """A cursor for the hot path's statements, its driver cursor kept for the life of the database connection.

    Every caller runs one statement and reads its rows at once, so statements never interleave on the kept
    cursor. The wrapper is made anew each time, as `connection.cursor()` makes it: Django's execute wrappers, its
    query log when it is on, and its translation of database errors all apply.

    The cursor is kept for one thread: Django's live test server lends the test's in-memory SQLite connection to
    every request thread, and two requests on one driver cursor at once fail ("Recursive use of cursors"); a
    thread that finds another's cursor makes its own (a server's connections are per thread anyway)."""
    connection: Any = connections[alias]
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    kept = getattr(connection, _CURSOR_ATTR, None)
    thread = threading.get_ident()
    if kept is None or kept[0] is not connection.connection or kept[1] != thread:
        with connection.wrap_database_errors:
            kept = (connection.connection, thread, _new_driver_cursor(connection))
        setattr(connection, _CURSOR_ATTR, kept)
    return connection._prepare_cursor(kept[2])
