"""Test data built once per module and shared by the module's tests, each of which still runs in isolation.

Building the case-test hall takes ~700 statements; building it again for each of several hundred tests was a large
part of the suite's time. A :class:`SharedData` builds it once, inside a transaction left open while the module's
tests run; every test runs in a savepoint of that transaction (pytest-django's ``db``), so whatever a test changes is
rolled back after it and the next test sees the data exactly as built. The transaction is rolled back at the end of
the module, so nothing leaks into other modules.

Two kinds of test must not run inside that transaction, and ``pytest_runtest_setup`` in tests/conftest.py rolls it
back before they start (:func:`before_test`):
- a transactional test (``transaction=True``, ``transactional_db``, ``live_server``): it commits, and other
  connections must see its data; the fixture then builds the data again in that test's own database state;
- a test of the same module that does not ask for the data: it must not see rows it did not create.
The next test that asks for the data gets it built again.

Each test gets fresh model instances (``refresh``), so in-memory changes a test makes to an instance (cached
relations, permission caches, attributes set without saving) do not reach the next test either."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import pytest
from django.db import transaction

T = TypeVar("T")

# The shared data of the module being run, in the order its transactions were opened (at most a few).
_LIVE: list[SharedData[Any]] = []
_current_item: pytest.Item | None = None


def is_transactional(item: pytest.Item) -> bool:
    """The same decision pytest-django's ``_django_db_helper`` makes."""
    names = getattr(item, "fixturenames", ())
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))


class SharedData(Generic[T]):
    def __init__(self, fixture_name: str, build: Callable[[], T], blocker: Any) -> None:
        self.fixture_name = fixture_name
        self._build = build
        self._blocker = blocker
        self._atomic: Any = None
        self._value: T | None = None
        self.builds = 0

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    @property
    def value(self) -> T:
        assert self._value is not None and self.is_open, f"{self.fixture_name}: the shared data is not built"
        return self._value

    def open(self) -> None:
        if self.is_open:
            return
        with self._blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                self._value = self._build()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
            self._atomic = atomic
            self.builds += 1

    def close(self) -> None:
        if not self.is_open:
            return
        atomic, self._atomic, self._value = self._atomic, None, None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@contextmanager
def shared_data(fixture_name: str, build: Callable[[], T], blocker: Any) -> Iterator[SharedData[T]]:
    """For a module-scoped fixture named `fixture_name`: ``with shared_data(...) as shared: yield shared``.

    The function-scoped fixture that tests use asks for it and for ``db``, and returns ``shared.value`` (refreshed)
    when ``shared.is_open``, else builds the data itself (a transactional test)."""
    shared = SharedData(fixture_name, build, blocker)
    _LIVE.append(shared)
    try:
        if _current_item is None or not is_transactional(_current_item):
            shared.open()
        yield shared
    finally:
        _close_from(_LIVE.index(shared))
        _LIVE.remove(shared)


def shared_or_built(shared: SharedData[T], build: Callable[[], T], refresh: Callable[[T], T]) -> T:
    """What the test's fixture returns: fresh instances of the shared data, or (a transactional test) its own."""
    return refresh(shared.value) if shared.is_open else build()


def _close_from(index: int) -> None:
    # Transactions nest: close the newest first.
    for shared in reversed(_LIVE[index:]):
        shared.close()


def before_test(item: pytest.Item) -> None:
    """Called before any fixture of `item` is set up: close the shared data it must not run inside, open (build
    again) the shared data it asks for."""
    global _current_item
    _current_item = item
    transactional = is_transactional(item)
    names = set(getattr(item, "fixturenames", ()))
    wanted = [not transactional and shared.fixture_name in names for shared in _LIVE]
    unwanted = [i for i, want in enumerate(wanted) if not (want and _LIVE[i].is_open)]
    if unwanted:
        _close_from(unwanted[0])
    for shared, want in zip(_LIVE, wanted, strict=True):
        if want:
            shared.open()
