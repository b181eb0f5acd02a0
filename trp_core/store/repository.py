"""Writing responses, survey snapshots and funnel counters, and finding them again: one Session per
unit of work. The managers' aggregate reads are in trp_core.store.reads."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, TypeVar

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from trp_core.method.scoring import CRITERIA, Assessment
from trp_core.method.survey import Survey, survey_from_data
from trp_core.method.vocabulary import LANGUAGES, METHOD_VERSION, Axis, Criterion, Quadrant
from trp_core.store.engine import writer
from trp_core.store.models import (
    CRITERION_COLUMNS,
    EVENT_LENGTH,
    KEY_LENGTH,
    RECORD_KEYS,
    STEP_LENGTH,
    FunnelCounter,
    Response,
    SurveySnapshot,
    new_id,
    record_key,
)

NO_EVENT: Final = ""  # no event tag: as a filter (trp_core.store.reads.Filters) and in the funnel counters
FIXED_STEPS: Final = frozenset({"started", "calculator", "completed"})
SECTION_STEP: Final = "step:"  # followed by a section id

# Every column that scoring decides, and the method version it followed: what re-scoring rewrites.
SCORED_COLUMNS: Final = (
    "method_version", "kann_score", "will_score", "kann_coverage", "will_coverage", "kann_passed",
    "will_passed", "kann_borderline", "will_borderline", "kann_knockout", "will_knockout", "quadrant",
    "break_even_month", *CRITERION_COLUMNS.values(),
)  # fmt: skip

_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")
_LOCK_ATTEMPTS: Final = 5
_T = TypeVar("_T")


class CodeInUse(Exception):
    """Another submission already holds this result code; the caller draws a new code and saves again."""


@dataclass(frozen=True, slots=True)
class SaveResult:
    response_id: str
    created: bool  # False: this submission key was stored before, nothing was written


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    hash: str
    survey_id: str
    version: str
    first_seen: date


@dataclass(frozen=True)
class StoredResult:
    """A stored response with the survey it was scored with, enough to show its result again."""

    response_id: str
    survey: Survey  # rebuilt from the snapshot; score(survey, answers) gives the result again
    survey_hash: str
    answers: dict[str, Any]
    lang: str
    event: str | None
    day: date
    quadrant: Quadrant
    kann_score: float | None
    will_score: float | None
    kann_coverage: float
    will_coverage: float
    kann_passed: bool
    will_passed: bool
    kann_borderline: bool
    will_borderline: bool
    kann_knockout: bool
    will_knockout: bool
    break_even_month: int | None
    criteria: dict[Criterion, float | None]
    method_version: int  # the version of the scoring rules the scores above follow


@dataclass(frozen=True, slots=True)
class ScoredRow:
    """A stored response as re-scoring reads it: its answers, its survey snapshot, its score columns."""

    response_id: str
    survey_hash: str
    answers: dict[str, Any]
    columns: dict[str, Any]  # SCORED_COLUMNS as stored


class Store:
    """The app's access to the database. Thread-safe: every call is its own unit of work."""

    def __init__(self, engine: Engine) -> None:
        backend = engine.dialect.name
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
        self.engine = engine
        self._writer = writer(engine)
        self._insert = postgresql.insert if backend == "postgresql" else sqlite.insert
        self._sqlite = backend == "sqlite"
        self._surveys: dict[str, Survey] = {}  # snapshots are immutable: parse each once

    # --- responses ---------------------------------------------------------------------

    def save_response(
        self,
        *,
        survey: Survey,
        assessment: Assessment,
        answers: Mapping[str, Any],
        lang: str,
        event: str | None,
        submission_key: str,
        code_hash: str,
        day: date | None = None,
    ) -> SaveResult:
        """Store a scored answer set once per submission key (a double tap stores one row).

        Raises ValueError for arguments that are a bug of the caller, CodeInUse when another
        submission holds the same result code.
        """
        if assessment.survey.hash != survey.content_hash:
            raise ValueError("the assessment was scored with another survey than the one given")
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
        event = _event(event)
        if not isinstance(submission_key, str) or not 0 < len(submission_key) <= KEY_LENGTH:
            raise ValueError(f"submission_key must be a string of 1 to {KEY_LENGTH} characters")
        if not isinstance(code_hash, str) or not _HEX64.match(code_hash):
            raise ValueError(
                "code_hash must be a SHA-256 digest in lower-case hex (trp_core.method.codes.code_hash)"
            )
        day = day or date.today()
        try:  # what is stored is exactly what will be read back
            stored_answers = json.loads(json.dumps(dict(answers), allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"answers must be JSON data: {exc}") from None
        row = _response_row(survey, assessment, stored_answers, lang, event, day)
        row |= {
            "id": new_id(),
            "submission_key": submission_key,
            "code_hash": code_hash,
            "record_key": record_key(),
        }
        by_key = select(Response.id).where(Response.submission_key == submission_key)
        from trp_core.store import rollups  # it reads with reads.py, which imports this module

        def work() -> SaveResult:
            with Session(self._writer) as s, s.begin():
                existing = s.scalar(by_key)
                if existing is not None:
                    return SaveResult(existing, created=False)
                known = select(SurveySnapshot.hash).where(SurveySnapshot.hash == survey.content_hash)
                if s.scalar(known) is None:
                    # DO NOTHING: a concurrent first save of the same survey has stored it.
                    s.execute(
                        self._insert(SurveySnapshot)
                        .values(_snapshot_row(survey, day))
                        .on_conflict_do_nothing()
                    )
                # No conflict target: a concurrent save with the same key (and so the same
                # code) must not fail on whichever unique index PostgreSQL checks first.
                inserted = s.scalar(
                    self._insert(Response).values(row).on_conflict_do_nothing().returning(Response.id)
                )
                if inserted is not None:
                    # The dashboard's roll-ups count it in the same transaction (trp_core.store.rollups).
                    thresholds = (survey.thresholds.kann, survey.thresholds.will)
                    rollups.add(s, inserted, survey.id, survey.version, thresholds)
                    return SaveResult(inserted, created=True)
                existing = s.scalar(by_key)
                if existing is None:
                    raise CodeInUse("this result code belongs to another submission")
                return SaveResult(existing, created=False)

        return self._retry_if_locked(work)

    def find_by_code_hash(self, code_hash: str) -> StoredResult | None:
        """The response behind a result code, with its survey snapshot; None when unknown."""
        with Session(self.engine) as s, s.begin():
            row = s.scalars(select(Response).where(Response.code_hash == code_hash)).one_or_none()
            if row is None:
                return None
            survey = self._survey(s, row.survey_hash)
            assert survey is not None, "the foreign key guarantees the snapshot"
            return StoredResult(
                response_id=row.id,
                survey=survey,
                survey_hash=row.survey_hash,
                answers=row.answers,
                lang=row.lang,
                event=row.event,
                day=row.day,
                quadrant=Quadrant(row.quadrant),
                kann_score=row.kann_score,
                will_score=row.will_score,
                kann_coverage=row.kann_coverage,
                will_coverage=row.will_coverage,
                kann_passed=row.kann_passed,
                will_passed=row.will_passed,
                kann_borderline=row.kann_borderline,
                will_borderline=row.will_borderline,
                kann_knockout=row.kann_knockout,
                will_knockout=row.will_knockout,
                break_even_month=row.break_even_month,
                criteria={c: getattr(row, CRITERION_COLUMNS[c]) for c in CRITERIA},
                method_version=row.method_version,
            )

    # --- re-scoring ----------------------------------------------------------------------

    def count_to_rescore(self, *, everything: bool = False) -> int:
        """How many responses were scored with an older method version than this one (or all of them).

        One step along the dashboard index, which leads with the method version.
        """
        stmt = select(func.count()).select_from(Response)
        if not everything:
            stmt = stmt.where(Response.method_version < METHOD_VERSION)
        with Session(self.engine) as s, s.begin():
            return int(s.scalar(stmt) or 0)

    def to_rescore(self, *, after: str | None, limit: int, everything: bool = False) -> list[ScoredRow]:
        """The next `limit` responses by id after the id `after` that were scored with an older method
        version (or all), with their score columns as stored."""
        table = Response.__table__.c
        stmt = select(
            Response.id, Response.survey_hash, Response.answers, *(table[c] for c in SCORED_COLUMNS)
        )
        if not everything:
            stmt = stmt.where(Response.method_version < METHOD_VERSION)
        if after is not None:
            stmt = stmt.where(Response.id > after)
        with Session(self.engine) as s, s.begin():
            rows = s.execute(stmt.order_by(Response.id).limit(limit)).all()
        return [
            ScoredRow(id, survey_hash, answers, dict(zip(SCORED_COLUMNS, columns, strict=True)))
            for id, survey_hash, answers, *columns in rows
        ]

    def write_scores(self, scores: Mapping[str, Mapping[str, Any]]) -> None:
        """Replace the score columns (SCORED_COLUMNS) of these responses, by id, in one transaction."""
        if not scores:
            return
        rows = [{"id": response_id, **columns} for response_id, columns in scores.items()]
        ids = sorted(scores)
        from trp_core.store import rollups  # it reads with reads.py, which imports this module

        def work() -> None:
            with Session(self._writer) as s, s.begin():
                # The roll-ups lose what these responses counted and gain what they count now.
                where = [Response.id.in_(ids)]
                present = set(s.execute(select(Response.survey_id, Response.survey_version).where(*where)))
                versions = {v: t for v, t in rollups.covered(s).items() if v in present}
                before = rollups.contents_of(s, where, versions)
                s.execute(update(Response), rows)
                rollups.rescored(s, before, rollups.contents_of(s, where, versions))

        self._retry_if_locked(work)

    # --- survey snapshots --------------------------------------------------------------

    def snapshot(self, hash: str) -> Survey | None:
        """The survey content with this hash, as it was when responses were scored with it."""
        with Session(self.engine) as s, s.begin():
            return self._survey(s, hash)

    def snapshots(self, survey_id: str | None = None) -> list[SnapshotInfo]:
        """The survey contents seen so far, oldest first."""
        stmt = select(
            SurveySnapshot.hash, SurveySnapshot.survey_id, SurveySnapshot.version, SurveySnapshot.first_seen
        ).order_by(SurveySnapshot.survey_id, SurveySnapshot.first_seen, SurveySnapshot.version)
        if survey_id is not None:
            stmt = stmt.where(SurveySnapshot.survey_id == survey_id)
        with Session(self.engine) as s, s.begin():
            return [SnapshotInfo(*r) for r in s.execute(stmt)]

    def _survey(self, s: Session, hash: str) -> Survey | None:
        survey = self._surveys.get(hash)
        if survey is None:
            content = s.scalar(select(SurveySnapshot.content).where(SurveySnapshot.hash == hash))
            if content is None:
                return None
            survey = self._surveys[hash] = survey_from_data(content, f"survey snapshot {hash[:12]}")
        return survey

    # --- funnel counters ---------------------------------------------------------------

    def count(
        self,
        survey_id: str,
        event: str | None,
        step: str | Sequence[str],
        day: date | None = None,
        key: int | None = None,
    ) -> None:
        """Count one session at a step, or at each of several, in one transaction.

        Steps: "started", "step:<section id>", "calculator", "completed"; `event` None for none.
        `key`: the session's record key (0..255), added to the key sum of every step it reaches
        (trp_core.privacy.cellkey); a fresh random one when not given (one session, counted once).
        """
        when = day or date.today()
        names = [step] if isinstance(step, str) else list(step)
        session_key = record_key() if key is None else key
        counts = Counter((survey_id, event, when, name) for name in names)
        self.add_counts(counts, {counter: n * session_key for counter, n in counts.items()})

    def add_counts(
        self,
        counts: Mapping[tuple[str, str | None, date, str], int],
        keys: Mapping[tuple[str, str | None, date, str], int] | None = None,
    ) -> None:
        """Add to funnel counters, keyed (survey id, event or None, day, step), all in one transaction.

        `keys`: per counter, the sum of the record keys of the sessions counted (trp_core.privacy.cellkey);
        for a counter it does not name, each session counted gets a fresh random key."""
        statements = []
        for counter, added in counts.items():
            survey_id, event, day, name = counter
            check_funnel_step(event, name)
            if not isinstance(added, int) or added < 1:
                raise ValueError(f"a funnel counter grows by a positive whole number, not {added!r}")
            given = None if keys is None else keys.get(counter)
            if given is not None and (not isinstance(given, int) or given < 0):
                raise ValueError(f"a key sum is a whole number of at least 0, not {given!r}")
            key_sum = sum(record_key() for _ in range(added)) if given is None else given
            key = {"survey_id": survey_id, "event": _event(event) or NO_EVENT, "day": day, "step": name}
            stmt = self._insert(FunnelCounter).values(**key, count=added, keys=key_sum % RECORD_KEYS)
            columns = FunnelCounter.__table__.c
            statements.append(
                stmt.on_conflict_do_update(
                    index_elements=["survey_id", "event", "day", "step"],
                    set_={
                        "count": columns["count"] + stmt.excluded["count"],
                        "keys": (columns["keys"] + stmt.excluded["keys"]) % RECORD_KEYS,
                    },
                )
            )
        if not statements:
            return

        def work() -> None:
            with Session(self._writer) as s, s.begin():
                for stmt in statements:
                    s.execute(stmt)

        self._retry_if_locked(work)

    # --- helpers -----------------------------------------------------------------------

    def _retry_if_locked(self, work: Callable[[], _T]) -> _T:
        """Run a write; on SQLite, try again briefly should the busy timeout run out all the same."""
        attempt = 0
        while True:
            try:
                return work()
            except OperationalError as exc:
                attempt += 1
                if not (self._sqlite and _locked(exc)) or attempt == _LOCK_ATTEMPTS:
                    raise
            time.sleep(0.05 * 2**attempt)


def check_funnel_step(event: str | None, step: str) -> None:
    """Raise ValueError for a funnel step or event tag that no counter takes."""
    if not (step in FIXED_STEPS or (step.startswith(SECTION_STEP) and len(step) <= STEP_LENGTH)):
        raise ValueError(f"unknown funnel step {step!r}")
    _event(event)


def _locked(exc: OperationalError) -> bool:
    message = str(exc.orig)
    return isinstance(exc.orig, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


def _event(event: str | None) -> str | None:
    if event is None or event == NO_EVENT:
        return None
    if not isinstance(event, str) or len(event) > EVENT_LENGTH:
        raise ValueError(f"an event tag is a string of at most {EVENT_LENGTH} characters")
    return event


def _snapshot_row(survey: Survey, day: date) -> dict[str, Any]:
    return {
        "hash": survey.content_hash,
        "survey_id": survey.id,
        "version": survey.version,
        "content": survey.model_dump(mode="json"),
        "first_seen": day,
    }


def _response_row(
    survey: Survey, assessment: Assessment, answers: dict[str, Any], lang: str, event: str | None, day: date
) -> dict[str, Any]:
    return {
        "survey_id": survey.id,
        "survey_version": survey.version,
        "survey_hash": survey.content_hash,
        "lang": lang,
        "event": event,
        "day": day,
        "answers": answers,
        **scored_columns(assessment),
    }


def scored_columns(assessment: Assessment) -> dict[str, Any]:
    """The stored columns an Assessment decides (SCORED_COLUMNS), scored with this METHOD_VERSION."""
    kann, will = assessment.axes[Axis.KANN], assessment.axes[Axis.WILL]
    return {
        "method_version": METHOD_VERSION,
        "kann_score": kann.score,
        "will_score": will.score,
        "kann_coverage": kann.coverage,
        "will_coverage": will.coverage,
        "kann_passed": kann.passed,
        "will_passed": will.passed,
        "kann_borderline": kann.borderline,
        "will_borderline": will.borderline,
        "kann_knockout": bool(kann.knockouts),
        "will_knockout": bool(will.knockouts),
        "quadrant": assessment.quadrant.value,
        "break_even_month": assessment.breakeven.break_even_month if assessment.breakeven else None,
        # An unanswered criterion is stored as NULL: the calibration matrix reads it as unanswered.
        **{CRITERION_COLUMNS[c]: r.score if r.answered else None for c, r in assessment.criteria.items()},
    }
