"""Log out: end the manager session and return to the login page."""

import streamlit as st

from pages import _auth as auth
from pages import _shared as ui

ui.boot()

auth.log_out()
st.switch_page(auth.LOGIN_PAGE)
