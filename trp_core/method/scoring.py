"""Answers to points to axes to a quadrant: METHOD.md section 4, in one place."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

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
_EPS: Final = 1e-9


class SurveyRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    version: str
    hash: str


# The parts of an Assessment are plain dataclasses: pydantic validates and serialises them as
# fields of Assessment, and scoring builds them several times faster than models.
@dataclass(frozen=True, slots=True)
class AxisResult:
    score: float | None
    coverage: float
    threshold: float
    determined: bool
    passed: bool
    borderline: bool
    knockouts: list[str]
    unconfirmed: list[str]


@dataclass(frozen=True, slots=True)
class CriterionResult:
    axis: Axis
    weight: float
    score: float | None


@dataclass(frozen=True, slots=True)
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


# --- points of one answer -----------------------------------------------------------------


def question_points(question: Any, value: Any) -> tuple[float | None, bool]:
    """(points, knock-out) of one answer; points None for don't know or no answer."""
    if value is None or value == DONT_KNOW or isinstance(question, TextQuestion):
        return None, False
    if isinstance(question, ChoiceQuestion):
        option = question.option(value)
        return option.points, option.knockout
    if isinstance(question, ScaleQuestion):
        return question.points(value), False
    if isinstance(question, NumberQuestion):
        ko = question.knockout_below is not None and value < question.knockout_below
        return question.points(value), ko
    if isinstance(question, YesNoQuestion):
        branch = question.yes if value else question.no
        return branch.points, branch.knockout
    raise TypeError(f"unknown question type {type(question).__name__}")


def breakeven_inputs(survey: Survey, answers: Mapping[str, Any]) -> be.BreakEvenInputs | None:
    """The partner's calculator inputs, or None while a required one is unanswered.

    Fixed inputs and optional inputs left open take the survey's defaults.
    """
    calc = survey.calculator
    if calc is None:
        return None
    values: dict[str, Any] = {}
    for name, spec in calc.inputs.items():
        given = None if spec.fixed else answers.get(name)
        if given is None or given == DONT_KNOW:
            if name in be.REQUIRED_INPUTS and not spec.fixed:
                return None
            given = spec.default
        values[name] = int(given) if name in be.INTEGER_INPUTS else given
    return be.construct(
        be.BreakEvenInputs,
        {
            **be.DEFAULTS,
            **values,
            "model": calc.model,
            "target_months": calc.target_months,
            "horizon_months": calc.horizon_months,
        },
    )


def break_even_points(survey: Survey, month: int | None) -> float:
    """Points of the break_even criterion for a break-even month (none within the horizon: 0)."""
    if month is None:
        return 0.0
    return interpolate(survey.calculator.effective_bands, month)


# --- the scoring plan: a survey compiled once into flat tuples ------------------------------


CRITERIA: Final = tuple(Criterion)
_AXES: Final = (Axis.KANN, Axis.WILL)


@dataclass(frozen=True, slots=True)
class _Item:
    id: str
    criterion: int  # index into CRITERIA
    axis: int  # index into _AXES
    weight: float
    question: Any
    has_knockout: bool
    points: Callable[[Any], tuple[float, bool]]


def _scorer(q: Any) -> Callable[[Any], tuple[float, bool]]:
    """A fast (points, knock-out) function for one question, equal to question_points."""
    if isinstance(q, ChoiceQuestion):
        return {o.id: (o.points, o.knockout) for o in q.options}.__getitem__
    if isinstance(q, YesNoQuestion):
        yes, no = (q.yes.points, q.yes.knockout), (q.no.points, q.no.knockout)
        return lambda v: yes if v else no
    if isinstance(q, ScaleQuestion):
        n, reverse = q.steps, q.reverse
        return lambda v: (100 * ((n - v) if reverse else (v - 1)) / (n - 1), False)
    if isinstance(q, NumberQuestion):
        bands, below = q.bands, q.knockout_below
        return lambda v: (interpolate(bands, v), below is not None and v < below)
    raise TypeError(type(q).__name__)


@dataclass(frozen=True, slots=True)
class Plan:
    """A survey compiled once into flat tuples indexed by criterion and axis position."""

    survey: Survey
    ref: SurveyRef
    items: tuple[_Item, ...]
    weights: dict[Criterion, float]
    weight_list: tuple[float, ...]  # by CRITERIA index
    weighted: tuple[tuple[int, ...], tuple[int, ...]]  # per axis: indices of criteria with W > 0
    total_weight: tuple[float, float]
    break_even: int | None  # index of break_even when it is weighted and measured


_PLANS: dict[str, Plan] = {}


def plan_for(survey: Survey) -> Plan:
    """The compiled scoring plan of a survey, cached by content hash."""
    key = survey.content_hash
    plan = _PLANS.get(key)
    if plan is None:
        weights = dict(survey.weights)
        index = {c: i for i, c in enumerate(CRITERIA)}
        items = tuple(
            _Item(
                q.id,
                index[q.criterion],
                _AXES.index(CRITERION_AXIS[q.criterion]),
                q.weight,
                q,
                q.has_knockout,
                _scorer(q),
            )
            for q in survey.scored_questions
        )
        weighted = tuple(tuple(index[c] for c in AXIS_CRITERIA[a] if weights[c] > 0) for a in _AXES)
        measured = survey.calculator is not None and weights[Criterion.BREAK_EVEN] > 0
        plan = Plan(
            survey=survey,
            ref=SurveyRef(id=survey.id, version=survey.version, hash=survey.content_hash),
            items=items,
            weights=weights,
            weight_list=tuple(weights[c] for c in CRITERIA),
            weighted=weighted,  # type: ignore[arg-type]
            total_weight=tuple(sum(weights[CRITERIA[i]] for i in w) for w in weighted),  # type: ignore[arg-type]
            break_even=index[Criterion.BREAK_EVEN] if measured else None,
        )
        _PLANS[key] = plan
    return plan


