"""The automated intruder (tests/support/intruder.py) against everything `trp report` publishes, on
random data sets with groups of 1 to k − 1 responses hidden among large ones (by tag, language,
period and version). It must fail on every one, on SQLite and on PostgreSQL. And findings 1–4 of
issue 13, each as its own regression test."""

from __future__ import annotations

import itertools
import os
import random
import uuid
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store.manager.conftest import empty_store, hash_code
from tests.support.intruder import Ask, Intruder, Person, within
from trp_core.cli import report
from trp_core.method.figures import Period, funnel_steps
from trp_core.method.levers import assess
from trp_core.method.scoring import score, score_matrix
from trp_core.method.survey import Survey
from trp_core.method.synthetic import random_answers
from trp_core.method.vocabulary import Axis, Quadrant
from trp_core.privacy import cellkey
from trp_core.store import reads
from trp_core.store.reads import Filters
from trp_core.store.repository import Store

# Long property runs: in the full suite, not in `dev.py test --quick`.
pytestmark = pytest.mark.slow

K = 5
# Data sets the property test draws: few in CI, more locally (TRP_INTRUDER_EXAMPLES=20).
EXAMPLES = int(os.environ.get("TRP_INTRUDER_EXAMPLES", "3"))


class Reports:
    """The intruder's view: the functions behind `trp report`, on one database and survey."""

    def __init__(self, engine: Any, survey: Survey):
        self.engine, self.survey = engine, survey

    def dashboard(self, ask: Ask) -> dict[str, Any]:
        return report.dashboard_report(self.engine, self.survey, ask)  # the criterion means included

    def free_text(self, ask: Ask) -> dict[str, Any]:
        return report.free_text_report(self.engine, self.survey, ask)

    def export(self, ask: Ask) -> dict[str, Any]:
        return report.export_report(self.engine, self.survey, ask)

    def calibration(self, ask: Ask, kann: float) -> dict[str, Any]:
        return report.calibration_report(self.engine, self.survey, ask, {Axis.KANN: kann}, {})


def _thresholds(survey: Survey) -> tuple[float, float]:
    return survey.thresholds.kann, survey.thresholds.will


def store_people(store: Store, survey: Survey, rows: list[dict[str, Any]], seed: int) -> list[Person]:
    """Store the responses; each gets random answers and its own free text."""
    rng = random.Random(seed)
    versions = {survey.version: survey}
    people = []
    for i, row in enumerate(rows):
        version = versions.setdefault(row["version"], survey.revised(version=row["version"]))
        answers = {
            **random_answers(survey, rng, answer_rate=0.95, dont_know_rate=0.05),
            "what_would_help": f"text {i}",
        }
        assessment = assess(version, answers)
        store.save_response(
            survey=version,
            assessment=assessment,
            answers=answers,
            lang=row["lang"],
            event=row["tag"] or None,
            submission_key=uuid.uuid4().hex,
            code_hash=hash_code(uuid.uuid4().hex),
            day=row["day"],
        )

        def passes(t: float, answers: dict[str, Any] = answers) -> bool:
            revised = survey.revised(thresholds={"kann": t, "will": survey.thresholds.will})
            return score(revised, answers).quadrant in (Quadrant.HELD, Quadrant.KANDIDAT)

        people.append(
            Person(
                row["version"],
                row["lang"],
                row["tag"],
                row["day"],
                assessment.quadrant.value,
                f"text {i}",
                passes,
            )
        )
    return people


def published(engine: Any, survey: Survey, people: list[Person]) -> list[Person]:
    """The people whose responses are published (trp_core.privacy.releases): a stream of fewer than
    k responses waits, in no figure at all; the intruder knows only what is published."""
    from trp_core.privacy.cells import View
    from trp_core.services import selection as sel

    lat = sel.lattice(engine, survey.id, k=K)
    return [p for p in people if lat.within(View(), p.version, p.lang, p.tag, p.day)]


