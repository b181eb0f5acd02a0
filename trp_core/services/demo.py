"""Realistic synthetic responses, scored by the core, for demonstrations and benchmarks (`trp demo seed`).

Respondents follow a few profiles (strong and willing, able but hesitant, keen but weak, neither,
and some who answer too little), so the quadrants come out in a plausible mix. A pool of distinct
answer sets is scored with `trp_core.method.scoring.score`; the stored rows draw from that pool with their
own language, event, day, submission key and result code hash, and are written in bulk (COPY on
PostgreSQL, executemany in chunks on SQLite). The funnel counters are filled in to match, and each
event slug given becomes a tag (trp_core.services.tags) when there is none of that slug.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from trp_core.method.breakeven import FRACTION_INPUTS, INTEGER_INPUTS
from trp_core.method.scoring import DONT_KNOW, score
from trp_core.method.survey import (
    ChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    Survey,
    TextQuestion,
    YesNoQuestion,
)
from trp_core.method.vocabulary import METHOD_VERSION, Axis
from trp_core.services.tags import ensure as ensure_tag

CHUNK: Final = 20_000
CHECKPOINT_EVERY: Final = 5  # chunks; SQLite's log keeps every version of a page until then
POOL: Final = 20_000  # distinct answer sets scored per survey (at most the number of responses)


@dataclass(frozen=True)
class Profile:
    """A kind of respondent: how able (kann) and how willing (will) he is, on 0..1, and how much he answers."""

    name: str
    share: float
    kann: float
    will: float
    answer_rate: float = 0.95


PROFILES: Final = (
    Profile("hero", 0.16, 0.80, 0.80),
    Profile("candidate", 0.24, 0.78, 0.35),
    Profile("vampire", 0.20, 0.30, 0.80),
    Profile("shadow", 0.30, 0.28, 0.30),
    Profile("sparse", 0.10, 0.50, 0.50, answer_rate=0.25),
)
SPREAD: Final = 0.16  # how far a respondent strays from his profile
TEXTS: Final = {
    "de": ["Mehr Vorverkaufsunterstützung", "Ein Demosystem", "Schulungen vor Ort", "Bessere Margen",
           "Klare Gebietsregeln", "Marketingmittel für den Start"],
    "en": ["More presales support", "A demo system", "On-site training", "Better margins",
           "Clear territory rules", "Launch marketing funds"],
}  # fmt: skip
# Calculator inputs where more is better for the partner; for the others less is better.
MORE_IS_BETTER: Final = frozenset(
    {"vendor_funding", "deals_per_month", "deal_value", "margin", "rebate", "services_share",
     "onboarding_fee", "services_margin"}
)  # fmt: skip


def _clamp(x: float, low: float = 0.0, high: float = 1.0) -> float:
    return low if x < low else high if x > high else x


def _candidates(q: Any) -> list[Any]:
    """The possible answers of a scored question, from fewest to most points."""
    if isinstance(q, ChoiceQuestion):
        return [o.id for o in sorted(q.options, key=lambda o: o.points)]
    if isinstance(q, ScaleQuestion):
        values = list(range(1, q.steps + 1))
        return values[::-1] if q.reverse else values
    if isinstance(q, YesNoQuestion):
        return sorted([True, False], key=lambda v: (q.yes if v else q.no).points)
    if isinstance(q, NumberQuestion):
        steps = max(1, int((q.max - q.min) / q.step))
        grid = sorted({round(q.min + round(i * steps / 20) * q.step, 6) for i in range(21)})
        return sorted(grid, key=q.points)
    raise TypeError(type(q).__name__)


class AnswerMaker:
    """Answer sets of one survey for a respondent of a given ability and will."""

    def __init__(self, survey: Survey):
        self.survey = survey
        self.questions = [
            (q, s.axis, None if isinstance(q, TextQuestion) else _candidates(q))
            for s in survey.ordered_sections
            for q in s.questions
        ]

    def answers(self, rng: random.Random, profile: Profile, lang: str) -> dict[str, Any]:
        level = {
            Axis.KANN: _clamp(rng.gauss(profile.kann, SPREAD)),
            Axis.WILL: _clamp(rng.gauss(profile.will, SPREAD)),
        }
        out: dict[str, Any] = {}
        for q, axis, options in self.questions:
            if options is None:
                if rng.random() < 0.2:
                    out[q.id] = rng.choice(TEXTS[lang])
                continue
            if rng.random() >= profile.answer_rate:
                continue
            if q.dont_know and rng.random() < 0.04:
                out[q.id] = DONT_KNOW
                continue
            u = _clamp(rng.gauss(level[axis], 0.2))
            out[q.id] = options[min(len(options) - 1, int(u * len(options)))]
        calc = self.survey.calculator
        if calc is not None and rng.random() < profile.answer_rate:
            u = level[Axis.KANN]
            for name in calc.asked:
                out[name] = self._figure(name, u, rng)
        return out

    def _figure(self, name: str, u: float, rng: random.Random) -> float | int:
        """A calculator input near the survey's default: better for able respondents, worse for others."""
        spec = self.survey.calculator.inputs[name]
        good = (u - 0.5) * 2 + rng.gauss(0, 0.35)  # about -1.7 .. 1.7
        if name in INTEGER_INPUTS:
            value = spec.default - round(good * 2)
        else:
            sign = 1 if name in MORE_IS_BETTER else -1
            value = spec.default * 2 ** (sign * good)
        steps = round((_clamp(value, spec.min, spec.max) - spec.min) / spec.step)
        value = _clamp(spec.min + steps * spec.step, spec.min, spec.max)
        if name in INTEGER_INPUTS:
            return int(value)
        return round(value, 4) if name in FRACTION_INPUTS else round(value, 2)


