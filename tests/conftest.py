"""Shared fixtures: the bundled surveys and the worked example of METHOD.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from trp_core.files.surveys import load_survey
from trp_core.method.survey import Survey

ROOT = Path(__file__).resolve().parent.parent
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
