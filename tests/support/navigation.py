"""A logged-in manager's navigation in the browser: one flat list of links, which a tablet shows in the
top bar and a phone folds into a side menu opened by the button at the top left.

Logged out, the navigation is hidden: no link at all. Every browser test that moves between manager
pages goes through `go` (a new page load would open a new Streamlit session).
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.driver import settle
from trp_core.presentation.i18n import t

# The logged-in manager's menu, in its order: the manager pages, the partners' view, logout.
MENU = ("nav_dashboard", "nav_calibration", "nav_exports", "nav_tags", "nav_partner_start", "nav_logout")

# A top bar's link, a phone's side menu link, and a link in the top bar's "more" dropdown (Streamlit
# puts there what does not fit the bar; the manager's menu is meant to fit a tablet's).
LINKS = "[data-testid=stTopNavLink], [data-testid=stSidebarNavLink], [data-testid=stTopNavDropdownLink]"


def links(page: Page) -> Locator:
    """Every link of the navigation, shown or in a closed side menu."""
    return page.locator(LINKS)


def manager_link(page: Page, key: str = "nav_dashboard", lang: str = "en") -> Locator:
    """The navigation's link titled t(key, lang): there only for a logged-in manager."""
    return links(page).filter(has=page.get_by_text(t(key, lang), exact=True))


def logged_in(page: Page, lang: str = "en", timeout: float = 30_000) -> None:
    """Wait until the page has a logged-in manager's navigation (its first link, which a phone keeps in
    its closed menu and a narrow top bar never folds away)."""
    manager_link(page, MENU[0], lang).first.wait_for(state="attached", timeout=timeout)


def menu_button(page: Page) -> Locator:
    """The phone's button that opens the side menu (absent on a tablet, whose top bar shows the links)."""
    return page.get_by_test_id("stExpandSidebarButton")


def open_menu(page: Page) -> bool:
    """On a phone, open the side menu (if closed) and wait until its links are shown; on a tablet, nothing.
    Whether it is a phone's side menu."""
    phone = menu_button(page).is_visible()
    if phone:
        try:
            menu_button(page).click(timeout=10_000)
        except PlaywrightTimeoutError:
            # The window was just widened back to a tablet's: the top bar replaced the button.
            if menu_button(page).is_visible():
                raise
            phone = False
        else:
            page.get_by_test_id("stSidebarNavItems").wait_for(timeout=30_000)
    links(page).first.wait_for(timeout=30_000)
    page.wait_for_timeout(400)  # the side menu slides in
    return phone or page.get_by_test_id("stSidebarNavItems").is_visible()


def close_menu(page: Page) -> None:
    """Close a phone's side menu if it is open. A phone's browser does so itself after a link is tapped:
    Streamlit tells a phone by its user agent, not by the window's width the tests give."""
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.count() and sidebar.get_attribute("data-collapsed") == "false":
        page.get_by_test_id("stSidebarCollapseButton").click()
        page.locator("[data-testid=stSidebar][data-collapsed=true]").wait_for(
            state="attached", timeout=30_000
        )
        page.wait_for_timeout(400)  # the side menu slides out


def go(page: Page, key: str, lang: str = "en", timeout: float = 60_000) -> None:
    """Click the navigation's link titled t(key, lang), from a phone's side menu or the top bar, and let
    the page run."""
    phone = open_menu(page)
    link = manager_link(page, key, lang)
    if not link.is_visible():  # a top bar too narrow for every link: Streamlit's "more" dropdown
        page.get_by_test_id("stTopNavSection").click()
    link.filter(visible=True).first.click()
    settle(page, timeout)
    if phone:
        close_menu(page)
