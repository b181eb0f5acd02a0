"""Each response records the version of the scoring rules it was scored with (METHOD.md section 4).

Every response stored so far was scored with method version 1. The method version leads both
covering indexes: every figure reads the responses of one version, and `trp db rescore` (which
`trp db upgrade` runs after the migrations) finds those of an older version in one index step.
Adding a column with a constant default is instant on PostgreSQL and SQLite alike; rebuilding the
two indexes reads the table once.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

CRITERIA = [
    "c_customer_base", "c_staff", "c_competence", "c_reputation", "c_decision_access", "c_low_investment",
    "c_fast_start", "c_low_risk", "c_break_even", "c_sees_attractiveness", "c_sees_lucrativeness",
    "c_strategy_fit", "c_timing",
]  # fmt: skip
FLAGS = [
    "kann_passed", "will_passed", "kann_knockout", "will_knockout", "kann_score", "will_score",
    "break_even_month",
]  # fmt: skip
FILTERS = ["day", "survey_version", "lang", "event"]
# trp_core.store.models.DASHBOARD_INDEX_COLUMNS and CALIBRATION_INDEX_COLUMNS before and at this revision.
DASHBOARD_BEFORE = ["survey_id", "quadrant", "day", "survey_version", "lang", "event", *FLAGS, *CRITERIA]
CALIBRATION_BEFORE = ["survey_id", *CRITERIA, "kann_knockout", "will_knockout", "break_even_month", *FILTERS]
INDEXES = {
    "ix_responses_dashboard": (DASHBOARD_BEFORE, ["method_version", *DASHBOARD_BEFORE]),
    "ix_responses_calibration": (CALIBRATION_BEFORE, ["method_version", *CALIBRATION_BEFORE]),
}


def upgrade() -> None:
    op.add_column(
        "responses", sa.Column("method_version", sa.SmallInteger(), nullable=False, server_default="1")
    )
    for name, (_, columns) in INDEXES.items():
        op.drop_index(name, table_name="responses")
        op.create_index(name, "responses", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="responses")
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("method_version")
    for name, (columns, _) in INDEXES.items():
        op.create_index(name, "responses", columns)
