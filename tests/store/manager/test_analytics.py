"""Every dashboard figure against a count by hand, on SQLite and PostgreSQL; filters stay parameters."""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, inspect, select

from tests.conftest import SURVEYS
from tests.store.manager.conftest import empty_store, hash_code
from trp_core.files.surveys import load_survey
from trp_core.method import figures
from trp_core.method.scoring import CRITERIA, score
from trp_core.method.synthetic import random_answers
from trp_core.method.vocabulary import CRITERION_AXIS, Axis, Criterion, Quadrant
from trp_core.services import calibrate as calibration
from trp_core.services import dashboard as ds
from trp_core.store import reads
from trp_core.store.models import Response
from trp_core.store.repository import NO_EVENT

START = date(2024, 12, 20)  # across a year boundary: ISO week 2025-W01 begins on 2024-12-30
EVENTS = [None, "fair-a", "fair-b"]
STANDARD_VERSION = load_survey(SURVEYS / "trp-standard.yaml").version


@pytest.fixture(scope="module")
def stored(engine, surveys):
    """About 160 scored responses over seven weeks, both languages, three event tags, and counters:
    stored once per database for this module, whose tests only read."""
    store = empty_store(engine)
    standard = surveys["trp-standard"]
    rng = random.Random(11)
    rows = []
    for i in range(160):
        answers = random_answers(standard, rng, answer_rate=rng.choice([0.3, 0.9, 1.0]), dont_know_rate=0.1)
        a = score(standard, answers)
        day = START + timedelta(days=rng.randrange(50))
        lang = rng.choice(["de", "en"])
        event = EVENTS[i % 3]
        store.save_response(
            survey=standard,
            assessment=a,
            answers=answers,
            lang=lang,
            event=event,
            submission_key=uuid.uuid4().hex,
            code_hash=hash_code(uuid.uuid4().hex),
            day=day,
        )
        rows.append({"a": a, "day": day, "lang": lang, "event": event})
    for step, n in (("started", 30), ("step:customers", 25), ("calculator", 21), ("completed", 19)):
        for _ in range(n):
            store.count(standard.id, "fair-a", step, day=START + timedelta(days=3))
    store.count(standard.id, None, "started", day=START + timedelta(days=40))
    return rows


def select_rows(rows, f: reads.Filters):
    out = []
    for r in rows:
        if f.lang and r["lang"] != f.lang:
            continue
        if f.event == NO_EVENT and r["event"] is not None:
            continue
        if f.event not in (None, NO_EVENT) and r["event"] != f.event:
            continue
        if (f.since and r["day"] < f.since) or (f.until and r["day"] > f.until):
            continue
        out.append(r)
    return out


FILTERS = [
    reads.Filters(survey="trp-standard"),
    reads.Filters(survey="trp-standard", lang="en"),
    reads.Filters(survey="trp-standard", event="fair-b", since=date(2025, 1, 1)),
    reads.Filters(survey="trp-standard", event=NO_EVENT, until=date(2025, 1, 20)),
    reads.Filters(
        survey="trp-standard",
        version=STANDARD_VERSION,
        lang="de",
        since=date(2024, 12, 28),
        until=date(2025, 1, 31),
    ),
]


def cell(score_value: float, passed: bool, t: float) -> int:
    b = math.floor((score_value - t) / 10)
    high = max(0, math.ceil((100 - t) / 10) - 1)
    low = min(-1, -math.ceil(t / 10))
    return min(max(b, 0), high) if passed else max(min(b, -1), low)


@pytest.mark.parametrize("f", FILTERS, ids=range(len(FILTERS)))
def test_matrix_and_heat_map(engine, standard, stored, f):
    rows = select_rows(stored, f)
    got = reads.matrix_counts(engine, f, (60.0, 60.0))
    assert got.quadrants == dict.fromkeys(Quadrant, 0) | Counter(r["a"].quadrant for r in rows)
    cells = Counter()
    for r in rows:
        a = r["a"]
        if a.quadrant is Quadrant.UNDETERMINED:
            continue
        kann, will = a.axes[Axis.KANN], a.axes[Axis.WILL]
        cells[(cell(kann.score, kann.passed, 60), cell(will.score, will.passed, 60))] += 1
    assert got.cells == dict(cells)
    assert got.total == len(rows)


