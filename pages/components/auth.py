"""Manager sessions in the pages: who is logged in (the server-side session behind the tab or the
browser's cookie), the way to the login page and back, and the pages only managers may reach."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

import streamlit as st

from pages.components import resources, session, web
from pages.components.session import DEAD, EXPIRED, FOLLOW, MANAGER, SESSION, SSO_SEEN
from trp_core.presentation.i18n import t
from trp_core.services.auth import (
    Authenticator,
    OpenedSession,
    SessionEnd,
    Sessions,
    parse_managers,
    parse_sso_managers,
    sso_manager,
)
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
PAGE_OF_PATH = {f"/{url}": path for path, _, url in MANAGER_PAGES}


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


# The object holds no state of its own (the sessions are rows in the database), so a client's
# clear-cache message only makes it again.
@st.cache_resource
def _sessions(database_url: str, idle_minutes: float) -> Sessions:
    return Sessions(resources.store().engine, idle_minutes)


def sessions() -> Sessions:
    cfg = resources.settings()
    try:
        return _sessions(cfg.database_url, cfg.manager_idle_minutes)
    except Exception as exc:
        log.exception("manager sessions unavailable")
        raise LoginUnavailable from exc


def session_id() -> str | None:
    """The id of the session this tab logged in with, else the browser's cookie."""
    cookie = st.context.cookies.get(web.COOKIE)
    return st.session_state.get(SESSION) or (cookie if isinstance(cookie, str) and cookie else None)


def current_manager() -> str | None:
    """The logged-in manager, or None. Asked of the database on every run, so that an idle expiry or
    a logout in another tab ends this tab's session at its next step."""
    sid = session_id()
    if sid is None or sid == st.session_state.get(DEAD):
        st.session_state.pop(MANAGER, None)
        return None
    try:
        check = sessions().check(sid)
    except (LoginUnavailable, StoreUnavailable):
        # The database is down: a tab logged in a moment ago stays on its page, which says so
        # (nothing can be read meanwhile, and every download checks the session again).
        log.exception("manager session not checked")
        return st.session_state.get(MANAGER)
    if check.manager is not None:
        st.session_state[MANAGER] = check.manager
        return check.manager
    st.session_state[DEAD] = sid
    st.session_state.pop(SESSION, None)
    if st.session_state.pop(MANAGER, None) is not None:  # this tab was logged in: say why it is no more
        st.session_state[EXPIRED] = True
        if check.end is SessionEnd.ENDED:
            session.notify(t("session_expired", session.lang(), minutes=f"{sessions().idle_minutes:g}"))
        else:
            session.notify(t("logged_out", session.lang()))
    return None


def login_query(target: str | None) -> dict[str, str]:
    """The login page's query: the page to return to, and the language."""
    query = {"lang": session.lang()}
    if target:
        query["next"] = target
    return query


def guard(page: st.Page, logged_in: bool) -> None:
    """Before a page runs: a manager page without a login (never logged in, expired, logged out in
    another tab) goes to the login page, which keeps the page and its selection as its target."""
    expired = bool(st.session_state.pop(EXPIRED, False))
    manager_page = f"/{page.url_path}" in PAGE_OF_PATH
    if logged_in and not expired:
        return
    if manager_page:
        query = {k: v for k, v in st.query_params.to_dict().items() if k not in ("lang", "next")}
        target = f"/{page.url_path}" + (f"?{urlencode(query)}" if query else "")
        st.switch_page(LOGIN_PAGE, query_params=login_query(target))
    if expired and page.url_path != "manage":
        st.switch_page(LOGIN_PAGE, query_params=login_query(None))


def require_manager() -> str:
    """The logged-in manager; anyone else goes to the login page. Call it first on every manager page."""
    name = current_manager()
    if name is None:
        st.session_state.pop(EXPIRED, None)
        st.switch_page(LOGIN_PAGE, query_params=login_query(None))
    return name


def target() -> str:
    """Where the login page sends a manager: the kept target, else the dashboard."""
    return web.safe_target(st.query_params.get("next"))


def go_to(target_path: str) -> None:
    """Switch to a manager page by its address (path and query)."""
    parts = urlsplit(target_path)
    page = PAGE_OF_PATH.get(parts.path, MANAGER_PAGES[0][0])
    query = dict(parse_qsl(parts.query))
    query.setdefault("lang", session.lang())
    st.switch_page(page, query_params=query)


