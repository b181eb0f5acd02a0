"""Placeholder for the manager calibration page, written by another helper; reachable only after login."""

import streamlit as st

st.title("Manager calibration")
