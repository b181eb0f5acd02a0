"""Manager sessions in Chromium against the real server (app.py's st.App: the app with its HTTP routes): a reload
and a bookmark keep the login, a logout ends every tab, the cookie's attributes, idle expiry on the
server, and manager downloads only for a live session of their own."""

from __future__ import annotations

import hashlib
import sqlite3
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from pages.components import web
from tests.conftest import SURVEYS
from tests.support.driver import settle
from tests.support.navigation import go, links, logged_in, manager_link
from tests.support.server import TABLET, Server
from trp_core.cli.main import main
from trp_core.files.surveys import load_survey
from trp_core.presentation.i18n import t

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
SURVEY = "trp-standard"
VERSION = load_survey(SURVEYS / f"{SURVEY}.yaml").version  # rows are exported per version


@pytest.fixture(scope="module")
def session_server(chromium, tmp_path_factory) -> Server:
    """A server of its own with the account alice and enough responses for an export."""
    folder = tmp_path_factory.mktemp("session-server")
    url = f"sqlite:///{folder / 'trp.sqlite3'}"
    runner = CliRunner()
    made = runner.invoke(
        main, ["admin", "add-user", "alice", "--password-stdin", "--url", url], input=PASSWORD + "\n"
    )
    assert made.exit_code == 0, made.output
    seeded = runner.invoke(
        main, ["demo", "seed", "-n", "60", "--survey", SURVEY, "--days", "20", "--url", url]
    )
    assert seeded.exit_code == 0, seeded.output
    srv = Server(folder)
    yield srv
    srv.stop()


def heading(page, text: str):
    return page.get_by_role("heading", name=text)


def on_login_page(page) -> bool:
    heading(page, t("login_title", "en")).wait_for(timeout=30_000)
    page.get_by_label(t("login_name", "en")).wait_for(timeout=30_000)
    settle(page)
    return page.get_by_label(t("login_name", "en")).is_visible()


def log_in(page, name: str = "alice", password: str = PASSWORD) -> None:
    """Fill the login form on the page shown and wait until the browser has its cookie and is back."""
    page.get_by_label(t("login_name", "en")).fill(name)
    page.get_by_label(t("login_password", "en"), exact=True).fill(password)
    with page.expect_response(lambda r: r.url.split("?")[0].endswith(web.SESSION_PATH), timeout=30_000):
        page.get_by_role("button", name=t("login_button", "en")).click()
    page.wait_for_load_state()
    logged_in(page)
    settle(page)


def fresh_page(browser, server: Server):
    context = browser.new_context(viewport=TABLET, locale="en", accept_downloads=True)
    page = context.new_page()
    page.goto(server.url)  # the first run goes through app.py (Streamlit's cold start serves pages/ by name)
    settle(page)
    return context, page


def session_cookie(context) -> dict:
    [cookie] = [c for c in context.cookies() if c["name"] == web.COOKIE]
    return cookie


def dashboard(page):
    heading(page, t("mgr_dashboard_title", "en")).wait_for(timeout=30_000)
    settle(page)


def test_a_reload_keeps_the_manager_on_the_same_page(browser, session_server):
    context, page = fresh_page(browser, session_server)
    page.goto(f"{session_server.url}/manage")
    assert on_login_page(page)
    log_in(page)
    dashboard(page)
    page.goto(f"{session_server.url}/manage_exports")
    heading(page, t("mgr_exports_title", "en")).wait_for(timeout=30_000)
    settle(page)
    page.reload()
    settle(page)
    heading(page, t("mgr_exports_title", "en")).wait_for(timeout=30_000)
    assert urlsplit(page.url).path == "/manage_exports"
    assert manager_link(page).count() == 1
    context.close()


def test_a_bookmarked_selection_opens_after_login(browser, session_server):
    context, page = fresh_page(browser, session_server)
    bookmark = f"{session_server.url}/manage_dashboard?f_survey={SURVEY}&f_lang=de"
    page.goto(bookmark)
    assert on_login_page(page), "not logged in: the login page, not the partners' start"
    kept = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path == "/manage" and kept["next"][0].startswith("/manage_dashboard?")
    page.reload()  # the login page keeps its target over a reload too
    assert on_login_page(page)
    log_in(page)
    dashboard(page)
    query = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path == "/manage_dashboard"
    assert query["f_survey"] == [SURVEY] and query["f_lang"] == ["de"]
    # The page writes its selection back to the address: a lost selection would have dropped f_lang.
    settle(page)
    assert parse_qs(urlsplit(page.url).query)["f_lang"] == ["de"]
    context.close()


def test_logout_in_one_tab_ends_the_other(browser, session_server):
    context, first = fresh_page(browser, session_server)
    first.goto(f"{session_server.url}/manage")
    assert on_login_page(first)
    log_in(first)
    second = context.new_page()
    second.goto(f"{session_server.url}/manage_calibration")
    heading(second, t("mgr_calibration_title", "en")).wait_for(timeout=30_000)
    settle(second)

    go(first, "nav_logout")
    assert on_login_page(first)
    assert first.get_by_text(t("logged_out", "en")).is_visible()

    # The other tab, still showing the calibration page, is logged out at its next step.
    go(second, "nav_dashboard")
    assert on_login_page(second)
    assert links(second).count() == 0
    second.reload()
    assert on_login_page(second), "and the cookie no longer logs anyone in"
    context.close()


