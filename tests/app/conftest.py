"""AppTest set-up: the real app on a fresh SQLite file per test."""

from __future__ import annotations

import os

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.support.kiosk_events import write_events
from trp_core.services.auth import Sessions
from trp_core.store.engine import make_engine


@pytest.fixture
def app_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'trp.sqlite3'}"
    monkeypatch.setenv("TRP_DATABASE_URL", url)
    st.cache_resource.clear()  # the store and settings are process-wide in the app
    yield url
    st.cache_resource.clear()


@pytest.fixture
def kiosk_db(app_db, tmp_path, monkeypatch):
    """The app with the test events file: a tablet in kiosk mode for one of them."""
    monkeypatch.setenv("TRP_EVENTS_FILE", str(write_events(tmp_path / "events.yaml")))
    return app_db


def manager_session(name: str) -> str:
    """A manager session in the app's database (TRP_DATABASE_URL), opened as a login opens it: its id,
    for a test's `at.session_state[session.SESSION]` (AppTest has no cookies)."""
    engine = make_engine(os.environ["TRP_DATABASE_URL"])
    try:
        return Sessions(engine, idle_minutes=30).open(name).session_id
    finally:
        engine.dispose()


def new_app(page: str | None = None, **query: str) -> AppTest:
    """A fresh browser session of the app, opened with the given URL parameters."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    if page:
        at.switch_page(page)
    return at.run()
