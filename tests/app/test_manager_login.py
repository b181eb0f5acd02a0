"""Manager login in the real app (AppTest), on SQLite and PostgreSQL: reach, login, logout, expiry, throttle.

A tab holds the server-side session it logged in with; the browser's cookie (tests/e2e/
test_manager_session_browser.py) carries it to reloads and other tabs.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from pages.components import auth, resources, session, web
from tests.app.conftest import new_app
from tests.store.conftest import BACKENDS, pg_admin, pg_database  # noqa: F401  (pg_admin is a fixture)
from trp_core.presentation.i18n import t
from trp_core.services.auth import hash_password
from trp_core.store.accounts import Accounts
from trp_core.store.engine import make_engine
from trp_core.store.migrate import upgrade
from trp_core.store.models import ManagerSession

PASSWORD = "correct horse battery"
MANAGER_FILES = [path for path, _, _ in auth.MANAGER_PAGES]


@pytest.fixture(scope="module")
def alice_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture(params=BACKENDS)
def manager_db(request: pytest.FixtureRequest, tmp_path, monkeypatch, alice_hash) -> Iterator[str]:
    """A migrated database with the account alice, as the app's TRP_DATABASE_URL."""

    def prepared(url) -> str:
        engine = make_engine(url)
        try:
            upgrade(engine)
            Accounts(engine).add("alice", alice_hash)
        finally:
            engine.dispose()
        text = url if isinstance(url, str) else url.render_as_string(hide_password=False)
        monkeypatch.setenv("TRP_DATABASE_URL", text)
        st.cache_resource.clear()
        return text

    if request.param == "sqlite":
        yield prepared(f"sqlite:///{tmp_path / 'trp.sqlite3'}")
    else:
        with pg_database(request.getfixturevalue("pg_admin")) as url:
            yield prepared(url)
            resources.flush_counts()  # the funnel counts of the test, before the database is dropped
    st.cache_resource.clear()


def login_page() -> AppTest:
    at = new_app()
    return at.switch_page(auth.LOGIN_PAGE).run()