def _profile(rng: random.Random) -> Profile:
    x = rng.random()
    for p in PROFILES:
        x -= p.share
        if x < 0:
            return p
    return PROFILES[-1]


# The response columns a pool entry fixes, in this order, after the answers.
SCORE_COLUMNS: Final = (
    "kann_score", "will_score", "kann_coverage", "will_coverage", "kann_passed", "will_passed",
    "kann_borderline", "will_borderline", "kann_knockout", "will_knockout", "quadrant", "break_even_month",
)  # fmt: skip


def scored_pool(survey: Survey, size: int, rng: random.Random) -> list[tuple[str, str, tuple[Any, ...]]]:
    """`size` answer sets with their language, the answers as JSON and the stored score columns."""
    from trp_core.method.vocabulary import Criterion

    maker = AnswerMaker(survey)
    pool = []
    for _ in range(size):
        lang = "de" if rng.random() < 0.6 else "en"
        answers = maker.answers(rng, _profile(rng), lang)
        a = score(survey, answers)
        kann, will = a.axes[Axis.KANN], a.axes[Axis.WILL]
        fixed = (
            kann.score, will.score, kann.coverage, will.coverage, kann.passed, will.passed,
            kann.borderline, will.borderline, bool(kann.knockouts), bool(will.knockouts),
            a.quadrant.value, a.breakeven.break_even_month if a.breakeven else None,
            *(a.criteria[c].score if a.criteria[c].answered else None for c in Criterion),
        )  # fmt: skip
        pool.append((lang, json.dumps(answers, ensure_ascii=False), fixed))
    return pool


@dataclass(frozen=True)
class Seeded:
    responses: int
    seconds: float
    quadrants: dict[str, int]


def seed(
    engine: Any,
    surveys: Sequence[Survey],
    responses: int,
    *,
    events: Sequence[str | None] = (None,),
    days: int = 180,
    seed: int | None = None,
    today: date | None = None,
    pool: int = POOL,
    progress: Callable[[int], None] | None = None,
) -> Seeded:
    """Write `responses` synthetic responses, spread over the surveys, the events and the last `days` days."""
    from trp_core.store.models import Response

    rng = random.Random(seed)
    today = today or date.today()
    started = time.perf_counter()
    pools = {s.id: scored_pool(s, max(1, min(pool, responses)), rng) for s in surveys}
    _snapshots(engine, surveys, today - timedelta(days=days))
    for slug in dict.fromkeys(e for e in events if e is not None):  # a tag of that slug, made if missing
        ensure_tag(engine, slug, surveys[0].id, since=today - timedelta(days=days))
    table = Response.__table__
    columns = [c.name for c in table.columns]  # the table's order, as INSERT and COPY list them
    expected = {"id", "survey_id", "survey_version", "survey_hash", "lang", "event", "day", "answers",
                "method_version", *SCORE_COLUMNS, "submission_key", "code_hash"}  # fmt: skip
    assert expected <= set(columns), "the responses table changed: update trp_core.services.demo"
    postgres = engine.dialect.name == "postgresql"
    # Each pool entry as the values of the score and criterion columns, in the driver's types.
    fixed_names = [*SCORE_COLUMNS, *(c for c in columns if c.startswith("c_"))]
    flags = {i for i, c in enumerate(fixed_names) if c.endswith(("_passed", "_borderline", "_knockout"))}
    entries = {
        sid: [(lang, answers, tuple(int(v) if i in flags and not postgres else v for i, v in enumerate(fixed)))
              for lang, answers, fixed in entries]
        for sid, entries in pools.items()
    }  # fmt: skip
    position = {name: i for i, name in enumerate(columns)}
    fixed_at = [position[c] for c in fixed_names]
    counts: Counter[tuple[str, str, date]] = Counter()
    quadrants: Counter[str] = Counter()
    # More responses lately than at the start of the period, as a campaign gains reach.
    weights = [1 + i / max(1, days) for i in range(days + 1)]
    day_list = [today - timedelta(days=days - i) for i in range(days + 1)]
    day_value = {d: d if postgres else d.isoformat() for d in day_list}
    quadrant_at = SCORE_COLUMNS.index("quadrant")
    insert = _copy if postgres else _insert_many
    written = 0
    while written < responses:
        n = min(CHUNK, responses - written)
        rows: list[tuple[Any, ...]] = []
        for d in rng.choices(day_list, weights=weights, k=n):
            survey = surveys[rng.randrange(len(surveys))]
            choices = entries[survey.id]
            lang, answers, fixed = choices[rng.randrange(len(choices))]
            event = events[rng.randrange(len(events))]
            token = os.urandom(16).hex()
            row: list[Any] = [None] * len(columns)
            row[position["id"]] = token
            row[position["survey_id"]] = survey.id
            row[position["survey_version"]] = survey.version
            row[position["survey_hash"]] = survey.content_hash
            row[position["lang"]] = lang
            row[position["event"]] = event
            row[position["day"]] = day_value[d]
            row[position["answers"]] = answers
            row[position["method_version"]] = METHOD_VERSION
            row[position["submission_key"]] = "demo-" + token
            row[position["code_hash"]] = hashlib.sha256(token.encode()).hexdigest()
            for at, value in zip(fixed_at, fixed, strict=True):
                row[at] = value
            rows.append(tuple(row))
            counts[(survey.id, event or "", d)] += 1
            quadrants[fixed[quadrant_at]] += 1
        insert(engine, table, columns, rows)
        written += n
        if not postgres and written % (CHECKPOINT_EVERY * CHUNK) == 0:
            _checkpoint(engine)
        if progress is not None:
            progress(written)
    if not postgres:
        _checkpoint(engine)
        with engine.connect() as conn:
            conn.connection.dbapi_connection.execute("PRAGMA wal_autocheckpoint = 1000")
    _funnel(engine, surveys, counts, rng)
    from trp_core.store.rollups import rebuild as rebuild_rollups

    rebuild_rollups(engine, [s.id for s in surveys])  # the dashboard's roll-ups, once for every row
    if postgres:  # statistics for the planner, and the visibility map for index-only scans
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE responses")
    return Seeded(written, time.perf_counter() - started, dict(quadrants))


