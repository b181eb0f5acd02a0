"""Manager accounts (argon2id hashes) and the login throttle's failure counts.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "manager_accounts",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created", sa.Date(), nullable=False),
        sa.CheckConstraint("password_hash LIKE '$argon2id$%'", name=op.f("ck_manager_accounts_argon2id")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_manager_accounts")),
    )
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.Double(), nullable=False),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_failures_failures")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_last_failure"), "login_failures", ["last_failure"])


def downgrade() -> None:
    op.drop_index(op.f("ix_login_failures_last_failure"), table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_table("manager_accounts")
