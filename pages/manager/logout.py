"""Log out: end the manager session (in the database, so for every tab) and return to the login page."""

import streamlit as st

from pages.components import auth

auth.log_out()
st.switch_page(auth.LOGIN_PAGE, query_params=auth.login_query(None))
