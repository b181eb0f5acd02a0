"""Manager pages asked for by their files before any login, as on a fresh server.

A folder named pages/ next to app.py switches on Streamlit's older multipage mode until the
first st.navigation call in the process, in which every .py file directly in pages/ has its own
URL. The page scripts live in subfolders, which that mode ignores: every request runs app.py.
AppTest detects the folder before each run, so every run here is in that mode.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pages.components import auth
from tests.conftest import ROOT
from trp_core.presentation.i18n import t

MANAGER_FILES = [path for path, _, _ in auth.MANAGER_PAGES]


@pytest.mark.parametrize("page", MANAGER_FILES)
def test_a_manager_page_requested_first_goes_through_app_py(app_db, page):
    # The very first request of a session asks for a manager page by its file: Streamlit's
    # older multipage mode finds no page file in pages/ and runs app.py, whose navigation leads a
    # manager page to the login page before login.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    assert auth.MANAGER not in at.session_state
    texts = [m.value for m in at.markdown] + [m.value for m in at.title]
    assert not any("Dashboard" in x or "Kalibrierung" in x or "Calibration" in x for x in texts)
    at.switch_page(page).run()
    assert [x.value for x in at.title] == [t("login_title", "en")]
