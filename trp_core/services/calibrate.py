"""Calibration: how the filtered past responses would move between quadrants under changed thresholds
and weights (the core's batch re-scoring), under the minimum-group rule; and the calibration form."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from enum import Enum
from typing import Final

import numpy as np
from pydantic import ValidationError

from trp_core.method.scoring import (
    AXES,
    CRITERIA,
    QUADRANT_CODES,
    QUADRANTS,
    AxisWeights,
    CriterionMatrix,
    axis_value,
    axis_verdict,
    axis_weights,
    quadrant_index,
    score_matrix,
)
from trp_core.method.survey import Survey, SurveyError, survey_from_data
from trp_core.method.vocabulary import Axis, Criterion, Quadrant
from trp_core.privacy.cells import View
from trp_core.privacy.suppression import Published, min_group
from trp_core.services import selection as sel
from trp_core.services.storage import store_errors
from trp_core.store import reads
from trp_core.store.models import VERSION_LENGTH
from trp_core.store.reads import Bind, Filters


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
    """Every response scored under both surveys with the core's batch path (scoring.score_matrix);
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


@store_errors()
def calibrate(bind: Bind, f: Filters, before: Survey, after: Survey, *, k: int | None = None) -> Calibration:
    """How many of the filtered responses would change quadrant under `after` (the changed weights
    and thresholds) instead of `before`, under the minimum-group rule. Raises StoreUnavailable."""
    matrix, weights = reads.criterion_matrix(bind, f)
    return protect_calibration(rescore_counts(matrix, before, after, weights), k)


# The figures of a calibration, as keys of the minimum-group rule.


class Sum(Enum):
    RESPONSES = "responses"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Move:
    before: Quadrant
    after: Quadrant


@dataclass(frozen=True, slots=True)
class Before:
    quadrant: Quadrant


@dataclass(frozen=True, slots=True)
class After:
    quadrant: Quadrant


# The changed count and the quadrant counts before and after matter more than single moves.
COST: Final[dict[Hashable, float]] = {Sum.RESPONSES: 100.0, Sum.CHANGED: 5.0, Sum.UNCHANGED: 5.0}
COST_QUADRANT: Final = 3.0


def protect_calibration(counts: CalibrationCounts, k: int | None = None) -> Calibration:
    """The counts of a run under the minimum-group rule. When the moves between quadrants cannot be
    protected together with the quadrant counts (the suppression finds no entry left to hide), the
    moves are left out and only the quadrant counts before and after are protected; failing that,
    nothing is shown."""
    k = min_group(k)
    for with_moves in (True, False):
        try:
            return _protected(counts, k, with_moves=with_moves)
        except AssertionError:
            continue
    quadrants = list(Quadrant)
    return Calibration(
        k=k,
        total=None,
        before=dict.fromkeys(quadrants),
        after=dict.fromkeys(quadrants),
        moves={(a, b): None for a in quadrants for b in quadrants},
        changed=None,
    )


def _protected(counts: CalibrationCounts, k: int, *, with_moves: bool) -> Calibration:
    quadrants = list(Quadrant)
    fig = Published()
    fig.add(Sum.RESPONSES, counts.total, COST[Sum.RESPONSES])
    for q in quadrants:
        fig.add(Before(q), counts.before(q), COST_QUADRANT)
    for q in quadrants:
        fig.add(After(q), counts.after(q), COST_QUADRANT)
    fig.sum(Sum.RESPONSES, (Before(q) for q in quadrants))
    fig.sum(Sum.RESPONSES, (After(q) for q in quadrants))
    if with_moves:
        fig.add(Sum.CHANGED, counts.changed, COST[Sum.CHANGED])
        fig.add(Sum.UNCHANGED, counts.total - counts.changed, COST[Sum.UNCHANGED])
        for (a, b), n in counts.moves.items():
            fig.add(Move(a, b), n)
        fig.sum(Sum.RESPONSES, (Sum.CHANGED, Sum.UNCHANGED))
        fig.sum(Sum.CHANGED, (Move(a, b) for a in quadrants for b in quadrants if a is not b))
        fig.sum(Sum.UNCHANGED, (Move(q, q) for q in quadrants))
        for a in quadrants:
            fig.sum(Before(a), (Move(a, b) for b in quadrants))
        for b in quadrants:
            fig.sum(After(b), (Move(a, b) for a in quadrants))
    shown = fig.protect(k)
    return Calibration(
        k=k,
        total=shown[Sum.RESPONSES],
        before={q: shown[Before(q)] for q in quadrants},
        after={q: shown[After(q)] for q in quadrants},
        moves={(a, b): shown.get(Move(a, b)) for a in quadrants for b in quadrants},
        changed=shown.get(Sum.CHANGED),
    )


