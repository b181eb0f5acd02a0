"""The managers' dashboard: every figure read from the store, then shown only as far as the
minimum-group rule (trp_core.privacy) allows, the figures that share sums protected together."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import Any, Final

from sqlalchemy import Engine

from trp_core.method import figures
from trp_core.method.figures import (
    BREAK_EVEN_KEYS,
    NOT_HELD,
    PLACED,
    KeepOutKey,
    KnockOut,
    Period,
    funnel_steps,
    period_label,
)
from trp_core.method.scoring import CRITERIA
from trp_core.method.survey import Survey
from trp_core.method.vocabulary import CRITERION_AXIS, Axis, Criterion, Quadrant
from trp_core.privacy import cellkey
from trp_core.privacy.cells import Lattice, PeriodCell, View
from trp_core.privacy.suppression import FREE_TEXT_LIMIT, Published, free_text_min, min_group
from trp_core.services import selection as sel
from trp_core.services.storage import store_errors
from trp_core.store import reads
from trp_core.store.reads import (
    AtomKey,
    Bind,
    CriterionMean,
    CriterionSums,
    Filters,
    KeepOutCounts,
    MatrixCounts,
    SessionKey,
)

__all__ = [
    "Dashboard",
    "FunnelStep",
    "HeatCell",
    "KeepOutRow",
    "PublishedDashboard",
    "TrendCell",
    "dashboard",
    "free_text_cells",
    "free_text_min",
    "free_texts",
    "published_dashboard",
]


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
    # D of the cell-key method (trp_core.privacy.cellkey) when the counts inside the selection
    # (quadrants, heat map, trend, keep-out, break-even bands, the funnel's steps after "started")
    # are perturbed by up to D; 0: exact.
    noise: int = 0

    @property
    def too_small(self) -> bool:
        """Fewer than k responses: nothing about them may be shown."""
        return self.total is None

    def quadrant_share(self, q: Quadrant) -> float | None:
        n = self.quadrants[q]
        return None if n is None or not self.total else n / self.total


@dataclass(frozen=True)
class Counts:
    """The dashboard's raw figures, one query each."""

    matrix: MatrixCounts
    trend: dict[tuple[date, Quadrant], int]
    means: dict[tuple[Criterion, Quadrant], CriterionMean]
    keep_out: KeepOutCounts
    break_even: dict[str, int]
    funnel: dict[str, int]


def read_counts(bind: Bind, f: Filters, thresholds: tuple[float, float], period: Period) -> Counts:
    """Every raw figure of the dashboard. Given an engine, the queries run side by side on their own
    connections, one per CPU: SQLite answers each query on one core. Given a connection, they run
    one after the other on it."""
    queries = {  # the longest first
        "means": lambda b: reads.criterion_means(b, f),
        "matrix": lambda b: reads.matrix_counts(b, f, thresholds),
        "keep_out": lambda b: reads.keep_out(b, f, thresholds),
        "trend": lambda b: reads.quadrant_trend(b, f, period),
        "break_even": lambda b: reads.break_even_distribution(b, f),
        "funnel": lambda b: reads.funnel(b, f),
    }
    if isinstance(bind, Engine):
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            futures = {name: pool.submit(query, bind) for name, query in queries.items()}
            return Counts(**{name: future.result() for name, future in futures.items()})
    return Counts(**{name: query(bind) for name, query in queries.items()})


# The figures published together, as keys of the minimum-group rule.


class Sum(Enum):
    RESPONSES = "responses"  # the filtered set
    PLACED_OUT = "placed_out"  # responses in kandidat, vampir or schatten


@dataclass(frozen=True, slots=True)
class QuadrantCount:
    quadrant: Quadrant


@dataclass(frozen=True, slots=True)
class HeatCount:
    cell: tuple[int, int]


@dataclass(frozen=True, slots=True)
class PeriodTotal:
    start: date


@dataclass(frozen=True, slots=True)
class PeriodCount:
    start: date
    quadrant: Quadrant


