"""Server time of one script rerun: the app's pages against bare Streamlit pages, in one run.

For every bundled survey, three pages of the app, each in a session of its own, are rerun
`--runs` times (default 50) with nothing changed, as a tap on a button does:
- the questionnaire step of its largest section (most questions, then most widgets), with
  answers in the session (random valid ones, seed 2026, as trp_core.method.synthetic makes them);
- the calculator step, with the survey's typical figures (the full rerun, as on its back and
  submit buttons and the language switch; typing a figure reruns only its fragment);
- the result page, reached by a real submit.
Each page is measured against a bare Streamlit script with the same elements, in the same run
and interleaved with it run by run (each going first in turn), so that the machine's drift
hits both alike. Printed per page: median and 90th percentile, and the ratio of the medians
(target ≤ 1.5x); also the ratio of the script thread's CPU time, which other load on the machine
disturbs less than wall time.

How it is timed. streamlit.testing.v1.AppTest drives the sessions, and a wrapper around
`ScriptRunner._run_script` times each rerun. That is the method the real server's script
thread runs for every rerun request (AppTest's LocalScriptRunner inherits it): widget states,
st.navigation and the page, every st.* call with its protobuf marshalling and enqueueing, and
the end-of-run widget clean-up. It leaves out what AppTest adds around a run and the server
does not have (a new thread and event loop per run, 1 ms polling, parsing the messages into an
element tree); `at.run()` around it is printed as well ("AppTest"). Three differences from the
real server are corrected or shown (four with the last one):
- AppTest makes a new, empty ScriptCache for every run, so each rerun would parse, rewrite
  ("magic") and compile app.py and the page again, two thirds of a step's time; the server compiles
  once. The sessions here share one ScriptCache, as the server's do.
- AppTest forgets before every run that the app has called st.navigation, so Streamlit wraps
  every run of a script with a folder pages/ beside it in its older multipage mode (a glob of
  pages/*.py and a hidden st.navigation around the script); a real server does so only on the
  first run of a process. The bare scripts get a folder pages/ too, so both sides pay it alike.
- AppTest makes a new MagicMock of Streamlit's Runtime for every run, so st.context (the cookies,
  which app.py reads on every run to find a manager's session) builds a tree of mocks anew each
  time, about a millisecond that the real server does not pay (there it is a lookup of the
  session's client and the cookies of its websocket request, a dict). The mock here answers
  `get_client` with None, as for a session without a client (no cookies); --apptest-context
  keeps AppTest's own mock.
- After every run the server calls gc.collect(2) (runner.postScriptGC, on by default); AppTest's
  runner does not. It is timed separately at the end (and in the real server by
  bench/first_question.py), not added to the table.
The first run of each session and three more are not measured: they fill st.cache_resource,
the shared ScriptCache and Altair's schema validators. The database is a fresh SQLite file.

The bare pages (the baseline). A generated single-file script per page, without st.navigation,
session logic, i18n or scoring, making the same st.* calls in the same layout: the same kinds
and numbers of widgets and text elements, with the same labels, options, help texts, defaults
and keys, in the same forms, columns, bordered containers and expanders. The calls of a
questionnaire step's questions and of the calculator's fragment (its containers and columns
too) are recorded from the app's own widget functions (pages/components/widgets.py, called once
with st.* replaced by recorders) and replayed as literals, so they agree argument by argument;
the rest of their layout is written out below after the pages.
The result page's bare script is read from the element tree the real page (pages/partner/result.py
through app.py) has just rendered: one st.* call per element and block. The element kinds of both
rendered trees are counted and compared ("elements"), so a mismatch would show. Charts: the
same number of st.vega_lite_chart calls (what the app uses), each with a trivial Altair chart
(one mark, two inline rows, width="stretch") built and converted with validation in the run. That is the fixed price
of a chart in Streamlit (building the object, Altair's to_dict with schema validation, the
proto) without the content; what the app's charts cost above that is part of the ratio, on
purpose, since that is what the visitor waits for. Substitutions: st.page_link to an external
URL (a bare script has no page to link to), the PDF's deferred data callable returns b"", and
on the result page st.markdown for st.write of a text (st.write passes it on to st.markdown).

    .venv/bin/python bench/page_speed.py [--runs 50] [--survey ID] [--experiments]
                                         [--profile PAGE [--profile-variant NAME]] [--apptest-context]

--experiments measures the changes suggested by the profile, monkeypatched into the running
app (nothing in it is edited), against the unchanged app and the bare page in the same run:
- "no validation": Altair without JSON-schema validation, neither when a chart object is made
  (Altair's DEBUG_MODE) nor in the to_dict that st.altair_chart calls;
- "cached charts": each chart built and converted to Vega-Lite once per session and reused on
  its reruns (as if the spec were kept in the session and drawn with st.vega_lite_chart); the
  calculator's chart is reused while the figures do not change;
- "both"; and the calculator once more with a new figure before every rerun, where a
  cached chart cannot help.
--profile PAGE (a page name's beginning, e.g. "trp-standard result") prints cProfile's view of
that page's reruns, optionally under one of those variants.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import cProfile
import io
import logging
import os
import pstats
import random
import statistics
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import altair as alt
import streamlit as st
from altair.utils import schemapi
from streamlit.elements import vega_charts
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.testing.v1 import AppTest, local_script_runner
from streamlit.testing.v1 import app_test as app_test_module

from trp_core.files.surveys import load_survey
from trp_core.method import breakeven as be
from trp_core.method.survey import NumberQuestion, Survey, TextQuestion
from trp_core.method.synthetic import random_answers
from trp_core.presentation import result_charts
from trp_core.presentation.formatting import plain
from trp_core.presentation.i18n import t

ROOT = Path(__file__).resolve().parent.parent

# The recorded calls below run outside a script run; Streamlit warns about each of them.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage()
)

LANG = "en"
WARMUP = 3
TARGET = 1.5

# --- timing hook -------------------------------------------------------------------------------

_RUNS: list[tuple[float, float]] = []  # (wall, CPU time of the script thread) of each run
_PROFILER: cProfile.Profile | None = None
_run_script = ScriptRunner._run_script


def _timed_run_script(self: ScriptRunner, rerun_data: Any) -> None:
    profiler = _PROFILER
    start, cpu = time.perf_counter(), time.thread_time()
    if profiler is not None:
        profiler.enable()  # cProfile follows the calling thread: this is the script thread
    try:
        _run_script(self, rerun_data)
    finally:
        if profiler is not None:
            profiler.disable()
        _RUNS.append((time.perf_counter() - start, time.thread_time() - cpu))


ScriptRunner._run_script = _timed_run_script

# The real server compiles a script once (Runtime's ScriptCache; runOnSave is off) and reuses
# the bytecode for every rerun of every session. AppTest makes a new, empty ScriptCache for each
# run, so each rerun would also parse, rewrite ("magic") and compile app.py and the page:
# that is not server time, so the sessions here share one cache, as in the server.
_SCRIPT_CACHE = ScriptCache()
app_test_module.ScriptCache = lambda: _SCRIPT_CACHE
local_script_runner.ScriptCache = lambda: _SCRIPT_CACHE
_AppTestMock = app_test_module.MagicMock


def _runtime_mock(*args: Any, **kwargs: Any) -> Any:
    """AppTest's Runtime mock, whose get_client answers as the server's does for a session without
    a client: at once, with None (no mock tree built for st.context on every run)."""
    runtime = _AppTestMock(*args, **kwargs)
    runtime.get_client = lambda session_id: None
    return runtime


def rerun(at: AppTest) -> tuple[float, float, float]:
    """One rerun, in seconds: the script run's wall and CPU time, and AppTest's wall time around it."""
    _RUNS.clear()
    start = time.perf_counter()
    at.run()
    wall = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].value}")
    if len(_RUNS) != 1:
        raise RuntimeError(f"expected one script run, got {len(_RUNS)}")
    return *_RUNS[0], wall


def kinds(node: Any) -> Counter[str]:
    """Element and block kinds in a rendered tree (the script's output, as the browser gets it)."""
    counts: Counter[str] = Counter()
    for child in getattr(node, "children", {}).values():
        kind = child.type
        if kind == "unknown" and hasattr(child, "proto"):
            kind = child.proto.WhichOneof("type") or kind
        counts[kind] += 1
        counts.update(kinds(child))
    return counts


# --- the app's sessions ------------------------------------------------------------------------


def app_session(survey: Survey, answers: dict[str, Any], step: int | None) -> AppTest:
    """A session of the real app, started on the survey, with `answers` and on `step`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["survey"] = survey.id
    at.query_params["lang"] = LANG
    at.run()
    at.button(key="start").click().run()
    at.session_state["trp.answers"] = dict(answers)
    if step is not None:
        at.session_state["trp.step"] = step
    at.run()
    if at.exception:
        raise RuntimeError(f"{survey.id}: {at.exception[0].value}")
    return at


def result_session(survey: Survey, answers: dict[str, Any], calculator_step: int) -> AppTest:
    at = app_session(survey, answers, calculator_step)
    at.button(key="submit").click().run()
    if "trp.result" not in at.session_state or at.exception:
        raise RuntimeError(f"{survey.id}: the submit did not reach the result page")
    return at


def largest_section(survey: Survey) -> tuple[int, Any]:
    from pages.components import widgets as w

    steps = w.steps(survey)

    def size(item: tuple[int, Any]) -> tuple[int, int]:
        _, (_, section) = item
        widgets = sum(1 + bool(isinstance(q, NumberQuestion) and q.dont_know) for q in section.questions)
        return len(section.questions), widgets

    index, (_, section) = max(((i, s) for i, s in enumerate(steps) if s[0] == "section"), key=size)
    return index, section


# --- bare pages --------------------------------------------------------------------------------


class _Recorder:
    """Stands in for the streamlit module while the app's widget functions run outside a script.

    Each st.* call becomes a line of source with literal arguments. A block (st.container,
    st.columns, st.empty) is kept in a variable, so that calls on it and `with` it are recorded
    too, the calls inside a `with` indented under it."""

    LEAVES = (
        "radio",
        "segmented_control",
        "text_input",
        "checkbox",
        "text_area",
        "caption",
        "markdown",
        "write",
        "html",
        "progress",
        "altair_chart",
        "vega_lite_chart",
    )
    BLOCKS = ("container", "columns", "empty")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0
        self.blocks = 0

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            for name in self.LEAVES:
                stack.enter_context(mock.patch.object(st, name, self._leaf("st", name)))
            for name in self.BLOCKS:
                stack.enter_context(mock.patch.object(st, name, self._block(name)))
            stack.enter_context(mock.patch.object(st, "fragment", lambda f: f))
            yield

    def _leaf(self, target: str, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.lines.append("    " * self.depth + _literal_call(f"{target}.{name}", args, kwargs))
            value = kwargs.get("value", kwargs.get("default"))
            return "" if value is None and name in ("text_area", "text_input") else value

        return call

    def _block(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.blocks += 1
            var = f"block{self.blocks}"
            self.lines.append("    " * self.depth + f"{var} = " + _literal_call(f"st.{name}", args, kwargs))
            if name != "columns":
                return _Block(self, var)
            spec = args[0] if args else kwargs["spec"]
            return [_Block(self, f"{var}[{i}]") for i in range(spec if isinstance(spec, int) else len(spec))]

        return call


class _Block:
    """A recorded block: `with` it indents the calls inside; a call on it is recorded on it."""

    def __init__(self, recorder: _Recorder, var: str) -> None:
        self.recorder, self.var = recorder, var

    def __enter__(self) -> _Block:
        self.recorder.lines.append("    " * self.recorder.depth + f"with {self.var}:")
        self.recorder.depth += 1
        return self

    def __exit__(self, *_: object) -> None:
        self.recorder.depth -= 1

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return self.recorder._leaf(self.var, name)


def _literal_call(name: str, args: tuple, kwargs: dict) -> str:
    """Source of a recorded call with literal arguments; a format_func becomes a dict lookup."""
    kwargs = dict(kwargs)
    fmt_func = kwargs.pop("format_func", None)
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    if fmt_func is not None:
        options = args[1] if len(args) > 1 else kwargs["options"]
        parts.append(f"format_func={ {o: fmt_func(o) for o in options}!r}.__getitem__")
    return f"{name}({', '.join(parts)})"


def _record(fn: Callable[..., Any], *args: Any) -> list[str]:
    """The source lines of the st.* calls `fn(*args)` makes, indented as their blocks nest."""
    rec = _Recorder()
    with rec.patched():
        fn(*args)
    return rec.lines


TRIVIAL_CHART = """
import altair as alt


def trivial_chart():
    return alt.Chart(alt.Data(values=[{"x": 0, "y": 0}, {"x": 1, "y": 1}])).mark_line().encode(x="x:Q", y="y:Q")
"""


def _header(switch: bool) -> str:
    from pages.components import resources
    from pages.components import shared as ui

    caption = f"{resources.settings().vendor_name} · {t('app_title', LANG)}"
    src = f"""
st.html({ui._CSS!r})
st.html({ui._LANG_HTML.replace("{lang}", LANG)!r}, unsafe_allow_javascript=True)
left, right = st.columns([3, 1], vertical_alignment="center")
with left:
    st.caption({caption!r})
"""
    if switch:
        src += f"""with right:
    st.segmented_control({t("language", LANG)!r}, options=["de", "en"],
        format_func={{"de": "Deutsch", "en": "English"}}.__getitem__, default={LANG!r},
        key="langswitch.{LANG}", label_visibility="collapsed")
"""
    return src


def _progress(survey: Survey, index: int) -> str:
    from pages.components import widgets as w

    return "\n".join(_record(w.progress, survey, w.steps(survey), index, LANG)) + "\n"


def bare_section(survey: Survey, index: int, section: Any, answers: dict[str, Any]) -> str:
    from pages.components import widgets as w

    other = "de" if LANG == "en" else "en"
    src = "import streamlit as st\n" + _header(False) + _progress(survey, index)
    src += f"""with st.form("step.1.{section.id}", border=False, enter_to_submit=False):
    title, switch_col = st.columns([4, 1], vertical_alignment="bottom")
    title.subheader({section.title(LANG)!r})
    switch_col.form_submit_button({ {"de": "Deutsch", "en": "English"}[other]!r}, help={t("language", LANG)!r},
        key="nav.lang", icon=":material/translate:")
"""
    if section.intro:
        src += f"    st.write({section.intro(LANG)!r})\n"
    src += "    alert = st.empty()\n"
    for q in section.questions:
        src += "    with st.container(border=True):\n"
        key = f"q.1.{LANG}.{q.id}"
        for line in _record(w.question, q, LANG, key, answers.get(q.id)):
            src += f"        {line}\n"
    src += f"""    back_col, _, next_col = st.columns([1, 1, 1])
    back_col.form_submit_button({t("back", LANG)!r}, disabled={index == 0!r}, width="stretch", key="nav.back")
    next_col.form_submit_button({t("next", LANG)!r}, type="primary", width="stretch", key="nav.next")
"""
    return src


def bare_calculator(survey: Survey, index: int, answers: dict[str, Any]) -> str:
    from pages.components import widgets as w

    calc = survey.calculator
    key = f"c.1.{LANG}"
    figures = {name: answers.get(name, spec.default) for name, spec in calc.inputs.items()}
    # The fragment's layout, widgets, chart, caption and lines, recorded from the app's own function;
    # its chart a trivial one.
    recorded = [
        line[: len(line) - len(line.lstrip())]
        + 'st.vega_lite_chart(trivial_chart().to_dict(), width="stretch")'
        if line.lstrip().startswith(("st.altair_chart", "st.vega_lite_chart"))
        else line
        for line in _record(w.calculator, survey, figures, LANG, key)
    ]
    src = "import streamlit as st\n" + TRIVIAL_CHART + _header(True) + _progress(survey, index)
    src += f"st.subheader({calc.title(LANG)!r})\n"
    if calc.intro:
        src += f"st.write({calc.intro(LANG)!r})\n"
    src += f"st.caption({t('calc_live', LANG)!r})\n"
    src += "alert = st.empty()\n"
    src += "\n\n@st.fragment\ndef live():\n"
    for line in recorded:
        src += f"    {line}\n"
    src += f"""

live()
back_col, _, submit_col = st.columns([1, 1, 1])
back_col.button({t("back", LANG)!r}, width="stretch", disabled=False, key="nav.back")
submit_col.button({t("submit", LANG)!r}, type="primary", width="stretch", key="submit")
"""
    return src


def bare_page(app: AppTest) -> str:
    """A bare script that makes the st.* calls of the page the app has just rendered, in its layout.

    Read from the rendered element tree (what the browser gets), so it follows the page as it is:
    each element and block becomes the st.* call that makes it, with the same texts, options and
    keys. An element kind without a rule here stops the bench rather than being left out.
    """
    out = ["import streamlit as st", TRIVIAL_CHART]
    root = app._tree.children
    _emit(root[2], 0, out)  # the event block: st.html with only a <style> lands there
    _emit(root[0], 0, out)
    if root[1].children:
        out.append("with st.sidebar:")
        _emit(root[1], 1, out)
    return "\n".join(out) + "\n"


def _enum(message: Any, name: str) -> str:
    value = getattr(message, name)
    return message.DESCRIPTOR.fields_by_name[name].enum_type.values_by_number[value].name.lower()


def _emit(node: Any, depth: int, out: list[str]) -> None:
    pad = "    " * depth
    children = list(getattr(node, "children", {}).values())
    if not children:
        out.append(pad + "pass")
    for child in children:
        kind, proto = child.type, getattr(child, "proto", None)
        if kind == "flex_container" and _enum(proto.flex_container, "direction") == "horizontal":
            columns = list(child.children.values())
            name = f"cols{len(out)}"
            align = _enum(columns[0].proto, "vertical_alignment")
            out.append(
                f"{pad}{name} = st.columns({[c.proto.weight for c in columns]!r}, vertical_alignment={align!r})"
            )
            for i, column in enumerate(columns):
                out.append(f"{pad}with {name}[{i}]:")
                _emit(column, depth + 1, out)
        elif kind == "flex_container":
            out.append(f"{pad}with st.container(border={proto.flex_container.border!r}):")
            _emit(child, depth + 1, out)
        elif kind == "expander":
            out.append(f"{pad}with st.expander({proto.label!r}, expanded={proto.expanded!r}):")
            _emit(child, depth + 1, out)
        elif kind in ("title", "header", "subheader", "markdown", "caption"):
            out.append(f"{pad}st.{kind}({proto.body!r})")
        elif kind == "html":
            out.append(
                f"{pad}st.html({proto.body!r}, unsafe_allow_javascript={proto.unsafe_allow_javascript!r})"
            )
        elif kind == "code":
            language = proto.language if proto.language != "plaintext" else None
            out.append(
                f"{pad}st.code({proto.code_text!r}, language={language!r}, wrap_lines={proto.wrap_lines!r})"
            )
        elif kind in ("info", "warning", "error", "success"):
            out.append(f"{pad}st.{kind}({proto.body!r}, icon={proto.icon or None!r})")
        elif kind == "vega_lite_chart":
            out.append(f'{pad}st.vega_lite_chart(trivial_chart().to_dict(), width="stretch")')
        elif kind == "table":
            out.append(f"{pad}st.table({child.value.to_dict('records')!r})")
        elif kind == "download_button" and proto.deferred_file_id:
            out.append(
                f"{pad}st.download_button({proto.label!r}, data=lambda: b'', file_name='report.pdf',"
                f" icon={proto.icon or None!r}, on_click={'ignore' if proto.ignore_rerun else 'rerun'!r})"
            )
        elif kind == "page_link":  # to an external URL: a bare script has no page to link to
            out.append(
                f"{pad}st.page_link({'https://example.org/' + proto.page!r}, label={proto.label!r},"
                f" icon={proto.icon or None!r})"
            )
        elif kind == "button":
            out.append(f"{pad}st.button({proto.label!r}, type={proto.type!r}, key={child.key!r})")
        elif kind == "button_group" and _enum(proto, "style") == "segmented_control":
            options = list(child.options)
            default = options[proto.default[0]] if proto.default else None
            out.append(
                f"{pad}st.segmented_control({proto.label!r}, options={options!r}, default={default!r},"
                f" key={child.key!r}, label_visibility={_enum(proto.label_visibility, 'value')!r})"
            )
        else:
            raise ValueError(f"bare_page: no st.* call for a {kind!r} element; add one")


def bare_session(source: str, directory: Path, name: str) -> AppTest:
    # A folder pages/ beside the script, as beside app.py: AppTest forgets before every run that
    # st.navigation has been called, so Streamlit wraps each run of a script with such a folder in
    # its v1 multipage emulation (a glob of the folder and a hidden navigation). Both sides pay it;
    # a real server does so only on the first run of a process.
    (directory / "pages").mkdir(exist_ok=True)
    (directory / "pages" / "__init__.py").touch()
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    at = AppTest.from_file(str(path), default_timeout=60)
    at.run()
    if at.exception:
        raise RuntimeError(f"bare page {name}: {at.exception[0].value}\n{source}")
    return at


# --- measuring ---------------------------------------------------------------------------------


def _unchanged() -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()


@dataclass
class Session:
    label: str
    at: AppTest
    context: Callable[[], contextlib.AbstractContextManager[None]] = _unchanged
    before: Callable[[AppTest, int], None] | None = None  # a change made before each rerun
    script: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)


@dataclass
class Page:
    name: str
    sessions: dict[str, Session]

    def median(self, label: str, cpu: bool = False) -> float:
        session = self.sessions[label]
        return statistics.median(session.cpu if cpu else session.script)


def measure(pages: list[Page], runs: int) -> None:
    """Warm-up reruns, then `runs` reruns of every session of every page, interleaved.

    The app's and the bare page's sessions take turns going first: whichever runs second finds
    Streamlit's code and data warm in the CPU's caches from the first."""
    for number in range(-WARMUP, runs):
        for page in pages:
            sessions = list(page.sessions.values())
            for session in sessions if number % 2 == 0 else sessions[::-1]:
                with session.context():
                    if session.before:
                        session.before(session.at, number)
                    script, cpu, wall = rerun(session.at)
                if number >= 0:
                    session.script.append(script)
                    session.cpu.append(cpu)
                    session.wall.append(wall)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def ms(x: float) -> str:
    return f"{x * 1000:.1f}"


@dataclass
class Subject:
    """What a page needs to be opened again, under a variant of the app."""

    name: str
    survey: Survey
    answers: dict[str, Any]
    kind: str  # section, calculator, result
    step: int
    bare_source: str


def subjects(survey_ids: list[str]) -> list[Subject]:
    from pages.components import widgets as w

    out = []
    for survey_id in survey_ids:
        survey = load_survey(ROOT / "surveys" / f"{survey_id}.yaml")
        answers = random_answers(survey, random.Random(2026), answer_rate=1.0, dont_know_rate=0.1)
        for name in survey.calculator.inputs if survey.calculator else ():
            answers.pop(name, None)  # the calculator starts from the survey's typical figures
        for q in survey.questions:
            if isinstance(q, TextQuestion):
                answers[q.id] = "We sell to mid-sized manufacturers in the region."
        steps = w.steps(survey)
        index, section = largest_section(survey)
        name = f"{survey.id} step {section.id} ({len(section.questions)} q)"
        out.append(
            Subject(name, survey, answers, "section", index, bare_section(survey, index, section, answers))
        )
        if survey.calculator:
            calc = len(steps) - 1
            figures = {n: spec.default for n, spec in survey.calculator.inputs.items()}
            n = len(survey.calculator.asked)
            bare = bare_calculator(survey, calc, figures)
            out.append(
                Subject(f"{survey.id} calculator ({n} inputs)", survey, answers, "calculator", calc, bare)
            )
            out.append(Subject(f"{survey.id} result", survey, answers, "result", calc, ""))
    return out


def open_app(subject: Subject) -> AppTest:
    if subject.kind == "result":
        return result_session(subject.survey, subject.answers, subject.step)
    return app_session(subject.survey, subject.answers, subject.step)


def open_bare(subject: Subject, app: AppTest, directory: Path) -> AppTest:
    source = subject.bare_source or bare_page(app)
    name = subject.name.split(" (")[0].replace(" ", "_").replace("-", "_")
    return bare_session(source, directory, name)


def print_table(pages: list[Page], runs: int) -> None:
    print(
        f"Server time of one rerun in ms: median and p90 of {runs} reruns (the first {WARMUP + 1} not"
        f" measured);\nratio = app median / bare median, target ≤ {TARGET}x; cpu ratio: the same of the"
        " script thread's CPU time"
    )
    print(
        f"{'page':<42} {'app med':>7} {'p90':>6} {'bare med':>8} {'p90':>6} {'ratio':>6} {'':<6} {'cpu ratio':>9}"
        f" {'AppTest app/bare':>16}  elements app/bare"
    )
    for page in pages:
        app, bare = page.sessions["app"], page.sessions["bare"]
        ratio = page.median("app") / page.median("bare")
        cpu_ratio = page.median("app", cpu=True) / page.median("bare", cpu=True)
        verdict = "ok" if ratio <= TARGET else "MISSED"
        ka, kb = kinds(app.at._tree), kinds(bare.at._tree)
        same = "same kinds" if ka == kb else _diff(ka, kb)
        walls = f"{ms(statistics.median(app.wall))}/{ms(statistics.median(bare.wall))}"
        name = page.name + (f" ({ka['vega_lite_chart']} charts)" if page.name.endswith("result") else "")
        print(
            f"{name:<42} {ms(page.median('app')):>7} {ms(p90(app.script)):>6} {ms(page.median('bare')):>8}"
            f" {ms(p90(bare.script)):>6} {ratio:>5.2f}x {verdict:<6} {cpu_ratio:>8.2f}x {walls:>16}"
            f"  {sum(ka.values())}/{sum(kb.values())} {same}"
        )


def _diff(a: Counter[str], b: Counter[str]) -> str:
    keys = sorted(set(a) | set(b))
    return ", ".join(f"{k} {a[k]}/{b[k]}" for k in keys if a[k] != b[k])


# --- profiling and experiments -----------------------------------------------------------------


def profile(subject: Subject, runs: int, context: Callable[[], Any] = _unchanged) -> None:
    global _PROFILER
    with context():
        at = open_app(subject)
        for _ in range(WARMUP):
            rerun(at)
        _PROFILER = cProfile.Profile()
        try:
            for _ in range(runs):
                rerun(at)
        finally:
            profiler, _PROFILER = _PROFILER, None
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    print(f"cProfile of {runs} reruns of {subject.name} (cumulative; times are totals over the reruns)")
    print(
        "\n".join(line.replace(str(ROOT) + "/", "") for line in out.getvalue().splitlines() if line.strip())
    )


@contextlib.contextmanager
def no_altair_validation() -> Iterator[None]:
    """Altair without its JSON-schema validation: neither when a chart object is made (Altair's
    DEBUG_MODE) nor in the to_dict that st.altair_chart calls. The specs stay as they are; their
    validity would be checked by the tests instead (tests/unit/test_charts.py)."""
    original = alt.TopLevelMixin.to_dict

    def to_dict(self: Any, validate: bool = True, **kwargs: Any) -> dict[str, Any]:
        return original(self, False, **kwargs)

    with schemapi.debug_mode(False), mock.patch.object(alt.TopLevelMixin, "to_dict", to_dict):
        yield


_convert = vega_charts._convert_altair_to_vega_lite_spec


def _key(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_key(v) for v in value)
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    return ("id", id(value))


class ChartCache:
    """The charts built and converted once per session, then reused on its reruns: as if the
    result page kept each chart's Vega-Lite spec in st.session_state[RESULT] and drew it with
    st.vega_lite_chart. The calculator's chart is reused while its figures do not change.

    One per session (not per process), so that sessions do not profit from each other. A key
    holds its arguments, so an id in it cannot be reused while it is cached; lists compare by
    content, other objects by identity (the result in the session is the same object on every
    rerun of the result page)."""

    def __init__(self) -> None:
        self.charts: dict[tuple, Any] = {}
        self.specs: dict[int, tuple[Any, dict[str, Any]]] = {}

    def _builder(self, builder: Callable[..., Any]) -> Callable[..., Any]:
        def build(*args: Any, **kwargs: Any) -> Any:
            key = (builder.__name__, _key(args), _key(sorted(kwargs.items())))
            if key not in self.charts:
                self.charts[key] = (args, kwargs, builder(*args, **kwargs))
            return self.charts[key][2]

        return build

    def _spec(self, chart: Any) -> dict[str, Any]:
        if id(chart) not in self.specs:
            self.specs[id(chart)] = (chart, _convert(chart))
        return copy.deepcopy(self.specs[id(chart)][1])  # Streamlit takes the data out of what it gets

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            for name in ("matrix_chart", "criteria_chart", "breakeven_chart"):
                stack.enter_context(
                    mock.patch.object(result_charts, name, self._builder(getattr(result_charts, name)))
                )
            stack.enter_context(
                mock.patch.object(vega_charts, "_convert_altair_to_vega_lite_spec", self._spec)
            )
            yield


def _both() -> Callable[[], contextlib.AbstractContextManager[None]]:
    cache = ChartCache()

    @contextlib.contextmanager
    def context() -> Iterator[None]:
        with no_altair_validation(), cache.patched():
            yield

    return context


Context = Callable[[], contextlib.AbstractContextManager[None]]
# Each variant makes the context of one session (its reruns are run inside it).
VARIANTS: dict[str, Callable[[], Context]] = {
    "no validation": lambda: no_altair_validation,
    "cached charts": lambda: ChartCache().patched,
    "both": _both,
}


def _figure(subject: Subject, number: int) -> tuple[str, str]:
    """The calculator's first free input, and a new figure for it before rerun `number`, typed as
    the page writes it ("12,500"; a fraction in percent)."""
    name = subject.survey.calculator.asked[0]
    spec = subject.survey.calculator.inputs[name]
    values = int((spec.max - spec.min) / spec.step)
    value = spec.min + (number + WARMUP + 1) % values * spec.step
    scale = 100 if name in be.FRACTION_INPUTS else 1
    return name, plain(round(value * scale, 6), LANG)


def change_a_figure(subject: Subject) -> Callable[[AppTest, int], None]:
    """Before each rerun, a new value in the calculator's first free input: the chart changes."""

    def before(at: AppTest, number: int) -> None:
        gen, lang = at.session_state["trp.gen"], at.session_state["trp.lang"]
        name, text = _figure(subject, number)
        at.text_input(key=f"c.{gen}.{lang}.{name}").input(text)

    return before


def experiments(chosen: list[Subject], directory: Path, runs: int) -> None:
    pages = []
    for subject in chosen:
        sessions = {"app": Session("app", open_app(subject))}
        sessions["bare"] = Session("bare", open_bare(subject, sessions["app"].at, directory))
        for label, make in VARIANTS.items():
            context = make()
            with context():
                sessions[label] = Session(label, open_app(subject), context)
        pages.append(Page(subject.name, sessions))
        if subject.kind == "calculator":
            changed = {}
            for label, make in {"app": lambda: _unchanged, **VARIANTS}.items():
                context = make()
                with context():
                    changed[label] = Session(label, open_app(subject), context, change_a_figure(subject))
            bare = Session("bare", open_bare(subject, sessions["app"].at, directory))
            bare.before = _change_bare_figure(subject)
            changed["bare"] = bare
            pages.append(Page(subject.name.split(" (")[0] + ", a figure changed", changed))
    measure(pages, runs)
    labels = ["app", *VARIANTS]
    for cpu in (False, True):
        what = "CPU time of the script thread" if cpu else "server time (wall)"
        print(f"\nThe suggested changes monkeypatched into the app, {what}: median in ms of {runs} reruns")
        print("and its ratio to the bare page of the same run")
        print(f"{'page':<42} {'bare':>5}" + "".join(f" {label:>15}" for label in labels))
        for page in pages:
            bare = page.median("bare", cpu)
            cells = "".join(
                f" {ms(page.median(label, cpu)):>8} {page.median(label, cpu) / bare:>5.2f}x"
                for label in labels
            )
            print(f"{page.name:<42} {ms(bare):>5}{cells}")
    for page in pages:
        base = kinds(page.sessions["app"].at._tree)
        for label in VARIANTS:
            other = kinds(page.sessions[label].at._tree)
            if other != base:
                print(f"! {page.name}, {label}: other elements than the app: {_diff(base, other)}")


def _change_bare_figure(subject: Subject) -> Callable[[AppTest, int], None]:
    def before(at: AppTest, number: int) -> None:
        name, text = _figure(subject, number)
        at.text_input(key=f"c.1.{LANG}.{name}").input(text)

    return before


def gc_cost() -> str:
    """What the real server adds after every script run and AppTest leaves out: gc.collect(2)."""
    import gc

    def median_collect() -> float:
        times = []
        for _ in range(9):
            start = time.perf_counter()
            gc.collect(2)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    objects = len(gc.get_objects())
    full = median_collect()
    gc.freeze()
    try:
        frozen = median_collect()
    finally:
        gc.unfreeze()
    return (
        f"Not in the table: after every script run the server also runs gc.collect(2) (runner.postScriptGC,\n"
        f"on by default), which AppTest leaves out. In this process ({objects:,} objects, like a warm server)"
        f" it takes {ms(full)} ms;\nafter gc.freeze() {ms(frozen)} ms. bench/first_question.py measures it"
        " in the real server."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="measured reruns per page")
    parser.add_argument("--survey", action="append", help="survey id (default: every bundled survey)")
    parser.add_argument(
        "--profile", metavar="PAGE", help="cProfile the reruns of the page whose name starts so"
    )
    parser.add_argument("--profile-variant", choices=VARIANTS, help="with --profile: under this variant")
    parser.add_argument("--experiments", action="store_true", help="measure the suggested changes too")
    parser.add_argument(
        "--apptest-context", action="store_true", help="keep AppTest's mock of the runtime for st.context"
    )
    args = parser.parse_args()
    if not args.apptest_context:
        app_test_module.MagicMock = _runtime_mock
    sys.path.insert(0, str(ROOT))  # `pages`, the app's package next to app.py, for the bare pages
    survey_ids = args.survey or sorted(p.stem for p in (ROOT / "surveys").glob("*.yaml"))

    with tempfile.TemporaryDirectory(prefix="trp-bench-") as tmp:
        os.environ["TRP_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'trp.sqlite3'}"
        st.cache_resource.clear()
        chosen = subjects(survey_ids)
        if args.profile:
            matching = [s for s in chosen if s.name.startswith(args.profile)]
            if not matching:
                raise SystemExit(f"no page starts with {args.profile!r}: {[s.name for s in chosen]}")
            context = VARIANTS[args.profile_variant]() if args.profile_variant else _unchanged
            profile(matching[0], args.runs, context)
            return
        pages = []
        for subject in chosen:
            app = open_app(subject)
            pages.append(
                Page(
                    subject.name,
                    {"app": Session("app", app), "bare": Session("bare", open_bare(subject, app, Path(tmp)))},
                )
            )
        measure(pages, args.runs)
        print_table(pages, args.runs)
        print(
            f"Python {sys.version.split()[0]}, Streamlit {st.__version__}, Altair {alt.__version__},"
            f" {os.cpu_count()} CPUs. AppTest: at.run() wall time, which adds AppTest's own thread,"
            " event loop and element-tree parsing to the server time."
        )
        print(gc_cost())
        if args.experiments:
            experiments(chosen, Path(tmp), args.runs)


if __name__ == "__main__":
    main()
