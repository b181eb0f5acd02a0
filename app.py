"""Streamlit entry point: settings and navigation over pages/, nothing else."""

import streamlit as st

st.set_page_config(page_title="TRP Self-Check", page_icon="🧭", layout="centered")
st.navigation([st.Page("pages/start.py", title="Start", icon="🧭", default=True)]).run()
