"""Property tests of the method (hypothesis) over the bundled surveys and the worked example."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import BUNDLED, WORKED
from trp_core.files.surveys import load_survey
from trp_core.method.levers import assess
from trp_core.method.scoring import DONT_KNOW, check_answers, question_points, score
from trp_core.method.survey import ChoiceQuestion, NumberQuestion, ScaleQuestion, YesNoQuestion
from trp_core.method.synthetic import random_answers
from trp_core.method.vocabulary import CRITERION_AXIS, Axis, Quadrant

SURVEYS = [load_survey(p) for p in [*BUNDLED, WORKED]]
survey_st = st.sampled_from(SURVEYS)
common = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def answer_sets(rate: float = 0.9):
    return st.tuples(survey_st, st.randoms(use_true_random=False)).map(
        lambda sr: (sr[0], random_answers(sr[0], sr[1], answer_rate=rate))
    )


def alternatives(question) -> list:
    """Every distinct answer to a question that the levers also consider."""
    if isinstance(question, ChoiceQuestion):
        return [o.id for o in question.options]
    if isinstance(question, ScaleQuestion):
        return list(range(1, question.steps + 1))
    if isinstance(question, YesNoQuestion):
        return [True, False]
    if isinstance(question, NumberQuestion):
        return sorted(
            {question.min, question.max, *(x for x, _ in question.bands if question.min <= x <= question.max)}
        )
    return []


@common
@given(answer_sets(rate=0.8))
def test_generated_answers_are_valid_and_scores_stay_in_range(case):
    survey, answers = case
    assert check_answers(survey, answers, survey.id) == []
    result = score(survey, answers)
    for axis in result.axes.values():
        assert axis.score is None or 0 <= axis.score <= 100
        assert 0 <= axis.coverage <= 1
    for criterion in result.criteria.values():
        assert criterion.score is None or 0 <= criterion.score <= 100


@common
@given(answer_sets(), st.data())
def test_improving_one_answer_never_lowers_its_axis(case, data):
    survey, answers = case
    answered = [q for q in survey.scored_questions if q.id in answers and answers[q.id] != DONT_KNOW]
    if not answered:
        return
    q = data.draw(st.sampled_from(answered))
    current = question_points(q, answers[q.id])[0]
    better = [v for v in alternatives(q) if question_points(q, v)[0] > current]
    if not better:
        return
    improved = {**answers, q.id: data.draw(st.sampled_from(better))}
    axis = CRITERION_AXIS[q.criterion]
    before, after = score(survey, answers).axes[axis], score(survey, improved).axes[axis]
    assert after.score >= before.score


@common
@given(answer_sets(), st.data())
def test_a_knockout_always_fails_its_axis(case, data):
    survey, answers = case
    options = []
    for q in survey.scored_questions:
        if isinstance(q, ChoiceQuestion):
            options += [(q, o.id) for o in q.options if o.knockout]
        elif isinstance(q, YesNoQuestion):
            options += [(q, v) for v, b in ((True, q.yes), (False, q.no)) if b.knockout]
        elif isinstance(q, NumberQuestion) and q.knockout_below is not None:
            options.append((q, q.min))
    q, value = data.draw(st.sampled_from(options))
    axis = score(survey, {**answers, q.id: value}).axes[CRITERION_AXIS[q.criterion]]
    assert q.id in axis.knockouts
    assert axis.determined and not axis.passed and not axis.borderline


@common
@given(answer_sets(rate=0.3))
def test_low_coverage_gives_undetermined(case):
    survey, answers = case
    result = score(survey, answers)
    low = [a for a in result.axes.values() if a.coverage < survey.min_coverage - 1e-9 and not a.knockouts]
    if low:
        assert result.quadrant is Quadrant.UNDETERMINED
        assert all(not a.determined for a in low)
    else:
        assert result.quadrant is not Quadrant.UNDETERMINED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_sets(rate=0.85))
def test_applying_the_levers_raises_the_axis(case):
    survey, answers = case
    result = assess(survey, answers)
    for axis in Axis:
        levers = getattr(result.levers, axis.value)
        if result.axes[axis].passed:
            assert levers.passed and levers.steps == []
            continue
        current = dict(answers)
        for step in levers.steps:
            before = score(survey, current).axes[axis]
            current[step.question] = step.after
            after = score(survey, current).axes[axis]
            assert after.score == step.score_after
            assert step.question not in after.knockouts
            if not step.removes_knockout:
                assert before.score is None or after.score >= before.score
                assert (
                    step.score_before is None
                    or step.score_after > step.score_before
                    or (after.coverage > before.coverage)
                )
        if levers.reaches_threshold:
            assert score(survey, current).axes[axis].passed


def test_quadrants_follow_the_passed_flags():
    rng = random.Random(7)
    seen = set()
    for survey in SURVEYS:
        for _ in range(400):
            result = score(survey, random_answers(survey, rng, answer_rate=rng.random()))
            kann, will = result.axes[Axis.KANN], result.axes[Axis.WILL]
            if kann.determined and will.determined:
                expected = {
                    (True, True): Quadrant.HELD,
                    (True, False): Quadrant.KANDIDAT,
                    (False, True): Quadrant.VAMPIR,
                    (False, False): Quadrant.SCHATTEN,
                }[(kann.passed, will.passed)]
                assert result.quadrant is expected
            seen.add(result.quadrant)
    assert Quadrant.UNDETERMINED in seen and Quadrant.SCHATTEN in seen


@pytest.mark.parametrize("survey", SURVEYS, ids=[s.id for s in SURVEYS])
def test_every_scored_question_counts(survey):
    """Each question moves its criterion: none is silently ignored by the scoring plan."""
    for q in survey.scored_questions:
        values = alternatives(q)
        points = {question_points(q, v)[0] for v in values}
        assert len(points) > 1, f"{q.id} gives the same points for every answer"
