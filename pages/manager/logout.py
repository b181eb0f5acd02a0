"""Log out: end the manager session and return to the login page."""

import streamlit as st

from pages.components import auth

auth.log_out()
st.switch_page(auth.LOGIN_PAGE)