@dataclass(frozen=True, slots=True)
class BandCount:
    band: str


@dataclass(frozen=True, slots=True)
class KeptOut:
    key: KeepOutKey


@dataclass(frozen=True, slots=True)
class NotKeptOut:
    """The responses outside "held" that a keep-out row does not count: never shown, only summed."""

    key: KeepOutKey


# What to give up first when a second entry must go: the complements of the keep-out counts are
# never shown, the number outside "held" only serves the keep-out shares; the total and the
# quadrant counts are what matters most.
COST_TOTAL: Final = 100.0
COST_QUADRANT: Final = 3.0
COST_PLACED_OUT: Final = 2.0
COST_NOT_KEPT_OUT: Final = 0.0


def published(counts: Counts) -> Published:
    """The figures of the dashboard and the sums among them (they share the total and the quadrants)."""
    matrix, trend, out = counts.matrix, counts.trend, counts.keep_out
    fig = Published()
    fig.add(Sum.RESPONSES, matrix.total, COST_TOTAL)
    for q, n in matrix.quadrants.items():
        fig.add(QuadrantCount(q), n, COST_QUADRANT)
    fig.sum(Sum.RESPONSES, (QuadrantCount(q) for q in Quadrant))
    # The heat map: each quadrant's cells add up to its count.
    for q in PLACED:
        fig.sum(
            QuadrantCount(q), (HeatCount(cell) for cell in matrix.cells if reads.cell_quadrant(cell) is q)
        )
    for cell, n in matrix.cells.items():
        fig.add(HeatCount(cell), n)
    # Quadrants per period: rows add up to the period, columns to the quadrant, periods to the total.
    periods = sorted({p for p, _ in trend})
    for p in periods:
        fig.add(PeriodTotal(p), sum(n for (pp, _), n in trend.items() if pp == p))
        fig.sum(PeriodTotal(p), (PeriodCount(p, q) for q in Quadrant if (p, q) in trend))
    for (p, q), n in trend.items():
        fig.add(PeriodCount(p, q), n)
    for q in Quadrant:
        fig.sum(QuadrantCount(q), (PeriodCount(p, q) for p in periods if (p, q) in trend))
    fig.sum(Sum.RESPONSES, (PeriodTotal(p) for p in periods))
    # Break-even bands add up to the total.
    for band, n in counts.break_even.items():
        fig.add(BandCount(band), n)
    fig.sum(Sum.RESPONSES, (BandCount(band) for band in counts.break_even))
    # Keep-out: the responses outside "held" are the three other quadrants; each row splits them
    # into those it keeps out and the rest.
    fig.add(Sum.PLACED_OUT, out.placed_out, COST_PLACED_OUT)
    fig.sum(Sum.PLACED_OUT, (QuadrantCount(q) for q in NOT_HELD))
    fig.sum(
        Sum.RESPONSES,
        (QuadrantCount(Quadrant.HELD), QuadrantCount(Quadrant.UNDETERMINED), Sum.PLACED_OUT),
    )
    for key, n in out.counts.items():
        fig.add(KeptOut(key), n)
        fig.add(NotKeptOut(key), out.placed_out - n, COST_NOT_KEPT_OUT)
        fig.sum(Sum.PLACED_OUT, (KeptOut(key), NotKeptOut(key)))
    return fig


@store_errors()
def dashboard(
    bind: Bind,
    f: Filters,
    survey: Survey,
    *,
    period: Period = Period.MONTH,
    k: int | None = None,
    trend_periods: Callable[[date], bool] | None = None,
) -> Dashboard:
    """Every dashboard figure, each from one query, with the minimum-group rule applied across all
    of them at once (they share the total and the quadrant counts), exact: the figures of any choice
    of filters as before issue 13 (tests and benchmarks compare with it); the pages and `trp report`
    publish `published_dashboard`, which perturbs the counts inside a selection. `trend_periods`: which periods
    of the trend may be shown (the published views); default all. Raises StoreUnavailable."""
    k = min_group(k)
    thresholds = (survey.thresholds.kann, survey.thresholds.will)
    counts = read_counts(bind, f, thresholds, period)
    shown = published(counts).protect(k)
    means = {
        key: m.mean if m.answered >= k and m.mean is not None else None for key, m in counts.means.items()
    }
    funnel = _funnel(counts.funnel, survey, k)
    return _assemble(counts, shown, k, thresholds, period, trend_periods, means, funnel, f.counters_coarser)


