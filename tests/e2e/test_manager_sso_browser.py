"""Single sign-on for managers in Chromium: st.login against a real OpenID Connect provider on a loopback
port (tests/support/oidc.py), an allow-list of e-mail addresses, and the manager session afterwards."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from pages.components import web
from tests.support.driver import settle
from tests.support.navigation import go, links, logged_in, manager_link
from tests.support.oidc import OidcProvider, Provider
from tests.support.server import TABLET, Server
from trp_core.presentation.i18n import t

pytestmark = pytest.mark.browser

ALLOWED = "anna@example.com"


@pytest.fixture(scope="module")
def provider() -> Provider:
    with OidcProvider() as p:
        yield p


@pytest.fixture(scope="module")
def sso_server(chromium, provider, tmp_path_factory) -> Server:
    env = {
        "TRP_OIDC_METADATA_URL": provider.metadata_url,
        "TRP_OIDC_CLIENT_ID": provider.client_id,
        "TRP_OIDC_CLIENT_SECRET": provider.client_secret,
        "TRP_OIDC_MANAGERS": f"{ALLOWED}; bob@example.com",
    }
    srv = Server(tmp_path_factory.mktemp("sso-server"), env=env)
    yield srv
    srv.stop()


def login_page(browser, server: Server, lang: str = "en"):
    context = browser.new_context(viewport=TABLET, locale=lang)
    page = context.new_page()
    page.goto(server.url)
    settle(page)
    page.goto(f"{server.url}/manage?lang={lang}")
    page.get_by_role("heading", name=t("login_title", lang)).wait_for(timeout=30_000)
    settle(page)
    return context, page


def sign_on(page, lang: str = "en") -> None:
    page.get_by_role("button", name=t("login_sso", lang)).click()


def cookie_names(context) -> set[str]:
    return {c["name"] for c in context.cookies()}


def test_an_allowed_address_logs_in_and_out(browser, sso_server, provider):
    provider.user = {"sub": "a1", "email": "Anna@Example.com", "email_verified": True}
    before = provider.authorized
    context, page = login_page(browser, sso_server)
    sign_on(page)
    page.wait_for_url(lambda url: urlsplit(url).path == "/manage_dashboard", timeout=60_000)
    page.get_by_role("heading", name=t("mgr_dashboard_title", "en")).wait_for(timeout=30_000)
    logged_in(page)
    assert provider.authorized == before + 1, "through the provider"
    names = cookie_names(context)
    assert web.COOKIE in names, "the manager session"
    assert not any(n.startswith(web.STREAMLIT_IDENTITY) for n in names), "st.login's own cookie is gone"
    page.reload()
    page.get_by_role("heading", name=t("mgr_dashboard_title", "en")).wait_for(timeout=30_000)
    settle(page)
    assert manager_link(page).count() == 1

    go(page, "nav_logout")
    page.get_by_role("heading", name=t("login_title", "en")).wait_for(timeout=30_000)
    page.goto(f"{sso_server.url}/manage_dashboard")
    page.get_by_role("heading", name=t("login_title", "en")).wait_for(timeout=30_000)
    settle(page)
    assert links(page).count() == 0, "logged out stays logged out: no identity cookie logs in again"
    context.close()


@pytest.mark.parametrize(
    "user",
    [
        {"sub": "m1", "email": "mallory@example.com", "email_verified": True},
        {"sub": "a2", "email": ALLOWED, "email_verified": False},
        {"sub": "n1"},
    ],
    ids=["not on the list", "unverified", "no address"],
)
def test_any_other_account_is_refused(browser, sso_server, provider, user):
    provider.user = user
    context, page = login_page(browser, sso_server, "de")
    sign_on(page, "de")
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("sso") == ["refused"], timeout=60_000)
    page.get_by_text(t("login_sso_refused", "de")).wait_for(timeout=30_000)
    settle(page)
    assert links(page).count() == 0
    names = cookie_names(context)
    assert web.COOKIE not in names and not any(n.startswith(web.STREAMLIT_IDENTITY) for n in names)
    page.goto(f"{sso_server.url}/manage_dashboard")
    page.get_by_role("heading", name=t("login_title", "de")).wait_for(timeout=30_000)
    context.close()
