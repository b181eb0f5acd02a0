"""Shared fixtures (the bundled surveys, the worked example of METHOD.md, Chromium) and the test levels.

Every test gets its level's marker from its folder: unit, store, app, e2e, system (and `app` too
where its module runs AppTest). Every test under
tests/e2e and tests/system gets `server` (it starts the app or another process); every test that
uses the `chromium` fixture gets `browser`, and every one that uses `pg_admin` gets `postgres`.
A test elsewhere that starts a Server or Playwright without its marker fails: `--quick`
(`-m "not server and not browser"`) must never start one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.support import server as server_module
from tests.support.server import ARTIFACTS, chromium_path
from trp_core.files.surveys import load_survey
from trp_core.method.survey import Survey

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
LEVELS = ("unit", "store", "app", "e2e", "system")
SERVER_LEVELS = ("e2e", "system")
SURVEYS = ROOT / "surveys"
BUNDLED = sorted(SURVEYS.glob("*.yaml"))
WORKED = ROOT / "tests" / "surveys" / "worked-example.yaml"
WORKED_ANSWERS = ROOT / "tests" / "surveys" / "worked-example.answers.json"


def in_own_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) in a new thread; its result, or its exception raised here.

    While a browser test's session-wide Playwright is open, the main thread has an event loop
    running: neither asyncio.run nor a second Playwright of the sync API can start in it.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


@pytest.fixture(scope="session")
def worked() -> Survey:
    return load_survey(WORKED)


@pytest.fixture(scope="session")
def worked_answers() -> dict:
    return json.loads(WORKED_ANSWERS.read_text())["answers"]


@pytest.fixture(scope="session", params=[p.stem for p in BUNDLED])
def bundled(request: pytest.FixtureRequest) -> Survey:
    return load_survey(SURVEYS / f"{request.param}.yaml")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; skipped without it, except under CI=true, where that is a failure."""
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/: screenshots, kept by CI, looked at by people."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def level(item: pytest.Item) -> str | None:
    """The first folder under tests/ of the item's file."""
    parts = item.path.relative_to(TESTS).parts
    return parts[0] if len(parts) > 1 and parts[0] in LEVELS else None


def _uses_apptest(item: pytest.Item) -> bool:
    """The item's module runs the app in AppTest (directly, or through tests/app's new_app)."""
    module = getattr(item, "module", None)
    names = vars(module) if module else {}
    return "AppTest" in names or "new_app" in names


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = level(item)
        if folder:
            item.add_marker(folder)
        if folder != "app" and _uses_apptest(item):
            item.add_marker("app")
        if folder in SERVER_LEVELS:
            item.add_marker("server")
            # Under xdist (--dist loadgroup) a module's tests stay on one worker, so that its
            # module-scoped servers start once; the heavy system tests of a folder run one at a time.
            group = "/".join(item.path.relative_to(TESTS).parts[:2])
            item.add_marker(pytest.mark.xdist_group(group if folder == "system" else item.path.stem))
        if "chromium" in item.fixturenames:
            item.add_marker("browser")
        if "pg_admin" in item.fixturenames:
            item.add_marker("postgres")


@pytest.fixture(autouse=True)
def _no_unmarked_server_or_browser(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test without the `server` marker may not start the app, one without `browser` not Playwright."""
    marks = {m.name for m in request.node.iter_markers()}
    with pytest.MonkeyPatch.context() as patch:
        if "server" not in marks:

            def no_server(*args, **kwargs):
                raise AssertionError("this test starts the app: put it under tests/e2e or tests/system")

            patch.setattr(server_module.Server, "__init__", no_server)
        if "browser" not in marks:
            import playwright.sync_api

            def no_browser(*args, **kwargs):
                raise AssertionError("this test starts Playwright: give it the `chromium` fixture")

            patch.setattr(playwright.sync_api, "sync_playwright", no_browser)
        yield