Shown = Mapping[Hashable, int | None]


def _assemble(
    counts: Counts,
    shown: Shown,
    k: int,
    thresholds: tuple[float, float],
    period: Period,
    trend_periods: Callable[[date], bool] | None,
    means: dict[tuple[Criterion, Quadrant], float | None],
    funnel: tuple[int | None, int | None, list[FunnelStep]],
    counters_coarser: bool,
    noise: int = 0,
) -> Dashboard:
    """The dashboard of the figures read (`counts`) as far as the minimum-group rule shows them
    (perturbed by up to `noise` where `shown` holds them so)."""
    placed_out = shown[Sum.PLACED_OUT]
    started, completed, steps = funnel
    return Dashboard(
        k=k,
        thresholds=thresholds,
        total=shown[Sum.RESPONSES],
        quadrants={q: shown[QuadrantCount(q)] for q in Quadrant},
        heat=_heat(counts.matrix, shown),
        period=period,
        trend=[
            c for c in _trend(counts.trend, period, shown) if trend_periods is None or trend_periods(c.start)
        ],
        means=means,
        placed_out=placed_out,
        keep_out=_keep_out(counts.keep_out, placed_out, shown),
        break_even={band: shown[BandCount(band)] for band in counts.break_even},
        funnel=steps,
        started=started,
        completed=completed,
        completion_rate=_share(completed, started),
        counters_coarser=counters_coarser,
        noise=noise,
    )


def _heat(matrix: MatrixCounts, shown: Shown) -> list[HeatCell]:
    heat = []
    for cell in matrix.cells:
        kx, wy = matrix.kann.edges(cell[0]), matrix.will.edges(cell[1])
        heat.append(HeatCell(kx[0], kx[1], wy[0], wy[1], reads.cell_quadrant(cell), shown[HeatCount(cell)]))
    return heat


def _trend(trend: dict[tuple[date, Quadrant], int], period: Period, shown: Shown) -> list[TrendCell]:
    """The shown counts of each shown period; what is hidden of a period as one grey rest (the
    period's total less the counts shown; with perturbed counts that is near the hidden ones, and
    never below 0)."""
    cells: list[TrendCell] = []
    for p in sorted({p for p, _ in trend}):
        period_total = shown[PeriodTotal(p)]
        if period_total is None:
            continue
        label = period_label(p, period)
        rest, hidden = period_total, False
        for q in Quadrant:
            n = shown[PeriodCount(p, q)] if (p, q) in trend else 0
            if n is None:
                hidden = True
                continue
            rest -= n
            if n:
                cells.append(TrendCell(p, label, q, n, n / period_total))
        if hidden and rest > 0:
            cells.append(TrendCell(p, label, None, None, rest / period_total))
    return cells


def _keep_out(out: KeepOutCounts, placed_out: int | None, shown: Shown) -> list[KeepOutRow]:
    rows = [
        KeepOutRow(
            key,
            CRITERION_AXIS[key] if isinstance(key, Criterion) else Axis(key.value.removeprefix("knockout_")),
            shown[KeptOut(key)],
            _share(shown[KeptOut(key)], placed_out),
        )
        for key in out.counts
    ]
    rows.sort(key=lambda r: (r.count is None, -(r.count or 0)))
    return rows


STARTED: Final = "started"  # the funnel's first figure: the sessions' total, exact like the responses'


