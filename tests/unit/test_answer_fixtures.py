"""The answer fixtures in tests/answers and the shape of the bundled surveys.

Each fixture is named `<survey id>.<outcome>.json`: the outcome is the quadrant the answers
must give, or `borderline` for a result with at least one borderline axis.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BUNDLED, ROOT, SURVEYS
from trp_core.files.surveys import load_survey
from trp_core.method import breakeven as be
from trp_core.method.levers import assess
from trp_core.method.scoring import DONT_KNOW, check_answers
from trp_core.method.survey import NumberQuestion, Survey
from trp_core.method.vocabulary import AXIS_CRITERIA, Axis, Criterion, Quadrant

ANSWERS = ROOT / "tests" / "answers"
FIXTURES = sorted(ANSWERS.glob("*.json"))
OUTCOMES = (*(q.value for q in Quadrant), "borderline")
MIN_QUESTIONS, MAX_QUESTIONS = 20, 35


def _parts(path: Path) -> tuple[str, str]:
    survey_id, outcome = path.name.removesuffix(".json").split(".")
    return survey_id, outcome


def _load(path: Path) -> tuple[Survey, dict, str]:
    survey_id, outcome = _parts(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["survey"] == survey_id, f"{path.name} holds answers for {data['survey']!r}"
    return load_survey(SURVEYS / f"{survey_id}.yaml"), data["answers"], outcome


@pytest.fixture(params=FIXTURES, ids=[p.name for p in FIXTURES])
def fixture(request: pytest.FixtureRequest) -> tuple[Survey, dict, str]:
    return _load(request.param)


def test_every_survey_has_every_outcome():
    names = {p.name for p in FIXTURES}
    expected = {f"{p.stem}.{outcome}.json" for p in BUNDLED for outcome in OUTCOMES}
    assert expected <= names, f"missing fixtures: {sorted(expected - names)}"
    assert all(_parts(p)[1] in OUTCOMES for p in FIXTURES)


def test_answers_are_valid(fixture):
    survey, answers, _ = fixture
    assert check_answers(survey, answers, survey.id) == []


def test_answers_give_the_outcome(fixture):
    survey, answers, outcome = fixture
    result = assess(survey, answers)
    if outcome == "borderline":
        assert any(a.borderline for a in result.axes.values())
    else:
        assert result.quadrant == Quadrant(outcome)


def test_outcome_profiles(fixture):
    """The fixtures are the profiles they claim to be, not just any answers in the quadrant."""
    survey, answers, outcome = fixture
    result = assess(survey, answers)
    kann, will = result.axes[Axis.KANN], result.axes[Axis.WILL]
    if outcome == "held":
        assert not kann.knockouts and not will.knockouts
        assert DONT_KNOW in answers.values()
    elif outcome == "kandidat":
        # The method's typical candidate: his own figures break even, but he does not believe it.
        assert not will.knockouts
        assert result.breakeven is not None
        assert result.breakeven.break_even_month <= survey.calculator.target_months
    elif outcome == "vampir":
        assert not will.knockouts
    elif outcome == "undetermined":
        assert min(kann.coverage, will.coverage) < survey.min_coverage


def test_one_vampir_with_a_kann_knockout():
    knocked = []
    for path in FIXTURES:
        if _parts(path)[1] == "vampir":
            survey, answers, _ = _load(path)
            if assess(survey, answers).axes[Axis.KANN].knockouts:
                knocked.append(path.name)
    assert len(knocked) == 1, knocked


# --- the bundled surveys --------------------------------------------------------------------


def test_each_axis_has_a_knockout(bundled):
    for axis in Axis:
        questions = [q for q in bundled.scored_questions if q.criterion in AXIS_CRITERIA[axis]]
        assert any(q.has_knockout for q in questions), axis


def test_question_count(bundled):
    assert MIN_QUESTIONS <= len(bundled.scored_questions) <= MAX_QUESTIONS


def test_dont_know_is_allowed_somewhere(bundled):
    assert sum(q.dont_know for q in bundled.scored_questions) >= 2


def test_every_weighted_criterion_is_measured(bundled):
    asked = {q.criterion for q in bundled.scored_questions}
    if bundled.calculator is not None:
        asked.add(Criterion.BREAK_EVEN)
    assert {c for c, w in bundled.weights.items() if w > 0} <= asked
    assert set(bundled.weights) == set(Criterion)


def test_defaults_break_even_within_the_horizon(bundled):
    calc = bundled.calculator
    assert calc is not None
    month = be.compute(calc.default_inputs()).break_even_month
    assert month is not None and month <= calc.horizon_months


def test_fractions_are_shown_as_percentages(bundled):
    for name, spec in bundled.calculator.inputs.items():
        if name in be.FRACTION_INPUTS:
            assert spec.unit is not None and (spec.unit.de, spec.unit.en) == ("%", "%"), name
            assert spec.max <= 1, name


def test_percentage_questions_run_to_100(bundled):
    for q in bundled.scored_questions:
        if isinstance(q, NumberQuestion) and q.unit is not None and q.unit.en == "%":
            assert q.max == 100, q.id
            assert all(0 <= x <= 100 for x, _ in q.bands), q.id


def test_vendor_funding_is_no_lever(bundled):
    funding = bundled.calculator.inputs.get("vendor_funding")
    assert funding is None or not funding.lever
