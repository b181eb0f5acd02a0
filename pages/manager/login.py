"""Manager login at /manage: name and password, one message for every failure, throttled on the server;
afterwards on to the page the manager came for (?next=), else the dashboard."""

import streamlit as st

from pages.components import auth, session
from pages.components import shared as ui
from trp_core.presentation.i18n import t
from trp_core.services.auth import MAX_PASSWORD_LENGTH

target = auth.target()
if auth.current_manager() is not None:
    auth.go_to(target)

ui.header()
lang = session.lang()
st.title(t("login_title", lang))
st.caption(t("login_lead", lang))
if st.query_params.get("sso") == "refused":
    st.error(t("login_sso_refused", lang), icon=":material/lock:")

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
    problem = auth.log_in(name, password, target)
    if problem is None:
        auth.go_to(target)  # app.py then sends the browser for its cookie, and back to that page
    st.error(problem, icon=":material/lock:")

if auth.sso_enabled() and st.button(t("login_sso", lang), icon=":material/badge:", key="login.sso"):
    st.login()  # to the identity provider and back; app.py then opens the manager session
