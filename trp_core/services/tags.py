"""Events and campaigns (tags): made by managers, reached by signed links; the one rule that decides
whether a response carries a tag.

The rule (`accept`, then `event_for`): a link's tag counts only when the tag is stored, the link's
signature matches the tag's slug and survey under the server's key (trp_core.method.tags), the tag is
open on the day (from its first to its last day, not ended by a manager), and the response is one to
the tag's survey. Anything else (no signature, an unknown or changed slug, a changed survey, an
expired or ended tag) is ignored without a word: the visitor answers as if he had come without it, and
his response is stored untagged. So nobody can pad a small event with his own responses.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode

from trp_core.method.tags import (
    SLUG_PATTERN,
    TagKind,
    is_open,
    is_slug,
    signature,
    signature_matches,
    slugify,
)
from trp_core.services.storage import is_store_error, store_errors
from trp_core.settings import get_settings
from trp_core.store.tags import TagExists, TagRow, Tags

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from trp_core.files.events import Event

log = logging.getLogger("trp")

TAG_PARAM: Final = "tag"  # the URL parameters of a tag link
SIG_PARAM: Final = "sig"
NAME_MAX: Final = 120

__all__ = ["SLUG_PATTERN", "TagKind", "TagProblem", "TagRow"]

# The key of each database (by URL): read once per process.
_keys: dict[str, bytes] = {}


class TagStatus(StrEnum):
    OPEN = "open"
    UPCOMING = "upcoming"  # before its first day
    EXPIRED = "expired"  # after its last day
    ENDED = "ended"  # ended by a manager


class TagProblem(ValueError):
    """A tag cannot be made as asked; `code` names what (the page's text key ends with it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class LinkTag:
    """A tag accepted from a signed link: what a session keeps to tag the visitor's response."""

    slug: str
    survey: str
    signature: str
    lang: str | None
    starts_on: date | None
    ends_on: date | None

    def query(self) -> dict[str, str]:
        """The URL parameters that carry this tag to a new session (a kiosk tablet's reload)."""
        return {TAG_PARAM: self.slug, SIG_PARAM: self.signature}


def _key(engine: Engine) -> bytes:
    configured = get_settings().secret.get_secret_value()
    if configured:
        return configured.encode()
    name = engine.url.render_as_string(hide_password=True)
    key = _keys.get(name)
    if key is None:
        key = _keys[name] = Tags(engine).signing_key()
    return key


# --- the rule ------------------------------------------------------------------------------------


def accept(engine: Engine, slug: object, given: object, day: date | None = None) -> LinkTag | None:
    """The tag of a link when the link is signed and the tag open on `day` (today); else None, silently.

    A database that cannot be read makes it None as well (logged): the visitor goes on untagged.
    """
    if not is_slug(slug) or not isinstance(given, str):
        return None
    assert isinstance(slug, str)
    try:
        row = Tags(engine).get(slug)
        if row is None or not signature_matches(_key(engine), slug, row.survey_id, given):
            return None
    except Exception as exc:
        if not is_store_error(exc):
            raise
        log.exception("tag link not checked: the database cannot be read")
        return None
    if not is_open(day or date.today(), row.starts_on, row.ends_on, row.ended_on):
        return None
    return LinkTag(row.slug, row.survey_id, given, row.lang, row.starts_on, row.ends_on)


def event_for(tag: LinkTag | None, survey_id: str | None, day: date | None = None) -> str | None:
    """The tag a response to `survey_id` (or a funnel count) carries: the accepted tag's slug when it
    is for this survey and still open, else none."""
    if tag is None or survey_id != tag.survey:
        return None
    return tag.slug if is_open(day or date.today(), tag.starts_on, tag.ends_on, None) else None


# --- links -------------------------------------------------------------------------------------


def link(engine: Engine, tag: TagRow, public_url: str, *, kiosk: bool = False) -> str:
    """The signed link of a tag: for partners (with its survey and language), or for a kiosk tablet."""
    with store_errors():
        sig = signature(_key(engine), tag.slug, tag.survey_id)
    query: dict[str, Any] = {} if kiosk else {"survey": tag.survey_id}
    query |= {TAG_PARAM: tag.slug, SIG_PARAM: sig}
    if kiosk:
        query["kiosk"] = 1
    elif tag.lang:
        query["lang"] = tag.lang
    return f"{public_url.rstrip('/')}/?{urlencode(query)}"


def status(tag: TagRow, day: date | None = None) -> TagStatus:
    day = day or date.today()
    if tag.ended_on is not None:
        return TagStatus.ENDED
    if tag.starts_on is not None and day < tag.starts_on:
        return TagStatus.UPCOMING
    if tag.ends_on is not None and day > tag.ends_on:
        return TagStatus.EXPIRED
    return TagStatus.OPEN


# --- managing tags --------------------------------------------------------------------------------


@store_errors()
def all_tags(engine: Engine) -> list[TagRow]:
    """Every tag, newest first."""
    return Tags(engine).all()


@store_errors()
def find(engine: Engine, slug: str) -> TagRow | None:
    return Tags(engine).get(slug) if is_slug(slug) else None


@store_errors()
def create(
    engine: Engine,
    *,
    kind: TagKind | str,
    name: str,
    survey: str,
    surveys: Mapping[str, Any] | None = None,
    slug: str | None = None,
    lang: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    today: date | None = None,
) -> TagRow:
    """Store a new tag; TagProblem("name" | "slug" | "taken" | "survey" | "dates" | "kind" | "lang") when it
    cannot be made so. `surveys`, when given, are the surveys a tag may be for."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise TagProblem("name")
    slug = (slug or "").strip().lower() or slugify(name)
    if not is_slug(slug):
        raise TagProblem("slug")
    if kind not in TagKind.__members__.values():
        raise TagProblem("kind")
    if surveys is not None and survey not in surveys:
        raise TagProblem("survey")
    if lang not in (None, "de", "en"):
        raise TagProblem("lang")
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise TagProblem("dates")
    row = TagRow(
        slug, str(TagKind(kind)), name, survey, lang, starts_on, ends_on, None, today or date.today()
    )
    try:
        Tags(engine).add(row)
    except TagExists:
        raise TagProblem("taken") from None
    return row


@store_errors()
def end(engine: Engine, slug: str, day: date | None = None) -> bool:
    """End a tag now: its links tag nothing from then on. True when it was not ended before."""
    return Tags(engine).end(slug, day or date.today())


@store_errors()
def ensure(engine: Engine, slug: str, survey: str, *, since: date | None = None) -> bool:
    """A tag of this slug, made (kind event, named by its slug) when there is none; True when made."""
    if not is_slug(slug):
        raise TagProblem("slug")
    row = TagRow(slug, TagKind.EVENT.value, slug, survey, None, since, None, None, date.today())
    return Tags(engine).add(row, if_missing=True)


@store_errors()
def adopt(engine: Engine, events: Mapping[str, Event]) -> list[str]:
    """Every event of the event file (kiosk tablets) is a tag too: the missing ones are made, kind
    event, with the file's name and survey. The slugs made."""
    made = []
    for slug, event in events.items():
        name = event.name(event.languages[0])[:NAME_MAX]
        row = TagRow(slug, TagKind.EVENT.value, name, event.survey, None, None, None, None, date.today())
        if Tags(engine).add(row, if_missing=True):
            made.append(slug)
    return made
