"""Alembic revisions, one file each, applied in order by trp_core.store.migrate."""
