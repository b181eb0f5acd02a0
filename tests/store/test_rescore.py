"""Re-scoring stored responses under this version's method: exactly what `score` gives afresh, every
column; idempotent; resumable; the managers' figures read one method version; `trp db rescore`."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from tests.store.conftest import hash_code, random_sets, save
from tests.store.test_migrations import TRP, _closed_port
from trp_core.cli.main import main
from trp_core.method.scoring import CRITERIA, score
from trp_core.method.survey import Survey
from trp_core.method.vocabulary import METHOD_VERSION, Axis
from trp_core.services import demo
from trp_core.services.rescore import Rescored, rescore_responses
from trp_core.store.engine import make_engine, writer
from trp_core.store.migrate import upgrade
from trp_core.store.models import CRITERION_COLUMNS, Response
from trp_core.store.reads import Filters, count_responses, criterion_matrix
from trp_core.store.repository import Store

OLD = METHOD_VERSION - 1
# What an older method could have stored: every score column wrong.
WRONG: dict[str, Any] = {
    "method_version": OLD,
    "kann_score": 1.0,
    "will_score": None,
    "kann_coverage": 0.125,
    "will_coverage": 0.0,
    "kann_passed": True,
    "will_passed": True,
    "kann_borderline": True,
    "will_borderline": True,
    "kann_knockout": True,
    "will_knockout": True,
    "quadrant": "held",
    "break_even_month": 999,
    **dict.fromkeys(CRITERION_COLUMNS.values(), 7.0),
}


def expected_row(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """The stored columns of a response scored afresh, written out from `score`'s result."""
    a = score(survey, answers)
    kann, will = a.axes[Axis.KANN], a.axes[Axis.WILL]
    return {
        "method_version": METHOD_VERSION,
        "kann_score": kann.score,
        "will_score": will.score,
        "kann_coverage": kann.coverage,
        "will_coverage": will.coverage,
        "kann_passed": kann.passed,
        "will_passed": will.passed,
        "kann_borderline": kann.borderline,
        "will_borderline": will.borderline,
        "kann_knockout": bool(kann.knockouts),
        "will_knockout": bool(will.knockouts),
        "quadrant": a.quadrant.value,
        "break_even_month": a.breakeven.break_even_month if a.breakeven else None,
        # An unanswered criterion is stored as NULL: the dashboard's means and calibration count answers only.
        **{f"c_{c.value}": a.criteria[c].score if a.criteria[c].answered else None for c in CRITERIA},
    }


