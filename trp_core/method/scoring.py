"""The scoring kernel (METHOD.md section 4, method version 2): answers to points to criteria to axes
to a quadrant; a question or criterion without a real answer counts 0 points with its weight.

Each rule is written once and serves one response (`score`, the levers, the store) and many at
once (`encode` and `score_matrix`, numpy, for calibration and re-scoring): the criterion, axis and
quadrant rules take a number or a numpy array alike, and the batch path applies the points and
break-even rules of one answer to each distinct answer of a column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from trp_core.method import breakeven as be
from trp_core.method.survey import (
    ChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    Survey,
    TextQuestion,
    YesNoQuestion,
    interpolate,
)
from trp_core.method.vocabulary import (
    AXIS_CRITERIA,
    CRITERION_AXIS,
    Axis,
    Criterion,
    Quadrant,
    quadrant_for,
    round_half_up,
)

DONT_KNOW: Final = "dont_know"


def is_real(value: Any) -> bool:
    """Whether an answer is a real one: given, and not "don't know" (the scoring loop inlines this)."""
    return value is not None and value != DONT_KNOW


EPS: Final = 1e-9  # absorbs binary representation error in the coverage comparison
CRITERIA: Final = tuple(Criterion)
AXES: Final = (Axis.KANN, Axis.WILL)

# A number, or a numpy array of them: the axis and quadrant rules take either.
N = TypeVar("N", float, np.ndarray)


class SurveyRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    version: str
    hash: str


# The parts of an Assessment are plain dataclasses: pydantic validates and serialises them as
# fields of Assessment, and scoring builds them several times faster than models. Not frozen:
# a frozen dataclass sets each field through object.__setattr__, three to five times slower, and
# scoring builds 15 of them per response; nothing shares or changes them after `score`.
@dataclass(slots=True)
class AxisResult:
    score: float
    coverage: float
    threshold: float
    determined: bool
    passed: bool
    borderline: bool
    knockouts: list[str]
    unconfirmed: list[str]


@dataclass(slots=True)
class CriterionResult:
    axis: Axis
    weight: float
    score: float  # the score it counts with: 0 when unanswered
    answered: bool


@dataclass(slots=True)
class BreakEvenSummary:
    break_even_month: int | None
    roi_12: float | None
    required_deals_per_month: float | None
    cumulative: list[float]


class Assessment(BaseModel):
    """The result of one answer set: the Assessment JSON of METHOD.md section 7."""

    model_config = ConfigDict(frozen=True)

    survey: SurveyRef
    quadrant: Quadrant
    axes: dict[Axis, AxisResult]
    criteria: dict[Criterion, CriterionResult]
    breakeven: BreakEvenSummary | None
    levers: Any = None  # levers.Levers, filled in by levers.assess()


class AnswersFile(BaseModel):
    """The answers file of METHOD.md section 7."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    survey: str
    answers: dict[str, Any]


# --- the points of one answer ---------------------------------------------------------------


def point_rule(q: Any) -> Callable[[Any], tuple[float, bool]]:
    """(points, knock-out) of a given answer (neither missing nor don't know) to a scored question."""
    if isinstance(q, ChoiceQuestion):
        return {o.id: (o.points, o.knockout) for o in q.options}.__getitem__
    if isinstance(q, YesNoQuestion):
        yes, no = (q.yes.points, q.yes.knockout), (q.no.points, q.no.knockout)
        return lambda v: yes if v else no
    if isinstance(q, ScaleQuestion):
        points = q.points
        return lambda v: (points(v), False)
    if isinstance(q, NumberQuestion):  # q.points, one call less
        bands, below = q.bands, q.knockout_below
        return lambda v: (interpolate(bands, v), below is not None and v < below)
    raise TypeError(f"unknown question type {type(q).__name__}")


def question_points(question: Any, value: Any) -> tuple[float | None, bool]:
    """(points, knock-out) of one answer; points None for don't know or no answer."""
    if not is_real(value) or isinstance(question, TextQuestion):
        return None, False
    return point_rule(question)(value)


# --- the calculator inputs and the break_even criterion -------------------------------------


def breakeven_inputs(survey: Survey, answers: Mapping[str, Any]) -> be.BreakEvenInputs | None:
    """The partner's calculator inputs, or None while a required one has no value.

    Each input the partner fills in is, in this order: his own figure; else the answer to the
    question it is linked to (`from_question`), if that answer is a real one; else the survey's
    default, for an optional input (a required one without a value leaves break_even unanswered).
    Fixed inputs take the survey's defaults.
    """
    calc = plan_for(survey).calculator
    return None if calc is None else _inputs(calc, answers)


