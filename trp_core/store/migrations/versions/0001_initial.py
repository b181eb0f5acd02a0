"""Initial schema: survey snapshots, responses, funnel counters.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

CRITERIA = (
    "customer_base",
    "staff",
    "competence",
    "reputation",
    "decision_access",
    "low_investment",
    "fast_start",
    "low_risk",
    "break_even",
    "sees_attractiveness",
    "sees_lucrativeness",
    "strategy_fit",
    "timing",
)
QUADRANTS = ("held", "kandidat", "vampir", "schatten", "undetermined")


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "survey_snapshots",
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("content", _json(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_survey_snapshots")),
    )
    op.create_index(op.f("ix_survey_snapshots_survey_id"), "survey_snapshots", ["survey_id"])

    quadrants = ", ".join(f"'{q}'" for q in QUADRANTS)
    op.create_table(
        "responses",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("survey_version", sa.String(32), nullable=False),
        sa.Column("survey_hash", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("event", sa.String(64), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("answers", _json(), nullable=False),
        sa.Column("kann_score", sa.Double(), nullable=True),
        sa.Column("will_score", sa.Double(), nullable=True),
        sa.Column("kann_coverage", sa.Double(), nullable=False),
        sa.Column("will_coverage", sa.Double(), nullable=False),
        sa.Column("kann_passed", sa.Boolean(), nullable=False),
        sa.Column("will_passed", sa.Boolean(), nullable=False),
        sa.Column("kann_borderline", sa.Boolean(), nullable=False),
        sa.Column("will_borderline", sa.Boolean(), nullable=False),
        sa.Column("kann_knockout", sa.Boolean(), nullable=False),
        sa.Column("will_knockout", sa.Boolean(), nullable=False),
        sa.Column("quadrant", sa.String(16), nullable=False),
        sa.Column("break_even_month", sa.Integer(), nullable=True),
        *(sa.Column(f"c_{c}", sa.Double(), nullable=True) for c in CRITERIA),
        sa.Column("submission_key", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.CheckConstraint("lang IN ('de', 'en')", name=op.f("ck_responses_lang")),
        sa.CheckConstraint(f"quadrant IN ({quadrants})", name=op.f("ck_responses_quadrant")),
        sa.ForeignKeyConstraint(
            ["survey_hash"],
            ["survey_snapshots.hash"],
            name=op.f("fk_responses_survey_hash_survey_snapshots"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_responses_code_hash")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_responses_submission_key")),
    )
    op.create_index(op.f("ix_responses_event"), "responses", ["event"])
    op.create_index(op.f("ix_responses_quadrant"), "responses", ["quadrant"])
    op.create_index(op.f("ix_responses_survey_hash"), "responses", ["survey_hash"])
    op.create_index(op.f("ix_responses_survey_id_day"), "responses", ["survey_id", "day"])

    op.create_table(
        "funnel_counters",
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("step", sa.String(80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("survey_id", "event", "day", "step", name=op.f("pk_funnel_counters")),
    )


def downgrade() -> None:
    op.drop_table("funnel_counters")
    op.drop_table("responses")
    op.drop_table("survey_snapshots")
