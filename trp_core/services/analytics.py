"""The managers' figures: each one GROUP BY query in the database, and the minimum-group rule.

Filters become SQLAlchemy expressions with bound parameters, never SQL text. The query
functions return raw counts; `dashboard` and `calibrate` put every figure they show through
`protect`, the one place where the minimum-group rule of DESIGN.md is applied:

- a group of fewer than k responses (k from TRP_MIN_GROUP, default 5, never below 3) is hidden;
- every published sum (a total, a quadrant count that is also the sum of its heat-map cells, a
  row or column of a table) is a `Line`: when one of its entries is hidden, another is hidden
  too (the next smallest), so that no hidden entry can be worked out from what is shown, and
  the hidden members of a line whose total is shown add up to at least k;
- free text only for groups of at least 10 (`FREE_TEXT_MIN`), and never a single response.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Hashable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Final, Generic, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Engine,
    Float,
    Integer,
    Select,
    and_,
    case,
    func,
    literal,
    not_,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from trp_core.method.scoring import CRITERIA, QUADRANT_CODES, CriterionMatrix, score_matrix
from trp_core.method.survey import Survey
from trp_core.method.vocabulary import CRITERION_AXIS, Axis, Criterion, Quadrant, quadrant_for
from trp_core.settings import get_settings
from trp_core.store.models import (
    CRITERION_COLUMNS,
    EVENT_LENGTH,
    HASH_LENGTH,
    SURVEY_ID_LENGTH,
    VERSION_LENGTH,
    FunnelCounter,
    Response,
    SurveySnapshot,
)

MIN_GROUP_DEFAULT: Final = 5
MIN_GROUP_FLOOR: Final = 3
FREE_TEXT_MIN: Final = 10
FREE_TEXT_LIMIT: Final = 300  # texts shown at most, per question
BIN_WIDTH: Final = 10.0  # heat-map cells are 10 × 10 points, with both thresholds on cell edges
NO_EVENT: Final = ""  # as a filter: responses without an event tag
PLACED: Final = (Quadrant.HELD, Quadrant.KANDIDAT, Quadrant.VAMPIR, Quadrant.SCHATTEN)
NOT_HELD: Final = (Quadrant.KANDIDAT, Quadrant.VAMPIR, Quadrant.SCHATTEN)

Bind = Engine | Connection
K = TypeVar("K", bound=Hashable)


def min_group(k: int | None = None) -> int:
    """k of the minimum-group rule: the argument, else TRP_MIN_GROUP (default 5); never below 3."""
    value = get_settings().min_group if k is None else k
    return max(MIN_GROUP_FLOOR, int(value))


# --- filters --------------------------------------------------------------------------------


class Filters(BaseModel):
    """What a manager narrows the responses to. Every value reaches SQL as a bound parameter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    survey: str | None = Field(default=None, max_length=SURVEY_ID_LENGTH)
    version: str | None = Field(default=None, max_length=VERSION_LENGTH)
    survey_hash: str | None = Field(default=None, max_length=HASH_LENGTH)
    lang: Literal["de", "en"] | None = None
    event: str | None = Field(default=None, max_length=EVENT_LENGTH)  # NO_EVENT: without an event tag
    since: date | None = None
    until: date | None = None  # inclusive

    @model_validator(mode="after")
    def _range(self) -> Filters:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError("the date range ends before it starts")
        return self

    def responses(self) -> list[ColumnElement[bool]]:
        """WHERE clauses on the responses table."""
        where: list[ColumnElement[bool]] = []
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
        # The day is checked inside the covering index: on SQLite a seek on the narrow index on
        # (survey, day) would look up every row of the range in the table.
        day = _scanned(Response.day)
        if self.since is not None:
            where.append(day >= self.since)
        if self.until is not None:
            where.append(day <= self.until)
        return where

    def counters(self) -> list[ColumnElement[bool]]:
        """WHERE clauses on the funnel counters, which know survey, event and day only."""
        where: list[ColumnElement[bool]] = []
        if self.survey is not None:
            where.append(FunnelCounter.survey_id == self.survey)
        if self.event is not None:
            where.append(FunnelCounter.event == self.event)  # the counters store NO_EVENT as ""
        if self.since is not None:
            where.append(FunnelCounter.day >= self.since)
        if self.until is not None:
            where.append(FunnelCounter.day <= self.until)
        return where

    @property
    def counters_coarser(self) -> bool:
        """Whether the funnel counts cover more than the responses do (language or version set)."""
        return self.lang is not None or self.version is not None or self.survey_hash is not None


