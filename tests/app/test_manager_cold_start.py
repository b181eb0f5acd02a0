"""Manager pages when Streamlit runs page files directly, as a fresh server does until app.py has run.

A folder named pages/ next to app.py switches on Streamlit's older multipage mode, in which
every file in it has its own URL, until the first st.navigation call in the process. AppTest
detects the folder before each run, so every run after the first is in that mode here.
"""

from __future__ import annotations

import pytest

from pages import _auth as auth

from .conftest import new_app

MANAGER_FILES = [path for path, _ in auth.MANAGER_PAGES]


@pytest.mark.parametrize("page", MANAGER_FILES)
def test_a_manager_page_run_directly_sends_to_the_login_page(app_db, page):
    at = new_app().run()  # the second run serves the pages/ folder: every file is a page
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert auth.MANAGER not in at.session_state
    assert [w.key for w in at.text_input] == ["login.name", "login.password"], "the login form, nothing else"
