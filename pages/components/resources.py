"""What every session of this process shares: the settings, the surveys and events on offer, the store,
and the throttles of guessable codes and PINs; never anything of a visitor.

Settings, surveys and events come from st.cache_resource: a client may empty it (Streamlit's
clear-cache message), which only reads the same environment and files again. The store and the
throttles live in module variables instead, where no client message reaches: emptying the cache
must neither reset a throttle nor open a second store (an engine, a migration check, a re-score).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import streamlit as st
from pydantic import ValidationError

from trp_core.method.vocabulary import LANGUAGES
from trp_core.presentation import formatting as fmt
from trp_core.presentation.i18n import catalog as texts
from trp_core.services import catalog
from trp_core.services.funnel import FunnelBuffer
from trp_core.services.storage import open_store
from trp_core.services.throttle import Guard, Throttle
from trp_core.settings import Settings, get_settings

if TYPE_CHECKING:
    from trp_core.files.events import Event
    from trp_core.method.survey import Survey
    from trp_core.store import Store

log = logging.getLogger("trp")

T = TypeVar("T")
_kept: dict[tuple[str, str], object] = {}  # (what, for which database) -> the process's one object
_kept_lock = threading.RLock()  # a make may need another kept object (the PIN guard, the store)


def _process_wide(what: str, database: str, make: Callable[[], T]) -> T:
    """The process's one `what` for this database, made on first use (a failed make is not kept)."""
    with _kept_lock:
        found = _kept.get((what, database))
        if found is None:
            found = _kept[(what, database)] = make()
        return found  # type: ignore[return-value]


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


def store() -> Store:
    """The process-wide store of the configured database."""
    return _process_wide("store", settings().database_url, open_store)


_code_throttle = Throttle(free_failures=3, base_delay=2.0, busy_per_minute=120)


def code_throttle() -> Throttle:
    """Wrong result codes, per session, in this process's memory."""
    return _code_throttle


def pin_guard() -> Guard:
    """Wrong kiosk PINs, per event, in the database (every process counts the same failures)."""
    return _process_wide("pin", settings().database_url, lambda: Guard(store().engine))


def funnel() -> FunnelBuffer:
    """The funnel counts of this process on their way to the store: written in the background, together."""
    database = settings().database_url
    return _process_wide(
        "funnel", database, lambda: FunnelBuffer(lambda: _process_wide("store", database, open_store))
    )


def _buffers() -> list[FunnelBuffer]:
    with _kept_lock:
        return [kept for (what, _), kept in _kept.items() if what == "funnel"]  # type: ignore[misc]


def flush_counts() -> None:
    """Write the funnel counts waiting in memory now (StoreUnavailable when the store cannot take them)."""
    for buffer in _buffers():
        buffer.flush()


def close() -> None:
    """At the end of the process: the funnel counts still in memory go to the store."""
    for buffer in _buffers():
        buffer.close()


def warm() -> None:
    """Make, while the server starts, what the first session would otherwise wait for: the texts and
    Babel's number formats of both languages, the settings, the surveys and events, the store (on
    SQLite its schema check and re-score), and Streamlit's own first-use work. Nothing here stops the
    start: a wrong setting or a database that cannot be opened is left to the first session, which
    tries again and says what is wrong."""
    # Streamlit warns of every cached function called outside a script run: here that is the point.
    streamlit_log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    outside_a_run = _OutsideARun()
    streamlit_log.addFilter(outside_a_run)
    try:
        # Streamlit's tables of emojis and Material icons, read when the first page names its icon
        # (some 0.1 s) and the first text with an icon is drawn.
        for table in ("streamlit.emojis", "streamlit.material_icon_names"):
            with contextlib.suppress(ImportError):
                importlib.import_module(table)
        for code in LANGUAGES:
            texts(code)
            # Babel's locale data, read from disk when the first number is shown (some 0.2 s).
            fmt.number(1234.5, code, 1)
            fmt.money(1234.5, code)
        try:
            _settings()
        except ValidationError:
            return
        published()
        events()
        try:
            store()
        except Exception:
            log.warning("the store could not be opened at start; the first visit tries again", exc_info=True)
        # Streamlit's first element of a process asks inspect.stack() whether it runs in a REPL, and
        # inspect then maps the file of every module loaded (some 0.3 s with the app's): done here,
        # once the server's modules are imported, the first session's call has little left to map.
        inspect.stack()
    finally:
        streamlit_log.removeFilter(outside_a_run)


class _OutsideARun(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "missing ScriptRunContext" not in record.getMessage()
