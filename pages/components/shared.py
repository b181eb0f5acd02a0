"""Streamlit glue shared by the pages: session state keys, shared resources, the page header."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import streamlit as st
from pydantic import ValidationError

from trp_core.files.surveys import load_surveys
from trp_core.method.survey import Survey
from trp_core.presentation.i18n import resolve_language, t
from trp_core.services.throttle import Throttle
from trp_core.settings import Settings, get_settings

log = logging.getLogger("trp")

# Every key this app keeps in st.session_state, in one place.
LANG = "trp.lang"
SURVEY = "trp.survey"  # id of the chosen survey
ANSWERS = "trp.answers"  # question id or calculator input -> answer
STEP = "trp.step"  # index into the questionnaire's steps
WARNED = "trp.warned"  # step index whose open questions were pointed out once
SUBMISSION = "trp.submission"  # (submission key, result code) of the current answer set
RESULT = "trp.result"  # dict: code, survey, assessment, answers, lang
COUNTED = "trp.counted"  # funnel steps already counted in this session
GENERATION = "trp.gen"  # bumped to give every widget a fresh identity
NOTICE = "trp.notice"  # a message to show once on the next page
PREVIEW = "trp.preview"  # a manager looks at a survey as a partner would: nothing stored or counted
EVENT = "trp.event"  # the event tag of a recruitment event, or absent
NAV = "trp.nav"  # (language, partner pages, login page): this session's st.Page objects
CURVE = "trp.curve"  # (figures, Vega-Lite spec) of the calculator's latest cash-flow curve

# An emoji favicon is drawn by the browser (a data URL): no image to read and hash on every
# run, and no request to a font server as a :material/...: icon would make.
ICON = "🧭"

START_PAGE = "pages/partner/start.py"
CHECK_PAGE = "pages/partner/questionnaire.py"
RESULT_PAGE = "pages/partner/result.py"
PROFILE_PAGE = "pages/partner/profile.py"


def echo(value: object, limit: int = 40) -> str:
    """A value from the URL, safe to repeat in a message: only letters, digits, '.', '_' and '-'.

    Messages are rendered as markdown, so anything else could become a link or an image.
    """
    return re.sub(r"[^A-Za-z0-9._-]", "", str(value))[:limit] or "?"


@st.cache_resource
def _settings() -> Settings:
    return get_settings()


def settings() -> Settings:
    """The TRP_* settings; a wrong value stops the app with a message naming the variable."""
    try:
        return _settings()
    except ValidationError as exc:
        lines = [f"TRP_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()]
        st.error("Configuration error – please correct the environment:\n\n" + "\n\n".join(lines))
        st.stop()


@st.cache_resource
def _surveys(directory: str) -> tuple[dict[str, Survey], list[str]]:
    surveys, issues = load_surveys(directory)
    for issue in issues:
        log.error("survey file not published: %s", issue)
    return surveys, [str(i) for i in issues]


# (settings, the surveys they publish): made again when the settings object changes, that is
# after st.cache_resource.clear(). A lookup in st.cache_resource with an argument took 0.1 ms of
# a step's run (bench/page_speed.py, where a step's whole run takes about 3.5 ms).
_catalog: tuple[Settings, dict[str, Survey]] | None = None


def published() -> dict[str, Survey]:
    """The surveys offered to partners, by id, in a stable order."""
    global _catalog
    cfg = settings()
    kept = _catalog
    if kept is None or kept[0] is not cfg:
        surveys, _ = _surveys(str(cfg.surveys_dir))
        wanted = cfg.published
        kept = _catalog = (cfg, {k: v for k, v in surveys.items() if not wanted or k in wanted})
    return kept[1]


@st.cache_resource
def store():
    """The process-wide store; on SQLite the schema is brought up to date here."""
    from trp_core.store import Store, make_engine, upgrade

    engine = make_engine()
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    return Store(engine)


@st.cache_resource
def code_throttle() -> Throttle:
    return Throttle(free_failures=3, base_delay=2.0, global_per_minute=120)


def session_id() -> str:
    """A random id of this browser session, for throttling only; never stored."""
    return st.session_state.setdefault("trp.sid", uuid.uuid4().hex)


def lang() -> str:
    return st.session_state.get(LANG, "en")


def init_language() -> None:
    """Pick the language once per session: ?lang=, else the browser's, else English."""
    if LANG in st.session_state:
        return
    requested = st.query_params.get("lang")
    code, unknown = resolve_language(requested, st.context.locale)
    st.session_state[LANG] = code
    if unknown:
        st.session_state[NOTICE] = t("unknown_language", code, requested=echo(requested, 20))


