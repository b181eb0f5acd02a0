"""The manager pages in Chromium, logged in through the login page: hostile free text stays inert,
nothing is requested from any host but the app; screenshots of every page at tablet and phone size."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from tests.conftest import SURVEYS
from tests.store.manager.conftest import add
from tests.support.driver import screenshot, settle
from tests.support.navigation import go
from tests.support.server import PHONE, TABLET, Server
from trp_core.cli.main import main
from trp_core.files.surveys import load_survey
from trp_core.method.figures import Period, period_start
from trp_core.method.survey import Survey
from trp_core.presentation.i18n import t
from trp_core.services.demo import seed
from trp_core.store.engine import make_engine
from trp_core.store.migrate import upgrade
from trp_core.store.repository import Store

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "[click](https://evil.example/phish)",
    "![pixel](https://evil.example/pixel.png)",
    "<iframe src=https://evil.example/></iframe>",
    "javascript:alert(4)",
    "**bold** _it_ <b>b</b> :red[red]",
    '=HYPERLINK("https://evil.example")',
    "<a href=https://evil.example>link</a>",
]
PAGES = [
    ("manage_dashboard", "nav_dashboard"),
    ("manage_calibration", "nav_calibration"),
    ("manage_exports", "nav_exports"),
]


def manager_database(folder, responses: int, seed_value: int, pool: int) -> tuple[Engine, Store, Survey]:
    """A SQLite file in `folder` with the account alice and `responses` demo responses of
    trp-standard over the last 120 days; the engine to add more (dispose it before the server starts)."""
    url = f"sqlite:///{folder / 'trp.sqlite3'}"
    made = CliRunner().invoke(
        main, ["admin", "add-user", "alice", "--password-stdin", "--url", url], input=PASSWORD + "\n"
    )
    assert made.exit_code == 0, made.output
    engine = make_engine(url)
    upgrade(engine)
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    seed(
        engine,
        [survey],
        responses,
        events=[None, "expo"],
        days=120,
        seed=seed_value,
        today=date.today(),
        pool=pool,
    )
    return engine, Store(engine), survey


@pytest.fixture(scope="module")
def filled_server(chromium, tmp_path_factory) -> Server:
    """A server of its own with an account, 600 demo responses and 60 hostile free-text answers."""
    folder = tmp_path_factory.mktemp("manager-pages")
    engine, store, survey = manager_database(folder, 600, seed_value=9, pool=120)
    # In the last quarter: free text is shown per quarter once a release has fixed it (PRIVACY.md).
    past = period_start(date.today(), Period.QUARTER) - timedelta(days=1)
    for i in range(60):
        text = f"{HOSTILE[i % len(HOSTILE)]} #{i}"
        answers = {"what_would_help": text, "remarks": HOSTILE[(i + 3) % len(HOSTILE)], "sales_fte": 1}
        add(store, survey, answers, lang="en", day=past - timedelta(days=i % 30))
    engine.dispose()
    srv = Server(folder)
    yield srv
    srv.stop()


# What sticks out to the right of a phone's screen: the page's own width, and the elements whose right
# edge lies beyond the viewport (charts, labels), named so that a failure says which. A table's cells
# may: st.dataframe scrolls sideways inside its own frame.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('[data-testid=stMain] *, header *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5 && e.getClientRects().length)
    .filter(e => !e.closest('[data-testid=stDataFrame] .dvn-scroller'))  // a table scrolls in itself
    .map(e => {
      const chart = e.closest('[data-testid=stVegaLiteChart]');
      const where = chart ? 'chart ' + [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].indexOf(chart) : '';
      return `${where} ${e.getAttribute('data-testid') || e.tagName}.${e.getAttribute('class') || ''} ` +
        `"${(e.textContent || '').slice(0, 20)}": ${Math.round(e.getBoundingClientRect().right)}`;
    });
  const main = document.querySelector('[data-testid=stMain]');
  return {scroll: Math.max(document.documentElement.scrollWidth, main ? main.scrollWidth : 0), wide: wide.slice(0, 12)};
}"""


def assert_fits_a_phone(page, where: str) -> None:
    """Nothing wider than the phone's 390 pixels: no sideways scrolling, no cut chart or legend."""
    page.wait_for_timeout(800)  # charts of width "container" re-measure after a resize
    found = page.evaluate(OVERFLOW_JS)
    assert found["scroll"] <= PHONE["width"] and not found["wide"], f"{where}: {found}"