# Where an input's value comes from (`input_source`): the partner's own figure, his answer to the
# linked question, the survey's default, or the vendor (a fixed input).
OWN: Final = "own"
FROM_ANSWER: Final = "answer"
DEFAULT: Final = "default"
FIXED: Final = "fixed"


def _given(calc: CalculatorPlan, answers: Mapping[str, Any], name: str, link: str | None) -> tuple[Any, str]:
    """(value, source) of one input the partner fills in: the one rule of the order above;
    value None when neither he nor the linked answer gives one."""
    given = answers.get(name)
    if given is not None and given != DONT_KNOW:
        return given, OWN
    if link is not None:
        answer = answers.get(link)
        if answer is not None and answer != DONT_KNOW:
            return answer, FROM_ANSWER
    return None, DEFAULT


def _inputs(calc: CalculatorPlan, answers: Mapping[str, Any]) -> be.BreakEvenInputs | None:
    values: dict[str, Any] = {}
    for name, required, integer, link in calc.asked:
        given, _ = _given(calc, answers, name, link)
        if given is None:
            if required:
                return None
            continue  # the default, already in calc.defaults
        values[name] = int(given) if integer else given
    # A copy of the defaults with the answers: model_copy, several times faster than model_construct.
    return calc.defaults.model_copy(update=values)


def input_source(survey: Survey, answers: Mapping[str, Any], name: str) -> tuple[Any, str]:
    """(value, source) of one calculator input as the model reads it: OWN, FROM_ANSWER, DEFAULT
    (the survey's default; value None for a required input left open) or FIXED.

    An own figure equal to the survey's default counts as the default: the calculator shows the
    default in the field, so the page cannot tell a kept default from a typed one.
    """
    calc = plan_for(survey).calculator
    spec = survey.calculator.inputs[name]
    if spec.fixed:
        return spec.default, FIXED
    link = spec.from_question
    value, source = _given(calc, answers, name, link)
    if source == OWN and value == spec.default and not _is_real_link(answers, link):
        return value, DEFAULT
    if value is None:
        required = name in be.REQUIRED_INPUTS
        return (None if required else spec.default), DEFAULT
    return value, source


def _is_real_link(answers: Mapping[str, Any], link: str | None) -> bool:
    return link is not None and is_real(answers.get(link))


def break_even_points(survey: Survey, month: int | None) -> float:
    """Points of the break_even criterion for a break-even month (none within the horizon: 0)."""
    if month is None:
        return 0.0
    return interpolate(survey.calculator.effective_bands, month)


# --- points to criteria, criteria to an axis, axes to a quadrant: for a number or a numpy array alike


def criterion_scores(
    plan: Plan, points: Iterable[tuple[N, N]], break_even: tuple[N, N] | None = None
) -> tuple[list[N], list[N]]:
    """(s_c; whether answered) of each criterion, by CRITERIA index.

    `points` gives, in the order of `plan.items`, each question's (points, 0 without a real
    answer; whether it has one): every question counts with its weight, so s_c is the sum of
    w·p over the criterion's question weight, and the criterion is answered when one of its
    questions is. `break_even` gives the calculator's (points, answered) when the plan measures
    it: they decide that criterion alone, 0 points while a required input is open.
    """
    sums: list[Any] = [0.0] * len(CRITERIA)
    answered: list[Any] = [False] * len(CRITERIA)
    for (c, w), (p, has) in zip(plan.columns, points, strict=True):
        sums[c] = sums[c] + w * p
        answered[c] = answered[c] | has
    scores = [s / w if w else 0.0 for s, w in zip(sums, plan.question_weight, strict=True)]
    if break_even is not None:
        c, (p, has) = plan.break_even, break_even
        scores[c], answered[c] = _where(has, p, 0.0), has
    return scores, answered


@dataclass(frozen=True, slots=True)
class AxisWeights:
    """The weights of a survey by CRITERIA index, and per axis the criteria with W > 0."""

    weights: tuple[float, ...]
    weighted: tuple[tuple[int, ...], tuple[int, ...]]  # by AXES index
    total: tuple[float, float]


