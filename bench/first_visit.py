"""The first visit after the server started (a kiosk tablet after a reboot): time in Chromium until
the start page is usable, on a server that has served no one yet, against a bare Streamlit page
started the same way.

Each round starts every server anew (tests/support/server.py's Server: `streamlit run app.py` on
its own port, each keeping its SQLite file from round to round, as a reboot keeps the database),
waits for its health endpoint (`/_stcore/health`), and then opens `/?survey=trp-standard&lang=en`
in a fresh Chromium context (no cookies, storage or HTTP cache) at tablet size, 1024×768
(--phone: 390×844): the first session of that process. Timed on the page's own clock
(performance.now(), from the navigation; the observer script of bench/first_question.py):
- navigation → start button visible: the first screen is usable (target ≤ 2 s);
- click on start → first question visible, and navigation → first question (a visitor who taps
  the moment the button appears);
and from outside the page:
- launch → health: how long the server takes to start (what is moved to the start is paid here);
- the server's script-thread time in the span up to the start button (a hook on ScriptRunner,
  bench/first_question.py's SITECUSTOMIZE, in the server through PYTHONPATH; nothing in the app
  changes).
The baseline is a bare Streamlit app in the same run (bench/first_question.py's: the same
.streamlit/config.toml, a title and a start button, then one widget of the kind and key of the
first question), started and visited the same way; the rounds alternate the servers.
Before the rounds, each server is started and visited once, not counted: it creates its
database, and the machine's file cache holds the files any later start reads, as after the
server's first start on a tablet's host.

    .venv/bin/python bench/first_visit.py [--rounds 5] [--survey trp-standard] [--lang en] [--phone]
                                          [--before DIR] [--profile DIR] [--importtime]

--before DIR adds the app of another checkout (e.g. `git archive <commit> | tar -x -C DIR`) as a
third server, alternated with the others: before and after in one run.
--profile DIR records each app server's first visit with py-spy (200 Hz, from health to the
start button plus half a second; `py-spy record --pid`, raw stacks in DIR) and prints the
functions on most of the busy samples.
--importtime runs the servers with PYTHONPROFILEIMPORTTIME=1 and prints the modules the first
visit imported (not the server's start), the largest first.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_MS = 60_000


@dataclass
class Target:
    """A server started anew every round, and its first visits."""

    name: str
    directory: Path
    app_dir: Path
    env: dict[str, str]
    visits: list[dict[str, Any]] = field(default_factory=list)
    imports: Counter[str] = field(default_factory=Counter)  # module -> µs of the first visits' imports
    profiles: list[Path] = field(default_factory=list)


def first_visit(
    browser: Browser, target: Target, args: argparse.Namespace, survey: Any, profile_dir: Path | None
) -> dict[str, Any]:
    """Start the server, wait for its health, and visit it once in a fresh context."""
    from first_question import OBSERVER, question_selector, question_widget, server_time

    from tests.support.server import PHONE, TABLET, Server
    from trp_core.presentation.i18n import t

    runs_file = target.directory / "runs.txt"
    launched = time.perf_counter()
    server = Server(
        target.directory, env={**target.env, "TRP_BENCH_RUNS": str(runs_file)}, app_dir=target.app_dir
    )
    healthy = time.perf_counter()
    log_offset = server.log.stat().st_size
    spy = None
    try:
        if profile_dir is not None:
            out = profile_dir / f"{target.name.split()[0]}-{len(target.profiles)}.txt"
            target.profiles.append(out)
            spy = subprocess.Popen(
                [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(server.process.pid),
                 "--rate", "200", "--format", "raw", "--output", str(out), "--threads"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(1.0)  # py-spy attached
        lang = args.lang
        context = browser.new_context(viewport=PHONE if args.phone else TABLET, locale=lang)
        context.add_init_script(
            f"{OBSERVER}({json.dumps([t('start_button', lang), question_selector(survey, lang)])})"
        )
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            start_button = page.get_by_role("button", name=t("start_button", lang), exact=True)
            epoch0 = time.time()
            page.goto(f"{server.url}/?survey={args.survey}&lang={lang}", wait_until="commit")
            start_button.wait_for(state="visible")
            page.wait_for_function("() => window.__trpSeen.start > 0")
            epoch1 = time.time()
            if spy is not None:
                time.sleep(0.5)
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=30)
                spy = None
            start_button.click()
            question_widget(page, survey, lang).wait_for(state="visible")
            page.wait_for_function("() => window.__trpSeen.question > 0")
            seen = page.evaluate("window.__trpSeen")
            time.sleep(0.3)  # the server writes down the runs of this visit
        finally:
            context.close()
        server_start, _ = server_time(runs_file, epoch0, epoch1)
        if args.importtime:
            target.imports.update(imports_after(server.log, log_offset))
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=30)
        server.stop()
    start, click, shown = seen["start"] / 1000, seen["click"] / 1000, seen["question"] / 1000
    return {
        "health": healthy - launched,
        "nav_start": start,
        "click_question": shown - click,
        "nav_question": start + shown - click,
        "server_start": server_start,
    }


def imports_after(log: Path, offset: int) -> Counter[str]:
    """Cumulative µs of the top-level imports (PYTHONPROFILEIMPORTTIME) written to the log after `offset`."""
    found: Counter[str] = Counter()
    with log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    for line in text.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if not cumulative.strip().isdigit():
            continue
        if name.startswith("   "):  # nested: counted in its importer
            continue
        found[name.strip()] += int(cumulative)
    return found


ROWS = [
    ("health", "launch → health endpoint answers (server start)"),
    ("nav_start", "navigation → start button visible (target ≤ 2000 ms)"),
    ("server_start", "  server script time in it"),
    ("click_question", "click on start → first question visible"),
    ("nav_question", "navigation → first question visible"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="server starts per server, each visited once")
    parser.add_argument("--survey", default="trp-standard")
    parser.add_argument("--lang", default="en")
    parser.add_argument(
        "--phone", action="store_true", help="a phone's screen, 390×844, instead of a tablet's"
    )
    parser.add_argument("--before", type=Path, help="another checkout of the app, measured beside")
    parser.add_argument("--profile", type=Path, help="py-spy the app servers' first visits, raw stacks here")
    parser.add_argument("--importtime", action="store_true", help="the modules the first visit imports")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # the tests' Server and driver

    from first_question import SITECUSTOMIZE, bare_app

    from tests.support.server import CHROMIUM_ARGS, chromium_path
    from trp_core.files.surveys import load_survey

    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    survey = load_survey(ROOT / "surveys" / f"{args.survey}.yaml")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="trp-bench-") as tmp:
        hook = Path(tmp) / "hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
        env = {"PYTHONPATH": str(hook)}
        if args.importtime:
            env["PYTHONPROFILEIMPORTTIME"] = "1"
        targets = []
        apps = {"app": ROOT}
        if args.before:
            apps["before"] = args.before.resolve()
        for name, app_dir in apps.items():
            directory = Path(tmp) / name
            directory.mkdir()
            targets.append(Target(f"{name} ({app_dir})", directory, app_dir, env))
        floor = Path(tmp) / "floor"
        floor.mkdir()
        targets.append(Target("bare Streamlit app (floor)", floor, bare_app(floor, survey, args.lang), env))

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                for target in targets:  # not counted: creates the database, fills the file cache
                    first_visit(browser, target, args, survey, None)
                    target.imports.clear()
                for _ in range(args.rounds):
                    for target in targets:
                        profile = args.profile if args.profile and target.name != targets[-1].name else None
                        target.visits.append(first_visit(browser, target, args, survey, profile))
            finally:
                browser.close()

    print(
        f"/?survey={args.survey}&lang={args.lang} in Chromium ({chromium}),"
        f" {'390×844' if args.phone else '1024×768'}, a server started anew for each visit;"
        f" {args.rounds} rounds, {os.cpu_count()} CPUs"
    )
    floor = targets[-1]
    width = max(len(label) for _, label in ROWS)
    for target in targets:
        print(f"\n{target.name}")
        print(f"{'ms':<{width}} {'median':>8} {'max':>8}" + ("" if target is floor else f" {'/ bare':>7}"))
        for key, label in ROWS:
            values = [v[key] * 1000 for v in target.visits]
            ratio = ""
            if target is not floor:
                bare = statistics.median(v[key] for v in floor.visits) * 1000
                ratio = f" {statistics.median(values) / bare:>6.2f}x" if bare else ""
            print(f"{label:<{width}} {statistics.median(values):>8.0f} {max(values):>8.0f}{ratio}")
        print(
            "navigation → start button, each round:",
            " ".join(f"{v['nav_start'] * 1000:.0f}" for v in target.visits),
        )
        if args.importtime and target.imports:
            print(f"imports in the first visit (ms, summed over {args.rounds} rounds / {args.rounds}):")
            for module, us in target.imports.most_common(15):
                print(f"  {us / 1000 / args.rounds:8.1f}  {module}")
        if target.profiles:
            from spy_top import top

            total, rows = top([p for p in target.profiles if p.exists()], count=30)
            print(
                f"py-spy, {len(target.profiles)} first visits, {total} busy samples: on the stack, as the leaf"
            )
            for name, share, leaf in rows:
                print(f"  {share * 100:5.1f} % {leaf * 100:5.1f} %  {name}")


if __name__ == "__main__":
    main()
