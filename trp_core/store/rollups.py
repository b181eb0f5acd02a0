"""Roll-ups for the dashboard: what the figures per atom (trp_core.store.reads) count, kept per atom in
the tables of models.py ("roll-ups for the dashboard") in the same transaction as every write that
changes responses, so that a dashboard reads a few thousand roll-up rows instead of every response.

- A stored response is added by `add` (one INSERT … SELECT … ON CONFLICT DO UPDATE SET n = n +
  excluded.n per table, on SQLite and PostgreSQL: two processes that store at once both count).
- Re-scoring a batch subtracts what its responses counted before and adds what they count after
  (`rescored`), in the transaction that rewrites them.
- `rebuild` counts the roll-ups afresh from the responses (migration 0010, `trp demo seed` at its
  end, `trp db rollups --rebuild`); `check` compares them with a recount (`trp db rollups --check`).

Each table row is computed with the same SQL expressions as the GROUP BY over the responses in
reads.py (the heat-map cell of a score, a break-even band, what keeps a response out of "held").
The cells and keep-out counts of a version are counted with the thresholds in `rollup_versions`:
those of the version's newest stored content when the version's roll-ups were built (or, for a new
version, those of its first response's survey). The dashboard reads a version from the roll-ups when
these thresholds are the dashboard's; otherwise that version's cells and keep-out counts are read
from the responses (reads.py), until `trp db rollups --rebuild` counts them with its newest content.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    not_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from trp_core.method.scoring import CRITERIA
from trp_core.method.survey import Thresholds
from trp_core.method.vocabulary import CRITERION_AXIS, Axis, Quadrant
from trp_core.store import reads
from trp_core.store.engine import writer
from trp_core.store.models import (
    ROLLUP_ANSWERED,
    ROLLUP_ATOM,
    ROLLUP_KEPT,
    ROLLUP_KEYS,
    ROLLUP_KNOCKOUTS,
    ROLLUP_POINTS,
    ROLLUP_TABLES,
    Response,
    RollupBand,
    RollupCell,
    RollupQuadrant,
    RollupVersion,
    SurveySnapshot,
)
from trp_core.store.sql import unindexed

Conn = Connection | Session
Key = tuple[Any, ...]
Contents = dict[str, dict[Key, tuple[float, ...]]]  # table name -> key -> values

POINTS_TOLERANCE: Final = 1e-6  # relative: point sums are added and subtracted as floats


def _atom() -> list[ColumnElement[Any]]:
    return [
        Response.method_version,
        Response.survey_id,
        Response.survey_version,
        Response.day,
        Response.lang,
        func.coalesce(Response.event, literal("")),
    ]


@dataclass(frozen=True)
class _Family:
    table: Any
    key: list[str]  # primary key columns, in order
    values: list[str]  # the counts and sums, the key sums (ROLLUP_KEYS) last

    @property
    def name(self) -> str:
        return str(self.table.__tablename__)

    def without_keys(self) -> _Family:
        """The family as migration 0010 created it: without the key sums (migration 0011 adds them)."""
        return _Family(self.table, self.key, [v for v in self.values if v not in _KEY_SUMS])


_KEY_SUMS: Final = frozenset(ROLLUP_KEYS.values())


def _families() -> tuple[_Family, ...]:
    atom = list(ROLLUP_ATOM)
    kept = [*ROLLUP_KEPT.values(), *ROLLUP_KNOCKOUTS]
    quadrant_values = [
        "n",
        *ROLLUP_ANSWERED.values(),
        *ROLLUP_POINTS.values(),
        *kept,
        ROLLUP_KEYS["n"],
        *(ROLLUP_KEYS[c] for c in kept),
    ]
    return (
        _Family(RollupQuadrant, [*atom, "quadrant"], quadrant_values),
        _Family(RollupCell, [*atom, "quadrant", "kann_cell", "will_cell"], ["n", ROLLUP_KEYS["n"]]),
        _Family(RollupBand, [*atom, "band"], ["n", ROLLUP_KEYS["n"]]),
    )


FAMILIES: Final = _families()
_FLOATS: Final = frozenset(ROLLUP_POINTS.values())


def _selects(thresholds: tuple[float, float], *, keys: bool = True) -> dict[str, Any]:
    """Per table: a SELECT of its key and values over the responses (to be given a WHERE), grouped by
    key; `keys` False: without the key sums (migration 0010's tables)."""
    column = reads._column
    limits = {Axis.KANN: reads._num(thresholds[0]), Axis.WILL: reads._num(thresholds[1])}
    failed = {Axis.KANN: not_(Response.kann_passed), Axis.WILL: not_(Response.will_passed)}
    record = Response.record_key

    def ones(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    def key_sum(condition: Any) -> Any:
        return func.sum(case((condition, record), else_=0))

    kept_conditions = [
        *(and_(failed[CRITERION_AXIS[c]], column(c) < limits[CRITERION_AXIS[c]]) for c in CRITERIA),
        Response.kann_knockout,
        Response.will_knockout,
    ]
    quadrant_values = [
        func.count(),
        *(func.count(column(c)) for c in CRITERIA),
        *(func.coalesce(func.sum(column(c)), literal(0.0)) for c in CRITERIA),
        *(ones(condition) for condition in kept_conditions),
    ]
    if keys:
        quadrant_values += [func.sum(record), *(key_sum(condition) for condition in kept_conditions)]
    counted = [func.count(), func.sum(record)] if keys else [func.count()]
    kann, will = reads.AxisBins(thresholds[0]), reads.AxisBins(thresholds[1])
    undetermined = Response.quadrant == Quadrant.UNDETERMINED.value
    # A placed response always has both scores; 0 stands in should an older method's row have none.
    kann_cell = case(
        (undetermined, literal(0)),
        else_=func.coalesce(kann.sql(Response.kann_score, Response.kann_passed), 0),
    )
    will_cell = case(
        (undetermined, literal(0)),
        else_=func.coalesce(will.sql(Response.will_score, Response.will_passed), 0),
    )
    band = reads.break_even_band()
    atom = _atom()
    return {
        RollupQuadrant.__tablename__: (
            [*atom, Response.quadrant],
            quadrant_values,
        ),
        RollupCell.__tablename__: ([*atom, Response.quadrant, kann_cell, will_cell], counted),
        RollupBand.__tablename__: ([*atom, band], counted),
    }


def _grouped(thresholds: tuple[float, float], where: Sequence[Any], *, keys: bool = True) -> dict[str, Any]:
    out = {}
    selects = _selects(thresholds, keys=keys)
    for family in FAMILIES:
        keys, values = selects[family.name]
        labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
        labelled += [v.label(f"v{i}") for i, v in enumerate(values)]
        out[family.name] = select(*labelled).where(*where).group_by(*keys)
    return out


def _insert(conn: Conn) -> Any:
    return postgresql.insert if _dialect(conn) == "postgresql" else sqlite.insert


def _dialect(conn: Conn) -> str:
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return str(bind.dialect.name)


def _upsert(conn: Conn, family: _Family, source: Any) -> Any:
    """INSERT … (a SELECT, or rows given at execution) ON CONFLICT DO UPDATE SET v = v + excluded.v."""
    table = family.table.__table__
    stmt = _insert(conn)(table)
    if source is not None:
        stmt = stmt.from_select([*family.key, *family.values], source)
    return stmt.on_conflict_do_update(
        index_elements=family.key,
        set_={v: table.c[v] + stmt.excluded[v] for v in family.values},
    )


# --- the versions the roll-ups count, and their thresholds -----------------------------------------


def version_thresholds(
    conn: Conn, survey_id: str, version: str, default: tuple[float, float]
) -> tuple[float, float]:
    """The thresholds a version's roll-ups are counted with; a version met for the first time gets
    `default` (those of the survey its first response was scored with)."""
    conn.execute(
        _insert(conn)(RollupVersion)
        .values(survey_id=survey_id, survey_version=version, kann=default[0], will=default[1])
        .on_conflict_do_nothing()
    )
    row = conn.execute(
        select(RollupVersion.kann, RollupVersion.will).where(
            RollupVersion.survey_id == survey_id, RollupVersion.survey_version == version
        )
    ).one()
    return float(row[0]), float(row[1])


def covered(
    conn: Conn, survey_ids: Iterable[str] | None = None
) -> dict[tuple[str, str], tuple[float, float]]:
    """{(survey, version): thresholds} of every version the roll-ups count."""
    stmt = select(
        RollupVersion.survey_id, RollupVersion.survey_version, RollupVersion.kann, RollupVersion.will
    )
    if survey_ids is not None:
        stmt = stmt.where(RollupVersion.survey_id.in_(list(survey_ids)))
    return {(s, v): (float(k), float(w)) for s, v, k, w in conn.execute(stmt)}


def newest_thresholds(
    conn: Conn, survey_ids: Iterable[str] | None = None
) -> dict[tuple[str, str], tuple[float, float]]:
    """{(survey, version): the thresholds of the version's newest stored content}."""
    stmt = select(SurveySnapshot.survey_id, SurveySnapshot.version, SurveySnapshot.content).order_by(
        SurveySnapshot.first_seen, SurveySnapshot.hash.desc()
    )  # newest last, as reads.latest_snapshot picks it
    if survey_ids is not None:
        stmt = stmt.where(SurveySnapshot.survey_id.in_(list(survey_ids)))
    out: dict[tuple[str, str], tuple[float, float]] = {}
    default = Thresholds()
    for survey_id, version, content in conn.execute(stmt):
        given = content.get("thresholds") if isinstance(content, dict) else None
        given = given if isinstance(given, dict) else {}
        out[(survey_id, version)] = (
            float(given.get("kann", default.kann)),
            float(given.get("will", default.will)),
        )
    return out


# --- maintenance --------------------------------------------------------------------------------


def add(conn: Conn, response_id: str, survey_id: str, version: str, thresholds: tuple[float, float]) -> None:
    """Count a response stored in this transaction into the roll-ups; its version's roll-up
    thresholds default to `thresholds` (those of the survey it was scored with)."""
    counted = version_thresholds(conn, survey_id, version, thresholds)
    for stmt in _add_statements(_dialect(conn), counted):
        conn.execute(stmt, {"response_id": response_id})


@lru_cache(maxsize=64)
def _add_statements(dialect: str, thresholds: tuple[float, float]) -> tuple[Any, ...]:
    """The three upserts that count one response (by the bound `response_id`), built once: building
    the expressions takes longer than running them. The response is found by its id alone: with
    its survey and version beside, SQLite would read the survey's rows along another index."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    selects = _grouped(thresholds, [Response.id == bindparam("response_id")])
    out = []
    for family in FAMILIES:
        table = family.table.__table__
        stmt = insert(table).from_select([*family.key, *family.values], selects[family.name])
        out.append(
            stmt.on_conflict_do_update(
                index_elements=family.key, set_={v: table.c[v] + stmt.excluded[v] for v in family.values}
            )
        )
    return tuple(out)


def contents_of(
    conn: Conn, where: Sequence[ColumnElement[bool]], versions: dict[tuple[str, str], tuple[float, float]]
) -> Contents:
    """What the responses that `where` selects count, per table and key, for the given versions."""
    out: Contents = {f.name: {} for f in FAMILIES}
    for (survey_id, version), thresholds in versions.items():
        # Not along the survey's indexes: `where` picks a few responses by id.
        scope = [
            *where,
            unindexed(Response.survey_id) == survey_id,
            unindexed(Response.survey_version) == version,
        ]
        for name, stmt in _grouped(thresholds, scope).items():
            family = next(f for f in FAMILIES if f.name == name)
            width = len(family.key)
            for row in conn.execute(stmt):
                key = _key(row, width)
                out[name][key] = tuple(row[width:])
    return out


def rescored(conn: Conn, before: Contents, after: Contents) -> None:
    """Apply what re-scoring changed (the responses' contents before and after), key by key in
    order, so that concurrent writers take the rows' locks in one order."""
    for family in FAMILIES:
        old, new = before[family.name], after[family.name]
        rows = []
        for key in sorted(set(old) | set(new)):
            a, b = old.get(key), new.get(key)
            delta = [(b[i] if b else 0) - (a[i] if a else 0) for i in range(len(family.values))]
            if any(delta):
                rows.append(
                    dict(zip(family.key, key, strict=True)) | dict(zip(family.values, delta, strict=True))
                )
        if rows:
            conn.execute(_upsert(conn, family, None), rows)


def _key(row: Sequence[Any], width: int) -> Key:
    """A table's key as Python values: the day (fourth) as a date, whatever the driver returned."""
    key = list(row[:width])
    key[3] = reads._as_date(key[3])
    return tuple(key)


def rebuild(bind: Engine | Connection, survey_ids: Iterable[str] | None = None, *, keys: bool = True) -> int:
    """Count the roll-ups of these surveys (default: all) afresh from the responses, each version with
    the thresholds of its newest stored content; in one transaction. On PostgreSQL the responses are
    locked against writes meanwhile (a submission waits, then counts itself in). Returns the number
    of versions counted. `keys` False: without the key sums, for the tables of migration 0010
    (before 0011 added them and the record keys)."""
    if isinstance(bind, Engine):
        with writer(bind).begin() as conn:
            return rebuild(conn, survey_ids, keys=keys)
    ids = None if survey_ids is None else sorted(set(survey_ids))
    if bind.dialect.name == "postgresql":
        bind.execute(text("LOCK TABLE responses IN SHARE ROW EXCLUSIVE MODE"))
    for table in (*ROLLUP_TABLES, RollupVersion):
        stmt = delete(table)
        if ids is not None:
            stmt = stmt.where(table.survey_id.in_(ids))
        bind.execute(stmt)
    versions = newest_thresholds(bind, ids)
    for (survey_id, version), thresholds in sorted(versions.items()):
        bind.execute(
            _insert(bind)(RollupVersion).values(
                survey_id=survey_id, survey_version=version, kann=thresholds[0], will=thresholds[1]
            )
        )
        where = [Response.survey_id == survey_id, Response.survey_version == version]
        selects = _grouped(thresholds, where, keys=keys)
        for family in FAMILIES:
            bind.execute(_upsert(bind, family if keys else family.without_keys(), selects[family.name]))
    if bind.dialect.name == "postgresql":
        for table in (*ROLLUP_TABLES, RollupVersion):
            bind.execute(text(f"ANALYZE {table.__tablename__}"))
    return len(versions)


# --- checking -----------------------------------------------------------------------------------


def stored(conn: Conn | Engine, survey_ids: Iterable[str] | None = None) -> Contents:
    """The roll-up tables as stored, without rows that count nothing."""
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return stored(c, survey_ids)
    ids = None if survey_ids is None else list(survey_ids)
    out: Contents = {}
    for family in FAMILIES:
        table = family.table.__table__
        stmt = select(*(table.c[c] for c in family.key), *(table.c[c] for c in family.values))
        if ids is not None:
            stmt = stmt.where(table.c.survey_id.in_(ids))
        width = len(family.key)
        out[family.name] = {
            # n first: a row of no response (re-scored away) may keep a rounding rest of a point sum
            _key(row, width): tuple(row[width:])
            for row in conn.execute(stmt)
            if row[width]
        }
    return out


def recount(conn: Conn, survey_ids: Iterable[str] | None = None) -> Contents:
    """What the roll-ups should hold: counted from the responses, for the versions they count."""
    return contents_of(conn, [], covered(conn, survey_ids))


@dataclass(frozen=True)
class Difference:
    table: str
    key: Key
    stored: tuple[float, ...] | None
    counted: tuple[float, ...] | None


def differences(a: Contents, b: Contents) -> list[Difference]:
    """Where two contents differ (point sums within POINTS_TOLERANCE)."""
    out = []
    for family in FAMILIES:
        x = {k: v for k, v in a.get(family.name, {}).items() if v[0]}  # n first, as in `stored`
        y = {k: v for k, v in b.get(family.name, {}).items() if v[0]}
        for key in sorted(set(x) | set(y), key=repr):
            u, w = x.get(key), y.get(key)
            if u is None or w is None or not _same(family, u, w):
                out.append(Difference(family.name, key, u, w))
    return out


def _same(family: _Family, u: tuple[float, ...], w: tuple[float, ...]) -> bool:
    for name, p, q in zip(family.values, u, w, strict=True):
        if name in _FLOATS:
            if not math.isclose(float(p), float(q), rel_tol=POINTS_TOLERANCE, abs_tol=POINTS_TOLERANCE):
                return False
        elif int(p) != int(q):
            return False
    return True


@dataclass(frozen=True)
class Checked:
    differences: list[Difference]
    uncovered: list[tuple[str, str]]  # versions with stored content that the roll-ups do not count
    stale: dict[tuple[str, str], tuple[tuple[float, float], tuple[float, float]]]  # counted with, newest

    @property
    def ok(self) -> bool:
        return not self.differences


def check(bind: Engine | Connection, survey_ids: Iterable[str] | None = None) -> Checked:
    """Compare the roll-ups with a recount from the responses (in one snapshot on PostgreSQL)."""
    if isinstance(bind, Engine):
        options = {"isolation_level": "REPEATABLE READ"} if bind.dialect.name == "postgresql" else {}
        with bind.connect().execution_options(**options) as conn, conn.begin():
            return check(conn, survey_ids)
    ids = None if survey_ids is None else list(survey_ids)
    found = differences(stored(bind, ids), recount(bind, ids))
    counted = covered(bind, ids)
    newest = newest_thresholds(bind, ids)
    uncovered = sorted(v for v in newest if v not in counted)
    stale = {v: (counted[v], newest[v]) for v in sorted(counted) if v in newest and newest[v] != counted[v]}
    return Checked(found, uncovered, stale)


__all__ = [
    "FAMILIES",
    "Checked",
    "Contents",
    "Difference",
    "add",
    "check",
    "contents_of",
    "covered",
    "differences",
    "newest_thresholds",
    "rebuild",
    "recount",
    "rescored",
    "stored",
    "version_thresholds",
]
