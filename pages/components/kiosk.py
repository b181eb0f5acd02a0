"""Kiosk mode for shared tablets at events: no chrome, big targets, and resets after each visitor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from pages.components import resources, session
from pages.components.urls import CHECK_PAGE, START_PAGE
from trp_core.presentation.i18n import t
from trp_core.services import tags
from trp_core.services.results import StoreUnavailable
from trp_core.services.throttle import pin_key

if TYPE_CHECKING:
    from trp_core.files.events import Event

# What survives a reset: the tablet's own set-up, never anything of a visitor.
KEEP = {session.KIOSK, session.EVENT, session.LINK, session.GENERATION, session.LANG}

# Touch targets of at least 48 px, no toolbar, menu or sidebar.
_CSS = """
<style>
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"], #MainMenu { display: none !important; }
.block-container { padding-top: 1.5rem; }
button { min-height: 52px !important; }
[data-testid="stRadioOption"] { min-height: 48px !important; align-items: center; }
[data-testid="stRadioOption"] p { font-size: 1.05rem; }
[data-testid="stCheckbox"] label { min-height: 48px !important; align-items: center; }
button[data-variant="segmented_control"] { min-height: 48px !important; min-width: 48px !important; }
[data-testid="stNumberInputContainer"], [data-testid="stNumberInputField"] { min-height: 48px !important; }
[data-testid="stTextInputRootElement"], [data-testid="stTextInputRootElement"] input { min-height: 48px !important; }
[data-testid="stNumberInputStepDown"], [data-testid="stNumberInputStepUp"] {
  min-width: 48px !important; min-height: 48px !important;
}
.st-key-kiosk-start-de button, .st-key-kiosk-start-en button { min-height: 96px !important; font-size: 1.4rem; }
</style>
"""

# Runs in the page itself (a components v2 module): counts down while nobody touches the
# tablet, shows a warning bar for the last seconds, and reports the timeout to the server.
_IDLE_JS = """
export default function (component) {
  const { data, setTriggerValue } = component;
  const w = window;
  const s = w.__trpIdle || (w.__trpIdle = { last: Date.now(), token: null, fired: false });
  if (s.token !== data.token) { s.token = data.token; s.last = Date.now(); s.fired = false; }
  s.data = data;
  let bar = document.getElementById("trp-idle-warning");
  if (!bar) {
    bar = document.createElement("div");
    bar.id = "trp-idle-warning";
    bar.setAttribute("role", "alert");
    bar.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:100000;display:none;" +
      "padding:20px 24px;background:#222;color:#fff;font-size:20px;text-align:center;";
    document.body.appendChild(bar);
  }
  const hide = () => { bar.style.display = "none"; };
  if (!s.listening) {
    const touch = () => { s.last = Date.now(); hide(); };
    ["pointerdown", "keydown", "touchstart", "wheel", "input"].forEach(
      (name) => document.addEventListener(name, touch, { capture: true, passive: true }));
    s.listening = true;
  }
  clearInterval(s.timer);
  s.timer = setInterval(() => {
    const left = s.data.idle - (Date.now() - s.last) / 1000;
    if (left <= s.data.warning && left > 0) {
      bar.textContent = s.data.message.replace("{seconds}", Math.ceil(left));
      bar.style.display = "block";
    }
    if (left <= 0 && !s.fired) {
      s.fired = true;
      hide();
      setTriggerValue("timeout", s.token);
    }
  }, 250);
  return () => { clearInterval(s.timer); hide(); };
}
"""

_idle = st.components.v2.component("trp_kiosk_idle", js=_IDLE_JS)


def current() -> Event | None:
    """The event this tablet runs in kiosk mode, or None."""
    slug = st.session_state.get(session.KIOSK)
    return resources.events().get(slug) if slug else None


def active() -> bool:
    return current() is not None


def query() -> dict[str, str]:
    """The URL parameters that keep a tablet in kiosk mode, even in a new session: its signed link."""
    tag = session.link_tag()
    return {**tag.query(), "kiosk": "1"} if tag is not None and active() else {}


def init() -> None:
    """Take the tag of a signed link (`?tag=<slug>&sig=<signature>`, trp_core.services.tags); with
    `kiosk=1` and the tablet settings of the event file, enter kiosk mode. A link whose tag does not
    hold (no or a wrong signature, unknown, expired) is ignored silently: the visit goes on untagged."""
    slug, sig = st.query_params.get(tags.TAG_PARAM), st.query_params.get(tags.SIG_PARAM)
    if not slug or session.KIOSK in st.session_state or st.session_state.get(session.LINK) == (slug, sig):
        return
    st.session_state[session.LINK] = (slug, sig)
    try:
        tag = tags.accept(resources.store().engine, slug, sig)
    except Exception:  # the store cannot be opened: the visitor goes on, untagged
        resources.log.exception("tag link not checked")
        tag = None
    if tag is None:
        st.session_state.pop(session.EVENT, None)
        return
    st.session_state[session.EVENT] = tag
    event = resources.events().get(tag.slug)
    if event is not None and st.query_params.get("kiosk") == "1":
        st.session_state[session.KIOSK] = event.slug
        st.session_state[session.LANG] = event.languages[0]


def chrome() -> None:
    """Kiosk styling and the idle countdown; call once per page run in kiosk mode."""
    event = current()
    if event is None:
        return
    st.html(_CSS)
    if session.survey_id() is None and session.result() is None:
        return  # the welcome screen has nothing to reset
    on_result = session.result() is not None
    data = {
        "idle": event.result_seconds if on_result else event.idle_seconds,
        "warning": event.warning_seconds,
        "token": f"{session.generation()}:{'result' if on_result else 'check'}",
        "message": t("kiosk_warning", session.lang()),
    }
    state = _idle(key="kiosk.idle", data=data, height=0, on_timeout_change=lambda: None)
    if state.timeout:
        reset()


def reset() -> None:
    """Forget the visitor: his answers, result, widget values and step; back to the welcome screen."""
    generation = session.generation()
    for key in list(st.session_state.keys()):
        if key not in KEEP:
            del st.session_state[key]
    st.session_state[session.GENERATION] = generation + 1
    event = current()
    if event is not None and event.languages:
        st.session_state[session.LANG] = event.languages[0]
    st.switch_page(START_PAGE, query_params=query())


def welcome(event: Event) -> None:
    """The welcome screen: both languages, one big start button per language."""
    st.title(" / ".join(t("kiosk_title", lang) for lang in event.languages))
    st.write(" ".join(f"**{event.name(lang)}**" for lang in event.languages[:1]))
    for lang in event.languages:
        st.markdown(t("kiosk_lead", lang))
    columns = st.columns(len(event.languages))
    for column, lang in zip(columns, event.languages, strict=True):
        if column.button(t("kiosk_start", lang), key=f"kiosk.start.{lang}", type="primary", width="stretch"):
            session.set_language(lang)
            tag = session.link_tag()  # the signed link's survey: its responses carry the tag
            session.start_new(tag.survey if tag is not None else event.survey)
            st.switch_page(CHECK_PAGE, query_params=query())
    with st.container(border=True):
        for lang in event.languages:
            st.caption(f"{t('anonymity_stored', lang)} {t('anonymity_not_stored', lang)}")
    staff_exit(event)


def staff_exit(event: Event) -> None:
    """A small staff button; the right PIN leaves kiosk mode, wrong PINs are throttled per event
    over every session and process (trp_core.services.throttle.PIN)."""
    lang = session.lang()
    if not st.session_state.get(session.STAFF):
        label = " / ".join(t("kiosk_staff", code) for code in event.languages)
        if st.button(label, key="kiosk.staff", type="tertiary"):
            st.session_state[session.STAFF] = True
            st.rerun()
        return
    with st.form("kiosk.pin"):
        pin = st.text_input(t("kiosk_pin", lang), type="password", max_chars=32, key="kiosk.pin.value")
        submitted = st.form_submit_button(t("kiosk_leave", lang), key="kiosk.pin.submit")
    if not submitted:
        return
    try:
        verdict = resources.pin_guard().attempt(
            pin_key(event.slug), lambda: bool(pin) and event.check_pin(pin)
        )
    except StoreUnavailable:
        resources.log.exception("staff PIN not checked")
        st.error(t("kiosk_pin_unavailable", lang))
        return
    if not verdict.checked:
        st.error(t("reopen_wait", lang, seconds=int(verdict.wait) + 1))
        return
    if verdict.ok:
        for key in (session.KIOSK, session.STAFF, session.EVENT):
            st.session_state.pop(key, None)
        st.query_params.clear()
        st.switch_page(START_PAGE)
    st.error(t("kiosk_pin_wrong", lang))


def qr_png(link: str) -> bytes:
    """The link as a QR code image for the visitor's phone."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def done_button() -> None:
    if st.button(t("kiosk_done", session.lang()), key="kiosk.done", type="primary", width="stretch"):
        reset()
