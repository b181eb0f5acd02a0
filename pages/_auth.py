"""Manager sessions: who is logged in, idle expiry, and the pages only managers may reach."""

from __future__ import annotations

import streamlit as st

MANAGER = "trp.manager"  # the logged-in manager's name
SEEN = "trp.manager_seen"  # time.time() of the manager's last activity

LOGIN_PAGE = "pages/login.py"
MANAGER_PAGES = (
    ("pages/manage_dashboard.py", "dashboard"),
    ("pages/manage_calibration.py", "calibration"),
    ("pages/manage_exports.py", "exports"),
)


def current_manager() -> str | None:
    """The logged-in manager, or None (placeholder until login is built)."""
    return None


def manager_pages(lang: str) -> list[st.Page]:
    """The manager pages, only for a logged-in manager: a direct URL reaches nothing otherwise."""
    return []
