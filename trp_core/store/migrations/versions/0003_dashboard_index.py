"""One covering index for the managers' figures, in place of three narrower ones.

Every dashboard query filters on survey and day and reads a few narrow columns. With all of
them in one index, SQLite and PostgreSQL (an index-only scan) answer from the index alone,
never touching the wide rows with their answers; the index on (survey_id, day) is its prefix,
and those on event and on quadrant are dropped: they led SQLite's planner to look up every row
in the table (five times slower at a million responses) and cost time on every insert.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# The same list as trp_core.store.models.DASHBOARD_INDEX_COLUMNS at this revision.
COLUMNS = [
    "survey_id", "day", "survey_version", "lang", "event", "quadrant",
    "kann_passed", "will_passed", "kann_knockout", "will_knockout", "kann_score", "will_score",
    "break_even_month",
    "c_customer_base", "c_staff", "c_competence", "c_reputation", "c_decision_access", "c_low_investment",
    "c_fast_start", "c_low_risk", "c_break_even", "c_sees_attractiveness", "c_sees_lucrativeness",
    "c_strategy_fit", "c_timing",
]  # fmt: skip


def upgrade() -> None:
    op.create_index("ix_responses_dashboard", "responses", COLUMNS)
    op.drop_index(op.f("ix_responses_survey_id_day"), table_name="responses")
    op.drop_index(op.f("ix_responses_event"), table_name="responses")
    op.drop_index(op.f("ix_responses_quadrant"), table_name="responses")


def downgrade() -> None:
    op.create_index(op.f("ix_responses_quadrant"), "responses", ["quadrant"])
    op.create_index(op.f("ix_responses_event"), "responses", ["event"])
    op.create_index(op.f("ix_responses_survey_id_day"), "responses", ["survey_id", "day"])
    op.drop_index("ix_responses_dashboard", table_name="responses")
