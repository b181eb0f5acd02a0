"""The manager filters' use cases (trp_core.services.selection), and database errors as StoreUnavailable."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy.exc import OperationalError

from tests.store.manager.conftest import add, answers_for
from trp_core.services import selection
from trp_core.services.auth import Authenticator
from trp_core.services.dashboard import dashboard
from trp_core.services.export import published_rows
from trp_core.services.results import StoreUnavailable
from trp_core.services.storage import database_name, store_errors
from trp_core.store.engine import make_engine


def test_surveys_add_what_only_the_store_keeps(store, surveys):
    standard, cloud = surveys["trp-standard"], surveys["trp-cloud"]
    add(store, cloud, answers_for("trp-cloud", "held"))
    add(store, cloud.revised(version="9.9"), answers_for("trp-cloud", "held"), day=date(2025, 4, 1))
    found = selection.surveys(store, {standard.id: standard})
    assert list(found) == ["trp-cloud", "trp-standard"]
    assert found["trp-cloud"].version == "9.9", "the newest stored content"
    assert found["trp-standard"] is standard


def test_latest_is_the_survey_answered_most_recently(store, surveys):
    standard, cloud = surveys["trp-standard"], surveys["trp-cloud"]
    ids = [cloud.id, standard.id]
    assert selection.latest(store, ids) == cloud.id, "nothing answered: the first"
    add(store, standard, answers_for("trp-standard", "held"), day=date(2025, 1, 2))
    add(store, cloud, answers_for("trp-cloud", "held"), day=date(2025, 1, 1))
    assert selection.latest(store, ids) == standard.id


def test_contents_and_versions_of_a_selection(store, surveys):
    standard = surveys["trp-standard"]
    old = standard.revised(version="0.9", thresholds={"kann": 60.0, "will": 60.0})
    assert selection.contents(store, standard, None) == (standard, [standard]), "nothing stored yet"
    add(store, old, answers_for("trp-standard", "held"), day=date(2025, 1, 1))
    add(store, standard, answers_for("trp-standard", "held"), day=date(2025, 2, 1))
    shown, stored = selection.contents(store, standard, None)
    assert shown is standard and [s.version for s in stored] == ["0.9", standard.version]
    shown, stored = selection.contents(store, standard, "0.9")
    assert shown.content_hash == old.content_hash and stored == [shown], "another version: its stored content"
    choices = selection.choices(store.engine, standard.id)
    assert selection.versions(choices, standard) == [standard.version, "0.9"]
    assert selection.versions(choices, standard.revised(version="2.0")) == ["2.0", standard.version, "0.9"]


def test_database_name_hides_the_password():
    engine = make_engine("postgresql+psycopg://postgres:secret@127.0.0.1:1/nothing")
    assert database_name(engine) == "postgresql+psycopg://postgres:***@127.0.0.1:1/nothing"


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT 1", {}, Exception("gone")),
        sqlite3.DatabaseError("file is not a database"),
        OSError(),
    ],
)
def test_store_errors_become_store_unavailable(error):
    with pytest.raises(StoreUnavailable) as info, store_errors():
        raise error
    assert info.value.__cause__ is error


def test_other_errors_pass_unchanged():
    with pytest.raises(ZeroDivisionError), store_errors():
        1 / 0  # noqa: B018


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("use_case", ["choices", "dashboard", "lattice", "export", "log_in"])
def test_the_use_cases_raise_store_unavailable_on_a_broken_database(tmp_path, surveys, kind, use_case):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database at all " * 200)
    url = f"sqlite:///{broken}" if kind == "sqlite" else "postgresql+psycopg://postgres@127.0.0.1:1/nothing"
    engine = make_engine(url)
    standard = surveys["trp-standard"]
    f = selection.Filters(survey=standard.id)
    call = {
        "choices": lambda: selection.choices(engine, standard.id),
        "dashboard": lambda: dashboard(engine, f, standard),
        "lattice": lambda: selection.lattice(engine, standard.id),
        "export": lambda: published_rows(engine, standard.id, [standard], selection.View(version="1.0")),
        "log_in": lambda: Authenticator(engine).log_in("alice", "a password of some length"),
    }[use_case]
    try:
        with pytest.raises(StoreUnavailable):
            call()
    finally:
        engine.dispose()


def test_response_rows_raise_store_unavailable_while_read(store, surveys, monkeypatch):
    standard = surveys["trp-standard"]
    add(store, standard, answers_for("trp-standard", "held"), n=3)
    table = published_rows(
        store.engine, standard.id, [standard], selection.View(version=standard.version), k=3
    ).table
    assert table is not None

    def gone(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connection lost"))
        yield

    monkeypatch.setattr("trp_core.store.reads.responses_by_week", gone)
    with pytest.raises(StoreUnavailable):
        list(table.rows)
