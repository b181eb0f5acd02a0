"""The managers' read queries: each figure one GROUP BY in the database, with `Filters` as the input.

Filters become SQLAlchemy expressions with bound parameters, never SQL text. The queries return raw
counts; the services put every figure they show through the minimum-group rule (trp_core.privacy).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Float,
    Select,
    and_,
    case,
    func,
    literal,
    not_,
    or_,
    select,
    text,
)

from trp_core.method.figures import (
    BE_NONE,
    BE_OPEN,
    BREAK_EVEN_BANDS,
    BREAK_EVEN_KEYS,
    NOT_HELD,
    KeepOutKey,
    KnockOut,
    Period,
    band_key,
)
from trp_core.method.scoring import CRITERIA, CriterionMatrix
from trp_core.method.vocabulary import CRITERION_AXIS, METHOD_VERSION, Axis, Criterion, Quadrant, quadrant_for
from trp_core.store.models import (
    CRITERION_COLUMNS,
    EVENT_LENGTH,
    HASH_LENGTH,
    ROLLUP_ANSWERED,
    ROLLUP_KEPT,
    ROLLUP_KEYS,
    ROLLUP_KNOCKOUTS,
    ROLLUP_POINTS,
    SURVEY_ID_LENGTH,
    VERSION_LENGTH,
    FunnelCounter,
    Response,
    RollupBand,
    RollupCell,
    RollupQuadrant,
    RollupVersion,
    SurveySnapshot,
)
from trp_core.store.repository import NO_EVENT
from trp_core.store.sql import clamp, floor_int, month_start, scanned, week_start

BIN_WIDTH: Final = 10.0  # heat-map cells are 10 × 10 points, with both thresholds on cell edges

Bind = Engine | Connection


# --- filters --------------------------------------------------------------------------------


class Filters(BaseModel):
    """What a manager narrows the responses to. Every value reaches SQL as a bound parameter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    survey: str | None = Field(default=None, max_length=SURVEY_ID_LENGTH)
    version: str | None = Field(default=None, max_length=VERSION_LENGTH)
    survey_hash: str | None = Field(default=None, max_length=HASH_LENGTH)
    lang: Literal["de", "en"] | None = None
    event: str | None = Field(default=None, max_length=EVENT_LENGTH)  # NO_EVENT: without an event tag
    # A tag group (trp_core.privacy.cells): the responses with any of these tags, NO_EVENT for none.
    events: tuple[str, ...] | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    # Releases (trp_core.privacy.releases): only the published responses, (until, exceptions): those
    # of the days before `until`, except for the listed streams (survey version, language, tag,
    # NO_EVENT for none), of which only the days before the stream's own cut (None: none). Most
    # streams share the latest cut, so the clause is mostly one range on the day. None: all.
    released: tuple[date, tuple[tuple[str, str, str, date | None], ...]] | None = None

    @model_validator(mode="after")
    def _range(self) -> Filters:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError("the date range ends before it starts")
        return self

    def responses(self) -> list[ColumnElement[bool]]:
        """WHERE clauses on the responses table: always only the responses scored with this version of
        the method, so that no figure mixes two versions' scores (`trp db rescore` brings the others up)."""
        where: list[ColumnElement[bool]] = [Response.method_version == METHOD_VERSION]
        if self.survey is not None:
            where.append(Response.survey_id == self.survey)
        if self.version is not None:
            where.append(Response.survey_version == self.version)
        if self.survey_hash is not None:
            where.append(Response.survey_hash == self.survey_hash)
        if self.lang is not None:
            where.append(Response.lang == self.lang)
        if self.event == NO_EVENT:
            where.append(Response.event.is_(None))
        elif self.event is not None:
            where.append(Response.event == self.event)
        if self.events is not None:
            tagged = [e for e in self.events if e != NO_EVENT]
            either = [Response.event.in_(tagged)] if tagged else []
            if NO_EVENT in self.events:
                either.append(Response.event.is_(None))
            where.append(or_(*either) if either else literal(False))
        # The day is checked inside the covering index: on SQLite a seek on the narrow index on
        # (survey, day) would look up every row of the range in the table.
        day = scanned(Response.day)
        if self.since is not None:
            where.append(day >= self.since)
        if self.until is not None:
            where.append(day <= self.until)
        if self.released is not None:
            until, exceptions = self.released
            where.append(day < until)
            for v, lang, tag, cut in exceptions:
                stream = and_(
                    Response.survey_version == v,
                    Response.lang == lang,
                    # never NULL: NOT of a NULL comparison would drop the untagged responses too
                    Response.event.is_(None) if tag == NO_EVENT else func.coalesce(Response.event, "") == tag,
                )
                where.append(not_(stream) if cut is None else or_(not_(stream), day < cut))
        return where

    def counters(self) -> list[ColumnElement[bool]]:
        """WHERE clauses on the funnel counters, which know survey, event and day only."""
        where: list[ColumnElement[bool]] = []
        if self.survey is not None:
            where.append(FunnelCounter.survey_id == self.survey)
        if self.event is not None:
            where.append(FunnelCounter.event == self.event)  # the counters store NO_EVENT as ""
        if self.events is not None:
            where.append(FunnelCounter.event.in_(self.events))
        if self.since is not None:
            where.append(FunnelCounter.day >= self.since)
        if self.until is not None:
            where.append(FunnelCounter.day <= self.until)
        return where

    def rollups(self, table: Any, versions: list[str]) -> list[ColumnElement[bool]]:
        """WHERE clauses on a roll-up table (models.py), for these survey versions of the survey."""
        where: list[ColumnElement[bool]] = [
            table.method_version == METHOD_VERSION,
            table.survey_id == self.survey,
            table.survey_version.in_(versions),
        ]
        if self.lang is not None:
            where.append(table.lang == self.lang)
        if self.event is not None:
            where.append(table.tag == self.event)  # the roll-ups store NO_EVENT as ""
        if self.events is not None:
            where.append(table.tag.in_(self.events))
        if self.since is not None:
            where.append(table.day >= self.since)
        if self.until is not None:
            where.append(table.day <= self.until)
        if self.released is not None:
            until, exceptions = self.released
            where.append(table.day < until)
            for v, lang, tag, cut in exceptions:
                stream = and_(table.survey_version == v, table.lang == lang, table.tag == tag)
                where.append(not_(stream) if cut is None else or_(not_(stream), table.day < cut))
        return where

    @property
    def counters_coarser(self) -> bool:
        """Whether the funnel counts cover more than the responses do (language or version set)."""
        return self.lang is not None or self.version is not None or self.survey_hash is not None


