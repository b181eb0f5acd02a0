"""Roll-ups for the dashboard: per atom (method version, survey, version, day, language, tag) what the
dashboard's figures count, kept as responses are stored (trp_core.store.rollups), counted here from
the responses already stored.

A PostgreSQL database restored from a backup made before this revision may still hold roll-up
tables from before the restore (pg_restore --clean drops only what the backup holds): they are
dropped and counted afresh. The count uses the package's own `rollups.rebuild`, without the key sums
that revision 0011 adds (with the record keys they sum); a later revision that changes these tables
otherwise must count with a copy of it as it stands here.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

CRITERIA = [
    "customer_base", "staff", "competence", "reputation", "decision_access", "low_investment",
    "fast_start", "low_risk", "break_even", "sees_attractiveness", "sees_lucrativeness",
    "strategy_fit", "timing",
]  # fmt: skip
TABLES = ["rollup_bands", "rollup_cells", "rollup_quadrants", "rollup_versions"]
ATOM = ["method_version", "survey_id", "survey_version", "day", "lang", "tag"]


def _atom() -> list[sa.Column]:
    return [
        sa.Column("method_version", sa.SmallInteger(), nullable=False),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("survey_version", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    for name in TABLES:
        if name in existing:
            op.drop_table(name)
    op.create_table(
        "rollup_versions",
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("survey_version", sa.String(32), nullable=False),
        sa.Column("kann", sa.Double(), nullable=False),
        sa.Column("will", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("survey_id", "survey_version", name=op.f("pk_rollup_versions")),
    )
    op.create_table(
        "rollup_quadrants",
        *_atom(),
        sa.Column("quadrant", sa.String(16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        *(sa.Column(f"answered_{c}", sa.Integer(), nullable=False) for c in CRITERIA),
        *(sa.Column(f"points_{c}", sa.Double(), nullable=False) for c in CRITERIA),
        *(sa.Column(f"kept_{c}", sa.Integer(), nullable=False) for c in CRITERIA),
        sa.Column("kept_knockout_kann", sa.Integer(), nullable=False),
        sa.Column("kept_knockout_will", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*ATOM, "quadrant", name=op.f("pk_rollup_quadrants")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_cells",
        *_atom(),
        sa.Column("quadrant", sa.String(16), nullable=False),
        sa.Column("kann_cell", sa.SmallInteger(), nullable=False),
        sa.Column("will_cell", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*ATOM, "quadrant", "kann_cell", "will_cell", name=op.f("pk_rollup_cells")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_bands",
        *_atom(),
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*ATOM, "band", name=op.f("pk_rollup_bands")),
        sqlite_with_rowid=False,
    )
    from trp_core.store.rollups import rebuild

    rebuild(bind, keys=False)


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
