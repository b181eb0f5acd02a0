"""Realistic synthetic responses, scored by the core, for demonstrations and benchmarks (`trp demo seed`).

Respondents follow a few profiles (strong and willing, able but hesitant, keen but weak, neither,
and some who answer too little), so the quadrants come out in a plausible mix. A pool of distinct
answer sets per survey is drawn at once (numpy) and scored by the method's many-responses path
(`encode`, `score_matrix`: equal to `score` row by row); the stored rows draw from that pool with
their own language, event, day, id, submission key and result code hash, in the shape of a
submitted row, and are written in bulk: COPY on PostgreSQL, one executemany per chunk of 20 000 on
SQLite, each chunk one transaction, written while the next one is made. The funnel counters are
filled in to match, and each event slug given becomes a tag (trp_core.services.tags) when there is
none of that slug. What is derived from all rows is done once at the end (`_after_bulk_load`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import numpy as np

from trp_core.method.breakeven import FRACTION_INPUTS, INTEGER_INPUTS
from trp_core.method.codes import ALPHABET
from trp_core.method.scoring import CRITERIA, DONT_KNOW, QUADRANT_CODES, encode, score_matrix
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
# Distinct answer sets scored per survey: each stored response draws one from its survey's pool. A
# tenth of the responses (at least 2 000, at most POOL), so that scoring (the break-even model
# runs once per set of figures) stays a small part of a seeding of any size.
POOL: Final = 20_000
MIN_POOL: Final = 2_000
REUSE: Final = 10


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
    """Answer sets of one survey for respondents of given ability and will, many at a time (numpy)."""

    def __init__(self, survey: Survey):
        self.survey = survey
        self.questions = [
            (q, s.axis, None if isinstance(q, TextQuestion) else _candidates(q))
            for s in survey.ordered_sections
            for q in s.questions
        ]

    def many(self, gen: np.random.Generator, n: int) -> list[tuple[str, dict[str, Any]]]:
        """`n` respondents drawn from PROFILES: each one's language and answers, as a visitor submits them."""
        shares = np.array([p.share for p in PROFILES])
        profile = gen.choice(len(PROFILES), size=n, p=shares / shares.sum())
        rate = np.array([p.answer_rate for p in PROFILES])[profile]
        level = {
            Axis.KANN: np.clip(gen.normal(np.array([p.kann for p in PROFILES])[profile], SPREAD), 0, 1),
            Axis.WILL: np.clip(gen.normal(np.array([p.will for p in PROFILES])[profile], SPREAD), 0, 1),
        }
        german = gen.random(n) < 0.6
        columns: list[tuple[str, list[Any]]] = []  # per question: each respondent's answer, None if none
        for q, axis, options in self.questions:
            if options is None:
                texts = np.array([TEXTS["en"], TEXTS["de"]], dtype=object)
                values = texts[german.astype(int), gen.integers(0, texts.shape[1], n)]
                values[gen.random(n) >= 0.2] = None
            else:
                u = np.clip(gen.normal(level[axis], 0.2), 0, 1)
                pick = np.minimum(len(options) - 1, (u * len(options)).astype(int))
                values = np.array(options, dtype=object)[pick]
                answered = gen.random(n) < rate
                if q.dont_know:
                    values[answered & (gen.random(n) < 0.04)] = DONT_KNOW
                values[~answered] = None
            columns.append((q.id, values.tolist()))
        calc = self.survey.calculator
        if calc is not None:
            typed = gen.random(n) < rate
            for name in calc.asked:
                values = np.array(self._figures(name, level[Axis.KANN], gen), dtype=object)
                values[~typed] = None
                columns.append((name, values.tolist()))
        langs = np.where(german, "de", "en").tolist()
        return [
            (lang, {qid: v for qid, values in columns if (v := values[i]) is not None})
            for i, lang in enumerate(langs)
        ]

    def _figures(self, name: str, u: np.ndarray, gen: np.random.Generator) -> list[float | int]:
        """A calculator input near the survey's default: better for able respondents, worse for others."""
        spec = self.survey.calculator.inputs[name]
        good = (u - 0.5) * 2 + gen.normal(0, 0.35, len(u))  # about -1.7 .. 1.7
        if name in INTEGER_INPUTS:
            value = spec.default - np.round(good * 2)
        else:
            sign = 1 if name in MORE_IS_BETTER else -1
            value = spec.default * 2 ** (sign * good)
        steps = np.round((np.clip(value, spec.min, spec.max) - spec.min) / spec.step)
        value = np.clip(spec.min + steps * spec.step, spec.min, spec.max).tolist()
        if name in INTEGER_INPUTS:
            return [int(v) for v in value]
        digits = 4 if name in FRACTION_INPUTS else 2
        return [round(v, digits) for v in value]