def submit(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login.name").input(name)
    at.text_input(key="login.password").input(password)
    return at.button(key="login.submit").click().run()


def on_login_page(at: AppTest) -> bool:
    return any(w.key == "login.name" for w in at.text_input)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def shows_start_page(at: AppTest) -> bool:
    return [x.value for x in at.title] == [t("app_title", "en")]


def logged_in() -> AppTest:
    at = submit(login_page(), "alice", PASSWORD)
    assert not at.exception, at.exception
    assert at.session_state[auth.MANAGER] == "alice"
    return at


# --- without a database -------------------------------------------------------------------


def unreachable(at: AppTest, page: str) -> bool:
    """The page is not in the session's navigation: switching to it is refused."""
    try:
        at.switch_page(page)
    except ValueError as exc:
        return "Could not find a navigation page" in str(exc)
    return False


def leads_to_login(at: AppTest, page: str) -> bool:
    """Asked for without a login, the manager page shows the login page, which keeps the page as its target."""
    at.switch_page(page).run()
    url = next(url for path, _, url in auth.MANAGER_PAGES if path == page)
    return on_login_page(at) and at.query_params["next"] == f"/{url}" and not at.exception


@pytest.mark.parametrize("page", MANAGER_FILES)
def test_manager_pages_lead_to_the_login_page_without_login(app_db, page):
    at = new_app()
    assert not at.exception and shows_start_page(at)
    assert leads_to_login(at, page)
    assert [x.value for x in at.title] == [t("login_title", "en")], "nothing of the manager page"
    at.switch_page(auth.LOGIN_PAGE).run()
    assert leads_to_login(at, page), "from the login page too"


def test_a_name_in_the_session_without_a_server_session_is_no_login(app_db):
    at = new_app()
    at.session_state[auth.MANAGER] = "alice"
    at.run()
    assert auth.MANAGER not in at.session_state
    assert all(leads_to_login(at, page) for page in MANAGER_FILES)


def test_a_made_up_session_id_is_no_login(manager_db):
    at = new_app()
    at.session_state[session.SESSION] = "0" * 64
    at.run()
    assert auth.MANAGER not in at.session_state
    assert all(leads_to_login(at, page) for page in MANAGER_FILES)


def test_the_login_page_is_reachable_and_empty(app_db):
    at = login_page()
    assert not at.exception
    assert on_login_page(at)
    assert [x.value for x in at.title] == [t("login_title", "en")]
    assert at.text_input(key="login.password").value == ""


def test_login_page_in_german(app_db):
    at = new_app(lang="de")
    at.switch_page(auth.LOGIN_PAGE).run()
    assert [x.value for x in at.title] == [t("login_title", "de")]


def test_a_kiosk_tablet_has_no_login_page(app_db, monkeypatch):
    from pages.components import kiosk

    monkeypatch.setattr(kiosk, "active", lambda: True)
    at = new_app()
    assert unreachable(at, auth.LOGIN_PAGE)
    assert all(unreachable(at, page) for page in MANAGER_FILES), "nor any manager page"


@pytest.mark.parametrize("broken", ["corrupt sqlite", "unreachable postgresql"])
def test_a_broken_database_gives_managers_a_clear_message(broken, tmp_path, monkeypatch):
    if broken == "corrupt sqlite":
        file = tmp_path / "trp.sqlite3"
        file.write_bytes(b"this is not a database, just some bytes " * 200)
        url = f"sqlite:///{file}"
    else:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{port}/test"
    monkeypatch.setenv("TRP_DATABASE_URL", url)
    st.cache_resource.clear()
    try:
        at = submit(login_page(), "alice", PASSWORD)
    finally:
        st.cache_resource.clear()
    assert not at.exception
    assert errors(at) == [t("login_unavailable", "en")]
    assert auth.MANAGER not in at.session_state


def test_a_bad_trp_managers_gives_the_same_clear_message(app_db, monkeypatch):
    monkeypatch.setenv("TRP_MANAGERS", "alice=not-a-hash")
    st.cache_resource.clear()
    at = submit(login_page(), "alice", PASSWORD)
    assert errors(at) == [t("login_unavailable", "en")]


# --- with accounts, on both back-ends -----------------------------------------------------


def test_login_reaches_the_manager_pages(manager_db):
    web.routes()  # as app.py's server mounts them in the server's process
    at = logged_in()
    assert not on_login_page(at), "switched to the dashboard"
    assert errors(at) == []
    [handover] = [h for h in at.get("html") if web.SESSION_PATH in str(h.proto)]  # the browser's cookie next
    assert "token=" in str(handover.proto)
    for page in MANAGER_FILES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert not on_login_page(at) and not shows_start_page(at)
    at.switch_page(auth.LOGIN_PAGE).run()
    assert not on_login_page(at), "a logged-in manager at /manage goes on to the dashboard"


def test_the_password_is_not_kept_in_the_session(manager_db):
    at = logged_in()
    assert PASSWORD not in repr(at.session_state.to_dict())


def test_environment_account(manager_db, monkeypatch):
    monkeypatch.setenv("TRP_MANAGERS", f"carol:{hash_password('carols long password')}")
    st.cache_resource.clear()
    at = submit(login_page(), "Carol", "carols long password")
    assert at.session_state[auth.MANAGER] == "carol"


def other_tab(at: AppTest) -> AppTest:
    """A second session of the same browser: the same session id, as its cookie would carry it."""
    tab = new_app()
    tab.session_state[session.SESSION] = at.session_state[session.SESSION]
    return tab.switch_page(MANAGER_FILES[1]).run()


def test_logout_returns_to_the_login_page(manager_db):
    at = logged_in()
    tab = other_tab(at)
    assert tab.session_state[auth.MANAGER] == "alice" and not on_login_page(tab)
    at.switch_page(auth.LOGOUT_PAGE).run()
    assert not at.exception
    assert auth.MANAGER not in at.session_state
    assert on_login_page(at)
    assert [x.value for x in at.info] == [t("logged_out", "en")]
    assert all(leads_to_login(at, page) for page in MANAGER_FILES), "gone with the session"
    # The other tab is logged out at its next step, and says so.
    tab.switch_page(MANAGER_FILES[0]).run()
    assert auth.MANAGER not in tab.session_state and on_login_page(tab)
    assert [x.value for x in tab.info] == [t("logged_out", "en")]


def idle_for(url: str, minutes: float) -> None:
    """Move every session's last activity (and login) back, as the database would record that idle time."""
    engine = make_engine(url)
    try:
        with engine.begin() as c:
            c.execute(
                update(ManagerSession).values(
                    last_seen=time.time() - minutes * 60, created=ManagerSession.created - minutes * 60
                )
            )
    finally:
        engine.dispose()


def test_idle_session_expires(manager_db):
    at = logged_in()
    idle_for(manager_db, 29)
    at.switch_page(MANAGER_FILES[1]).run()
    assert at.session_state[auth.MANAGER] == "alice", "29 minutes idle: still logged in"
    at.switch_page(MANAGER_FILES[2]).run()
    idle_for(manager_db, 29)  # activity refreshed the time: another 29 minutes are fine
    at.switch_page(MANAGER_FILES[1]).run()
    assert at.session_state[auth.MANAGER] == "alice"
    idle_for(manager_db, 31)
    at.switch_page(MANAGER_FILES[0]).run()
    assert not at.exception
    assert auth.MANAGER not in at.session_state
    assert on_login_page(at), "back to the login page"
    assert [x.value for x in at.info] == [t("session_expired", "en", minutes="30")]
    assert all(leads_to_login(at, page) for page in MANAGER_FILES)


def test_idle_time_is_configurable(manager_db, monkeypatch):
    monkeypatch.setenv("TRP_MANAGER_IDLE_MINUTES", "5")
    st.cache_resource.clear()
    at = logged_in()
    idle_for(manager_db, 6)
    at.switch_page(MANAGER_FILES[0]).run()
    assert auth.MANAGER not in at.session_state
    assert [x.value for x in at.info] == [t("session_expired", "en", minutes="5")]


def test_the_login_page_sends_the_manager_to_the_kept_target(manager_db):
    at = new_app()
    at.query_params["f_lang"] = "de"
    at.switch_page(MANAGER_FILES[2]).run()
    assert on_login_page(at) and at.query_params["next"] == "/manage_exports?f_lang=de"
    at.switch_page(auth.LOGIN_PAGE)  # AppTest runs the page it was told, whatever the last run switched to
    at = submit(at, "alice", PASSWORD)
    assert not on_login_page(at)
    assert [x.value for x in at.title] == [t("mgr_exports_title", "en")]
    assert at.query_params["f_lang"] == "de"


def test_one_message_for_unknown_name_and_wrong_password(manager_db):
    wrong = errors(submit(login_page(), "alice", "not the password"))
    unknown = errors(submit(login_page(), "nobody", "not the password"))
    assert wrong == unknown == [t("login_failed", "en")]


def test_repeated_failures_are_throttled(manager_db):
    at = login_page()
    seen = [errors(submit(at, "alice", "not the password")) for _ in range(4)]
    failed = t("login_failed", "en")
    # 2 s from the 4th failure, whose time is kept rounded up to a minute (GRAIN): 2 to 62 s.
    retry = {failed + " " + t("login_retry_in", "en", seconds=n) for n in range(2, 63)}
    assert seen[:3] == [[failed]] * 3 and len(seen[3]) == 1 and seen[3][0] in retry
    # Held: even the right password is not checked now, and the page says how long to wait.
    held = {t("login_wait", "en", seconds=n) for n in range(1, 63)}
    [message] = errors(submit(at, "alice", PASSWORD))
    assert message in held
    assert auth.MANAGER not in at.session_state
    # A fresh browser session is held just the same: the throttle is on the server.
    [message] = errors(submit(login_page(), "alice", PASSWORD))
    assert message in held
