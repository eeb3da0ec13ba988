import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls in the same test are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def on_postgres(settings) -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