def axis_weights(survey: Survey) -> AxisWeights:
    """The weights as the axis rule reads them; cheap, so a calibration's changed copy needs no plan."""
    weights = tuple(survey.weights[c] for c in CRITERIA)
    weighted = tuple(
        tuple(i for i, c in enumerate(CRITERIA) if c in AXIS_CRITERIA[a] and weights[i] > 0) for a in AXES
    )
    total = tuple(sum(weights[i] for i in w) for w in weighted)
    return AxisWeights(weights, weighted, total)  # type: ignore[arg-type]


def axis_value(weights: AxisWeights, axis: int, scores: Sequence[N], answered: Sequence[N]) -> tuple[N, N]:
    """(unrounded S_a; coverage κ_a) of axis AXES[axis]: both over all criteria with W_c > 0.

    `scores[c]` is the score of criterion c, 0 when unanswered, and `answered[c]` whether it is
    answered. A survey gives every axis a criterion with W_c > 0, so the total is never 0.
    """
    num = den = 0.0
    for c in weights.weighted[axis]:
        wc = weights.weights[c]
        num = num + wc * scores[c]
        den = den + wc * answered[c]
    total = weights.total[axis]
    return num / total, den / total


def axis_verdict(survey: Survey, axis: Axis, value: N, coverage: N, knocked: N) -> tuple[N, float, N, N, N]:
    """(rounded S_a, threshold, determined, passed, borderline) of one axis."""
    rounded = round_half_up(value)
    threshold = survey.thresholds.kann if axis is Axis.KANN else survey.thresholds.will
    determined = (coverage >= survey.min_coverage - EPS) | knocked
    clean = determined & _not(knocked)
    passed = clean & (rounded >= threshold)
    borderline = clean & (abs(rounded - threshold) < survey.borderline)
    return rounded, threshold, determined, passed, borderline


# The quadrant of each quadrant_index: undetermined unless both axes are, else section 2's table.
QUADRANTS: Final = (
    Quadrant.UNDETERMINED,
    *(quadrant_for(kann, will) for kann in (False, True) for will in (False, True)),
)


def quadrant_index(kann_determined: N, will_determined: N, kann_passed: N, will_passed: N) -> N:
    """The position in QUADRANTS of a result: 0 (undetermined) unless both axes are determined."""
    return (kann_determined & will_determined) * (1 + 2 * kann_passed + will_passed)


def _where(condition: N, yes: Any, no: Any) -> Any:
    """`yes` where `condition` holds, else `no`."""
    if isinstance(condition, np.ndarray):
        return np.where(condition, yes, no)
    return yes if condition else no


def _not(flag: N) -> N:
    return ~flag if isinstance(flag, np.ndarray) else not flag


# --- the scoring plan: a survey compiled once into flat tuples ------------------------------


class Item(NamedTuple):  # a tuple: raw_scores unpacks it in its loop, faster than attribute access
    id: str
    criterion: int  # index into CRITERIA
    axis: int  # index into AXES
    weight: float
    question: Any
    has_knockout: bool
    points: Callable[[Any], tuple[float, bool]]  # point_rule of the question


@dataclass(frozen=True, slots=True)
class CalculatorPlan:
    defaults: be.BreakEvenInputs  # every input at the survey's default, the fixed ones set
    # (name, required, integer, linked question id or None) of the inputs not fixed
    asked: tuple[tuple[str, bool, bool, str | None], ...]
    reads: tuple[str, ...]  # every answer the inputs read: the inputs and their linked questions


@dataclass(frozen=True, slots=True)
class Plan:
    """A survey compiled once into flat tuples indexed by criterion and axis position."""

    survey: Survey
    items: tuple[Item, ...]
    columns: tuple[tuple[int, float], ...]  # (criterion, weight) of each item, as criterion_scores reads them
    question_weight: tuple[float, ...]  # by CRITERIA index: the sum of its questions' weights
    axis_weights: AxisWeights
    calculator: CalculatorPlan | None
    break_even: int | None  # index of break_even when it is weighted and measured
    criteria: tuple[tuple[Criterion, Axis, float], ...]  # by CRITERIA index: criterion, axis, weight W_c
    blank: Assessment  # copied with each result: model_copy is several times faster than model_construct


_PLANS: dict[str, Plan] = {}


