"""Streamlit entry point: settings and navigation over pages/, nothing else."""

# Imported before any page runs: Altair looks pandas up in sys.modules without importing it, and
# a pandas half imported by a concurrent first run broke its charts (AttributeError: Timestamp).
import pandas  # noqa: F401
import streamlit as st

from pages.components import auth, kiosk
from pages.components import shared as ui
from trp_core.presentation.i18n import t

st.set_page_config(page_title=ui.settings().vendor_name, page_icon=ui.ICON, layout="centered")
ui.init_language()
kiosk.init()
lang = ui.lang()

# The page objects are made once per session and language (each st.Page looks its file up on
# disk), and kept in the session: not shared, since st.navigation marks the one it picks.
kept = st.session_state.get(ui.NAV)
if kept is None or kept[0] != lang:
    kept = (
        lang,
        [
            st.Page("pages/partner/start.py", title=t("page_start", lang), url_path="start", default=True),
            st.Page("pages/partner/questionnaire.py", title=t("page_check", lang), url_path="check"),
            st.Page("pages/partner/result.py", title=t("page_result", lang), url_path="result"),
            st.Page("pages/partner/profile.py", title=t("page_profile", lang), url_path="profile"),
        ],
        # Manager pages exist in the navigation only after login, so their URLs lead nowhere
        # before; the login page (/manage) is in no menu, and a shared kiosk tablet has none.
        [st.Page(auth.LOGIN_PAGE, title=t("page_login", lang), url_path="manage", visibility="hidden")],
    )
    st.session_state[ui.NAV] = kept
_, pages, login = kept
manager = [] if kiosk.active() else auth.manager_pages(lang)
if manager:
    sections = {t("nav_partner", lang): pages, t("nav_manager", lang): manager + login}
    page = st.navigation(sections, position="top")
else:
    page = st.navigation(pages + ([] if kiosk.active() else login), position="hidden")
if auth.session_expired():  # an idle manager returns to the login page, not to the partners' start
    st.switch_page(auth.LOGIN_PAGE)
page.run()
