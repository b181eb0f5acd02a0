"""Manager pages when Streamlit runs page files directly, as a fresh server does until app.py has run.

A folder named pages/ next to app.py switches on Streamlit's older multipage mode, in which
every file in it has its own URL, until the first st.navigation call in the process. AppTest
detects the folder before each run, so every run after the first is in that mode here.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pages import _auth as auth

from ..conftest import ROOT

MANAGER_FILES = [path for path, _ in auth.MANAGER_PAGES]


@pytest.fixture
def navigation_only():
    """Here AppTest keeps Streamlit's older multipage mode: the case under test."""


@pytest.mark.parametrize("page", MANAGER_FILES)
def test_a_manager_page_requested_first_goes_through_app_py(app_db, page):
    # The very first request of a session asks for a manager page by its file: Streamlit's
    # older multipage mode would run it directly; pages/_shared.boot() reruns it through app.py,
    # whose navigation has no manager pages before login.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    assert auth.MANAGER not in at.session_state
    texts = [m.value for m in at.markdown] + [m.value for m in at.title]
    assert not any("Dashboard" in x or "Kalibrierung" in x or "Calibration" in x for x in texts)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)
