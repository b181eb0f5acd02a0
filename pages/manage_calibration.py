"""Placeholder for the manager calibration page, written by another helper; reachable only after login."""

import streamlit as st

from pages import _auth as auth

auth.require_manager()

st.title("Manager calibration")
