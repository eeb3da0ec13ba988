from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from govhall.workflow import engine
from govhall.workflow.standard import JOINT_REVIEW, SITE_INSPECTION, STANDARD


@pytest.fixture(autouse=True)
def _fresh_workflow_caches() -> Iterator[None]:
    # A rolled-back test may leave a cached definition whose primary key the next test reuses.
    engine.clear_caches()
    yield
    engine.clear_caches()


def copy_of(template: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(template)


@pytest.fixture
def standard() -> dict[str, Any]:
    return copy_of(STANDARD)


@pytest.fixture
def joint() -> dict[str, Any]:
    return copy_of(JOINT_REVIEW)


@pytest.fixture
def site() -> dict[str, Any]:
    return copy_of(SITE_INSPECTION)


def step_of(spec: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in spec["steps"] if s["key"] == key)


StepGetter = Callable[[dict[str, Any], str], dict[str, Any]]
