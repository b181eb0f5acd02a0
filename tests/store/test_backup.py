"""`trp db backup` and `trp db restore` on a real SQLite file and the real PostgreSQL server.

The round trips back up while another thread keeps saving responses, restore into a new
database, and compare every row of every table with the source as it was at the backup: the
restored responses are exactly those committed before some instant during the backup.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, MetaData, Table, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from tests.store.conftest import pg_database, random_sets, save
from trp_core.cli.main import main
from trp_core.method.vocabulary import METHOD_VERSION
from trp_core.services import demo
from trp_core.store import backup as backup_module
from trp_core.store import reads, rollups
from trp_core.store.accounts import Accounts
from trp_core.store.engine import database_url, make_engine, writer
from trp_core.store.migrate import downgrade, head_revision, upgrade
from trp_core.store.models import Base, LoginFailures
from trp_core.store.repository import Store

ROLLUPS = ("rollup_versions", "rollup_quadrants", "rollup_cells", "rollup_bands")
SEEDED = 1500  # bulk rows (trp_core.services.demo), so that a backup takes a moment
WRITES_AROUND = 5  # responses the writer saves before the backup starts and after it ends


def trp(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def refused(result: Result, message: str, code: int = 2) -> None:
    """One clear line on stderr, the documented exit code, no traceback."""
    assert result.exit_code == code, result.output
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception


def contents(url: str | URL, schema_of: str | URL | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the schema revision too), sorted: order does not matter.

    Tables and columns are those that the database `schema_of` (default: `url`) has, read with the
    models' types, so that a database at an older revision compares with its restored copy.
    """
    engine = make_engine(url)
    try:
        present = inspect_columns(schema_of or url)
        out = {}
        with engine.connect() as c:
            for table in [
                *Base.metadata.sorted_tables,
                Table("alembic_version", MetaData(), autoload_with=engine),
            ]:
                if table.name not in present:
                    continue
                columns = [col for col in table.columns if col.name in present[table.name]]
                rows = [
                    tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in row)
                    for row in c.execute(select(*columns))
                ]
                out[table.name] = sorted(rows, key=repr)
        return out
    finally:
        engine.dispose()


def inspect_columns(url: str | URL) -> dict[str, set[str]]:
    engine = make_engine(url)
    try:
        found = inspect(engine)
        return {t: {c["name"] for c in found.get_columns(t)} for t in found.get_table_names()}
    finally:
        engine.dispose()


def fill(engine: Engine, surveys: dict, n: int) -> None:
    """Data in every table: bulk responses, responses saved as the app saves them, counters, accounts."""
    demo.seed(engine, list(surveys.values()), SEEDED, seed=7, pool=100, days=30)
    store = Store(engine)
    for survey, answers in random_sets(surveys, n, seed=3):
        save(store, survey, answers, event="cebit-2025", lang="en", day=date(2025, 3, 4))
    store.count("trp-standard", "cebit-2025", "started", day=date(2025, 3, 4))
    Accounts(engine).add("alice", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo")
    with Session(writer(engine)) as s, s.begin():
        s.add(LoginFailures(key="a" * 64, failures=2, last_failure=1.5))


class Writer(threading.Thread):
    """Saves responses one by one, as app sessions do, until stopped; `ids` in commit order."""

    def __init__(self, url: URL, cases: list) -> None:
        super().__init__(daemon=True)
        self.url, self.cases = url, cases
        self.ids: list[str] = []
        self.error: BaseException | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        engine = make_engine(self.url)
        store = Store(engine)
        try:
            i = 0
            while not self.stop.is_set():
                survey, answers = self.cases[i % len(self.cases)]
                self.ids.append(save(store, survey, answers).response_id)
                i += 1
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            engine.dispose()

    def wait_for(self, n: int) -> None:
        deadline = time.monotonic() + 120  # a guard against a hang, not a measurement
        while len(self.ids) < n and self.error is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert self.error is None, f"the writer failed: {self.error!r}"
        assert len(self.ids) >= n, "the writer stalled"

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=60)
        assert self.error is None, f"the writer failed: {self.error!r}"


