"""Forget every stored login failure: its key was the unsalted SHA-256 of the typed name, which can
be a mistyped password, and its time was exact to the second.

From this version on a failure's key is a keyed hash (trp_core.services.auth.throttle_key) and its
time is rounded up to a minute; the rows kept so far only held back attempts for a while, so losing
them costs nothing but a fresh count.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM login_failures"))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM login_failures"))
