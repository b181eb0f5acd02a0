"""Releases (PRIVACY.md, "Time"): every cut of every stream, so that the figures are published in
batches of at least k responses per stream, never one response at a time.

Nothing is published until the first release after this revision, which a manager's first look
makes: it publishes every stream of at least k responses of the days before, and keeps the others
waiting (trp_core.privacy.releases). The figures shown before this revision were live; the first
release publishes what they showed, less the streams of fewer than k.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # A table left by pg_restore --clean of an older backup (it drops only the tables it holds) holds
    # the cuts of other data: dropped, as 0010 drops left-over roll-ups.
    if "release_cuts" in sa.inspect(op.get_bind()).get_table_names():
        op.drop_table("release_cuts")
    op.create_table(
        "release_cuts",
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("survey_version", sa.String(32), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.Column("cut", sa.Date(), nullable=False),
        sa.CheckConstraint("kind IN ('responses', 'sessions')", name=op.f("ck_release_cuts_kind")),
        sa.PrimaryKeyConstraint(
            "survey_id", "kind", "survey_version", "lang", "tag", "cut", name=op.f("pk_release_cuts")
        ),
    )


def downgrade() -> None:
    op.drop_table("release_cuts")