# --- the minimum-group rule -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """A published sum: `total` = Σ `members`. Whoever sees all but one of them can work out the last."""

    total: Hashable
    members: tuple[Hashable, ...]


def protect(
    values: Mapping[Hashable, int],
    lines: Iterable[Line],
    k: int,
    cost: Mapping[Hashable, float] | None = None,
) -> frozenset[Hashable]:
    """The entries to hide, so that no group of fewer than k responses can be seen or worked out.

    1. Every entry of 1 to k − 1 is hidden. A zero is shown: it is nobody.
    2. Then, over every line until nothing changes: a line with a hidden entry needs a second
       one, and when its total is shown, hidden members that add up to at least k; otherwise
       one more of its shown entries above zero is hidden: the one that costs least to lose
       (`cost`, default 1 each), of those the smallest, of those the first (the total last).
    3. Lines share entries (the total, the quadrant counts), so a hidden entry might still follow
       from several lines together: `derivable` checks the whole system of sums, and while it
       finds one, one more entry on a line through it is hidden and step 2 runs again.
    """
    if k < MIN_GROUP_FLOOR:
        raise ValueError(f"k must be at least {MIN_GROUP_FLOOR}")
    lines = [line for line in lines if line.members]
    order = {key: i for i, key in enumerate(values)}
    hidden = {key for key, n in values.items() if 0 < n < k}
    cost = cost or {}
    while True:
        _secondary(values, lines, hidden, k, cost)
        determined = derivable(lines, hidden, order)
        if not determined:
            return frozenset(hidden)
        # The line rule missed a combination of lines: hide one more entry beside the first such one.
        for line in lines:
            if determined[0] in (line.total, *line.members) and _hide_one_more(values, line, hidden, cost):
                break
        else:  # cannot happen: a derivable entry lies on a line with something left to hide
            raise AssertionError(f"cannot protect {determined[0]!r}")


def derivable(
    lines: Iterable[Line], hidden: set[Hashable] | frozenset[Hashable], order: Mapping[Hashable, int]
) -> list[Hashable]:
    """The hidden entries that the published sums determine exactly (linear algebra over the lines)."""
    unknown = sorted(hidden, key=lambda key: order[key])
    if not unknown:
        return []
    column = {key: j for j, key in enumerate(unknown)}
    rows = []
    for line in lines:
        row = np.zeros(len(unknown))
        if line.total in column:
            row[column[line.total]] -= 1
        for m in line.members:
            if m in column:
                row[column[m]] += 1
        if row.any():
            rows.append(row)
    if not rows:
        return []
    _, singular, vt = np.linalg.svd(np.array(rows), full_matrices=True)
    rank = int((singular > 1e-9).sum())
    free = vt[rank:]  # a basis of what the sums leave open
    return [key for j, key in enumerate(unknown) if not np.any(np.abs(free[:, j]) > 1e-9)]


def _hide_one_more(
    values: Mapping[Hashable, int], line: Line, hidden: set[Hashable], cost: Mapping[Hashable, float]
) -> bool:
    entries = [*line.members, line.total]
    shown = [
        (cost.get(key, 1.0), values[key], i, key)
        for i, key in enumerate(entries)
        if key not in hidden and values[key] > 0
    ]
    if not shown:  # only zeros left beside a hidden total: nothing more to hide on this line
        return False
    hidden.add(min(shown)[3])
    return True


def _secondary(
    values: Mapping[Hashable, int],
    lines: list[Line],
    hidden: set[Hashable],
    k: int,
    cost: Mapping[Hashable, float],
) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            members = [m for m in line.members if m in hidden]
            total_hidden = line.total in hidden
            count = len(members) + total_hidden
            if count == 0:
                continue
            hidden_sum = sum(values[m] for m in members)
            if count >= 2 and (total_hidden or hidden_sum >= k):
                continue
            changed = _hide_one_more(values, line, hidden, cost) or changed


@dataclass(frozen=True)
class Breakdown(Generic[K]):
    """A breakdown as it may be shown: None for a hidden cell or total."""

    cells: dict[K, int | None]
    total: int | None


_TOTAL: Final = object()


