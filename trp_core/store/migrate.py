"""Schema migrations (Alembic), located inside the package and run on an engine's connection."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from trp_core.store.engine import writer

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"

# Serialises concurrent `trp db upgrade` runs on PostgreSQL (an arbitrary constant key).
# Alembic keeps the running migration in module globals (alembic.context): one thread at a time.
_THREADS: Final = threading.Lock()
_PG_LOCK: Final = text("SELECT pg_advisory_xact_lock(4788215301)")


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration, built in code: no alembic.ini needed in the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@cache
def revisions() -> tuple[str, ...]:
    """The revisions shipped with this version of the package, newest first."""
    return tuple(script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def head_revision() -> str:
    """The newest revision shipped with this version of the package."""
    return revisions()[0]


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None when it has never been migrated."""
    with engine.connect() as connection:
        return _current(connection)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; one cheap query when it is there already.

    Safe to call from several processes at once: on SQLite the migration holds the write
    lock from its first statement, on PostgreSQL an advisory lock, and the revision is
    checked again under the lock.
    """
    target = head_revision() if revision == "head" else revision
    if current_revision(engine) == target:
        return
    with _THREADS, writer(engine).begin() as connection:  # and from several threads of one process
        if connection.dialect.name == "postgresql":
            connection.execute(_PG_LOCK)
        if _current(connection) == target:
            return
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Undo migrations down to `revision` ("base": an empty database)."""
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(_PG_LOCK)
        command.downgrade(alembic_config(connection), revision)
