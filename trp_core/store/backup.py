"""`trp db backup` and `trp db restore`: a consistent copy of the database, and back.

SQLite: the online backup API of sqlite3 copies one consistent snapshot while the app goes on
writing (WAL: readers and writers do not wait for each other); the copy is checked with
`PRAGMA integrity_check` and written as a single file (journal mode DELETE). A restore checks
the backup, stages it next to the target (migrated to this version's schema there), and copies
it into the target with the same API, so an app that runs meanwhile sees either the old or the
new database, never a mix. A target that holds data is replaced only with `force`, and is first
copied to TARGET.replaced-N.

PostgreSQL: `pg_dump --format=custom` of a snapshot exported by the command's own transaction
(so the figures it prints are those of the dump), and `pg_restore --clean --if-exists --no-owner
--no-privileges --single-transaction`: all or nothing. The tools must be of the server's
major version or newer; connection settings reach them through PG* environment variables,
never on the command line.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL

EXIT_FAILED: Final = 1  # the database or a tool failed; nothing was changed
EXIT_REFUSED: Final = 2  # the file is not a usable backup, or the command would overwrite data

SQLITE_MAGIC: Final = b"SQLite format 3\x00"
PG_MAGIC: Final = b"PGDMP"
# The tables a TRP Self-Check database always has.
TRP_TABLES: Final = ("alembic_version", "responses", "survey_snapshots")
# Tables whose rows make a target "hold data" (the login throttle's rows do not count).
DATA_TABLES: Final = ("responses", "survey_snapshots", "funnel_counters", "manager_accounts", "tags")
# Where Debian and Ubuntu install the client tools of each PostgreSQL version.
PG_BIN_GLOBS: Final = ["/usr/lib/postgresql/*/bin"]
# libpq connection keywords (URL query options) and the environment variables that carry them.
PG_ENV: Final = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "client_encoding": "PGCLIENTENCODING",
    "sslmode": "PGSSLMODE",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcrl": "PGSSLCRL",
    "sslcrldir": "PGSSLCRLDIR",
    "sslsni": "PGSSLSNI",
    "sslnegotiation": "PGSSLNEGOTIATION",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
    "require_auth": "PGREQUIREAUTH",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "krbsrvname": "PGKRBSRVNAME",
}


class BackupError(Exception):
    """A backup or restore that did not happen; the message is one line for the operator."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Outcome:
    """What a backup or restore did, for the one line the command prints."""

    file: Path
    revision: str
    responses: int
    size: int  # bytes of the backup file
    kept: Path | None = None  # the replaced SQLite database, when there was one
    upgraded_from: str | None = None  # the backup's revision, when the restore migrated it
    behind: bool = False  # PostgreSQL: the restored schema needs `trp db upgrade`


def backup(url: URL, file: Path, *, force: bool = False) -> Outcome:
    """Write a backup of the database at `url` to `file`; an existing file only with `force`."""
    file = Path(file).expanduser()
    if file.is_dir():
        raise BackupError(f"{file} is a folder; name the backup file", EXIT_REFUSED)
    if file.exists() and not force:
        raise BackupError(f"{file} exists already; add --force to overwrite it", EXIT_REFUSED)
    if not file.parent.is_dir():
        raise BackupError(f"{file.parent}: no such folder", EXIT_REFUSED)
    if url.get_backend_name() == "sqlite":
        return _sqlite_backup(_sqlite_path(url), file)
    return _pg_backup(url, file)


def restore(url: URL, file: Path, *, force: bool = False) -> Outcome:
    """Replace the database at `url` by the backup in `file` (a target that holds data only with `force`)."""
    file = Path(file).expanduser()
    kind = _kind(file)
    sqlite = url.get_backend_name() == "sqlite"
    if kind == "sqlite" and not sqlite:
        raise BackupError(
            f"{file} is a SQLite backup; it restores into a SQLite database, not into PostgreSQL",
            EXIT_REFUSED,
        )
    if kind == "postgresql" and sqlite:
        raise BackupError(
            f"{file} is a PostgreSQL backup (pg_dump); it restores into PostgreSQL, not into SQLite",
            EXIT_REFUSED,
        )
    if sqlite:
        return _sqlite_restore(file, _sqlite_path(url), force=force)
    return _pg_restore(file, url, force=force)


# --- checks common to both ------------------------------------------------------------------


