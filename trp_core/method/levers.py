"""What would move the partner (METHOD.md section 5): the answer changes that raise a failed axis,
answering an open question or calculator input included."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from trp_core.method import breakeven as be
from trp_core.method.scoring import (
    AXES,
    DEFAULT,
    FROM_ANSWER,
    Assessment,
    Plan,
    axis_value,
    axis_verdict,
    break_even_points,
    breakeven_inputs,
    input_source,
    plan_for,
    question_points,
    raw_scores,
    score,
)
from trp_core.method.survey import ChoiceQuestion, NumberQuestion, ScaleQuestion, Survey, YesNoQuestion
from trp_core.method.vocabulary import Axis, Criterion, round_half_up

MAX_STEPS: Final = 5
_GAIN_EPS: Final = 1e-9


@dataclass(frozen=True, slots=True)
class LeverStep:
    """One answer change: `question` is a question id or a calculator input name."""

    question: str
    criterion: Criterion
    before: Any
    after: Any
    score_before: float
    score_after: float
    removes_knockout: bool


@dataclass(frozen=True, slots=True)
class AxisLevers:
    passed: bool  # the axis passes already, so nothing is suggested
    reaches_threshold: bool  # applying all steps makes the axis pass
    steps: list[LeverStep]


class Levers(BaseModel):
    model_config = ConfigDict(frozen=True)

    kann: AxisLevers
    will: AxisLevers
    required_deals_per_month: float | None


def assess(survey: Survey, answers: Mapping[str, Any]) -> Assessment:
    """Score an answer set and add the levers: the full Assessment of METHOD.md section 7."""
    result = score(survey, answers)
    return result.model_copy(update={"levers": levers(survey, answers, result)})


def levers(survey: Survey, answers: Mapping[str, Any], result: Assessment | None = None) -> Levers:
    result = result or score(survey, answers)
    plan = plan_for(survey)
    per_axis = {}
    for axis in Axis:
        if result.axes[axis].passed:
            per_axis[axis] = AxisLevers(passed=True, reaches_threshold=True, steps=[])
        else:
            per_axis[axis] = _axis_levers(plan, dict(answers), axis)
    required = result.breakeven.required_deals_per_month if result.breakeven else None
    return Levers(kann=per_axis[Axis.KANN], will=per_axis[Axis.WILL], required_deals_per_month=required)


# --- the greedy search --------------------------------------------------------------------


class _State:
    """Evaluates one axis for modified answer sets."""

    def __init__(self, plan: Plan, axis: Axis):
        self.plan, self.axis, self.index = plan, axis, AXES.index(axis)

    def evaluate(self, answers: Mapping[str, Any]) -> tuple[float, float, list[str]]:
        """(unrounded axis score, coverage, knock-outs)."""
        raw = raw_scores(self.plan, answers)
        value, coverage = axis_value(self.plan.axis_weights, self.index, raw.scores, raw.answered)
        return value, coverage, raw.knockouts[self.index]

    def passes(self, value: float, coverage: float, knockouts: list[str]) -> bool:
        return axis_verdict(self.plan.survey, self.axis, value, coverage, bool(knockouts))[3]


def _axis_levers(plan: Plan, answers: dict[str, Any], axis: Axis) -> AxisLevers:
    state = _State(plan, axis)
    value, coverage, knockouts = state.evaluate(answers)
    steps: list[LeverStep] = []
    while len(steps) < MAX_STEPS and not state.passes(value, coverage, knockouts):
        step = (
            _knockout_step(plan, state, answers, knockouts)
            if knockouts
            else _best_step(plan, state, answers, value)
        )
        if step is None:
            break
        name, new_value, (new_score, new_coverage, new_knockouts) = step
        steps.append(
            LeverStep(
                question=name,
                criterion=_criterion(plan, name),
                before=_before(plan, answers, name),
                after=new_value,
                score_before=round_half_up(value),
                score_after=round_half_up(new_score),
                removes_knockout=name in knockouts,
            )
        )
        answers[name] = new_value
        value, coverage, knockouts = new_score, new_coverage, new_knockouts
    return AxisLevers(passed=False, reaches_threshold=state.passes(value, coverage, knockouts), steps=steps)


def _before(plan: Plan, answers: Mapping[str, Any], name: str) -> Any:
    """The answer a step changes; for a calculator input filled from its linked question, that answer."""
    calc = plan.survey.calculator
    if name not in answers and calc is not None and name in calc.inputs:
        value, source = input_source(plan.survey, answers, name)
        if source == FROM_ANSWER:
            return value
    return answers.get(name)


def _criterion(plan: Plan, name: str) -> Criterion:
    q = plan.survey.question_index.get(name)
    return q.criterion if q is not None else Criterion.BREAK_EVEN


def _knockout_step(plan: Plan, state: _State, answers: dict[str, Any], knockouts: list[str]):
    """Knock-outs come first: the best non-knock-out answer to the first knocked-out question
    in survey order (the order of `knockouts`)."""
    name = knockouts[0]
    question = plan.survey.question_index[name]
    best = None
    for candidate in _question_candidates(question, answers.get(name)):
        if question_points(question, candidate)[1]:
            continue
        trial = {**answers, name: candidate}
        value, coverage, kos = state.evaluate(trial)
        if best is None or value > best[2][0] + _GAIN_EPS:
            best = (name, candidate, (value, coverage, kos))
    return best


def _best_step(plan: Plan, state: _State, answers: dict[str, Any], current: float):
    """The single change that raises the axis score most; ties go to the earlier question or input
    in survey order (questions, then the calculator, which comes after them)."""
    best = None
    for name, candidates in _axis_candidates(plan, state.axis, answers):
        for candidate in candidates:
            trial = {**answers, name: candidate}
            value, coverage, kos = state.evaluate(trial)
            if kos:
                continue
            if value > current + _GAIN_EPS and (best is None or value > best[2][0] + _GAIN_EPS):
                best = (name, candidate, (value, coverage, kos))
    return best


def _axis_candidates(plan: Plan, axis: Axis, answers: Mapping[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    for item in plan.items:
        if AXES[item.axis] is axis:
            current = answers.get(item.id)
            yield item.id, [c for c in _question_candidates(item.question, current) if c != current]
    calc = plan.survey.calculator
    if axis is Axis.KANN and plan.break_even is not None:
        for name, spec in calc.inputs.items():
            if spec.fixed:
                continue
            candidate = _input_candidate(plan, answers, name)
            if candidate is not None:
                yield name, [candidate]


def _question_candidates(question: Any, current: Any) -> list[Any]:
    if isinstance(question, ChoiceQuestion):
        return [o.id for o in question.options]
    if isinstance(question, ScaleQuestion):
        return list(range(1, question.steps + 1))
    if isinstance(question, YesNoQuestion):
        return [True, False]
    if isinstance(question, NumberQuestion):
        # Points only change slope at band edges, so the best value is an edge or a range end;
        # among values worth the same, the one closest to the current answer is listed first.
        xs = {question.min, question.max}
        xs.update(x for x, _ in question.bands if question.min <= x <= question.max)
        if question.knockout_below is not None:
            xs.add(question.knockout_below)
        ref = current if isinstance(current, int | float) and not isinstance(current, bool) else question.min
        return sorted(xs, key=lambda x: (-question.points(x), abs(x - ref)))
    return []


def _input_candidate(plan: Plan, answers: Mapping[str, Any], name: str) -> float | None:
    """The value of one calculator input, on its step grid, closest to the current value (the
    default while it is open) that gives the most break-even points; None if no value within the
    range gives more and answering it would not count either (it is answered, or optional).

    An input the survey marks as no lever (set by the vendor's programme, say) is only ever
    suggested at its default, and only while it is a required input left open.
    """
    calc = plan.survey.calculator
    spec = calc.inputs[name]
    # A figure taken from the answer to the linked question is the partner's own, not a default.
    given, source = input_source(plan.survey, answers, name)
    is_open = given is None or (source == DEFAULT and name not in answers)
    current = spec.default if given is None else given
    open_required = is_open and name in be.REQUIRED_INPUTS
    other = {k: v for k, v in answers.items() if k != name}

    def points_at(x: float) -> float | None:
        inputs = breakeven_inputs(plan.survey, {**other, name: x})
        if inputs is None:
            return None
        month = be.break_even_month(be.cumulative_cash(inputs))
        return break_even_points(plan.survey, month)

    now = points_at(current)
    if now is None:  # another required input is open: this one alone changes nothing
        return None
    if not spec.lever:
        return _typed(name, current) if open_required else None
    ends = [(points_at(spec.min), spec.min), (points_at(spec.max), spec.max)]
    top, end = max(ends, key=lambda e: e[0])
    if top <= now + _GAIN_EPS:
        return _typed(name, current) if open_required else None
    # Bisect on grid steps between the current value and the better end; break-even points
    # are monotone in each input, so the boundary is where they first reach the top.
    step = spec.step
    direction = 1 if end > current else -1
    lo, hi = 0, max(1, math.ceil(abs(end - current) / step))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        x = _clamp(current + direction * mid * step, spec.min, spec.max)
        if points_at(x) >= top - _GAIN_EPS:
            hi = mid
        else:
            lo = mid
    value = _clamp(current + direction * hi * step, spec.min, spec.max)
    if points_at(value) < top - _GAIN_EPS:
        value = end
    return _typed(name, value)


def _typed(name: str, value: float) -> float:
    return int(value) if name in be.INTEGER_INPUTS else round(value, 6)


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, x))
