"""SQL functions that SQLite and PostgreSQL spell differently, compiled for each (SQLAlchemy's
`@compiles`); the store's read queries use them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class scanned(FunctionElement[date]):
    """A column that SQLite's planner must not seek an index on: `+column`, the same value."""

    type = Date()
    inherit_cache = True
    name = "trp_scanned"


@compiles(scanned)
def _scanned_default(element: Any, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(scanned, "sqlite")
def _scanned_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


class unindexed(scanned):
    """A text column that SQLite's planner must not seek an index on: `+column`, the same value
    (compiled as `scanned`)."""

    type = String()  # type: ignore[assignment]
    inherit_cache = True
    name = "trp_unindexed"


class floor_int(FunctionElement[int]):
    """The integer floor of a number above -1000."""

    type = Integer()
    inherit_cache = True
    name = "trp_floor"


@compiles(floor_int)
def _floor_int_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(floor_int, "sqlite")
def _floor_int_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # SQLite's FLOOR() needs a build with the math functions. CAST truncates towards zero, which is
    # the floor for positive numbers: the arguments here (score cells) lie far above -1000.
    return f"(CAST({compiler.process(element.clauses, **kw)} + 1000 AS INTEGER) - 1000)"


class clamp(FunctionElement[int]):
    """A number held within [low, high]: clamp(x, low, high), x evaluated once."""

    type = Integer()
    inherit_cache = True
    name = "trp_clamp"


@compiles(clamp)
def _clamp_default(element: Any, compiler: Any, **kw: Any) -> str:
    x, low, high = (compiler.process(c, **kw) for c in element.clauses)
    return f"LEAST(GREATEST({x}, {low}), {high})"


@compiles(clamp, "sqlite")
def _clamp_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    x, low, high = (compiler.process(c, **kw) for c in element.clauses)
    return f"MIN(MAX({x}, {low}), {high})"  # SQLite's scalar min and max of several arguments


class week_start(FunctionElement[date]):
    """The Monday of a date's ISO week."""

    type = Date()
    inherit_cache = True
    name = "trp_week_start"


@compiles(week_start)
def _week_start_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(DATE_TRUNC('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # 'weekday 0' moves on to the next Sunday (or stays on one); six days back is its Monday.
    return f"DATE({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


class month_start(FunctionElement[date]):
    """The first day of a date's month."""

    type = Date()
    inherit_cache = True
    name = "trp_month_start"


@compiles(month_start)
def _month_start_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(DATE_TRUNC('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"DATE({compiler.process(element.clauses, **kw)}, 'start of month')"


# PostgreSQL's JIT compiler spends more time on these sub-second aggregates than it saves.
