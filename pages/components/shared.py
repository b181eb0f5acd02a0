"""What the partner pages do alike: the language, the page header, charts, page switches, funnel counts,
opening a result by its code, and the controls that keep its link."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

import streamlit as st

from pages.components import kiosk, resources, session
from pages.components.urls import RESULT_PAGE, echo, result_query
from trp_core.method.vocabulary import LANGUAGES
from trp_core.presentation.i18n import resolve_language, t
from trp_core.services.reopen import TooManyAttempts, reopen
from trp_core.services.results import StoreUnavailable

# An emoji favicon is drawn by the browser (a data URL): no image to read and hash on every
# run, and no request to a font server as a :material/...: icon would make.
ICON = "🧭"


def init_language() -> None:
    """Pick the language once per session: ?lang=, else the browser's, else English."""
    if session.LANG in st.session_state:
        return
    requested = st.query_params.get("lang")
    code, unknown = resolve_language(requested, st.context.locale)
    st.session_state[session.LANG] = code
    if unknown:
        session.notify(t("unknown_language", code, requested=echo(requested, 20)))


_CSS = """
<style>
/* Less empty space above the content, so a phone shows the question, not the margin. */
.block-container { padding-top: 2.5rem; }
/* A manager's pages have a navigation bar at the top: the language switch starts below it. */
[data-testid=stApp]:has([data-testid=stTopNav]) .block-container { padding-top: 4.75rem; }
/* Captions darker than Streamlit's default grey: a contrast of at least 4.5:1 (WCAG AA). */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #5c5b5a; opacity: 1; }
/* A phone folds a manager's navigation into a sidebar, which Streamlit only slides out of view when
   closed: hidden, its links leave the tab order and what a screen reader announces. */
[data-testid=stSidebar][data-collapsed=true] { visibility: hidden; }
</style>
"""

# The browser is told the page's language (screen readers, hyphenation, translation offers):
# Streamlit serves every page as <html lang="en">. The script draws nothing, so its element takes
# no gap either. (Its style is inline: a style-only st.html goes to the event container, where
# Streamlit 1.67 does not draw it.)
_LANG_HTML = (
    "<style>[data-testid=stElementContainer]:has(script[data-trp=lang]) { display: none; }</style>"
    '<script data-trp="lang">document.documentElement.lang = "{lang}";</script>'
)

# The result's link controls, drawn like Streamlit's own secondary buttons.
_LINK_CSS = """<style>
.trp-link { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.trp-link .trp-button {
  display: inline-flex; align-items: center; justify-content: center; min-height: 2.5rem;
  padding: 0.25rem 0.75rem; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
  background: #fff; color: inherit; font: inherit; line-height: 1.6; text-decoration: none; cursor: pointer;
}
.trp-link .trp-button:hover { border-color: #ff4b4b; color: #ff4b4b; }
.trp-link [role="status"] { color: #5c5b5a; }
</style>"""

# "Copy link" through the Clipboard API; the script finds its own box, so several never mix.
_LINK_JS = """<script>(() => {
  const box = document.currentScript.closest(".trp-link");
  const button = box.querySelector("button");
  const status = box.querySelector("[role=status]");
  button.addEventListener("click", () => {
    const said = (text) => { status.textContent = text; };
    if (!navigator.clipboard) { said(button.dataset.failed); return; }
    navigator.clipboard.writeText(button.dataset.link).then(
      () => said(button.dataset.done), () => said(button.dataset.failed));
  });
})();</script>"""


def header(*, switch: bool = True) -> None:
    """Vendor name or logo, and the language switch (outside forms); kiosk chrome on tablets."""
    st.html(_CSS)
    lang = session.lang()
    if lang in LANGUAGES:  # never anything else, but it goes into a script
        st.html(_LANG_HTML.replace("{lang}", lang), unsafe_allow_javascript=True)
    kiosk.chrome()
    cfg = resources.settings()
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left:
        if cfg.vendor_logo:
            st.image(cfg.vendor_logo, width=160)
        st.caption(" · ".join(filter(None, (cfg.vendor_name, t("app_title", lang)))))
    if switch:
        with right:
            event = kiosk.current()
            choice = st.segmented_control(
                t("language", lang),
                options=event.languages if event else ["de", "en"],
                format_func=lambda c: {"de": "Deutsch", "en": "English"}[c],
                default=lang,
                key=f"langswitch.{lang}",
                label_visibility="collapsed",
            )
            if choice and choice != lang:
                session.set_language(choice)
                st.rerun()
    notice = session.take_notice()
    if notice:
        st.info(notice)
    if session.preview():
        st.warning(t("preview_banner", lang), icon=":material/visibility:")


