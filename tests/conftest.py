import os
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls in the same test are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # Django's default PBKDF2 (1,000,000 rounds) costs about 0.25 s per password set or checked: every test hall
    # gives its applicant a password, and many tests log in. No test depends on the hash algorithm (the token tests
    # install their own counting MD5 hasher), so the whole suite hashes with MD5, as Django's docs recommend.
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # The process-wide calendar snapshot would otherwise outlive a test's rolled-back transaction.
    from govhall.calendars import engine
    from govhall.catalog import kept
    from govhall.clocks import thresholds

    engine.invalidate()
    thresholds.invalidate()  # the yellow-threshold cache, likewise
    kept.invalidate()  # and the items' materials and forms (under a frozen clock two items can share a key)
    yield
    engine.invalidate()
    thresholds.invalidate()
    kept.invalidate()


@pytest.fixture(autouse=True)
def _own_checkpoints(settings, tmp_path_factory) -> None:
    # No test may read the developer's checkpoint key or write into var/checkpoints; each gets an empty place.
    place = tmp_path_factory.mktemp("checkpoints")
    settings.GOVHALL_CHECKPOINT_DIR = place / "published"
    settings.GOVHALL_CHECKPOINT_KEY = place / "checkpoint-key.json"


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


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture of the test: roll back the module's shared data it must not see (tests/shared.py).
    from tests.shared import before_test

    before_test(item)


def _transactional(item: pytest.Item) -> bool:
    """pytest-django's test of a test that empties the database after it (a flush): the ones it runs last."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.plugin import validate_django_db

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return not issubclass(cls, TestCase)
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (its own hook of the same name)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Under `--dist loadgroup` (the Makefile's) a module's tests go to one worker together, so a module-scoped
    # fixture (a demo county, a shared hall) is built once, not once on each worker that got some of its tests.
    # Not a module with a transactional test: its flush must stay at the end of a worker's run, where pytest-django
    # ordered it (a flush empties the tables the data migrations seeded, which the other tests read).
    by_module: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_module.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    for module, module_items in by_module.items():
        if len(module_items) > 1 and not any(_transactional(item) for item in module_items):
            for item in module_items:
                item.add_marker(pytest.mark.xdist_group(module))

    # Real concurrency needs row locks and independent connections: PostgreSQL, not SQLite's shared in-memory test
    # database. Skipped at collection, so their database fixtures (flushes, serialized rollbacks) never run either.
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: run with DATABASE_URL=postgres://…")
    for item in items:
        if item.get_closest_marker("postgres_only") is not None:
            item.add_marker(skip)


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """What the data migrations seed (holiday calendar, the seven process templates), re-created for transactional
    tests: their flush empties every table. Used instead of serialized_rollback, which breaks when an earlier
    transactional test's flush let post_migrate recreate the role groups under new ids."""
    from govhall.calendars import engine
    from govhall.calendars.models import CalendarDay, CalendarYear
    from govhall.calendars.seed import seed_from_package
    from govhall.workflow import engine as wf
    from govhall.workflow.actions import save_definition
    from govhall.workflow.models import ProcessDefinition
    from govhall.workflow.standard import STANDARD_TEMPLATES

    if not CalendarYear.objects.filter(year=2026).exists():
        seed_from_package(CalendarYear, CalendarDay)
    for code, spec in STANDARD_TEMPLATES.items():
        if not ProcessDefinition.objects.filter(code=code, active=True).exists():
            save_definition(spec)
    engine.invalidate()
    wf.clear_caches()
