"""Shared fixtures: the bundled surveys and the worked example of METHOD.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trp_core.survey import Survey, load_survey

ROOT = Path(__file__).resolve().parent.parent
SURVEYS = ROOT / "surveys"
BUNDLED = sorted(SURVEYS.glob("*.yaml"))
WORKED = ROOT / "tests" / "surveys" / "worked-example.yaml"
WORKED_ANSWERS = ROOT / "tests" / "surveys" / "worked-example.answers.json"


@pytest.fixture(scope="session")
def worked() -> Survey:
    return load_survey(WORKED)


@pytest.fixture(scope="session")
def worked_answers() -> dict:
    return json.loads(WORKED_ANSWERS.read_text())["answers"]


@pytest.fixture(scope="session", params=[p.stem for p in BUNDLED])
def bundled(request: pytest.FixtureRequest) -> Survey:
    return load_survey(SURVEYS / f"{request.param}.yaml")


@pytest.fixture
def navigation_only(monkeypatch):
    """Every AppTest run goes through app.py's st.navigation, as on a server after its first run.

    AppTest looks for a pages/ folder before each run and, finding one, would run page files
    directly (Streamlit's older multipage mode); test_cold_start.py covers that case.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner

    class NavigationOnly(PagesManager):
        uses_pages_directory = False

    monkeypatch.setattr(script_runner, "PagesManager", NavigationOnly)
