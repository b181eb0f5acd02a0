"""A calculator input filled from the answer to a question that asks for the same figure
(`from_question`): resolved in the method as own figure > linked answer > survey default, one rule for
one response, many responses, the levers and the workings."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, SURVEYS
from trp_core.files.surveys import load_survey
from trp_core.method import levers as lv
from trp_core.method.scoring import (
    DEFAULT,
    DONT_KNOW,
    FROM_ANSWER,
    OWN,
    breakeven_inputs,
    encode,
    input_source,
    plan_for,
    rescore,
    score,
)
from trp_core.method.survey import SurveyError, survey_from_data
from trp_core.presentation.i18n import t
from trp_core.presentation.recompute import calculator_inputs

CLOUD = load_survey(SURVEYS / "trp-cloud.yaml")
LINK = "new_customers_per_month"
INPUT = "deals_per_month"


def held() -> dict:
    return json.loads((ROOT / "tests" / "answers" / "trp-cloud.held.json").read_text())["answers"]


def test_the_cloud_survey_links_new_customers_to_deals_per_month() -> None:
    assert CLOUD.calculator.inputs[INPUT].from_question == LINK
    assert CLOUD.version == "1.2"  # scores change for the same answers: a new version
    # The only link in the bundled surveys: the others ask no question for the same figure.
    links = {
        (s.id, n)
        for s in (load_survey(p) for p in sorted(SURVEYS.glob("*.yaml")))
        if s.calculator
        for n, spec in s.calculator.inputs.items()
        if spec.from_question
    }
    assert links == {("trp-cloud", INPUT)}


def _question(data: dict, qid: str) -> dict:
    return next(q for s in data["sections"] for q in s["questions"] if q["id"] == qid)


def _data() -> dict:
    return CLOUD.model_dump(mode="json", exclude_none=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["calculator"]["inputs"]["margin"].update(from_question="sales_fte"), "is a fraction"),
        (
            lambda d: (
                _question(d, "sales_fte").update(max=20, knockout_below=None),
                d["calculator"]["inputs"]["ramp_up_months"].update(from_question="sales_fte"),
            ),
            "ramp_up_months counts whole months, but question 'sales_fte' takes steps of 0.5",
        ),
        (
            lambda d: d["calculator"]["inputs"]["deals_per_month"].update(from_question="platforms_today"),
            "question 'platforms_today' is a text question",
        ),
        (
            lambda d: d["calculator"]["inputs"]["vendor_funding"].update(from_question=LINK, fixed=True),
            "vendor_funding is set by the vendor (fixed: true)",
        ),
    ],
)
def test_a_link_the_input_cannot_take_is_refused_with_its_reason(change, message) -> None:
    data = copy.deepcopy(_data())
    change(data)
    with pytest.raises(SurveyError) as err:
        survey_from_data(data, "cloud.yaml")
    (issue,) = err.value.issues
    assert issue.path.startswith("calculator.inputs.") and issue.path.endswith(".from_question")
    assert message in issue.message


# --- own figure > linked answer > default ---------------------------------------------------


def test_own_figure_beats_the_answer_which_beats_the_default() -> None:
    answers = held()  # deals_per_month 4, new customers 5
    assert input_source(CLOUD, answers, INPUT) == (4, OWN)
    assert breakeven_inputs(CLOUD, answers).deals_per_month == 4
    del answers[INPUT]
    assert input_source(CLOUD, answers, INPUT) == (5, FROM_ANSWER)
    assert breakeven_inputs(CLOUD, answers).deals_per_month == 5
    answers[LINK] = DONT_KNOW
    # A required input with neither: break_even stays unanswered, as for any open required input.
    assert input_source(CLOUD, answers, INPUT) == (None, DEFAULT)
    assert breakeven_inputs(CLOUD, answers) is None
    assert not score(CLOUD, answers).criteria["break_even"].answered


def test_the_answer_changes_the_result_only_while_no_own_figure_is_given() -> None:
    answers = held()
    del answers[INPUT]
    slow, fast = ({**answers, LINK: n} for n in (1, 10))
    assert score(CLOUD, slow).breakeven.break_even_month != score(CLOUD, fast).breakeven.break_even_month
    own = {**fast, INPUT: 1}
    assert score(CLOUD, own).breakeven == score(CLOUD, {**slow, INPUT: 1}).breakeven


values = st.one_of(st.none(), st.just(DONT_KNOW), st.sampled_from([0, 0.5, 1, 2.5, 3, 5, 9.5, 40, 100]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(values, values), min_size=1, max_size=12))
def test_many_responses_resolve_the_input_as_one_does(pairs) -> None:
    base = held()
    sets = []
    for own, answer in pairs:
        a = {k: v for k, v in base.items() if k not in (INPUT, LINK)}
        if own is not None:
            a[INPUT] = own if own != DONT_KNOW else DONT_KNOW
        if answer is not None:
            a[LINK] = answer
        sets.append(a)
    batch = rescore(CLOUD, sets)
    matrix = encode(CLOUD, sets)
    for i, a in enumerate(sets):
        one = score(CLOUD, a)
        assert batch.kann[i] == one.axes["kann"].score
        month = one.breakeven.break_even_month if one.breakeven else None
        got = matrix.break_even_month[i]
        assert (np.isnan(got) and month is None) or got == month


def test_the_batch_reads_the_linked_question() -> None:
    assert plan_for(CLOUD).calculator.reads.count(LINK) == 1


# --- the levers' open-input rule ----------------------------------------------------------------


def test_a_figure_from_the_answer_counts_as_given_for_the_levers() -> None:
    """METHOD.md section 5: an input left at its default is a candidate to answer; one filled from the
    partner's answer is his own figure, so it is not 'answered' again at the same value."""
    answers = held()
    del answers[INPUT]
    answers["fixed_costs_per_month"] = 1000  # break-even well inside the target with 3 or 5 a month
    plan = plan_for(CLOUD)
    assert lv._input_candidate(plan, answers, INPUT) is None
    answers[LINK] = DONT_KNOW
    # Open and required: answering it at the default is the step (it makes break_even count).
    assert lv._input_candidate(plan, answers, INPUT) == CLOUD.calculator.inputs[INPUT].default


def test_a_lever_on_the_input_starts_from_the_answer() -> None:
    answers = held()
    del answers[INPUT]
    answers[LINK] = 2
    assert lv._before(plan_for(CLOUD), answers, INPUT) == 2  # what the step would say it changes
    answers[INPUT] = 4
    assert lv._before(plan_for(CLOUD), answers, INPUT) == 4


# --- the workings mark the origin -----------------------------------------------------------


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_workings_mark_each_inputs_origin(lang) -> None:
    answers = held()
    del answers[INPUT]
    answers["investment"] = 20000
    rows = {r.name: r for r in calculator_inputs(CLOUD, answers, lang)}
    assert rows[INPUT].source == t("source_answer", lang) and rows[INPUT].own
    assert rows["investment"].source == t("source_own", lang)
    assert rows["vendor_funding"].source == t("source_default", lang)  # 3000, the default
