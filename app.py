"""Streamlit entry point: the server with its HTTP routes, and the navigation over pages/.

`streamlit run app.py` (what `python3 dev.py run`, the tests and deploy/ start) finds the st.App
named `app` below in this file's syntax, imports this file as a module and serves that App: the
app's script is this same file, which Streamlit runs as `__main__` for every session, so a run
draws the navigation and the import builds the server. The routes and middleware are
pages/components/web.py's: the manager session cookie and manager downloads for their own session.
"""

# Imported before any page runs: Altair looks pandas up in sys.modules without importing it, and
# a pandas half imported by a concurrent first run broke its charts (AttributeError: Timestamp).
import pandas  # noqa: F401
import streamlit as st

from pages.components import auth, kiosk, resources, session
from pages.components import shared as ui
from pages.components.urls import CHECK_PAGE, PROFILE_PAGE, RESULT_PAGE, START_PAGE
from trp_core.presentation.i18n import t


def navigate() -> None:
    """One run of a session: the page it asked for, among those it may see."""
    ui.init_language()
    kiosk.init()
    lang = session.lang()
    st.set_page_config(
        page_title=resources.settings().vendor_name or t("app_title", lang),
        page_icon=ui.ICON,
        layout="centered",
    )

    # The page objects are made once per session and language (each st.Page looks its file up on
    # disk), and kept in the session: not shared, since st.navigation marks the one it picks.
    nav: session.Navigation | None = st.session_state.get(session.NAV)
    if nav is None or nav.lang != lang:
        nav = st.session_state[session.NAV] = session.Navigation(
            lang,
            partner=[
                st.Page(START_PAGE, title=t("page_start", lang), url_path="start", default=True),
                st.Page(CHECK_PAGE, title=t("page_check", lang), url_path="check"),
                st.Page(RESULT_PAGE, title=t("page_result", lang), url_path="result"),
                st.Page(PROFILE_PAGE, title=t("page_profile", lang), url_path="profile"),
            ],
            # A manager's menu holds the partners' start page, named as what it is to a manager: the
            # partners' view. The profile (linked from that page), the questionnaire and the result
            # follow from it and stay reachable, but out of a menu that fits a tablet's top bar.
            partner_view=[
                st.Page(START_PAGE, title=t("nav_partner_start", lang), url_path="start", default=True),
                *(
                    st.Page(path, title=t(key, lang), url_path=url, visibility="hidden")
                    for path, key, url in (
                        (CHECK_PAGE, "page_check", "check"),
                        (RESULT_PAGE, "page_result", "result"),
                        (PROFILE_PAGE, "page_profile", "profile"),
                    )
                ),
            ],
            # The login page (/manage) is in no menu; a shared kiosk tablet has neither it nor the
            # manager pages, whose URLs lead elsewhere only to the login page (auth.guard).
            login=[
                st.Page(auth.LOGIN_PAGE, title=t("page_login", lang), url_path="manage", visibility="hidden")
            ],
            manager=auth.manager_pages(lang),
            logout=auth.logout_page(lang),
        )
    if not kiosk.active():
        auth.single_sign_on()  # back from the identity provider: a manager session for an allowed address
    logged_in = not kiosk.active() and auth.current_manager() is not None
    if logged_in:
        # One list without sections: Streamlit draws sections on a phone as <div>s inside its menu's
        # <ul>, which screen readers cannot read as a list (axe: list, listitem).
        page = st.navigation([*nav.manager, *nav.partner_view, nav.logout, *nav.login], position="top")
    else:
        page = st.navigation(
            nav.partner + ([] if kiosk.active() else nav.login + nav.manager), position="hidden"
        )
    auth.guard(page, logged_in)  # a manager page without a login: the login page, the address kept
    auth.hand_over()  # just logged in: the browser fetches its session cookie
    page.run()


if __name__ == "__main__":  # a session's run of the script
    navigate()
else:  # imported by the server
    import contextlib
    from collections.abc import AsyncIterator

    from starlette.middleware import Middleware

    # Besides web, the modules the partner pages import (the store's reads come with selection).
    from pages.components import web, widgets  # noqa: F401
    from trp_core.method import codes  # noqa: F401
    from trp_core.presentation import explain, labels, recompute, result_charts  # noqa: F401
    from trp_core.services import selection, submit  # noqa: F401

    @contextlib.asynccontextmanager
    async def lifespan(_: st.App) -> AsyncIterator[None]:
        # Started (Streamlit's runtime runs, the server takes no visitor yet): what the first session
        # would otherwise wait for is made now. With the modules above, the texts, settings, surveys,
        # events and the store (on SQLite its migrations check and re-score), and Streamlit's own
        # first-use work (pages/components/resources.py).
        resources.warm()
        yield
        resources.close()  # stopped (Ctrl+C, SIGTERM): the funnel counts still in memory are written

    app = st.App(
        __file__,
        routes=web.routes(),
        middleware=[Middleware(web.ProtectDownloads)],
        secrets=web.auth_secrets(),  # st.login's provider, when TRP_OIDC_METADATA_URL is set
        lifespan=lifespan,
    )
