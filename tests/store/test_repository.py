"""The Store on real answer sets: save and find again, idempotent submits, snapshots, counters, matrices."""

from __future__ import annotations

import re
import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Date, DateTime, Interval, Time, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.store.conftest import hash_code, random_sets, save
from trp_core.method.scoring import QUADRANT_CODES, score, score_matrix
from trp_core.method.survey import survey_from_data
from trp_core.method.vocabulary import Axis, Criterion, Quadrant
from trp_core.store import reads
from trp_core.store.models import FunnelCounter, Response, SurveySnapshot
from trp_core.store.reads import Filters
from trp_core.store.repository import NO_EVENT, CodeInUse, Store

DAY = date(2025, 3, 14)


def in_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..n-1) in n threads released at the same moment; re-raise the first error."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def submit_together(store: Store, survey, answers) -> list[Any]:
    key, code = uuid.uuid4().hex, uuid.uuid4().hex
    return in_threads(2, lambda _: save(store, survey, answers, key=key, code=code))


def first_saves(store: Store, survey) -> list[Any]:
    return in_threads(4, lambda _: save(store, survey, {}))


def rows(store: Store, **filters: Any) -> int:
    return reads.count_responses(store.engine, Filters(**filters))


def funnel(store: Store, survey_id: str, event: str | None = None, **days: Any) -> dict[str, int]:
    return reads.funnel(store.engine, Filters(survey=survey_id, event=event, **days))


def matrix_size(store: Store, **filters: Any) -> int:
    """How many responses the criterion matrix of the filtered set stands for."""
    _, weights = reads.criterion_matrix(store.engine, Filters(**filters))
    return int(weights.sum())


def snapshot_count(store: Store) -> int:
    with Session(store.engine) as s:
        return len(s.scalars(select(SurveySnapshot.hash)).all())


# --- save and find ------------------------------------------------------------------------


def test_save_and_find_by_code_gives_the_same_result(store, fixture_answers, surveys):
    for i, (survey, answers) in enumerate([*fixture_answers, *random_sets(surveys, 12, seed=5)]):
        code = f"CODE-{i}"
        event = "fair-2025" if i % 2 else None
        lang = "en" if i % 3 else "de"
        assert save(store, survey, answers, code=code, lang=lang, event=event, day=DAY).created
        found = store.find_by_code_hash(hash_code(code))
        assert found is not None
        assert found.answers == answers
        assert found.survey.content_hash == survey.content_hash == found.survey_hash
        assert (found.lang, found.event, found.day) == (lang, event, DAY)
        again = score(found.survey, found.answers)
        kann, will = again.axes[Axis.KANN], again.axes[Axis.WILL]
        assert found.quadrant is again.quadrant
        assert (found.kann_score, found.will_score) == (kann.score, will.score)
        assert (found.kann_coverage, found.will_coverage) == (kann.coverage, will.coverage)
        assert (found.kann_passed, found.will_passed) == (kann.passed, will.passed)
        assert (found.kann_borderline, found.will_borderline) == (kann.borderline, will.borderline)
        assert (found.kann_knockout, found.will_knockout) == (bool(kann.knockouts), bool(will.knockouts))
        assert found.criteria == {c: r.score if r.answered else None for c, r in again.criteria.items()}
        month = again.breakeven.break_even_month if again.breakeven else None
        assert found.break_even_month == month
    assert store.find_by_code_hash(hash_code("never issued")) is None


def test_double_submit_stores_one_row(store, fixture_answers):
    survey, answers = fixture_answers[0]
    first = save(store, survey, answers, key="tap", code="A")
    second = save(store, survey, answers, key="tap", code="A")
    # A resubmission after the code was redrawn still stores nothing new.
    third = save(store, survey, {}, key="tap", code="B", day=DAY)
    assert first.created and not second.created and not third.created
    assert first.response_id == second.response_id == third.response_id
    assert rows(store) == 1
    assert store.find_by_code_hash(hash_code("B")) is None


def test_concurrent_double_submit_stores_one_row(store, surveys):
    """Two taps at the same moment, each in its own thread: one row, no exception, the same id."""
    for survey, answers in random_sets(surveys, 6, seed=8):
        results = submit_together(store, survey, answers)
        assert sorted(r.created for r in results) == [False, True]
        assert results[0].response_id == results[1].response_id
    assert rows(store) == 6


