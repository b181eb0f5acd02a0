"""Dashboard speed: each manager query and a full dashboard render, on SQLite and PostgreSQL, against
the naive approach (every row into pandas, then group in Python), measured in the same run.

Seeds N responses (default 1 000 000) with trp_core.services.demo into a new SQLite file and into a new
PostgreSQL database (created and dropped by this script), by default all in one survey, so that
the dashboard's survey filter still leaves every response to count. Then, per back-end and filter:
- each query of trp_core.store.reads, best of --repeat runs after a warm-up;
- the full render: `services.dashboard.dashboard` (all its queries and the minimum-group rule) plus building
  the six charts' Vega-Lite specs, and one real AppTest run of pages/manager/dashboard.py;
- the published dashboard: `services.dashboard.published_dashboard`, as the page and `trp report` call
  it (the privacy cells, the figures per atom, the minimum-group rule per part), for the same
  selection taken to whole periods (the quarter of the last day for the 90 days);
- the same published dashboard read by GROUP BY over the responses (`rollups=False`: the reads
  before the roll-ups of trp_core.store.rollups), the privacy cells both ways, and a rebuild of
  the roll-ups from every response;
- the naive approach: SELECT * of the filtered responses into pandas, then the same figures with
  pandas, and the ratio naive / full render.
Targets: every query ≤ 1 s, the full render ≤ 3 s, at least 10× faster than the naive approach.

    .venv/bin/python bench/dashboard_speed.py [--responses N] [--surveys one|all] [--repeat R]
        [--pg URL] [--no-pg] [--no-sqlite] [--no-apptest] [--dashboard-only]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trp_core.files.surveys import load_surveys  # noqa: E402
from trp_core.method.figures import NOT_HELD, Period  # noqa: E402
from trp_core.method.scoring import CRITERIA  # noqa: E402
from trp_core.method.survey import Survey  # noqa: E402
from trp_core.method.vocabulary import CRITERION_AXIS, Axis, Quadrant  # noqa: E402
from trp_core.presentation import dashboard_charts  # noqa: E402
from trp_core.privacy.cells import PeriodCell, View  # noqa: E402
from trp_core.services import dashboard as ds  # noqa: E402
from trp_core.services.calibrate import calibrate  # noqa: E402
from trp_core.services.demo import seed  # noqa: E402
from trp_core.store import reads, rollups  # noqa: E402
from trp_core.store.engine import database_url, make_engine  # noqa: E402
from trp_core.store.migrate import upgrade  # noqa: E402
from trp_core.store.models import CRITERION_COLUMNS, FunnelCounter, Response  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TODAY = date(2026, 6, 30)
DAYS = 365
EVENTS = [None, None, "fair-spring", "roadshow", "webinar"]


def best(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up: caches, the planner, the page cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def once(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


# --- the naive approach ----------------------------------------------------------------------------


def naive(engine: Any, f: reads.Filters, survey: Survey) -> tuple[float, float]:
    """(seconds to load every filtered row into pandas, seconds to compute the figures from it)."""
    start = time.perf_counter()
    with engine.connect() as conn:
        df = pd.read_sql(select(Response).where(*f.responses()), conn)
        counters = pd.read_sql(select(FunnelCounter).where(*f.counters()), conn)
    loaded = time.perf_counter()
    tk, tw = survey.thresholds.kann, survey.thresholds.will
    df["day"] = pd.to_datetime(df["day"])
    df.groupby("quadrant").size()
    placed = df[df.quadrant != Quadrant.UNDETERMINED.value]

    def cells(score: pd.Series, passed: pd.Series, t: float) -> np.ndarray:
        raw = np.floor((score.to_numpy() - t) / 10)
        high = max(0, math.ceil((100 - t) / 10) - 1)
        low = min(-1, -math.ceil(t / 10))
        return np.where(passed.to_numpy(), np.clip(raw, 0, high), np.clip(raw, low, -1))

    placed.assign(x=cells(placed.kann_score, placed.kann_passed, tk), y=cells(placed.will_score, placed.will_passed, tw)).groupby(["quadrant", "x", "y"]).size()  # fmt: skip
    df.groupby([df.day.dt.to_period("M"), "quadrant"]).size()
    columns = [CRITERION_COLUMNS[c] for c in CRITERIA]
    df.groupby("quadrant")[columns].agg(["count", "mean"])
    out = df[df.quadrant.isin([q.value for q in NOT_HELD])]
    for c in CRITERIA:
        axis = CRITERION_AXIS[c]
        failed = ~out[f"{axis.value}_passed"]
        int((failed & (out[CRITERION_COLUMNS[c]] < (tk if axis is Axis.KANN else tw))).sum())
    int(out.kann_knockout.sum()), int(out.will_knockout.sum())
    bands = pd.cut(df.break_even_month, [0, 3, 6, 9, 12, 18, 24, 36, 10_000])
    df.groupby([bands, df.c_break_even.isna()], observed=False).size()
    counters.groupby("step")["count"].sum()
    return loaded - start, time.perf_counter() - loaded


# --- one back-end -------------------------------------------------------------------------------------


def figures(engine: Any, f: reads.Filters, survey: Survey, repeat: int) -> dict[str, float]:
    th = (survey.thresholds.kann, survey.thresholds.will)
    queries: dict[str, Callable[[], Any]] = {
        "choices (versions, events, days)": lambda: reads.choices(engine, survey.id),
        "quadrants + heat map": lambda: reads.matrix_counts(engine, f, th),
        "quadrants per month": lambda: reads.quadrant_trend(engine, f, Period.MONTH),
        "quadrants per ISO week": lambda: reads.quadrant_trend(engine, f, Period.WEEK),
        "criterion means per quadrant": lambda: reads.criterion_means(engine, f),
        "what keeps out of held": lambda: reads.keep_out(engine, f, th),
        "break-even months": lambda: reads.break_even_distribution(engine, f),
        "drop-off (funnel counters)": lambda: reads.funnel(engine, f),
        "responses in the selection": lambda: reads.count_responses(engine, f),
        "free text (one question)": lambda: ds.free_texts(engine, f, "what_would_help"),
        "calibration (GROUP BY + re-score)": lambda: calibrate(
            engine, f, survey, survey.revised(thresholds={"kann": 55, "will": 65})
        ),
    }
    return {name: best(fn, repeat) for name, fn in queries.items()}


def render(engine: Any, f: reads.Filters, survey: Survey) -> Any:
    dash = ds.dashboard(engine, f, survey, period=Period.MONTH)
    for chart in (
        dashboard_charts.heatmap_chart(dash, survey, "en"),
        dashboard_charts.trend_chart(dash, survey, "en"),
        dashboard_charts.keep_out_chart(dash, "en"),
        dashboard_charts.means_chart(dash, survey, "en"),
        dashboard_charts.break_even_chart(dash, "en"),
        dashboard_charts.funnel_chart(dash, survey, "en"),
    ):
        chart.to_dict()
    return dash


def apptest(url: str) -> float:
    """One run of the dashboard page in the real app, logged in by the session keys."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["TRP_DATABASE_URL"] = url
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.session_state["trp.manager"] = "bench"
    at.session_state["trp.manager_seen"] = time.time()
    at.run()
    at.switch_page("pages/manager/dashboard.py")
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == 6, "the dashboard did not render its charts"
    return elapsed