def every_small_group(people: list[Person]) -> dict[str, Any]:
    """Every combination of version, language, tag and ISO week (each set or open) that holds 1 to
    k − 1 responses: what the intruder tries to learn about."""

    def week(d: date) -> date:
        return d - timedelta(days=d.weekday())

    values = {
        "version": {p.version for p in people},
        "lang": {p.lang for p in people},
        "tag": {p.tag for p in people},
        "week": {week(p.day) for p in people},
    }
    groups: dict[str, Any] = {}
    dims = list(values)
    for chosen in itertools.product(*[[None, *sorted(values[d])] for d in dims]):
        want = dict(zip(dims, chosen, strict=True))

        def member(p: Person, want: dict[str, Any] = want) -> bool:
            got = {"version": p.version, "lang": p.lang, "tag": p.tag, "week": week(p.day)}
            return all(v is None or got[d] == v for d, v in want.items())

        size = sum(1 for p in people if member(p))
        if 0 < size < K:
            groups[", ".join(f"{d}={v}" for d, v in want.items() if v is not None)] = member
    return groups


@st.composite
def data_sets(draw: Any) -> list[dict[str, Any]]:
    """Large groups (untagged, one big tag, German) with one small group hidden: a tag, English
    answers, another version, or a week on its own, of 1 to k − 1 responses."""
    start = date(2025, 1, 6) + timedelta(weeks=draw(st.integers(0, 40)))
    weeks = draw(st.integers(3, 8))
    rng = random.Random(draw(st.integers(0, 2**16)))
    rows = []

    def day() -> date:
        return start + timedelta(days=rng.randrange(weeks * 7))

    for tag, n in (("", draw(st.integers(20, 45))), ("expo", draw(st.integers(12, 30)))):
        rows += [{"version": "1.0", "lang": "de", "tag": tag, "day": day()} for _ in range(n)]
    kind = draw(st.sampled_from(["tag", "lang", "version", "week"]))
    small = draw(st.integers(1, K - 1))
    for _ in range(small):
        row = {"version": "1.0", "lang": "de", "tag": rng.choice(["", "expo"]), "day": day()}
        if kind == "tag":
            row["tag"] = "tiny"
        elif kind == "lang":
            row["lang"] = "en"
        elif kind == "version":
            row["version"] = "1.1"
        else:
            row["day"] = start + timedelta(weeks=weeks + 2, days=rng.randrange(7))
        rows.append(row)
    return rows


@settings(
    max_examples=EXAMPLES,
    # On CI the same data sets every run, so that a landing never hangs on a draw; locally new ones,
    # and TRP_INTRUDER_EXAMPLES draws more (a leak found so is kept in .hypothesis/ and replayed).
    derandomize=os.environ.get("CI") == "true",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=data_sets(), seed=st.integers(0, 1000))
def test_the_intruder_learns_nothing_about_a_small_group(engine, surveys, rows, seed):
    store = empty_store(engine)
    survey = surveys["trp-standard"]
    stored = store_people(store, survey, rows, seed)
    assert every_small_group(stored)  # the data set hides at least one small group
    # A small group that is a stream of its own (a tag, a language, a version) waits unpublished:
    # in no figure at all. The intruder attacks the small groups among the published responses.
    people = published(engine, survey, stored)
    reports = Reports(engine, survey)
    assert reports.dashboard(Ask())["total"] == len(people)
    intruder = Intruder(reports, people, K, _thresholds(survey))
    assert intruder.attack(every_small_group(people), thresholds=[]) == []


def test_the_intruder_learns_nothing_from_calibration_sweeps(store, surveys):
    survey = surveys["trp-standard"]
    rng = random.Random(3)
    start = date(2025, 3, 3)
    rows = [
        {"version": "1.0", "lang": "de", "tag": "", "day": start + timedelta(days=rng.randrange(40))}
        for _ in range(40)
    ]
    rows += [
        {"version": "1.0", "lang": "de", "tag": "expo", "day": start + timedelta(days=rng.randrange(40))}
        for _ in range(20)
    ]
    rows += [
        {"version": "1.0", "lang": "de", "tag": "tiny", "day": start + timedelta(days=3)} for _ in range(3)
    ]
    people = published(store.engine, survey, store_people(store, survey, rows, 3))
    intruder = Intruder(Reports(store.engine, survey), people, K, _thresholds(survey))
    calibration_asks = intruder.selections(periods=False)
    found = intruder._calibration(
        calibration_asks, every_small_group(people), [float(t) for t in range(30, 91, 3)]
    )
    assert found == []


# --- the findings of issue 13, each on its own ------------------------------------------------------


