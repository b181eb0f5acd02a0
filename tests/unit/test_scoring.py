"""Scoring of METHOD.md section 4 (method version 2): the worked example, each answer type, coverage
and knock-outs."""

from __future__ import annotations

import pytest

from tests.conftest import WORKED
from trp_core.files.yaml_reader import parse_yaml
from trp_core.method.levers import assess
from trp_core.method.scoring import DONT_KNOW, check_answers, score
from trp_core.method.survey import interpolate, survey_from_data
from trp_core.method.vocabulary import Axis, Criterion, Quadrant, round_half_up


def test_worked_example(worked, worked_answers):
    result = score(worked, worked_answers)
    kann, will = result.axes[Axis.KANN], result.axes[Axis.WILL]
    assert result.criteria[Criterion.CUSTOMER_BASE].score == pytest.approx(66.833, abs=1e-3)
    # reputation: don't know, so 0 points, not answered, and it counts in the kann mean
    reputation = result.criteria[Criterion.REPUTATION]
    assert (reputation.score, reputation.answered) == (0, False)
    assert result.criteria[Criterion.BREAK_EVEN].score == 100
    assert result.criteria[Criterion.STRATEGY_FIT].score == 25
    exact = (2 * (58.667 + 75) / 2 + 50 + 75 + 0 + 50 + 100 + 25 + 100 + 2 * 100) / 11
    assert exact == pytest.approx(66.697, abs=1e-3) and round_half_up(exact) == 66.7
    assert (kann.score, kann.passed, kann.borderline) == (66.7, True, False)  # method version 1: 73.4
    assert kann.coverage == pytest.approx(10 / 11)
    assert (will.score, will.passed, will.knockouts) == (20.0, False, ["rank"])
    assert result.quadrant is Quadrant.KANDIDAT
    assert result.breakeven.break_even_month == 12
    assert result.survey.id == "worked-example" and len(result.survey.hash) == 64


def test_worked_example_without_the_knockout(worked, worked_answers):
    result = score(worked, {**worked_answers, "rank": "top3"})
    assert result.axes[Axis.WILL].score == 37.5
    assert result.axes[Axis.WILL].knockouts == []
    assert result.quadrant is Quadrant.KANDIDAT


def test_worked_example_levers(worked, worked_answers):
    """Section 4: the knock-out first, then the single change that gains most (+75/4 on will)."""
    steps = assess(worked, worked_answers).levers.will.steps
    assert (steps[0].question, steps[0].after, steps[0].removes_knockout) == ("rank", "top3", True)
    assert (steps[1].question, steps[1].before, steps[1].after) == ("realistic", 2, 5)
    assert (steps[1].score_before, steps[1].score_after) == (37.5, round_half_up(37.5 + 75 / 4))


def test_not_knowing_counts_zero_points(worked, worked_answers):
    """Method version 2: a don't-know or an open question counts 0 points with its weight."""
    base = score(worked, worked_answers).criteria[Criterion.CUSTOMER_BASE]
    without = score(worked, {**worked_answers, "addressable": None}).criteria[Criterion.CUSTOMER_BASE]
    assert base.score == pytest.approx((58.667 + 75) / 2, abs=1e-3)
    assert without.score == pytest.approx(58.667 / 2, abs=1e-3) and without.answered
    empty = score(worked, {})
    assert all(a.score == 0 and a.coverage == 0 and not a.determined for a in empty.axes.values())
    assert empty.quadrant is Quadrant.UNDETERMINED
    assert not any(c.answered for c in empty.criteria.values())


def test_worked_example_with_too_few_answers(worked, worked_answers):
    few = {k: worked_answers[k] for k in ("customers", "addressable", "sales_fte")}
    result = score(worked, few)
    assert result.axes[Axis.KANN].coverage == pytest.approx(3 / 11)
    assert not result.axes[Axis.KANN].determined
    # the provisional score: (2·66.833 + 50) / 11, the unanswered criteria counting 0
    assert result.axes[Axis.KANN].score == 16.7
    assert result.quadrant is Quadrant.UNDETERMINED


def test_number_bands_are_piecewise_linear():
    bands = [(0, 0), (25, 40), (100, 80), (500, 100)]
    assert interpolate(bands, 60) == pytest.approx(58.667, abs=1e-3)
    assert interpolate(bands, -5) == 0 and interpolate(bands, 10_000) == 100
    assert interpolate(bands, 25) == 40 and interpolate(bands, 300) == 90
    assert interpolate([(12, 100), (24, 0)], 18) == 50