def plan_for(survey: Survey) -> Plan:
    """The compiled scoring plan of a survey, cached by content hash."""
    key = survey.content_hash
    plan = _PLANS.get(key)
    if plan is None:
        index = {c: i for i, c in enumerate(CRITERIA)}
        weights = axis_weights(survey)
        measured = survey.calculator is not None and survey.weights[Criterion.BREAK_EVEN] > 0
        items = tuple(
            Item(
                q.id,
                index[q.criterion],
                AXES.index(CRITERION_AXIS[q.criterion]),
                q.weight,
                q,
                q.has_knockout,
                point_rule(q),
            )
            for q in survey.scored_questions
        )
        plan = Plan(
            survey=survey,
            items=items,
            columns=tuple((item.criterion, item.weight) for item in items),
            question_weight=tuple(
                sum(item.weight for item in items if item.criterion == c) for c in range(len(CRITERIA))
            ),
            axis_weights=weights,
            calculator=_calculator_plan(survey),
            break_even=index[Criterion.BREAK_EVEN] if measured else None,
            criteria=tuple((c, CRITERION_AXIS[c], w) for c, w in zip(CRITERIA, weights.weights, strict=True)),
            blank=Assessment.model_construct(
                survey=SurveyRef(id=survey.id, version=survey.version, hash=survey.content_hash),
                quadrant=Quadrant.UNDETERMINED,
                axes={},
                criteria={},
                breakeven=None,
                levers=None,
            ),
        )
        _PLANS[key] = plan
    return plan


def _calculator_plan(survey: Survey) -> CalculatorPlan | None:
    calc = survey.calculator
    if calc is None:
        return None
    defaults = {
        n: int(spec.default) if n in be.INTEGER_INPUTS else spec.default for n, spec in calc.inputs.items()
    }
    asked = [
        (n, n in be.REQUIRED_INPUTS, n in be.INTEGER_INPUTS, spec.from_question)
        for n, spec in calc.inputs.items()
        if not spec.fixed
    ]
    return CalculatorPlan(
        defaults=be.BreakEvenInputs.model_construct(
            **{
                **be.DEFAULTS,
                **defaults,
                "model": calc.model,
                "target_months": calc.target_months,
                "horizon_months": calc.horizon_months,
            }
        ),
        asked=tuple(asked),
        reads=tuple(dict.fromkeys([n for n, *_ in asked] + [link for *_, link in asked if link])),
    )


# --- one response ---------------------------------------------------------------------------


@dataclass(slots=True)
class RawScores:
    """Unrounded intermediate results, by CRITERIA and AXES index; levers reuse them."""

    scores: list[float]  # criterion scores, each counting 0 for a question without a real answer
    answered: list[bool]
    knockouts: tuple[list[str], list[str]]
    unconfirmed: tuple[list[str], list[str]]
    breakeven: BreakEvenSummary | None


_NO_ANSWER: Final = (0.0, False)


def raw_scores(plan: Plan, answers: Mapping[str, Any]) -> RawScores:
    """The unrounded criterion scores, knock-outs and break-even figures of one answer set."""
    points: list[tuple[float, bool]] = []
    knockouts: tuple[list[str], list[str]] = ([], [])
    unconfirmed: tuple[list[str], list[str]] = ([], [])
    get = answers.get
    for qid, _, a, _, _, has_knockout, rule in plan.items:
        value = get(qid)
        if value is None or value == DONT_KNOW:
            if has_knockout and value is not None:
                unconfirmed[a].append(qid)
            points.append(_NO_ANSWER)
            continue
        p, ko = rule(value)
        if ko:
            knockouts[a].append(qid)
        points.append((p, True))
    summary = break_even = None
    if plan.break_even is not None:
        break_even = _NO_ANSWER
        inputs = _inputs(plan.calculator, answers)
        if inputs is not None:
            gp = be.gross_profit(inputs)
            cf = be.cumulative_cash(inputs, gp)
            month = be.break_even_month(cf)
            summary = BreakEvenSummary(
                month, be.roi_12(inputs, gp), be.required_deals_per_month(inputs, gp), cf
            )
            break_even = (break_even_points(plan.survey, month), True)
    scores, answered = criterion_scores(plan, points, break_even)
    return RawScores(scores, answered, knockouts, unconfirmed, summary)


def _axis_result(plan: Plan, raw: RawScores, axis: int) -> AxisResult:
    value, coverage = axis_value(plan.axis_weights, axis, raw.scores, raw.answered)
    knockouts = raw.knockouts[axis]
    rounded, threshold, determined, passed, borderline = axis_verdict(
        plan.survey, AXES[axis], value, coverage, bool(knockouts)
    )
    return AxisResult(
        score=rounded,
        coverage=coverage,
        threshold=threshold,
        determined=determined,
        passed=passed,
        borderline=borderline,
        knockouts=knockouts,  # raw_scores' own lists, made for this result
        unconfirmed=raw.unconfirmed[axis],
    )