# --- calibration as published ----------------------------------------------------------------------

# The weights a run may give a criterion besides the survey's own: in steps of 0.5 up to 5, then
# coarser. A fixed, short list keeps the check of rule 7 (every run one setting away) fast enough
# for a page, and nobody calibrates a weight of 37 against 37.5. 0 would mean "not asked": no survey
# a run can make.
WEIGHTS: Final = (
    *(0.5 * i for i in range(1, 11)), 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 75.0, 100.0,
)  # fmt: skip


def snap_weight(value: float, own: float) -> float:
    """The weight a run tries: the survey's own when asked for, else the nearest of WEIGHTS (0 stays 0)."""
    if value == own or value == 0:
        return value
    return min(WEIGHTS, key=lambda w: (abs(w - value), w))


def threshold_grid(scores: np.ndarray, counts: np.ndarray, k: int, anchor: float) -> list[float]:
    """The thresholds that may be tried on one axis: the survey's own (`anchor`) and whole steps from
    it, such that between two neighbouring ones lie the scores of 0 or at least k responses, so that
    no pair of runs tells apart fewer than k responses."""
    finite = ~np.isnan(scores)
    values, weights = scores[finite], counts[finite]
    up = [anchor + j for j in range(1, 101) if anchor + j <= 100]
    down = [anchor - j for j in range(1, 101) if anchor - j >= 0]
    points = [anchor]
    for side, ahead in ((up, True), (down, False)):
        last, held = anchor, 0
        for step in side:
            low, high = (last, step) if ahead else (step, last)
            held = int(weights[(values >= low) & (values < high)].sum())
            if held == 0 or held >= k:
                points.append(step)
                last = step
    return sorted(points)


def snap(value: float, grid: list[float]) -> float:
    """The largest grid point not above the value (the smallest, below the grid)."""
    below = [g for g in grid if g <= value]
    return below[-1] if below else grid[0]


CODES: Final = np.array([QUADRANT_CODES[q] for q in QUADRANTS])  # quadrant_index -> code


def one_step_away(
    after: Survey,
    matrix: CriterionMatrix,
    grids: dict[Axis, list[float]],
    weight_grids: dict[Criterion, list[float]],
) -> list[np.ndarray]:
    """The quadrant of every response (columns) under every run that differs from `after` in one
    setting only (rows): one threshold moved to another point of its grid, or one criterion's weight
    to another point of its grid (`weight_grids`). Vectorised with the core's own axis rule
    (trp_core.method.scoring), so that a run's quadrants are exactly those `score_matrix` gives."""
    w = axis_weights(after)
    answered = ~np.isnan(matrix.scores)
    scores = np.where(answered, matrix.scores, 0.0).T
    answered = answered.T
    parts = []
    for a, axis in enumerate(AXES):
        value, coverage = axis_value(w, a, scores, answered)
        rounded, _, determined, passed, _ = axis_verdict(after, axis, value, coverage, matrix.knockout[axis])
        parts.append((rounded, determined, passed))

    def quadrants(a: int, determined: np.ndarray, passed: np.ndarray) -> np.ndarray:
        d = [parts[0][1], parts[1][1]]
        p = [parts[0][2], parts[1][2]]
        d[a], p[a] = determined, passed
        return CODES[quadrant_index(d[0], d[1], p[0], p[1])]

    out = []
    for a, axis in enumerate(AXES):
        rounded, determined, _ = parts[a]
        own = after.thresholds.kann if axis is Axis.KANN else after.thresholds.will
        others = np.array([x for x in grids[axis] if x != own], float)[:, None]
        if len(others):
            clean = determined & ~np.asarray(matrix.knockout[axis], bool)
            out.append(
                quadrants(
                    a, np.broadcast_to(determined, (len(others), len(rounded))), clean & (rounded >= others)
                )
            )
    for a, axis in enumerate(AXES):
        for i in w.weighted[a]:
            total_others = w.total[a] - w.weights[i]
            others = sorted(set(weight_grids.get(CRITERIA[i], ())) - {w.weights[i]})
            if not others:
                continue
            values = np.array(others, float)[:, None]
            weights = list(w.weights)
            weights[i] = values  # type: ignore[call-overload]
            line = AxisWeights(
                tuple(weights),  # type: ignore[arg-type]
                w.weighted,
                tuple(total_others + values if b == a else w.total[b] for b in range(len(AXES))),  # type: ignore[arg-type]
            )
            value, coverage = axis_value(line, a, scores, answered)
            _, _, determined, passed, _ = axis_verdict(after, axis, value, coverage, matrix.knockout[axis])
            out.append(quadrants(a, determined, passed))
    return out