@pytest.fixture
def tiny_fair(store, surveys):
    """A database with a large untagged group, a big fair and a tiny fair of 3 responses (k = 5)."""
    survey = surveys["trp-standard"]
    rng = random.Random(13)
    start = date(2025, 4, 7)
    rows = [
        {
            "version": "1.0",
            "lang": rng.choice(["de", "en"]),
            "tag": "",
            "day": start + timedelta(days=rng.randrange(56)),
        }
        for _ in range(60)
    ]
    rows += [
        {
            "version": "1.0",
            "lang": rng.choice(["de", "en"]),
            "tag": "big-fair",
            "day": start + timedelta(days=rng.randrange(56)),
        }
        for _ in range(30)
    ]
    rows += [
        {"version": "1.0", "lang": "de", "tag": "tiny-fair", "day": start + timedelta(days=20)}
        for _ in range(3)
    ]
    people = store_people(store, survey, rows, 13)
    return store.engine, survey, people


def test_the_tiny_fair_waits_in_no_figure(tiny_fair):
    """Its 3 responses are a stream of fewer than k (releases): no total, text or row holds them."""
    engine, survey, people = tiny_fair
    shown = published(engine, survey, people)
    assert len(people) - len(shown) == 3 and all(p.tag != "tiny-fair" for p in shown)
    reports = Reports(engine, survey)
    assert reports.dashboard(Ask())["total"] == len(shown)
    assert len(reports.export(Ask(version="1.0"))["rows"]) == len(shown)
    texts = {t for c in reports.free_text(Ask())["cells"] for ts in (c["texts"] or {}).values() for t in ts}
    assert texts and not texts & {p.text for p in people if p.tag == "tiny-fair"}


def test_finding_1_the_row_export_of_all_holds_no_tag_day_or_free_text(tiny_fair):
    engine, survey, people = tiny_fair
    out = Reports(engine, survey).export(Ask(version="1.0"))
    assert out["rows"] and len(out["rows"]) == len(published(engine, survey, people))
    for row in out["rows"]:
        assert not {"event", "language", "iso_week", "what_would_help"} & set(row)
        assert not any("text" in str(v) for v in row.values())
    alone = Reports(engine, survey).export(Ask(version="1.0", tag="tiny-fair"))
    assert not alone["rows"]  # never the tiny fair's rows: they wait
    one_day = Reports(engine, survey).export(
        Ask(version="1.0", period="week", since=date(2025, 4, 27), until=date(2025, 4, 27))
    )
    if one_day["rows"] is not None:
        assert one_day["shown"]["period"]["kind"] in ("week", "month", "quarter")  # never one day


def test_finding_2_all_minus_no_event_minus_big_fair_is_never_the_tiny_fair(tiny_fair):
    engine, survey, people = tiny_fair
    reports = Reports(engine, survey)
    shown = {tag: reports.dashboard(Ask(tag=tag)) for tag in (None, "none", "big-fair", "tiny-fair")}
    assert shown["tiny-fair"]["total"] in (0, None)  # its responses wait (releases)
    assert shown[None]["total"] - shown["none"]["total"] - shown["big-fair"]["total"] == 0
    # and the whole lattice of choices: no combination determines the tiny fair's figures
    intruder = Intruder(reports, published(engine, survey, people), K, _thresholds(survey))
    assert (
        intruder.attack({"tiny-fair": lambda p: p.tag == "tiny-fair"}, exports=False, free_text=False) == []
    )


def test_finding_3_no_free_text_by_subtraction(tiny_fair):
    engine, survey, people = tiny_fair
    shown = published(engine, survey, people)
    intruder = Intruder(Reports(engine, survey), shown, K, _thresholds(survey))
    texts = [intruder.pub.free_text(a) for a in intruder.selections()]
    assert intruder._free_texts(texts) == []
    everywhere = {t for r in texts for c in r["cells"] for ts in (c["texts"] or {}).values() for t in ts}
    assert {p.text for p in shown} <= everywhere  # shown, but only inside cells that no filter splits