def test_concurrent_first_saves_of_a_new_survey(store, surveys):
    """The first responses to a new survey version arrive together: one snapshot, every response."""
    base = surveys["trp-cloud"]
    for version in ("9.1", "9.2", "9.3"):
        results = first_saves(store, base.model_copy(update={"version": version}))
        assert all(r.created for r in results)
    assert rows(store) == 12
    assert snapshot_count(store) == 3


def test_a_code_held_by_another_submission_is_refused(store, fixture_answers):
    survey, answers = fixture_answers[0]
    save(store, survey, answers, code="SAME")
    with pytest.raises(CodeInUse):
        save(store, survey, answers, code="SAME")
    assert rows(store) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lang": "fr"}, "lang"),
        ({"event": "x" * 65}, "event"),
        ({"code_hash": "not-a-hash"}, "code_hash"),
        ({"submission_key": ""}, "submission_key"),
        ({"answers": {"a": float("nan")}}, "JSON"),
    ],
)
def test_bad_arguments_are_refused(store, fixture_answers, change, message):
    survey, answers = fixture_answers[0]
    args = {
        "survey": survey,
        "assessment": score(survey, answers),
        "answers": answers,
        "lang": "de",
        "event": None,
        "submission_key": "k",
        "code_hash": hash_code("c"),
    }
    with pytest.raises(ValueError, match=message):
        store.save_response(**{**args, **change})
    assert rows(store) == 0


def test_an_assessment_of_another_survey_is_refused(store, surveys, fixture_answers):
    survey, answers = fixture_answers[0]
    other = next(s for s in surveys.values() if s.id != survey.id)
    with pytest.raises(ValueError, match="another survey"):
        store.save_response(
            survey=other,
            assessment=score(survey, answers),
            answers=answers,
            lang="de",
            event=None,
            submission_key="k",
            code_hash=hash_code("c"),
        )


# --- survey snapshots ---------------------------------------------------------------------


def test_snapshot_stored_once_and_old_responses_keep_their_survey(store, surveys):
    survey = surveys["trp-standard"]
    for _, answers in random_sets({"s": survey}, 20, seed=3):
        save(store, survey, answers, day=DAY)
    save(store, survey, {}, code="OLD", day=DAY)
    assert snapshot_count(store) == 1

    # The file changes: a new version with a stricter ability threshold.
    data = survey.model_dump(mode="json")
    data["version"] = "2.0"
    data["thresholds"]["kann"] = min(100, data["thresholds"]["kann"] + 10)
    changed = survey_from_data(data, "changed.yaml")
    save(store, changed, {}, code="NEW", day=DAY + timedelta(days=1))
    assert snapshot_count(store) == 2

    old = store.find_by_code_hash(hash_code("OLD"))
    assert old.survey.version == survey.version and old.survey.thresholds == survey.thresholds
    assert store.snapshot(changed.content_hash).thresholds == changed.thresholds
    assert store.snapshot("0" * 64) is None
    listed = store.snapshots(survey.id)
    assert [(i.version, i.first_seen) for i in listed] == [
        (survey.version, DAY),
        ("2.0", DAY + timedelta(days=1)),
    ]
    assert {i.hash for i in listed} == {survey.content_hash, changed.content_hash}
    assert rows(store, survey=survey.id, survey_hash=changed.content_hash) == 1
    assert rows(store, survey=survey.id, survey_hash=survey.content_hash) == 21


# --- anonymity ----------------------------------------------------------------------------

IDENTIFYING = re.compile(r"ip|addr|agent|name|mail|company|firm|phone|user|time|session|browser", re.I)


def test_no_column_can_identify_a_person_or_a_time_of_day(store):
    inspector = inspect(store.engine)
    # The manager tables concern managers, not respondents (tests/store/test_accounts.py, test_sessions.py); so do the
    # events and campaigns they make and the key that signs their links (tests/store/test_tags.py).
    managers = {"manager_accounts", "login_failures", "manager_sessions", "tags", "signing_keys"}
    tables = set(inspector.get_table_names()) - {"alembic_version", *managers}
    # The dashboard's roll-ups count responses per day, language and tag, as the responses hold them.
    rollups = {"rollup_versions", "rollup_quadrants", "rollup_cells", "rollup_bands"}
    # The releases keep per survey version, language and tag the days up to which responses are published.
    assert tables == {"survey_snapshots", "responses", "funnel_counters", "release_cuts", *rollups}
    for table in tables:
        for column in inspector.get_columns(table):
            kind = column["type"]
            assert not isinstance(kind, DateTime | Time | Interval), f"{table}.{column['name']} is {kind}"
            assert not IDENTIFYING.search(column["name"]), f"{table}.{column['name']} may identify a person"
    day_columns = {
        (t, c["name"]) for t in tables for c in inspector.get_columns(t) if isinstance(c["type"], Date)
    }
    assert day_columns == {
        ("survey_snapshots", "first_seen"),
        ("responses", "day"),
        ("funnel_counters", "day"),
        ("release_cuts", "cut"),
        *((t, "day") for t in rollups - {"rollup_versions"}),
    }