def stored_rows(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every response by id, every column."""
    with Session(engine) as s:
        return {
            r.id: {c.name: getattr(r, c.key) for c in Response.__table__.columns}
            for r in s.scalars(select(Response))
        }


def make_old(engine: Engine, ids: list[str] | None = None, **columns: Any) -> None:
    """Turn responses (all, or these) into ones an older method scored: older version, wrong scores."""
    stmt = update(Response).values(WRONG | columns)
    if ids is not None:
        stmt = stmt.where(Response.id.in_(ids))
    with Session(writer(engine)) as s, s.begin():
        s.execute(stmt)


@pytest.fixture
def old_store(store: Store, surveys: dict[str, Survey]) -> tuple[Store, dict[str, tuple[Survey, dict]]]:
    """A store of 40 responses of every bundled survey, all scored wrongly by an older method."""
    saved = {}
    for survey, answers in random_sets(surveys, 40, seed=12):
        saved[save(store, survey, answers).response_id] = (survey, answers)
    make_old(store.engine)
    return store, saved


def test_rescore_gives_exactly_the_rows_score_gives_afresh(old_store):
    store, saved = old_store
    before = stored_rows(store.engine)
    done = rescore_responses(store, batch=7)
    assert done == Rescored(seen=40, rescored=40, skipped=0)
    after = stored_rows(store.engine)
    for response_id, (survey, answers) in saved.items():
        row = after[response_id]
        assert {k: row[k] for k in WRONG} == expected_row(survey, answers)
        untouched = set(row) - set(WRONG)  # answers, survey, day, codes: as they were
        assert {k: row[k] for k in untouched} == {k: before[response_id][k] for k in untouched}


def test_rescore_is_idempotent(old_store):
    store, _ = old_store
    rescore_responses(store)
    once = stored_rows(store.engine)
    assert rescore_responses(store) == Rescored(seen=0, rescored=0, skipped=0)
    assert rescore_responses(store, everything=True) == Rescored(seen=40, rescored=0, skipped=0)
    assert stored_rows(store.engine) == once


def test_everything_rescores_rows_of_this_version_too(old_store):
    store, saved = old_store
    make_old(store.engine, method_version=METHOD_VERSION)  # right version, wrong scores
    assert store.count_to_rescore() == 0
    assert rescore_responses(store) == Rescored(seen=0, rescored=0, skipped=0)
    assert rescore_responses(store, everything=True) == Rescored(seen=40, rescored=40, skipped=0)
    after = stored_rows(store.engine)
    assert all({k: after[i][k] for k in WRONG} == expected_row(*saved[i]) for i in saved)


class Stop(Exception):
    pass


def test_a_stopped_run_continues_where_it_stopped(old_store):
    store, saved = old_store
    calls: list[tuple[int, int]] = []

    def stop_after_the_first_batch(seen: int, total: int) -> None:
        calls.append((seen, total))
        raise Stop

    with pytest.raises(Stop):
        rescore_responses(store, batch=15, progress=stop_after_the_first_batch)
    assert calls == [(15, 40)]
    assert store.count_to_rescore() == 25, "the first batch is committed"
    progress: list[tuple[int, int]] = []
    done = rescore_responses(store, batch=15, progress=lambda *p: progress.append(p))
    assert done == Rescored(seen=25, rescored=25, skipped=0)
    assert progress == [(15, 25), (25, 25)]
    after = stored_rows(store.engine)
    assert all({k: after[i][k] for k in WRONG} == expected_row(*saved[i]) for i in saved)


def test_a_response_that_cannot_be_scored_is_skipped_and_stays_out_of_the_figures(old_store):
    store, saved = old_store
    bad = next(iter(saved))
    make_old(store.engine, [bad], answers={"no_such_question": 3})
    done = rescore_responses(store)
    assert done == Rescored(seen=40, rescored=39, skipped=1)
    assert stored_rows(store.engine)[bad]["method_version"] == OLD
    assert count_responses(store.engine, Filters()) == 39
    assert rescore_responses(store) == Rescored(seen=1, rescored=0, skipped=1), "tried again, no loop"


def test_the_figures_count_only_responses_of_this_method_version(store, surveys):
    sets = random_sets(surveys, 12, seed=3)
    ids = [save(store, survey, answers).response_id for survey, answers in sets]
    everyone = Filters()
    survey_id = sets[0][0].id
    of_survey = Filters(survey=survey_id)
    in_survey = sum(s.id == survey_id for s, _ in sets)
    assert count_responses(store.engine, everyone) == 12
    assert count_responses(store.engine, of_survey) == in_survey
    stale = next(i for i, (s, _) in zip(ids, sets, strict=True) if s.id == survey_id)
    make_old(store.engine, [stale])
    assert count_responses(store.engine, everyone) == 11, "a stale row is not counted"
    assert count_responses(store.engine, of_survey) == in_survey - 1
    matrix, weights = criterion_matrix(store.engine, of_survey)  # what calibration reads
    assert int(weights.sum()) == in_survey - 1
    assert not (matrix.scores == 7.0).all(axis=1).any(), "the stale row's scores are not among them"
    rescore_responses(store)
    assert count_responses(store.engine, everyone) == 12


def test_new_responses_store_this_method_version(store, surveys):
    survey, answers = random_sets(surveys, 1, seed=5)[0]
    saved = save(store, survey, answers, code="abc")
    (row,) = stored_rows(store.engine).values()
    assert row["method_version"] == METHOD_VERSION
    found = store.find_by_code_hash(hash_code("abc"))
    assert found is not None and found.response_id == saved.response_id
    assert found.method_version == METHOD_VERSION


# --- the app's SQLite start-up -----------------------------------------------------------------------


def test_the_app_rescores_a_sqlite_store_when_it_opens_it(tmp_path, surveys, monkeypatch):
    from trp_core.services.storage import open_store

    url = f"sqlite:///{tmp_path / 'trp.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    saved = {}
    for survey, answers in random_sets(surveys, 5, seed=8):
        saved[save(Store(engine), survey, answers).response_id] = (survey, answers)
    make_old(engine)
    engine.dispose()
    monkeypatch.setenv("TRP_DATABASE_URL", url)
    opened = open_store()
    try:
        assert opened.count_to_rescore() == 0
        after = stored_rows(opened.engine)
        assert all({k: after[i][k] for k in WRONG} == expected_row(*saved[i]) for i in saved)
    finally:
        opened.engine.dispose()


# --- trp db rescore and trp db upgrade ----------------------------------------------------------------


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_cli_rescore_with_progress_then_nothing_to_do(old_store):
    store, _ = old_store
    url = _url(store.engine)
    first = CliRunner().invoke(main, ["db", "rescore", "--url", url, "--batch", "10"])
    assert first.exit_code == 0, first.output
    assert f"40 of 40 responses re-scored under method version {METHOD_VERSION}" in first.stdout
    progress = first.stderr.strip().splitlines()
    assert progress == [f"re-scoring: {n} of 40 responses ({n * 100 // 40}%)" for n in (10, 20, 30, 40)]
    again = CliRunner().invoke(main, ["db", "rescore", "--url", url])
    assert again.exit_code == 0 and again.stderr == ""
    assert f"every response is scored with method version {METHOD_VERSION}" in again.stdout
    everything = CliRunner().invoke(main, ["db", "rescore", "--url", url, "--all"])
    assert everything.exit_code == 0
    assert "0 of 40 responses re-scored" in everything.stdout and "(40 already right)" in everything.stdout


def test_cli_upgrade_rescores_after_the_migrations(old_store):
    store, _ = old_store
    result = CliRunner().invoke(main, ["db", "upgrade", "--url", _url(store.engine)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert "already at revision" in lines[0]
    assert f"40 of 40 responses re-scored under method version {METHOD_VERSION}" in lines[1]
    assert store.count_to_rescore() == 0


def test_cli_rescore_refuses_a_schema_behind_and_a_missing_file(empty_url: URL, tmp_path):
    engine = make_engine(empty_url)
    try:
        upgrade(engine, "0005")
        behind = CliRunner().invoke(main, ["db", "rescore", "--url", _url(engine)])
        assert behind.exit_code == 1 and behind.stdout == ""
        assert "run `trp db upgrade`" in behind.stderr and "revision 0005" in behind.stderr
    finally:
        engine.dispose()
    missing = CliRunner().invoke(main, ["db", "rescore", "--url", f"sqlite:///{tmp_path / 'none.sqlite3'}"])
    assert missing.exit_code == 1 and "no database file" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists()


def test_cli_rescore_on_an_unreachable_server_gives_one_clear_line():
    url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{_closed_port()}/test"
    result = CliRunner().invoke(main, ["db", "rescore", "--url", url])
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "cannot use the database" in result.stderr and "secret" not in result.stderr


def test_trp_db_rescore_as_a_process(tmp_path, surveys):
    url = f"sqlite:///{tmp_path / 'trp.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    for survey, answers in random_sets(surveys, 3, seed=1):
        save(Store(engine), survey, answers)
    make_old(engine)
    engine.dispose()
    done = subprocess.run(
        [*TRP, "db", "rescore", "--url", url], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert (
        "3 of 3 responses re-scored" in done.stdout and "re-scoring: 3 of 3 responses (100%)" in done.stderr
    )


def test_a_killed_trp_db_rescore_continues_where_it_stopped(tmp_path, surveys):
    """SIGKILL after the first batch's progress line: the batches committed stay, the rest follows."""
    url = f"sqlite:///{tmp_path / 'trp.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    demo.seed(engine, list(surveys.values()), 4000, seed=2, pool=60)
    make_old(engine)
    store = Store(engine)
    process = subprocess.Popen(
        [*TRP, "db", "rescore", "--url", url, "--batch", "20"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stderr is not None
        assert process.stderr.readline().startswith("re-scoring: 20 of 4,000 responses")
    finally:
        process.kill()
        process.wait(timeout=60)
        if process.stderr is not None:
            process.stderr.close()
    left = store.count_to_rescore()
    assert 0 < left <= 4000 - 20, "killed midway, the first batch committed"
    result = CliRunner().invoke(main, ["db", "rescore", "--url", url])
    assert result.exit_code == 0, result.output
    assert f"{left:,} of {left:,} responses re-scored" in result.stdout
    everything = rescore_responses(store, everything=True)
    engine.dispose()
    assert everything == Rescored(seen=4000, rescored=0, skipped=0), "every row as score gives it afresh"
