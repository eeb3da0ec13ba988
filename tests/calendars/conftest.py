from __future__ import annotations

import pytest

from govhall.calendars import engine, seed


@pytest.fixture(scope="session")
def package_calendar() -> engine.WorkingCalendar:
    """The seeded years built straight from the chinesecalendar package, without the database: shared by the
    pure and property tests. test_seed checks that the migrated table gives the same calendar."""
    years = range(seed.SEED_FIRST_YEAR, seed.SEED_LAST_YEAR + 1)
    return engine.WorkingCalendar({y: seed.package_arrangement(y) for y in years})
