"""What the partner pages do alike: the language, the page header, charts, page switches, funnel counts,
and opening a result by its code."""

from __future__ import annotations

from typing import Any

import streamlit as st

from pages.components import kiosk, resources, session
from pages.components.urls import echo
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
/* Captions darker than Streamlit's default grey: a contrast of at least 4.5:1 (WCAG AA). */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #5c5b5a; opacity: 1; }
</style>
"""


def header(*, switch: bool = True) -> None:
    """Vendor name or logo, and the language switch (outside forms); kiosk chrome on tablets."""
    st.html(_CSS)
    kiosk.chrome()
    cfg = resources.settings()
    lang = session.lang()
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left:
        if cfg.vendor_logo:
            st.image(cfg.vendor_logo, width=160)
        st.caption(f"{cfg.vendor_name} · {t('app_title', lang)}")
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
    """Switch page; a kiosk tablet keeps its event in the URL, so a new session stays a kiosk."""
    st.switch_page(page, query_params={**kiosk.query(), **params} or None)


def count(*steps: str) -> None:
    """Count funnel steps once per session (in one write); a storage problem never stops the visitor."""
    survey_id = session.survey_id()
    if survey_id is None or session.preview():
        return
    counted: set[str] = st.session_state.setdefault(session.COUNTED, set())
    new = [step for step in steps if f"{survey_id}:{step}" not in counted]
    if not new:
        return
    try:
        resources.store().count(survey_id, session.event(), new)
    except Exception:  # the visitor must not notice: the counter is for managers only
        resources.log.exception("funnel counters %s not stored", new)
        return
    counted.update(f"{survey_id}:{step}" for step in new)


def open_result(typed: str) -> str | None:
    """Open the result behind a typed code in this session; the message to show, or None when opened.

    One message for every kind of wrong code, and wrong codes are throttled (trp_core.services.reopen).
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
    return None