def set_language(code: str) -> None:
    st.session_state[LANG] = code
    st.query_params["lang"] = code


def preview() -> bool:
    return bool(st.session_state.get(PREVIEW))


def event() -> str | None:
    return st.session_state.get(EVENT)


def answers() -> dict[str, Any]:
    return st.session_state.setdefault(ANSWERS, {})


def generation() -> int:
    return st.session_state.setdefault(GENERATION, 0)


_CSS = """
<style>
/* Less empty space above the content, so a phone shows the question, not the margin. */
.block-container { padding-top: 2.5rem; }
/* Captions darker than Streamlit's default grey: a contrast of at least 4.5:1 (WCAG AA). */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #5c5b5a; opacity: 1; }
</style>
"""


def chart(chart_or_spec: Any) -> None:
    """Draw an Altair chart or a Vega-Lite spec at full width.

    Specs are made without Altair's schema validation: the chart builders' specs are validated
    in tests/test_charts.py, and at runtime validation was most of a result page's time.
    """
    spec = chart_or_spec if isinstance(chart_or_spec, dict) else chart_or_spec.to_dict(validate=False)
    st.vega_lite_chart(spec, width="stretch")


def go(page: str, **params: str) -> None:
    """Switch page; a kiosk tablet keeps its event in the URL, so a new session stays a kiosk."""
    from pages.components import kiosk as _kiosk

    st.switch_page(page, query_params={**_kiosk.query(), **params} or None)


def kiosk() -> bool:
    from pages.components import kiosk as _kiosk

    return _kiosk.active()


def header(*, switch: bool = True) -> None:
    """Vendor name or logo, and the language switch (outside forms); kiosk chrome on tablets."""
    from pages.components import kiosk as _kiosk

    st.html(_CSS)
    _kiosk.chrome()
    cfg = settings()
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left:
        if cfg.vendor_logo:
            st.image(cfg.vendor_logo, width=160)
        st.caption(f"{cfg.vendor_name} · {t('app_title', lang())}")
    if switch:
        with right:
            event = _kiosk.current()
            choice = st.segmented_control(
                t("language", lang()),
                options=event.languages if event else ["de", "en"],
                format_func=lambda c: {"de": "Deutsch", "en": "English"}[c],
                default=lang(),
                key=f"langswitch.{lang()}",
                label_visibility="collapsed",
            )
            if choice and choice != lang():
                set_language(choice)
                st.rerun()
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.info(notice)
    if preview():
        st.warning(t("preview_banner", lang()), icon=":material/visibility:")


def count(*steps: str) -> None:
    """Count funnel steps once per session (in one write); a storage problem never stops the visitor."""
    survey_id = st.session_state.get(SURVEY)
    if survey_id is None or preview():
        return
    counted: set[str] = st.session_state.setdefault(COUNTED, set())
    new = [step for step in steps if f"{survey_id}:{step}" not in counted]
    if not new:
        return
    try:
        store().count(survey_id, event(), new)
    except Exception:  # the visitor must not notice: the counter is for managers only
        log.exception("funnel counters %s not stored", new)
        return
    counted.update(f"{survey_id}:{step}" for step in new)


def start_new(survey_id: str) -> None:
    """Begin a fresh answer set for a survey."""
    st.session_state[SURVEY] = survey_id
    st.session_state[ANSWERS] = {}
    st.session_state[STEP] = 0
    st.session_state[SUBMISSION] = None
    st.session_state.pop(RESULT, None)
    st.session_state.pop(WARNED, None)
    st.session_state[GENERATION] = generation() + 1


def open_result(typed: str) -> str | None:
    """Load a stored result by its code into the session; the error message, or None on success.

    One message for every kind of wrong code, and throttled, so codes cannot be enumerated.
    """
    from trp_core.method.levers import assess
    from trp_core.services.codes import code_hash, normalize

    language = lang()
    throttle = code_throttle()
    wait = throttle.wait_seconds(session_id())
    if wait > 0:
        return t("reopen_wait", language, seconds=int(wait) + 1)
    code = normalize(typed)
    found = None
    if code is not None:
        try:
            found = store().find_by_code_hash(code_hash(code))
        except Exception:
            log.exception("result lookup failed")
            return t("storage_down", language)
    if found is None:
        throttle.failure(session_id())
        return t("reopen_invalid", language)
    throttle.success(session_id())
    st.session_state[RESULT] = {
        "code": code,
        "survey": found.survey,
        "answers": found.answers,
        "assessment": assess(found.survey, found.answers),
        "lang": found.lang,
    }
    return None
