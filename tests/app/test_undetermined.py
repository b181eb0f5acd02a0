"""Undetermined is a state, not a score (issue 12, point 6): the questionnaire says so before
submitting and leads to the first open question; an empty self-check is never stored; an undetermined
result shows no position, says what is missing and leads back to it with the answers kept."""

from __future__ import annotations

from sqlalchemy import create_engine, select

from tests.app.conftest import new_app
from tests.app.test_partner_flow import answer_step, fixture, set_figures, stored_rows
from tests.conftest import SURVEYS
from trp_core.files.surveys import load_survey
from trp_core.method.vocabulary import Quadrant
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import quadrant_label

CHECK = "pages/partner/questionnaire.py"
RESULT = "pages/partner/result.py"


def to_calculator(at, survey, answers: dict) -> None:
    at.button(key="start").click().run()
    for section in survey.ordered_sections:
        answer_step(at, section, answers)
    set_figures(at, survey, answers)


def test_an_empty_self_check_cannot_be_submitted_and_leads_to_the_first_question(app_db):
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    at = new_app(survey=survey.id, lang="de")
    to_calculator(at, survey, {})
    assert t("coverage_empty", "de") in [w.value for w in at.warning]
    assert at.button(key="submit").disabled
    at.button(key="to_open").click().run()
    assert at.session_state["trp.step"] == 0
    assert at.session_state["trp.warned"] == 0  # the open questions of that step are pointed out
    assert stored_rows(app_db) == 0  # never stored as a result, let alone as 100 of 100


def test_too_few_answers_are_said_before_submitting_and_the_result_is_a_state(app_db):
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    answers = fixture("trp-standard", "undetermined")
    at = new_app(survey=survey.id, lang="de")
    to_calculator(at, survey, answers)
    assert any("noch kein Ergebnis" in w.value for w in at.warning)
    at.button(key="submit").click().run()
    assert not at.exception

    # the result: a state, no position, what is missing, the way back
    assert at.subheader[0].value == quadrant_label(survey, Quadrant.UNDETERMINED, "de")
    text = " ".join(m.value for m in at.markdown)
    assert "noch nicht bestimmt – vorläufig" in text
    assert " von 100 (Schwelle 60) – " not in text  # no axis line reads as a real score
    spec = at.session_state["trp.charts"].specs["matrix", "de"]
    rows = [r for layer in spec["layer"] for r in layer.get("data", {}).get("values", [])]
    assert not [r for r in rows if "kann" in r and "will" in r]  # no point in the matrix
    assert t("chart_no_point", "de") in str(rows)
    assert t("undetermined_title", "de") in text
    open_question = survey.question_index["retention"].text("de")
    assert f"- {open_question}" in text

    code = at.session_state["trp.result"].code
    at.button(key="to_open").click().run()
    assert not at.exception
    assert at.session_state["trp.answers"] == {**answers, **at.session_state["trp.answers"]}
    step = at.session_state["trp.step"]
    assert survey.ordered_sections[step].axis.value == "kann"
    assert at.session_state["trp.warned"] == step

    # stored as undetermined, never as a quadrant of the matrix
    from trp_core.store import upgrade
    from trp_core.store.models import Response

    engine = create_engine(app_db)
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(select(Response.quadrant)).scalars().all() == [Quadrant.UNDETERMINED.value]

    # reopened by its code in a fresh browser: the answers are not there, so only "start again"
    later = new_app(lang="de", page=RESULT, code=code)
    assert not later.exception
    later_text = " ".join(m.value for m in later.markdown) + " ".join(c.value for c in later.caption)
    assert t("undetermined_restart", "de") in later_text
    assert not [b for b in later.button if b.key == "to_open"]
