"""Alembic environment: runs on the connection that trp_core.store.migrate passes in.

There is no alembic.ini: migrate.py builds the configuration in code, so that
`trp db upgrade` works from an installed package in any working directory.
"""

from __future__ import annotations

from alembic import context

from trp_core.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("run the migrations through trp_core.store.migrate (trp db upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot alter most constraints in place: batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
