"""What the privacy rules cost: on 2 000 demo responses over 6 months with 5 tags of 3 to 400
responses (k = 5), the share of the figures that a manager asking for every selection gets shown
exactly, perturbed, for a wider selection (coarsened), or not at all (hidden), per page, under the
rules before issue 13 (the minimum-group rule inside each selection, any tag, any period; kept here
as a copy) and after (trp_core.privacy: fixed cells, differencing protection, and the counts inside a
selection perturbed by the cell-key method: a figure shown so counts as "perturbed"; a 0 stays 0 and
counts as exact).

    .venv/bin/python bench/privacy_utility.py [--responses 2000] [--seed 13]

Prints one table in Markdown (PRIVACY.md quotes it). A selection is one of: survey version (all or
one), language (all, de, en), tag (all, none, each of the five) and period (all, each quarter,
month and ISO week of the data).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trp_core.files.surveys import load_surveys  # noqa: E402
from trp_core.method.figures import Period, period_end  # noqa: E402
from trp_core.method.survey import TextQuestion  # noqa: E402
from trp_core.method.vocabulary import Axis  # noqa: E402
from trp_core.services import selection as sel  # noqa: E402
from trp_core.services.calibrate import calibrate, published_calibration  # noqa: E402
from trp_core.services.dashboard import Dashboard, dashboard, free_text_cells, free_texts, published_dashboard  # noqa: E402
from trp_core.services.demo import seed  # noqa: E402
from trp_core.services.export import published_rows  # noqa: E402
from trp_core.store import reads  # noqa: E402
from trp_core.store.engine import make_engine  # noqa: E402
from trp_core.store.migrate import upgrade  # noqa: E402
from trp_core.store.repository import NO_EVENT  # noqa: E402

K = 5
TAGS = {"tiny-fair": 3, "roadshow": 20, "webinar": 80, "expo": 200, "campaign": 400}
TODAY = date(2025, 6, 30)


class Perturbed(int):
    """A figure shown perturbed by the cell-key method (trp_core.privacy.cellkey)."""


def figures(dash: Dashboard | None) -> list[int | None]:
    """Every figure of a dashboard: total, quadrants, heat map, trend, keep-out, break-even, funnel;
    the counts inside the selection marked `Perturbed` where the dashboard perturbs them (not a 0)."""
    if dash is None:
        return []

    def inside(values: Any) -> list[int | None]:
        return [Perturbed(v) if v and dash.noise else v for v in values]

    out: list[int | None] = [dash.total, *inside(dash.quadrants.values())]
    out += inside(c.count for c in dash.heat)
    out += inside(c.count for c in dash.trend if c.quadrant is not None)
    out += inside(r.count for r in dash.keep_out)
    out += inside(dash.break_even.values())
    # The funnel: "started" (the sessions' total) exact, every later step inside the selection.
    out += [s.count if s.step == "started" else inside([s.count])[0] for s in dash.funnel]
    return out


def tally(counter: Counter[str], values: list[Any], outcome: str) -> None:
    for v in values:
        if outcome != "shown":
            counter[outcome] += 1
        else:
            counter["hidden" if v is None else ("perturbed" if isinstance(v, Perturbed) else "exact")] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    found, _ = load_surveys(ROOT / "surveys")
    survey = found["trp-standard"]
    texts = [q.id for q in survey.questions if isinstance(q, TextQuestion)]
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/trp.sqlite3")
        upgrade(engine)
        untagged = args.responses - sum(TAGS.values())
        seed(engine, [survey], untagged, days=182, seed=args.seed, today=TODAY)
        for i, (tag, n) in enumerate(TAGS.items()):
            seed(engine, [survey], n, events=[tag], days=182, seed=args.seed + i + 1, today=TODAY)
        lat = sel.lattice(engine, survey.id, k=K)
        versions = [None, *lat.versions]
        langs = [None, "de", "en"]
        tags = [None, "none", *TAGS]
        periods: list[tuple[Period, date] | None] = [None]
        for kind in (Period.QUARTER, Period.MONTH, Period.WEEK):
            periods += [(kind, c.start) for c in lat.periods[kind]]
        before: dict[str, Counter[str]] = {
            p: Counter() for p in ("dashboard", "calibration", "free text", "exports")
        }
        after: dict[str, Counter[str]] = {p: Counter() for p in before}
        started = time.perf_counter()
        selections = list(itertools.product(versions, langs, tags, periods))
        thresholds = {Axis.KANN: 65.0, Axis.WILL: 60.0}
        revised = survey.revised(thresholds={"kann": 65.0, "will": 60.0})
        for version, lang, tag, period in selections:
            since = until = None
            if period is not None:
                since, until = period[1], period_end(period[1], period[0])
            old = reads.Filters(
                survey=survey.id, version=version, lang=lang,
                event=None if tag is None else (NO_EVENT if tag == "none" else tag), since=since, until=until,
            )  # fmt: skip
            # Before: the minimum-group rule inside the selection only.
            dash = dashboard(engine, old, survey, k=K)
            tally(before["dashboard"], figures(dash), "shown")
            cal = calibrate(engine, old, survey, revised, k=K)
            tally(before["calibration"], [cal.total, cal.changed, *cal.moves.values()], "shown")
            shown_texts = [free_texts(engine, old, q, k=K) for q in texts]
            tally(before["free text"], [None if x is None else 1 for x in shown_texts], "shown")
            if version is not None:  # the rows export is per version after; compare like with like
                n = reads.count_responses(engine, old)
                before["exports"]["exact" if n >= K else "hidden"] += 1
            # After: trp_core.privacy.
            asked = sel.view_for(
                lat, version=version, lang=lang, tag=tag,
                period=None if period is None else period[0], since=since, until=until,
            )  # fmt: skip
            pub = published_dashboard(engine, survey, asked, k=K)
            outcome = {"shown": "shown", "coarsened": "coarsened", "withheld": "hidden"}[
                pub.selected.decision.outcome.value
            ]
            values = figures(pub.dashboard) if pub.dashboard is not None else [None] * len(figures(dash))
            tally(after["dashboard"], values, outcome)
            pc = published_calibration(engine, survey, thresholds, dict(survey.weights), asked, k=K)
            c = pc.calibration
            cal_values = (
                [None] * (2 + len(cal.moves)) if c is None else [c.total, c.changed, *c.moves.values()]
            )
            tally(after["calibration"], cal_values, outcome if c is not None else "hidden")
            cells = free_text_cells(engine, survey, texts, asked, k=K)
            shown = any(cell.texts for cell in cells)
            after["free text"][("exact" if shown else "hidden")] += len(texts)
            if version is not None:
                rows = published_rows(engine, survey.id, [survey], asked, k=K)
                after["exports"][
                    "hidden" if rows.table is None else ("exact" if outcome == "shown" else outcome)
                ] += 1
        seconds = time.perf_counter() - started
        engine.dispose()
    print(
        f"{len(selections)} selections, k = {K}, {args.responses} responses, tags {TAGS}, {seconds:.0f} s\n"
    )
    print("| page | rules | exact | perturbed | coarsened | hidden |")
    print("|---|---|---|---|---|---|")
    for page in before:
        for name, counts in (("before", before[page]), ("after", after[page])):
            total = sum(counts.values()) or 1
            cells = [
                f"{100 * counts[c] / total:.1f} %" for c in ("exact", "perturbed", "coarsened", "hidden")
            ]
            print(f"| {page} | {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