def suppress(counts: Mapping[K, int], k: int | None = None) -> Breakdown[K]:
    """One breakdown of counts under the minimum-group rule (see `protect`)."""
    k = min_group(k)
    values: dict[Hashable, int] = {**counts, _TOTAL: sum(counts.values())}
    hidden = protect(values, [Line(_TOTAL, tuple(counts))], k)
    return Breakdown(
        cells={c: None if c in hidden else n for c, n in counts.items()},
        total=None if _TOTAL in hidden else values[_TOTAL],
    )


# --- SQL helpers that differ between SQLite and PostgreSQL -------------------------------------


class _scanned(FunctionElement[date]):
    """A column that SQLite's planner must not seek an index on: `+column`, the same value."""

    type = Date()
    inherit_cache = True
    name = "trp_scanned"


@compiles(_scanned)
def _scanned_default(element: Any, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_scanned, "sqlite")
def _scanned_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


class _floor(FunctionElement[int]):
    """The integer floor of a number above -1000."""

    type = Integer()
    inherit_cache = True
    name = "trp_floor"


@compiles(_floor)
def _floor_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(_floor, "sqlite")
def _floor_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # SQLite's FLOOR() needs a build with the math functions. CAST truncates towards zero, which is
    # the floor for positive numbers: the arguments here (score cells) lie far above -1000.
    return f"(CAST({compiler.process(element.clauses, **kw)} + 1000 AS INTEGER) - 1000)"


class _clamp(FunctionElement[int]):
    """A number held within [low, high]: clamp(x, low, high), x evaluated once."""

    type = Integer()
    inherit_cache = True
    name = "trp_clamp"


@compiles(_clamp)
def _clamp_default(element: Any, compiler: Any, **kw: Any) -> str:
    x, low, high = (compiler.process(c, **kw) for c in element.clauses)
    return f"LEAST(GREATEST({x}, {low}), {high})"


@compiles(_clamp, "sqlite")
def _clamp_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    x, low, high = (compiler.process(c, **kw) for c in element.clauses)
    return f"MIN(MAX({x}, {low}), {high})"  # SQLite's scalar min and max of several arguments


class _week_start(FunctionElement[date]):
    """The Monday of a date's ISO week."""

    type = Date()
    inherit_cache = True
    name = "trp_week_start"


