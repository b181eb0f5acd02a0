"""The database engine: SQLite (the default, a file under data/) or PostgreSQL, chosen by a URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url

from trp_core.settings import get_settings

BUSY_TIMEOUT_MS: Final = 10_000
CONNECT_TIMEOUT_S: Final = 10

# Execution option that makes a SQLite transaction take the write lock at BEGIN. Without
# it, a transaction that reads first and then writes can fail with "database is locked"
# at once (SQLITE_BUSY_SNAPSHOT), whatever the busy timeout. PostgreSQL ignores it.
WRITE: Final = "trp_write"


def database_url(url: str | URL | None = None) -> URL:
    """The URL to use: the argument, else TRP_DATABASE_URL, else the SQLite file under data/.

    `postgresql://` and `postgres://` mean the psycopg 3 driver, the one the project installs.
    """
    parsed = make_url(url if url is not None else get_settings().database_url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL | None = None) -> Engine:
    """A new engine; the app keeps one per process (it is thread-safe and pools connections)."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "postgresql":
        connect: dict[str, Any] = {}
        if "connect_timeout" not in parsed.query:
            connect["connect_timeout"] = CONNECT_TIMEOUT_S
        if "options" not in parsed.query:
            # PostgreSQL's JIT compiler spends more time on the dashboard's sub-second aggregates than
            # it saves; set once per connection, not per query (a round trip each).
            connect["options"] = "-c jit=off"
        kwargs["connect_args"] = connect
    return create_engine(parsed, **kwargs)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below), so that DDL is transactional and a write
        # transaction can take its lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (and pool) for transactions that write."""
    return engine.execution_options(**{WRITE: True})
