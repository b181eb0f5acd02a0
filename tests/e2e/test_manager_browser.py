"""A manager in Chromium: direct URLs without login, login with an account made by `trp admin`, logout."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pages.components import auth
from tests.support.driver import screenshot, settle
from tests.support.navigation import go, links, logged_in
from tests.support.server import PHONE, TABLET, Server
from trp_core.cli.main import main
from trp_core.presentation.i18n import t

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
MANAGER_URLS = ["manage_dashboard", "manage_calibration", "manage_exports"]


@pytest.fixture(scope="module")
def manager_server(chromium, tmp_path_factory) -> Server:
    """A fresh server of its own, so that the first request of the test is its first run."""
    folder = tmp_path_factory.mktemp("manager-server")
    url = f"sqlite:///{folder / 'trp.sqlite3'}"
    made = CliRunner().invoke(
        main, ["admin", "add-user", "alice", "--password-stdin", "--url", url], input=PASSWORD + "\n"
    )
    assert made.exit_code == 0, made.output
    srv = Server(folder)
    yield srv
    srv.stop()


def titles(page) -> list[str]:
    """The page titles, once a page has rendered one (a redirect reruns the app once more)."""
    headings = page.locator('[data-testid="stMain"] h1')
    headings.first.wait_for(timeout=30_000)
    settle(page)
    return [h.strip() for h in headings.all_inner_texts()]


PUBLIC_TITLES = {t("login_title", "en"), t("app_title", "en")}  # the login page or the partners' start


def test_direct_urls_without_login_show_no_manager_content(browser, manager_server):
    context = browser.new_context(viewport=TABLET, locale="en")
    page = context.new_page()
    for path in MANAGER_URLS:  # the first is the server's very first run
        page.goto(f"{manager_server.url}/{path}")
        settle(page)
        shown = titles(page)
        assert shown and set(shown) <= PUBLIC_TITLES, (path, shown)
        assert links(page).count() == 0 and set(titles(page)) <= PUBLIC_TITLES
    context.close()


def test_login_and_logout(browser, manager_server, artifacts):
    context = browser.new_context(viewport=TABLET, locale="en")
    page = context.new_page()
    # Until a request has run app.py, Streamlit serves pages/ by file names, where the login
    # page is not at /manage (see test_manager_cold_start.py): the start page ends that.
    page.goto(manager_server.url)
    settle(page)
    page.goto(f"{manager_server.url}/manage")
    settle(page)
    assert page.get_by_role("heading", name=t("login_title", "en")).is_visible()
    assert page.get_by_role("dialog").count() == 0
    screenshot(page, artifacts / "manager-login-tablet.png")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    screenshot(page, artifacts / "manager-login-phone.png")
    page.set_viewport_size(TABLET)

    page.get_by_label(t("login_name", "en")).fill("nobody")
    page.get_by_label(t("login_password", "en"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t("login_button", "en")).click()
    settle(page)
    assert page.get_by_text(t("login_failed", "en")).is_visible()
    screenshot(page, artifacts / "manager-login-failed.png")

    page.get_by_label(t("login_name", "en")).fill("Alice")
    page.get_by_label(t("login_password", "en"), exact=True).fill(PASSWORD)
    page.get_by_label(t("login_password", "en"), exact=True).press("Enter")
    settle(page)
    page.wait_for_url("**/manage_dashboard*", timeout=30_000)
    settle(page)
    logged_in(page)
    assert titles(page) and not set(titles(page)) & PUBLIC_TITLES
    screenshot(page, artifacts / "manager-dashboard-tablet.png")

    go(page, "nav_logout")
    page.wait_for_url(lambda url: url.split("?")[0].endswith("/manage"), timeout=30_000)
    settle(page)
    assert page.get_by_role("heading", name=t("login_title", "en")).is_visible()
    assert page.get_by_text(t("logged_out", "en")).is_visible()
    assert links(page).count() == 0

    page.goto(f"{manager_server.url}/{MANAGER_URLS[0]}")
    settle(page)
    assert links(page).count() == 0 and set(titles(page)) <= PUBLIC_TITLES
    context.close()


def test_a_session_key_set_by_hand_is_not_possible_from_the_browser(browser, manager_server):
    """The session lives on the server: no cookie or URL parameter makes a manager."""
    context = browser.new_context(viewport=TABLET)
    context.add_cookies([{"name": auth.MANAGER, "value": "alice", "url": manager_server.url}])
    page = context.new_page()
    page.goto(f"{manager_server.url}/{MANAGER_URLS[0]}?{auth.MANAGER}=alice")
    settle(page)
    assert links(page).count() == 0
    context.close()
