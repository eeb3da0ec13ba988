from __future__ import annotations

from typing import Any

import pytest
import time_machine

from tests.cases.conftest import Hall, build_hall, local


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def hall(db: Any) -> Hall:
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        return build_hall()


@pytest.fixture
def at() -> Any:
    def _at(*args: int) -> Any:
        return time_machine.travel(local(*args), tick=False)

    return _at