# --- scoring ------------------------------------------------------------------------------


@dataclass(slots=True)
class RawScores:
    """Unrounded intermediate results, by CRITERIA and axis index; levers reuse them."""

    criterion_sum: list[float]
    criterion_weight: list[float]  # 0 when the criterion is unanswered
    knockouts: tuple[list[str], list[str]]
    unconfirmed: tuple[list[str], list[str]]
    breakeven: be.BreakEven | None


def raw_scores(plan: Plan, answers: Mapping[str, Any], breakeven: be.BreakEven | None = None) -> RawScores:
    csum = [0.0] * len(CRITERIA)
    cweight = [0.0] * len(CRITERIA)
    knockouts: tuple[list[str], list[str]] = ([], [])
    unconfirmed: tuple[list[str], list[str]] = ([], [])
    get = answers.get
    for item in plan.items:
        value = get(item.id)
        if value is None:
            continue
        if value == DONT_KNOW:
            if item.has_knockout:
                unconfirmed[item.axis].append(item.id)
            continue
        points, ko = item.points(value)
        if ko:
            knockouts[item.axis].append(item.id)
        csum[item.criterion] += item.weight * points
        cweight[item.criterion] += item.weight
    if plan.break_even is not None:
        if breakeven is None:
            inputs = breakeven_inputs(plan.survey, answers)
            if inputs is not None:
                breakeven = be.compute(inputs)
        if breakeven is not None:
            csum[plan.break_even] = break_even_points(plan.survey, breakeven.break_even_month)
            cweight[plan.break_even] = 1.0
    return RawScores(csum, cweight, knockouts, unconfirmed, breakeven)


def axis_value(plan: Plan, raw: RawScores, axis: Axis) -> tuple[float | None, float]:
    """(unrounded S_a or None, coverage κ_a)."""
    a = _AXES.index(axis)
    num = den = 0.0
    wsum, csum, weights = raw.criterion_weight, raw.criterion_sum, plan.weight_list
    for c in plan.weighted[a]:
        w = wsum[c]
        if w:
            wc = weights[c]
            num += wc * (csum[c] / w)  # the criterion score, as stored with each response
            den += wc
    score = num / den if den else None
    return score, den / plan.total_weight[a]


def axis_result(plan: Plan, raw: RawScores, axis: Axis) -> AxisResult:
    survey = plan.survey
    score, coverage = axis_value(plan, raw, axis)
    rounded = None if score is None else round_half_up(score)
    threshold = survey.thresholds.kann if axis is Axis.KANN else survey.thresholds.will
    a = _AXES.index(axis)
    knocked = bool(raw.knockouts[a])
    determined = coverage >= survey.min_coverage - _EPS or knocked
    clean = determined and not knocked and rounded is not None
    return AxisResult(
        score=rounded,
        coverage=coverage,
        threshold=threshold,
        determined=determined,
        passed=clean and rounded >= threshold,
        borderline=clean and abs(rounded - threshold) < survey.borderline,
        knockouts=list(raw.knockouts[a]),
        unconfirmed=list(raw.unconfirmed[a]),
    )


def score(survey: Survey, answers: Mapping[str, Any]) -> Assessment:
    """Score one valid answer set (see `check_answers`). Levers are added by levers.assess()."""
    plan = plan_for(survey)
    raw = raw_scores(plan, answers)
    kann, will = axis_result(plan, raw, Axis.KANN), axis_result(plan, raw, Axis.WILL)
    if kann.determined and will.determined:
        quadrant = quadrant_for(kann.passed, will.passed)
    else:
        quadrant = Quadrant.UNDETERMINED
    csum, cweight = raw.criterion_sum, raw.criterion_weight
    criteria = {
        c: CriterionResult(
            axis=_CRITERION_AXES[i],
            weight=plan.weight_list[i],
            score=csum[i] / cweight[i] if cweight[i] else None,
        )
        for i, c in enumerate(CRITERIA)
    }
    b = raw.breakeven
    summary = (
        None
        if b is None
        else BreakEvenSummary(
            break_even_month=b.break_even_month,
            roi_12=b.roi_12,
            required_deals_per_month=b.required_deals_per_month,
            cumulative=b.cumulative,
        )
    )
    return be.construct(
        Assessment,
        {
            "survey": plan.ref,
            "quadrant": quadrant,
            "axes": {Axis.KANN: kann, Axis.WILL: will},
            "criteria": criteria,
            "breakeven": summary,
            "levers": None,
        },
    )


_CRITERION_AXES: Final = tuple(CRITERION_AXIS[c] for c in CRITERIA)


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
    if value is None or value == DONT_KNOW:
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