def _kind(file: Path) -> str:
    try:
        with file.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{file}: no such file", EXIT_REFUSED) from None
    except IsADirectoryError:
        raise BackupError(f"{file} is a folder, not a backup file", EXIT_REFUSED) from None
    except OSError as exc:
        raise BackupError(f"{file}: cannot read the file: {exc.strerror or exc}", EXIT_REFUSED) from None
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{file} is not a TRP Self-Check backup (neither a SQLite database nor a pg_dump archive)",
        EXIT_REFUSED,
    )


def _known_revision(file: Path, revision: str | None) -> str:
    from trp_core.store.migrate import head_revision, revisions

    if not revision:
        raise BackupError(f"{file} is not a TRP Self-Check backup (it has no schema revision)", EXIT_REFUSED)
    if revision not in revisions():
        raise BackupError(
            f"{file} is from a newer version of TRP Self-Check (schema revision {revision}; "
            f"this version knows up to {head_revision()}); restore it with that version",
            EXIT_REFUSED,
        )
    return revision


def _numbered(path: Path, label: str) -> Path:
    """PATH.label-1, PATH.label-2, ...: the first that does not exist."""
    n = 1
    while (candidate := path.with_name(f"{path.name}.{label}-{n}")).exists():
        n += 1
    return candidate


def _partial(file: Path) -> Path:
    """A file next to `file` to write into before it is complete."""
    return file.with_name(f".{file.name}.partial-{os.getpid()}")


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise BackupError(
            "backup and restore need a SQLite database file (sqlite:///path/to/trp.sqlite3)", EXIT_REFUSED
        )
    return Path(database).expanduser()


@contextmanager
def _sqlite(path: Path, *, read_only: bool = False, create: bool = False) -> Iterator[sqlite3.Connection]:
    mode = "ro" if read_only else "rwc" if create else "rw"
    uri = f"file:{_uri_path(path)}?mode={mode}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: cannot open the database: {exc}") from None
    try:
        yield connection
    finally:
        connection.close()


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()), safe="/")


def _integrity(connection: sqlite3.Connection, shown: Path) -> None:
    """Raise unless SQLite finds the database intact and its foreign keys consistent."""
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            lines = [
                line for r in rows for line in str(r[0]).splitlines() if line and not line.startswith("***")
            ]
            more = f" (and {len(lines) - 1:,} more problems)" if len(lines) > 1 else ""
            raise BackupError(f"{shown} is damaged: {lines[0] if lines else rows[0][0]}{more}", EXIT_REFUSED)
        if connection.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise BackupError(f"{shown} is damaged: a response refers to a missing survey", EXIT_REFUSED)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{shown} is damaged or not a database: {exc}", EXIT_REFUSED) from None


def _sqlite_facts(connection: sqlite3.Connection, shown: Path) -> tuple[str | None, int]:
    """(schema revision, number of responses); revision None without the TRP tables."""
    try:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not set(TRP_TABLES) <= tables:
            return None, 0
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        count = connection.execute("SELECT count(*) FROM responses").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{shown} is damaged or not a database: {exc}", EXIT_REFUSED) from None
    return (row[0] if row else None), count


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, shown: Path) -> None:
    """The online backup API in one step: one consistent snapshot of the source."""
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"{shown}: the copy failed: {exc}") from None


def _sqlite_backup(source: Path, file: Path) -> Outcome:
    if not source.is_file():
        raise BackupError(f"{source}: no database file; nothing to back up", EXIT_REFUSED)
    partial = _partial(file)
    partial.unlink(missing_ok=True)
    try:
        with _sqlite(source) as src:
            revision, _ = _sqlite_facts(src, source)
            if revision is None:
                raise BackupError(f"{source} holds no TRP Self-Check data; nothing to back up", EXIT_REFUSED)
            with _sqlite(partial, create=True) as dst:
                _copy(src, dst, source)
                # One self-contained file, whatever the source's journal mode.
                dst.execute("PRAGMA journal_mode = DELETE")
                _integrity(dst, file)
                revision, responses = _sqlite_facts(dst, file)
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)
    return Outcome(file, revision or "", responses, file.stat().st_size)


def _check_sqlite_backup(file: Path) -> tuple[str, int]:
    with _sqlite(file, read_only=True) as connection:
        _integrity(connection, file)
        revision, responses = _sqlite_facts(connection, file)
    return _known_revision(file, revision), responses


def _holds_data(connection: sqlite3.Connection, shown: Path) -> int:
    """How many rows of data (responses, surveys, counters, accounts, tags) the target holds."""
    try:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return sum(
            connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in DATA_TABLES
            if t in tables
        )
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"{shown} is not a database this command can replace: {exc}", EXIT_REFUSED
        ) from None