def _snapshots(engine: Any, surveys: Sequence[Survey], first_seen: date) -> None:
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.orm import Session

    from trp_core.store.engine import writer
    from trp_core.store.models import SurveySnapshot

    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    with Session(writer(engine)) as s, s.begin():
        for survey in surveys:
            row = {
                "hash": survey.content_hash,
                "survey_id": survey.id,
                "version": survey.version,
                "content": survey.model_dump(mode="json"),
                "first_seen": first_seen,
            }
            s.execute(insert(SurveySnapshot).values(row).on_conflict_do_nothing())


def _insert_many(engine: Any, table: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """executemany with the rows already in the driver's types: no per-value processing."""
    from trp_core.store.engine import writer

    statement = table.insert().compile(dialect=engine.dialect)
    assert list(statement.positiontup) == columns
    with writer(engine).connect() as conn:
        # Outside the transaction: a large page cache keeps the random-key indexes (id, submission
        # key, code hash) in memory; demo data may lose its last chunks on a power cut (WAL keeps
        # the file sound) rather than wait for an fsync and a checkpoint per chunk.
        dbapi = conn.connection.dbapi_connection
        dbapi.execute("PRAGMA cache_size = -524288")
        dbapi.execute("PRAGMA synchronous = NORMAL")
        dbapi.execute("PRAGMA wal_autocheckpoint = 0")
        with conn.begin():
            conn.exec_driver_sql(str(statement), rows)


def _checkpoint(engine: Any) -> None:
    """Move the write-ahead log into the database file and empty it."""
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        dbapi.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _copy(engine: Any, table: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL's COPY: an order of magnitude faster than INSERT for bulk loads."""
    names = ", ".join(engine.dialect.identifier_preparer.quote(c) for c in columns)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _funnel(
    engine: Any, surveys: Sequence[Survey], completed: Counter[tuple[str, str, date]], rng: random.Random
) -> None:
    """Counters that fit the completions: more sessions started than finished, fewer at each step."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.orm import Session

    from trp_core.method.figures import funnel_steps
    from trp_core.store.engine import writer
    from trp_core.store.models import FunnelCounter

    by_id = {s.id: s for s in surveys}
    rows = []
    for (survey_id, event, d), done in completed.items():
        steps = funnel_steps(by_id[survey_id])
        # Each step keeps 85–97 % of the sessions of the step before, ending at the completions.
        keep = [rng.uniform(0.85, 0.97) for _ in steps[1:]]
        reached = float(done)
        counts = [done]
        for share in reversed(keep):
            reached /= share
            counts.append(math.ceil(reached))
        counts.reverse()
        for step, n in zip(steps, counts, strict=True):
            rows.append({"survey_id": survey_id, "event": event, "day": d, "step": step, "count": n})
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(FunnelCounter)
    stmt = stmt.on_conflict_do_update(
        index_elements=["survey_id", "event", "day", "step"],
        set_={"count": FunnelCounter.__table__.c["count"] + stmt.excluded["count"]},
    )
    with Session(writer(engine)) as s, s.begin():
        for i in range(0, len(rows), 5_000):
            s.execute(stmt, rows[i : i + 5_000])