def _funnel(
    counts: dict[str, int], survey: Survey, k: int, key_sums: Mapping[str, int] | None = None
) -> tuple[int | None, int | None, list[FunnelStep]]:
    """Started, completed and every step. Funnel counters count sessions, not responses: each step
    on its own, under k hidden (rule 4, on the true counts). With `key_sums` (the sum of the record
    keys of each step's sessions) every step after "started" is a count inside the selection and is
    perturbed by the cell-key method (trp_core.privacy.cellkey), as the responses' counts are;
    "started", the sessions' total, stays exact, as the responses' total does (so a step's share
    of it may be shown a little above 100 %, as a quadrant's share of the total may)."""
    steps = funnel_steps(survey)
    view = {s: (None if 0 < counts.get(s, 0) < k else counts.get(s, 0)) for s in steps}
    if key_sums is not None:
        view = {
            s: n if s == STARTED or n is None else cellkey.perturb(n, key_sums.get(s, 0), k)
            for s, n in view.items()
        }
    started = view[STARTED]
    return started, view["completed"], [FunnelStep(s, view[s], _share(view[s], started)) for s in steps]


def _share(n: int | None, of: int | None) -> float | None:
    return None if n is None or not of else n / of


@dataclass(frozen=True)
class PublishedDashboard:
    """The dashboard of a choice of filters: the view shown (as asked, coarsened, or none) and its figures."""

    selected: sel.Selected
    dashboard: Dashboard | None  # None: withheld


def published_dashboard(
    bind: Bind,
    survey: Survey,
    asked: View,
    *,
    period: Period = Period.MONTH,
    k: int | None = None,
    rollups: bool = True,
    perturb: bool = True,
) -> PublishedDashboard:
    """The dashboard as the pages and `trp report` publish it: for the view that the privacy rules
    allow for the choice (trp_core.privacy.cells), with the minimum-group rule run over the
    view's figures (PRIVACY.md rule 4), its trend only over the periods that are
    published views too, and its funnel only when the view is published for the sessions as well.
    `rollups`: read the figures from the roll-ups (trp_core.store.rollups) where they count the
    selection's versions with its thresholds; False reads every figure from the responses.
    The counts inside the selection are perturbed by the cell-key method (trp_core.privacy.cellkey;
    PRIVACY.md, rule 4); `perturb` False shows them exact (only for tests that show what the
    method prevents). Raises StoreUnavailable."""
    k = min_group(k)  # once: it reads the settings
    selected = sel.select(bind, survey.id, asked, k=k)
    shown = selected.view
    if shown is None or selected.filters is None:
        return PublishedDashboard(selected, None)
    dash = _dashboard_from_atoms(bind, selected, survey, period=period, k=k, rollups=rollups, perturb=perturb)
    return PublishedDashboard(selected, dash)


@dataclass(frozen=True)
class AtomCounts:
    """The dashboard's raw figures per atom (trp_core.store.reads, "the figures per atom"), one query
    per family; the funnel's over every counter of the survey."""

    matrix: dict[AtomKey, dict[tuple[int, int] | None, reads.Tally]]
    sums: dict[AtomKey, dict[Quadrant, CriterionSums]]
    keep_out: dict[AtomKey, KeepOutCounts]
    break_even: dict[AtomKey, dict[str, reads.Tally]]
    funnel: dict[SessionKey, dict[str, reads.Tally]]
    by_day: dict[AtomKey, dict[Quadrant, reads.Tally]]


