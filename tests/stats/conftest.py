from __future__ import annotations

from typing import Any

import pytest
import time_machine

from tests.cases.conftest import _shared_hall, hall, local  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def at() -> Any:
    def _at(*args: int) -> Any:
        return time_machine.travel(local(*args), tick=False)

    return _at