# --- running a query -------------------------------------------------------------------------


def _rows(bind: Bind, stmt: Select[Any]) -> list[Any]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return _rows(conn, stmt)
    return list(bind.execute(stmt))  # on PostgreSQL without JIT (trp_core.store.engine.make_engine)


def _num(x: float) -> ColumnElement[float]:
    return literal(float(x), Float)


def _column(c: Criterion) -> Any:
    return Response.__table__.c[CRITERION_COLUMNS[c]]


# --- filter choices -------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What the filters can offer for a survey."""

    versions: list[str]  # oldest first
    events: list[str]  # event tags seen in the responses; NO_EVENT when some have none
    first_day: date | None
    last_day: date | None


def choices(bind: Bind, survey_id: str) -> Choices:
    versions = [
        v
        for (v,) in _rows(
            bind,
            select(SurveySnapshot.version)
            .where(SurveySnapshot.survey_id == survey_id)
            .group_by(SurveySnapshot.version)
            .order_by(func.min(SurveySnapshot.first_seen), SurveySnapshot.version),
        )
    ]
    events = [
        NO_EVENT if e is None else e
        for (e,) in _rows(
            bind,
            select(Response.event)
            .where(Response.method_version == METHOD_VERSION, Response.survey_id == survey_id)
            .group_by(Response.event),
        )
    ]
    # Two scalar subqueries: each is one step along the index on (survey, day); MIN and MAX in one
    # SELECT would read every row of the survey.
    day = select(Response.day).where(Response.survey_id == survey_id).limit(1)
    ((first, last),) = _rows(
        bind,
        select(
            day.order_by(Response.day).scalar_subquery(), day.order_by(Response.day.desc()).scalar_subquery()
        ),
    )
    return Choices(versions, sorted(events), _as_date(first), _as_date(last))


_SQLITE_LAST_ROW: Final = text("SELECT max(rowid) FROM responses")  # one step along the rowid


def fingerprint(bind: Bind, survey_id: str) -> tuple[Any, ...]:
    """What changes whenever the survey's responses do (responses are only ever added, or the whole
    database restored or re-scored): on SQLite the last row number of the table, on PostgreSQL the
    number of the survey's responses (from the roll-ups); and the smallest and largest random id
    (two steps along the primary key). Keys the cache of the privacy cells (trp_core.services.selection)."""
    # Each its own subquery: SQLite reads MIN or MAX from the end of an index only when it is the
    # one column of its query; one statement, one round trip.
    ends = select(
        select(func.min(Response.id)).scalar_subquery(), select(func.max(Response.id)).scalar_subquery()
    )
    ((low, high),) = _rows(bind, ends)
    if engine_of(bind).dialect.name == "sqlite":
        ((last,),) = _rows(bind, _SQLITE_LAST_ROW)  # type: ignore[arg-type]
        versions = select(func.count()).where(Response.method_version < METHOD_VERSION)
        ((older,),) = _rows(bind, versions)  # re-scoring changes no row number: count what is left
        return str(engine_of(bind).url), survey_id, last, older, low, high
    # PostgreSQL: the number of the survey's responses, from the roll-ups, which change in the
    # transaction of every stored or re-scored response (counting the responses themselves took
    # 0.6 s at a million); a version the roll-ups do not count, from its responses.
    f = Filters(survey=survey_id)
    split = _split(bind, f, None)
    assert split is not None
    n = 0
    if split.rollups:
        t = RollupQuadrant
        ((rolled,),) = _rows(
            bind, select(func.coalesce(func.sum(t.n), 0)).where(*f.rollups(t, split.rollups))
        )
        n += int(rolled)
    if split.responses:
        scanned = select(func.count()).where(
            Response.method_version == METHOD_VERSION,
            Response.survey_id == survey_id,
            *_versions(split.responses),
        )
        ((more,),) = _rows(bind, scanned)
        n += int(more)
    return str(engine_of(bind).url), survey_id, n, low, high


def engine_of(bind: Bind) -> Engine:
    return bind if isinstance(bind, Engine) else bind.engine


def cell_counts(bind: Bind, survey_id: str, *, rollups: bool = True) -> dict[tuple[str, str, str, date], int]:
    """Responses per survey version, language, tag (NO_EVENT for none) and day: the finest cells from
    which the privacy rules decide what may be published (one GROUP BY along the dashboard's index,
    or a read of the roll-ups)."""
    f = Filters(survey=survey_id)
    split = _split(bind, f, None) if rollups else None
    if split is None:
        return _cell_counts_scan(bind, survey_id, None)
    out: dict[tuple[str, str, str, date], int] = {}
    if split.rollups:
        t = RollupQuadrant
        atom = _rollup_atom(t)
        stmt = (
            select(*atom, func.sum(t.n))
            .where(*f.rollups(t, split.rollups))
            .group_by(*atom)
            .having(func.sum(t.n) > 0)
        )
        for version, lang, tag, day, n in _rows(bind, stmt):
            out[_atom(version, lang, tag, day)] = int(n)
    if split.responses:
        out |= _cell_counts_scan(bind, survey_id, split.responses)
    return out


