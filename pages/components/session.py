"""Every key this app keeps in st.session_state, the typed objects kept under them, and their accessors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from trp_core.services.funnel import session_key
from trp_core.services.results import Result
from trp_core.services.submit import Submission
from trp_core.services.tags import LinkTag, event_for

# The partner's visit
LANG = "trp.lang"
SURVEY = "trp.survey"  # id of the chosen survey
ANSWERS = "trp.answers"  # question id or calculator input -> answer
STEP = "trp.step"  # index into the questionnaire's steps
WARNED = "trp.warned"  # step index whose open questions were pointed out once
SUBMISSION = "trp.submission"  # Submission of the current answer set
RESULT = "trp.result"  # Result shown on the result page
TO_RESULT = "trp.to_result"  # the submit button's callback stored a result: show it next
TO_CHECK = "trp.to_check"  # the start button's callback began an answer set: show the questionnaire next
CHARTS = "trp.charts"  # Charts of that result
COUNTED = "trp.counted"  # funnel steps already counted in this session
SESSION_KEY = "trp.session_key"  # this session's random record key for the funnel counters (never shown)
GENERATION = "trp.gen"  # bumped to give every widget a fresh identity
NOTICE = "trp.notice"  # a message to show once on the next page
NAV = "trp.nav"  # Navigation: this session's st.Page objects
# Where the visit happens
EVENT = "trp.event"  # LinkTag: the tag of the signed link this visit came by, or absent
LINK = "trp.link"  # (tag, signature) of the link last checked, so that a rerun does not check it again
KIOSK = "trp.kiosk"  # slug of the event this tablet runs in kiosk mode
STAFF = "trp.staff"  # the kiosk's staff PIN form is open
PREVIEW = "trp.preview"  # a manager looks at a survey as a partner would: nothing stored or counted
# The manager
MANAGER = "trp.manager"  # the logged-in manager's name, as the database last confirmed it
SESSION = "trp.manager_session"  # id of the server-side session this tab logged in with (never sent out)
DEAD = "trp.manager_dead"  # a session id found ended: not asked again in this tab
FOLLOW = "trp.manager_follow"  # after a login: the address that sets the browser's cookie
SSO_SEEN = "trp.manager_sso"  # the identity provider's login of this tab has been handled
EXPIRED = "trp.manager_expired"  # the session ended in this run: show the login page


@dataclass(frozen=True)
class Navigation:
    """The page objects of one language. Kept per session, not shared: st.navigation marks the one it picks."""

    lang: str
    partner: list[st.Page]
    partner_view: list[st.Page]  # the partner pages in a logged-in manager's menu
    login: list[st.Page]
    manager: list[st.Page]
    logout: st.Page


@dataclass
class Charts:
    """Chart specs of one result, built once per chart and language."""

    result: Result
    specs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def lang() -> str:
    return st.session_state.get(LANG, "en")


def set_language(code: str) -> None:
    st.session_state[LANG] = code
    st.query_params["lang"] = code


def survey_id() -> str | None:
    return st.session_state.get(SURVEY)


def answers() -> dict[str, Any]:
    return st.session_state.setdefault(ANSWERS, {})


def generation() -> int:
    return st.session_state.setdefault(GENERATION, 0)


def preview() -> bool:
    return bool(st.session_state.get(PREVIEW))


def link_tag() -> LinkTag | None:
    return st.session_state.get(EVENT)


def event() -> str | None:
    """The tag this visit's response and funnel counts carry: the signed link's, for its survey only."""
    return event_for(link_tag(), survey_id())


def funnel_key() -> int:
    """This session's record key for the funnel counters: drawn when its first step is counted, then
    the same for every step it reaches (trp_core.services.funnel.session_key)."""
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = session_key()
    return st.session_state[SESSION_KEY]


def session_id() -> str:
    """The server's random id of this browser session, for throttling only; never stored.

    Not kept in st.session_state, which a client's clear-cache message empties.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        raise RuntimeError("session_id() outside a script run")
    return ctx.session_id


def submission() -> Submission | None:
    return st.session_state.get(SUBMISSION)


def result() -> Result | None:
    return st.session_state.get(RESULT)


def charts(shown: Result) -> Charts:
    """The chart specs kept for this result; a new result starts with none."""
    kept: Charts | None = st.session_state.get(CHARTS)
    if kept is None or kept.result is not shown:
        kept = st.session_state[CHARTS] = Charts(shown)
    return kept


def start_new(survey: str) -> None:
    """Begin a fresh answer set for a survey."""
    st.session_state[SURVEY] = survey
    st.session_state[ANSWERS] = {}
    st.session_state[STEP] = 0
    st.session_state[SUBMISSION] = None
    st.session_state.pop(RESULT, None)
    st.session_state.pop(CHARTS, None)
    st.session_state.pop(WARNED, None)
    st.session_state[GENERATION] = generation() + 1


def notify(message: str) -> None:
    """A message for the next page drawn."""
    st.session_state[NOTICE] = message


def take_notice() -> str | None:
    return st.session_state.pop(NOTICE, None)
