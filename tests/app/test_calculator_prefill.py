"""The calculator shows a figure the partner already gave as an answer (trp-cloud: new customers a
month → deals per month), says where it comes from, and the result computes with it."""

from __future__ import annotations

import pytest

from tests.app.conftest import new_app
from tests.app.test_partner_flow import answer_step, fixture, keys, set_figures
from tests.conftest import SURVEYS
from trp_core.files.surveys import load_survey
from trp_core.method.scoring import score
from trp_core.presentation.formatting import plain
from trp_core.presentation.i18n import t

SURVEY = load_survey(SURVEYS / "trp-cloud.yaml")
INPUT, LINK = "deals_per_month", "new_customers_per_month"


def to_calculator(at, answers: dict) -> None:
    at.button(key="start").click().run()
    for section in SURVEY.ordered_sections:
        answer_step(at, section, answers)


def field(at):
    gen, lang = keys(at)
    return at.text_input(key=f"c.{gen}.{lang}.{INPUT}")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_answer_fills_the_calculator_and_the_result_uses_it(app_db, lang):
    answers = fixture("trp-cloud", "held")
    del answers[INPUT]  # the partner keeps what the calculator shows for it
    answers[LINK] = 6.5
    at = new_app(survey="trp-cloud", lang=lang)
    to_calculator(at, answers)
    assert field(at).value == plain(6.5, lang)
    captions = " ".join(c.value for c in at.caption)
    assert t("calc_from_answer", lang, n=1, step=SURVEY.ordered_sections[0].title(lang)) in captions
    set_figures(at, SURVEY, answers)
    at.button(key="submit").click().run()
    assert not at.exception
    result = at.session_state["trp.result"]
    assert INPUT not in result.answers  # stored once, as the answer: a rescore reads it from there
    expected = score(SURVEY, {**answers, INPUT: 6.5}).breakeven
    assert result.assessment.breakeven == expected
    assert result.assessment.breakeven != score(SURVEY, {**answers, INPUT: 3}).breakeven  # not the default


def test_a_typed_figure_wins_and_a_changed_answer_follows_into_the_field(app_db):
    answers = fixture("trp-cloud", "held")
    del answers[INPUT]
    at = new_app(survey="trp-cloud", lang="de")
    to_calculator(at, answers)
    assert field(at).value == plain(5, "de")
    # Back to the first step, another answer: the field follows it.
    at.session_state["trp.step"] = 0
    at.run()
    gen, lang = keys(at)
    at.text_input(key=f"q.{gen}.{lang}.{LINK}").input("8")
    for _ in SURVEY.ordered_sections:
        at.button(key="nav.next").click().run()
    assert field(at).value == "8"
    # The partner's own figure: kept, and it is the one the result uses.
    field(at).input("2,5").run()
    captions = " ".join(c.value for c in at.caption)
    assert t("calc_from_answer", "de", n=1, step=SURVEY.ordered_sections[0].title("de")) not in captions
    set_figures(at, SURVEY, {k: v for k, v in answers.items() if k != INPUT})
    at.button(key="submit").click().run()
    result = at.session_state["trp.result"]
    assert result.answers[INPUT] == 2.5
    assert result.assessment.breakeven == score(SURVEY, {**answers, LINK: 8, INPUT: 2.5}).breakeven


def test_a_dont_know_leaves_the_default_in_the_field(app_db):
    answers = fixture("trp-cloud", "schatten")  # new customers: don't know
    del answers[INPUT]
    at = new_app(survey="trp-cloud", lang="en")
    to_calculator(at, answers)
    default = SURVEY.calculator.inputs[INPUT].default
    assert field(at).value == plain(default, "en")
    set_figures(at, SURVEY, answers)
    at.button(key="submit").click().run()
    result = at.session_state["trp.result"]
    assert result.answers[INPUT] == default  # the default the partner accepted, stored as before
    assert result.assessment.criteria["break_even"].answered