def assert_language_switch_below_navigation(page, where: str) -> None:
    """The language switch is not hidden under the navigation bar at the top."""
    header = page.evaluate(
        "() => document.querySelector('[data-testid=stHeader]').getBoundingClientRect().bottom"
    )
    switch = page.locator("[data-testid=stButtonGroup]").first.bounding_box()
    assert switch is not None and switch["y"] >= header, (
        f"{where}: switch at {switch}, navigation ends at {header}"
    )


def log_in(page, base: str, lang: str = "en") -> None:
    page.goto(base)  # the first run goes through app.py, so that /manage is the login page
    settle(page)
    page.goto(f"{base}/manage")
    settle(page)
    page.get_by_label(t("login_name", lang)).fill("alice")
    page.get_by_label(t("login_password", lang), exact=True).fill(PASSWORD)
    page.get_by_label(t("login_password", lang), exact=True).press("Enter")
    page.wait_for_url("**/manage_dashboard*", timeout=30_000)
    settle(page, 60_000)


def test_manager_pages_with_hostile_free_text(browser, filled_server, artifacts):
    context = browser.new_context(viewport=TABLET, locale="en")
    page = context.new_page()
    dialogs: list[str] = []
    hosts: set[str] = set()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname or r.url[:30]))
    log_in(page, filled_server.url)
    assert page.get_by_role("heading", name=t("mgr_dashboard_title", "en")).is_visible()
    page.locator('[data-testid="stVegaLiteChart"]').nth(5).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 6

    page.get_by_text(t("mgr_free_text_show", "en")).click()
    settle(page, 60_000)
    for expander in page.locator('[data-testid="stExpander"] summary').all():
        expander.click()
    settle(page)
    page.wait_for_timeout(1000)
    body = page.locator('[data-testid="stMain"]')
    assert body.get_by_text("<script>alert(1)</script> #0", exact=False).count() >= 1
    assert body.get_by_text("![pixel](https://evil.example/pixel.png)", exact=False).count() >= 1
    # Inert: no element the texts could have become, no dialog, no request to another host.
    assert body.locator('a[href*="evil.example"], img[src*="evil.example"], iframe, svg[onload]').count() == 0
    assert body.locator("img[src='x']").count() == 0
    assert dialogs == []
    screenshot(page, artifacts / "manage-dashboard-tablet.png")
    assert_language_switch_below_navigation(page, "dashboard on a tablet")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(600)
    screenshot(page, artifacts / "manage-dashboard-phone.png")
    assert_fits_a_phone(page, "dashboard")
    assert_language_switch_below_navigation(page, "dashboard on a phone")
    page.set_viewport_size(TABLET)

    for path, key in PAGES[1:]:
        go(page, key)
        page.wait_for_url(f"**/{path}*", timeout=30_000)
        title = t("mgr_calibration_title" if path.endswith("calibration") else "mgr_exports_title", "en")
        page.get_by_role("heading", name=title).wait_for(timeout=60_000)
        settle(page, 60_000)
        screenshot(page, artifacts / f"{path.replace('_', '-')}-tablet.png")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(600)
        screenshot(page, artifacts / f"{path.replace('_', '-')}-phone.png")
        assert_fits_a_phone(page, path)
        page.set_viewport_size(TABLET)
    assert dialogs == []
    assert hosts <= {"127.0.0.1"}, hosts
    context.close()


def test_german_dashboard(browser, filled_server, artifacts):
    context = browser.new_context(viewport=PHONE, locale="de")
    page = context.new_page()
    log_in(page, filled_server.url, "de")
    page.get_by_role("heading", name=t("mgr_dashboard_title", "de")).wait_for(timeout=60_000)
    page.locator('[data-testid="stVegaLiteChart"]').nth(5).wait_for(timeout=60_000)
    assert page.get_by_text(t("mgr_keep_out", "de")).first.is_visible()
    assert_fits_a_phone(page, "German dashboard")
    assert_language_switch_below_navigation(page, "German dashboard on a phone")
    screenshot(page, artifacts / "manage-dashboard-phone-de.png")
    for size in (PHONE, TABLET):
        page.set_viewport_size(size)
        page.wait_for_timeout(600)
        period = page.get_by_role("combobox", name=t("mgr_period", "de")).first
        cut = period.evaluate(
            "b => [b, ...b.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)"
        )
        assert not cut, f"„{t('mgr_all_periods', 'de')}“ is cut at {size}"
    screenshot(page, artifacts / "manage-dashboard-tablet-de.png")
    context.close()