def test_finding_4_no_binary_search_on_a_threshold_finds_one_score(tiny_fair):
    engine, survey, _ = tiny_fair
    reports = Reports(engine, survey)
    for ask in (Ask(), Ask(tag="none"), Ask(tag="big-fair")):
        tried = {}
        for t in [x / 10 for x in range(400, 800, 7)]:
            r = reports.calibration(ask, t)
            if r["after"]["held"] is not None and r["after"]["kandidat"] is not None:
                tried[r["thresholds"]["kann"]] = r["after"]["held"] + r["after"]["kandidat"]
        assert all(float(x).is_integer() or x == survey.thresholds.kann for x in tried)  # whole steps only
        counts = [n for _, n in sorted(tried.items())]
        assert all(a == b or abs(a - b) >= K for a, b in itertools.pairwise(counts))


class OldRules(Reports):
    """The figures as published before issue 13: any tag, the minimum-group rule inside one selection
    only. The intruder must find the tiny fair there, or it proves nothing."""

    def dashboard(self, ask: Ask) -> dict[str, Any]:
        from trp_core.method.figures import period_end, period_start
        from trp_core.services.dashboard import dashboard
        from trp_core.store.reads import Filters
        from trp_core.store.repository import NO_EVENT

        period = None
        if ask.since is not None:
            kind = Period(ask.period or "month")
            start = period_start(ask.since, kind)
            period = {"start": str(start), "end": str(period_end(start, kind))}
        tags = None if ask.tag is None else ([""] if ask.tag == "none" else [ask.tag])
        f = Filters(
            survey=self.survey.id,
            version=ask.version,
            lang=ask.lang,
            event=None if ask.tag is None else (NO_EVENT if ask.tag == "none" else ask.tag),
            since=period and date.fromisoformat(period["start"]),
            until=period and date.fromisoformat(period["end"]),
        )
        dash = dashboard(self.engine, f, self.survey, k=K)
        shown = {"version": ask.version, "lang": ask.lang, "tags": tags, "period": period}
        return {
            "shown": shown,
            "total": dash.total,
            "quadrants": {q.value: n for q, n in dash.quadrants.items()},
        }


def test_the_intruder_finds_the_tiny_fair_under_the_old_rules(tiny_fair):
    engine, survey, people = tiny_fair
    intruder = Intruder(OldRules(engine, survey), people, K)
    found = intruder.attack({"tiny-fair": lambda p: p.tag == "tiny-fair"}, exports=False, free_text=False)
    assert "counts: the size of tiny-fair (class all) is 3, worked out as 3.0" in found, found


def test_no_weight_sweep_tells_apart_fewer_than_k_responses(store, surveys):
    """The intruder sweeps one criterion's weight step by step (and, at each weight, the threshold a
    step up and down) on one published selection. Of every two runs it is shown that differ in one
    setting, the responses they place in different quadrants (worked out here from the stored
    responses, as only the database can) are 0 or at least k (PRIVACY.md, rule 7); under the rule
    before it, pairs one weight step apart differ by 1 to 4."""
    survey = surveys["trp-standard"]
    rng = random.Random(7)
    start = date(2025, 3, 3)
    rows = [
        {"version": "1.0", "lang": "de", "tag": "", "day": start + timedelta(days=rng.randrange(40))}
        for _ in range(1200)
    ]
    store_people(store, survey, rows, 7)
    matrix, counts = reads.criterion_matrix(store.engine, Filters(survey=survey.id))

    def placed(kann: float, weights: dict[str, float]) -> np.ndarray:
        run = survey.revised(
            thresholds={"kann": kann, "will": survey.thresholds.will},
            weights={**{c.value: w for c, w in survey.weights.items()}, **weights},
        )
        return score_matrix(run, matrix).quadrant

    asked = Ask()
    found, runs = [], set()
    for c in [c for c, w in survey.weights.items() if w > 0][:4]:
        shown: dict[tuple[float, float], np.ndarray] = {}
        for w in [x / 2 for x in range(1, 17)]:
            for kann in (survey.thresholds.kann - 3, survey.thresholds.kann, survey.thresholds.kann + 3):
                r = report.calibration_report(store.engine, survey, asked, {Axis.KANN: kann}, {c: w})
                if r["total"] is None:
                    continue
                tried = (r["thresholds"]["kann"], r["weights"][c.value])
                shown[tried] = placed(tried[0], {c.value: tried[1]})
                runs.add((c, *tried))
        for (a, qa), (b, qb) in itertools.combinations(shown.items(), 2):
            if a[0] != b[0] and a[1] != b[1]:
                continue  # two settings apart: not claimed (PRIVACY.md, what remains)
            n = int(counts[qa != qb].sum())
            if 0 < n < K:
                found.append(f"{c.value}: runs {a} and {b} place {n} responses differently")
    assert found == [], found[:5]
    assert len(runs) >= 20, "runs are shown: the test compares something"