class Rows(list):
    """The result rows, each printed as soon as it is measured (a long run keeps what it has)."""

    def append(self, row: tuple) -> None:
        super().append(row)
        print(line(row), flush=True)


def line(row: tuple) -> str:
    backend, label, n, figure, s, naive_s, ratio = row
    flag = ""
    if figure.startswith(("FULL", "ALL", "PUBLISHED")):
        flag = "" if s <= 3 else "  > 3 s"
    elif not figure.startswith(("  naive", "AppTest", "calibration", "free text", "roll-ups counted")):
        flag = "" if s <= 1 else "  > 1 s"
    naive_text = f"{naive_s:8.2f}" if naive_s is not None else " " * 8
    ratio_text = f"{ratio:6.1f}x" if ratio is not None else " " * 7
    return f"{backend:<11} {label:<40} {n:>9,}  {figure:<40} {s:7.3f} {naive_text} {ratio_text}{flag}"


def bench_backend(name: str, url: str, surveys: list[Survey], args: argparse.Namespace) -> list[tuple]:
    engine = make_engine(url)
    upgrade(engine)
    seconds, result = once(
        lambda: seed(engine, surveys, args.responses, events=EVENTS, days=DAYS, seed=2026, today=TODAY)
    )
    print(
        f"{name}: seeded {result.responses:,} responses in {seconds:.0f} s ({result.responses / seconds:,.0f}/s)"
    )
    rows = Rows()
    survey = surveys[0]
    presets = {
        "one survey": reads.Filters(survey=survey.id),
        "one survey, last 90 days, one language": reads.Filters(
            survey=survey.id, lang="de", since=TODAY - timedelta(days=90), until=TODAY
        ),
    }
    # The same selections as the privacy rules publish them (whole periods): the page's function.
    views = {
        "one survey": View(),
        "one survey, last 90 days, one language": View(
            lang="de", period=PeriodCell.of(TODAY, Period.QUARTER)
        ),
    }
    for label, f in presets.items():
        n = reads.count_responses(engine, f)
        if not args.dashboard_only:
            for figure, s in figures(engine, f, survey, args.repeat).items():
                rows.append((name, label, n, figure, s, None, None))
        queries = best(lambda f=f: ds.dashboard(engine, f, survey, period=Period.MONTH), args.repeat)
        view = views[label]
        published = best(
            lambda view=view: ds.published_dashboard(engine, survey, view, period=Period.MONTH), args.repeat
        )
        # The same from the responses by GROUP BY (the reads before the roll-ups), in the same run.
        published_scan = best(
            lambda view=view: ds.published_dashboard(
                engine, survey, view, period=Period.MONTH, rollups=False
            ),
            args.repeat,
        )
        full = best(lambda f=f: render(engine, f, survey), args.repeat)
        load, group = naive(engine, f, survey)
        naive_s = load + group
        rows.append(
            (name, label, n, "ALL DASHBOARD QUERIES + group rule", queries, naive_s, naive_s / queries)
        )
        rows.append((name, label, n, "FULL RENDER (queries + 6 charts)", full, naive_s, naive_s / full))
        rows.append(
            (
                name,
                label,
                n,
                "PUBLISHED DASHBOARD (lattice + rule 4)",
                published,
                naive_s,
                naive_s / published,
            )
        )
        rows.append(
            (
                name,
                label,
                n,
                "PUBLISHED, GROUP BY (no roll-ups)",
                published_scan,
                naive_s,
                naive_s / published_scan,
            )
        )
        if label == "one survey":  # the privacy cells, counted again after every new response
            cells_rollups = best(lambda: reads.cell_counts(engine, survey.id), args.repeat)
            cells_scan = best(lambda: reads.cell_counts(engine, survey.id, rollups=False), args.repeat)
            rows.append((name, label, n, "privacy cells from roll-ups", cells_rollups, None, None))
            rows.append((name, label, n, "privacy cells by GROUP BY", cells_scan, None, None))
            rebuilt, _ = once(lambda: rollups.rebuild(engine))
            rows.append((name, label, n, "roll-ups counted afresh (rebuild)", rebuilt, None, None))
        rows.append((name, label, n, "  naive: read rows into pandas", load, None, None))
        rows.append((name, label, n, "  naive: group in pandas", group, None, None))
        if not args.no_apptest and label == "one survey":
            rows.append((name, label, n, "AppTest run of the dashboard page", apptest(url), None, None))
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument(
        "--surveys", choices=["one", "all"], default="one", help="seed one survey or all three"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--pg",
        default=os.environ.get("TRP_TEST_DATABASE_URL", PG_DEFAULT),
        help="an existing PostgreSQL database to connect to",
    )
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-apptest", action="store_true")
    parser.add_argument(
        "--dashboard-only", action="store_true", help="skip the table of single queries: only the dashboards"
    )
    args = parser.parse_args()
    found, _ = load_surveys(ROOT / "surveys")
    surveys = [found["trp-standard"]] + (
        [found["trp-cloud"], found["trp-classic"]] if args.surveys == "all" else []
    )
    print(
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; {args.responses:,} responses in {len(surveys)} survey(s)"
    )
    rows: list[tuple] = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="trp-bench-") as folder:
            rows += bench_backend("sqlite", f"sqlite:///{folder}/bench.sqlite3", surveys, args)
    if not args.no_pg:
        admin = create_engine(database_url(args.pg), isolation_level="AUTOCOMMIT")
        name = f"trp_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.exec_driver_sql(f"CREATE DATABASE {name}")
        try:
            url = database_url(args.pg).set(database=name).render_as_string(hide_password=False)
            rows += bench_backend("postgresql", url, surveys, args)
        finally:
            with admin.connect() as c:
                c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.dispose()
    print()
    print(f"{'back-end':<11} {'filter':<40} {'rows':>9}  {'figure':<40} {'s':>7} {'naive s':>8} {'ratio':>7}")
    for row in rows:
        print(line(row))
    print()
    print(
        "s: best of the runs; naive: the same figures from every row in pandas (read + group); ratio: naive / s."
    )
    print("Targets: each query ≤ 1 s, full render ≤ 3 s, ratio ≥ 10×. Calibration and free text are not")
    print("dashboard queries (calibration re-scores in numpy; free text is loaded on request).")
    print(f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    main()