def _sqlite_restore(file: Path, target: Path, *, force: bool) -> Outcome:
    from trp_core.store.engine import make_engine
    from trp_core.store.migrate import current_revision, head_revision, upgrade

    revision, responses = _check_sqlite_backup(file)
    if target.resolve() == file.resolve():
        raise BackupError(f"{file} is the target database itself", EXIT_REFUSED)
    kept = None
    if target.exists():
        with _sqlite(target) as connection:
            rows = _holds_data(connection, target)
        if rows and not force:
            raise BackupError(
                f"{target} holds data already ({rows:,} rows); add --force to replace it "
                "(it is copied to a file next to it first)",
                EXIT_REFUSED,
            )
        if rows:
            kept = _numbered(target, "replaced")
            _sqlite_backup_any(target, kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = _partial(target)
    staged.unlink(missing_ok=True)
    try:
        with _sqlite(file, read_only=True) as src, _sqlite(staged, create=True) as dst:
            _copy(src, dst, file)
        # An older backup is brought to this version's schema here, before anyone sees it.
        engine = make_engine(f"sqlite:///{staged}")
        try:
            upgrade(engine)
            now = current_revision(engine)
        finally:
            engine.dispose()
        with _sqlite(staged) as connection:
            connection.execute("PRAGMA journal_mode = DELETE")
            _integrity(connection, staged)
        with _sqlite(staged, read_only=True) as src, _sqlite(target, create=True) as dst:
            _copy(src, dst, target)
            dst.execute("PRAGMA journal_mode = WAL")
            _integrity(dst, target)
    finally:
        for leftover in (staged, Path(f"{staged}-wal"), Path(f"{staged}-shm"), Path(f"{staged}-journal")):
            leftover.unlink(missing_ok=True)
    return Outcome(
        file,
        now or head_revision(),
        responses,
        file.stat().st_size,
        kept=kept,
        upgraded_from=revision if revision != now else None,
    )


def _sqlite_backup_any(source: Path, file: Path) -> None:
    """A copy of a database that need not be a TRP one (the target about to be replaced)."""
    with _sqlite(source) as src, _sqlite(file, create=True) as dst:
        _copy(src, dst, source)
        dst.execute("PRAGMA journal_mode = DELETE")


# --- PostgreSQL -----------------------------------------------------------------------------


_VERSION: Final = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    match = _VERSION.search(out.stdout)
    return int(match.group(1)) if match else None


def pg_tool(name: str, server_major: int) -> str:
    """The path of pg_dump or pg_restore that can talk to a server of `server_major`.

    The tool of the same major version is preferred, else the oldest newer one; older tools
    refuse newer servers (and their archives).
    """
    candidates: list[str] = []
    found = shutil.which(name)
    if found:
        candidates.append(found)
    for pattern in PG_BIN_GLOBS:
        candidates.extend(p for p in sorted(glob(os.path.join(pattern, name))) if os.access(p, os.X_OK))
    if not candidates:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools of version {server_major} "
            f"(Debian/Ubuntu: apt-get install postgresql-client-{server_major}) or put {name} on the PATH"
        )
    versions = {}
    for path in dict.fromkeys(candidates):
        major = _tool_major(path)
        if major is not None:
            versions[path] = major
    usable = sorted((major, path) for path, major in versions.items() if major >= server_major)
    exact = [path for major, path in usable if major == server_major]
    if exact:
        return exact[0]
    if usable:
        return usable[0][1]
    found_text = ", ".join(f"{p} is version {m}" for p, m in versions.items()) or f"no working {name} found"
    raise BackupError(
        f"{name} is older than the PostgreSQL {server_major} server ({found_text}); install the client "
        f"tools of version {server_major} (Debian/Ubuntu: apt-get install postgresql-client-{server_major})"
    )


def pg_environment(url: URL) -> dict[str, str]:
    """The environment for pg_dump and pg_restore: the URL's settings as PG* variables."""
    env = dict(os.environ)
    values: dict[str, str] = {}
    if url.host:
        values["host"] = url.host
    if url.port:
        values["port"] = str(url.port)
    if url.username:
        values["user"] = url.username
    if url.password is not None:
        values["password"] = str(url.password)
    if url.database:
        values["dbname"] = url.database
    for key, value in url.query.items():
        if key not in PG_ENV:
            raise BackupError(f"the URL option {key!r} cannot be passed on to pg_dump and pg_restore")
        values[key] = value if isinstance(value, str) else value[-1]
    for key, value in values.items():
        env[PG_ENV[key]] = value
    return env