def test_no_count_of_fewer_than_k_inside_a_part_follows_from_the_dashboards(tiny_fair):
    """Two published selections that differ by one part of at least k responses: their difference is
    that part's figures. With the counts inside a selection perturbed by the cell-key method (PRIVACY.md,
    rule 4), no count of 1 to k − 1 of any part is worked out exactly from all the dashboards together
    (without it: 30 quadrant counts, 19 heat-map cells, 21 band counts, 8 of each keep-out row).

    What remains (PRIVACY.md): linear programming over every figure can still, for a few counts and
    depending on the random keys, intersect the ranges that several differences by the same part give
    into a range inside 1 to k − 1 (say "2 to 4 of this part's responses are in Kandidat"); each such
    range holds the true count."""
    engine, survey, people = tiny_fair
    people = published(engine, survey, people)  # the tiny fair's 3 wait (releases)
    intruder = Intruder(Reports(engine, survey), people, K, _thresholds(survey))
    found = intruder.attack({}, exports=False, free_text=False, inside_parts=True)
    assert [f for f in found if f.endswith("worked out")] == [], found[:5]
    assert all(f.endswith("bounded") for f in found), found[:5]


def test_without_perturbation_counts_inside_a_part_follow_from_the_dashboards(tiny_fair, monkeypatch):
    """The cell-key method switched off (every count exact, as before it): the intruder works out
    quadrant counts, heat-map cells, break-even band counts and keep-out counts of 1 to 4 responses of
    a part, by subtracting selections. So the test above can fail."""
    monkeypatch.setattr(cellkey, "perturb", lambda n, key_sum, k: n)
    monkeypatch.setattr(cellkey, "NOISE", 0)
    engine, survey, people = tiny_fair
    people = published(engine, survey, people)  # the tiny fair's 3 wait (releases)
    reports = Reports(engine, survey)
    assert reports.dashboard(Ask())["noise"] == 0
    intruder = Intruder(reports, people, K, _thresholds(survey))
    found = intruder.attack({}, exports=False, free_text=False, inside_parts=True)
    for family in ("quadrant counts", "heat map", "break-even bands", "keep-out"):
        assert any(f.startswith(family) and f.endswith("worked out") for f in found), (family, found[:5])


def funnel_figures(
    reports: Reports, intruder: Intruder, sessions: list[tuple[str, date]]
) -> tuple[Intruder, list[Any], list[float], list[float], int]:
    """Every published funnel step of every selection as a row over the sessions' atoms (tag, day: the
    counters know no version or language): (an intruder over those atoms, rows, values, noise, how
    many funnels were shown). "started", the sessions' total, is exact; the other steps are shifted
    by up to the report's noise where it lists the funnel as perturbed."""
    seen = Intruder(reports, [Person("1.0", "de", tag, day, "") for tag, day in sessions], K)
    rows: list[Any] = []
    values: list[float] = []
    noise: list[float] = []
    shown_funnels = 0
    for ask in intruder.selections():
        r = reports.dashboard(ask)
        if r["shown"] is None:
            continue
        view = {**r["shown"], "version": None, "lang": None}  # the counters know tag and day only
        members = frozenset(
            i for i, (tag, day) in enumerate(sessions) if within(Person("1.0", "de", tag, day, ""), view)
        )
        d = float(r["noise"]) if "funnel" in r["perturbed"] else 0.0
        for step, n in r["funnel"].items():
            if n is not None:
                rows.append((members, (step,)))
                values.append(float(n))
                noise.append(0.0 if step == "started" else d)
                shown_funnels += step == "started"
    return seen, rows, values, noise, shown_funnels


