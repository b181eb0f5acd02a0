"""Store fixtures: every test runs on a real SQLite file and on the real PostgreSQL server.

PostgreSQL: TRP_TEST_DATABASE_URL names a server and a database to connect to (default the
`test` database on 127.0.0.1:5432); each test session creates its own database there and
drops it at the end (named after the xdist worker too, e.g. trp_test_gw0_…, so that parallel
workers never share one). When the server does not answer, the PostgreSQL tests are skipped, or
fail under CI=true.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.conftest import ROOT, SURVEYS
from trp_core.files.surveys import load_survey
from trp_core.method.levers import assess
from trp_core.method.survey import Survey
from trp_core.method.synthetic import random_answers
from trp_core.store.engine import database_url, make_engine, writer
from trp_core.store.migrate import upgrade
from trp_core.store.models import (
    ROLLUP_TABLES,
    FunnelCounter,
    ReleaseCut,
    Response,
    RollupVersion,
    SurveySnapshot,
)
from trp_core.store.repository import SaveResult, Store

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
ANSWER_FILES = sorted((ROOT / "tests" / "answers").glob("*.json"))


def hash_code(code: str) -> str:
    """Any SHA-256 digest will do for the store; the app's codes are trp_core.method.codes."""
    return hashlib.sha256(code.encode()).hexdigest()


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the PostgreSQL server must be there)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An autocommit engine on the server's existing database, for CREATE/DROP DATABASE."""
    url = database_url(os.environ.get("TRP_TEST_DATABASE_URL", PG_DEFAULT))
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        unavailable(f"PostgreSQL at {url.render_as_string()} does not answer: {exc.orig}")
    yield engine
    engine.dispose()


@contextmanager
def pg_database(admin: Engine) -> Iterator[URL]:
    """A new, empty database on the test server, dropped afterwards."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"trp_test_{worker}_{uuid.uuid4().hex[:12]}"
    quoted = admin.dialect.identifier_preparer.quote(name)
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {quoted}")
    try:
        yield admin.url.set(database=name)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def engine(backend: str, request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Engine]:
    """One migrated database per back-end and test session."""
    with _empty_database(backend, request, tmp_path_factory.mktemp("store")) as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """A database without any schema, for migration tests."""
    with _empty_database(backend, request, tmp_path) as url:
        yield url


@contextmanager
def _empty_database(backend: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[URL]:
    if backend == "sqlite":
        yield database_url(f"sqlite:///{folder / 'trp.sqlite3'}")
    else:
        with pg_database(request.getfixturevalue("pg_admin")) as url:
            yield url


def empty_store(bind: Engine) -> Store:
    """A Store on emptied tables of responses, counters, roll-ups and releases (also for fixtures of a
    wider scope than a test)."""
    with Session(writer(bind)) as s, s.begin():
        for model in (*ROLLUP_TABLES, RollupVersion, ReleaseCut, FunnelCounter, Response, SurveySnapshot):
            s.execute(delete(model))
    return Store(bind)


@pytest.fixture
def store(engine: Engine) -> Store:
    """A Store on empty tables."""
    return empty_store(engine)


@pytest.fixture(scope="session")
def surveys() -> dict[str, Survey]:
    return {p.stem: load_survey(p) for p in sorted(SURVEYS.glob("*.yaml"))}


@pytest.fixture(scope="session")
def fixture_answers(surveys: dict[str, Survey]) -> list[tuple[Survey, dict[str, Any]]]:
    """The answer fixtures of tests/answers: every quadrant and borderline, for every survey."""
    out = []
    for path in ANSWER_FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append((surveys[data["survey"]], data["answers"]))
    return out


def random_sets(surveys: dict[str, Survey], n: int, seed: int) -> list[tuple[Survey, dict[str, Any]]]:
    rng = random.Random(seed)
    ordered = list(surveys.values())
    out = []
    for _ in range(n):
        survey = rng.choice(ordered)
        out.append((survey, random_answers(survey, rng, answer_rate=rng.random(), dont_know_rate=0.2)))
    return out


def save(
    store: Store,
    survey: Survey,
    answers: dict[str, Any],
    *,
    key: str | None = None,
    code: str | None = None,
    lang: str = "de",
    event: str | None = None,
    day: date | None = None,
) -> SaveResult:
    """Score and save as the app does; a fresh submission key and result code unless given."""
    return store.save_response(
        survey=survey,
        assessment=assess(survey, answers),
        answers=answers,
        lang=lang,
        event=event,
        submission_key=key or uuid.uuid4().hex,
        code_hash=hash_code(code or uuid.uuid4().hex),
        day=day,
    )