def weight_grids(
    before: Survey, matrix: CriterionMatrix, counts: np.ndarray, k: int
) -> dict[Criterion, list[float]]:
    """The weights that may be tried per criterion: the survey's own and those of WEIGHTS such that,
    with every other setting as the survey has it, two neighbouring ones place 0 or at least k
    responses differently (as `threshold_grid` does for thresholds)."""
    w = axis_weights(before)
    full = {c: sorted({*WEIGHTS, before.weights[c]}) for c in CRITERIA if before.weights[c] > 0}
    base = score_matrix(before, matrix).quadrant
    lines = one_step_away(before, matrix, {Axis.KANN: [], Axis.WILL: []}, full)
    out: dict[Criterion, list[float]] = {}
    line = iter(lines)
    for a in range(len(AXES)):
        for i in w.weighted[a]:
            c = CRITERIA[i]
            own = before.weights[c]
            values = [v for v in full[c] if v != own]
            rows = dict(zip(values, next(line), strict=True))
            rows[own] = base
            points = [own]
            for side in ([v for v in values if v > own], [v for v in reversed(values) if v < own]):
                last = base
                for v in side:
                    moved = int(counts[rows[v] != last].sum())
                    if moved == 0 or moved >= k:
                        points.append(v)
                        last = rows[v]
            out[c] = sorted(points)
    return out


def nearest(value: float, grid: list[float]) -> float:
    """The grid point nearest the value (the lower of two as near)."""
    return min(grid, key=lambda g: (abs(g - value), g))


def tells_apart_few(run: np.ndarray, others: list[np.ndarray], counts: np.ndarray, k: int) -> bool:
    """Whether some run of `others` places 1 to k − 1 responses differently from `run`."""
    for block in others:
        differ = (block != run[None, :]) @ counts
        if np.any((differ > 0) & (differ < k)):
            return True
    return False


@dataclass(frozen=True)
class PublishedCalibration:
    """A what-if run as the pages and `trp report` publish it."""

    selected: sel.Selected
    calibration: Calibration | None  # None: withheld
    thresholds: dict[Axis, float]  # the thresholds actually tried (snapped to the grid)
    weights: dict[Criterion, float]  # the weights actually tried (`snap_weight`)
    # "withheld" (the view), "moved_few" (fewer than k change quadrant), "step_few" (a run one setting
    # away places fewer than k differently), or None
    reason: str | None


