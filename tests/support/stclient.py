"""A headless Streamlit client: real sessions of the running app over Streamlit's own websocket.

`Session` sends what the browser sends (a BackMsg `rerun_script` with the page, the query
string and every widget value) and keeps what the browser keeps (the elements of the last run,
the widget values across reruns, the pending values of each form, the current page), without
drawing anything. `Visitor` completes a survey with it as a partner does. Used by the load
scripts in bench/ and their tests: a visitor costs the client milliseconds per step, where a
browser context costs a renderer process.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Origin, Subprotocol

from trp_core.method.breakeven import FRACTION_INPUTS, INTEGER_INPUTS
from trp_core.method.scoring import DONT_KNOW, clean_text
from trp_core.method.survey import (
    ChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    Section,
    Survey,
    TextQuestion,
    YesNoQuestion,
)
from trp_core.method.synthetic import random_answer, random_input
from trp_core.presentation.formatting import plain, read_number
from trp_core.presentation.i18n import t

# The element types that are widgets (what each sends is in _encode).
WIDGETS: Final = frozenset(
    {"radio", "selectbox", "button_group", "number_input", "checkbox", "text_area", "text_input"}
    | {"slider", "button", "download_button"}
)
DONE: Final = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
CODE: Final = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


class ClientError(Exception):
    """The session cannot go on: a timeout, a closed connection, or a page that lacks something."""


@dataclass(frozen=True)
class Widget:
    """A widget of the current run as the browser sees it, with the value it would send."""

    id: str
    kind: str  # the element type: radio, button_group, number_input, checkbox, text_area, button, ...
    label: str
    options: tuple[str, ...]
    form_id: str
    fragment_id: str
    disabled: bool
    value: Any
    proto: Any = field(repr=False)

    @property
    def key(self) -> str | None:
        """The key given in the app (`key=...`), or None; widget ids end with it."""
        user_key = self.id.split("-", 2)[-1]
        return None if user_key == "None" else user_key

    @property
    def submits_form(self) -> bool:
        return self.kind == "button" and self.proto.is_form_submitter


@dataclass
class _Node:
    path: tuple[int, ...]
    element: Any  # an Element proto, or None for a block
    block: Any  # a Block proto, or None for an element
    fragment_id: str
    run_id: str


class Session:
    """One browser tab on the app: connect, act on widgets, read what is shown.

    Every action waits until the app's script run (and any rerun or page switch it starts)
    has finished, as the browser shows the page only then; `timeout` bounds that wait.
    """

    def __init__(
        self, base_url: str, *, timeout: float = 30.0, locale: str = "en-US", cookie: str | None = None
    ):
        parts = urlsplit(base_url)
        self.cookie = cookie  # a Cookie header for the websocket's request, as a browser sends it
        self.origin = f"{parts.scheme}://{parts.netloc}"
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.stream_url = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.timeout = timeout
        self.locale = locale
        self.query_string = ""
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # page script hash -> url path ("" for the default page)
        self.runs = 0  # finished script runs, fragment runs included
        self.finished_at = 0.0  # time.perf_counter() when the last run finished
        self.notices: list[str] = []  # what the server said besides the page: page not found, ...
        self._page_name = ""
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._tree: dict[tuple[int, ...], _Node] = {}
        self._run_id = ""
        self._run_fragments: tuple[str, ...] = ()
        self._states: dict[str, WidgetState] = {}  # committed widget values, sent with every rerun
        self._pending: dict[str, dict[str, WidgetState]] = {}  # form id -> values not yet submitted
        self._idle = asyncio.Event()
        self._started = 0  # script runs begun
        self._failure: BaseException | None = None
        self._action = "connect"

    # --- connection ----------------------------------------------------------------------

    async def connect(self, query: str = "", page: str = "") -> None:
        """Open the app at /<page>?<query> and wait for its first run."""
        self.query_string, self._page_name = query.lstrip("?"), page.strip("/")
        try:
            self._ws = await connect(
                self.stream_url,
                origin=Origin(self.origin),
                additional_headers={"Cookie": self.cookie} if self.cookie else None,
                subprotocols=[Subprotocol("streamlit")],
                max_size=64 * 2**20,
                open_timeout=self.timeout,
                close_timeout=2,
                ping_interval=None,  # a browser sends no pings; it answers the server's
            )
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            raise ClientError(f"cannot open {self.stream_url}: {exc!r}") from exc
        self._reader = asyncio.create_task(self._read(), name="stclient-read")
        await self._rerun(None, "", f"open /{self._page_name}?{self.query_string}")

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self._ws = self._reader = None

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._failure is None

    @property
    def page(self) -> str:
        """The url path of the page shown ("" for the default page)."""
        return self.pages.get(self.page_hash, self._page_name)

    # --- what is shown -------------------------------------------------------------------

    def elements(self) -> list[Any]:
        """The Element protos of the page in document order (main area first)."""
        return [n.element for _, n in sorted(self._tree.items()) if n.element is not None]

    def forms(self) -> list[str]:
        return [n.block.form.form_id for _, n in sorted(self._tree.items()) if _is_form(n.block)]

    def texts(self) -> list[str]:
        """Every visible text: markdown, headings, alerts, code, captions, progress, exceptions."""
        out = []
        for e in self.elements():
            text = _element_text(e)
            if text:
                out.append(text)
        return out

    def alerts(self, kind: str = "error") -> list[str]:
        """Bodies of the st.error / st.warning / st.info / st.success boxes shown."""
        wanted = {"error": 1, "warning": 2, "info": 3, "success": 4}[kind]
        return [
            e.alert.body
            for e in self.elements()
            if e.WhichOneof("type") == "alert" and e.alert.format == wanted
        ]

    def errors(self) -> list[str]:
        """What a visitor would read as an error: error boxes and exceptions."""
        out = self.alerts("error")
        for e in self.elements():
            if e.WhichOneof("type") == "exception":
                out.append(f"{e.exception.type}: {e.exception.message}".strip(": "))
        return out

    def widgets(self) -> list[Widget]:
        out = []
        for _, node in sorted(self._tree.items()):
            e = node.element
            kind = e.WhichOneof("type") if e is not None else None
            if kind in WIDGETS:
                out.append(self._widget(kind, getattr(e, kind), node.fragment_id))
        return out

    def find_all(
        self,
        *,
        label: str | None = None,
        key: str | None = None,
        key_pattern: str | None = None,
        kind: str | None = None,
    ) -> list[Widget]:
        """Widgets by exact label, exact key, key regex (fullmatch) and/or element type."""
        pattern = re.compile(key_pattern) if key_pattern else None
        return [
            w
            for w in self.widgets()
            if (label is None or w.label == label)
            and (key is None or w.key == key)
            and (pattern is None or (w.key is not None and pattern.fullmatch(w.key)))
            and (kind is None or w.kind == kind)
        ]

    def find(self, **how: str) -> Widget:
        found = self.find_all(**how)
        if not found:
            shown = ", ".join(f"{w.kind}:{w.key or w.label!r}" for w in self.widgets())
            raise ClientError(f"no widget {how} on page /{self.page}; widgets: {shown}")
        return found[0]

    def has(self, **how: str) -> bool:
        return bool(self.find_all(**how))

    # --- acting --------------------------------------------------------------------------

    async def set(self, widget: Widget, value: Any) -> None:
        """Give a widget a value as the user would; outside a form the app reruns at once.

        Choices take an option's label or its index (None clears a segmented control);
        numbers a number or None; a checkbox a bool; text fields a string; a slider a number.
        """
        if widget.disabled:
            raise ClientError(f"{widget.kind} {widget.key or widget.label!r} is disabled")
        state = _encode(widget, value)
        if widget.form_id:
            self._pending.setdefault(widget.form_id, {})[widget.id] = state
            return
        self._states[widget.id] = state
        await self._rerun(None, widget.fragment_id, f"set {widget.key or widget.label!r}")

    async def click(self, widget: Widget, *, taps: int = 1) -> None:
        """Press a button; a form's submit button sends the form's pending values with it.

        `taps` > 1 presses it again before the app has answered, as an impatient double tap.
        """
        if widget.kind not in ("button", "download_button"):
            raise ClientError(f"{widget.kind} {widget.key or widget.label!r} is not a button")
        if widget.disabled:
            raise ClientError(f"button {widget.key or widget.label!r} is disabled")
        if widget.submits_form:
            self._states.update(self._pending.pop(widget.form_id, {}))
        trigger = WidgetState(id=widget.id, trigger_value=True)
        action = f"click {widget.key or widget.label!r}" + (f" ×{taps}" if taps > 1 else "")
        await self._rerun(trigger, widget.fragment_id, action, taps)

    async def rerun(self) -> None:
        """Run the page again with nothing changed, as a reload of the session would."""
        await self._rerun(None, "", "rerun")

    async def clear_cache(self) -> None:
        """Send what the menu's "Clear cache" sends (BackMsg clear_cache): the server empties
        st.cache_data, st.cache_resource and this session's state; it starts no run."""
        if self._ws is None:
            raise ClientError("clear cache: the session is not connected")
        message = BackMsg()
        message.clear_cache = True
        try:
            await self._ws.send(message.SerializeToString())
        except ConnectionClosed as exc:
            raise ClientError(f"clear cache: the connection is closed ({exc})") from exc

    # --- protocol ------------------------------------------------------------------------

    async def _rerun(
        self, trigger: WidgetState | None, fragment_id: str, action: str, times: int = 1
    ) -> None:
        if self._ws is None:
            raise ClientError(f"{action}: the session is not connected")
        self._check()
        state = ClientState(
            query_string=self.query_string,
            page_script_hash=self.page_hash,
            page_name=self.page,
            fragment_id=fragment_id,
        )
        state.widget_states.widgets.extend(self._states.values())
        if trigger is not None:
            state.widget_states.widgets.append(trigger)
        state.context_info.locale = self.locale
        state.context_info.timezone = "UTC"
        state.context_info.timezone_offset = 0
        state.context_info.url = f"{self.origin}/{self.page}" + (
            f"?{self.query_string}" if self.query_string else ""
        )
        state.context_info.is_embedded = False
        state.context_info.color_scheme = "light"
        message = BackMsg()
        message.rerun_script.CopyFrom(state)
        self._action = action
        self._idle.clear()
        try:
            payload = message.SerializeToString()
            for _ in range(times):
                await self._ws.send(payload)
        except ConnectionClosed as exc:
            raise ClientError(f"{action}: the connection is closed ({exc})") from exc
        await self._wait(action)
        while times > 1:  # the later requests may start runs of their own after the first finished
            started = self._started
            await asyncio.sleep(0.5)
            if self._started == started and self._idle.is_set():
                break
            await self._wait(action)

    async def _wait(self, action: str) -> None:
        try:
            await asyncio.wait_for(self._idle.wait(), self.timeout)
        except TimeoutError:
            raise ClientError(
                f"{action}: the app did not finish its run within {self.timeout:g} s (page /{self.page})"
            ) from None
        self._check()

    def _check(self) -> None:
        if self._failure is not None:
            raise ClientError(f"{self._action}: the connection failed: {self._failure!r}")

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for data in self._ws:
                if isinstance(data, str):
                    raise ClientError("the server sent a text frame")
                message = ForwardMsg()
                message.ParseFromString(data)
                self._handle(message)
            raise ClientError("the server closed the connection")
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # whatever ends the reader, the waiting action must learn of it
            self._failure = exc
            self._idle.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._delta(msg)
        elif kind == "new_session":
            self._started += 1
            self._idle.clear()
            self._run_id = msg.metadata.run.script_run_id
            self._run_fragments = tuple(msg.metadata.run.fragment_ids)
        elif kind == "navigation":
            self.pages = {p.page_script_hash: p.url_pathname for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished":
            if msg.script_finished in DONE:
                self._finish()
            elif msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.notices.append("compile error")
                self._finish()
        elif kind == "page_not_found":
            self.notices.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "ref_hash":  # only for hashes the client says it has cached; this one has none
            raise ClientError("the server referred to a cached message")

    def _delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        kind = delta.WhichOneof("type")
        if kind not in ("new_element", "add_block"):
            return  # transient elements (spinners) vanish with the run
        path = tuple(msg.metadata.delta_path)
        element = delta.new_element if kind == "new_element" else None
        block = delta.add_block if kind == "add_block" else None
        old = self._tree.get(path)
        same_block = (
            old is not None
            and old.block is not None
            and block is not None
            and old.block.WhichOneof("type") == block.WhichOneof("type")
        )
        if old is not None and not same_block:  # a different container drops its children
            self._drop_below(path)
        self._tree[path] = _Node(path, element, block, delta.fragment_id, self._run_id)
        if element is not None:
            element_kind = element.WhichOneof("type")
            if element_kind in WIDGETS:
                self._take_server_value(element_kind, getattr(element, element_kind))

    def _drop_below(self, path: tuple[int, ...]) -> None:
        n = len(path)
        for p in [p for p in self._tree if len(p) > n and p[:n] == path]:
            del self._tree[p]

    def _finish(self) -> None:
        """Remove what this run did not draw again (in a fragment run: in its fragments only)."""
        fragments = self._run_fragments
        stale = [
            p
            for p, n in self._tree.items()
            if n.run_id != self._run_id and (not fragments or n.fragment_id in fragments)
        ]
        for p in stale:
            if p in self._tree:
                del self._tree[p]
                self._drop_below(p)
        active = {w.id for w in self.widgets()}
        self._states = {k: v for k, v in self._states.items() if k in active}
        for form, pending in list(self._pending.items()):
            kept = {k: v for k, v in pending.items() if k in active}
            if kept:
                self._pending[form] = kept
            else:
                del self._pending[form]
        self.runs += 1
        self.finished_at = time.perf_counter()
        self._idle.set()

    def _take_server_value(self, kind: str, proto: Any) -> None:
        """A value the app set (session state) replaces the one held, as in the browser."""
        if not getattr(proto, "set_value", False):
            return
        state = _server_state(kind, proto)
        if state is not None:
            self._states[proto.id] = state
            for pending in self._pending.values():
                pending.pop(proto.id, None)

    def _widget(self, kind: str, proto: Any, fragment_id: str) -> Widget:
        options = _options(kind, proto)
        held = self._pending.get(proto.form_id, {}).get(proto.id)
        if held is None:
            held = self._states.get(proto.id)
        value = _decode(held) if held is not None else _default(kind, proto, options)
        return Widget(
            id=proto.id,
            kind=kind,
            label=proto.label,
            options=options,
            form_id=proto.form_id,
            fragment_id=fragment_id,
            disabled=proto.disabled,
            value=value,
            proto=proto,
        )


def _is_form(block: Any) -> bool:
    return block is not None and block.WhichOneof("type") == "form"


# The field that holds the text of each kind of element that shows text.
_TEXT_FIELD = {
    "markdown": "body", "heading": "body", "alert": "body", "text": "body", "code": "code_text",
    "progress": "text",
}  # fmt: skip


def _element_text(e: Any) -> str:
    kind = e.WhichOneof("type")
    if kind == "exception":
        return f"{e.exception.type}: {e.exception.message}"
    return getattr(getattr(e, kind), _TEXT_FIELD[kind]) if kind in _TEXT_FIELD else ""


def _options(kind: str, proto: Any) -> tuple[str, ...]:
    if kind in ("radio", "selectbox"):
        return tuple(proto.options)
    if kind == "button_group":
        return tuple(o.content for o in proto.options)
    if kind == "slider":
        return tuple(proto.options)
    return ()


def _encode(widget: Widget, value: Any) -> WidgetState:
    state = WidgetState(id=widget.id)
    kind = widget.kind
    if kind in ("radio", "selectbox"):
        if value is not None:
            state.string_value = _option(widget, value)
    elif kind == "button_group":
        state.string_array_value.data.extend([] if value is None else [_option(widget, value)])
    elif kind == "number_input":
        if value is None:
            return state  # an emptied field sends no value
        if widget.proto.data_type == NumberInput.INT:
            if float(value) != int(value):
                raise ClientError(f"{widget.key or widget.label!r} takes whole numbers, not {value!r}")
            state.int_value = int(value)
        else:
            state.double_value = float(value)
    elif kind == "checkbox":
        state.bool_value = bool(value)
    elif kind in ("text_area", "text_input"):
        state.string_value = str(value)
    elif kind == "slider":
        values = value if isinstance(value, list | tuple) else [value]
        state.double_array_value.data.extend(float(v) for v in values)
    else:
        raise ClientError(f"a {kind} takes no value; click it")
    return state


def _option(widget: Widget, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < len(widget.options):
            raise ClientError(f"{widget.key or widget.label!r} has no option {value}")
        return widget.options[value]
    if value not in widget.options:
        raise ClientError(f"{widget.key or widget.label!r} has no option {value!r}; it has {widget.options}")
    return value


def _decode(state: WidgetState) -> Any:
    which = state.WhichOneof("value")
    if which is None:
        return None
    raw = getattr(state, which)
    if which.endswith("_array_value"):
        data = list(raw.data)
        return data[0] if len(data) == 1 else (data or None)
    return raw


def _default(kind: str, proto: Any, options: tuple[str, ...]) -> Any:
    """The value the widget starts with, which the browser shows before the user acts."""
    if kind in ("radio", "selectbox"):
        return options[proto.default] if proto.HasField("default") and options else None
    if kind == "button_group":
        return options[proto.default[0]] if proto.default else None
    if kind == "number_input":
        if not proto.HasField("default"):
            return None
        return int(proto.default) if proto.data_type == NumberInput.INT else proto.default
    if kind == "checkbox":
        return proto.default
    if kind in ("text_area", "text_input"):
        return proto.default if proto.HasField("default") else None
    if kind == "slider":
        return list(proto.default)
    return None


def _server_state(kind: str, proto: Any) -> WidgetState | None:
    state = WidgetState(id=proto.id)
    if kind in ("radio", "selectbox"):
        if proto.HasField("raw_value"):
            state.string_value = proto.raw_value
    elif kind == "button_group":
        state.string_array_value.data.extend(proto.raw_values)
    elif kind == "number_input":
        if proto.HasField("value"):
            if proto.data_type == NumberInput.INT:
                state.int_value = int(proto.value)
            else:
                state.double_value = proto.value
    elif kind == "checkbox":
        state.bool_value = proto.value
    elif kind in ("text_area", "text_input"):
        if proto.HasField("value"):
            state.string_value = proto.value
    elif kind == "slider":
        state.double_array_value.data.extend(proto.value)
    else:
        return None
    return state


# --- a partner ------------------------------------------------------------------------------


@dataclass
class Visit:
    """One completed questionnaire: what was sent and what came back."""

    survey_id: str
    lang: str
    answers: dict[str, Any]  # as the app stores them
    code: str | None  # the result code shown, None when none was shown
    submit_seconds: float | None  # click on submit until the result page with the code
    errors: list[str]  # error texts the visitor saw on the way
    taps: int = 1  # 2: submit was double-tapped


class Visitor:
    """A prospective partner in a `Session`: start page, each step, the calculator, submit.

    Answers are random and valid, drawn from `rng`; `pause` is a (min, max) think time in
    seconds before each action. `answers` follows the app's own answer set, so that after
    submit it equals what the app stored.
    """

    def __init__(
        self,
        base_url: str,
        survey: Survey,
        lang: str,
        rng: random.Random,
        *,
        pause: tuple[float, float] | None = None,
        timeout: float = 60.0,
        answer_rate: float = 0.9,
        dont_know_rate: float = 0.05,
        double_tap: float = 0.0,
        cookie: str | None = None,
    ):
        self.base_url, self.survey, self.lang, self.rng = base_url, survey, lang, rng
        self.pause, self.timeout = pause, timeout
        self.answer_rate, self.dont_know_rate = answer_rate, dont_know_rate
        self.double_tap = double_tap  # the share of submissions tapped twice at once
        locale = "de-DE" if lang == "de" else "en-US"
        self.session = Session(base_url, timeout=timeout, locale=locale, cookie=cookie)
        self.answers: dict[str, Any] = {}
        self.errors: list[str] = []
        self.actions = 0

    # --- where the visitor is ------------------------------------------------------------

    def where(self) -> str:
        """The place shown: start, section:<id>, calculator, result, or /<page> for any other."""
        s = self.session
        if s.page in ("", "start"):
            return "start"
        if s.page == "result":
            return "result"
        if s.page == "check":
            for form in s.forms():
                if form.startswith("step."):
                    return "section:" + form.split(".", 2)[2]
            if s.has(key="submit"):
                return "calculator"
        return f"/{s.page}"

    def section(self) -> Section:
        place = self.where()
        if not place.startswith("section:"):
            raise ClientError(f"not on a questionnaire step but at {place}")
        wanted = place.split(":", 1)[1]
        return next(s for s in self.survey.sections if s.id == wanted)

    def result_code(self) -> str | None:
        line = t("code_line", self.lang)
        for text in self.session.texts():
            if line in text:
                found = CODE.search(text)
                if found:
                    return found.group(0)
        return None

    # --- actions -------------------------------------------------------------------------

    async def _think(self) -> None:
        if self.pause:
            await asyncio.sleep(self.rng.uniform(*self.pause))

    async def _act(self, action: Callable[[], Awaitable[None]]) -> None:
        await self._think()
        await action()
        self.actions += 1
        self.errors.extend(self.session.errors())

    async def open(self) -> None:
        await self._act(lambda: self.session.connect(f"survey={self.survey.id}&lang={self.lang}"))
        if self.where() != "start":
            raise ClientError(f"the link opened {self.where()}, not the start page")

    async def close(self) -> None:
        await self.session.close()

    async def start(self) -> None:
        """From the start page into the questionnaire with a fresh answer set."""
        s = self.session
        button = s.find(key="start") if s.has(key="start") else s.find(label=t("restart_button", self.lang))
        await self._act(lambda: s.click(button))
        self.answers = {}
        if not self.where().startswith("section:"):
            raise ClientError(f"start led to {self.where()}")

    def draw(self, question: Any) -> Any:
        """A random answer to one question, None for unanswered."""
        if self.rng.random() >= self.answer_rate:
            return None
        if getattr(question, "dont_know", False) and self.rng.random() < self.dont_know_rate:
            return DONT_KNOW
        if isinstance(question, TextQuestion):
            return self.rng.choice(["Mehr Vertrieb", "More presales support", "Demo-System, bitte"])
        return random_answer(question, self.rng)

    async def fill(self, values: dict[str, Any]) -> None:
        """Enter answers in the shown step's form (sent with its next or back button).

        `values` maps question ids to answers in the answer-file form. A question whose value
        is None or that is not in `values` is not touched: it keeps what it shows.
        """
        s, lang = self.session, self.lang
        dont_know = t("dont_know", lang)
        for q in self.section().questions:
            value = values.get(q.id)
            if value is None:
                continue
            key = rf"q\.\d+\.{lang}\.{re.escape(q.id)}"
            w = s.find(key_pattern=key)
            if isinstance(q, NumberQuestion):
                if q.dont_know:
                    await self._enter(s.find(key_pattern=key + r"\.dk"), value == DONT_KNOW)
                if value != DONT_KNOW:
                    await self._enter(w, plain(value, lang))  # typed as the page's language writes it
            elif value == DONT_KNOW:
                await self._enter(w, dont_know)
            elif isinstance(q, ChoiceQuestion):
                await self._enter(w, q.option(value).label(lang))
            elif isinstance(q, ScaleQuestion):
                await self._enter(w, str(value))
            elif isinstance(q, YesNoQuestion):
                await self._enter(w, t("yes" if value else "no", lang))
            elif isinstance(q, TextQuestion):
                await self._enter(w, value)

    async def _enter(self, widget: Widget, value: Any) -> None:
        if not widget.form_id:
            raise ClientError(f"{widget.key} is not in the step's form")
        await self.session.set(widget, value)  # held in the form until it is submitted

    def _form_answers(self) -> dict[str, Any]:
        """The answers of the shown step as the app reads them from its form on submit."""
        s, lang, out = self.session, self.lang, {}
        dont_know = t("dont_know", lang)
        for q in self.section().questions:
            key = rf"q\.\d+\.{lang}\.{re.escape(q.id)}"
            value = s.find(key_pattern=key).value
            if isinstance(q, NumberQuestion):
                if q.dont_know and s.find(key_pattern=key + r"\.dk").value:
                    value = DONT_KNOW
                else:
                    whole = all(float(v).is_integer() for v in (q.min, q.max, q.step))
                    value = read_number(value, lang, q.min, q.max, whole=whole).value
            elif value == dont_know:
                value = DONT_KNOW
            elif isinstance(q, ChoiceQuestion) and value is not None:
                value = next(o.id for o in q.options if o.label(lang) == value)
            elif isinstance(q, ScaleQuestion) and value is not None:
                value = int(value)
            elif isinstance(q, YesNoQuestion) and value is not None:
                value = value == t("yes", lang)
            elif isinstance(q, TextQuestion):
                value = clean_text(value or "") or None
            out[q.id] = value
        return out

    async def _leave_step(self, button_key: str) -> None:
        s = self.session
        form = self._form_answers()
        await self._act(lambda: s.click(s.find(key=button_key)))
        for qid, value in form.items():
            if value is None:
                self.answers.pop(qid, None)
            else:
                self.answers[qid] = value

    async def next(self) -> None:
        """The step's forward button; when the app points out open questions, press it again."""
        before = self.where()
        await self._leave_step("nav.next")
        if self.where() == before:  # "continue anyway"
            await self._leave_step("nav.next")
            if self.where() == before:
                raise ClientError(f"next did not leave {before}: {self.session.errors()}")

    async def back(self) -> None:
        if self.where() == "calculator":
            await self._act(lambda: self.session.click(self.session.find(key="nav.back")))
            return
        await self._leave_step("nav.back")

    async def answer_step(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Answer the shown step (random answers unless given) and go on; returns what was entered."""
        chosen = values if values is not None else {q.id: self.draw(q) for q in self.section().questions}
        await self.fill(chosen)
        await self.next()
        return chosen

    def _calculator_key(self, name: str) -> str:
        return rf"c\.\d+\.{self.lang}\.{re.escape(name)}"

    def calculator_answers(self) -> dict[str, Any]:
        """The calculator's figures as the app keeps them, read from the shown fields."""
        calc = self.survey.calculator
        out = {}
        for name, spec in calc.inputs.items():
            if spec.fixed:
                out[name] = spec.default
                continue
            w = self.session.find(key_pattern=self._calculator_key(name))
            scale = 100 if name in FRACTION_INPUTS else 1
            value = read_number(
                w.value, self.lang, spec.min * scale, spec.max * scale, percent=scale == 100
            ).value
            if value is None:
                out[name] = spec.default
            elif name in INTEGER_INPUTS:
                out[name] = int(value)
            else:
                value = round(value / scale, 6)
                grid = all(float(v).is_integer() for v in (spec.min, spec.max, spec.step))
                out[name] = int(value) if scale == 1 and grid and float(value).is_integer() else value
        return out

    async def set_figure(self, name: str, value: float) -> None:
        """Type one figure (in the model's units; fractions as fractions) into the calculator."""
        w = self.session.find(key_pattern=self._calculator_key(name))
        shown = round(value * 100, 6) if name in FRACTION_INPUTS else value
        if name in INTEGER_INPUTS:
            shown = round(shown)
        await self._act(lambda: self.session.set(w, plain(shown, self.lang)))
        self.answers.update(self.calculator_answers())

    async def set_figures(self, figures: dict[str, float] | None = None) -> dict[str, float]:
        """Type figures (random ones for some asked inputs unless given)."""
        calc = self.survey.calculator
        if figures is None:
            asked = list(calc.asked)
            chosen = self.rng.sample(asked, k=self.rng.randint(1, len(asked)))
            figures = {name: random_input(self.survey, name, self.rng) for name in chosen}
        for name, value in figures.items():
            await self.set_figure(name, value)
        return figures

    async def submit(self, taps: int = 1) -> tuple[str | None, float]:
        """Press submit (`taps` times at once); the result code shown (None if none) and the
        seconds from the press until the page with it was complete."""
        if self.survey.calculator:
            self.answers.update(self.calculator_answers())
        await self._think()
        began = time.perf_counter()
        await self.session.click(self.session.find(key="submit"), taps=taps)
        seconds = self.session.finished_at - began
        self.actions += 1
        self.errors.extend(self.session.errors())
        return (self.result_code() if self.where() == "result" else None), seconds

    async def new_check(self) -> None:
        """From the result page back to the start page for another self-check."""
        s = self.session
        await self._act(lambda: s.click(s.find(label=t("new_check", self.lang))))
        if self.where() != "start":
            raise ClientError(f"'new check' led to {self.where()}")

    async def complete(self, reuse: bool = False) -> Visit:
        """The whole questionnaire from the start page to the result.

        A new session opens the survey link unless `reuse` and the session is already open.
        """
        if not (reuse and self.session.connected):
            await self.open()
        errors_before = len(self.errors)
        await self.start()
        while self.where().startswith("section:"):
            await self.answer_step()
        if self.where() == "calculator":
            await self.set_figures()
        elif self.survey.calculator:
            raise ClientError(f"the questionnaire ended at {self.where()}, not at the calculator")
        answers = dict(self.answers)
        taps = 2 if self.rng.random() < self.double_tap else 1
        code, seconds = await self.submit(taps)
        return Visit(
            survey_id=self.survey.id,
            lang=self.lang,
            answers=answers,
            code=code,
            submit_seconds=seconds if code else None,
            errors=self.errors[errors_before:],
            taps=taps,
        )