def score(survey: Survey, answers: Mapping[str, Any]) -> Assessment:
    """Score one valid answer set (see `check_answers`). Levers are added by levers.assess()."""
    plan = plan_for(survey)
    raw = raw_scores(plan, answers)
    kann, will = _axis_result(plan, raw, 0), _axis_result(plan, raw, 1)
    criteria = {
        c: CriterionResult(axis, weight, s, answered)
        for (c, axis, weight), s, answered in zip(plan.criteria, raw.scores, raw.answered, strict=True)
    }
    return plan.blank.model_copy(
        update={
            "quadrant": QUADRANTS[quadrant_index(kann.determined, will.determined, kann.passed, will.passed)],
            "axes": {Axis.KANN: kann, Axis.WILL: will},
            "criteria": criteria,
            "breakeven": raw.breakeven,
        }
    )


# --- many responses (numpy) -----------------------------------------------------------------

QUADRANT_CODES: Final = {
    q: i for i, q in enumerate(Quadrant)
}  # held, kandidat, vampir, schatten, undetermined
_QUADRANT_CODE_TABLE: Final = np.array([QUADRANT_CODES[q] for q in QUADRANTS])


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
    kann: np.ndarray  # rounded axis scores
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


def _per_distinct(values: list[Hashable], compute: Callable[[Any], tuple]) -> tuple[np.ndarray, ...]:
    """`compute` of each value, as one array per part of its result: run once per distinct value."""
    index: dict[Hashable, int] = {}
    rows = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    results = [compute(v) for v in index]  # in order of first appearance, as numbered
    return tuple(np.array(part, dtype=float)[rows] for part in zip(*results, strict=True))


def encode(survey: Survey, answer_sets: Sequence[Mapping[str, Any]]) -> CriterionMatrix:
    """Criterion scores for many answer sets (the part that depends on questions and bands)."""
    plan = plan_for(survey)
    n = len(answer_sets)
    knockout = {a: np.zeros(n, dtype=bool) for a in AXES}

    def columns() -> Iterator[tuple[np.ndarray, np.ndarray]]:  # one at a time: a column is n rows
        for item in plan.items:
            points, answered, ko = _per_distinct(
                [a.get(item.id) for a in answer_sets],
                lambda v, q=item.question: _points(q, v),
            )
            knockout[AXES[item.axis]] |= ko.astype(bool)
            yield points, answered.astype(bool)

    month = np.full(n, np.nan)
    break_even = None
    if plan.break_even is not None:
        names = plan.calculator.reads  # the inputs and the questions they are linked to
        month, points, answered = _per_distinct(
            [tuple(a.get(name) for name in names) for a in answer_sets],
            lambda key: _break_even(survey, dict(zip(names, key, strict=True))),
        )
        break_even = points, answered.astype(bool)
    scores = np.empty((n, len(CRITERIA)))
    for c, (s, answered) in enumerate(zip(*criterion_scores(plan, columns(), break_even), strict=True)):
        scores[:, c] = np.where(answered, s, np.nan)
    return CriterionMatrix(scores=scores, knockout=knockout, break_even_month=month)


def _points(question: Any, value: Any) -> tuple[float, bool, bool]:
    """(points, 0 without a real answer; whether it has one; knock-out) of one answer."""
    points, ko = question_points(question, value)
    return (0.0, False, ko) if points is None else (points, True, ko)


def _break_even(survey: Survey, answers: Mapping[str, Any]) -> tuple[float, float, bool]:
    """(break-even month, NaN when not reached; points; whether the required inputs are answered)."""
    inputs = breakeven_inputs(survey, answers)
    if inputs is None:
        return math.nan, math.nan, False
    month = be.break_even_month(be.cumulative_cash(inputs))
    return (math.nan if month is None else month), break_even_points(survey, month), True


