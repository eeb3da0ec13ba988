"""One headless Chromium per test session; each test gets a fresh context (cookies, storage) and page.

Without /usr/bin/chromium the browser tests skip locally, but never in CI (CI=true), where a missing browser
must fail the run instead of silently passing it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest_data import live_catalog  # noqa: F401  (fixture)

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    # Keeps each phase's report on the test, so the page fixture's teardown knows whether the test failed.
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() and os.environ.get("CI") != "true":
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium fonts-wqy-zenhei)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, request) -> Iterator[Callable[..., object]]:
    """``new_page(viewport=..., java_script_enabled=False)``: a page in its own context (kiosk, phone, no JS)."""
    contexts = []

    def make(**options: object) -> object:
        options.setdefault("locale", "zh-CN")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    # A screenshot of the last state of a failed test: it is the first thing to look at. Only then: a full-page
    # screenshot costs about half a second per page, and a passing test's pictures were never looked at.
    reports = request.node.stash.get(REPORTS, {})
    failed = any(report.failed for report in reports.values())
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
    for n, context in enumerate(contexts):
        if failed:
            for page in context.pages:
                suffix = f"-{n}" if n else ""
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}{suffix}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(new_page) -> object:
    return new_page()


@pytest.fixture
def screenshot(page):
    """Call ``screenshot("name")`` for an extra picture of an intermediate state."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