def test_only_the_date_is_stored(store, fixture_answers):
    survey, answers = fixture_answers[0]
    save(store, survey, answers, code="C")
    with Session(store.engine) as s:
        day = s.scalar(select(Response.day))
        assert type(day) is date and day == date.today()
        assert type(s.scalar(select(SurveySnapshot.first_seen))) is date
        assert s.scalar(select(Response.code_hash)) == hash_code("C")


# --- funnel counters ----------------------------------------------------------------------


def test_counters_under_concurrent_increments(store):
    def work(_: int) -> None:
        for _ in range(50):
            store.count("trp-standard", "fair", "started")

    in_threads(4, work)
    assert funnel(store, "trp-standard") == {"started": 200}
    assert funnel(store, "trp-standard", "fair") == {"started": 200}


def test_funnel_sums_days_and_events(store):
    for day in (DAY, DAY + timedelta(days=1)):
        store.count("s1", None, "started", day)
        store.count("s1", "fair", "started", day)
        store.count("s1", "fair", "step:kann_basis", day)
    store.count("s1", None, "completed", DAY)
    store.count("s2", None, "started", DAY)
    assert funnel(store, "s1") == {"started": 4, "step:kann_basis": 2, "completed": 1}
    assert funnel(store, "s1", "fair") == {"started": 2, "step:kann_basis": 2}
    assert funnel(store, "s1", NO_EVENT) == {"started": 2, "completed": 1}
    assert funnel(store, "s1", since=DAY + timedelta(days=1)) == {"started": 2, "step:kann_basis": 1}
    assert funnel(store, "s1", until=DAY) == {"started": 2, "step:kann_basis": 1, "completed": 1}
    assert funnel(store, "nothing") == {}


def test_unknown_funnel_steps_are_refused(store):
    for step in ("visitor:42", "", "step:" + "x" * 80):
        with pytest.raises(ValueError, match="funnel step"):
            store.count("s1", None, step)


def test_several_steps_are_counted_in_one_write_or_not_at_all(store):
    store.count("s1", "fair", ["started", "step:kann_basis"], DAY)
    store.count("s1", "fair", ("started", "calculator"), DAY)
    assert funnel(store, "s1") == {"started": 2, "step:kann_basis": 1, "calculator": 1}
    with pytest.raises(ValueError, match="funnel step"):
        store.count("s1", "fair", ["completed", "visitor:42"], DAY)
    assert funnel(store, "s1") == {"started": 2, "step:kann_basis": 1, "calculator": 1}


def test_every_step_a_session_reaches_adds_its_key_to_the_key_sum(store):
    """The funnel counters keep, beside each count, the sum of the counted sessions' record keys
    modulo 256 (PRIVACY.md, the cell-key method): given ones exactly, through the buffer too, and a
    fresh random key per session when none is given."""
    from trp_core.services.funnel import FunnelBuffer

    store.count("s1", None, ["started", "step:kann_basis"], DAY, key=200)
    store.count("s1", None, ["started", "step:kann_basis", "completed"], DAY, key=100)
    store.add_counts({("s1", "fair", DAY, "started"): 3}, {("s1", "fair", DAY, "started"): 7})
    buffer = FunnelBuffer(lambda: store, delay=3600)
    buffer.add("s1", "fair", ["started", "completed"], DAY, key=255)
    buffer.add("s1", "fair", ["started"], DAY, key=254)
    buffer.flush()
    assert reads.funnel_by_atom(store.engine, "s1") == {
        (NO_EVENT, DAY): {
            "started": (2, 300 % 256),
            "step:kann_basis": (2, 300 % 256),
            "completed": (1, 100),
        },
        ("fair", DAY): {"started": (5, (7 + 255 + 254) % 256), "completed": (1, 255)},
    }
    for i in range(40):  # without a key: each session its own random one
        store.count("s2", None, "started", DAY + timedelta(days=i))
    sums = set()
    for steps in reads.funnel_by_atom(store.engine, "s2").values():
        n, keys = steps["started"]
        assert n == 1 and 0 <= keys <= 255
        sums.add(keys)
    assert len(sums) > 10, "random keys, not a constant"
    store.add_counts({("s3", None, DAY, "started"): 40})  # 40 sessions, each a random key
    ((n, keys),) = reads.funnel_by_atom(store.engine, "s3")[(NO_EVENT, DAY)].values()
    assert n == 40 and 0 <= keys <= 255


