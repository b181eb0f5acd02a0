"""Manager login at /manage: name and password, one message for every failure, throttled on the server."""

import streamlit as st

from pages.components import auth, session
from pages.components import shared as ui
from trp_core.presentation.i18n import t
from trp_core.services.auth import MAX_PASSWORD_LENGTH

if auth.current_manager() is not None:
    st.switch_page(auth.MANAGER_PAGES[0][0])

ui.header()
lang = session.lang()
st.title(t("login_title", lang))
st.caption(t("login_lead", lang))

with st.form("login", clear_on_submit=True):
    name = st.text_input(t("login_name", lang), max_chars=64, autocomplete="username", key="login.name")
    password = st.text_input(
        t("login_password", lang),
        type="password",
        max_chars=MAX_PASSWORD_LENGTH,
        autocomplete="current-password",
        key="login.password",
    )
    submitted = st.form_submit_button(t("login_button", lang), type="primary", key="login.submit")

if submitted:
    problem = auth.log_in(name, password)
    if problem is None:
        st.rerun()  # app.py adds the manager pages to the navigation; then on to the dashboard, above
    st.error(problem, icon=":material/lock:")
