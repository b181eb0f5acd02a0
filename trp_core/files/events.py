"""Recruitment events: the event file with the settings of shared tablets in kiosk mode (languages,
timeouts, the staff PIN's hash).

The event itself is a tag in the database (trp_core.services.tags): every event of this file becomes
one the first time it is needed, and a tablet enters kiosk mode only through the tag's signed link.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from trp_core.files.yaml_reader import YamlProblem, parse_yaml
from trp_core.method.survey import SurveyError, SurveyIssue, Text, validation_issues
from trp_core.method.vocabulary import LANGUAGES

MAX_FILE_BYTES = 200_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Event(_Model):
    """One event: where the tablets stand, which survey they run, how they look after themselves."""

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    name: Text
    survey: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    languages: list[str] = Field(default_factory=lambda: list(LANGUAGES), min_length=1)
    idle_seconds: int = Field(default=90, ge=10, le=3600)
    warning_seconds: int = Field(default=15, ge=3, le=600)
    result_seconds: int = Field(default=60, ge=10, le=3600)
    # argon2id hash of the staff PIN that leaves kiosk mode (`trp admin hash` makes one).
    staff_pin_hash: str = Field(pattern=r"^\$argon2id\$")

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, languages: list[str]) -> list[str]:
        unknown = [lang for lang in languages if lang not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; the app speaks {', '.join(LANGUAGES)}")
        return languages

    def check_pin(self, pin: str) -> bool:
        """Whether `pin` is the staff PIN (argon2id verification)."""
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return PasswordHasher().verify(self.staff_pin_hash, pin)
        except (VerificationError, InvalidHashError):
            return False

    @model_validator(mode="after")
    def _warning_before_reset(self) -> Event:
        if self.warning_seconds >= self.idle_seconds:
            raise ValueError("warning_seconds must be shorter than idle_seconds")
        return self


class EventFile(_Model):
    events: list[Event] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> EventFile:
        slugs = [e.slug for e in self.events]
        for slug in slugs:
            if slugs.count(slug) > 1:
                raise ValueError(f"duplicate event slug {slug!r}")
        return self


def load_events(path: str | Path) -> dict[str, Event]:
    """Events by slug; a missing file means no events. Raises SurveyError-style issues otherwise."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        return {}

    def fail(message: str, line: int | None = None, where: str = "") -> SurveyError:
        return SurveyError([SurveyIssue(file=file, path=where, message=message, line=line)])

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise fail(f"the file is {len(raw):,} bytes; an event file may be at most {MAX_FILE_BYTES:,}")
    try:
        data, lines = parse_yaml(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise fail("the file is not valid UTF-8 text") from None
    except YamlProblem as exc:
        raise fail(exc.message, exc.line, exc.path) from None
    try:
        parsed = EventFile.model_validate(data)
    except ValidationError as exc:
        raise SurveyError(validation_issues(exc, file, lines)) from None
    return {e.slug: e for e in parsed.events}