def test_scale_and_reverse_scale(worked, worked_answers):
    q = worked.question_index["know_how"]
    assert [q.points(v) for v in range(1, 6)] == [0, 25, 50, 75, 100]
    reverse = q.model_copy(update={"reverse": True})
    assert [reverse.points(v) for v in range(1, 6)] == [100, 75, 50, 25, 0]


def test_break_even_points_from_the_month(worked, worked_answers):
    def break_even_score(deals):
        return (
            score(worked, {**worked_answers, "deals_per_month": deals}).criteria[Criterion.BREAK_EVEN].score
        )

    assert break_even_score(3) == 100  # month 12
    assert break_even_score(2) == pytest.approx(100 * (24 - 18) / 12)  # month 18: halfway to 2T
    assert break_even_score(0) == 0  # never


def test_unanswered_calculator_leaves_break_even_unanswered(worked, worked_answers):
    answers = {k: v for k, v in worked_answers.items() if k != "deal_value"}
    result = score(worked, answers)
    break_even = result.criteria[Criterion.BREAK_EVEN]
    assert (break_even.score, break_even.answered) == (0, False)
    assert result.breakeven is None
    assert result.axes[Axis.KANN].coverage == pytest.approx(8 / 11)
    # An optional input left open takes the survey's default instead.
    answers = {k: v for k, v in worked_answers.items() if k != "churn_per_month"}
    assert score(worked, answers).breakeven.break_even_month == 12


def test_dont_know_on_a_knockout_question_is_unconfirmed(worked_answers):
    data, _ = parse_yaml(WORKED.read_text())
    data["sections"][0]["questions"][2]["dont_know"] = True  # sales_fte, whose "none" is a knock-out
    survey = survey_from_data(data, "test")
    result = score(survey, {**worked_answers, "sales_fte": DONT_KNOW})
    kann = result.axes[Axis.KANN]
    assert kann.unconfirmed == ["sales_fte"] and kann.knockouts == [] and kann.passed
    result = score(survey, {**worked_answers, "sales_fte": "none"})
    assert result.axes[Axis.KANN].knockouts == ["sales_fte"] and not result.axes[Axis.KANN].passed


def test_borderline(worked, worked_answers):
    # Will 62.5 with threshold 60 is borderline and passed.
    answers = {
        **worked_answers,
        "rank": "top3",
        "realistic": 3,
        "payback": "m24",
        "in_plan": True,
        "backing": 5,
    }
    will = score(worked, answers).axes[Axis.WILL]
    assert will.score == (50 + 30 + 100 + 70) / 4
    assert will.passed and will.borderline


def test_clean_text_removes_control_characters():
    from trp_core.method.scoring import clean_text

    assert clean_text("  a\x00b\x07c\nd\te  ") == "abc\nd\te"


def test_round_half_up():
    assert round_half_up(73.35) == 73.4
    assert round_half_up(73.349) == 73.3
    assert round_half_up(56.25) == 56.3
    assert round_half_up(0) == 0


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        ({"nope": 1}, "answers.nope: survey 'worked-example' has no question or calculator input 'nope'"),
        ({"addressable": "medium"}, "answers.addressable: 'medium' is not an option"),
        ({"know_how": 6}, "answers.know_how: must be a whole number from 1 to 5"),
        ({"know_how": 2.5}, "answers.know_how: must be a whole number from 1 to 5"),
        ({"customers": -3}, "answers.customers: must not be negative"),
        ({"customers": "many"}, "answers.customers: must be a number"),
        ({"customers": True}, "answers.customers: must be a number"),
        ({"own_funds": "yes"}, "answers.own_funds: must be true or false"),
        ({"access": DONT_KNOW}, "answers.access: this question does not allow 'dont_know'"),
        ({"remarks": "x" * 501}, "answers.remarks: is 501 characters long"),
        ({"remarks": "nul\x00byte"}, "answers.remarks: must be plain text without control characters"),
        ({"margin": 20}, "answers.margin: must be a fraction between 0 and 1"),
        ({"investment": -1}, "answers.investment: must not be negative"),
        ({"first_deal_month": 1.5}, "answers.first_deal_month: must be a whole number"),
        ({"deal_value": float("nan")}, "answers.deal_value: must be a number"),
    ],
)
def test_bad_answers_are_named(worked, answers, fragment):
    problems = check_answers(worked, answers)
    assert any(fragment in p for p in problems), problems


def test_every_answer_problem_is_listed(worked):
    problems = check_answers(worked, {"nope": 1, "know_how": 9, "customers": -1}, survey_id="other")
    assert len(problems) == 4
    assert problems[0].startswith("survey: the answers are for survey 'other'")


def test_valid_answers_have_no_problems(worked, worked_answers):
    assert check_answers(worked, worked_answers, "worked-example") == []
