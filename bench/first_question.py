"""Time in Chromium from opening the app to the first question on screen, on the real server.

Starts `streamlit run app.py` as the browser tests do (tests/support/server.py's Server: its own
port and SQLite file), opens `/?survey=trp-standard&lang=en` in Debian's Chromium (the tests'
launch arguments) at tablet size, 1024×768 (--phone: 390×844), waits for the start button,
clicks it and waits for the first question's widget (its first radio option, input or text
area) to be visible.
Repeated `--runs` times (default 10), each in a fresh browser context (no cookies, storage or
HTTP cache of an earlier visit, so the page's scripts are fetched and compiled again, as on a
visitor's first visit). One visit before them is not counted, because it pays the server's own
warm-up (the first run imports the pages, fills st.cache_resource, migrates the database); it
is printed on its own line. Prints median and max of
- navigation → start button visible,
- navigation → first question visible (target ≤ 2 s): the two spans around the tap, as for a
  visitor who taps the moment the button appears,
- click on start → first question visible,
all on the page's own clock (see OBSERVER below); and, for comparison, the same as Playwright's
waits see them, and where the time goes:
- in the browser: Navigation Timing's DOMContentLoaded (the HTML and the app's scripts loaded
  and run) and the bytes fetched;
- on the server: the time its script thread spent running the app in each span, and within it
  the full garbage collection that Streamlit runs after every script run
  (`runner.postScriptGC`, on by default). Taken by a hook on ScriptRunner loaded into the
  server process through a sitecustomize module on its PYTHONPATH; nothing in the app changes.
After each counted visit the same browser context opens the URL once more in a new tab (warm
HTTP cache, a new Streamlit session): a returning visitor, or a kiosk tablet; printed apart.
For scale, the same is measured on a bare Streamlit app in the same run (same config.toml, a
title and a start button, then one widget of the kind and key of the first question): the
floor that Streamlit's frontend sets on this machine, whatever the app does (--no-floor: not).

The page's clock is performance.now() (0 = the start of the navigation) read in a script
added to every page before its own (OBSERVER); Playwright's waits only sequence the visit.

    .venv/bin/python bench/first_question.py [--runs 10] [--survey trp-standard] [--lang en]
                                             [--phone] [--compare-gc] [--profile]

--compare-gc runs two more servers and alternates the visits between the three, to measure two
suggestions: runner.postScriptGC=false (STREAMLIT_RUNNER_POST_SCRIPT_GC), and gc.freeze() after
each of the server's first two script runs (the start page, then the click that opens the
questionnaire: by then the pages and trp_core are imported and the caches filled), so that the
collection after each run skips all that. --profile prints cProfile's view of the server's script runs in the counted
visits.
"""

from __future__ import annotations

import argparse
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_MS = 60_000

# Loaded into the server process. Every script run (ScriptRunner._run_script: one per rerun
# request, with the reruns it triggers itself) appends "start end gc" to the file named by
# TRP_BENCH_RUNS: epoch seconds, and the seconds of its gc.collect after the run.
SITECUSTOMIZE = """
import gc as _gc
import os
import threading
import time

_path = os.environ.get("TRP_BENCH_RUNS")
_profile = os.environ.get("TRP_BENCH_PROFILE")
_freeze = os.environ.get("TRP_BENCH_GC_FREEZE")
if _path:
    from streamlit.runtime.scriptrunner import script_runner

    _local = threading.local()

    class _TimedGC:
        def __getattr__(self, name):
            return getattr(_gc, name)

        def collect(self, *args):
            start = time.perf_counter()
            try:
                return _gc.collect(*args)
            finally:
                _local.gc = getattr(_local, "gc", 0.0) + time.perf_counter() - start

    script_runner.gc = _TimedGC()
    _original = script_runner.ScriptRunner._run_script

    def _run_script(self, rerun_data):
        profiler = None
        if _profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        _local.gc = 0.0
        start = time.time()
        try:
            _original(self, rerun_data)
        finally:
            end = time.time()
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(os.path.join(_profile, f"{start:.6f}.prof"))
            with open(_path, "a") as f:
                f.write(f"{start} {end} {_local.gc}\\n")
            _runs = getattr(script_runner, "_bench_runs", 0) + 1
            script_runner._bench_runs = _runs
            if _freeze and _runs <= int(_freeze):
                # What the app could do once its pages are imported and its caches filled:
                # everything alive then goes to the permanent generation, which gc.collect skips.
                _gc.collect()
                _gc.freeze()

    script_runner.ScriptRunner._run_script = _run_script
"""

