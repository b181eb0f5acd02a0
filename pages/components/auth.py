"""Manager sessions: who is logged in, idle expiry, and the pages only managers may reach."""

from __future__ import annotations

import logging
import math
import time

import streamlit as st

from pages.components import resources, session
from pages.components.session import EXPIRED, MANAGER, SEEN
from trp_core.presentation.i18n import t
from trp_core.services.auth import Authenticator, parse_managers
from trp_core.services.results import StoreUnavailable

log = logging.getLogger("trp")

LOGIN_PAGE = "pages/manager/login.py"
LOGOUT_PAGE = "pages/manager/logout.py"
MANAGER_PAGES = (
    ("pages/manager/dashboard.py", "dashboard", "manage_dashboard"),
    ("pages/manager/calibration.py", "calibration", "manage_calibration"),
    ("pages/manager/exports.py", "exports", "manage_exports"),
    ("pages/manager/tags.py", "tags", "manage_tags"),
)


class LoginUnavailable(Exception):
    """The database cannot be used or TRP_MANAGERS cannot be read; the reason is in the server log."""


@st.cache_resource
def _authenticator(managers: str) -> Authenticator:
    return Authenticator(resources.store().engine, parse_managers(managers))


def authenticator() -> Authenticator:
    # Anything here (a corrupt or unreachable database, a schema behind this version, a bad
    # TRP_MANAGERS) gets one message for the manager; the reason goes to the server log.
    try:
        return _authenticator(resources.settings().managers)
    except Exception as exc:
        log.exception("manager login unavailable")
        raise LoginUnavailable from exc


def current_manager() -> str | None:
    """The logged-in manager, or None; a session idle for longer than allowed ends here."""
    name = st.session_state.get(MANAGER)
    if name is None:
        return None
    now = time.time()
    idle = resources.settings().manager_idle_minutes * 60
    if now - st.session_state.get(SEEN, 0.0) > idle:
        log_out("session_expired", minutes=f"{idle / 60:g}")
        st.session_state[EXPIRED] = True
        return None
    st.session_state[SEEN] = now
    return name


def require_manager() -> str:
    """The logged-in manager; anyone else goes to the login page. Call it first on every manager page."""
    name = current_manager()
    if name is None:
        st.session_state.pop(EXPIRED, None)
        st.switch_page(LOGIN_PAGE)
    return name


def log_in(typed_name: str, password: str) -> str | None:
    """Log in with the form's values: None on success, else the message to show."""
    lang = session.lang()
    try:
        result = authenticator().log_in(typed_name, password)
    except LoginUnavailable:
        return t("login_unavailable", lang)
    except StoreUnavailable:  # the database went away since the authenticator was made
        log.exception("manager login failed")
        return t("login_unavailable", lang)
    if not result.checked:
        return t("login_wait", lang, seconds=math.ceil(result.wait))
    if result.name is None:
        message = t("login_failed", lang)
        if result.wait > 0:
            message += " " + t("login_retry_in", lang, seconds=math.ceil(result.wait))
        return message
    st.session_state[MANAGER] = result.name
    st.session_state[SEEN] = time.time()
    log.info("manager %s logged in", result.name)
    return None


def log_out(notice: str = "logged_out", **values: object) -> None:
    """End the manager session; the notice is shown on the next page."""
    st.session_state.pop(MANAGER, None)
    st.session_state.pop(SEEN, None)
    session.notify(t(notice, session.lang(), **values))


def session_expired() -> bool:
    """Whether the manager session expired in this run (asked once, after the navigation is set)."""
    return bool(st.session_state.pop(EXPIRED, False))


def manager_pages(lang: str) -> list[st.Page]:
    """The manager pages, only for a logged-in manager: a direct URL reaches nothing otherwise."""
    if current_manager() is None:
        return []
    pages = [st.Page(path, title=t(f"nav_{key}", lang), url_path=url) for path, key, url in MANAGER_PAGES]
    logout = st.Page(LOGOUT_PAGE, title=t("nav_logout", lang), icon=":material/logout:", url_path="logout")
    return [*pages, logout]
