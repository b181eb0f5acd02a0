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
