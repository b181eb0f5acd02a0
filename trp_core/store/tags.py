"""Tags of events and campaigns in the database, the key that signs their links, and the per-tag counts
that the campaign view needs (raw counts: trp_core.services.campaigns puts them under the rule)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from trp_core.method.vocabulary import METHOD_VERSION
from trp_core.store.engine import writer
from trp_core.store.models import FunnelCounter, Response, SigningKey, Tag

LINK_KEY: Final = "tag-links"


class TagExists(Exception):
    """A tag with this slug is stored already."""


@dataclass(frozen=True, slots=True)
class TagRow:
    slug: str
    kind: str
    name: str
    survey_id: str
    lang: str | None
    starts_on: date | None
    ends_on: date | None
    ended_on: date | None
    created: date


_COLUMNS: Final = (
    Tag.slug, Tag.kind, Tag.name, Tag.survey_id, Tag.lang, Tag.starts_on, Tag.ends_on, Tag.ended_on, Tag.created,
)  # fmt: skip


class Tags:
    """The tags table: add, find, list, end. Every call is its own unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def add(self, row: TagRow, *, if_missing: bool = False) -> bool:
        """Store a new tag; True when it was stored. TagExists for a taken slug, unless `if_missing`."""
        values = {c.key: getattr(row, c.key) for c in _COLUMNS}
        with Session(self._writer) as s, s.begin():
            stored = s.scalar(self._insert(Tag).values(values).on_conflict_do_nothing().returning(Tag.slug))
        if stored is None and not if_missing:
            raise TagExists(row.slug)
        return stored is not None

    def get(self, slug: str) -> TagRow | None:
        with Session(self.engine) as s, s.begin():
            found = s.execute(select(*_COLUMNS).where(Tag.slug == slug)).one_or_none()
        return None if found is None else TagRow(*found)

    def all(self) -> list[TagRow]:
        """Every tag, newest first."""
        stmt = select(*_COLUMNS).order_by(Tag.created.desc(), Tag.slug)
        with Session(self.engine) as s, s.begin():
            return [TagRow(*r) for r in s.execute(stmt)]

    def end(self, slug: str, day: date) -> bool:
        """Stop a tag from taking responses; True when it was open until now."""
        stmt = update(Tag).where(Tag.slug == slug, Tag.ended_on.is_(None)).values(ended_on=day)
        with Session(self._writer) as s, s.begin():
            return s.execute(stmt).rowcount > 0

    def signing_key(self) -> bytes:
        """The database's own random key for tag links, made on first use (the same in every process)."""
        stmt = select(SigningKey.key).where(SigningKey.name == LINK_KEY)
        with Session(self.engine) as s, s.begin():
            key = s.scalar(stmt)
        if key is None:
            row = {"name": LINK_KEY, "key": secrets.token_hex(32), "created": date.today()}
            with Session(self._writer) as s, s.begin():
                s.execute(self._insert(SigningKey).values(row).on_conflict_do_nothing())
                key = s.scalar(stmt)  # another process may have been first: its key counts
        assert key is not None
        return key.encode()


# --- what the campaign view counts ------------------------------------------------------------


def quadrants_by_tag(engine: Engine, slugs: Iterable[str]) -> dict[tuple[str, str], int]:
    """(tag, quadrant) -> responses, over all days and languages, scored with this method version."""
    wanted = list(slugs)
    if not wanted:
        return {}
    stmt = (
        select(Response.event, Response.quadrant, func.count())
        .where(Response.method_version == METHOD_VERSION, Response.event.in_(wanted))
        .group_by(Response.event, Response.quadrant)
    )
    with engine.connect() as conn:
        return {(slug, quadrant): int(n) for slug, quadrant, n in conn.execute(stmt)}


def steps_by_tag(engine: Engine, slugs: Iterable[str], steps: Iterable[str]) -> dict[tuple[str, str], int]:
    """(tag, funnel step) -> sessions that reached it, over all days."""
    wanted, named = list(slugs), list(steps)
    if not wanted or not named:
        return {}
    stmt = (
        select(FunnelCounter.event, FunnelCounter.step, func.sum(FunnelCounter.count))
        .where(FunnelCounter.event.in_(wanted), FunnelCounter.step.in_(named))
        .group_by(FunnelCounter.event, FunnelCounter.step)
    )
    with engine.connect() as conn:
        return {(slug, step): int(n) for slug, step, n in conn.execute(stmt)}