def test_no_count_of_fewer_than_k_sessions_follows_from_the_funnels(tiny_fair):
    """Funnel counts follow rule 3 too (PRIVACY.md): the sessions get a lattice of their own, and a
    selection shows its funnel only when it is published for the sessions as well, each step per part.
    Here two sessions carry a tag that no response has ("ghost") and three untagged sessions were
    abandoned in a week without responses; under rule 4 per selection, "all" − "none" − each tag group
    gave the ghost's 2 sessions. With releases the ghost's sessions wait (fewer than k of their tag)."""
    engine, survey, people = tiny_fair
    people = published(engine, survey, people)  # the tiny fair's 3 wait (releases)
    store = Store(engine)
    for p in people:
        store.count(survey.id, p.tag or None, ["started", "completed"], day=p.day)
    for _ in range(2):
        store.count(survey.id, "ghost", "started", day=date(2025, 4, 15))
    for _ in range(3):
        store.count(survey.id, None, "started", day=date(2025, 6, 16))
    reports = Reports(engine, survey)
    intruder = Intruder(reports, people, K)
    # The ghost's 2 sessions are a stream of fewer than k: they wait, in no funnel (releases).
    sessions = sorted({(p.tag, p.day) for p in people} | {("", date(2025, 6, 16))})
    seen, rows, values, noise, shown_funnels = funnel_figures(reports, intruder, sessions)
    assert shown_funnels > 10, "funnels are shown: the test compares something"
    found = seen._small_cells(rows, values, sorted({c for _, (c,) in rows}), "sessions", noise=noise)
    assert [f for f in found if f.endswith("worked out")] == [], found[:5]


def _few_completed(tiny_fair: Any) -> tuple[Reports, Intruder, list[tuple[str, date]]]:
    """Every response's session started and reached the first step; every untagged and tiny-fair one
    completed, but of the big fair's 30 sessions only 3 did: a part of at least k sessions (the big
    fair) with 1 to k − 1 of them at "completed". Asked directly, the big fair's "completed" is hidden;
    "all" − "none" − the tiny fair's group gives it."""
    engine, survey, people = tiny_fair
    people = published(engine, survey, people)  # the tiny fair's 3 wait (releases)
    store = Store(engine)
    first = next(s for s in funnel_steps(survey) if s.startswith("step:"))
    big = 0
    for p in people:
        steps = ["started", first]
        if p.tag != "big-fair" or (big := big + 1) <= 3:
            steps.append("completed")
        store.count(survey.id, p.tag or None, steps, day=p.day)
    reports = Reports(engine, survey)
    return reports, Intruder(reports, people, K), sorted({(p.tag, p.day) for p in people})


def test_no_step_count_of_fewer_than_k_sessions_of_a_part_follows_from_the_funnels(tiny_fair):
    """The funnel's steps are counts inside a selection: with the sessions' record keys they are
    perturbed by the cell-key method (PRIVACY.md, rule 4), so two selections that differ by the big
    fair no longer give its 3 completed sessions exactly. What linear programming may still bound
    (a range inside 1 to k − 1 that holds the true count) is in "What remains", as for responses."""
    reports, intruder, sessions = _few_completed(tiny_fair)
    seen, rows, values, noise, shown_funnels = funnel_figures(reports, intruder, sessions)
    assert shown_funnels > 10, "funnels are shown: the test compares something"
    assert any(d > 0 for d in noise), "the steps are published perturbed"
    found = seen._small_cells(rows, values, sorted({c for _, (c,) in rows}), "sessions", noise=noise)
    assert [f for f in found if f.endswith("worked out")] == [], found[:5]
    assert all(f.endswith("bounded") for f in found), found[:5]


def test_without_perturbation_step_counts_inside_a_part_follow_from_the_funnels(tiny_fair, monkeypatch):
    """The cell-key method switched off: the intruder works out how many of the big fair's sessions
    completed in a part of it (1 to k − 1) from the funnels of selections that differ by that part.
    So the test above can fail."""
    monkeypatch.setattr(cellkey, "perturb", lambda n, key_sum, k: n)
    monkeypatch.setattr(cellkey, "NOISE", 0)
    reports, intruder, sessions = _few_completed(tiny_fair)
    seen, rows, values, noise, _ = funnel_figures(reports, intruder, sessions)
    assert not any(noise)
    found = seen._small_cells(rows, values, sorted({c for _, (c,) in rows}), "sessions", noise=noise)
    assert any("in class completed" in f and f.endswith("worked out") for f in found), found[:5]
