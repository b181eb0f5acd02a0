"""The dashboard's roll-ups (trp_core.store.rollups) on SQLite and PostgreSQL: they equal a recount from the
responses after random submissions, concurrent ones, re-scoring and the migration's backfill, and the
published dashboard read from them equals the one read from the responses by GROUP BY."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, update
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from tests.store.conftest import hash_code, random_sets, save
from tests.store.test_rescore import make_old
from trp_core.cli.main import main
from trp_core.method.figures import Period
from trp_core.method.levers import assess
from trp_core.method.survey import Survey
from trp_core.method.synthetic import random_answers
from trp_core.method.vocabulary import Quadrant, quadrant_for
from trp_core.privacy.cells import PeriodCell, View
from trp_core.services import dashboard as ds
from trp_core.services import selection
from trp_core.services.rescore import rescore_responses
from trp_core.store import reads, rollups
from trp_core.store.engine import make_engine, writer
from trp_core.store.migrate import downgrade, upgrade
from trp_core.store.models import Response
from trp_core.store.repository import Store

TAGS = [None, None, "fair", "webinar"]
FIRST = date(2026, 1, 5)


def assert_recounted(engine: Engine) -> None:
    checked = rollups.check(engine)
    assert checked.ok, checked.differences[:3]


def submit(store: Store, survey: Survey, rng_seed: int, *, lang: str, tag: str | None, day: date) -> None:
    import random

    answers = random_answers(survey, random.Random(rng_seed), answer_rate=0.9, dont_know_rate=0.1)
    store.save_response(
        survey=survey,
        assessment=assess(survey, answers),
        answers=answers,
        lang=lang,
        event=tag,
        submission_key=uuid.uuid4().hex,
        code_hash=hash_code(uuid.uuid4().hex),
        day=day,
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),
            st.sampled_from(["de", "en"]),
            st.sampled_from(TAGS),
            st.integers(0, 40),
            st.integers(),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_roll_ups_equal_a_recount_after_random_submissions(store: Store, surveys, rows):
    with Session(writer(store.engine)) as s, s.begin():  # a fresh store per example
        for table in (*rollups.ROLLUP_TABLES, rollups.RollupVersion, Response):
            s.execute(table.__table__.delete())
    ordered = list(surveys.values())
    for which, lang, tag, offset, seed in rows:
        submit(store, ordered[which], seed, lang=lang, tag=tag, day=FIRST + timedelta(days=offset))
    assert_recounted(store.engine)
    counted = rollups.stored(store.engine)["rollup_quadrants"]
    assert sum(values[0] for values in counted.values()) == len(rows)


def test_concurrent_submissions_lose_no_increment(store: Store, surveys):
    """Four writers on their own connections save into the same atoms at once."""
    survey = surveys["trp-standard"]
    errors: list[BaseException] = []

    def writer_thread(n: int) -> None:
        try:
            for i in range(15):
                submit(store, survey, n * 100 + i, lang="de", tag="fair", day=FIRST)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer_thread, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    counted = rollups.stored(store.engine)["rollup_quadrants"]
    assert sum(values[0] for values in counted.values()) == 60
    assert_recounted(store.engine)


def test_rescoring_keeps_the_roll_ups_equal_to_a_recount(store: Store, surveys):
    for survey, answers in random_sets(surveys, 30, seed=5):
        save(store, survey, answers, day=FIRST)
    make_old(store.engine)  # the stored scores of an older method, counted so in the roll-ups
    rollups.rebuild(store.engine)
    assert_recounted(store.engine)
    assert not reads.cell_counts(store.engine, "trp-standard"), "no response of this method version yet"
    rescore_responses(store, batch=7)
    assert_recounted(store.engine)
    assert (
        sum(reads.cell_counts(store.engine, "trp-standard").values())
        == sum(reads.cell_counts(store.engine, "trp-standard", rollups=False).values())
        > 0
    )


def test_the_privacy_cells_are_decided_again_after_every_stored_or_re_scored_response(store: Store, surveys):
    """The fingerprint that keys the cache of the privacy cells (on PostgreSQL read from the roll-ups)
    changes with every stored response and with re-scoring, also for a version the roll-ups do not
    count, and stays the same while nothing changes."""
    base = surveys["trp-standard"]
    engine = store.engine

    def fingerprint() -> tuple:
        return reads.fingerprint(engine, base.id)

    seen = [fingerprint()]
    for i in range(3):
        submit(store, base, i, lang="de", tag=None, day=FIRST + timedelta(days=i))
        seen.append(fingerprint())
        assert seen[-1] == fingerprint()
    assert len(set(seen)) == len(seen)
    make_old(engine)  # no response of this method version any more
    rollups.rebuild(engine)
    old = fingerprint()
    assert old not in seen
    rescore_responses(store, batch=2)
    assert fingerprint() not in (old, *seen[:-1])
    with Session(writer(engine)) as s, s.begin():  # a version the roll-ups do not count
        s.execute(delete(rollups.RollupVersion))
    uncounted = fingerprint()
    submit(store, base, 9, lang="en", tag=None, day=FIRST)
    assert fingerprint() != uncounted


def _rounded(d: ds.Dashboard | None) -> ds.Dashboard | None:
    """Means summed in another order may differ in the last bits; heat-map cells come in the order
    their atoms were read (the chart places them by their edges)."""
    if d is None:
        return None
    return replace(
        d,
        means={k: None if v is None else round(v, 9) for k, v in d.means.items()},
        heat=sorted(d.heat, key=lambda c: (c.kann_from, c.will_from)),
    )


def _both(engine: Engine, survey: Survey, view: View, period: Period = Period.MONTH) -> None:
    a = ds.published_dashboard(engine, survey, view, period=period, k=3)
    b = ds.published_dashboard(engine, survey, view, period=period, k=3, rollups=False)
    assert a.selected == b.selected
    assert _rounded(a.dashboard) == _rounded(b.dashboard)


def test_published_dashboard_is_the_same_from_roll_ups_and_from_the_responses(store: Store, surveys):
    """Two versions with different thresholds: the older one's heat map and keep-out counts come from
    the responses (its roll-ups use its own thresholds), everything else from the roll-ups."""
    import random

    base = surveys["trp-standard"]
    newer = base.revised(version="9.0", thresholds={"kann": 55, "will": 65})
    rng = random.Random(3)
    for i in range(240):
        survey = base if i % 3 else newer
        submit(
            store,
            survey,
            i,
            lang=rng.choice(["de", "en"]),
            tag=rng.choice(TAGS),
            day=FIRST + timedelta(days=rng.randrange(100)),
        )
    assert_recounted(store.engine)
    f = reads.Filters(survey=base.id)
    th = (newer.thresholds.kann, newer.thresholds.will)
    split = reads._split(store.engine, f, th)
    assert split == reads._Split([newer.version], [base.version]), (
        "the older version is read from the responses"
    )
    for current in (newer, base):
        selection._LATTICES.clear()
        for view in (
            View(),
            View(version=base.version),
            View(version=newer.version, lang="de"),
            View(period=PeriodCell.of(FIRST, Period.QUARTER)),
        ):
            _both(store.engine, current, view)
        _both(store.engine, current, View(), Period.WEEK)
        # The (count, key sum) pairs per atom, the cell-key method's input, are the same both ways.
        th = (current.thresholds.kann, current.thresholds.will)
        for lang in (None, "de"):
            g = reads.Filters(survey=base.id, lang=lang)
            a = ds.read_atoms(store.engine, g, base.id, th)
            b = ds.read_atoms(store.engine, g, base.id, th, rollups=False)
            assert a.matrix == b.matrix and a.break_even == b.break_even and a.keep_out == b.keep_out
            assert any(keys for cells in a.matrix.values() for _, keys in cells.values()), "keys are summed"
    assert reads.cell_counts(store.engine, base.id) == reads.cell_counts(store.engine, base.id, rollups=False)
    for rolled in (True, False):
        _view_is_the_sum_of_its_atoms(store.engine, f, th, rolled)


def _view_is_the_sum_of_its_atoms(
    engine: Engine, f: reads.Filters, th: tuple[float, float], rolled: bool
) -> None:
    """The grain "view" (summed in the database, the roll-ups' and the scanned versions merged) holds
    what the atoms add up to, and the quadrants per day are the heat map's per day."""

    def summed(per_atom: dict, add) -> dict:
        out: dict = {}
        for key, value in per_atom.items():
            out = add(out, value, key)
        return out

    def counts(out, value, _key):  # counts, or (count, key sum) tallies: both add up over atoms
        zero = (0, 0) if any(isinstance(v, tuple) for v in value.values()) else 0
        plus = (lambda a, b: (a[0] + b[0], a[1] + b[1])) if zero else (lambda a, b: a + b)
        return {k: plus(out.get(k, zero), value.get(k, zero)) for k in out.keys() | value.keys()}

    matrix = reads.matrix_by_atom(engine, f, th, rollups=rolled)
    assert reads.matrix_by_atom(engine, f, th, rollups=rolled, grain="view") == {
        reads.VIEW: summed(matrix, counts)
    }
    bands = reads.break_even_by_atom(engine, f, rollups=rolled)
    assert reads.break_even_by_atom(engine, f, rollups=rolled, grain="view") == {
        reads.VIEW: summed(bands, counts)
    }
    kept = reads.keep_out_by_atom(engine, f, th, rollups=rolled)
    (view_kept,) = reads.keep_out_by_atom(engine, f, th, rollups=rolled, grain="view").values()
    assert view_kept.placed_out == sum(k.placed_out for k in kept.values())
    assert view_kept.placed_out_keys == sum(k.placed_out_keys for k in kept.values())
    assert view_kept.counts == summed({a: k.counts for a, k in kept.items()}, counts)
    assert view_kept.keys == summed({a: k.keys for a, k in kept.items()}, counts)
    sums = reads.criterion_sums_by_atom(engine, f, rollups=rolled)
    (view_sums,) = reads.criterion_sums_by_atom(engine, f, rollups=rolled, grain="view").values()
    for q, s in view_sums.items():
        assert s.answered == summed({a: per[q].answered for a, per in sums.items() if q in per}, counts)
        for c, points in s.points.items():
            assert points == pytest.approx(sum(per[q].points[c] for per in sums.values() if q in per))
    by_day: dict = {}
    for atom, cells in matrix.items():
        for cell, n in cells.items():
            q = Quadrant.UNDETERMINED if cell is None else quadrant_for(cell[0] >= 0, cell[1] >= 0)
            had = by_day.setdefault(atom, {}).get(q, (0, 0))
            by_day[atom][q] = (had[0] + n[0], had[1] + n[1])
    assert reads.quadrants_by_day(engine, f, th, rollups=rolled) == by_day
    assert len({day for _, _, _, day in by_day}) > 50, "the days of the data set"


def test_check_finds_a_changed_roll_up_and_rebuild_repairs_it(store: Store, surveys):
    for survey, answers in random_sets(surveys, 12, seed=9):
        save(store, survey, answers, lang="en", day=FIRST)
    url = store.engine.url.render_as_string(hide_password=False)
    assert CliRunner().invoke(main, ["db", "rollups", "--check", "--url", url]).exit_code == 0
    with Session(writer(store.engine)) as s, s.begin():
        s.execute(update(rollups.RollupCell).values(n=rollups.RollupCell.n + 1))
    checked = CliRunner().invoke(main, ["db", "rollups", "--url", url])
    assert checked.exit_code == 1 and "differ from a recount" in checked.stderr
    rebuilt = CliRunner().invoke(main, ["db", "rollups", "--rebuild", "--url", url])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert_recounted(store.engine)


def test_migration_counts_the_roll_ups_of_an_existing_store(empty_url: URL, surveys):
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        store = Store(engine)
        for survey, answers in random_sets(surveys, 25, seed=6):
            save(store, survey, answers, event="fair", day=FIRST)
        downgrade(engine, "0009")  # a store of the release before the roll-ups
        upgrade(engine)
        assert_recounted(engine)
        counted = rollups.stored(engine)["rollup_quadrants"]
        assert sum(values[0] for values in counted.values()) == 25
        assert {key[5] for key in counted} == {"fair"}
    finally:
        engine.dispose()


def test_migration_0011_gives_the_stored_responses_record_keys_and_counts_their_key_sums(
    empty_url: URL, surveys
):
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        store = Store(engine)
        for survey, answers in random_sets(surveys, 40, seed=8):
            save(store, survey, answers, event="fair", day=FIRST)
        downgrade(engine, "0010")  # a store of the release before the record keys
        with engine.connect() as conn:
            columns = list(conn.exec_driver_sql("SELECT * FROM responses").keys())
            counted = list(conn.exec_driver_sql("SELECT * FROM rollup_cells").keys())
            assert "record_key" not in columns and "keys" not in counted
        upgrade(engine)
        with engine.connect() as conn:
            keys = [k for (k,) in conn.exec_driver_sql("SELECT record_key FROM responses")]
        assert len(keys) == 40 and all(0 <= k <= 255 for k in keys) and len(set(keys)) > 10
        assert_recounted(engine)  # the key sums too
        counted = rollups.stored(engine)["rollup_quadrants"]
        assert sum(values[-16] for values in counted.values()) == sum(keys)  # `keys`, before the kept ones'
    finally:
        engine.dispose()


def test_new_thresholds_without_a_new_version_read_from_the_responses_until_rebuilt(store: Store, surveys):
    base = surveys["trp-standard"]
    for i in range(40):
        submit(store, base, i, lang="de", tag=None, day=FIRST + timedelta(days=i))
    edited = base.revised(thresholds={"kann": 50, "will": 70})  # the same version, other content
    # Seen after the others: the newest content of the version (a tie on the day would be broken by hash).
    submit(store, edited, 99, lang="de", tag=None, day=FIRST + timedelta(days=40))
    th = (edited.thresholds.kann, edited.thresholds.will)
    f = reads.Filters(survey=base.id)
    assert reads._split(store.engine, f, th) == reads._Split([], [base.version])
    assert rollups.check(store.engine).stale
    _both(store.engine, edited, View())
    rollups.rebuild(store.engine)
    assert reads._split(store.engine, f, th) == reads._Split([base.version], [])
    selection._LATTICES.clear()
    _both(store.engine, edited, View())


def test_a_demo_seed_counts_its_rows_into_the_roll_ups(store: Store, surveys):
    from trp_core.services import demo

    save(store, surveys["trp-standard"], {}, day=FIRST)  # a submission before the seed stays counted
    demo.seed(store.engine, list(surveys.values()), 300, events=[None, "fair"], seed=4, pool=50, days=20)
    assert_recounted(store.engine)
    counted = rollups.stored(store.engine)["rollup_quadrants"]
    assert sum(values[0] for values in counted.values()) == 301
