"""Manager sessions in the database, so that a reload, a bookmark and every app process know the login.

Only the SHA-256 of a session id is stored; a logout or the idle expiry sets `revoked`.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "manager_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("manager", sa.String(64), nullable=False),
        sa.Column("created", sa.Double(), nullable=False),
        sa.Column("last_seen", sa.Double(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("handover_hash", sa.String(64), nullable=True),
        sa.Column("sealed", sa.String(64), nullable=True),
        sa.Column("handover_until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_manager_sessions")),
        sa.UniqueConstraint("handover_hash", name=op.f("uq_manager_sessions_handover_hash")),
    )
    op.create_index(op.f("ix_manager_sessions_manager"), "manager_sessions", ["manager"])
    op.create_index(op.f("ix_manager_sessions_last_seen"), "manager_sessions", ["last_seen"])


def downgrade() -> None:
    op.drop_index(op.f("ix_manager_sessions_last_seen"), table_name="manager_sessions")
    op.drop_index(op.f("ix_manager_sessions_manager"), table_name="manager_sessions")
    op.drop_table("manager_sessions")
