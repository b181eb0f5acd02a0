"""Streamlit entry point: settings and navigation over pages/, nothing else."""

import streamlit as st

from pages import _auth as auth
from pages import _shared as ui
from trp_core.i18n import t

st.set_page_config(page_title=ui.settings().vendor_name, page_icon=ui.ICON, layout="centered")
ui.init_language()
lang = ui.lang()
pages = [
    st.Page("pages/start.py", title=t("page_start", lang), url_path="start", default=True),
    st.Page("pages/questionnaire.py", title=t("page_check", lang), url_path="check"),
    st.Page("pages/result.py", title=t("page_result", lang), url_path="result"),
    st.Page("pages/profile.py", title=t("page_profile", lang), url_path="profile"),
]
# Manager pages exist in the navigation only after login, so their URLs lead nowhere before.
manager = auth.manager_pages(lang)
st.navigation(pages + manager, position="top" if manager else "hidden").run()
