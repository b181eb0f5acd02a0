"""Record keys for the cell-key method (PRIVACY.md, rule 4): each response gets a random integer 0..255,
and the roll-ups sum them beside every count the dashboard perturbs (trp_core.privacy.cellkey).

The responses stored so far get random keys from the database's own random source, in batches of
one sixteenth of the random ids each (one range of the primary key), then a last pass for any id
that is not hex. At a million responses on SQLite (a busy 2-core machine) the revision took 75 s, of
which 46 s counting the roll-ups afresh, as 0010 does. On SQLite the column is added with a
default of 0 (SQLite adds a NOT NULL column only with a default) and every row then gets its key;
on PostgreSQL it is added empty and made NOT NULL once every row has one. The key-sum columns of
the roll-ups are added as 0 and counted afresh with the package's own `rollups.rebuild` (as 0010
does); a later revision that changes these tables must count with a copy of it as it stands here.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

KEPT = [
    *(
        f"kept_{c}"
        for c in (
            "customer_base", "staff", "competence", "reputation", "decision_access", "low_investment",
            "fast_start", "low_risk", "break_even", "sees_attractiveness", "sees_lucrativeness",
            "strategy_fit", "timing",
        )
    ),
    "kept_knockout_kann",
    "kept_knockout_will",
]  # fmt: skip
KEY_COLUMNS = {
    "rollup_quadrants": ["keys", *(f"keys_{kept}" for kept in KEPT)],
    "rollup_cells": ["keys"],
    "rollup_bands": ["keys"],
}
HEX = "0123456789abcdef"


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.add_column("responses", sa.Column("record_key", sa.SmallInteger(), nullable=True))
        random_key = "floor(random() * 256)::smallint"
    else:
        op.add_column(
            "responses", sa.Column("record_key", sa.SmallInteger(), nullable=False, server_default="0")
        )
        random_key = "(random() % 256 + 256) % 256"  # random() is a signed 64-bit integer
    fill = sa.text(f"UPDATE responses SET record_key = {random_key} WHERE id >= :low AND id < :high")
    for low, high in zip(HEX, [*HEX[1:], "g"], strict=True):
        bind.execute(fill, {"low": low, "high": high})
    # Ids outside 0-9a-f (none are made so): below "0" or from "g" on.
    rest = sa.text(f"UPDATE responses SET record_key = {random_key} WHERE id < '0' OR id >= 'g'")
    bind.execute(rest)
    if postgres:
        op.alter_column("responses", "record_key", nullable=False)
    for table, columns in KEY_COLUMNS.items():
        for column in columns:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=False, server_default="0"))
            if postgres:
                op.alter_column(table, column, server_default=None)
    from trp_core.store.rollups import rebuild

    rebuild(bind)


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN on both (SQLite since 3.35): no table copy, WITHOUT ROWID kept.
    for table, columns in [*KEY_COLUMNS.items(), ("responses", ["record_key"])]:
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
