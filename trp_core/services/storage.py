"""The store the app keeps its responses in; on SQLite its schema is brought up to date when opened,
and its responses re-scored under this version's method.

Every error of the database reaches the callers of the use cases as StoreUnavailable (store_errors).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from trp_core.services.results import StoreUnavailable

if TYPE_CHECKING:
    from trp_core.store import Store
    from trp_core.store.reads import Bind


def is_store_error(exc: BaseException) -> bool:
    """An error of the database: SQLAlchemy's, the driver's, Alembic's, a corrupt or unreadable file."""
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(exc, SQLAlchemyError | sqlite3.DatabaseError | OSError) or type(
        exc
    ).__module__.startswith(("psycopg", "alembic"))


@contextmanager
def store_errors() -> Iterator[None]:
    """Raise any error of the database as StoreUnavailable (its cause kept); also a decorator."""
    try:
        yield
    except Exception as exc:
        if is_store_error(exc):
            raise StoreUnavailable from exc
        raise


@store_errors()
def open_store() -> Store:
    """A store on the configured database (TRP_DATABASE_URL); one per process is enough.

    On SQLite the app is its own migration step (on PostgreSQL `trp db upgrade` is): the schema
    is brought up to date and responses of an older method version re-scored, so that no figure
    mixes two versions. When nothing is to do, both cost one query.
    """
    # Imported here: trp_core.store loads its submodules (and the migrations, Alembic) on first use.
    from trp_core.services.rescore import rescore_responses
    from trp_core.store import Store, make_engine, upgrade

    engine = make_engine()
    store = Store(engine)
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        rescore_responses(store)
    return store


def database_name(bind: Bind) -> str:
    """The database's URL without its password: a cache key for figures that belong to one database."""
    return bind.engine.url.render_as_string(hide_password=True)