def test_the_cookie_is_httponly_strict_and_secure(browser, session_server):
    context, page = fresh_page(browser, session_server)
    page.goto(f"{session_server.url}/manage")
    assert on_login_page(page)
    page.get_by_label(t("login_name", "en")).fill("alice")
    page.get_by_label(t("login_password", "en"), exact=True).fill(PASSWORD)
    with page.expect_response(lambda r: r.url.split("?")[0].endswith(web.SESSION_PATH)) as handed:
        page.get_by_role("button", name=t("login_button", "en")).click()
    header = handed.value.header_value("set-cookie") or ""
    attributes = {a.strip().lower() for a in header.split(";")[1:]}
    assert header.startswith(f"{web.COOKIE}=")
    assert {"httponly", "samesite=strict", "secure", "path=/"} <= attributes, header
    assert not any(a.startswith(("max-age", "expires", "domain")) for a in attributes), header
    assert handed.value.status == 303
    logged_in(page)
    cookie = session_cookie(context)  # Chromium kept it, Secure on http://127.0.0.1
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    assert web.COOKIE not in page.evaluate("document.cookie"), "no script can read it"
    context.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Cookie": f"{web.COOKIE}={cookie}"} if cookie else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_a_hand_over_token_works_once(browser, session_server):
    context, page = fresh_page(browser, session_server)
    page.goto(f"{session_server.url}/manage")
    assert on_login_page(page)
    page.get_by_label(t("login_name", "en")).fill("alice")
    page.get_by_label(t("login_password", "en"), exact=True).fill(PASSWORD)
    with page.expect_request(lambda r: r.url.split("?")[0].endswith(web.SESSION_PATH)) as handed:
        page.get_by_role("button", name=t("login_button", "en")).click()
    used = handed.value.url
    logged_in(page)
    status, headers, _ = fetch(used)
    assert status == 303 and urlsplit(headers["location"]).path == "/manage"
    assert "set-cookie" not in {k.lower() for k in headers}
    status, headers, _ = fetch(
        f"{session_server.url}{web.SESSION_PATH}?token={'A' * 43}&next=https://evil.example/"
    )
    assert status == 303 and "evil" not in headers["location"].split("next=")[0]
    assert parse_qs(urlsplit(headers["location"]).query)["next"] == ["/manage_dashboard"]
    context.close()


def test_an_idle_session_ends_on_the_server(browser, session_server):
    context, page = fresh_page(browser, session_server)
    page.goto(f"{session_server.url}/manage_calibration")
    assert on_login_page(page)
    log_in(page)
    heading(page, t("mgr_calibration_title", "en")).wait_for(timeout=30_000)
    cookie = session_cookie(context)["value"]
    # 31 minutes without activity, as the database records it (the default idle time is 30).
    with sqlite3.connect(session_server.db) as db:
        db.execute("UPDATE manager_sessions SET last_seen = last_seen - 31 * 60, created = created - 31 * 60")
    page.reload()
    assert on_login_page(page)
    assert links(page).count() == 0
    with sqlite3.connect(session_server.db) as db:
        row = db.execute(
            "SELECT revoked FROM manager_sessions WHERE id_hash = ?",
            (hashlib.sha256(cookie.encode()).hexdigest(),),
        ).fetchone()
    assert row == (1,), "the server ended it; the browser's cookie no longer logs anyone in"
    context.close()


def test_a_manager_download_needs_the_live_session_that_made_it(browser, session_server):
    context, page = fresh_page(browser, session_server)
    page.goto(f"{session_server.url}/manage_exports?f_survey={SURVEY}&f_version={VERSION}")
    assert on_login_page(page)
    log_in(page)
    heading(page, t("mgr_exports_title", "en")).wait_for(timeout=30_000)
    settle(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=t("mgr_exp_csv", "en"), exact=True).click()
    media = download.value.url
    assert urlsplit(media).path.startswith("/media/")
    assert download.value.path().read_bytes(), "the manager gets the file"
    cookie = session_cookie(context)["value"]

    assert fetch(media)[0] == 404, "no cookie: nothing"
    assert fetch(media, "0" * 64)[0] == 404, "another cookie: nothing"
    status, headers, body = fetch(media, cookie)
    assert status == 200 and body and "no-store" in headers.get("cache-control", "")

    go(page, "nav_logout")
    assert on_login_page(page)
    assert fetch(media, cookie)[0] == 404, "after logout: nothing, even with the old cookie"
    context.close()


def test_a_manager_download_ends_with_the_idle_time(browser, session_server):
    context, page = fresh_page(browser, session_server)
    page.goto(f"{session_server.url}/manage_exports?f_survey={SURVEY}&f_version={VERSION}")
    assert on_login_page(page)
    log_in(page)
    heading(page, t("mgr_exports_title", "en")).wait_for(timeout=30_000)
    settle(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=t("mgr_exp_xlsx", "en"), exact=True).click()
    media, cookie = download.value.url, session_cookie(context)["value"]
    assert fetch(media, cookie)[0] == 200
    with sqlite3.connect(session_server.db) as db:  # 31 minutes without activity, on the server
        db.execute("UPDATE manager_sessions SET last_seen = last_seen - 31 * 60, created = created - 31 * 60")
    assert fetch(media, cookie)[0] == 404, "the file is gone with the session"
    page.reload()
    assert on_login_page(page)
    context.close()