@pytest.mark.parametrize("period", list(figures.Period))
@pytest.mark.parametrize("f", FILTERS[:3], ids=range(3))
def test_quadrants_per_week_and_month(engine, stored, f, period):
    rows = select_rows(stored, f)

    expected = Counter((figures.period_start(r["day"], period), r["a"].quadrant) for r in rows)
    assert reads.quadrant_trend(engine, f, period) == dict(expected)
    if period is figures.Period.WEEK:
        assert figures.period_label(date(2024, 12, 30), period) == "2025-W01"
        assert figures.period_label(date(2024, 12, 23), period) == "2024-W52"


@pytest.mark.parametrize("f", FILTERS, ids=range(len(FILTERS)))
def test_criterion_means_per_quadrant(engine, stored, f):
    rows = select_rows(stored, f)
    got = reads.criterion_means(engine, f)
    values = defaultdict(list)
    for r in rows:
        for c in CRITERIA:
            result = r["a"].criteria[c]
            if result.answered:  # an unanswered criterion is stored as NULL
                values[(c, r["a"].quadrant)].append(result.score)
    for c in CRITERIA:
        for q in Quadrant:
            found = got[(c, q)]
            assert found.answered == len(values[(c, q)])
            if values[(c, q)]:
                assert found.mean == pytest.approx(sum(values[(c, q)]) / len(values[(c, q)]))
            else:
                assert found.mean is None


@pytest.mark.parametrize("f", FILTERS, ids=range(len(FILTERS)))
def test_what_keeps_respondents_out_of_held(engine, standard, stored, f):
    rows = [r for r in select_rows(stored, f) if r["a"].quadrant in figures.NOT_HELD]
    got = reads.keep_out(engine, f, (60.0, 60.0))
    assert got.placed_out == len(rows)
    for c in CRITERIA:
        axis = CRITERION_AXIS[c]
        expected = sum(
            1
            for r in rows
            if not r["a"].axes[axis].passed and r["a"].criteria[c].answered and r["a"].criteria[c].score < 60
        )
        assert got.counts[c] == expected, c
    assert got.counts[figures.KnockOut.KANN] == sum(1 for r in rows if r["a"].axes[Axis.KANN].knockouts)
    assert got.counts[figures.KnockOut.WILL] == sum(1 for r in rows if r["a"].axes[Axis.WILL].knockouts)


@pytest.mark.parametrize("f", FILTERS, ids=range(len(FILTERS)))
def test_break_even_bands(engine, stored, f):
    rows = select_rows(stored, f)
    expected = Counter()
    for r in rows:
        a = r["a"]
        if not a.criteria[Criterion.BREAK_EVEN].answered:
            expected[figures.BE_OPEN] += 1
        elif a.breakeven.break_even_month is None:
            expected[figures.BE_NONE] += 1
        else:
            m = a.breakeven.break_even_month
            low, high = next((lo, hi) for lo, hi in figures.BREAK_EVEN_BANDS if hi is None or m <= hi)
            expected[figures.band_key(low, high)] += 1
    assert reads.break_even_distribution(engine, f) == dict.fromkeys(figures.BREAK_EVEN_KEYS, 0) | dict(
        expected
    )


def test_funnel_from_the_counters(engine, standard, stored):
    f = reads.Filters(survey=standard.id)
    assert reads.funnel(engine, f) == {
        "started": 31,
        "step:customers": 25,
        "calculator": 21,
        "completed": 19,
    }
    assert reads.funnel(engine, reads.Filters(survey=standard.id, event="fair-a")) == {
        "started": 30,
        "step:customers": 25,
        "calculator": 21,
        "completed": 19,
    }
    assert reads.funnel(engine, reads.Filters(survey=standard.id, event=NO_EVENT)) == {"started": 1}
    dash = ds.dashboard(engine, f, standard, k=5)
    assert dash.started == 31 and dash.completed == 19
    assert dash.completion_rate == pytest.approx(19 / 31)
    steps = {s.step: s.count for s in dash.funnel}
    assert steps["started"] == 31 and steps["step:team"] == 0
    assert (
        figures.funnel_steps(standard)[0] == "started" and figures.funnel_steps(standard)[-1] == "completed"
    )
    assert not dash.counters_coarser
    assert ds.dashboard(engine, reads.Filters(survey=standard.id, lang="de"), standard).counters_coarser


