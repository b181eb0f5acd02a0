"""Re-scoring many answer sets at once (numpy), for calibration and re-scoring after a change.

Two stages, so that calibration can try weight after weight cheaply:
`encode` turns answer sets into criterion scores (depends on the questions, points, bands
and the calculator); `score_matrix` applies the weights, thresholds, coverage and borderline
rules. Both follow scoring.py operation by operation, so results equal the single path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from trp_core.method import breakeven as be
from trp_core.method.scoring import _AXES, CRITERIA, plan_for
from trp_core.method.survey import ChoiceQuestion, NumberQuestion, ScaleQuestion, Survey, YesNoQuestion
from trp_core.method.vocabulary import AXIS_CRITERIA, Axis, Criterion, Quadrant

QUADRANT_CODES = {q: i for i, q in enumerate(Quadrant)}  # held, kandidat, vampir, schatten, undetermined


@dataclass(frozen=True)
class CriterionMatrix:
    """Per response: the score of each criterion (NaN when unanswered), knock-outs, break-even month.

    These are exactly what a stored response keeps besides its answers, so a calibration
    can build the matrix from the store without re-reading the answers.
    """

    scores: np.ndarray  # (n, 13) criterion scores in CRITERIA order, NaN when unanswered
    knockout: dict[Axis, np.ndarray]  # (n,) bool
    break_even_month: np.ndarray  # (n,) float, NaN when not reached or not answered

    def __len__(self) -> int:
        return self.scores.shape[0]


@dataclass(frozen=True)
class BatchScores:
    kann: np.ndarray  # rounded axis scores, NaN when no criterion is answered
    will: np.ndarray
    kann_coverage: np.ndarray
    will_coverage: np.ndarray
    kann_passed: np.ndarray
    will_passed: np.ndarray
    kann_borderline: np.ndarray
    will_borderline: np.ndarray
    quadrant: np.ndarray  # codes of QUADRANT_CODES

    def quadrant_counts(self) -> dict[Quadrant, int]:
        counts = np.bincount(self.quadrant, minlength=len(QUADRANT_CODES))
        return {q: int(counts[i]) for q, i in QUADRANT_CODES.items()}


_NUMBER_TYPES = (int, float)
_KO = 1000.0  # knock-out answers are encoded as points + _KO, so one pass yields both


def _numbers(answer_sets: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    """One answer as floats; NaN where missing, don't know or not a number (booleans included)."""
    nan = np.nan
    types = _NUMBER_TYPES
    return np.array([v if type(v := a.get(key)) in types else nan for a in answer_sets], dtype=float)


def _lookup(answer_sets: Sequence[Mapping[str, Any]], key: str, table: dict[Any, float]) -> np.ndarray:
    get = table.get
    nan = np.nan
    return np.array([get(a.get(key), nan) for a in answer_sets], dtype=float)


def _interpolate(bands: list[tuple[float, float]], x: np.ndarray) -> np.ndarray:
    """survey.interpolate, elementwise, with the same arithmetic."""
    out = np.full(x.shape, bands[-1][1], dtype=float)
    done = x <= bands[0][0]
    out[done] = bands[0][1]
    for (x0, p0), (x1, p1) in pairwise(bands):
        seg = ~done & (x <= x1)
        out[seg] = p0 + (x[seg] - x0) / (x1 - x0) * (p1 - p0)
        done |= seg
    return out