def _cell_counts_scan(
    bind: Bind, survey_id: str, versions: list[str] | None
) -> dict[tuple[str, str, str, date], int]:
    stmt = (
        select(Response.survey_version, Response.lang, Response.event, Response.day, func.count())
        .where(
            Response.method_version == METHOD_VERSION, Response.survey_id == survey_id, *_versions(versions)
        )
        .group_by(Response.survey_version, Response.lang, Response.event, Response.day)
    )
    out: dict[tuple[str, str, str, date], int] = {}
    for version, lang, event, day, n in _rows(bind, stmt):
        key = (version, lang, event or NO_EVENT, _as_date(day))
        out[key] = out.get(key, 0) + int(n)
    return out


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))  # SQLite returns MIN/MAX of a date as text


def latest_snapshot(bind: Bind, survey_id: str, version: str | None = None) -> str | None:
    """The hash of the newest survey content stored for a survey (and version)."""
    stmt = select(SurveySnapshot.hash).where(SurveySnapshot.survey_id == survey_id)
    if version is not None:
        stmt = stmt.where(SurveySnapshot.version == version)
    rows = _rows(bind, stmt.order_by(SurveySnapshot.first_seen.desc(), SurveySnapshot.hash).limit(1))
    return rows[0][0] if rows else None


# --- the figures, raw ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AxisBins:
    """Heat-map cells along one axis: cell b covers [t + b·w, t + (b+1)·w] within 0..100."""

    threshold: float
    width: float = BIN_WIDTH

    @property
    def lowest(self) -> int:
        return min(-1, -math.ceil(self.threshold / self.width))

    @property
    def highest(self) -> int:
        return max(0, math.ceil((100 - self.threshold) / self.width) - 1)

    def edges(self, b: int) -> tuple[float, float]:
        t, w = self.threshold, self.width
        return max(0.0, t + b * w), min(100.0, t + (b + 1) * w)

    def sql(self, score: Any, passed: Any) -> ColumnElement[int]:
        """The cell of a stored score; a response on the failing side of its axis (a knock-out or
        another version's threshold) is kept in a cell on that side, so cells add up to quadrants."""
        raw = floor_int((score - _num(self.threshold)) / _num(self.width))
        return case(
            (passed, clamp(raw, literal(0), literal(self.highest))),
            else_=clamp(raw, literal(self.lowest), literal(-1)),
        )


@dataclass(frozen=True)
class MatrixCounts:
    quadrants: dict[Quadrant, int]
    cells: dict[tuple[int, int], int]  # (kann cell, will cell) -> responses
    kann: AxisBins
    will: AxisBins

    @property
    def total(self) -> int:
        return sum(self.quadrants.values())


def matrix_counts(bind: Bind, f: Filters, thresholds: tuple[float, float]) -> MatrixCounts:
    """Quadrant counts and the heat map of axis scores, in one GROUP BY over one integer per response.

    The key packs the kann and will cells (-1 for an undetermined response); the quadrant of a
    placed response follows from the sides of its cells, as it followed from its passed axes when
    it was scored. SQLite sorts one integer instead of (quadrant, cell, cell): at a million
    responses 0.68 s instead of 1.05 s (bench/dashboard_speed.py).
    """
    kann, will = AxisBins(thresholds[0]), AxisBins(thresholds[1])
    span = will.highest - will.lowest + 1
    x = kann.sql(Response.kann_score, Response.kann_passed) - literal(kann.lowest)
    y = will.sql(Response.will_score, Response.will_passed) - literal(will.lowest)
    key = case((Response.quadrant == Quadrant.UNDETERMINED.value, literal(-1)), else_=x * literal(span) + y)
    stmt = select(key.label("cell"), func.count()).where(*f.responses()).group_by(key)
    quadrants = dict.fromkeys(Quadrant, 0)
    cells: dict[tuple[int, int], int] = {}
    for packed, n in _rows(bind, stmt):
        if packed < 0:
            quadrants[Quadrant.UNDETERMINED] += n
            continue
        bx, by = packed // span + kann.lowest, packed % span + will.lowest
        quadrants[quadrant_for(bx >= 0, by >= 0)] += n
        cells[(bx, by)] = cells.get((bx, by), 0) + n
    return MatrixCounts(quadrants, cells, kann, will)


def period_start(period: Period) -> Any:
    return week_start(Response.day) if period is Period.WEEK else month_start(Response.day)


def quadrant_trend(bind: Bind, f: Filters, period: Period) -> dict[tuple[date, Quadrant], int]:
    """Responses per period (ISO week or month, from the day) and quadrant."""
    start = period_start(Period.MONTH if period is Period.QUARTER else period).label("period")
    stmt = (
        select(start, Response.quadrant, func.count())
        .where(*f.responses())
        .group_by(start, Response.quadrant)
        .order_by(start)
    )
    out: dict[tuple[date, Quadrant], int] = {}
    for p, q, n in _rows(bind, stmt):
        day = _as_date(p)
        assert day is not None
        key = (quarter_of(day) if period is Period.QUARTER else day, Quadrant(q))
        out[key] = out.get(key, 0) + int(n)
    return out