# --- criterion matrix ---------------------------------------------------------------------


def test_criterion_matrix_rescores_to_the_stored_results(store, surveys, fixture_answers):
    sets = [*fixture_answers, *random_sets(surveys, 90, seed=21)]
    for i, (survey, answers) in enumerate(sets):
        save(store, survey, answers, event="fair" if i % 4 == 0 else None, day=DAY + timedelta(days=i % 3))
    for survey in surveys.values():
        expected = [score(s, a) for s, a in sets if s.id == survey.id]
        matrix, weights = reads.criterion_matrix(store.engine, Filters(survey=survey.id))
        assert int(weights.sum()) == len(expected) == rows(store, survey=survey.id)
        # Re-scored in the batch path, the stored criteria give the stored quadrants, quadrant by quadrant.
        batch = score_matrix(survey, matrix)
        for q in Quadrant:
            stored = reads.count_responses(store.engine, Filters(survey=survey.id), q)
            rescored = int(weights[batch.quadrant == QUADRANT_CODES[q]].sum())
            assert rescored == stored == sum(a.quadrant is q for a in expected)
        # Unanswered criteria come back as NaN, knock-outs as booleans.
        assert np.isnan(matrix.scores).any() and matrix.knockout[Axis.KANN].dtype == bool
    breakdown = {e: rows(store, event=e) for e in (None, "fair", NO_EVENT)}
    assert breakdown[None] == len(sets) == breakdown["fair"] + breakdown[NO_EVENT]


def test_criterion_matrix_filters(store, surveys):
    survey = surveys["trp-classic"]
    for i, (_, answers) in enumerate(random_sets({"c": survey}, 12, seed=4)):
        save(store, survey, answers, event="fair" if i < 5 else None, day=DAY + timedelta(days=i))
    assert matrix_size(store, survey=survey.id, event="fair") == 5
    assert matrix_size(store, survey=survey.id, event=NO_EVENT) == 7
    assert matrix_size(store, survey=survey.id, since=DAY + timedelta(days=10)) == 2
    assert matrix_size(store, survey=survey.id, survey_hash=survey.content_hash, until=DAY) == 1
    empty, _ = reads.criterion_matrix(store.engine, Filters(survey="no-such-survey"))
    assert len(empty) == 0 and empty.scores.shape == (0, len(Criterion))
    assert len(score_matrix(survey, empty).quadrant) == 0


# --- waiting for other writers ------------------------------------------------------------


def test_a_write_waits_for_another_writer(store, fixture_answers):
    """Another process holding the lock (SQLite: the file, PostgreSQL: the counter row) delays a
    write; it never fails it."""
    survey, answers = fixture_answers[0]
    store.count(survey.id, None, "started")
    engine = store.engine
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(engine.url.database, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        commit, close = (lambda: other.execute("COMMIT")), other.close
    else:
        other = engine.connect()
        transaction = other.begin()
        other.execute(select(FunnelCounter).with_for_update()).all()
        commit, close = transaction.commit, other.close
    released = threading.Event()

    def release() -> None:
        released.set()
        commit()

    timer = threading.Timer(0.3, release)
    timer.start()
    try:
        store.count(survey.id, None, "started")
        assert released.is_set(), "the write cannot have committed while the other writer held the lock"
        assert save(store, survey, answers).created
    finally:
        timer.join()
        close()
    assert funnel(store, survey.id) == {"started": 2}
    assert rows(store) == 1


def test_locked_database_is_retried_on_sqlite_only(store):
    """Should SQLite's busy timeout run out all the same, the write is tried again, unseen."""
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
        return "done"

    if store.engine.dialect.name == "sqlite":
        assert store._retry_if_locked(flaky) == "done" and len(calls) == 3
    else:
        with pytest.raises(OperationalError):
            store._retry_if_locked(flaky)
        assert len(calls) == 1
