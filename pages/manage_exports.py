"""Placeholder for the manager exports page, written by another helper; reachable only after login."""

import streamlit as st

st.title("Manager exports")