# The response columns a pool entry fixes besides its language and answers: what scoring decides.
SCORE_COLUMNS: Final = (
    "kann_score", "will_score", "kann_coverage", "will_coverage", "kann_passed", "will_passed",
    "kann_borderline", "will_borderline", "kann_knockout", "will_knockout", "quadrant", "break_even_month",
)  # fmt: skip
_QUADRANT_OF_CODE: Final = {code: q.value for q, code in QUADRANT_CODES.items()}


def scored_pool(survey: Survey, size: int, gen: np.random.Generator) -> list[tuple[str, str, dict[str, Any]]]:
    """`size` answer sets: their language, the answers as stored JSON, and the stored score columns.

    Scored all at once by the method's many-responses path (`encode`, `score_matrix`), which equals
    `score` row by row; the columns are those `scored_columns` stores for a submitted response.
    """
    from trp_core.store.models import CRITERION_COLUMNS

    sets = AnswerMaker(survey).many(gen, size)
    answer_sets = [answers for _, answers in sets]
    matrix = encode(survey, answer_sets)
    batch = score_matrix(survey, matrix)
    month = matrix.break_even_month
    columns: dict[str, list[Any]] = {
        "kann_score": batch.kann.tolist(),
        "will_score": batch.will.tolist(),
        "kann_coverage": batch.kann_coverage.tolist(),
        "will_coverage": batch.will_coverage.tolist(),
        "kann_passed": batch.kann_passed.tolist(),
        "will_passed": batch.will_passed.tolist(),
        "kann_borderline": batch.kann_borderline.tolist(),
        "will_borderline": batch.will_borderline.tolist(),
        "kann_knockout": matrix.knockout[Axis.KANN].tolist(),
        "will_knockout": matrix.knockout[Axis.WILL].tolist(),
        "quadrant": [_QUADRANT_OF_CODE[c] for c in batch.quadrant.tolist()],
        "break_even_month": [None if math.isnan(m) else int(m) for m in month.tolist()],
    }
    for c, criterion in enumerate(CRITERIA):  # NULL when unanswered, as a submitted response has it
        columns[CRITERION_COLUMNS[criterion]] = [
            None if math.isnan(v) else v for v in matrix.scores[:, c].tolist()
        ]
    names = list(columns)
    rows = zip(*columns.values(), strict=True)
    # The answers as the store's JSON column writes them (json.dumps with its defaults).
    return [
        (lang, json.dumps(answers), dict(zip(names, row, strict=True)))
        for (lang, answers), row in zip(sets, rows, strict=True)
    ]


def result_codes(n: int) -> list[str]:
    """`n` random result codes as `new_code` makes them (80 random bits, Crockford's alphabet, grouped),
    from one call for random bytes: base32 of 10 bytes is 16 characters, mapped onto the alphabet."""
    raw = base64.b32encode(os.urandom(10 * n)).decode("ascii").translate(_CROCKFORD)
    return [f"{raw[i:i + 4]}-{raw[i + 4:i + 8]}-{raw[i + 8:i + 12]}-{raw[i + 12:i + 16]}" for i in range(0, 16 * n, 16)]  # fmt: skip