def read_atoms(
    bind: Bind,
    f: Filters,
    survey_id: str,
    thresholds: tuple[float, float],
    *,
    rollups: bool = True,
    grain: reads.Grain = "atom",
) -> AtomCounts:
    """Every raw figure of a selection per atom (or, at the grain "view", summed over the selection
    in the database under the one key `reads.VIEW`), and the quadrants per day for the trend; side
    by side on an engine, as `read_counts`. From the roll-ups where they count the versions with
    these thresholds, else (or with `rollups` False) from the responses."""
    queries = {  # the longest first
        "sums": lambda b: reads.criterion_sums_by_atom(b, f, rollups=rollups, grain=grain),
        "matrix": lambda b: reads.matrix_by_atom(b, f, thresholds, rollups=rollups, grain=grain),
        "by_day": lambda b: reads.quadrants_by_day(b, f, thresholds, rollups=rollups),
        "keep_out": lambda b: reads.keep_out_by_atom(b, f, thresholds, rollups=rollups, grain=grain),
        "break_even": lambda b: reads.break_even_by_atom(b, f, rollups=rollups, grain=grain),
        "funnel": lambda b: reads.funnel_by_atom(b, survey_id),
    }
    if isinstance(bind, Engine):
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            futures = {name: pool.submit(query, bind) for name, query in queries.items()}
            return AtomCounts(**{name: future.result() for name, future in futures.items()})
    return AtomCounts(**{name: query(bind) for name, query in queries.items()})


_KEEP_OUT_KEYS: Final[tuple[KeepOutKey, ...]] = (*CRITERIA, KnockOut.KANN, KnockOut.WILL)


class _Sums:
    """A selection's figures, summed over its atoms: each count with the key sum of its responses
    (trp_core.privacy.cellkey)."""

    def __init__(self) -> None:
        self.quadrants: dict[Quadrant, reads.Tally] = dict.fromkeys(Quadrant, (0, 0))
        self.cells: dict[tuple[int, int], reads.Tally] = {}
        self.placed_out: reads.Tally = (0, 0)
        self.kept_out: dict[KeepOutKey, reads.Tally] = dict.fromkeys(_KEEP_OUT_KEYS, (0, 0))
        self.bands: dict[str, reads.Tally] = dict.fromkeys(BREAK_EVEN_KEYS, (0, 0))

    def add(self, family: str, value: Any) -> None:
        if family == "matrix":
            for cell, tally in value.items():
                q = Quadrant.UNDETERMINED if cell is None else reads.cell_quadrant(cell)
                self.quadrants[q] = _plus(self.quadrants[q], tally)
                if cell is not None:
                    self.cells[cell] = _plus(self.cells.get(cell, (0, 0)), tally)
        elif family == "keep_out":
            self.placed_out = _plus(self.placed_out, (value.placed_out, value.placed_out_keys))
            for key, n in value.counts.items():
                self.kept_out[key] = _plus(self.kept_out[key], (n, value.keys.get(key, 0)))
        else:
            for band, tally in value.items():
                self.bands[band] = _plus(self.bands.get(band, (0, 0)), tally)

    def counts(
        self, thresholds: tuple[float, float], trend: dict[tuple[date, Quadrant], reads.Tally]
    ) -> Counts:
        def n(tallies: Mapping[Any, reads.Tally]) -> dict[Any, int]:
            return {key: t[0] for key, t in tallies.items()}

        return Counts(
            matrix=MatrixCounts(
                n(self.quadrants), n(self.cells), reads.AxisBins(thresholds[0]), reads.AxisBins(thresholds[1])
            ),
            trend=n(trend),
            means={},
            keep_out=KeepOutCounts(self.placed_out[0], n(self.kept_out)),
            break_even=n(self.bands),
            funnel={},
        )

    def key_sums(self, trend: dict[tuple[date, Quadrant], reads.Tally]) -> dict[Hashable, int]:
        """The key sum of every figure the cell-key method perturbs: the counts of a category inside
        the selection (not its total, nor a period's total: rule 3 protects those)."""
        out: dict[Hashable, int] = {Sum.PLACED_OUT: self.placed_out[1]}
        out |= {QuadrantCount(q): t[1] for q, t in self.quadrants.items()}
        out |= {HeatCount(cell): t[1] for cell, t in self.cells.items()}
        out |= {PeriodCount(p, q): t[1] for (p, q), t in trend.items()}
        out |= {BandCount(band): t[1] for band, t in self.bands.items()}
        out |= {KeptOut(key): t[1] for key, t in self.kept_out.items()}
        return out


