import os
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls in the same test are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # The process-wide calendar snapshot would otherwise outlive a test's rolled-back transaction.
    from govhall.calendars import engine

    engine.invalidate()
    yield
    engine.invalidate()


@pytest.fixture
def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