@contextmanager
def writing(url: URL, surveys: dict) -> Iterator[Writer]:
    w = Writer(url, random_sets(surveys, 50, seed=11))
    w.start()
    try:
        yield w
    finally:
        w.stop.set()
        w.join(timeout=60)


def back_up_while_writing(source: URL, file: Path, surveys: dict) -> tuple[Result, Writer, int, int]:
    """`trp db backup` while a writer saves responses; (result, writer, saved before, saved after)."""
    with writing(source, surveys) as w:
        w.wait_for(WRITES_AROUND)
        before = len(w.ids)
        result = trp("db", "backup", str(file), "--url", source.render_as_string(hide_password=False))
        after = len(w.ids)
        w.wait_for(after + WRITES_AROUND)
        w.finish()
    return result, w, before, after


def assert_snapshot_restored(source: URL, restored: URL, w: Writer, before: int, after: int) -> int:
    """The restore equals the source at one instant of the backup; the number of writer rows in it."""
    src, out = contents(source), contents(restored)
    ids = {row[0] for row in out["responses"]}
    k = len(ids & set(w.ids))
    # Committed before the backup started: in it. At most one commit was not yet counted at its end.
    assert before <= k <= after + 1, (before, k, after)
    assert ids & set(w.ids) == set(w.ids[:k]), "the backup holds the writes of one instant, in order"
    later = set(w.ids[k:])
    # The roll-ups count what the responses hold (the source's count the later writes too).
    for table in ROLLUPS:
        src.pop(table, None)
        out.pop(table, None)
    engine = make_engine(restored)
    try:
        checked = rollups.check(engine)
        assert checked.ok, checked.differences[:3]
        assert rollups.stored(engine)["rollup_quadrants"], "the roll-ups came with the data"
    finally:
        engine.dispose()
    expected = {**src, "responses": [row for row in src["responses"] if row[0] not in later]}
    for table, rows in expected.items():
        assert out[table] == rows, f"table {table} differs"
    assert len(out["responses"]) == SEEDED + 20 + k
    return k


# --- SQLite ---------------------------------------------------------------------------------


def sqlite_url(path: Path) -> URL:
    return database_url(f"sqlite:///{path}")


@pytest.fixture
def source(tmp_path: Path, surveys) -> URL:
    """A SQLite database with data in every table."""
    url = sqlite_url(tmp_path / "app" / "trp.sqlite3")
    engine = make_engine(url)
    upgrade(engine)
    fill(engine, surveys, 20)
    engine.dispose()
    return url


def test_sqlite_backup_while_writing_restores_every_row(source: URL, tmp_path: Path, surveys):
    file = tmp_path / "backup.sqlite3"
    result, w, before, after = back_up_while_writing(source, file, surveys)
    assert result.exit_code == 0, result.output
    assert f"backed up to {file}" in result.stdout and "schema revision" in result.stdout
    with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as c:
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert c.execute("PRAGMA journal_mode").fetchone() == ("delete",), "one self-contained file"
        counted = c.execute("SELECT count(*) FROM responses").fetchone()[0]
    assert f"{counted:,} responses" in result.stdout

    restored = sqlite_url(tmp_path / "restored" / "trp.sqlite3")
    done = trp("db", "restore", str(file), "--url", restored.render_as_string())
    assert done.exit_code == 0, done.output
    assert f"restored from {file} ({counted:,} responses, schema revision {head_revision()})" in done.stdout
    k = assert_snapshot_restored(source, restored, w, before, after)
    print(f"writer: {before} saved before the backup, {after} when it returned, {k} in it")


