"""The published dashboard on an existing database: the views a manager opens most (all responses of a
survey, the latest quarter in one language, the latest month), read from the roll-ups and, as the
baseline in the same run, by GROUP BY over the responses (`rollups=False`); best of N.

    trp demo seed --responses 1000000 --survey trp-standard --event fair-spring --event roadshow \\
        --days 365 --url sqlite:////tmp/m1.sqlite3
    .venv/bin/python bench/published_dashboard.py --url sqlite:////tmp/m1.sqlite3

`--daily-releases` first stores the releases a store in use would have made (one each day from the first
response on, PRIVACY.md "Time"), so that the views read a year of cuts as in production.

Targets (issue "Speed at the stand and at scale"): all responses ≤ 0.3 s, a filtered view ≤ 0.1 s at
1 000 000 responses, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trp_core.files.surveys import load_surveys
from trp_core.method.figures import Period
from trp_core.privacy import releases
from trp_core.privacy.cells import PeriodCell, View
from trp_core.services import dashboard as ds
from trp_core.services import selection as sel
from trp_core.store import reads
from trp_core.store import releases as store_releases
from trp_core.store.engine import make_engine


def best(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # the privacy cells are decided once per state of the data: not part of a view's time
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def daily_releases(engine: Any, survey_id: str, k: int = 5) -> int:
    """Store the releases of every day from the first response to yesterday, as the first look of each
    day would have made them (`selection._release`; a cut stored already is kept as it is); returns
    how many cuts were added."""
    counts = reads.cell_counts(engine, survey_id)
    stored_before = sum(map(len, store_releases.history(engine, survey_id, "responses").values()))
    first = min(c[3] for c in counts)
    history: releases.History = {}
    for n in range(1, (date.today() - first).days):
        day = first + timedelta(days=n)
        history = sel._release(engine, survey_id, "responses", counts, history, day, k)
    return sum(map(len, store_releases.history(engine, survey_id, "responses").values())) - stored_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="database URL of a seeded store")
    parser.add_argument("--survey", default="trp-standard")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="skip the GROUP BY baseline")
    parser.add_argument(
        "--daily-releases", action="store_true", help="store a release for every past day first"
    )
    args = parser.parse_args()
    engine = make_engine(args.url)
    surveys, _ = load_surveys(Path(__file__).resolve().parent.parent / "surveys")
    survey = surveys[args.survey]
    if args.daily_releases:
        print(f"daily releases: {daily_releases(engine, survey.id)} cuts added")
    cuts = sum(len(c) for c in store_releases.history(engine, survey.id, "responses").values())
    last = reads.choices(engine, survey.id).last_day
    assert last is not None, "no responses: seed the database first"
    n = reads.count_responses(engine, reads.Filters(survey=survey.id))
    print(
        f"{engine.dialect.name}, {n:,} responses of {survey.id}, {cuts} release cuts stored; {os.cpu_count()} CPUs"
    )
    views = {
        "all responses": View(),
        "latest quarter, one language": View(lang="de", period=PeriodCell.of(last, Period.QUARTER)),
        "latest month": View(period=PeriodCell.of(last, Period.MONTH)),
    }
    print(f"{'view':<30} {'roll-ups s':>10} {'GROUP BY s':>10} {'ratio':>7}")
    for label, view in views.items():

        def published(view: View = view, rollups: bool = True) -> Any:
            return ds.published_dashboard(engine, survey, view, period=Period.MONTH, rollups=rollups)

        assert published().dashboard is not None, f"{label}: not published"
        rolled = best(published, args.repeat)
        if args.no_baseline:
            print(f"{label:<30} {rolled:10.3f}")
            continue
        scanned = best(lambda view=view: published(view, rollups=False), args.repeat)
        print(f"{label:<30} {rolled:10.3f} {scanned:10.3f} {scanned / rolled:6.1f}x")
    sel._LATTICES.clear()
    sel._BUILT.clear()
    started = time.perf_counter()
    sel.lattice(engine, survey.id)
    built = time.perf_counter() - started
    sel._LATTICES.clear()  # as after a new response: the fingerprint changed, what is published not
    started = time.perf_counter()
    sel.lattice(engine, survey.id)
    print(
        f"privacy cells (rule 3): built {built:.3f} s (the first look after a release or a change of the"
        f" published responses), {time.perf_counter() - started:.3f} s after a response of today"
    )
    print(f"best of {args.repeat}; load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