def quarter_of(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


@dataclass(frozen=True)
class CriterionMean:
    answered: int  # responses of the quadrant that answered the criterion
    mean: float | None


def criterion_means(bind: Bind, f: Filters) -> dict[tuple[Criterion, Quadrant], CriterionMean]:
    """Mean points of each criterion per quadrant, over the responses that answered it."""
    columns = []
    for c in CRITERIA:
        columns += [func.count(_column(c)), func.avg(_column(c))]
    stmt = select(Response.quadrant, *columns).where(*f.responses()).group_by(Response.quadrant)
    out = {(c, q): CriterionMean(0, None) for c in CRITERIA for q in Quadrant}
    for row in _rows(bind, stmt):
        q = Quadrant(row[0])
        for i, c in enumerate(CRITERIA):
            n, mean = row[1 + 2 * i], row[2 + 2 * i]
            out[(c, q)] = CriterionMean(int(n), None if mean is None else float(mean))
    return out


@dataclass(frozen=True)
class KeepOutCounts:
    placed_out: int  # responses placed in kandidat, vampir or schatten
    counts: dict[KeepOutKey, int]
    # The key sums beside them (the per-atom reads; trp_core.privacy.cellkey); empty where not read.
    placed_out_keys: int = 0
    keys: dict[KeepOutKey, int] = field(default_factory=dict)


def _keep_out_sums(thresholds: tuple[float, float], each: Any = None) -> list[Any]:
    """Per criterion, then per axis's knock-out: the responses it keeps out of "held" (see keep_out);
    `each`: what a response adds instead of 1 (its record key, for the key sums)."""
    one = literal(1) if each is None else each
    limits = {Axis.KANN: _num(thresholds[0]), Axis.WILL: _num(thresholds[1])}
    failed = {Axis.KANN: not_(Response.kann_passed), Axis.WILL: not_(Response.will_passed)}
    sums = [
        func.sum(
            case((and_(failed[CRITERION_AXIS[c]], _column(c) < limits[CRITERION_AXIS[c]]), one), else_=0)
        )
        for c in CRITERIA
    ]
    return [
        *sums,
        func.sum(case((Response.kann_knockout, one), else_=0)),
        func.sum(case((Response.will_knockout, one), else_=0)),
    ]


def keep_out(bind: Bind, f: Filters, thresholds: tuple[float, float]) -> KeepOutCounts:
    """What keeps respondents out of "held", in one aggregate query.

    Among the responses placed outside "held" (kandidat, vampir, schatten; undetermined ones are
    not placed), a criterion counts for a response when the response failed the criterion's
    axis and scored the criterion below that axis's threshold; a knock-out counts for the axis it
    failed. One response can count for several criteria.
    """
    sums = _keep_out_sums(thresholds)
    stmt = select(func.count(), *sums).where(
        *f.responses(), Response.quadrant.in_([q.value for q in NOT_HELD])
    )
    ((total, *counts),) = _rows(bind, stmt)
    keys: list[KeepOutKey] = [*CRITERIA, KnockOut.KANN, KnockOut.WILL]
    return KeepOutCounts(int(total), {key: int(n or 0) for key, n in zip(keys, counts, strict=True)})


def break_even_band() -> ColumnElement[str]:
    """The band of a response's break-even month (BREAK_EVEN_KEYS)."""
    month = Response.break_even_month
    whens = [(month <= hi, band_key(lo, hi)) for lo, hi in BREAK_EVEN_BANDS if hi is not None]
    return case(
        (_column(Criterion.BREAK_EVEN).is_(None), BE_OPEN),
        (month.is_(None), BE_NONE),
        *whens,
        else_=band_key(*BREAK_EVEN_BANDS[-1]),
    )


def break_even_distribution(bind: Bind, f: Filters) -> dict[str, int]:
    """Responses per band of break-even month, in one GROUP BY."""
    band = break_even_band().label("band")
    stmt = select(band, func.count()).where(*f.responses()).group_by(band)
    out = dict.fromkeys(BREAK_EVEN_KEYS, 0)
    for key, n in _rows(bind, stmt):
        out[key] = n
    return out


def funnel(bind: Bind, f: Filters) -> dict[str, int]:
    """Sessions per questionnaire step, summed over the counters' days and events, in one GROUP BY."""
    stmt = (
        select(FunnelCounter.step, func.sum(FunnelCounter.count))
        .where(*f.counters())
        .group_by(FunnelCounter.step)
    )
    return {step: int(n) for step, n in _rows(bind, stmt)}


# --- the figures per atom ------------------------------------------------------------------------
#
# Every dashboard figure family, read once grouped by atom: the finest cell of the privacy rules,
# (survey version, language, tag, day) as in `cell_counts`, with NO_EVENT for an untagged response;
# or summed over the whole selection (the grain "view", what the dashboard reads: rule 4 of
# PRIVACY.md runs per selection). Each function returns {AtomKey: the family's counts of the atom's
# responses}, holding only atoms with responses; from the roll-up tables keyed by (survey, version,
# language, tag, day) where they count the version with the wanted thresholds, else by GROUP BY.

AtomKey = tuple[str, str, str, date]  # (survey version, language, tag or NO_EVENT, day)
# A count and the sum of the record keys of the responses it counts (trp_core.privacy.cellkey): both
# add over atoms, so that a selection's count and cell key are the same whichever atoms reach it.
Tally = tuple[int, int]

# The grain a figure family is read at: per atom, or summed over the whole selection in the database
# (the dashboard's rule 4 runs per selection, so it needs no more; a million responses' roll-ups
# then come back as a few hundred rows instead of a hundred thousand).
Grain = Literal["atom", "view"]
VIEW: Final[AtomKey] = ("", "", "", date.min)  # the one key of a figure read at the grain "view"


def _tally(into: dict[Any, Tally], key: Any, n: Any, keys: Any) -> None:
    had = into.get(key, (0, 0))
    into[key] = (had[0] + int(n), had[1] + int(keys or 0))


@dataclass(frozen=True)
class _Split:
    """Which survey versions of a selection a figure reads from the roll-ups, which from the responses."""

    rollups: list[str]
    responses: list[str]


def _split(bind: Bind, f: Filters, thresholds: tuple[float, float] | None) -> _Split | None:
    """The versions of the selection's survey the roll-ups count (with these thresholds, for the
    figures that depend on them); the others, and a selection by content hash or over every
    survey (None), are read from the responses. A version's responses all have its content
    stored (survey_snapshots), so the versions listed there are all there are."""
    if f.survey is None or f.survey_hash is not None:
        return None
    t = RollupVersion
    counted = {
        v: (float(k), float(w))
        for v, k, w in _rows(bind, select(t.survey_version, t.kann, t.will).where(t.survey_id == f.survey))
    }
    stored = select(SurveySnapshot.version).where(SurveySnapshot.survey_id == f.survey).distinct()
    versions = {v for (v,) in _rows(bind, stored)} | set(counted)
    if f.version is not None:
        versions &= {f.version}
    wanted = None if thresholds is None else (float(thresholds[0]), float(thresholds[1]))
    read = sorted(v for v in versions if v in counted and (wanted is None or counted[v] == wanted))
    return _Split(read, sorted(versions - set(read)))


def _versions(versions: list[str] | None) -> list[ColumnElement[bool]]:
    return [] if versions is None else [Response.survey_version.in_(versions)]


def _rollup_atom(table: Any) -> tuple[Any, ...]:
    return table.survey_version, table.lang, table.tag, table.day


def _atoms() -> Any:
    """`_atom`, each key made once: many roll-up rows share an atom."""
    made: dict[tuple[Any, ...], AtomKey] = {}

    def atom(version: str, lang: str, event: str | None, day: Any) -> AtomKey:
        raw = (version, lang, event, day)
        key = made.get(raw)
        if key is None:
            key = made[raw] = _atom(version, lang, event, day)
        return key

    return atom


def _atom_columns() -> tuple[Any, ...]:
    return Response.survey_version, Response.lang, Response.event, Response.day


def _grain_columns(columns: tuple[Any, ...], grain: Grain) -> tuple[Any, ...]:
    """The GROUP BY columns of a grain: the atom's four, or none (one row per category)."""
    return columns if grain == "atom" else ()


def _keys(grain: Grain) -> Any:
    """The key of a row's first `len(_grain_columns(...))` values."""
    return _atoms() if grain == "atom" else (lambda *_: VIEW)


def _merge_into(out: dict[AtomKey, Any], more: dict[AtomKey, Any], add: Any) -> None:
    """`more`'s figures into `out`: the roll-ups' versions and the scanned ones share the key VIEW."""
    for key, value in more.items():
        out[key] = add(out[key], value) if key in out else value


def _add_tallies(a: dict[Any, Tally], b: dict[Any, Tally]) -> dict[Any, Tally]:
    out = dict(a)
    for key, (n, keys) in b.items():
        _tally(out, key, n, keys)
    return out


def _atom(version: str, lang: str, event: str | None, day: Any) -> AtomKey:
    as_date = _as_date(day)
    assert as_date is not None
    return version, lang, event or NO_EVENT, as_date


def matrix_by_atom(
    bind: Bind, f: Filters, thresholds: tuple[float, float], *, rollups: bool = True, grain: Grain = "atom"
) -> dict[AtomKey, dict[tuple[int, int] | None, Tally]]:
    """The heat map per atom: {atom: {(kann cell, will cell): (responses, key sum)}}, the key None for the
    undetermined responses (outside the map). The quadrant of a cell follows from its sides
    (`quadrant_for(kann cell >= 0, will cell >= 0)`), as in `matrix_counts`; one GROUP BY, or a
    read of the roll-ups for the versions counted there with these thresholds."""
    split = _split(bind, f, thresholds) if rollups else None
    if split is None:
        return _matrix_scan(bind, f, thresholds, None, grain)
    out: dict[AtomKey, dict[tuple[int, int] | None, Tally]] = {}
    if split.rollups:
        t = RollupCell
        g = _grain_columns(_rollup_atom(t), grain)
        category = (t.quadrant, t.kann_cell, t.will_cell)
        stmt = (
            select(*g, *category, func.sum(t.n), func.sum(t.keys))
            .where(*f.rollups(t, split.rollups))
            .group_by(*g, *category)
            .having(func.sum(t.n) > 0)
        )
        key, w, undetermined = _keys(grain), len(g), Quadrant.UNDETERMINED.value
        for row in _rows(bind, stmt):
            quadrant, kx, wy, n, keys = row[w:]
            cells = out.setdefault(key(*row[:w]), {})
            _tally(cells, None if quadrant == undetermined else (kx, wy), n, keys)
    if split.responses:
        _merge_into(out, _matrix_scan(bind, f, thresholds, split.responses, grain), _add_tallies)
    return out


@functools.cache
def cell_quadrant(cell: tuple[int, int]) -> Quadrant:
    """The quadrant of a heat-map cell, from its sides (a cell at 0 or above has passed the axis)."""
    return quadrant_for(cell[0] >= 0, cell[1] >= 0)


def quadrants_by_day(
    bind: Bind, f: Filters, thresholds: tuple[float, float], *, rollups: bool = True
) -> dict[AtomKey, dict[Quadrant, Tally]]:
    """The responses (and their key sum) per atom (so per day) and quadrant, the quadrant of a
    determined response that of its heat-map cell (as in `matrix_by_atom`): what the dashboard's
    trend sums to periods (per atom, since with releases a period holds, of each stream, only the
    responses published by the release that fixed it)."""
    split = _split(bind, f, thresholds) if rollups else None
    out: dict[AtomKey, dict[Quadrant, Tally]] = {}
    atom = _atoms()

    if split is not None and split.rollups:
        # The quadrants' roll-up (a few rows per atom, not one per heat-map cell): counted with the
        # thresholds the split asked for, so its quadrant is the one of the response's cell.
        t = RollupQuadrant
        stmt = (
            select(*_rollup_atom(t), t.quadrant, func.sum(t.n), func.sum(t.keys))
            .where(*f.rollups(t, split.rollups))
            .group_by(*_rollup_atom(t), t.quadrant)
            .having(func.sum(t.n) > 0)
        )
        for version, lang, tag, day, quadrant, n, keys in _rows(bind, stmt):
            _tally(
                out.setdefault(atom(version, lang, tag, day), {}), Quadrant(quadrant), int(n), int(keys or 0)
            )
    scanned_versions = None if split is None else split.responses
    if split is None or split.responses:
        for key, cells in _matrix_scan(bind, f, thresholds, scanned_versions).items():
            for cell, (n, keys) in cells.items():
                q = Quadrant.UNDETERMINED if cell is None else cell_quadrant(cell)
                _tally(out.setdefault(key, {}), q, n, keys)
    return out


def _matrix_scan(
    bind: Bind,
    f: Filters,
    thresholds: tuple[float, float],
    versions: list[str] | None,
    grain: Grain = "atom",
) -> dict[AtomKey, dict[tuple[int, int] | None, Tally]]:
    """The heat map by GROUP BY over the responses."""
    kann, will = AxisBins(thresholds[0]), AxisBins(thresholds[1])
    span = will.highest - will.lowest + 1
    x = kann.sql(Response.kann_score, Response.kann_passed) - literal(kann.lowest)
    y = will.sql(Response.will_score, Response.will_passed) - literal(will.lowest)
    key = case((Response.quadrant == Quadrant.UNDETERMINED.value, literal(-1)), else_=x * literal(span) + y)
    columns, keys_of = _grain_columns(_atom_columns(), grain), _keys(grain)
    stmt = (
        select(*columns, key.label("cell"), func.count(), func.sum(Response.record_key))
        .where(*f.responses(), *_versions(versions))
        .group_by(*columns, key)
    )
    out: dict[AtomKey, dict[tuple[int, int] | None, Tally]] = {}
    w = len(columns)
    for row in _rows(bind, stmt):
        packed, n, keys = row[w:]
        cells = out.setdefault(keys_of(*row[:w]), {})
        cell = None if packed < 0 else (packed // span + kann.lowest, packed % span + will.lowest)
        _tally(cells, cell, n, keys)
    return out


@dataclass(frozen=True)
class CriterionSums:
    """Per criterion: the responses that answered it and the sum of their points."""

    answered: dict[Criterion, int]
    points: dict[Criterion, float]


def criterion_sums_by_atom(
    bind: Bind, f: Filters, *, rollups: bool = True, grain: Grain = "atom"
) -> dict[AtomKey, dict[Quadrant, CriterionSums]]:
    """Per atom and quadrant, each criterion's answered count and sum of points (sums, so that
    atoms add up; a mean is points / answered); one GROUP BY, or a read of the roll-ups."""
    split = _split(bind, f, None) if rollups else None
    if split is None:
        return _sums_scan(bind, f, None, grain)
    out: dict[AtomKey, dict[Quadrant, CriterionSums]] = {}
    if split.rollups:
        t = RollupQuadrant.__table__.c
        answered = [func.sum(t[ROLLUP_ANSWERED[c]]) for c in CRITERIA]
        points = [func.sum(t[ROLLUP_POINTS[c]]) for c in CRITERIA]
        g = _grain_columns(_rollup_atom(RollupQuadrant), grain)
        stmt = (
            select(*g, t.quadrant, *answered, *points)
            .where(*f.rollups(RollupQuadrant, split.rollups))
            .group_by(*g, t.quadrant)
            .having(func.sum(t.n) > 0)
        )
        n, w, key = len(CRITERIA), len(g), _keys(grain)
        for row in _rows(bind, stmt):
            sums = CriterionSums(
                {c: int(row[w + 1 + i] or 0) for i, c in enumerate(CRITERIA)},
                {c: float(row[w + 1 + n + i] or 0.0) for i, c in enumerate(CRITERIA)},
            )
            out.setdefault(key(*row[:w]), {})[Quadrant(row[w])] = sums
    if split.responses:
        _merge_into(out, _sums_scan(bind, f, split.responses, grain), _add_sums)
    return out


def _add_sums(
    a: dict[Quadrant, CriterionSums], b: dict[Quadrant, CriterionSums]
) -> dict[Quadrant, CriterionSums]:
    out = dict(a)
    for q, s in b.items():
        if q in out:
            s = CriterionSums(
                {c: out[q].answered[c] + s.answered[c] for c in CRITERIA},
                {c: out[q].points[c] + s.points[c] for c in CRITERIA},
            )
        out[q] = s
    return out


def _sums_scan(
    bind: Bind, f: Filters, versions: list[str] | None, grain: Grain = "atom"
) -> dict[AtomKey, dict[Quadrant, CriterionSums]]:
    columns = []
    for c in CRITERIA:
        columns += [func.count(_column(c)), func.sum(_column(c))]
    g = _grain_columns(_atom_columns(), grain)
    stmt = (
        select(*g, Response.quadrant, *columns)
        .where(*f.responses(), *_versions(versions))
        .group_by(*g, Response.quadrant)
    )
    out: dict[AtomKey, dict[Quadrant, CriterionSums]] = {}
    w, key = len(g), _keys(grain)
    for row in _rows(bind, stmt):
        answered = {c: int(row[w + 1 + 2 * i]) for i, c in enumerate(CRITERIA)}
        points = {c: float(row[w + 2 + 2 * i] or 0.0) for i, c in enumerate(CRITERIA)}
        out.setdefault(key(*row[:w]), {})[Quadrant(row[w])] = CriterionSums(answered, points)
    return out


def keep_out_by_atom(
    bind: Bind, f: Filters, thresholds: tuple[float, float], *, rollups: bool = True, grain: Grain = "atom"
) -> dict[AtomKey, KeepOutCounts]:
    """`keep_out` per atom (atoms with responses outside "held" only); one GROUP BY, or a read of the
    roll-ups for the versions counted there with these thresholds."""
    split = _split(bind, f, thresholds) if rollups else None
    if split is None:
        return _keep_out_scan(bind, f, thresholds, None, grain)
    keys: list[KeepOutKey] = [*CRITERIA, KnockOut.KANN, KnockOut.WILL]
    out: dict[AtomKey, KeepOutCounts] = {}
    if split.rollups:
        t = RollupQuadrant.__table__.c
        names = [*(ROLLUP_KEPT[c] for c in CRITERIA), *ROLLUP_KNOCKOUTS]
        kept = [func.sum(t[name]) for name in names]
        kept_keys = [func.sum(t[ROLLUP_KEYS[name]]) for name in names]
        g = _grain_columns(_rollup_atom(RollupQuadrant), grain)
        stmt = (
            select(*g, func.sum(t.n), func.sum(t["keys"]), *kept, *kept_keys)
            .where(*f.rollups(RollupQuadrant, split.rollups), t.quadrant.in_([q.value for q in NOT_HELD]))
            .group_by(*g)
            .having(func.sum(t.n) > 0)
        )
        w, atom = len(g), _keys(grain)
        for row in _rows(bind, stmt):
            total, total_keys, *rest = row[w:]
            out[atom(*row[:w])] = _keep_out_counts(keys, total, total_keys, rest)
    if split.responses:
        _merge_into(out, _keep_out_scan(bind, f, thresholds, split.responses, grain), _add_kept)
    return out


def _add_kept(a: KeepOutCounts, b: KeepOutCounts) -> KeepOutCounts:
    return KeepOutCounts(
        a.placed_out + b.placed_out,
        {key: a.counts.get(key, 0) + b.counts.get(key, 0) for key in a.counts.keys() | b.counts.keys()},
        a.placed_out_keys + b.placed_out_keys,
        {key: a.keys.get(key, 0) + b.keys.get(key, 0) for key in a.keys.keys() | b.keys.keys()},
    )


def _keep_out_scan(
    bind: Bind, f: Filters, thresholds: tuple[float, float], versions: list[str] | None, grain: Grain = "atom"
) -> dict[AtomKey, KeepOutCounts]:
    sums = _keep_out_sums(thresholds)
    key_sums = _keep_out_sums(thresholds, Response.record_key)
    g = _grain_columns(_atom_columns(), grain)
    stmt = (
        select(*g, func.count(), func.sum(Response.record_key), *sums, *key_sums)
        .where(*f.responses(), *_versions(versions), Response.quadrant.in_([q.value for q in NOT_HELD]))
        .group_by(*g)
    )
    keys: list[KeepOutKey] = [*CRITERIA, KnockOut.KANN, KnockOut.WILL]
    out: dict[AtomKey, KeepOutCounts] = {}
    w, atom = len(g), _keys(grain)
    for row in _rows(bind, stmt):
        total, total_keys, *rest = row[w:]
        if total:  # the grain "view" without a group: one row, also when nothing is counted
            out[atom(*row[:w])] = _keep_out_counts(keys, total, total_keys, rest)
    return out


def _keep_out_counts(keys: list[KeepOutKey], total: Any, total_keys: Any, rest: list[Any]) -> KeepOutCounts:
    """A row of counts then key sums, one each per keep-out key, as KeepOutCounts."""
    counts, sums = rest[: len(keys)], rest[len(keys) :]
    return KeepOutCounts(
        int(total),
        {key: int(n or 0) for key, n in zip(keys, counts, strict=True)},
        int(total_keys or 0),
        {key: int(n or 0) for key, n in zip(keys, sums, strict=True)},
    )


def break_even_by_atom(
    bind: Bind, f: Filters, *, rollups: bool = True, grain: Grain = "atom"
) -> dict[AtomKey, dict[str, Tally]]:
    """`break_even_distribution` per atom: {atom: {band: (responses, key sum)}} (bands with responses
    only); one GROUP BY, or a read of the roll-ups."""
    split = _split(bind, f, None) if rollups else None
    if split is None:
        return _break_even_scan(bind, f, None, grain)
    out: dict[AtomKey, dict[str, Tally]] = {}
    if split.rollups:
        t = RollupBand
        g = _grain_columns(_rollup_atom(t), grain)
        stmt = (
            select(*g, t.band, func.sum(t.n), func.sum(t.keys))
            .where(*f.rollups(t, split.rollups))
            .group_by(*g, t.band)
            .having(func.sum(t.n) > 0)
        )
        w, atom = len(g), _keys(grain)
        for row in _rows(bind, stmt):
            band, n, keys = row[w:]
            _tally(out.setdefault(atom(*row[:w]), {}), band, n, keys)
    if split.responses:
        _merge_into(out, _break_even_scan(bind, f, split.responses, grain), _add_tallies)
    return out


def _break_even_scan(
    bind: Bind, f: Filters, versions: list[str] | None, grain: Grain = "atom"
) -> dict[AtomKey, dict[str, Tally]]:
    band = break_even_band().label("band")
    g = _grain_columns(_atom_columns(), grain)
    stmt = (
        select(*g, band, func.count(), func.sum(Response.record_key))
        .where(*f.responses(), *_versions(versions))
        .group_by(*g, band)
    )
    out: dict[AtomKey, dict[str, Tally]] = {}
    w, atom = len(g), _keys(grain)
    for row in _rows(bind, stmt):
        key, n, keys = row[w:]
        _tally(out.setdefault(atom(*row[:w]), {}), key, n, keys)
    return out


SessionKey = tuple[str, date]  # (tag or NO_EVENT, day): the funnel counters know no version or language


def funnel_by_atom(bind: Bind, survey_id: str) -> dict[SessionKey, dict[str, Tally]]:
    """Sessions per questionnaire step, per tag and day, over every counter of a survey: {(tag, day):
    {step: (sessions, the sum of their record keys)}} (trp_core.privacy.cellkey); one GROUP BY (the
    counters are stored at this grain already)."""
    stmt = (
        select(
            FunnelCounter.event,
            FunnelCounter.day,
            FunnelCounter.step,
            func.sum(FunnelCounter.count),
            func.sum(FunnelCounter.keys),
        )
        .where(FunnelCounter.survey_id == survey_id)
        .group_by(FunnelCounter.event, FunnelCounter.day, FunnelCounter.step)
    )
    out: dict[SessionKey, dict[str, Tally]] = {}
    for event, day, step, n, keys in _rows(bind, stmt):
        as_date = _as_date(day)
        assert as_date is not None
        _tally(out.setdefault((event or NO_EVENT, as_date), {}), step, n, keys)
    return out


def count_responses(bind: Bind, f: Filters, quadrant: Quadrant | None = None) -> int:
    stmt = select(func.count()).select_from(Response).where(*f.responses())
    if quadrant is not None:
        stmt = stmt.where(Response.quadrant == quadrant.value)
    return int(_rows(bind, stmt)[0][0])


def free_texts(
    bind: Bind, f: Filters, question_id: str, quadrant: Quadrant | None = None, *, limit: int
) -> list[str]:
    """The distinct non-empty answers to a text question among the latest `limit` given, sorted
    alphabetically (the filtered responses, of one quadrant if given).

    Sorted and without any other attribute, so nothing links a text to a response or a day. The
    newest answers come first through the index on survey and day, so that a million stored
    responses are not all read for their answers.
    """
    text = Response.answers[question_id].as_string()
    stmt = select(text).where(*f.responses(), text.is_not(None), text != "")
    if quadrant is not None:
        stmt = stmt.where(Response.quadrant == quadrant.value)
    stmt = stmt.order_by(Response.survey_id.desc(), Response.day.desc()).limit(limit)
    return sorted({str(t) for (t,) in _rows(bind, stmt)})


def criterion_matrix(bind: Bind, f: Filters) -> tuple[CriterionMatrix, np.ndarray]:
    """The distinct stored criterion scores and knock-outs of the filtered responses, with how many
    responses share each (one GROUP BY), ready for the core's batch re-scoring."""
    columns = [
        *(_column(c) for c in CRITERIA),
        Response.kann_knockout,
        Response.will_knockout,
        Response.break_even_month,
    ]
    stmt = select(*columns, func.count()).where(*f.responses()).group_by(*columns)
    rows = [tuple(r) for r in _rows(bind, stmt)]
    n = len(CRITERIA)
    data = np.array(rows, dtype=float).reshape(len(rows), n + 4)  # NULL becomes NaN
    matrix = CriterionMatrix(
        scores=data[:, :n],
        knockout={Axis.KANN: data[:, n] == 1, Axis.WILL: data[:, n + 1] == 1},
        break_even_month=data[:, n + 2],
    )
    return matrix, data[:, n + 3].astype(np.int64)


# --- the responses, one row each, for the export -------------------------------------------------

SCORE_COLUMNS: Final = (
    "kann_score",
    "will_score",
    "kann_coverage",
    "will_coverage",
    "kann_knockout",
    "will_knockout",
    "break_even_month",
)


class ResponseRow(NamedTuple):
    survey_id: str
    version: str
    lang: str
    event: str | None
    week: date  # the Monday of the ISO week: nothing finer leaves the database
    answers: dict[str, Any]
    scores: tuple[Any, ...]  # SCORE_COLUMNS, then the criteria's columns in CRITERIA order
    quadrant: str


def responses_by_week(bind: Bind, f: Filters) -> Iterator[ResponseRow]:
    """The filtered responses, read when iterated, in the order of their random ids: the order tells
    nothing about when a response came."""
    week = period_start(Period.WEEK)
    table = Response.__table__.c
    stmt = (
        select(
            Response.survey_id,
            Response.survey_version,
            Response.lang,
            Response.event,
            week,
            Response.answers,
            *(table[c] for c in SCORE_COLUMNS),
            *(_column(c) for c in CRITERIA),
            Response.quadrant,
        )
        .where(*f.responses())
        .order_by(Response.id)
    )
    with _connection(bind) as conn:
        for row in conn.execution_options(yield_per=2_000).execute(stmt):
            survey_id, version, lang, event, start, answers, *numbers, quadrant = row
            start = start if isinstance(start, date) else date.fromisoformat(str(start))
            yield ResponseRow(survey_id, version, lang, event, start, answers or {}, tuple(numbers), quadrant)


@contextmanager
def _connection(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            yield conn
    else:
        yield bind