@compiles(_week_start)
def _week_start_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(DATE_TRUNC('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(_week_start, "sqlite")
def _week_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # 'weekday 0' moves on to the next Sunday (or stays on one); six days back is its Monday.
    return f"DATE({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


class _month_start(FunctionElement[date]):
    """The first day of a date's month."""

    type = Date()
    inherit_cache = True
    name = "trp_month_start"


@compiles(_month_start)
def _month_start_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(DATE_TRUNC('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(_month_start, "sqlite")
def _month_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"DATE({compiler.process(element.clauses, **kw)}, 'start of month')"


# PostgreSQL's JIT compiler spends more time on these sub-second aggregates than it saves.
_NO_JIT: Final = text("SET LOCAL jit = off")


def _rows(bind: Bind, stmt: Select[Any]) -> list[Any]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return _rows(conn, stmt)
    if bind.dialect.name == "postgresql":
        bind.execute(_NO_JIT)
    return list(bind.execute(stmt))


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
            select(Response.event).where(Response.survey_id == survey_id).group_by(Response.event),
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
        raw = _floor((score - _num(self.threshold)) / _num(self.width))
        return case(
            (passed, _clamp(raw, literal(0), literal(self.highest))),
            else_=_clamp(raw, literal(self.lowest), literal(-1)),
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


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"


def period_start(period: Period) -> Any:
    return _week_start(Response.day) if period is Period.WEEK else _month_start(Response.day)


def period_label(start: date, period: Period) -> str:
    """ISO week "2025-W07" or month "2025-02"."""
    if period is Period.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


def quadrant_trend(bind: Bind, f: Filters, period: Period) -> dict[tuple[date, Quadrant], int]:
    """Responses per period (ISO week or month, from the day) and quadrant."""
    start = period_start(period).label("period")
    stmt = (
        select(start, Response.quadrant, func.count())
        .where(*f.responses())
        .group_by(start, Response.quadrant)
        .order_by(start)
    )
    return {(_as_date(p), Quadrant(q)): n for p, q, n in _rows(bind, stmt)}


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


class KnockOut(StrEnum):
    """Rows of the keep-out figure beside the criteria: an axis failed by a knock-out answer."""

    KANN = "knockout_kann"
    WILL = "knockout_will"


KeepOutKey = Criterion | KnockOut


@dataclass(frozen=True)
class KeepOutCounts:
    placed_out: int  # responses placed in kandidat, vampir or schatten
    counts: dict[KeepOutKey, int]


def keep_out(bind: Bind, f: Filters, thresholds: tuple[float, float]) -> KeepOutCounts:
    """What keeps respondents out of "held", in one aggregate query.

    Among the responses placed outside "held" (kandidat, vampir, schatten; undetermined ones are
    not placed), a criterion counts for a response when the response failed the criterion's
    axis and scored the criterion below that axis's threshold; a knock-out counts for the axis it
    failed. One response can count for several criteria.
    """
    limits = {Axis.KANN: _num(thresholds[0]), Axis.WILL: _num(thresholds[1])}
    failed = {Axis.KANN: not_(Response.kann_passed), Axis.WILL: not_(Response.will_passed)}
    sums = [
        func.sum(case((and_(failed[CRITERION_AXIS[c]], _column(c) < limits[CRITERION_AXIS[c]]), 1), else_=0))
        for c in CRITERIA
    ]
    sums += [
        func.sum(case((Response.kann_knockout, 1), else_=0)),
        func.sum(case((Response.will_knockout, 1), else_=0)),
    ]
    stmt = select(func.count(), *sums).where(
        *f.responses(), Response.quadrant.in_([q.value for q in NOT_HELD])
    )
    ((total, *counts),) = _rows(bind, stmt)
    keys: list[KeepOutKey] = [*CRITERIA, KnockOut.KANN, KnockOut.WILL]
    return KeepOutCounts(int(total), {key: int(n or 0) for key, n in zip(keys, counts, strict=True)})


# Break-even months in the bands a manager reads; "none": not within the horizon; "open": the
# calculator was not filled in.
BREAK_EVEN_BANDS: Final = ((1, 3), (4, 6), (7, 9), (10, 12), (13, 18), (19, 24), (25, 36), (37, None))
BE_NONE: Final = "none"
BE_OPEN: Final = "open"


def band_key(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


BREAK_EVEN_KEYS: Final = (*(band_key(lo, hi) for lo, hi in BREAK_EVEN_BANDS), BE_NONE, BE_OPEN)


def break_even_distribution(bind: Bind, f: Filters) -> dict[str, int]:
    """Responses per band of break-even month, in one GROUP BY."""
    month = Response.break_even_month
    whens = [(month <= hi, band_key(lo, hi)) for lo, hi in BREAK_EVEN_BANDS if hi is not None]
    band = case(
        (_column(Criterion.BREAK_EVEN).is_(None), BE_OPEN),
        (month.is_(None), BE_NONE),
        *whens,
        else_=band_key(*BREAK_EVEN_BANDS[-1]),
    ).label("band")
    stmt = select(band, func.count()).where(*f.responses()).group_by(band)
    out = dict.fromkeys(BREAK_EVEN_KEYS, 0)
    for key, n in _rows(bind, stmt):
        out[key] = n
    return out


def funnel_steps(survey: Survey) -> list[str]:
    """The funnel steps of a survey in questionnaire order."""
    steps = ["started", *(f"step:{s.id}" for s in survey.ordered_sections)]
    if survey.calculator is not None:
        steps.append("calculator")
    return [*steps, "completed"]


def funnel(bind: Bind, f: Filters) -> dict[str, int]:
    """Sessions per questionnaire step, summed over the counters' days and events, in one GROUP BY."""
    stmt = (
        select(FunnelCounter.step, func.sum(FunnelCounter.count))
        .where(*f.counters())
        .group_by(FunnelCounter.step)
    )
    return {step: int(n) for step, n in _rows(bind, stmt)}


def count_responses(bind: Bind, f: Filters, quadrant: Quadrant | None = None) -> int:
    stmt = select(func.count()).select_from(Response).where(*f.responses())
    if quadrant is not None:
        stmt = stmt.where(Response.quadrant == quadrant.value)
    return int(_rows(bind, stmt)[0][0])


def free_texts(
    bind: Bind,
    f: Filters,
    question_id: str,
    quadrant: Quadrant | None = None,
    *,
    k: int | None = None,
    limit: int = FREE_TEXT_LIMIT,
) -> list[str] | None:
    """The distinct non-empty answers to a text question among the latest `limit` given, sorted
    alphabetically; None when the group (the filtered responses, of one quadrant if given) has
    fewer than max(10, k) responses.

    Sorted and without any other attribute, so nothing links a text to a response or a day. The
    newest answers come first through the index on survey and day, so that a million stored
    responses are not all read for their answers.
    """
    if count_responses(bind, f, quadrant) < max(FREE_TEXT_MIN, min_group(k)):
        return None
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


# --- the dashboard as it may be shown ---------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    kann_from: float
    kann_to: float
    will_from: float
    will_to: float
    quadrant: Quadrant
    count: int | None  # None: hidden


@dataclass(frozen=True)
class TrendCell:
    start: date
    label: str
    quadrant: Quadrant | None  # None: the hidden rest of the period
    count: int | None
    share: float | None  # of the period's responses


@dataclass(frozen=True)
class KeepOutRow:
    key: KeepOutKey
    axis: Axis
    count: int | None
    share: float | None  # of the responses placed outside "held"


@dataclass(frozen=True)
class FunnelStep:
    step: str
    count: int | None
    share: float | None  # of the started sessions


@dataclass(frozen=True)
class Dashboard:
    k: int
    thresholds: tuple[float, float]
    total: int | None  # responses in the filtered set
    quadrants: dict[Quadrant, int | None]
    heat: list[HeatCell]
    period: Period
    trend: list[TrendCell]
    means: dict[tuple[Criterion, Quadrant], float | None]
    placed_out: int | None
    keep_out: list[KeepOutRow]
    break_even: dict[str, int | None]
    funnel: list[FunnelStep]
    started: int | None
    completed: int | None
    completion_rate: float | None
    counters_coarser: bool

    @property
    def too_small(self) -> bool:
        """Fewer than k responses: nothing about them may be shown."""
        return self.total is None

    def quadrant_share(self, q: Quadrant) -> float | None:
        n = self.quadrants[q]
        return None if n is None or not self.total else n / self.total


def _share(n: int | None, of: int | None) -> float | None:
    return None if n is None or not of else n / of


def dashboard(
    bind: Bind, f: Filters, survey: Survey, *, period: Period = Period.MONTH, k: int | None = None
) -> Dashboard:
    """Every dashboard figure, each from one query, with the minimum-group rule applied across all
    of them at once (they share the total and the quadrant counts).

    Given an engine, the queries run side by side on their own connections, one per CPU: SQLite
    answers each query on one core. Given a connection, they run one after the other on it.
    """
    k = min_group(k)
    thresholds = (survey.thresholds.kann, survey.thresholds.will)
    jobs: dict[str, Callable[[Bind], Any]] = {  # the longest first
        "means": lambda b: criterion_means(b, f),
        "matrix": lambda b: matrix_counts(b, f, thresholds),
        "out": lambda b: keep_out(b, f, thresholds),
        "trend": lambda b: quadrant_trend(b, f, period),
        "be": lambda b: break_even_distribution(b, f),
        "steps": lambda b: funnel(b, f),
    }
    if isinstance(bind, Engine):
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            futures = {name: pool.submit(job, bind) for name, job in jobs.items()}
            results = {name: future.result() for name, future in futures.items()}
    else:
        results = {name: job(bind) for name, job in jobs.items()}
    matrix: MatrixCounts = results["matrix"]
    trend: dict[tuple[date, Quadrant], int] = results["trend"]
    means: dict[tuple[Criterion, Quadrant], CriterionMean] = results["means"]
    out: KeepOutCounts = results["out"]
    be: dict[str, int] = results["be"]
    steps: dict[str, int] = results["steps"]

    values: dict[Hashable, int] = {"N": matrix.total}
    lines: list[Line] = []
    quadrant_keys = tuple(("Q", q) for q in Quadrant)
    values.update({("Q", q): n for q, n in matrix.quadrants.items()})
    lines.append(Line("N", quadrant_keys))
    # The heat map: each quadrant's cells add up to its count.
    cell_quadrant = {cell: _cell_quadrant(cell) for cell in matrix.cells}
    for q in PLACED:
        members = tuple(("H", cell) for cell, cq in cell_quadrant.items() if cq is q)
        lines.append(Line(("Q", q), members))
    values.update({("H", cell): n for cell, n in matrix.cells.items()})
    # Quadrants per period: rows add up to the period, columns to the quadrant, periods to N.
    periods = sorted({p for p, _ in trend})
    for p in periods:
        values[("T", p)] = sum(n for (pp, _), n in trend.items() if pp == p)
        lines.append(Line(("T", p), tuple(("P", p, q) for q in Quadrant if (p, q) in trend)))
    values.update({("P", p, q): n for (p, q), n in trend.items()})
    for q in Quadrant:
        lines.append(Line(("Q", q), tuple(("P", p, q) for p in periods if (p, q) in trend)))
    lines.append(Line("N", tuple(("T", p) for p in periods)))
    # Break-even bands add up to N.
    values.update({("B", b): n for b, n in be.items()})
    lines.append(Line("N", tuple(("B", b) for b in be)))
    # Keep-out: the responses outside "held" are the three other quadrants; each criterion splits
    # them into those it keeps out and the rest.
    values["OUT"] = out.placed_out
    lines.append(Line("OUT", tuple(("Q", q) for q in NOT_HELD)))
    lines.append(Line("N", (("Q", Quadrant.HELD), ("Q", Quadrant.UNDETERMINED), "OUT")))
    for key, n in out.counts.items():
        values[("K", key)] = n
        values[("R", key)] = out.placed_out - n
        lines.append(Line("OUT", (("K", key), ("R", key))))
    # What to give up first when a second entry must go: the complements of the keep-out counts are
    # never shown, the number outside "held" only serves the keep-out shares; the total and the
    # quadrant counts are what matters most.
    cost: dict[Hashable, float] = {"N": 100.0, "OUT": 2.0}
    cost.update({key: 0.0 for key in values if isinstance(key, tuple) and key[0] == "R"})
    cost.update({key: 3.0 for key in quadrant_keys})
    hidden = protect(values, lines, k, cost)

    def shown(key: Hashable) -> int | None:
        return None if key in hidden else values[key]

    total = shown("N")
    heat = []
    for cell, q in cell_quadrant.items():
        kx, wy = matrix.kann.edges(cell[0]), matrix.will.edges(cell[1])
        heat.append(HeatCell(kx[0], kx[1], wy[0], wy[1], q, shown(("H", cell))))
    trend_cells: list[TrendCell] = []
    for p in periods:
        period_total = shown(("T", p))
        if period_total is None:
            continue
        label = period_label(p, period)
        rest = period_total
        for q in Quadrant:
            n = shown(("P", p, q)) if (p, q) in trend else 0
            if n is not None:
                rest -= n
                if n:
                    trend_cells.append(TrendCell(p, label, q, n, n / period_total))
        if rest:
            trend_cells.append(TrendCell(p, label, None, None, rest / period_total))
    placed_out = shown("OUT")
    keep_rows = [
        KeepOutRow(
            key,
            CRITERION_AXIS[key] if isinstance(key, Criterion) else Axis(key.value.removeprefix("knockout_")),
            shown(("K", key)),
            _share(shown(("K", key)), placed_out),
        )
        for key in out.counts
    ]
    keep_rows.sort(key=lambda r: (r.count is None, -(r.count or 0)))
    mean_view = {key: m.mean if m.answered >= k and m.mean is not None else None for key, m in means.items()}
    # Funnel counters count sessions, not responses: each step on its own, under k hidden.
    funnel_keys = funnel_steps(survey)
    step_view = {s: (None if 0 < steps.get(s, 0) < k else steps.get(s, 0)) for s in funnel_keys}
    shown_started = step_view["started"]
    funnel_rows = [FunnelStep(s, step_view[s], _share(step_view[s], shown_started)) for s in funnel_keys]
    completed = step_view["completed"]
    return Dashboard(
        k=k,
        thresholds=thresholds,
        total=total,
        quadrants={q: shown(("Q", q)) for q in Quadrant},
        heat=heat,
        period=period,
        trend=trend_cells,
        means=mean_view,
        placed_out=placed_out,
        keep_out=keep_rows,
        break_even={b: shown(("B", b)) for b in be},
        funnel=funnel_rows,
        started=shown_started,
        completed=completed,
        completion_rate=_share(completed, shown_started),
        counters_coarser=f.counters_coarser,
    )


def _cell_quadrant(cell: tuple[int, int]) -> Quadrant:
    return quadrant_for(cell[0] >= 0, cell[1] >= 0)


# --- calibration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationCounts:
    """Raw counts of a re-scoring: quadrant before (rows) and after (columns)."""

    moves: dict[tuple[Quadrant, Quadrant], int]

    @property
    def total(self) -> int:
        return sum(self.moves.values())

    def before(self, q: Quadrant) -> int:
        return sum(n for (a, _), n in self.moves.items() if a is q)

    def after(self, q: Quadrant) -> int:
        return sum(n for (_, b), n in self.moves.items() if b is q)

    @property
    def changed(self) -> int:
        return sum(n for (a, b), n in self.moves.items() if a is not b)


def rescore_counts(
    matrix: CriterionMatrix, before: Survey, after: Survey, weights: np.ndarray | None = None
) -> CalibrationCounts:
    """Every response scored under both surveys with the core's batch path (batch.score_matrix);
    `weights`: how many responses each row of the matrix stands for (default one each)."""
    a = score_matrix(before, matrix).quadrant
    b = score_matrix(after, matrix).quadrant
    size = len(QUADRANT_CODES)
    counts = np.bincount(a * size + b, weights=weights, minlength=size * size).astype(np.int64)
    quadrants = list(QUADRANT_CODES)
    return CalibrationCounts(
        {(quadrants[i], quadrants[j]): int(counts[i * size + j]) for i in range(size) for j in range(size)}
    )


@dataclass(frozen=True)
class Calibration:
    k: int
    total: int | None
    before: dict[Quadrant, int | None]
    after: dict[Quadrant, int | None]
    moves: dict[tuple[Quadrant, Quadrant], int | None]
    changed: int | None

    @property
    def too_small(self) -> bool:
        return self.total is None


def calibrate(bind: Bind, f: Filters, before: Survey, after: Survey, *, k: int | None = None) -> Calibration:
    """How many of the filtered responses would change quadrant under `after` (the changed weights
    and thresholds) instead of `before`, under the minimum-group rule."""
    matrix, weights = criterion_matrix(bind, f)
    return protect_calibration(rescore_counts(matrix, before, after, weights), k)


def protect_calibration(counts: CalibrationCounts, k: int | None = None) -> Calibration:
    k = min_group(k)
    quadrants = list(Quadrant)
    values: dict[Hashable, int] = {
        "N": counts.total,
        "CH": counts.changed,
        "UN": counts.total - counts.changed,
    }
    values.update({("M", a, b): n for (a, b), n in counts.moves.items()})
    values.update({("A", q): counts.before(q) for q in quadrants})
    values.update({("B", q): counts.after(q) for q in quadrants})
    lines = [
        Line("N", tuple(("A", q) for q in quadrants)),
        Line("N", tuple(("B", q) for q in quadrants)),
        Line("N", ("CH", "UN")),
        Line("CH", tuple(("M", a, b) for a in quadrants for b in quadrants if a is not b)),
        Line("UN", tuple(("M", q, q) for q in quadrants)),
        *(Line(("A", a), tuple(("M", a, b) for b in quadrants)) for a in quadrants),
        *(Line(("B", b), tuple(("M", a, b) for a in quadrants)) for b in quadrants),
    ]
    # The changed count and the quadrant counts before and after matter more than single moves.
    cost: dict[Hashable, float] = {"N": 100.0, "CH": 5.0, "UN": 5.0}
    cost.update({key: 3.0 for key in values if isinstance(key, tuple) and key[0] in ("A", "B")})
    hidden = protect(values, lines, k, cost)

    def shown(key: Hashable) -> int | None:
        return None if key in hidden else values[key]

    return Calibration(
        k=k,
        total=shown("N"),
        before={q: shown(("A", q)) for q in quadrants},
        after={q: shown(("B", q)) for q in quadrants},
        moves={(a, b): shown(("M", a, b)) for a in quadrants for b in quadrants},
        changed=shown("CH"),
    )


def revised_version(version: str) -> str:
    """A suggestion for the next version: "1.0" → "1.1", "2" → "3", otherwise "<version>.1"."""
    head, _, last = version.rpartition(".")
    if last.isdigit():
        bumped = str(int(last) + 1)
        return f"{head}.{bumped}" if head else bumped
    return f"{version}.1"[:VERSION_LENGTH]
