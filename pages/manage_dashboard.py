"""Placeholder for the manager dashboard page, written by another helper; reachable only after login."""

import streamlit as st

st.title("Manager dashboard")