def chart(chart_or_spec: Any) -> None:
    """Draw an Altair chart or a Vega-Lite spec at full width.

    Specs are made without Altair's schema validation: the chart builders' specs are validated
    in tests/unit/test_charts.py, and at runtime validation was most of a result page's time.
    """
    spec = chart_or_spec if isinstance(chart_or_spec, dict) else chart_or_spec.to_dict(validate=False)
    st.vega_lite_chart(spec, width="stretch")


def go(page: str, **params: str) -> None:
    """Switch page; a kiosk tablet keeps its event in the URL, so a new session stays a kiosk.

    The result page's address carries the result it shows, so that a reload, a bookmark or the
    back button opens it again.
    """
    if page == RESULT_PAGE and not params:
        params = result_params()
    st.switch_page(page, query_params={**kiosk.query(), **params} or None)


def result_params() -> dict[str, str]:
    """The URL parameters of the result shown in this session: none on a shared kiosk tablet (whose
    visitor takes the result along by QR code) nor in a manager's preview (whose code opens nothing)."""
    shown = session.result()
    if shown is None or kiosk.active() or session.preview():
        return {}
    return result_query(shown.code, session.lang())


def link_controls(link: str, subject: str, body: str) -> None:
    """A "copy link" button and a "send to myself" mailto link, whose mail holds `body`.

    No mail leaves the server: the partner's own mail program opens with the text filled in.
    """
    lang = session.lang()
    crlf_body = body.replace("\n", "\r\n")  # line breaks in mailto: links are CR LF (RFC 6068)
    mailto = f"mailto:?subject={quote(subject)}&body={quote(crlf_body)}"
    attr = {
        "data-link": link,
        "data-done": t("link_copied", lang),
        "data-failed": t("link_copy_failed", lang),
    }
    data = " ".join(f'{name}="{html.escape(value)}"' for name, value in attr.items())
    st.html(
        f'{_LINK_CSS}<div class="trp-link"><button type="button" class="trp-button" {data}>{html.escape(t("link_copy", lang))}'
        f'</button><a class="trp-button" href="{html.escape(mailto)}">{html.escape(t("link_mail", lang))}</a>'
        f'<span role="status" aria-live="polite"></span>{_LINK_JS}</div>',
        unsafe_allow_javascript=True,
    )


def count(*steps: str) -> None:
    """Count funnel steps once per session; the counts go to the store in the background, so that
    neither the page's run nor a storage problem ever holds the visitor up."""
    survey_id = session.survey_id()
    if survey_id is None or session.preview():
        return
    counted: set[str] = st.session_state.setdefault(session.COUNTED, set())
    new = [step for step in steps if f"{survey_id}:{step}" not in counted]
    if not new:
        return
    try:
        # One record key per session, drawn with its first step (PRIVACY.md, the cell-key method):
        # every step it reaches adds the same key to that step's key sum.
        resources.funnel().add(survey_id, session.event(), new, key=session.funnel_key())
    except Exception:  # the visitor must not notice: the counter is for managers only
        resources.log.exception("funnel counters %s not stored", new)
        return
    counted.update(f"{survey_id}:{step}" for step in new)


def open_result(typed: str, show_in: str | None = None) -> str | None:
    """Open the result behind a typed code in this session; the message to show, or None when opened.

    The page switches to the language the result was taken in, or to `show_in` when that is one the
    app has (a link's ?lang=). One message for every kind of wrong code, and wrong codes are throttled
    (trp_core.services.reopen).
    """
    lang = session.lang()
    try:
        found = reopen(
            typed, store=resources.store, throttle=resources.code_throttle(), who=session.session_id()
        )
    except TooManyAttempts as wait:
        return t("reopen_wait", lang, seconds=int(wait.seconds) + 1)
    except StoreUnavailable:
        return t("storage_down", lang)
    if found is None:
        return t("reopen_invalid", lang)
    st.session_state[session.RESULT] = found
    asked, unknown = resolve_language(show_in)
    wanted = asked if show_in and not unknown else found.lang
    if wanted != session.lang():
        session.set_language(wanted)
    return None
