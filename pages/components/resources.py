"""What every session of this process shares: the settings, the surveys and events on offer, the store,
and the throttle of guessable codes; each made once (st.cache_resource), never anything of a visitor."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import streamlit as st
from pydantic import ValidationError

from trp_core.services import catalog
from trp_core.services.storage import open_store
from trp_core.services.throttle import Throttle
from trp_core.settings import Settings, get_settings

if TYPE_CHECKING:
    from trp_core.files.events import Event
    from trp_core.method.survey import Survey
    from trp_core.store import Store

log = logging.getLogger("trp")


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
def _surveys(directory: str) -> dict[str, Survey]:
    return catalog.surveys(directory)


# (settings, the surveys they publish): made again when the settings object changes, that is
# after st.cache_resource.clear(). A lookup in st.cache_resource with an argument took 0.1 ms of
# a step's run (bench/page_speed.py, where a step's whole run takes about 3.5 ms).
_published: tuple[Settings, dict[str, Survey]] | None = None


def published() -> dict[str, Survey]:
    """The surveys offered to partners, by id, in a stable order."""
    global _published
    cfg = settings()
    kept = _published
    if kept is None or kept[0] is not cfg:
        kept = _published = (cfg, catalog.offered(_surveys(str(cfg.surveys_dir)), cfg.published))
    return kept[1]


@st.cache_resource
def _events(path: str) -> dict[str, Event]:
    return catalog.events(path)


def events() -> dict[str, Event]:
    """The recruitment events by slug."""
    return _events(str(settings().events_file))


@st.cache_resource
def store() -> Store:
    """The process-wide store."""
    return open_store()


@st.cache_resource
def code_throttle() -> Throttle:
    """Wrong result codes and kiosk PINs, per session and across the process."""
    return Throttle(free_failures=3, base_delay=2.0, global_per_minute=120)