@store_errors()
def published_calibration(
    bind: Bind,
    before: Survey,
    thresholds: dict[Axis, float],
    weights: dict[Criterion, float],
    asked: View,
    *,
    k: int | None = None,
) -> PublishedCalibration:
    """A what-if run on a published view: thresholds snapped to the view's grid (`threshold_grid`),
    weights to theirs (`weight_grids`); shown only when the responses that change quadrant are 0 or
    at least k, and no run that differs from it in one setting places 1 to k − 1 responses
    differently (`one_step_away`); its counts under the minimum-group rule. Raises StoreUnavailable."""
    k = min_group(k)
    selected = sel.select(bind, before.id, asked, k=k)
    tried_w = {c: snap_weight(w, before.weights[c]) for c, w in weights.items()}
    if selected.filters is None:
        return PublishedCalibration(selected, None, dict(thresholds), tried_w, "withheld")
    matrix, counts = reads.criterion_matrix(bind, selected.filters)
    base = score_matrix(before, matrix)
    anchors = {Axis.KANN: before.thresholds.kann, Axis.WILL: before.thresholds.will}
    # The responses a threshold can move: placed (not undetermined) and without a knock-out on the axis.
    placed = base.quadrant != QUADRANT_CODES[Quadrant.UNDETERMINED]
    movable = {axis: placed & ~np.asarray(matrix.knockout[axis], bool) for axis in Axis}
    grids = {
        axis: threshold_grid(
            np.asarray(getattr(base, axis.value), float)[movable[axis]],
            counts[movable[axis]],
            k,
            anchors[axis],
        )
        for axis in Axis
    }
    tried_t = {axis: snap(value, grids[axis]) for axis, value in thresholds.items()}
    w_grids = weight_grids(before, matrix, counts, k)
    tried_w = {c: nearest(w, w_grids[c]) if c in w_grids and w > 0 else w for c, w in tried_w.items()}
    after = before.revised(
        thresholds={a.value: v for a, v in tried_t.items()},
        weights={c.value: w for c, w in {**before.weights, **tried_w}.items()},
    )
    raw = rescore_counts(matrix, before, after, counts)
    if 0 < raw.changed < k:
        return PublishedCalibration(selected, None, tried_t, tried_w, "moved_few")
    if raw.changed:  # a run that moves nobody shows the published baseline: nothing new
        run = score_matrix(after, matrix).quadrant
        if tells_apart_few(run, one_step_away(after, matrix, grids, w_grids), counts, k):
            return PublishedCalibration(selected, None, tried_t, tried_w, "step_few")
    return PublishedCalibration(selected, protect_calibration(raw, k), tried_t, tried_w, None)


# --- the calibration form -------------------------------------------------------------------------


def revised_version(version: str) -> str:
    """A suggestion for the next version: "1.0" → "1.1", "2" → "3", otherwise "<version>.1"."""
    head, _, last = version.rpartition(".")
    if last.isdigit():
        bumped = str(int(last) + 1)
        return f"{head}.{bumped}" if head else bumped
    return f"{version}.1"[:VERSION_LENGTH]


@dataclass(frozen=True)
class CalibrationForm:
    """What a manager enters: both thresholds, the weights of the criteria, a new version."""

    thresholds: dict[Axis, float]
    weights: dict[Criterion, float]
    version: str


@dataclass(frozen=True)
class Revision:
    """The survey a calibration form makes, or why it makes none."""

    survey: Survey | None
    same_version: bool = False  # the form keeps the version of the survey it changes
    problems: tuple[str, ...] = ()  # the survey loader's messages, "path: message"


def recalibrated(base: Survey, revised: Survey) -> bool:
    """Whether the revised survey scores differently from the base: it changes more than its version."""
    return revised.content_hash != base.revised(version=revised.version).content_hash


def revise(base: Survey, form: CalibrationForm) -> Revision:
    """The changed survey as a new version, validated as a survey file would be."""
    if form.version.strip() == base.version:
        return Revision(None, same_version=True)
    thresholds = {axis.value: value for axis, value in form.thresholds.items()}
    weights = {c.value: w for c, w in form.weights.items()}
    try:
        return Revision(base.revised(thresholds=thresholds, weights=weights, version=form.version))
    except ValidationError:
        # The survey loader's own messages, with the path inside the survey.
        data = {**base.model_dump(mode="json"), "thresholds": thresholds, "version": form.version}
        data["weights"] = weights
        try:
            survey_from_data(data, "calibration")
        except SurveyError as exc:
            return Revision(None, problems=tuple(f"{i.path}: {i.message}" for i in exc.issues))
        return Revision(None)