def _plus(a: reads.Tally, b: reads.Tally) -> reads.Tally:
    return a[0] + b[0], a[1] + b[1]


def perturbed(shown: Shown, key_sums: Mapping[Hashable, int], k: int) -> dict[Hashable, int | None]:
    """The figures as published: those with a key sum perturbed by the cell-key method
    (trp_core.privacy.cellkey), hidden ones still hidden, the rest (totals) exact."""
    return {
        key: n if n is None or key not in key_sums else cellkey.perturb(n, key_sums[key], k)
        for key, n in shown.items()
    }


def _dashboard_from_atoms(
    bind: Bind,
    selected: sel.Selected,
    survey: Survey,
    *,
    period: Period,
    k: int,
    rollups: bool = True,
    perturb: bool = True,
) -> Dashboard:
    """The figures of a published view: every family read per atom and summed over the view, the
    minimum-group rule run across all of them at once (rule 4, per selection: the figures share the
    total and the quadrant counts); the trend only over periods that are published views too, the
    funnel only when the view is published for the sessions as well."""
    lat, view, f = selected.lattice, selected.view, selected.filters
    assert view is not None and f is not None
    thresholds = (survey.thresholds.kann, survey.thresholds.will)
    atoms = read_atoms(bind, f, survey.id, thresholds, rollups=rollups, grain="view")
    whole = _Sums()
    for family in ("matrix", "keep_out", "break_even"):
        for value in getattr(atoms, family).values():
            whole.add(family, value)
    trend: dict[tuple[date, Quadrant], reads.Tally] = {}
    for (version, lang, tag, day), per_quadrant in atoms.by_day.items():
        start = figures.period_start(day, period)
        # With releases, a period holds the responses published by the release that fixed it.
        if not lat.within(View(period=PeriodCell(period, start)), version, lang, tag, day):
            continue
        for q, tally in per_quadrant.items():
            trend[(start, q)] = _plus(trend.get((start, q), (0, 0)), tally)
    counts = whole.counts(thresholds, trend)
    # Rule 4 decides on the true counts; the cell-key method then shifts the counts shown.
    shown = published(counts).protect(k)
    if perturb:
        shown = perturbed(shown, whole.key_sums(trend), k)

    def allowed(start: date) -> bool:
        return selected.published(replace(view, period=PeriodCell(period, start)))

    means = _means(atoms.sums, k, {q for q in Quadrant if shown[QuadrantCount(q)] is not None})
    funnel = _funnel_of_sessions(bind, atoms.funnel, lat, view, survey, k, perturb=perturb)
    noise = cellkey.NOISE if perturb else 0
    return _assemble(counts, shown, k, thresholds, period, allowed, means, funnel, f.counters_coarser, noise)


def _means(
    sums: dict[AtomKey, dict[Quadrant, CriterionSums]], k: int, counted: set[Quadrant]
) -> dict[tuple[Criterion, Quadrant], float | None]:
    """Criterion means per quadrant over the view: shown where at least k responses of the quadrant
    answered the criterion and the quadrant's count is shown (`counted`)."""
    answered: dict[tuple[Criterion, Quadrant], int] = {}
    points: dict[tuple[Criterion, Quadrant], float] = {}
    for per_quadrant in sums.values():
        for q, s in per_quadrant.items():
            for c in CRITERIA:
                answered[(c, q)] = answered.get((c, q), 0) + s.answered[c]
                points[(c, q)] = points.get((c, q), 0.0) + s.points[c]
    out: dict[tuple[Criterion, Quadrant], float | None] = {}
    for c in CRITERIA:
        for q in Quadrant:
            n = answered.get((c, q), 0)
            out[(c, q)] = points[(c, q)] / n if n >= k and q in counted else None
    return out


