"""Browser tests: the real Streamlit server and Debian's Chromium driven by Playwright.

Without Chromium these tests are skipped, except under CI=true, where that is a failure (the
`chromium` and `artifacts` fixtures are tests/conftest.py's, for the system tests too).
Screenshots go to test-artifacts/ (kept by CI, looked at by people). The server and Chromium's
settings are tests/support/server.py's, shared with the system tests and bench/.
"""

from __future__ import annotations

import pytest

from tests.support.server import CHROMIUM_ARGS, Server


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    srv = Server(tmp_path_factory.mktemp("server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()
