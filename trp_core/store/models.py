"""The stored tables: survey snapshots, anonymous responses and funnel counters (SQLAlchemy 2 ORM).

Nothing here identifies a person: no name, e-mail, company, IP address, user agent or time
of day; a response keeps the date only, and the result code only as its hash. The manager
accounts and their login throttle, at the end, concern managers, never respondents.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date
from typing import Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Index,
    MetaData,
    SmallInteger,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from trp_core.method.vocabulary import Criterion, Quadrant

# Named constraints, so that migrations can name and drop them on SQLite too.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")

SURVEY_ID_LENGTH: Final = 64  # survey.py: ^[a-z0-9][a-z0-9-]{1,63}$
VERSION_LENGTH: Final = 32
EVENT_LENGTH: Final = 64
STEP_LENGTH: Final = 80  # "step:" + a section id of up to 64 characters
KEY_LENGTH: Final = 64
HASH_LENGTH: Final = 64  # sha256, hex

CRITERION_COLUMNS: Final[dict[Criterion, str]] = {c: f"c_{c.value}" for c in Criterion}
# The managers' figures filter on method version, survey and day and read only these columns
# (migrations 0003, 0004, 0006). The method version comes first: every figure reads one version, and
# `trp db rescore` finds the responses of older versions in one step along the index.
DASHBOARD_INDEX_COLUMNS: Final = (
    "method_version", "survey_id", "quadrant", "day", "survey_version", "lang", "event",
    "kann_passed", "will_passed", "kann_knockout", "will_knockout", "kann_score", "will_score",
    "break_even_month", *CRITERION_COLUMNS.values(),
)  # fmt: skip
# Calibration groups by every criterion score, the knock-outs and the break-even month (migrations 0005, 0006).
CALIBRATION_INDEX_COLUMNS: Final = (
    "method_version", "survey_id", *CRITERION_COLUMNS.values(), "kann_knockout", "will_knockout", "break_even_month",
    "day", "survey_version", "lang", "event",
)  # fmt: skip


def new_id() -> str:
    return uuid.uuid4().hex


RECORD_KEYS: Final = 256  # a record key is 0..255 (trp_core.privacy.cellkey)


def record_key() -> int:
    """A response's random record key, from the operating system's random source."""
    return secrets.randbelow(RECORD_KEYS)


def _one_of(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SurveySnapshot(Base):
    """One row per survey content ever seen, so that old responses stay scorable."""

    __tablename__ = "survey_snapshots"

    hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(SURVEY_ID_LENGTH), index=True)
    version: Mapped[str] = mapped_column(String(VERSION_LENGTH))
    content: Mapped[dict[str, Any]] = mapped_column(JsonType)  # survey.model_dump(mode="json")
    first_seen: Mapped[date] = mapped_column(Date)


class Response(Base):
    """One submitted answer set with its scores; anonymous, the date only."""

    __tablename__ = "responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    survey_id: Mapped[str] = mapped_column(String(SURVEY_ID_LENGTH))
    survey_version: Mapped[str] = mapped_column(String(VERSION_LENGTH))
    survey_hash: Mapped[str] = mapped_column(
        String(HASH_LENGTH), ForeignKey(SurveySnapshot.hash, ondelete="RESTRICT"), index=True
    )
    lang: Mapped[str] = mapped_column(String(2))
    event: Mapped[str | None] = mapped_column(String(EVENT_LENGTH))
    day: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # The version of the scoring rules the score columns below follow (METHOD_VERSION when written).
    # A row written before the column existed (migration 0006) was scored with version 1.
    method_version: Mapped[int] = mapped_column(SmallInteger, server_default="1")

    kann_score: Mapped[float | None] = mapped_column(Double)
    will_score: Mapped[float | None] = mapped_column(Double)
    kann_coverage: Mapped[float] = mapped_column(Double)
    will_coverage: Mapped[float] = mapped_column(Double)
    kann_passed: Mapped[bool]
    will_passed: Mapped[bool]
    kann_borderline: Mapped[bool]
    will_borderline: Mapped[bool]
    kann_knockout: Mapped[bool]
    will_knockout: Mapped[bool]
    quadrant: Mapped[str] = mapped_column(String(16))
    break_even_month: Mapped[int | None]
    # A random integer 0..255 given when the response is stored (secrets.randbelow): the record key of
    # the cell-key method (trp_core.privacy.cellkey). Never shown, exported, reported or logged.
    record_key: Mapped[int] = mapped_column(SmallInteger)

    # The criterion scores of METHOD.md section 4 (None when unanswered), for SQL aggregates
    # and calibration without reading the answers.
    c_customer_base: Mapped[float | None] = mapped_column(Double)
    c_staff: Mapped[float | None] = mapped_column(Double)
    c_competence: Mapped[float | None] = mapped_column(Double)
    c_reputation: Mapped[float | None] = mapped_column(Double)
    c_decision_access: Mapped[float | None] = mapped_column(Double)
    c_low_investment: Mapped[float | None] = mapped_column(Double)
    c_fast_start: Mapped[float | None] = mapped_column(Double)
    c_low_risk: Mapped[float | None] = mapped_column(Double)
    c_break_even: Mapped[float | None] = mapped_column(Double)
    c_sees_attractiveness: Mapped[float | None] = mapped_column(Double)
    c_sees_lucrativeness: Mapped[float | None] = mapped_column(Double)
    c_strategy_fit: Mapped[float | None] = mapped_column(Double)
    c_timing: Mapped[float | None] = mapped_column(Double)

    submission_key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True)
    code_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)

    __table_args__ = (
        # Covers every dashboard query (trp_core.store.reads): answered from the index alone.
        Index("ix_responses_dashboard", *DASHBOARD_INDEX_COLUMNS),
        # The newest free-text answers and the first and last day of a survey, without a sort.
        Index("ix_responses_survey_day", "survey_id", "day"),
        # Calibration's GROUP BY reads its groups in index order, without sorting every row.
        Index("ix_responses_calibration", *CALIBRATION_INDEX_COLUMNS),
        CheckConstraint(_one_of("lang", ["de", "en"]), name="lang"),
        CheckConstraint(_one_of("quadrant", [q.value for q in Quadrant]), name="quadrant"),
    )


class FunnelCounter(Base):
    """How many sessions reached a step, per survey, event ("" for none) and day; never per visitor.

    `keys`: the sum of the sessions' record keys, modulo 256 (trp_core.privacy.cellkey): a session
    gets one random key when its first step is counted, and every step it reaches adds it here.
    """

    __tablename__ = "funnel_counters"

    survey_id: Mapped[str] = mapped_column(String(SURVEY_ID_LENGTH), primary_key=True)
    event: Mapped[str] = mapped_column(String(EVENT_LENGTH), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    step: Mapped[str] = mapped_column(String(STEP_LENGTH), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    keys: Mapped[int] = mapped_column(default=0)


# --- managers ----------------------------------------------------------------------------

MANAGER_NAME_LENGTH: Final = 64
PASSWORD_HASH_LENGTH: Final = 255  # an argon2id PHC string is about 100 characters
THROTTLE_KEY_LENGTH: Final = 64  # a hex digest (trp_core.services.auth.throttle_key, throttle.pin_key)


class ManagerAccount(Base):
    """A manager who may log in: the name and an argon2id hash of the password, nothing else."""

    __tablename__ = "manager_accounts"

    name: Mapped[str] = mapped_column(String(MANAGER_NAME_LENGTH), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(PASSWORD_HASH_LENGTH))
    created: Mapped[date] = mapped_column(Date)

    __table_args__ = (CheckConstraint("password_hash LIKE '$argon2id$%'", name="argon2id"),)


class LoginFailures(Base):
    """Recent failures at a guessable secret per key (a manager's name, a kiosk's staff PIN): what
    the throttle needs, no more (trp_core.store.accounts.FailureCounts).

    No IP address, no user agent, no password, no time of day finer than a minute. A typed name
    that is no account's is kept only as a keyed hash whose key never leaves the app process's
    memory, since people sometimes type their password into the name field.
    """

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(THROTTLE_KEY_LENGTH), primary_key=True)
    failures: Mapped[int]
    last_failure: Mapped[float] = mapped_column(Double, index=True)  # time.time(), rounded up to a minute

    __table_args__ = (CheckConstraint("failures >= 0", name="failures"),)


# --- tags of events and campaigns -----------------------------------------------------------

TAG_NAME_LENGTH: Final = 120
TAG_KINDS: Final = ["event", "campaign"]  # trp_core.method.tags.TagKind
SIGNING_KEY_LENGTH: Final = 64


class Tag(Base):
    """An event or campaign a manager made: responses that came through its signed link carry its slug
    (Response.event, FunnelCounter.event). Only tags from this table are ever stored on a response."""

    __tablename__ = "tags"

    slug: Mapped[str] = mapped_column(String(EVENT_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(TAG_NAME_LENGTH))
    survey_id: Mapped[str] = mapped_column(String(SURVEY_ID_LENGTH))
    lang: Mapped[str | None] = mapped_column(String(2))  # the link's language; None: the visitor's
    starts_on: Mapped[date | None] = mapped_column(Date)  # first day it takes responses; None: at once
    ends_on: Mapped[date | None] = mapped_column(Date)  # last day it takes responses; None: open
    ended_on: Mapped[date | None] = mapped_column(Date)  # a manager ended it on this day
    created: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_one_of("kind", TAG_KINDS), name="kind"),
        CheckConstraint("lang IS NULL OR " + _one_of("lang", ["de", "en"]), name="lang"),
    )


class SigningKey(Base):
    """The random key that signs tag links when TRP_SECRET is not set: made once per database, so every
    replica and a restored backup sign alike, and no default key can be read in the source."""

    __tablename__ = "signing_keys"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(SIGNING_KEY_LENGTH))
    created: Mapped[date] = mapped_column(Date)


# --- releases --------------------------------------------------------------------------------

RELEASE_KINDS: Final = ("responses", "sessions")


class ReleaseCut(Base):
    """Every cut a stream has had (trp_core.privacy.releases): the responses of a survey version,
    language and tag ("" for none) of the days before `cut` are published. The funnel's sessions are
    released the same way, per tag (kind "sessions", version and language "")."""

    __tablename__ = "release_cuts"

    survey_id: Mapped[str] = mapped_column(String(SURVEY_ID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    survey_version: Mapped[str] = mapped_column(String(VERSION_LENGTH), primary_key=True)
    lang: Mapped[str] = mapped_column(String(2), primary_key=True)
    tag: Mapped[str] = mapped_column(String(EVENT_LENGTH), primary_key=True)
    cut: Mapped[date] = mapped_column(Date, primary_key=True)

    __table_args__ = (CheckConstraint(_one_of("kind", list(RELEASE_KINDS)), name="kind"),)


# --- manager sessions -----------------------------------------------------------------------

SESSION_HASH_LENGTH: Final = 64  # sha256 hex of a session id or a hand-over token
SEALED_LENGTH: Final = 64  # a session id sealed for its hand-over, hex


class ManagerSession(Base):
    """A manager's login, shared by every app process: only the hash of the browser's session id.

    The session id itself lives only in the manager's cookie (and, for the tab that logged in,
    in that tab's server memory). A new session first waits for its one-time hand-over to the
    browser (`handover_hash`, `sealed`, `handover_until`), which is cleared when it is used.
    """

    __tablename__ = "manager_sessions"

    id_hash: Mapped[str] = mapped_column(String(SESSION_HASH_LENGTH), primary_key=True)
    manager: Mapped[str] = mapped_column(String(MANAGER_NAME_LENGTH), index=True)
    created: Mapped[float] = mapped_column(Double)  # time.time()
    last_seen: Mapped[float] = mapped_column(Double, index=True)
    revoked: Mapped[bool] = mapped_column(default=False)
    handover_hash: Mapped[str | None] = mapped_column(String(SESSION_HASH_LENGTH), unique=True, default=None)
    sealed: Mapped[str | None] = mapped_column(String(SEALED_LENGTH), default=None)
    handover_until: Mapped[float | None] = mapped_column(Double, default=None)


# --- roll-ups for the dashboard -------------------------------------------------------------
#
# What the dashboard's figures per atom (trp_core.store.reads) count, kept per atom as responses are
# stored (trp_core.store.rollups): (method version, survey, survey version, day, language, tag), the
# tag "" for an untagged response. The heat-map cells and the keep-out counts depend on the
# thresholds; they are counted with the thresholds in RollupVersion, those of the version's newest
# stored content when its roll-ups were built.

ROLLUP_ATOM: Final = ("method_version", "survey_id", "survey_version", "day", "lang", "tag")
ROLLUP_ANSWERED: Final[dict[Criterion, str]] = {c: f"answered_{c.value}" for c in Criterion}
ROLLUP_POINTS: Final[dict[Criterion, str]] = {c: f"points_{c.value}" for c in Criterion}
ROLLUP_KEPT: Final[dict[Criterion, str]] = {c: f"kept_{c.value}" for c in Criterion}
ROLLUP_KNOCKOUTS: Final = ("kept_knockout_kann", "kept_knockout_will")
# Beside every count the dashboard perturbs (trp_core.privacy.cellkey), the sum of the record keys of
# the responses it counts: a count column -> its key-sum column. Key sums add over atoms like counts.
ROLLUP_KEYS: Final[dict[str, str]] = {
    "n": "keys",
    **{kept: f"keys_{kept}" for kept in (*ROLLUP_KEPT.values(), *ROLLUP_KNOCKOUTS)},
}


class _Atom:
    # Clustered by the key on SQLite: a dashboard reads a range of it, row after row.
    __table_args__ = ({"sqlite_with_rowid": False},)

    method_version: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(SURVEY_ID_LENGTH), primary_key=True)
    survey_version: Mapped[str] = mapped_column(String(VERSION_LENGTH), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    lang: Mapped[str] = mapped_column(String(2), primary_key=True)
    tag: Mapped[str] = mapped_column(String(EVENT_LENGTH), primary_key=True)


class RollupVersion(Base):
    """A survey version whose responses the roll-ups count, and the thresholds its cells and keep-out
    counts were counted with. A version without a row here is read from the responses."""

    __tablename__ = "rollup_versions"

    survey_id: Mapped[str] = mapped_column(String(SURVEY_ID_LENGTH), primary_key=True)
    survey_version: Mapped[str] = mapped_column(String(VERSION_LENGTH), primary_key=True)
    kann: Mapped[float] = mapped_column(Double)
    will: Mapped[float] = mapped_column(Double)


class RollupQuadrant(_Atom, Base):
    """Per atom and quadrant: responses; per criterion the responses that answered it and the sum of
    their points; per criterion and knock-out the responses it keeps out of "held" (reads.keep_out)."""

    __tablename__ = "rollup_quadrants"

    quadrant: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int]
    answered_customer_base: Mapped[int]
    answered_staff: Mapped[int]
    answered_competence: Mapped[int]
    answered_reputation: Mapped[int]
    answered_decision_access: Mapped[int]
    answered_low_investment: Mapped[int]
    answered_fast_start: Mapped[int]
    answered_low_risk: Mapped[int]
    answered_break_even: Mapped[int]
    answered_sees_attractiveness: Mapped[int]
    answered_sees_lucrativeness: Mapped[int]
    answered_strategy_fit: Mapped[int]
    answered_timing: Mapped[int]
    points_customer_base: Mapped[float] = mapped_column(Double)
    points_staff: Mapped[float] = mapped_column(Double)
    points_competence: Mapped[float] = mapped_column(Double)
    points_reputation: Mapped[float] = mapped_column(Double)
    points_decision_access: Mapped[float] = mapped_column(Double)
    points_low_investment: Mapped[float] = mapped_column(Double)
    points_fast_start: Mapped[float] = mapped_column(Double)
    points_low_risk: Mapped[float] = mapped_column(Double)
    points_break_even: Mapped[float] = mapped_column(Double)
    points_sees_attractiveness: Mapped[float] = mapped_column(Double)
    points_sees_lucrativeness: Mapped[float] = mapped_column(Double)
    points_strategy_fit: Mapped[float] = mapped_column(Double)
    points_timing: Mapped[float] = mapped_column(Double)
    kept_customer_base: Mapped[int]
    kept_staff: Mapped[int]
    kept_competence: Mapped[int]
    kept_reputation: Mapped[int]
    kept_decision_access: Mapped[int]
    kept_low_investment: Mapped[int]
    kept_fast_start: Mapped[int]
    kept_low_risk: Mapped[int]
    kept_break_even: Mapped[int]
    kept_sees_attractiveness: Mapped[int]
    kept_sees_lucrativeness: Mapped[int]
    kept_strategy_fit: Mapped[int]
    kept_timing: Mapped[int]
    kept_knockout_kann: Mapped[int]
    kept_knockout_will: Mapped[int]
    keys: Mapped[int]  # the key sums beside n and the kept counts (ROLLUP_KEYS)
    keys_kept_customer_base: Mapped[int]
    keys_kept_staff: Mapped[int]
    keys_kept_competence: Mapped[int]
    keys_kept_reputation: Mapped[int]
    keys_kept_decision_access: Mapped[int]
    keys_kept_low_investment: Mapped[int]
    keys_kept_fast_start: Mapped[int]
    keys_kept_low_risk: Mapped[int]
    keys_kept_break_even: Mapped[int]
    keys_kept_sees_attractiveness: Mapped[int]
    keys_kept_sees_lucrativeness: Mapped[int]
    keys_kept_strategy_fit: Mapped[int]
    keys_kept_timing: Mapped[int]
    keys_kept_knockout_kann: Mapped[int]
    keys_kept_knockout_will: Mapped[int]


class RollupCell(_Atom, Base):
    """Per atom: responses per heat-map cell (reads.AxisBins with the version's thresholds); an
    undetermined response in the quadrant "undetermined", cells 0, 0."""

    __tablename__ = "rollup_cells"

    quadrant: Mapped[str] = mapped_column(String(16), primary_key=True)
    kann_cell: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    will_cell: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int]
    keys: Mapped[int]  # the sum of the responses' record keys


class RollupBand(_Atom, Base):
    """Per atom: responses per band of break-even month (reads.break_even_distribution)."""

    __tablename__ = "rollup_bands"

    band: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int]
    keys: Mapped[int]  # the sum of the responses' record keys


ROLLUP_TABLES: Final = (RollupQuadrant, RollupCell, RollupBand)