def log_in(typed_name: str, password: str, target_path: str) -> str | None:
    """Log in with the form's values: None on success, else the message to show. On success the tab
    holds the new session at once, and the browser fetches its cookie on the next page."""
    lang = session.lang()
    try:
        result = authenticator().log_in(typed_name, password)
        if result.name is not None:
            opened = sessions().open(result.name)
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
    _start(result.name, opened, target_path)
    log.info("manager %s logged in", result.name)
    return None


def _start(name: str, opened: OpenedSession, target_path: str) -> None:
    """The tab holds the new session at once; the browser fetches its cookie on the next page."""
    st.session_state[SESSION] = opened.session_id
    st.session_state[MANAGER] = name
    st.session_state.pop(DEAD, None)
    lang = session.lang()
    next_page = urlsplit(target_path)
    query = dict(parse_qsl(next_page.query))
    query.setdefault("lang", lang)
    cookie_url = f"{web.SESSION_PATH}?" + urlencode(
        {"token": opened.handover, "next": f"{next_page.path}?{urlencode(query)}", "lang": lang}
    )
    st.session_state[FOLLOW] = cookie_url


def sso_enabled() -> bool:
    """Whether managers may also log in through the identity provider (TRP_OIDC_METADATA_URL)."""
    return bool(resources.settings().oidc_metadata_url)


def single_sign_on() -> None:
    """Back from the identity provider (st.user): an address on TRP_OIDC_MANAGERS gets a manager session
    as a password login does; any other is forgotten and refused. Either way the route that follows
    deletes st.login's own cookie, so the manager session is the only login."""
    if not sso_enabled() or st.session_state.get(SSO_SEEN) or FOLLOW in st.session_state:
        return
    user = st.user.to_dict()
    if not user.get("is_logged_in"):
        return
    st.session_state[SSO_SEEN] = True
    allowed = parse_sso_managers(resources.settings().oidc_managers)
    name = sso_manager(user.get("email"), user.get("email_verified"), allowed)
    if name is None:
        log.warning("single sign-on refused: the address is not in TRP_OIDC_MANAGERS")
        st.session_state[FOLLOW] = f"{web.REFUSED_PATH}?{urlencode({'lang': session.lang()})}"
        return
    try:
        opened = sessions().open(name)
    except (LoginUnavailable, StoreUnavailable):
        log.exception("manager session not opened after single sign-on")
        return
    _start(name, opened, web.safe_target(None))
    log.info("manager %s logged in by single sign-on", name)


def hand_over() -> None:
    """After a login: send the browser once to the route that sets its cookie and comes back here."""
    url = st.session_state.pop(FOLLOW, None)
    if url is None:
        return
    if not web.mounted():  # a bare `streamlit run app.py`: only this tab is logged in
        log.warning("manager session without a cookie: start the app with `streamlit run app.py`")
        return
    address = json.dumps(url).replace("<", "\\u003c")  # URL-encoded already; never a closing tag
    st.html(f"<script>window.location.replace({address});</script>", unsafe_allow_javascript=True)


def log_out() -> None:
    """End the manager session for every tab of this browser and every app process."""
    sid = session_id()
    if sid is not None:
        try:
            sessions().close(sid)
        except (LoginUnavailable, StoreUnavailable):
            log.exception("manager logout failed")
        st.session_state[DEAD] = sid
    for key in (SESSION, MANAGER, FOLLOW):
        st.session_state.pop(key, None)
    session.notify(t("logged_out", session.lang()))


def guarded_download(produce: Callable[[], bytes], mime: str, file_name: str) -> Callable[[], bytes]:
    """A download that checks the session when clicked and is served only to this manager's browser."""
    return web.guarded(produce, sessions(), session_id(), mime, file_name)


def manager_pages(lang: str) -> list[st.Page]:
    """The manager pages (the navigation shows them only after login; without, they lead to the login page)."""
    return [st.Page(path, title=t(f"nav_{key}", lang), url_path=url) for path, key, url in MANAGER_PAGES]


def logout_page(lang: str) -> st.Page:
    return st.Page(LOGOUT_PAGE, title=t("nav_logout", lang), icon=":material/logout:", url_path="logout")
