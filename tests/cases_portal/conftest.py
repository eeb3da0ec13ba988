"""The case-test hall (tests/cases/conftest.py) plus a clock frozen on a plain working Monday for every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from tests.cases.conftest import _shared_hall, at, hall, local  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _monday_morning() -> Iterator[None]:
    # 2026-03-02 10:00 Shanghai: no holiday for two weeks either side; ticking so events keep their order.
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=True):
        yield


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