_CROCKFORD: Final = str.maketrans(dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET, strict=True)))
_VARIANT: Final = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def random_ids(n: int) -> list[str]:
    """`n` ids in the shape of `uuid.uuid4().hex` (version 4, RFC 4122 variant), from one call for bytes."""
    raw = os.urandom(16 * n).hex()
    return [
        f"{h[:12]}4{h[13:16]}{_VARIANT[h[16]]}{h[17:]}"
        for h in (raw[i : i + 32] for i in range(0, 32 * n, 32))
    ]


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
    """Write `responses` synthetic responses, spread over the surveys, the events and the last `days` days.

    Each stored row has the shape of a submitted one (trp_core.store.repository.save_response): an
    id and a submission key like uuid4's, the SHA-256 of a valid result code (the code itself is
    thrown away), the answers as JSON, and the score columns of this method version.
    """
    from trp_core.store.models import Response

    rng = random.Random(seed)
    gen = np.random.default_rng(rng.getrandbits(64))
    today = today or date.today()
    started = time.perf_counter()
    size = min(pool, max(min(responses, MIN_POOL), responses // REUSE))
    pools = {s.id: scored_pool(s, size, gen) for s in surveys}
    _snapshots(engine, surveys, today - timedelta(days=days))
    for slug in dict.fromkeys(e for e in events if e is not None):  # a tag of that slug, made if missing
        ensure_tag(engine, slug, surveys[0].id, since=today - timedelta(days=days))
    table = Response.__table__
    columns = [c.name for c in table.columns]  # the table's order, as INSERT and COPY list them
    per_row = ("id", "event", "day", "submission_key", "code_hash", "record_key")
    expected = {"survey_id", "survey_version", "survey_hash", "lang", "answers", "method_version",
                *per_row, *next(iter(pools.values()))[0][2]}  # fmt: skip
    assert expected == set(columns), "the responses table changed: update trp_core.services.demo"
    postgres = engine.dialect.name == "postgresql"
    # Per survey, each pool entry as a whole row in the table's column order, in the driver's
    # types; a stored row is a copy with its own id, event, day, submission key and code hash.
    templates: list[list[list[Any]]] = []
    quadrant_codes: list[list[str]] = []
    for survey in surveys:
        rows, quadrants_of = [], []
        for lang, answers, scored in pools[survey.id]:
            values = {
                "survey_id": survey.id, "survey_version": survey.version, "survey_hash": survey.content_hash,
                "lang": lang, "answers": answers, "method_version": METHOD_VERSION, **scored,
            }  # fmt: skip
            if not postgres:  # SQLite's driver takes booleans as integers
                values = {k: int(v) if isinstance(v, bool) else v for k, v in values.items()}
            rows.append([values.get(c) for c in columns])
            quadrants_of.append(scored["quadrant"])
        templates.append(rows)
        quadrant_codes.append(quadrants_of)
    at = [columns.index(c) for c in per_row]
    # More responses lately than at the start of the period, as a campaign gains reach.
    weights = np.array([1 + i / max(1, days) for i in range(days + 1)])
    day_list = [today - timedelta(days=days - i) for i in range(days + 1)]
    day_values = [d if postgres else d.isoformat() for d in day_list]
    insert = _copy if postgres else _insert_many

    checkpoints: list[Future[None]] = []

    def write(rows: list[tuple[Any, ...]], done: int) -> int:
        insert(engine, table, columns, rows)
        if not postgres:  # SQLite: its log is copied into the file while the next chunk is written
            checkpoints.append(checkpoint_thread.submit(_checkpoint, engine, "PASSIVE"))
        return done

    # SQLite has one writer at a time; PostgreSQL's server takes two COPYs side by side.
    writers, chunk = (2, CHUNK // 2) if postgres else (1, CHUNK)
    counts: Counter[tuple[int, int, int]] = Counter()  # (survey, event, day) positions
    quadrants: Counter[str] = Counter()
    sizes = np.array([len(t) for t in templates])
    written = 0
    # The next chunk is made while the database writes the last ones (the drivers release the GIL).
    with (
        ThreadPoolExecutor(writers, thread_name_prefix="seed-writer") as writer_thread,
        ThreadPoolExecutor(1, thread_name_prefix="seed-checkpoint") as checkpoint_thread,
    ):
        pending: list[Future[int]] = []
        while written < responses:
            n = min(chunk, responses - written)
            survey_at = gen.integers(0, len(surveys), n).tolist()
            entry_at = np.floor(gen.random(n) * sizes[survey_at]).astype(int).tolist()
            event_at = gen.integers(0, len(events), n).tolist()
            day_at = gen.choice(len(day_list), size=n, p=weights / weights.sum()).tolist()
            hashes = [hashlib.sha256(code.encode("ascii")).hexdigest() for code in result_codes(n)]
            record_keys = secrets.token_bytes(n)  # each byte a record key 0..255, as secrets.randbelow(256)
            rows = []
            for s, e, ev, d, row_id, key, code_hash, record in zip(
                survey_at, entry_at, event_at, day_at, random_ids(n), random_ids(n), hashes, record_keys,
                strict=True,
            ):  # fmt: skip
                row = templates[s][e].copy()
                row[at[0]], row[at[1]], row[at[2]], row[at[3]], row[at[4]], row[at[5]] = (
                    row_id, events[ev], day_values[d], key, code_hash, record,
                )  # fmt: skip
                rows.append(tuple(row))
                quadrants[quadrant_codes[s][e]] += 1
            counts.update(zip(survey_at, event_at, day_at, strict=True))
            if len(pending) == writers:  # no more chunks in memory than writers at work
                done = pending.pop(0).result()
                if progress is not None:
                    progress(done)
            written += n
            pending.append(writer_thread.submit(write, rows, written))
        for future in pending:
            done = future.result()
            if progress is not None:
                progress(done)
        for checkpoint in checkpoints:
            checkpoint.result()
    _funnel(
        engine,
        surveys,
        Counter({(surveys[s].id, events[e] or "", day_list[d]): k for (s, e, d), k in counts.items()}),
        rng,
    )
    _after_bulk_load(engine, [s.id for s in surveys])
    return Seeded(written, time.perf_counter() - started, dict(quadrants))


def _after_bulk_load(engine: Any, survey_ids: list[str]) -> None:
    """Once, after every row is in: what a bulk load leaves to do in one go rather than per row:
    the dashboard's roll-ups counted from all rows (a submission keeps them row by row), then the
    database's own upkeep."""
    from trp_core.store.rollups import rebuild as rebuild_rollups

    rebuild_rollups(engine, survey_ids)
    if (
        engine.dialect.name == "postgresql"
    ):  # statistics for the planner, the visibility map for index-only scans
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE responses")
    else:
        _checkpoint(engine)
        with engine.connect() as conn:
            conn.connection.dbapi_connection.execute("PRAGMA wal_autocheckpoint = 1000")


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


def _checkpoint(engine: Any, mode: str = "TRUNCATE") -> None:
    """Move the write-ahead log into the database file; TRUNCATE: and empty it, PASSIVE: alongside a
    writer (what is committed so far)."""
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        dbapi.execute(f"PRAGMA wal_checkpoint({mode})")


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
    from trp_core.store.models import RECORD_KEYS, FunnelCounter

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
        # Each session's record key (trp_core.privacy.cellkey), as the app gives it: a step's key sum
        # is the sum of the keys of the sessions that reached it, the first `n` of those that started.
        keys = secrets.token_bytes(counts[0])
        for step, n in zip(steps, counts, strict=True):
            rows.append(
                {"survey_id": survey_id, "event": event, "day": d, "step": step, "count": n,
                 "keys": sum(keys[:n]) % RECORD_KEYS}
            )  # fmt: skip
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(FunnelCounter)
    columns = FunnelCounter.__table__.c
    stmt = stmt.on_conflict_do_update(
        index_elements=["survey_id", "event", "day", "step"],
        set_={
            "count": columns["count"] + stmt.excluded["count"],
            "keys": (columns["keys"] + stmt.excluded["keys"]) % RECORD_KEYS,
        },
    )
    with Session(writer(engine)) as s, s.begin():
        for i in range(0, len(rows), 5_000):
            s.execute(stmt, rows[i : i + 5_000])