# The floor: a bare Streamlit app with a start button that shows, once clicked, one widget of
# the kind and key of the app's first question. Same .streamlit/config.toml as the app.
BARE_APP = """
import streamlit as st

if st.session_state.get("started"):
    st.subheader({title!r})
    {widget}
else:
    st.title({app_title!r})
    if st.button({start!r}, type="primary", width="stretch", key="start"):
        st.session_state.started = True
        st.rerun()
"""


def bare_app(directory: Path, survey: Any, lang: str) -> Path:
    from trp_core.method.survey import ChoiceQuestion, NumberQuestion, TextQuestion
    from trp_core.presentation import formatting as fmt
    from trp_core.presentation.i18n import t

    section = survey.ordered_sections[0]
    q = section.questions[0]
    key, label = f"q.1.{lang}.{q.id}", q.text(lang)
    if isinstance(q, ChoiceQuestion):
        widget = f"st.radio({label!r}, ['a', 'b', 'c'], index=None, key={key!r})"
    elif isinstance(q, NumberQuestion):
        # As pages/components/widgets.py draws it: a text field, the allowed range as its placeholder.
        whole = all(float(v).is_integer() for v in (q.min, q.max, q.step))
        unit = f" ({q.unit(lang)})" if q.unit else ""
        hint = t(
            "range_hint", lang, min=fmt.number(q.min, lang, 0 if whole else 1), max=fmt.number(q.max, lang)
        )
        widget = f"st.text_input({label + unit!r}, value='', placeholder={hint!r}, key={key!r})"
    elif isinstance(q, TextQuestion):
        widget = f"st.text_area({label!r}, key={key!r})"
    else:
        widget = f"st.segmented_control({label!r}, ['1', '2', '3'], key={key!r})"
    app = directory / "bare"
    (app / ".streamlit").mkdir(parents=True)
    (app / ".streamlit" / "config.toml").write_text((ROOT / ".streamlit" / "config.toml").read_text())
    source = BARE_APP.format(
        title=section.title(lang),
        widget=widget,
        app_title=t("app_title", lang),
        start=t("start_button", lang),
    )
    (app / "app.py").write_text(source)
    return app


BROWSER_TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const bytes = [nav, ...resources].reduce((sum, e) => sum + (e.transferSize || 0), 0);
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, bytes, requests: resources.length + 1};
}"""


@dataclass
class Target:
    """A server under test, and the visits made to it."""

    name: str
    server: Any
    runs_file: Path
    profiles: Path | None
    url: str = ""
    cold: dict[str, Any] = field(default_factory=dict)
    visits: list[dict[str, Any]] = field(default_factory=list)
    again: list[dict[str, Any]] = field(default_factory=list)


def server_time(runs_file: Path, start: float, end: float) -> tuple[float, float]:
    """Script-thread time of the runs that started in [start, end] (epoch s), and its gc part."""
    total = gc = 0.0
    if runs_file.exists():
        for line in runs_file.read_text().splitlines():
            a, b, collect = map(float, line.split())
            if start <= a <= end:
                total += b - a
                gc += collect
    return total, gc


def question_selector(survey: Any, lang: str) -> str:
    """CSS selector of the element container of the first step's first question."""
    from tests.support.driver import widget_selector

    return widget_selector(f"{lang}.{survey.ordered_sections[0].questions[0].id}")


def question_widget(page: Page, survey: Any, lang: str) -> Locator:
    """The visible control of the first question of the first step."""
    from tests.support.driver import widget
    from trp_core.method.survey import (
        ChoiceQuestion,
        NumberQuestion,
        ScaleQuestion,
        TextQuestion,
        YesNoQuestion,
    )

    q = survey.ordered_sections[0].questions[0]
    box = widget(page, f"{lang}.{q.id}")
    if isinstance(q, ChoiceQuestion | ScaleQuestion | YesNoQuestion):
        return box.get_by_role("radio").first
    if isinstance(q, NumberQuestion):
        return box.locator("input").first
    if isinstance(q, TextQuestion):
        return box.locator("textarea").first
    return box


# Loaded into every page before its own scripts. Watches the DOM and notes, on the page's own
# clock (performance.now(): ms since the navigation started), the first animation frame in
# which the start button and then the first question are visible (a box on screen, as
# Playwright's "visible"), and when the start button was clicked (the click event's timeStamp).
# Playwright's own waits cannot time this: they poll after 0, 20, 50, 100, 100 ms and then only
# every 500 ms (retryWithProgressAndBackoff in its driver), so they see an element up to half a
# second after it appeared; their times are printed too, for comparison.
OBSERVER = """(([startText, questionSelector]) => {
  const seen = (window.__trpSeen = {});
  const boxed = (el) => {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const startButton = () => [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === startText);
  const check = () => {
    if (seen.start === undefined && boxed(startButton())) {
      seen.start = null;
      requestAnimationFrame((t) => { seen.start = t; });
    }
    if (seen.question === undefined && boxed(document.querySelector(questionSelector))) {
      seen.question = null;
      requestAnimationFrame((t) => { seen.question = t; });
    }
  };
  document.addEventListener("click", (e) => {
    if (seen.click === undefined && e.target.closest && e.target.closest("button") === startButton()) seen.click = e.timeStamp;
  }, true);
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
})"""


