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