def _funnel_of_sessions(
    bind: Bind,
    funnel: dict[SessionKey, dict[str, reads.Tally]],
    lat: Lattice,
    view: View,
    survey: Survey,
    k: int,
    *,
    perturb: bool = True,
) -> tuple[int | None, int | None, list[FunnelStep]]:
    """Started, completed and every step of the sessions of a view (the counters know tag and day
    only: the view without its version and language). The sessions get a lattice of their own
    (rule 3 over the session counts, with the responses' tag groups); the funnel is shown only when
    the view is published in it too, each step under k hidden, and (`perturb`) every step after
    "started" perturbed by the cell-key method, with the key sum of its sessions."""
    steps = funnel_steps(survey)
    sizes = {
        (NO_VERSION, NO_LANG, tag, day): max((n for n, _ in c.values()), default=0)
        for (tag, day), c in funnel.items()
    }
    sessions = sel.sessions_lattice(bind, survey.id, sizes, lat)
    sview = View(tag=view.tag, period=view.period)
    if not sessions.published.get(sview, True):
        return None, None, [FunnelStep(s, None, None) for s in steps]
    totals: dict[str, reads.Tally] = dict.fromkeys(steps, (0, 0))
    for (tag, day), counts in funnel.items():
        if sessions.within(sview, NO_VERSION, NO_LANG, tag, day):
            for step, tally in counts.items():
                if step in totals:
                    totals[step] = _plus(totals[step], tally)
    key_sums = {step: keys for step, (_, keys) in totals.items()} if perturb else None
    return _funnel({step: n for step, (n, _) in totals.items()}, survey, k, key_sums)


NO_VERSION: Final = ""  # the counters know no survey version or language
NO_LANG: Final = ""


@dataclass(frozen=True)
class FreeTextCell:
    """The free-text answers of one fixed cell: a survey version, all languages, tags and periods, as
    the latest release published them."""

    version: str
    responses: int
    texts: dict[str, list[str]] | None  # question id -> answers in random order; None: fewer than the minimum


@store_errors()
def free_text_cells(
    bind: Bind, survey: Survey, question_ids: list[str], view: View | None, *, k: int | None = None
) -> list[FreeTextCell]:
    """The free-text answers that go with a view: those of its survey version (of every version when
    it names none), each cell whole, whatever else the view filters (language, tag, period), so that
    no offered choice can split a cell and no answer appears in one choice and not in an overlapping
    one. A cell is all published responses of its version: a union of release batches, so that two
    releases show it differing by the texts of at least k responses of a stream, never of one
    (PRIVACY.md, rules 0 and 5). A cell of fewer than `free_text_min(k)` responses shows none.
    Raises StoreUnavailable."""
    minimum = free_text_min(k)
    lat = sel.lattice(bind, survey.id, k=k)
    versions = [view.version] if view is not None and view.version is not None else lat.versions
    shuffle = random.SystemRandom().shuffle
    out = []
    for version in versions:
        cell = View(version=version)
        if not lat.published.get(cell, True):
            continue
        cuts = lat.cuts(cell)
        f = Filters(
            survey=survey.id,
            version=version,
            released=None if cuts is None else sel.released(cuts, lat.streams),
        )
        n = reads.count_responses(bind, f)
        if n == 0:
            continue
        texts = None
        if n >= minimum:
            texts = {}
            for qid in question_ids:
                answers = reads.free_texts(bind, f, qid, limit=FREE_TEXT_LIMIT)
                shuffle(answers)
                texts[qid] = answers
        out.append(FreeTextCell(version, n, texts))
    return out


@store_errors()
def free_texts(
    bind: Bind, f: Filters, question_id: str, quadrant: Quadrant | None = None, *, k: int | None = None
) -> list[str] | None:
    """The distinct non-empty answers to a text question among the latest FREE_TEXT_LIMIT given,
    sorted alphabetically; None when the group (the filtered responses, of one quadrant if given)
    has fewer than `free_text_min(k)` responses. Raises StoreUnavailable. Pages and reports use
    `free_text_cells`, whose cells no filter can split."""
    if reads.count_responses(bind, f, quadrant) < free_text_min(k):
        return None
    return reads.free_texts(bind, f, question_id, quadrant, limit=FREE_TEXT_LIMIT)