def visit(page: Page, target: Target, survey: Any, lang: str) -> dict[str, Any]:
    """A partner opens the link and starts; the spans in seconds."""
    from trp_core.presentation.i18n import t

    page.set_default_timeout(TIMEOUT_MS)
    start_button = page.get_by_role("button", name=t("start_button", lang), exact=True)
    question = question_widget(page, survey, lang)

    epoch0, t0 = time.time(), time.perf_counter()
    page.goto(target.url, wait_until="commit")
    start_button.wait_for(state="visible")
    t1, epoch1 = time.perf_counter(), time.time()
    start_button.click()
    question.wait_for(state="visible")
    t2, epoch2 = time.perf_counter(), time.time()
    page.wait_for_function("() => window.__trpSeen.question > 0")
    seen = page.evaluate("window.__trpSeen")
    timing = page.evaluate(BROWSER_TIMING)
    time.sleep(0.3)  # the server finishes the runs of this visit (and writes them down)
    server_start, gc_start = server_time(target.runs_file, epoch0, epoch1)
    server_click, gc_click = server_time(target.runs_file, epoch1, epoch2 + 0.3)
    start, click, shown = seen["start"] / 1000, seen["click"] / 1000, seen["question"] / 1000
    return {
        "nav_start": start,
        "click_question": shown - click,
        # A visitor who taps the button the moment it appears; Playwright's click adds its own
        # checks (the element stable for two frames, scrolled into view) before the tap.
        "nav_question": start + shown - click,
        "pw_nav_start": t1 - t0,
        "pw_nav_question": t2 - t0,
        "dcl": timing["dcl"] / 1000,
        "server_start": server_start,
        "gc_start": gc_start,
        "server_click": server_click,
        "gc_click": gc_click,
        "bytes": timing["bytes"],
        "windows": {"start": (epoch0, epoch1), "click": (epoch1, epoch2 + 0.3)},
    }


def visit_twice(
    browser: Browser, target: Target, survey: Any, lang: str, viewport: dict[str, int]
) -> tuple[dict, dict]:
    """A first visit in a fresh context, then the same link in a new tab of that context."""
    from trp_core.presentation.i18n import t

    context = browser.new_context(viewport=viewport, locale=lang)
    script = f"{OBSERVER}({json.dumps([t('start_button', lang), question_selector(survey, lang)])})"
    context.add_init_script(script)
    try:
        first = visit(context.new_page(), target, survey, lang)
        again = visit(context.new_page(), target, survey, lang)
        return first, again
    finally:
        context.close()


def print_profile(target: Target, span: str) -> None:
    windows = [v["windows"][span] for v in target.visits]
    files = [
        f for f in sorted(target.profiles.glob("*.prof")) if any(a <= float(f.stem) <= b for a, b in windows)
    ]
    if not files:
        return
    out = io.StringIO()
    stats = pstats.Stats(str(files[0]), stream=out)
    for f in files[1:]:
        stats.add(str(f))
    stats.sort_stats("cumulative").print_stats(35)
    print(
        f"\ncProfile of the {len(files)} script runs of the server in the '{span}' spans of {len(windows)} visits"
    )
    lines = [line.replace(str(ROOT) + "/", "") for line in out.getvalue().splitlines()]
    print("\n".join(line for line in lines if line.strip() and not line.startswith(("Thu", "Fri", "Mon", "Tue", "Wed", "Sat", "Sun"))))  # fmt: skip


ROWS = [
    ("nav_start", "navigation → start button visible"),
    ("nav_question", "navigation → first question visible (target ≤ 2000 ms)"),
    ("click_question", "click on start → first question visible"),
    ("pw_nav_start", "  as Playwright's waits see it: start button"),
    ("pw_nav_question", "  as Playwright's waits see it: first question"),
    ("dcl", "  browser: DOMContentLoaded (HTML and scripts loaded, run)"),
    ("server_start", "  server script time, navigation → start button"),
    ("gc_start", "    of it gc.collect after the run (postScriptGC)"),
    ("server_click", "  server script time, click → first question"),
    ("gc_click", "    of it gc.collect after the runs (postScriptGC)"),
]


