"""An event file for kiosk tests, with a known staff PIN and short timeouts."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher

STAFF_PIN = "4711-staff"
SLUG = "partnertag-2026"


def write_events(path: Path, idle: int = 90, warning: int = 15, result: int = 60) -> Path:
    pin_hash = PasswordHasher().hash(STAFF_PIN)
    path.write_text(
        f"""events:
  - slug: {SLUG}
    name: {{de: Partnertag 2026, en: Partner Day 2026}}
    survey: trp-cloud
    languages: [de, en]
    idle_seconds: {idle}
    warning_seconds: {warning}
    result_seconds: {result}
    staff_pin_hash: "{pin_hash}"
"""
    )
    return path


def signed_query(
    database_url: str, slug: str = SLUG, survey: str = "trp-cloud", *, kiosk: bool = True
) -> dict:
    """The URL parameters of the tag's signed link, as the manager page and `trp event link` give them;
    the tag (kind event, open) is made in the database first when there is none."""
    from urllib.parse import parse_qsl, urlsplit

    from trp_core.services import tags
    from trp_core.store import make_engine, upgrade

    engine = make_engine(database_url)
    try:
        upgrade(engine)
        tags.ensure(engine, slug, survey)
        row = tags.find(engine, slug)
        assert row is not None
        return dict(parse_qsl(urlsplit(tags.link(engine, row, "http://tablet", kiosk=kiosk)).query))
    finally:
        engine.dispose()
