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


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker):
    """The demo county, seeded once per test module inside a transaction that is rolled back afterwards."""
    from django.db import transaction
    from django.test import override_settings

    from govhall.demo.loader import seed_demo

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield seed_demo()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _postgres_only_marker(request: pytest.FixtureRequest) -> None:
    # Real concurrency needs row locks and independent connections: PostgreSQL, not SQLite's shared in-memory test DB.
    if request.node.get_closest_marker("postgres_only") is None:
        return
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://…")