def _run(command: Sequence[str], env: dict[str, str], what: str, after: str = "") -> str:
    """Run a tool; its first error line (prefixed by `what`, followed by `after`) when it fails."""
    try:
        done = subprocess.run(list(command), env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{what}: cannot run {command[0]}: {exc.strerror or exc}{after}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines
        first = errors[0] if errors else f"{command[0]} failed (exit {done.returncode})"
        raise BackupError(f"{what}: {first}{after}")
    return done.stdout


def _pg_engine(url: URL) -> Engine:
    from trp_core.store.engine import make_engine

    return make_engine(url)


def _server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def _pg_tables(connection: Connection) -> set[str]:
    query = text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return set(connection.execute(query).scalars())


def _pg_facts(connection: Connection) -> tuple[str | None, int]:
    """(schema revision, number of responses); revision None without the TRP tables."""
    if not set(TRP_TABLES) <= _pg_tables(connection):
        return None, 0
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    responses = connection.execute(text("SELECT count(*) FROM responses")).scalar_one()
    return revision, responses


def _pg_backup(url: URL, file: Path) -> Outcome:
    shown = url.render_as_string(hide_password=True)
    env = pg_environment(url)
    engine = _pg_engine(url)
    partial = _partial(file)
    partial.unlink(missing_ok=True)
    try:
        major = _server_major(engine)
        pg_dump = pg_tool("pg_dump", major)
        snapshot_options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with engine.connect().execution_options(**snapshot_options) as connection:
            # pg_dump works on this transaction's snapshot: what is counted here is what is dumped.
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            revision, responses = _pg_facts(connection)
            if revision is None:
                raise BackupError(f"{shown} holds no TRP Self-Check data; nothing to back up", EXIT_REFUSED)
            _run(
                [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={partial}"],
                env,
                shown,
            )
        _pg_archive_revision(partial, env, pg_tool("pg_restore", major))
        os.replace(partial, file)
    finally:
        engine.dispose()
        partial.unlink(missing_ok=True)
    return Outcome(file, revision, responses, file.stat().st_size)


def _pg_archive_revision(file: Path, env: dict[str, str], pg_restore: str) -> str:
    """Check that a pg_dump archive is readable and a TRP Self-Check database; its revision."""
    try:
        listing = _run([pg_restore, "--list", str(file)], env, str(file))
    except BackupError as exc:
        raise BackupError(f"{exc} (is it a complete pg_dump archive?)", EXIT_REFUSED) from None
    tables = {m.group(1) for m in re.finditer(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, re.MULTILINE)}
    if not set(TRP_TABLES) <= tables:
        raise BackupError(f"{file} is a pg_dump archive, but not of a TRP Self-Check database", EXIT_REFUSED)
    data = _run([pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(file)], env, str(file))
    copy = re.search(r"^COPY \S*alembic_version .*?FROM stdin;\n(.*?)^\\\.$", data, re.MULTILINE | re.DOTALL)
    revision = copy.group(1).strip().splitlines()[0] if copy and copy.group(1).strip() else None
    return _known_revision(file, revision)


def _pg_holds_data(connection: Connection) -> int:
    tables = _pg_tables(connection)
    return sum(
        connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
        for t in DATA_TABLES
        if t in tables
    )


def _pg_restore(file: Path, url: URL, *, force: bool) -> Outcome:
    from trp_core.store.migrate import current_revision, head_revision

    shown = url.render_as_string(hide_password=True)
    env = pg_environment(url)
    engine = _pg_engine(url)
    try:
        pg_restore = pg_tool("pg_restore", _server_major(engine))
        revision = _pg_archive_revision(file, env, pg_restore)
        with engine.connect() as connection:
            rows = _pg_holds_data(connection)
        if rows and not force:
            raise BackupError(
                f"{shown} holds data already ({rows:,} rows); back it up first (trp db backup) "
                "and add --force to replace it",
                EXIT_REFUSED,
            )
        # The connection settings come from the environment; only the database name is given.
        dbname = (url.database or "").replace("\\", "\\\\").replace("'", "\\'")
        _run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", "--no-password", f"--dbname=dbname='{dbname}'", str(file)],
            env,
            shown,
            "; nothing was changed",
        )  # fmt: skip
        now = current_revision(engine) or revision
        with engine.connect() as connection:
            _, responses = _pg_facts(connection)
    finally:
        engine.dispose()
    return Outcome(file, now, responses, file.stat().st_size, behind=now != head_revision())
