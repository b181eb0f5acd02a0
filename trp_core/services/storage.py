"""The store the app keeps its responses in; on SQLite its schema is brought up to date when opened."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trp_core.store import Store


def open_store() -> Store:
    """A store on the configured database (TRP_DATABASE_URL); one per process is enough."""
    # Imported here: trp_core.store loads its submodules (and the migrations, Alembic) on first use.
    from trp_core.store import Store, make_engine, upgrade

    engine = make_engine()
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    return Store(engine)
