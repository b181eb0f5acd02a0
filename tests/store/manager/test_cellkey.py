"""The cell-key method on the published dashboard (PRIVACY.md, rule 4; trp_core.privacy.cellkey): every
response has a record key, the counts inside a selection are shifted by at most D, the same set of
responses shows the same figure in every selection, on every read, from the roll-ups or from the
responses, and before or after a rebuild of the roll-ups; record keys leave the database nowhere.
The funnel's steps likewise, with the record keys of the sessions they count."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from tests.store.conftest import hash_code
from trp_core.cli import report
from trp_core.cli.report import Ask
from trp_core.method.figures import Period
from trp_core.method.levers import assess
from trp_core.method.synthetic import random_answers
from trp_core.privacy import cellkey
from trp_core.privacy.cellkey import NOISE
from trp_core.privacy.cells import PeriodCell, View
from trp_core.services import dashboard as ds
from trp_core.store import rollups
from trp_core.store.models import FunnelCounter, Response

WEEK_1 = date(2025, 3, 3)
WEEK_2 = WEEK_1 + timedelta(weeks=1)


def fill(store, survey, n: int = 40) -> None:
    """German answers in week 1, English ones in week 2: "lang=de" and week 1 hold the same responses."""
    rng = random.Random(11)
    for i in range(n):
        answers = random_answers(survey, rng, answer_rate=0.95, dont_know_rate=0.05)
        german = i < n // 2
        store.save_response(
            survey=survey,
            assessment=assess(survey, answers),
            answers=answers,
            lang="de" if german else "en",
            event=None,
            submission_key=uuid.uuid4().hex,
            code_hash=hash_code(uuid.uuid4().hex),
            day=(WEEK_1 if german else WEEK_2) + timedelta(days=i % 5),
        )


def figures(d: ds.Dashboard) -> dict[str, object]:
    """Every count inside the selection, as shown (the heat map in the order of its cells)."""
    return {
        "quadrants": d.quadrants,
        "heat": sorted((c.kann_from, c.will_from, c.count) for c in d.heat),
        "keep_out": sorted((r.key.value, r.count) for r in d.keep_out),
        "placed_out": d.placed_out,
        "break_even": d.break_even,
    }


def test_every_response_gets_a_record_key_of_0_to_255(store, standard):
    fill(store, standard)
    with store.engine.connect() as conn:
        keys = [k for (k,) in conn.execute(select(Response.record_key))]
    assert len(keys) == 40 and all(0 <= k <= 255 for k in keys)
    assert len(set(keys)) > 10  # random, not a constant


def test_counts_inside_a_selection_are_shifted_by_at_most_d_and_the_total_is_exact(store, standard):
    fill(store, standard)
    view = View()
    shown = ds.published_dashboard(store.engine, standard, view, k=5).dashboard
    exact = ds.published_dashboard(store.engine, standard, view, k=5, perturb=False).dashboard
    assert shown is not None and exact is not None
    assert shown.noise == NOISE and exact.noise == 0
    assert shown.total == exact.total == 40
    pairs = [(shown.quadrants[q], exact.quadrants[q]) for q in shown.quadrants]
    pairs += list(zip([c.count for c in shown.heat], [c.count for c in exact.heat], strict=True))
    pairs += [(shown.break_even[b], exact.break_even[b]) for b in shown.break_even]
    by_key = {r.key: r.count for r in exact.keep_out}
    pairs += [(r.count, by_key[r.key]) for r in shown.keep_out]
    pairs += [(shown.placed_out, exact.placed_out)]
    for a, b in pairs:
        assert (a is None) == (b is None)  # rule 4 decides on the true count: the same figures hidden
        if a is not None:
            assert abs(a - b) <= NOISE and (a == 0) == (b == 0)
    assert any(a != b for a, b in pairs if a is not None), "some count is shifted"
    assert shown.means == exact.means  # means are not perturbed


def test_the_same_responses_show_the_same_figures_in_every_selection_and_on_every_read(store, standard):
    fill(store, standard)
    german = View(lang="de")
    week = View(period=PeriodCell(Period.WEEK, WEEK_1))
    a = ds.published_dashboard(store.engine, standard, german, period=Period.WEEK, k=5)
    b = ds.published_dashboard(store.engine, standard, week, period=Period.WEEK, k=5)
    assert a.selected.view == german and b.selected.view == week, "both selections published as asked"
    assert a.dashboard is not None and b.dashboard is not None
    assert figures(a.dashboard) == figures(b.dashboard)
    # The trend of everything shows week 1's quadrant counts as the selection of week 1 does.
    everything = ds.published_dashboard(store.engine, standard, View(), period=Period.WEEK, k=5).dashboard
    assert everything is not None
    in_week = {c.quadrant: c.count for c in everything.trend if c.start == WEEK_1 and c.quadrant}
    assert in_week == {q: n for q, n in b.dashboard.quadrants.items() if n}
    # Read again, from the responses instead of the roll-ups, after a rebuild of the roll-ups.
    again = ds.published_dashboard(store.engine, standard, german, period=Period.WEEK, k=5).dashboard
    scanned = ds.published_dashboard(
        store.engine, standard, german, period=Period.WEEK, k=5, rollups=False
    ).dashboard
    rollups.rebuild(store.engine)
    rebuilt = ds.published_dashboard(store.engine, standard, german, period=Period.WEEK, k=5).dashboard
    for other in (again, scanned, rebuilt):  # the heat map's cells in the order their atoms were read
        assert other is not None and figures(other) == figures(a.dashboard)


def test_no_report_or_export_holds_a_record_key(store, standard):
    fill(store, standard)
    with store.engine.connect() as conn:
        keys = {k for (k,) in conn.execute(select(Response.record_key))}
    dashboard = report.dashboard_report(store.engine, standard, Ask())
    exported = report.export_report(store.engine, standard, Ask(version=standard.version))
    assert dashboard["noise"] == NOISE
    assert set(dashboard["perturbed"]) == {"quadrants", "trend", "heat", "keep_out", "break_even", "funnel"}
    for out in (dashboard, exported, report.free_text_report(store.engine, standard, Ask())):
        assert "record" not in json.dumps(out, default=str)
    assert exported["rows"] and all("record_key" not in row for row in exported["rows"])
    assert keys  # the keys are there, only never shown


# --- the funnel: sessions have record keys too ----------------------------------------------------

STEPS = ("started", "step:customers", "step:team", "completed")  # of the standard survey's funnel


def sessions(store, survey, keys: list[int]) -> list[int]:
    """One session per key, all untagged in week 1 (the German answers' week): the first 20 reach
    every step, the others one to four of them; the true count per step."""
    reached = [0] * len(STEPS)
    for i, key in enumerate(keys):
        steps = STEPS[: 1 + i % len(STEPS)] if i >= 20 else STEPS  # the first 20 complete
        store.count(survey.id, None, list(steps), day=WEEK_1 + timedelta(days=i % 5), key=key)
        for j in range(len(steps)):
            reached[j] += 1
    return reached


def funnel_of(d: ds.Dashboard | None) -> dict[str, int | None]:
    assert d is not None
    return {s.step: s.count for s in d.funnel}


def test_funnel_steps_are_shifted_by_their_sessions_key_sum_and_started_is_exact(store, standard):
    """Every step after "started" is a count inside the selection: shown as cellkey.perturb(n, key sum),
    within D of the true count; "started", the sessions' total, exact; `trp report` lists the funnel
    among the perturbed figures and shows the page's figures."""
    fill(store, standard)
    rng = random.Random(3)
    keys = [rng.randrange(256) for _ in range(30)]
    reached = dict(zip(STEPS, sessions(store, standard, keys), strict=True))
    key_sums = {
        step: sum(key for i, key in enumerate(keys) if i < 20 or j < 1 + i % len(STEPS))
        for j, step in enumerate(STEPS)
    }
    shown = funnel_of(ds.published_dashboard(store.engine, standard, View(), k=5).dashboard)
    exact = funnel_of(ds.published_dashboard(store.engine, standard, View(), k=5, perturb=False).dashboard)
    assert {s: exact[s] for s in STEPS} == reached
    assert shown["started"] == reached["started"] == 30
    for step in STEPS[1:]:
        assert shown[step] == cellkey.perturb(reached[step], key_sums[step], 5)
        assert abs(shown[step] - reached[step]) <= NOISE
    assert any(shown[s] != reached[s] for s in STEPS), "some step is shifted (these keys shift some)"
    out = report.dashboard_report(store.engine, standard, Ask())
    assert "funnel" in out["perturbed"] and out["noise"] == NOISE
    assert {s: out["funnel"][s] for s in STEPS} == {s: shown[s] for s in STEPS}


def test_the_same_sessions_show_the_same_funnel_in_every_selection_and_on_every_read(store, standard):
    """All sessions are in week 1 and untagged: "all", "week 1" and "no event" hold the same sessions,
    so every step shows the same figure in each; the figure is the perturbed one, not the true count."""
    fill(store, standard)
    rng = random.Random(7)
    keys = [rng.randrange(256) for _ in range(30)]
    reached = dict(zip(STEPS, sessions(store, standard, keys), strict=True))
    views = [View(), View(period=PeriodCell(Period.WEEK, WEEK_1)), View(tag="none")]
    shown = []
    for view in views:
        pub = ds.published_dashboard(store.engine, standard, view, period=Period.WEEK, k=5)
        assert pub.selected.view == view, "published as asked"
        shown.append(funnel_of(pub.dashboard))
    assert shown[0] == shown[1] == shown[2]
    assert shown[0] != {**shown[0], **reached}, "the figures are shifted, not the true counts"
    again = ds.published_dashboard(store.engine, standard, views[1], period=Period.WEEK, k=5)
    assert funnel_of(again.dashboard) == shown[0]
    with store.engine.connect() as conn:
        assert all(0 <= k <= 255 for (k,) in conn.execute(select(FunnelCounter.keys)))
