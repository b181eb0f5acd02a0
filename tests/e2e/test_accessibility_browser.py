"""axe-core on every partner and manager page at tablet and phone size in both languages: no serious
or critical violation, and <html lang> is the page's language. One server for all four runs."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, SURVEYS
from tests.e2e.test_manager_pages_browser import PASSWORD, manager_database
from tests.support.driver import Partner, settle
from tests.support.navigation import MENU, go, links, logged_in, open_menu
from tests.support.server import PHONE, TABLET, Server
from trp_core.files.surveys import load_survey
from trp_core.presentation.i18n import t

pytestmark = pytest.mark.browser

RUNS = [
    ("tablet-de", TABLET, "de"),
    ("tablet-en", TABLET, "en"),
    ("phone-de", PHONE, "de"),
    ("phone-en", PHONE, "en"),
]
MANAGER_PAGES = [
    ("manage_calibration", "nav_calibration", "mgr_calibration_title"),
    ("manage_exports", "nav_exports", "mgr_exports_title"),
    ("manage_tags", "nav_tags", "mgr_tags_title"),
]


@pytest.fixture(scope="module")
def demo_server(chromium, tmp_path_factory) -> Server:
    """A server with the account alice and demo responses, so that the manager pages show charts."""
    folder = tmp_path_factory.mktemp("accessibility")
    engine, _, _ = manager_database(folder, 200, seed_value=5, pool=60)
    engine.dispose()
    srv = Server(folder)
    yield srv
    srv.stop()


def check(page, where: str, lang: str, problems: list[str]) -> None:
    """axe-core's serious and critical violations of the page as it is, and a wrong <html lang>."""
    from axe_playwright_python.sync_playwright import Axe

    settle(page)
    found = page.evaluate("() => document.documentElement.lang")
    if found != lang:
        problems.append(f"{where}: <html lang={found!r}>, the page is {lang!r}")
    for v in Axe().run(page).response["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            problems.append(f"{where}: {v['id']} ({v['impact']}) on {len(v['nodes'])} nodes: {targets}")


def partner_pages(page, base: str, lang: str, artifacts, tag: str, problems: list[str]) -> None:
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    answers = json.loads((ROOT / "tests" / "answers" / "trp-standard.held.json").read_text())["answers"]
    partner = Partner(page, base, survey, lang, artifacts, f"axe-{tag}")
    partner.open()
    check(page, "start", lang, problems)
    partner.start()
    check(page, "step", lang, problems)
    for section in survey.ordered_sections:
        partner.answer_section(section, answers)
        partner.next()
    partner.set_figures(answers)
    check(page, "calculator", lang, problems)
    partner.click_button(t("submit", lang))
    page.wait_for_selector("text=" + t("code_line", lang), timeout=30_000)
    check(page, "result", lang, problems)
    page.goto(f"{base}/profile?survey={survey.id}&lang={lang}")
    page.get_by_role("heading", name=t("profile_title", lang)).wait_for(timeout=30_000)
    check(page, "profile", lang, problems)


def login_page(page, base: str, lang: str) -> None:
    page.goto(base)  # the first run goes through app.py, so that /manage is the login page
    settle(page)
    page.goto(f"{base}/manage?lang={lang}")
    settle(page)


def log_in(page, lang: str) -> None:
    """On the login page, as alice; waits for the dashboard and the manager's navigation."""
    password = page.get_by_label(t("login_password", lang), exact=True)
    page.get_by_label(t("login_name", lang)).fill("alice")
    password.fill(PASSWORD)
    password.press("Enter")
    page.wait_for_url("**/manage_dashboard*", timeout=30_000)
    page.get_by_role("heading", name=t("mgr_dashboard_title", lang)).wait_for(timeout=60_000)
    logged_in(page, lang)


def manager_pages(page, base: str, lang: str, problems: list[str]) -> None:
    login_page(page, base, lang)
    check(page, "login", lang, problems)
    log_in(page, lang)
    page.locator('[data-testid="stVegaLiteChart"]').nth(5).wait_for(timeout=60_000)
    check(page, "dashboard", lang, problems)
    for path, nav, title in MANAGER_PAGES:
        # Through the navigation (a new page load would be a new session, logged out): the top bar
        # on a tablet, the menu on a phone.
        go(page, nav, lang)
        page.wait_for_url(f"**/{path}*", timeout=30_000)
        page.get_by_role("heading", name=t(title, lang)).wait_for(timeout=60_000)
        page.wait_for_timeout(600)
        check(page, path.removeprefix("manage_"), lang, problems)


@pytest.mark.parametrize(("tag", "viewport", "lang"), RUNS, ids=[r[0] for r in RUNS])
def test_every_page_passes_axe(browser, demo_server, artifacts, tag, viewport, lang):
    problems: list[str] = []
    context = browser.new_context(viewport=viewport, locale=lang)
    partner_pages(context.new_page(), demo_server.url, lang, artifacts, tag, problems)
    manager_pages(context.new_page(), demo_server.url, lang, problems)
    context.close()
    assert not problems, "\n".join(problems)


# Each link's label is cut (Streamlit truncates it with an ellipsis) or sticks out of the window.
CUT_JS = """() => [...document.querySelectorAll('[data-testid=stTopNavLink]')].map(a => {
  const box = a.getBoundingClientRect();
  const label = a.querySelector('[data-testid=stMarkdownContainer]') || a;
  const cut = [label, ...label.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 0.5);
  return {text: a.innerText.trim(), cut, left: box.left, right: box.right};
})"""


@pytest.mark.parametrize(("tag", "viewport", "lang"), RUNS, ids=[r[0] for r in RUNS])
def test_the_open_navigation_menu_is_a_valid_list_that_fits(
    browser, demo_server, artifacts, tag, viewport, lang
):
    """A logged-in manager's menu, opened: the top bar of a tablet, the side menu of a phone. All its
    links in their order, none cut or folded away, and no serious or critical axe violation (a menu
    in sections is a <ul> with <div>s in it on a phone: axe's list and listitem)."""
    context = browser.new_context(viewport=viewport, locale=lang)
    page = context.new_page()
    login_page(page, demo_server.url, lang)
    log_in(page, lang)
    settle(page)
    open_menu(page)
    shown = [
        link.get_by_test_id("stMarkdownContainer").inner_text().strip()
        for link in links(page).filter(visible=True).all()
    ]
    assert shown == [t(key, lang) for key in MENU], shown
    if viewport == TABLET:
        assert page.get_by_test_id("stTopNavSection").count() == 0, "links folded into a 'more' menu"
        for link in page.evaluate(CUT_JS):
            assert not link["cut"] and link["left"] >= 0 and link["right"] <= TABLET["width"], link
    else:
        assert page.get_by_test_id("stSidebarNavItems").is_visible()
    problems: list[str] = []
    check(page, "open menu", lang, problems)
    page.screenshot(path=artifacts / f"manager-menu-{tag}.png")
    context.close()
    assert not problems, "\n".join(problems)
