"""Alembic migrations of the store, shipped with the package; `trp db upgrade` applies them.

A new revision, after changing models.py: upgrade a scratch SQLite database to head, then
`alembic.command.revision(alembic_config(connection), "what changed", autogenerate=True)`
with a connection to it (trp_core.store.migrate.alembic_config). Review the generated file
in versions/ (it must run on SQLite and PostgreSQL); tests/store checks that the migrated
schema equals the models.
"""