def test_sqlite_restore_into_a_database_in_use(source: URL, tmp_path: Path, surveys):
    """An open engine (a running app) sees the restored data at its next query; the old data is kept."""
    file = tmp_path / "backup.sqlite3"
    assert trp("db", "backup", str(file), "--url", source.render_as_string()).exit_code == 0
    expected = contents(source)

    target = sqlite_url(tmp_path / "live" / "trp.sqlite3")
    app = make_engine(target)
    upgrade(app)
    store = Store(app)
    survey, answers = random_sets(surveys, 1, seed=5)[0]
    save(store, survey, answers)
    assert reads.count_responses(app, reads.Filters()) == 1
    old = contents(target)

    refused(trp("db", "restore", str(file), "--url", target.render_as_string()), "holds data already")
    assert contents(target) == old, "refused: nothing changed"

    done = trp("db", "restore", str(file), "--force", "--url", target.render_as_string())
    assert done.exit_code == 0, done.output
    kept = Path(f"{target.database}.replaced-1")
    assert f"kept as {kept}" in done.stdout
    assert reads.count_responses(app, reads.Filters()) == len(expected["responses"]), (
        "the running engine sees the restore"
    )
    save(store, survey, answers)  # and goes on writing, into the restored roll-ups too
    assert rollups.check(app).ok
    app.dispose()
    restored = contents(target)
    assert len(restored["responses"]) == len(expected["responses"]) + 1
    assert {**restored, "responses": expected["responses"]} == expected | {t: restored[t] for t in ROLLUPS}
    assert set(expected["responses"]) < set(restored["responses"])
    assert contents(sqlite_url(kept)) == old, "the replaced database is kept as it was"


def test_sqlite_older_backup_is_brought_up_to_date(tmp_path: Path, surveys):
    older = sqlite_url(tmp_path / "old.sqlite3")
    engine = make_engine(older)
    upgrade(engine)
    store = Store(engine)
    for survey, answers in random_sets(surveys, 10, seed=8):
        save(store, survey, answers)
    downgrade(engine, "0002")  # as a database of an older release
    engine.dispose()
    file = tmp_path / "old-backup.sqlite3"
    backed = trp("db", "backup", str(file), "--url", older.render_as_string())
    assert backed.exit_code == 0 and "schema revision 0002" in backed.stdout, backed.output

    # The same database brought up to date in place, as `trp db upgrade` does (re-scoring included).
    migrated = tmp_path / "migrated.sqlite3"
    shutil.copyfile(tmp_path / "old.sqlite3", migrated)
    assert trp("db", "upgrade", "--url", sqlite_url(migrated).render_as_string()).exit_code == 0

    restored = sqlite_url(tmp_path / "new.sqlite3")
    done = trp("db", "restore", str(file), "--url", restored.render_as_string())
    assert done.exit_code == 0, done.output
    assert f"revision 0002 was brought up to {head_revision()}" in done.stdout
    assert f"method version {METHOD_VERSION}" in done.stdout, "re-scored after the restore"
    before, after = contents(sqlite_url(migrated), schema_of=older), contents(restored, schema_of=older)
    engine = make_engine(restored)
    try:  # the roll-ups were counted by the migration, after the re-scoring as before it
        assert rollups.check(engine).ok
        assert sum(n for (n, *_) in rollups.stored(engine)["rollup_quadrants"].values()) == 10
    finally:
        engine.dispose()
    assert after.pop("alembic_version") == [(head_revision(),)]
    before.pop("alembic_version")
    assert after == before


def damaged_copy(good: Path, tmp_path: Path, how: str) -> Path:
    bad = tmp_path / f"{how}.sqlite3"
    data = bytearray(good.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 3]
    else:  # overwrite five pages (4 kB each) in the middle, keeping the header
        middle = len(data) // 2 // 4096 * 4096
        data[middle : middle + 5 * 4096] = bytes(range(256)) * 80
    bad.write_bytes(bytes(data))
    return bad


@pytest.mark.parametrize("how", ["truncated", "overwritten"])
def test_a_damaged_backup_is_refused(source: URL, tmp_path: Path, how: str):
    file = tmp_path / "backup.sqlite3"
    assert trp("db", "backup", str(file), "--url", source.render_as_string()).exit_code == 0
    bad = damaged_copy(file, tmp_path, how)
    target = tmp_path / "target.sqlite3"
    result = trp("db", "restore", str(bad), "--url", sqlite_url(target).render_as_string())
    refused(result, f"{bad} is damaged")
    assert not target.exists(), "nothing was created"