def print_target(target: Target, runs: int) -> None:
    cold = target.cold
    print(
        f"\n{target.name}: first visit after the server started (not counted): start button"
        f" {cold['nav_start'] * 1000:.0f}, first question {cold['nav_question'] * 1000:.0f}"
        f" (server script time {(cold['server_start'] + cold['server_click']) * 1000:.0f})"
    )
    print(f"{'ms':<62} {'fresh context, ' + str(runs) + ' visits':>22} {'same context again':>20}")
    print(f"{'':<62} {'median':>11} {'max':>10} {'median':>10} {'max':>9}")
    for key, label in ROWS:
        first = [v[key] * 1000 for v in target.visits]
        again = [v[key] * 1000 for v in target.again]
        print(
            f"{label:<62} {statistics.median(first):>11.0f} {max(first):>10.0f}"
            f" {statistics.median(again):>10.0f} {max(again):>9.0f}"
        )
    kib = statistics.median(v["bytes"] for v in target.visits) / 1024
    kib_again = statistics.median(v["bytes"] for v in target.again) / 1024
    print(f"{'  bytes over the network, KiB':<62} {kib:>11.0f} {'':>10} {kib_again:>10.0f}")
    print(
        "navigation → first question, each fresh visit:",
        " ".join(f"{v['nav_question'] * 1000:.0f}" for v in target.visits),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="counted visits, each in a fresh context")
    parser.add_argument("--survey", default="trp-standard")
    parser.add_argument("--lang", default="en")
    parser.add_argument(
        "--phone", action="store_true", help="a phone's screen, 390×844, instead of a tablet's"
    )
    parser.add_argument("--compare-gc", action="store_true", help="also servers with less garbage collection")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the server's runs in the counted visits"
    )
    parser.add_argument("--no-floor", action="store_true", help="leave out the bare Streamlit app")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # the tests' Server and driver

    from tests.support.server import CHROMIUM_ARGS, PHONE, TABLET, Server, chromium_path
    from trp_core.files.surveys import load_survey

    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    survey = load_survey(ROOT / "surveys" / f"{args.survey}.yaml")
    viewport = PHONE if args.phone else TABLET
    configurations = {"as configured": {}}
    if args.compare_gc:
        configurations["runner.postScriptGC=false"] = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"}
        configurations["gc.freeze() after the first visit"] = {"TRP_BENCH_GC_FREEZE": "2"}

    with tempfile.TemporaryDirectory(prefix="trp-bench-") as tmp, ExitStack() as stack:
        hook = Path(tmp) / "hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
        targets = []
        for number, (name, extra) in enumerate(configurations.items()):
            directory = Path(tmp) / f"server{number}"
            directory.mkdir()
            env = {"PYTHONPATH": str(hook), "TRP_BENCH_RUNS": str(directory / "runs.txt"), **extra}
            profiles = directory / "profiles" if args.profile else None
            if profiles:
                profiles.mkdir()
                env["TRP_BENCH_PROFILE"] = str(profiles)
            server = Server(directory, env=env)
            stack.callback(server.stop)
            target = Target(name, server, directory / "runs.txt", profiles)
            target.url = f"{server.url}/?survey={args.survey}&lang={args.lang}"
            targets.append(target)
        if not args.no_floor:
            directory = Path(tmp) / "floor"
            directory.mkdir()
            env = {"PYTHONPATH": str(hook), "TRP_BENCH_RUNS": str(directory / "runs.txt")}
            server = Server(directory, env=env, app_dir=bare_app(directory, survey, args.lang))
            stack.callback(server.stop)
            target = Target("bare Streamlit app (floor): a start button, then one widget", server, directory / "runs.txt", None)  # fmt: skip
            target.url = f"{server.url}/?survey={args.survey}&lang={args.lang}"
            targets.append(target)

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                for target in targets:
                    target.cold, _ = visit_twice(browser, target, survey, args.lang, viewport)
                for _ in range(args.runs):
                    for target in targets:  # alternating, so that the machine's drift hits all alike
                        first, again = visit_twice(browser, target, survey, args.lang, viewport)
                        target.visits.append(first)
                        target.again.append(again)
            finally:
                browser.close()

        print(
            f"/?survey={args.survey}&lang={args.lang} in Chromium ({chromium}),"
            f" {viewport['width']}×{viewport['height']}, on the real server"
        )
        for target in targets:
            if not target.runs_file.exists():
                print(f"({target.name}: the ScriptRunner hook did not load; no server times)")
            print_target(target, args.runs)
        if args.profile:
            for span in ("start", "click"):
                print_profile(targets[0], span)


if __name__ == "__main__":
    main()
