"""Timestamps read from PostgreSQL by psycopg's C loader, as Django reads them.

Django (5.2, its psycopg 3 support) registers its own loader for `timestamptz` on every connection: a subclass of
psycopg's pure-Python `TimestamptzLoader` that relabels each value with the connection's time zone. psycopg swaps
its C implementation in only for its own classes, so with Django every timestamp of every row is parsed in Python:
4 µs a value here against 1.4 µs (bench/README.md, "Reads beside writes"). Known upstream: Django ticket #36960,
psycopg issue #1273 (the C class cannot be subclassed).

On each new connection (`connection_created`) this registers a subclass of Django's loader, so that everything
Django checks of it holds (`create_cursor` compares its `timezone`), whose `load` parses with psycopg's C loader
and relabels as Django's does: the same datetime, the same `tzinfo`. Where psycopg has no C implementation (the
pure-Python install), or its private look-up of it is gone, nothing is registered and Django's loader stays.
"""

from __future__ import annotations

import functools
from datetime import tzinfo
from typing import Any

from django.db.backends.signals import connection_created


@functools.cache
def loader_for(timezone: tzinfo | None) -> type[Any] | None:
    """Django's timestamptz loader for `timezone`, parsing with psycopg's C loader; None where there is none."""
    try:
        from django.db.backends.postgresql.psycopg_any import BaseTzLoader
        from psycopg import adapters
        from psycopg.adapt import Loader
        from psycopg.types.datetime import TimestamptzLoader

        optimised = adapters._get_optimised(TimestamptzLoader)
    except (ImportError, AttributeError):
        return None
    if optimised is TimestamptzLoader:
        return None

    class CTimestamptzLoader(BaseTzLoader):  # type: ignore[misc]
        def __init__(self, oid: int, context: Any = None) -> None:
            # The base Loader's set-up only. The pure-Python loader's own reads the connection's time zone and
            # date style for a `load` that never runs here, and a loader is made per column each time a cursor's
            # statement changes (bench/README.md, "Native placeholders"); the C loader reads them itself, in C.
            Loader.__init__(self, oid, context)
            self._parse = optimised(oid, context).load

        def load(self, data: Any) -> Any:
            return self._parse(data).replace(tzinfo=self.timezone)

    CTimestamptzLoader.timezone = timezone
    return CTimestamptzLoader


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql" or not hasattr(connection.connection, "adapters"):
        return
    loader = loader_for(connection.timezone)
    if loader is not None:
        connection.connection.adapters.register_loader("timestamptz", loader)


connection_created.connect(_register, dispatch_uid="govhall_pgtime_c_loader")