def score_matrix(survey: Survey, matrix: CriterionMatrix) -> BatchScores:
    """Axis scores, coverage, passed, borderline and quadrant for every row: `score`, vectorised.

    `survey` supplies weights, thresholds, minimum coverage and borderline band, so a
    calibration can pass a changed copy of the survey with the same matrix.
    """
    weights = axis_weights(survey)
    answered = ~np.isnan(matrix.scores)
    # Criterion-major copies: each criterion's column is read once per axis.
    scores = np.ascontiguousarray(np.where(answered, matrix.scores, 0.0).T)
    answered = np.ascontiguousarray(answered.T)
    out: dict[str, np.ndarray] = {}
    for a, axis in enumerate(AXES):
        value, coverage = axis_value(weights, a, scores, answered)
        rounded, _, determined, passed, borderline = axis_verdict(
            survey, axis, value, coverage, matrix.knockout[axis]
        )
        out[axis.value] = rounded
        out[f"{axis.value}_coverage"] = coverage
        out[f"{axis.value}_passed"] = passed
        out[f"{axis.value}_borderline"] = borderline
        out[f"{axis.value}_determined"] = determined
    index = quadrant_index(
        out.pop("kann_determined"), out.pop("will_determined"), out["kann_passed"], out["will_passed"]
    )
    return BatchScores(quadrant=_QUADRANT_CODE_TABLE[index], **out)


def rescore(survey: Survey, answer_sets: Sequence[Mapping[str, Any]]) -> BatchScores:
    """Score many answer sets at once; equal, row by row, to `score`."""
    return score_matrix(survey, encode(survey, answer_sets))


# --- answer checking ----------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str) -> str:
    """A free-text answer as stored: control characters (NUL included) removed, trimmed."""
    return _CONTROL.sub("", text).strip()


def _is_number(value: Any) -> bool:
    """A finite number; an integer too large for a float is one too, and fails the range check."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def check_answers(survey: Survey, answers: Mapping[str, Any], survey_id: str | None = None) -> list[str]:
    """Every problem with an answer set, each naming the answer; empty when it can be scored."""
    problems: list[str] = []
    if survey_id is not None and survey_id != survey.id:
        problems.append(
            f"survey: the answers are for survey {survey_id!r}, but the survey file is {survey.id!r}"
        )
    calc = survey.calculator
    for key, value in answers.items():
        where = f"answers.{key}"
        question = survey.question_index.get(key)
        if question is None:
            if calc is not None and key in calc.inputs:
                problems.extend(_check_input(calc, key, value, where))
            else:
                problems.append(f"{where}: survey {survey.id!r} has no question or calculator input {key!r}")
            continue
        if value is None:
            continue
        if value == DONT_KNOW:
            if not question.dont_know:
                problems.append(f"{where}: this question does not allow {DONT_KNOW!r}")
            continue
        problems.extend(f"{where}: {p}" for p in _check_value(question, value))
    return problems


def _check_value(q: Any, value: Any) -> list[str]:
    if isinstance(q, ChoiceQuestion):
        if not isinstance(value, str) or q.option(value) is None:
            ids = ", ".join(o.id for o in q.options)
            return [f"{value!r} is not an option of this question (options: {ids})"]
    elif isinstance(q, ScaleQuestion):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= q.steps:
            return [f"must be a whole number from 1 to {q.steps}, got {value!r}"]
    elif isinstance(q, NumberQuestion):
        if not _is_number(value):
            return [f"must be a number, got {value!r}"]
        if value < 0:
            return [f"must not be negative, got {value!r}"]
        if not q.min <= value <= q.max:
            return [f"must lie between {q.min:g} and {q.max:g}, got {value!r}"]
    elif isinstance(q, YesNoQuestion):
        if not isinstance(value, bool):
            return [f"must be true or false, got {value!r}"]
    elif isinstance(q, TextQuestion):
        if not isinstance(value, str):
            return [f"must be text, got {value!r}"]
        if value != clean_text(value):
            return ["must be plain text without control characters or surrounding spaces"]
        if len(value) > q.max_length:
            return [f"is {len(value)} characters long; at most {q.max_length} are allowed"]
    return []


def _check_input(calc: Any, name: str, value: Any, where: str) -> list[str]:
    spec = calc.inputs[name]
    if not is_real(value):
        return []
    if spec.fixed:
        return [f"{where}: this figure is set by the vendor and cannot be answered"]
    if not _is_number(value):
        return [f"{where}: must be a number, got {value!r}"]
    if value < 0:
        return [f"{where}: must not be negative, got {value!r}"]
    if name in be.FRACTION_INPUTS and value > 1:
        return [f"{where}: must be a fraction between 0 and 1 (e.g. 0.2 for 20 %), got {value!r}"]
    if name in be.INTEGER_INPUTS and value != int(value):
        return [f"{where}: must be a whole number of months, got {value!r}"]
    if not spec.min <= value <= spec.max:
        return [f"{where}: must lie between {spec.min:g} and {spec.max:g}, got {value!r}"]
    return []
