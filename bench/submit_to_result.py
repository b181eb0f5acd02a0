"""Time in Chromium from the click on submit to the result's first screen, and the taps to get there.

Starts `streamlit run app.py` as the browser tests do (tests/support/server.py's Server: its own
port and SQLite file) and lets tests/support/driver.py's Partner answer each bundled survey as its
fixture (tests/answers/<survey>.held.json) says, at tablet size (1024×768; --phone: 390×844), in
a fresh browser context per run. Then it clicks "submit" and waits for the result's first screen:
the page's heading and the matrix chart drawn (a canvas or svg with a box on screen).

The times are on the page's own clock, as in bench/first_question.py: a script added to every page
before Streamlit's (OBSERVER) notes the click event's timeStamp and the first animation frame in
which the heading, and then the matrix, are visible. Prints median and p95 over `--runs` per survey
(p95 by linear interpolation; with few runs it is close to the max), each run's figure, and the
taps the driver needed from the start button to the result: every click and every typed field
(a Playwright click or fill), counted by wrapping Locator.click and Locator.fill in this process.
One walk before the counted ones is not counted: it pays the server's warm-up (imports, caches,
migration).

    .venv/bin/python bench/submit_to_result.py [--runs 20] [--survey trp-standard]... [--lang en]
                                               [--phone] [--answers held] [--figures all|changed]
                                               [--app-dir DIR]

`--figures changed` leaves a calculator field that already shows the fixture's figure (the survey's
default, or the figure taken from the partner's answer to the linked question) as it is.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_MS = 60_000
SURVEYS = ("trp-standard", "trp-classic", "trp-cloud")

# Loaded into every page before its own scripts. Notes, on performance.now() (ms since the
# navigation started), the click on the submit button (its event's timeStamp) and the first
# animation frame after it in which the result's heading, and then the matrix chart, have a box
# on screen. A mutation observer and an animation-frame loop both look: a chart draws into its
# canvas without changing the DOM.
OBSERVER = """(([submitText, headingText]) => {
  const seen = (window.__trpSeen = {});
  const boxed = (el) => {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.top < window.innerHeight && getComputedStyle(el).visibility !== "hidden";
  };
  const heading = () => [...document.querySelectorAll("h1")].find((h) => h.textContent.trim() === headingText);
  // The first chart after the heading (a chart of the page before can still be on screen).
  const matrix = () => {
    const h = heading();
    if (!h) return null;
    const chart = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].find(
      (c) => h.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING);
    return chart && chart.querySelector("canvas, svg.marks");
  };
  const note = (name) => {
    seen[name] = null;
    requestAnimationFrame((t) => { seen[name] = t; });
  };
  const check = () => {
    if (seen.click === undefined) return;
    if (seen.heading === undefined && boxed(heading())) note("heading");
    if (seen.matrix === undefined && boxed(matrix())) note("matrix");
  };
  const loop = () => {
    check();
    if (seen.heading === undefined || seen.matrix === undefined) requestAnimationFrame(loop);
  };
  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest("button");
    if (seen.click === undefined && button && button.textContent.trim() === submitText) {
      seen.click = e.timeStamp;
      requestAnimationFrame(loop);
    }
  }, true);
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
})"""

TAPS: Counter[str] = Counter()


def count_taps() -> None:
    """Count every click and fill the driver makes (Playwright's Locator, in this process)."""
    for name in ("click", "fill"):
        original = getattr(Locator, name)

        def counted(
            self: Locator, *args: Any, _original: Any = original, _name: str = name, **kw: Any
        ) -> Any:
            TAPS[_name] += 1
            if _name == "fill" and args and self.get_attribute("type") == "number":
                # An older app (--app-dir) had browser number fields, which take digits only.
                args = (str(args[0]).replace(",", ""), *args[1:])
            return _original(self, *args, **kw)

        setattr(Locator, name, counted)


def walk(
    browser: Browser,
    url: str,
    survey: Any,
    lang: str,
    viewport: dict[str, int],
    outcome: str = "held",
    only_changed: bool = False,
) -> dict[str, Any]:
    """A partner from the start page to the result; the submit → result spans (s) and the taps."""
    from tests.support.driver import Partner, settle
    from trp_core.presentation.i18n import t

    answers = json.loads((ROOT / "tests" / "answers" / f"{survey.id}.{outcome}.json").read_text())["answers"]
    context = browser.new_context(viewport=viewport, locale=lang)
    context.add_init_script(f"{OBSERVER}({json.dumps([t('submit', lang), t('page_result', lang)])})")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        partner = Partner(page, url, survey, lang, ROOT / "test-artifacts", "bench")
        partner.open()
        TAPS.clear()
        partner.start()
        steps = Counter()
        for section in survey.ordered_sections:
            before = TAPS.total()
            partner.answer_section(section, answers)
            steps["answers"] += TAPS.total() - before
            partner.next()
        before = TAPS.total()
        partner.set_figures(answers, only_changed=only_changed)
        steps["figures"] = TAPS.total() - before
        page.get_by_role("button", name=t("submit", lang), exact=True).first.click()
        page.wait_for_function("() => window.__trpSeen.heading > 0 && window.__trpSeen.matrix > 0")
        seen = page.evaluate("window.__trpSeen")
        settle(page)  # the result's runs end before the context closes
        return {
            "heading": (seen["heading"] - seen["click"]) / 1000,
            "matrix": (seen["matrix"] - seen["click"]) / 1000,
            "clicks": TAPS["click"],
            "fields": TAPS["fill"],
            # The rest: the start button, "next" per step (and "next anyway"), submit.
            "steps": (steps["answers"], steps["figures"], TAPS.total() - steps["answers"] - steps["figures"]),
        }
    finally:
        context.close()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=20, help="counted walks per survey, each in a fresh context"
    )
    parser.add_argument("--survey", action="append", help="a bundled survey (repeatable; default all three)")
    parser.add_argument("--lang", default="en")
    parser.add_argument(
        "--phone", action="store_true", help="a phone's screen, 390×844, instead of a tablet's"
    )
    parser.add_argument(
        "--answers",
        default="held",
        help="which answers fixture of each survey (tests/answers/<survey>.<ANSWERS>.json), default held",
    )
    parser.add_argument(
        "--figures",
        choices=("all", "changed"),
        default="all",
        help="type every calculator figure of the fixture (all), or only those the field does not already"
        " show, as a default or taken from an answer (changed)",
    )
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=ROOT,
        help="run the app (and read its surveys) from another checkout, e.g. a worktree of an older commit",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # the tests' Server and driver

    from tests.support.server import CHROMIUM_ARGS, PHONE, TABLET, Server, chromium_path
    from trp_core.files.surveys import load_survey

    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    surveys = [load_survey(args.app_dir / "surveys" / f"{s}.yaml") for s in (args.survey or SURVEYS)]
    viewport = PHONE if args.phone else TABLET
    count_taps()
    results: dict[str, list[dict[str, Any]]] = {s.id: [] for s in surveys}

    with tempfile.TemporaryDirectory(prefix="trp-bench-") as tmp:
        server = Server(Path(tmp), app_dir=args.app_dir.resolve())
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                try:
                    how = {"outcome": args.answers, "only_changed": args.figures == "changed"}
                    cold = walk(browser, server.url, surveys[0], args.lang, viewport, **how)
                    for _ in range(args.runs):
                        for survey in surveys:  # alternating, so that the machine's drift hits all alike
                            results[survey.id].append(
                                walk(browser, server.url, survey, args.lang, viewport, **how)
                            )
                finally:
                    browser.close()
        finally:
            server.stop()

    print(
        f"click on submit → result's first screen, lang={args.lang}, in Chromium ({chromium}),"
        f" {viewport['width']}×{viewport['height']}, on the real server (page clock);"
        f" answers {args.answers}, calculator figures typed: {args.figures}"
    )
    print(
        f"first walk after the server started (not counted, {surveys[0].id}): heading"
        f" {cold['heading'] * 1000:.0f} ms, matrix {cold['matrix'] * 1000:.0f} ms"
    )
    print(f"{'ms':<14} {'runs':>4} {'heading median':>15} {'p95':>6} {'matrix median':>14} {'p95':>6}   taps")
    for survey_id, walks in results.items():
        heading = [w["heading"] * 1000 for w in walks]
        matrix = [w["matrix"] * 1000 for w in walks]
        taps = sorted({(w["clicks"], w["fields"], w["steps"]) for w in walks})
        taps_text = ", ".join(
            f"{c + f} ({c} clicks, {f} typed; answers {a}, figures {g}, buttons {b})"
            for c, f, (a, g, b) in taps
        )
        print(
            f"{survey_id:<14} {len(walks):>4} {statistics.median(heading):>15.0f} {p95(heading):>6.0f}"
            f" {statistics.median(matrix):>14.0f} {p95(matrix):>6.0f}   {taps_text}"
        )
        print(f"  matrix visible, each run (ms): {' '.join(f'{v:.0f}' for v in matrix)}")


if __name__ == "__main__":
    main()