def test_files_that_are_not_trp_backups_are_refused(tmp_path: Path):
    target = sqlite_url(tmp_path / "target.sqlite3")
    noise = tmp_path / "noise.bin"
    noise.write_bytes(bytes(range(256)) * 40)
    refused(
        trp("db", "restore", str(noise), "--url", target.render_as_string()), "is not a TRP Self-Check backup"
    )

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE notes (text TEXT)")
        c.execute("INSERT INTO notes VALUES ('hello')")
    refused(
        trp("db", "restore", str(other), "--url", target.render_as_string()),
        f"{other} is not a TRP Self-Check backup (it has no schema revision)",
    )

    missing = tmp_path / "missing.sqlite3"
    refused(trp("db", "restore", str(missing), "--url", target.render_as_string()), "no such file")
    assert not Path(target.database).exists()


def test_a_backup_from_a_newer_version_is_refused(source: URL, tmp_path: Path):
    file = tmp_path / "backup.sqlite3"
    assert trp("db", "backup", str(file), "--url", source.render_as_string()).exit_code == 0
    with sqlite3.connect(file) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999_future'")
    result = trp("db", "restore", str(file), "--url", sqlite_url(tmp_path / "t.sqlite3").render_as_string())
    refused(result, "from a newer version of TRP Self-Check (schema revision 9999_future")


def test_backup_refusals(source: URL, tmp_path: Path):
    file = tmp_path / "backup.sqlite3"
    file.write_bytes(b"an older backup")
    refused(trp("db", "backup", str(file), "--url", source.render_as_string()), "exists already; add --force")
    assert file.read_bytes() == b"an older backup"
    forced = trp("db", "backup", str(file), "--force", "--url", source.render_as_string())
    assert forced.exit_code == 0, forced.output
    assert file.read_bytes().startswith(b"SQLite format 3\x00")

    nothing = sqlite_url(tmp_path / "nothing.sqlite3")
    refused(
        trp("db", "backup", str(tmp_path / "b2"), "--url", nothing.render_as_string()), "no database file"
    )
    assert not Path(nothing.database).exists(), "a backup never creates the database"
    refused(
        trp("db", "backup", str(tmp_path / "no" / "such" / "b"), "--url", source.render_as_string()),
        "no such folder",
    )
    assert not list(tmp_path.glob(".*partial*")) and not list((tmp_path / "app").glob(".*partial*"))


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def pg_source(pg_admin: Engine, surveys) -> Iterator[URL]:
    with pg_database(pg_admin) as url:
        engine = make_engine(url)
        upgrade(engine)
        fill(engine, surveys, 20)
        engine.dispose()
        yield url


@pytest.fixture
def pg_target(pg_admin: Engine) -> Iterator[URL]:
    """An empty database to restore into."""
    with pg_database(pg_admin) as url:
        yield url


def with_password(url: URL) -> str:
    """The URL with a password; the test server trusts loopback, so any password connects."""
    return url.set(password="s3cret-pw").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_postgres_backup_while_writing_restores_every_row(pg_source: URL, pg_target: URL, tmp_path, surveys):
    file = tmp_path / "backup.dump"
    result, w, before, after = back_up_while_writing(pg_source.set(password="s3cret-pw"), file, surveys)
    assert result.exit_code == 0, result.output
    assert "s3cret-pw" not in result.output and "***" in result.stdout
    assert file.read_bytes()[:5] == b"PGDMP"

    done = trp("db", "restore", str(file), "--url", with_password(pg_target))
    assert done.exit_code == 0, done.output
    assert "s3cret-pw" not in done.output
    k = assert_snapshot_restored(pg_source, pg_target, w, before, after)
    counted = SEEDED + 20 + k
    # The count printed by the backup is that of the dumped snapshot.
    assert f"{counted:,} responses" in result.stdout and f"{counted:,} responses" in done.stdout
    print(f"writer: {before} saved before the backup, {after} when it returned, {k} in it")


