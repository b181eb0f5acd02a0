"""Tags of events and campaigns, pure: their slugs, the signature of a tag link, and when a tag is open.

A response carries a tag only when the link it came from was made by the app: the link holds the
tag's slug and an HMAC-SHA256 over the slug and the tag's survey under the server's secret, so a
changed slug, another survey or a made-up tag does not match (trp_core.services.tags applies it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Final

SLUG_PATTERN: Final = r"^[a-z0-9][a-z0-9-]{1,63}$"
_SLUG: Final = re.compile(SLUG_PATTERN)
SIGNATURE_LENGTH: Final = 22  # characters of base64url: 132 bits of the HMAC
_CONTEXT: Final = b"trp-tag-link-v1"  # a key used for nothing else, whatever else may sign one day


class TagKind(StrEnum):
    EVENT = "event"  # a trade fair, a partner day: tablets in kiosk mode, or a link on a poster
    CAMPAIGN = "campaign"  # a recruitment campaign: a mailing, an advert, a post


def is_slug(value: object) -> bool:
    return isinstance(value, str) and bool(_SLUG.match(value))


def slugify(name: str) -> str:
    """A slug made from a name: "Partnertag Köln 2026" -> "partnertag-koeln-2026"; "" when nothing is left."""
    text = name.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:64].rstrip("-")


def signature(secret: bytes, slug: str, survey: str) -> str:
    """The signature of a link to tag `slug` of survey `survey`: 22 characters, URL-safe."""
    if not secret:
        raise ValueError("a signature needs a secret")
    message = b"\x00".join((_CONTEXT, slug.encode(), survey.encode()))
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_LENGTH]


def signature_matches(secret: bytes, slug: str, survey: str, given: object) -> bool:
    """Whether `given` is the signature of this tag and survey (compared in constant time)."""
    if not isinstance(given, str) or len(given) != SIGNATURE_LENGTH or not given.isascii():
        return False
    return hmac.compare_digest(signature(secret, slug, survey), given)


def is_open(day: date, starts_on: date | None, ends_on: date | None, ended_on: date | None) -> bool:
    """Whether a tag takes responses on `day`: from its first to its last day (both included, either
    may be open), and never after a manager ended it."""
    if ended_on is not None:
        return False
    return (starts_on is None or starts_on <= day) and (ends_on is None or day <= ends_on)
