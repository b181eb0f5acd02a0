"""A covering index ordered like the calibration's GROUP BY: survey, then every criterion score,
the knock-outs and the break-even month.

Calibration groups the filtered responses by all thirteen criterion scores, both knock-outs and the
break-even month, so that the core re-scores each distinct combination once. Without an index in
that order SQLite sorts every row first (a million responses: 3.8 s); reading this index it counts
the groups as they come (0.4 s). Day, version, language and event follow, so the filters are
checked inside the index.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

CRITERIA = [
    "c_customer_base", "c_staff", "c_competence", "c_reputation", "c_decision_access", "c_low_investment",
    "c_fast_start", "c_low_risk", "c_break_even", "c_sees_attractiveness", "c_sees_lucrativeness",
    "c_strategy_fit", "c_timing",
]  # fmt: skip
# trp_core.store.models.CALIBRATION_INDEX_COLUMNS at this revision.
COLUMNS = [
    "survey_id", *CRITERIA, "kann_knockout", "will_knockout", "break_even_month",
    "day", "survey_version", "lang", "event",
]  # fmt: skip


def upgrade() -> None:
    op.create_index("ix_responses_calibration", "responses", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_responses_calibration", table_name="responses")
