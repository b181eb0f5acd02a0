"""Tags of events and campaigns, made by managers, and the key that signs their links.

The event tags already on responses and funnel counters stay as they are, and each becomes a tag
(kind "event", named by its slug, for the survey most of its responses answered, open from its first
day on): the dashboard's filters and the exports read the same values as before, and a manager can
rename, link or end it on the page "Events & campaigns". Only signed links (trp_core.services.tags)
put a tag on a new response, so the old unsigned links `/?event=SLUG` tag nothing any more.

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    tags = op.create_table(
        "tags",
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(2), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created", sa.Date(), nullable=False),
        sa.CheckConstraint("kind IN ('event', 'campaign')", name=op.f("ck_tags_kind")),
        sa.CheckConstraint("lang IS NULL OR lang IN ('de', 'en')", name=op.f("ck_tags_lang")),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_tags")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("created", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_signing_keys")),
    )
    op.bulk_insert(tags, _existing_tags(op.get_bind()))


def _existing_tags(bind: sa.Connection) -> list[dict[str, object]]:
    """A tag for each event slug the responses or funnel counters hold."""
    responses = sa.table(
        "responses",
        sa.column("event", sa.String),
        sa.column("survey_id", sa.String),
        sa.column("day", sa.Date),
    )
    counters = sa.table(
        "funnel_counters",
        sa.column("event", sa.String),
        sa.column("survey_id", sa.String),
        sa.column("day", sa.Date),
        sa.column("count", sa.Integer),
    )
    found: dict[str, tuple[int, str]] = {}  # slug -> (rows of its main survey, that survey)
    first: dict[str, date] = {}
    queries = [
        sa.select(responses.c.event, responses.c.survey_id, sa.func.count(), sa.func.min(responses.c.day))
        .where(responses.c.event.is_not(None))
        .group_by(responses.c.event, responses.c.survey_id),
        sa.select(
            counters.c.event, counters.c.survey_id, sa.func.sum(counters.c.count), sa.func.min(counters.c.day)
        )
        .where(counters.c.event != "")
        .group_by(counters.c.event, counters.c.survey_id),
    ]
    for query in queries:  # the responses decide a tag's survey; the counters only add tags without any
        seen = set(found)
        for slug, survey_id, n, day in bind.execute(query):
            day = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
            first[slug] = min(first.get(slug, day), day)
            if slug not in seen and (slug not in found or int(n) > found[slug][0]):
                found[slug] = (int(n), survey_id)
    today = date.today()
    return [
        {
            "slug": slug[:64],
            "kind": "event",
            "name": slug[:120],
            "survey_id": survey_id,
            "lang": None,
            "starts_on": first[slug],
            "ends_on": None,
            "ended_on": None,
            "created": today,
        }
        for slug, (_, survey_id) in sorted(found.items())
    ]


def downgrade() -> None:
    op.drop_table("signing_keys")
    op.drop_table("tags")