@pytest.mark.postgres
def test_postgres_backup_from_before_the_roll_ups_is_counted_on_upgrade(
    pg_source: URL, pg_admin: Engine, tmp_path: Path, surveys
):
    """pg_restore --clean leaves the target's newer roll-up tables; `trp db upgrade` counts them afresh."""
    engine = make_engine(pg_source)
    try:
        downgrade(engine, "0009")  # as a database of the release before the roll-ups
    finally:
        engine.dispose()
    file = tmp_path / "old.dump"
    assert trp("db", "backup", str(file), "--url", pg_source.render_as_string()).exit_code == 0
    with pg_database(pg_admin) as target:
        engine = make_engine(target)
        try:
            upgrade(engine)
            for survey, answers in random_sets(surveys, 7, seed=2):  # roll-ups of other data
                save(Store(engine), survey, answers)
            done = trp("db", "restore", str(file), "--force", "--url", target.render_as_string())
            assert done.exit_code == 0 and "run `trp db upgrade`" in done.stdout, done.output
            assert trp("db", "upgrade", "--url", target.render_as_string()).exit_code == 0
            checked = rollups.check(engine)
            assert checked.ok and not checked.uncovered, checked.differences[:3]
            counted = rollups.stored(engine)["rollup_quadrants"]
            assert sum(v[0] for v in counted.values()) == SEEDED + 20
        finally:
            engine.dispose()


@pytest.mark.postgres
def test_postgres_restore_refusals(pg_source: URL, pg_target: URL, tmp_path: Path):
    file = tmp_path / "backup.dump"
    assert trp("db", "backup", str(file), "--url", pg_source.render_as_string()).exit_code == 0
    assert trp("db", "restore", str(file), "--url", pg_target.render_as_string()).exit_code == 0
    restored = contents(pg_target)

    refused(trp("db", "restore", str(file), "--url", pg_target.render_as_string()), "holds data already")
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    result = trp("db", "restore", str(truncated), "--force", "--url", with_password(pg_target))
    assert result.exit_code in (1, 2) and "s3cret-pw" not in result.output, result.output
    assert "nothing was changed" in result.stderr or "complete pg_dump archive" in result.stderr
    assert contents(pg_target) == restored, "a failed restore changes nothing"

    again = trp("db", "restore", str(file), "--force", "--url", pg_target.render_as_string())
    assert again.exit_code == 0, again.output
    assert contents(pg_target) == restored

    sqlite_file = tmp_path / "lite.sqlite3"
    sqlite3.connect(sqlite_file).execute("CREATE TABLE x (y)").connection.close()
    refused(
        trp("db", "restore", str(sqlite_file), "--url", pg_target.render_as_string()),
        "is a SQLite backup; it restores into a SQLite database",
    )
    refused(
        trp("db", "restore", str(file), "--url", sqlite_url(tmp_path / "t.sqlite3").render_as_string()),
        "is a PostgreSQL backup (pg_dump); it restores into PostgreSQL",
    )


@pytest.mark.postgres
def test_postgres_backup_of_an_empty_database_is_refused(pg_target: URL, tmp_path: Path):
    result = trp("db", "backup", str(tmp_path / "b.dump"), "--url", pg_target.render_as_string())
    refused(result, "holds no TRP Self-Check data; nothing to back up")


@pytest.mark.postgres
def test_missing_or_old_client_tools(pg_source: URL, tmp_path: Path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(backup_module, "PG_BIN_GLOBS", [str(tmp_path / "nowhere")])
    url = pg_source.render_as_string()
    refused(trp("db", "backup", str(tmp_path / "b.dump"), "--url", url), "pg_dump is not installed", code=1)

    old = empty / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    result = trp("db", "backup", str(tmp_path / "b.dump"), "--url", url)
    refused(result, "pg_dump is older than the PostgreSQL", code=1)
    assert f"{old} is version 9" in result.stderr
    assert not (tmp_path / "b.dump").exists()


def test_pg_environment_carries_the_settings_and_never_the_command_line(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = database_url("postgresql://ann:p%40ss@db.example:6543/trp?sslmode=require&connect_timeout=3")
    env = backup_module.pg_environment(url)
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.example",
        "6543",
        "ann",
        "trp",
    )
    assert env["PGPASSWORD"] == "p@ss" and env["PGSSLMODE"] == "require" and env["PGCONNECT_TIMEOUT"] == "3"
    with pytest.raises(backup_module.BackupError, match="'frobnicate' cannot be passed"):
        backup_module.pg_environment(database_url("postgresql://ann@h/trp?frobnicate=1"))