def test_choices(engine, standard, stored):
    choices = reads.choices(engine, standard.id)
    assert choices.versions == [standard.version]
    assert choices.events == ["", "fair-a", "fair-b"]
    assert choices.first_day == min(r["day"] for r in stored)
    assert choices.last_day == max(r["day"] for r in stored)
    assert reads.latest_snapshot(engine, standard.id) == standard.content_hash
    assert reads.latest_snapshot(engine, standard.id, "9.9") is None


HOSTILE = [
    "x' OR 1=1 --",
    "trp-standard' OR '1'='1",
    "'; DROP TABLE responses; --",
    'trp-standard"; DELETE FROM responses; --',
    "trp-standard%",
    "trp-standard' --",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_filter_values_never_reach_sql_as_text(engine, standard, stored, value):
    for f in (
        reads.Filters(survey=value),
        reads.Filters(survey=standard.id, event=value),
        reads.Filters(survey=standard.id, version=value[:32]),
    ):
        value = f.version or f.event or f.survey
        stmt = select(func.count()).select_from(Response).where(*f.responses())
        assert value not in str(stmt.compile(engine))  # a bound parameter, not SQL text
        assert reads.count_responses(engine, f) == 0
        dash = ds.dashboard(engine, f, standard)
        assert dash.total == 0
        if f.version is None:  # the counters know no version
            assert reads.funnel(engine, f) == {}
    assert inspect(engine).has_table("responses")
    assert reads.count_responses(engine, reads.Filters(survey=standard.id)) == len(stored)


def test_filters_are_validated():
    with pytest.raises(ValidationError):
        reads.Filters(lang="fr")
    with pytest.raises(ValidationError):
        reads.Filters(survey="x" * 65)
    with pytest.raises(ValidationError):
        reads.Filters(since=date(2025, 2, 1), until=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        reads.Filters(unknown="x")


def test_revised_version():
    assert calibration.revised_version("1.0") == "1.1"
    assert calibration.revised_version("2") == "3"
    assert calibration.revised_version("1.9") == "1.10"
    assert calibration.revised_version("beta") == "beta.1"


def test_sqlite_figures_read_the_covering_index(engine, stored, standard):
    """On SQLite every aggregate reads only the covering index, also with a date range: a plan that
    looks rows up in the table is five times slower at a million responses (bench/dashboard_speed.py)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query planner")
    from sqlalchemy import event

    statements: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM responses" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        for f in (
            reads.Filters(survey=standard.id),
            reads.Filters(
                survey=standard.id, since=START + timedelta(days=7), until=START + timedelta(days=30)
            ),
            reads.Filters(survey=standard.id, lang="de", event="fair-a"),
        ):
            ds.dashboard(engine, f, standard)
            calibration.calibrate(engine, f, standard, standard.revised(thresholds={"kann": 55, "will": 65}))
            ds.free_texts(engine, f, "what_would_help", k=3)
        reads.choices(engine, standard.id)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) > 20 and any("JSON_EXTRACT" in s for s, _ in statements)
    assert sum("GROUP BY responses.c_customer_base" in s for s, _ in statements) == 3
    with engine.connect() as conn:
        for statement, parameters in statements:
            plan = " | ".join(
                row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            if "JSON_EXTRACT" in statement:  # free text: the newest answers along the (survey, day) index
                assert "ix_responses_survey_day" in plan, plan
            else:
                assert "COVERING INDEX" in plan and "SCAN responses" not in plan, (statement, plan)
            if "GROUP BY responses.c_customer_base" in statement:  # calibration: groups in index order
                assert "ix_responses_calibration" in plan and "TEMP B-TREE" not in plan, plan