def _question_points(q: Any, answer_sets: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """(points with NaN where unanswered or don't know, knock-out flags) of one question."""
    if isinstance(q, ChoiceQuestion | YesNoQuestion):
        if isinstance(q, ChoiceQuestion):
            table = {o.id: o.points + (_KO if o.knockout else 0.0) for o in q.options}
        else:
            # `True` and `1` hash alike, but answers are checked to be booleans before scoring.
            table = {True: q.yes.points + (_KO if q.yes.knockout else 0.0),
                     False: q.no.points + (_KO if q.no.knockout else 0.0)}  # fmt: skip
        coded = _lookup(answer_sets, q.id, table)
        ko = coded >= _KO
        return np.where(ko, coded - _KO, coded), ko
    x = _numbers(answer_sets, q.id)
    if isinstance(q, ScaleQuestion):
        steps = q.steps
        points = 100 * ((steps - x) if q.reverse else (x - 1)) / (steps - 1)
        return points, np.zeros(len(x), dtype=bool)
    if isinstance(q, NumberQuestion):
        answered = ~np.isnan(x)
        points = np.full(len(x), np.nan)
        points[answered] = _interpolate(q.bands, x[answered])
        ko = np.zeros(len(x), dtype=bool)
        if q.knockout_below is not None:
            ko[answered] = x[answered] < q.knockout_below
        return points, ko
    raise TypeError(type(q).__name__)


def break_even_months(
    survey: Survey, answer_sets: Sequence[Mapping[str, Any]]
) -> tuple[np.ndarray, np.ndarray]:
    """The calculation model for every answer set at once: (break-even month, NaN when not
    reached or not answered; whether every required input is answered)."""
    calc = survey.calculator
    n = len(answer_sets)
    cols: dict[str, np.ndarray] = {}
    answered = np.ones(n, dtype=bool)
    for name, spec in calc.inputs.items():
        if spec.fixed:
            cols[name] = np.full(n, float(spec.default))
            continue
        x = _numbers(answer_sets, name)
        missing = np.isnan(x)
        if name in be.REQUIRED_INPUTS:
            answered &= ~missing
        x[missing] = spec.default
        cols[name] = np.floor(x) if name in be.INTEGER_INPUTS else x
    for name, default in be.DEFAULTS.items():
        if name not in cols and name not in ("horizon_months", "target_months"):
            cols[name] = np.full(n, float(default))
    c = cols
    first, ramp, full = c["first_deal_month"], c["ramp_up_months"], c["deals_per_month"]
    one_off = calc.model is be.Model.ONE_OFF
    if one_off:
        per_deal = (
            c["deal_value"] * (c["margin"] + c["rebate"])
            + c["deal_value"] * c["services_share"] * c["services_margin"]
        )
    else:
        per_customer = c["deal_value"] * c["margin"] - c["variable_cost_per_customer"]
        per_new = c["onboarding_fee"] * c["services_margin"]
        keep = 1 - c["churn_per_month"]
        customers = np.zeros(n)
    cash = -(c["investment"] - c["vendor_funding"])
    fixed = c["fixed_costs_per_month"]
    month = np.full(n, np.nan)
    safe_ramp = np.where(ramp == 0, 1, ramp)
    for t in range(1, calc.horizon_months + 1):
        k = t - first + 1
        deals = np.where(t < first, 0.0, np.where((ramp == 0) | (k >= ramp), full, full * k / safe_ramp))
        if one_off:
            gp = deals * per_deal
        else:
            customers = customers * keep + deals
            gp = customers * per_customer + deals * per_new
        cash = cash + (gp - fixed)
        month[np.isnan(month) & (cash >= 0)] = t
    month[~answered] = np.nan
    return month, answered


def encode(survey: Survey, answer_sets: Sequence[Mapping[str, Any]]) -> CriterionMatrix:
    """Criterion scores for many answer sets (the part that depends on questions and bands)."""
    plan = plan_for(survey)
    n = len(answer_sets)
    index = {c: i for i, c in enumerate(CRITERIA)}
    sums = np.zeros((n, len(CRITERIA)))
    weights = np.zeros((n, len(CRITERIA)))
    knockout = {a: np.zeros(n, dtype=bool) for a in Axis}
    for item in plan.items:
        points, ko = _question_points(item.question, answer_sets)
        has = ~np.isnan(points)
        j = item.criterion
        sums[has, j] = sums[has, j] + item.weight * points[has]
        weights[has, j] += item.weight
        knockout[_AXES[item.axis]] |= ko
    month = np.full(n, np.nan)
    if plan.break_even is not None:
        month, answered = break_even_months(survey, answer_sets)
        j = index[Criterion.BREAK_EVEN]
        bands = survey.calculator.effective_bands
        reached = ~np.isnan(month)
        points = np.zeros(n)
        points[reached] = _interpolate(bands, month[reached])
        sums[answered, j] = points[answered]
        weights[answered, j] = 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(weights > 0, sums / weights, np.nan)
    return CriterionMatrix(scores=scores, knockout=knockout, break_even_month=month)


def score_matrix(survey: Survey, matrix: CriterionMatrix) -> BatchScores:
    """Axis scores, coverage, passed, borderline and quadrant for every row: scoring.py, vectorised.

    `survey` supplies weights, thresholds, minimum coverage and borderline band, so a
    calibration can pass a changed copy of the survey with the same matrix.
    """
    n = len(matrix)
    out: dict[str, np.ndarray] = {}
    for axis in Axis:
        num = np.zeros(n)
        den = np.zeros(n)
        total = 0.0
        for c in CRITERIA:
            wc = survey.weights[c]
            if wc <= 0 or c not in AXIS_CRITERIA[axis]:
                continue
            total += wc
            j = CRITERIA.index(c)
            has = ~np.isnan(matrix.scores[:, j])
            num[has] = num[has] + wc * matrix.scores[has, j]
            den[has] = den[has] + wc
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = np.where(den > 0, num / den, np.nan)
        rounded = np.floor(raw * 10 + 0.5 + 1e-9) / 10
        coverage = den / total
        threshold = survey.thresholds.kann if axis is Axis.KANN else survey.thresholds.will
        knocked = matrix.knockout[axis]
        determined = (coverage >= survey.min_coverage - 1e-9) | knocked
        clean = determined & ~knocked & ~np.isnan(rounded)
        with np.errstate(invalid="ignore"):
            passed = clean & (rounded >= threshold)
            borderline = clean & (np.abs(rounded - threshold) < survey.borderline)
        out[axis.value] = rounded
        out[f"{axis.value}_coverage"] = coverage
        out[f"{axis.value}_passed"] = passed
        out[f"{axis.value}_borderline"] = borderline
        out[f"{axis.value}_determined"] = determined
    quadrant = np.where(
        out["kann_passed"],
        np.where(out["will_passed"], QUADRANT_CODES[Quadrant.HELD], QUADRANT_CODES[Quadrant.KANDIDAT]),
        np.where(out["will_passed"], QUADRANT_CODES[Quadrant.VAMPIR], QUADRANT_CODES[Quadrant.SCHATTEN]),
    )
    quadrant[~(out.pop("kann_determined") & out.pop("will_determined"))] = QUADRANT_CODES[
        Quadrant.UNDETERMINED
    ]
    return BatchScores(quadrant=quadrant, **out)


def rescore(survey: Survey, answer_sets: Sequence[Mapping[str, Any]]) -> BatchScores:
    """Score many answer sets at once; equal, row by row, to scoring.score."""
    return score_matrix(survey, encode(survey, answer_sets))
