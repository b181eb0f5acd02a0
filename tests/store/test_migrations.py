"""Migrations: from an empty database, idempotent, equal to the models, and `trp db` as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from tests.store.conftest import random_sets, save
from trp_core.cli.main import main
from trp_core.store import reads
from trp_core.store.engine import make_engine
from trp_core.store.migrate import current_revision, downgrade, head_revision, upgrade
from trp_core.store.models import Base
from trp_core.store.repository import NO_EVENT, Store

TABLES = {
    "alembic_version",
    "survey_snapshots",
    "responses",
    "funnel_counters",
    "manager_accounts",
    "login_failures",
    "tags",
    "signing_keys",
    "manager_sessions",
    "rollup_versions",
    "release_cuts",
    "rollup_quadrants",
    "rollup_cells",
    "rollup_bands",
}
TRP = [sys.executable, "-m", "trp_core.cli"]


def test_upgrade_from_empty_then_again(empty_url: URL):
    engine = make_engine(empty_url)
    try:
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) == set()
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) == TABLES
        upgrade(engine)  # at head already: nothing happens
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_migrated_schema_equals_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_empty_and_up_again(empty_url: URL):
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        downgrade(engine)
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()


def test_migration_0006_marks_the_stored_responses_as_method_version_1(empty_url: URL, surveys):
    """Responses stored before the column existed were scored with method version 1; down and up again."""
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        store = Store(engine)
        for survey, answers in random_sets(surveys, 6, seed=4):
            save(store, survey, answers)
        downgrade(engine, "0005")
        with engine.connect() as conn:
            columns = conn.exec_driver_sql("SELECT * FROM responses").keys()
            assert (
                "method_version" not in columns
                and len(list(conn.exec_driver_sql("SELECT id FROM responses"))) == 6
            )
        upgrade(engine)
        with engine.connect() as conn:
            versions = [v for (v,) in conn.exec_driver_sql("SELECT method_version FROM responses")]
        assert versions == [1] * 6
        checks = {c["name"] for c in inspect(engine).get_check_constraints("responses")}
        assert {"ck_responses_lang", "ck_responses_quadrant"} <= checks, "SQLite's table copy kept them"
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migration_0012_gives_the_stored_funnel_counters_random_key_sums(empty_url: URL):
    """Counters stored before the session keys: each row gets the key sum of its sessions as if each
    had had a random key (uniform over 0..255), and counting goes on from there."""
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        store = Store(engine)
        for i in range(60):
            store.count("s1", None, ["started", "completed"], date(2025, 1, 1) + timedelta(days=i))
        downgrade(engine, "0011")
        with engine.connect() as conn:
            assert "keys" not in list(conn.exec_driver_sql("SELECT * FROM funnel_counters").keys())
        upgrade(engine)
        with engine.connect() as conn:
            rows = list(conn.exec_driver_sql("SELECT count, keys FROM funnel_counters"))
        assert len(rows) == 120 and all(n == 1 and 0 <= keys <= 255 for n, keys in rows)
        assert len({keys for _, keys in rows}) > 20, "random, not a constant"
        store.count("s1", None, "started", date(2025, 1, 1), key=3)
        (n, keys) = reads.funnel_by_atom(engine, "s1")[(NO_EVENT, date(2025, 1, 1))]["started"]
        assert n == 2 and 0 <= keys <= 255
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_concurrent_upgrades_from_empty(empty_url: URL):
    """Several processes starting at once (SQLite) or two operators (PostgreSQL): one migrates."""
    engines = [make_engine(empty_url) for _ in range(3)]
    barrier = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def run(engine) -> None:
        barrier.wait()
        try:
            upgrade(engine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert current_revision(engines[0]) == head_revision()
    finally:
        for e in engines:
            e.dispose()


def test_cli_upgrade_on_each_backend(empty_url: URL):
    url = empty_url.render_as_string(hide_password=False)
    runner = CliRunner()
    first = runner.invoke(main, ["db", "upgrade", "--url", url])
    assert first.exit_code == 0, first.output
    assert f"to {head_revision()} (head)" in first.stdout
    again = runner.invoke(main, ["db", "upgrade", "--url", url])
    assert again.exit_code == 0 and "already at revision" in again.stdout
    current = runner.invoke(main, ["db", "current", "--url", url])
    assert current.exit_code == 0 and f"revision {head_revision()} (head)" in current.stdout
    make_engine(empty_url).dispose()


def _trp(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TRP, *args], capture_output=True, text=True, cwd=cwd, timeout=60, env={**os.environ, **(env or {})}
    )


def test_trp_db_upgrade_as_a_process(tmp_path: Path):
    """From a folder without alembic.ini: the migrations are found inside the package."""
    file = tmp_path / "new" / "trp.sqlite3"
    url = f"sqlite:///{file}"
    before = CliRunner().invoke(main, ["db", "current", "--url", url])
    assert before.exit_code == 0 and "no database file yet" in before.stdout
    assert not file.exists()
    first = _trp("db", "upgrade", "--url", url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"upgraded from revision none to {head_revision()}" in first.stdout
    assert file.exists()
    again = _trp("db", "upgrade", cwd=tmp_path, env={"TRP_DATABASE_URL": url})
    assert again.returncode == 0 and "already at revision" in again.stdout
    current = CliRunner(env={"TRP_DATABASE_URL": url}).invoke(main, ["db", "current"])
    assert current.exit_code == 0 and f"revision {head_revision()} (head)" in current.stdout


def _one_line_error(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), "a clear message, not an exception"
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    return lines[0]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_postgres_gives_one_clear_line():
    url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{_closed_port()}/test"
    for command in ("upgrade", "current"):
        line = _one_line_error(["db", command, "--url", url])
        assert "cannot use the database" in line and "127.0.0.1" in line
        assert "secret" not in line, "the password is never printed"


def test_corrupt_sqlite_file_gives_one_clear_line(tmp_path: Path):
    file = tmp_path / "trp.sqlite3"
    file.write_bytes(b"this is not a database, just some bytes " * 200)
    for command in ("upgrade", "current"):
        line = _one_line_error(["db", command, "--url", f"sqlite:///{file}"])
        assert "file is not a database" in line


def test_a_database_of_a_newer_version_gives_one_clear_line(empty_url: URL):
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    url = empty_url.render_as_string(hide_password=False)
    assert "newer version" in _one_line_error(["db", "upgrade", "--url", url])
    current = CliRunner().invoke(main, ["db", "current", "--url", url])
    assert current.exit_code == 0 and "revision 9999, from a newer version" in current.stdout


def test_bad_urls_give_one_clear_line():
    assert "not a database URL" in _one_line_error(
        ["db", "upgrade", "--url", "postgresql://u:pw@host:port/x"]
    )
    assert "SQLite or PostgreSQL" in _one_line_error(["db", "upgrade", "--url", "mysql://u@host/x"])
