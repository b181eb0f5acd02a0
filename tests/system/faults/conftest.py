"""Fault tests: the real app under a killed process, a restarted database and cut connections.

They drive Chromium as the browser tests do, but each with a Playwright of its own in a thread of
its own: Playwright's sync API allows one instance per thread, and the browser tests' session-wide
one may still be open in the main thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import in_own_thread
from tests.support.server import CHROMIUM_ARGS


@pytest.fixture
def with_browser(chromium: str) -> Callable[[Callable[[Any], None]], None]:
    """Run `body(browser)` in a new thread with a new Chromium; its failure is the test's failure."""

    def run(body: Callable[[Any], None]) -> None:
        from playwright.sync_api import sync_playwright

        def target() -> None:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                try:
                    body(browser)
                finally:
                    browser.close()

        in_own_thread(target)

    return run
