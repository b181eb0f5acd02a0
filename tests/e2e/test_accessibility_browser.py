"""axe-core on every partner and manager page at tablet and phone size in both languages: no serious
or critical violation, and <html lang> is the page's language. One server for all four runs."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, SURVEYS
from tests.e2e.test_manager_pages_browser import PASSWORD, manager_database
from tests.support.driver import Partner, settle
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


def manager_pages(page, base: str, lang: str, viewport: dict, problems: list[str]) -> None:
    page.goto(base)  # the first run goes through app.py, so that /manage is the login page
    settle(page)
    page.goto(f"{base}/manage?lang={lang}")
    settle(page)
    check(page, "login", lang, problems)
    password = page.get_by_label(t("login_password", lang), exact=True)
    page.get_by_label(t("login_name", lang)).fill("alice")
    password.fill(PASSWORD)
    password.press("Enter")
    page.wait_for_url("**/manage_dashboard*", timeout=30_000)
    page.get_by_role("heading", name=t("mgr_dashboard_title", lang)).wait_for(timeout=60_000)
    page.locator('[data-testid="stVegaLiteChart"]').nth(5).wait_for(timeout=60_000)
    check(page, "dashboard", lang, problems)
    for path, nav, title in MANAGER_PAGES:
        # Through the top navigation (a new page load would be a new session, logged out), which
        # a phone folds into a menu: it is clicked at tablet size, the page is checked at the run's.
        page.set_viewport_size(TABLET)
        page.get_by_test_id("stTopNavSection").filter(has_text=t("nav_manager", lang)).click()
        page.get_by_test_id("stTopNavDropdownLink").filter(has_text=t(nav, lang)).click()
        page.wait_for_url(f"**/{path}*", timeout=30_000)
        page.get_by_role("heading", name=t(title, lang)).wait_for(timeout=60_000)
        page.set_viewport_size(viewport)
        page.wait_for_timeout(600)
        check(page, path.removeprefix("manage_"), lang, problems)


@pytest.mark.parametrize(("tag", "viewport", "lang"), RUNS, ids=[r[0] for r in RUNS])
def test_every_page_passes_axe(browser, demo_server, artifacts, tag, viewport, lang):
    problems: list[str] = []
    context = browser.new_context(viewport=viewport, locale=lang)
    partner_pages(context.new_page(), demo_server.url, lang, artifacts, tag, problems)
    manager_pages(context.new_page(), demo_server.url, lang, viewport, problems)
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Streamlit 1.67's own markup: on a phone the top navigation folds into the sidebar, whose "
        "SidebarNav renders <ul data-testid='stSidebarNavItems'> with one <div> per navigation section "
        "(NavSection: a <header data-testid='stNavSectionHeader'> and the section's <li> links) as its "
        "direct children, so axe finds <ul> > <div> ('list') and <li> without a <ul> parent "
        "('listitem'). Only a navigation without sections avoids it; the manager's menu keeps its two "
        "sections. Remove this mark when the pinned Streamlit renders sections as lists."
    ),
)
def test_the_phones_open_navigation_menu_is_a_valid_list(browser, demo_server):
    """The manager's navigation menu, opened on a phone: axe's list rules on Streamlit's nav markup."""
    from axe_playwright_python.sync_playwright import Axe

    lang = "de"
    context = browser.new_context(viewport=PHONE, locale=lang)
    page = context.new_page()
    base = demo_server.url
    page.goto(base)
    settle(page)
    page.goto(f"{base}/manage?lang={lang}")
    settle(page)
    password = page.get_by_label(t("login_password", lang), exact=True)
    page.get_by_label(t("login_name", lang)).fill("alice")
    password.fill(PASSWORD)
    password.press("Enter")
    page.wait_for_url("**/manage_dashboard*", timeout=30_000)
    settle(page)
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebarNavItems").wait_for(timeout=30_000)
    page.wait_for_timeout(600)
    rules = {"runOnly": {"type": "rule", "values": ["list", "listitem"]}}
    violations = Axe().run(page, options=rules).response["violations"]
    context.close()
    found = [f"{v['id']}: {n['target']} {n['html'][:80]}" for v in violations for n in v["nodes"]]
    assert not found, "\n".join(found)
