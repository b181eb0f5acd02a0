"""Key sums for the funnel counters (PRIVACY.md, rule 4: the cell-key method for the funnel's steps).

A visitor session gets one random record key, 0..255, when its first step is counted; every step it
reaches adds the key to the counter's `keys`, the sum of its sessions' keys modulo 256
(trp_core.privacy.cellkey), so that a step's count inside a selection can be perturbed like the
responses' counts.

The counters stored so far keep no sessions: each row stands for `count` sessions whose keys were
never drawn. Each row gets the key sum such sessions would have given, `count` independent random
keys added modulo 256. That sum is uniform over 0..255 for any count of at least 1 (adding one
uniform key modulo 256 already makes it so), so one draw of `secrets.randbelow(256)` per row has
exactly its distribution and is what is stored; a row of count 0 keeps 0. The draws come from the
operating system's random source, in Python, not from the database (nothing about them repeats).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

KEYS = 256
BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.add_column("funnel_counters", sa.Column("keys", sa.Integer(), nullable=False, server_default="0"))
    if postgres:
        op.alter_column("funnel_counters", "keys", server_default=None)
    counters = sa.table(
        "funnel_counters",
        sa.column("survey_id", sa.String),
        sa.column("event", sa.String),
        sa.column("day", sa.Date),
        sa.column("step", sa.String),
        sa.column("count", sa.Integer),
        sa.column("keys", sa.Integer),
    )
    rows = bind.execute(
        sa.select(counters.c.survey_id, counters.c.event, counters.c.day, counters.c.step).where(
            counters.c["count"] > 0
        )
    ).all()
    update = (
        sa.update(counters)
        .where(
            counters.c.survey_id == sa.bindparam("s"),
            counters.c.event == sa.bindparam("e"),
            counters.c.day == sa.bindparam("d"),
            counters.c.step == sa.bindparam("t"),
        )
        .values(keys=sa.bindparam("k"))
    )
    for start in range(0, len(rows), BATCH):
        batch = [
            {"s": s, "e": e, "d": d, "t": t, "k": secrets.randbelow(KEYS)}
            for s, e, d, t in rows[start : start + BATCH]
        ]
        bind.execute(update, batch)


def downgrade() -> None:
    op.execute("ALTER TABLE funnel_counters DROP COLUMN keys")
