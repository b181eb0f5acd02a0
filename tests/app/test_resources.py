"""What every session shares survives a client's clear-cache message (which empties Streamlit's caches)."""

from __future__ import annotations

import streamlit as st

from tests.app.conftest import new_app


def test_clearing_streamlit_caches_keeps_the_store_and_the_throttles(app_db):
    from pages.components import resources

    at = new_app(lang="en")
    assert not at.exception

    def shared() -> tuple:
        return resources.store(), resources.code_throttle(), resources.pin_guard()

    kept = shared()
    kept[1].failure("a guesser")
    st.cache_resource.clear()
    st.cache_data.clear()
    again = shared()
    assert all(a is b for a, b in zip(kept, again, strict=True)), "no second store, no fresh throttle"
    for _ in range(3):  # the fourth failure in all is the first that holds (three are free)
        again[1].failure("a guesser")
    assert again[1].wait_seconds("a guesser") > 0, "the failure before the clear still counts"


def test_the_server_start_makes_what_the_first_visit_needs(app_db):
    """app.py, imported by the server, warms the store, surveys and texts: the first visit uses them."""
    from pages.components import resources
    from trp_core.store.engine import make_engine
    from trp_core.store.migrate import current_revision, head_revision

    resources.warm()
    store, surveys = resources.store(), resources.published()
    engine = make_engine(app_db)
    try:
        assert current_revision(engine) == head_revision(), "the schema is brought up to date at start"
    finally:
        engine.dispose()
    at = new_app(survey="trp-standard", lang="en")
    at.button(key="start").click().run()
    assert not at.exception and at.session_state["trp.survey"] == "trp-standard"
    assert resources.store() is store and resources.published() is surveys


def test_a_database_that_cannot_be_opened_does_not_stop_the_start(tmp_path, monkeypatch):
    """The start goes on; the first visit tries the store again (and a partner can still begin)."""
    from pages.components import resources

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("TRP_DATABASE_URL", f"sqlite:///{blocked / 'trp.sqlite3'}")
    st.cache_resource.clear()
    try:
        resources.warm()  # logs the reason, raises nothing
        assert resources.published(), "the surveys are read all the same"
        at = new_app(survey="trp-standard", lang="en")
        assert not at.exception
    finally:
        st.cache_resource.clear()


def test_a_wrong_setting_does_not_stop_the_start(monkeypatch):
    """The first page names the wrong variable, as without the warm-up."""
    from pages.components import resources

    monkeypatch.setenv("TRP_MIN_GROUP", "many")
    st.cache_resource.clear()
    try:
        resources.warm()
        at = new_app(lang="en")
        assert "TRP_MIN_GROUP" in " ".join(e.value for e in at.error)
    finally:
        st.cache_resource.clear()
