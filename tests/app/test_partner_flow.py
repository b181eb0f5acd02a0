"""The partner's flow through the real app (AppTest): start, questionnaire, calculator, result."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from tests.app.conftest import new_app
from tests.conftest import ROOT, SURVEYS
from trp_core.files.surveys import load_survey
from trp_core.method import breakeven as be
from trp_core.method.breakeven import FRACTION_INPUTS
from trp_core.method.scoring import DONT_KNOW, breakeven_inputs
from trp_core.method.survey import ChoiceQuestion, NumberQuestion, ScaleQuestion, TextQuestion, YesNoQuestion
from trp_core.method.vocabulary import Axis, Quadrant
from trp_core.presentation import result_charts
from trp_core.presentation.formatting import parse_number, plain
from trp_core.presentation.labels import quadrant_label

ANSWERS = ROOT / "tests" / "answers"


def fixture(survey_id: str, outcome: str) -> dict:
    return json.loads((ANSWERS / f"{survey_id}.{outcome}.json").read_text())["answers"]


def keys(at) -> tuple[int, str]:
    return at.session_state["trp.gen"], at.session_state["trp.lang"]


def set_question(at, q, value) -> None:
    gen, lang = keys(at)
    key = f"q.{gen}.{lang}.{q.id}"
    if isinstance(q, ChoiceQuestion):
        at.radio(key=key).set_value(value)
    elif isinstance(q, ScaleQuestion):
        at.button_group(key=key).set_value(value)
    elif isinstance(q, YesNoQuestion):
        at.button_group(key=key).set_value({True: "yes", False: "no"}.get(value, value))
    elif isinstance(q, NumberQuestion):
        if value == DONT_KNOW:
            at.checkbox(key=key + ".dk").check()
        else:
            at.text_input(key=key).input(plain(value, lang))
    elif isinstance(q, TextQuestion):
        at.text_area(key=key).input(value)


def answer_step(at, section, answers: dict) -> None:
    for q in section.questions:
        if q.id in answers:
            set_question(at, q, answers[q.id])
    before = at.session_state["trp.step"]
    at.button(key="nav.next").click().run()
    if at.session_state["trp.step"] == before:  # open questions were pointed out: continue anyway
        assert at.warning, "a step is only held back to point out open questions"
        at.button(key="nav.next").click().run()
    assert at.session_state["trp.step"] == before + 1


def set_figures(at, survey, answers: dict) -> None:
    gen, lang = keys(at)
    for name in survey.calculator.asked:
        if name in answers:
            value = answers[name] * 100 if name in FRACTION_INPUTS else answers[name]
            at.text_input(key=f"c.{gen}.{lang}.{name}").input(plain(value, lang))
    at.run()


def run_through(at, survey, answers: dict) -> None:
    """From the start page to the result page, answering as in `answers`."""
    at.button(key="start").click().run()
    for section in survey.ordered_sections:
        assert at.session_state["trp.step"] == survey.ordered_sections.index(section)
        answer_step(at, section, answers)
    set_figures(at, survey, answers)
    at.button(key="submit").click().run()


def stored_rows(db_url: str) -> int:
    from trp_core.store import upgrade
    from trp_core.store.models import Response

    engine = create_engine(db_url)
    upgrade(engine)  # a session that stored nothing may not have created the schema
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Response)).scalar_one()


@pytest.mark.parametrize(
    ("survey_id", "outcome"),
    [
        ("trp-standard", "held"),
        ("trp-cloud", "kandidat"),
        ("trp-classic", "vampir"),
        ("trp-standard", "schatten"),
        ("trp-cloud", "undetermined"),
        ("trp-classic", "held"),
    ],
)
def test_complete_run_reaches_the_quadrant(app_db, survey_id, outcome):
    survey = load_survey(SURVEYS / f"{survey_id}.yaml")
    answers = fixture(survey_id, outcome)
    at = new_app(survey=survey_id, lang="en")
    run_through(at, survey, answers)
    assert not at.exception
    result = at.session_state["trp.result"]
    assert result.assessment.quadrant is Quadrant(outcome)
    text = " ".join(m.value for m in at.markdown) + " ".join(s.value for s in at.subheader)
    assert quadrant_label(survey, Quadrant(outcome), "en") in text
    assert result.code in text
    assert stored_rows(app_db) == 1


def test_back_and_next_keep_answers(app_db):
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    answers = fixture("trp-standard", "held")
    first, second = survey.ordered_sections[:2]
    at = new_app(survey="trp-standard", lang="en")
    at.button(key="start").click().run()
    answer_step(at, first, answers)
    answer_step(at, second, answers)
    at.button(key="nav.back").click().run()
    at.button(key="nav.back").click().run()
    assert at.session_state["trp.step"] == 0
    gen, lang = keys(at)
    for q in first.questions:
        if isinstance(q, ChoiceQuestion) and q.id in answers:
            assert at.radio(key=f"q.{gen}.{lang}.{q.id}").value == answers[q.id]
    stored = at.session_state["trp.answers"]
    for q in (*first.questions, *second.questions):
        if q.id in answers:
            assert stored[q.id] == answers[q.id]


def test_language_switch_keeps_answers(app_db):
    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    answers = fixture("trp-cloud", "held")
    first = survey.ordered_sections[0]
    at = new_app(survey="trp-cloud", lang="en")
    at.button(key="start").click().run()
    for q in first.questions:
        if q.id in answers:
            set_question(at, q, answers[q.id])
    # The switch inside the form commits what is entered so far, then changes the language.
    at.button(key="nav.lang").click().run()
    assert at.session_state["trp.lang"] == "de"
    assert at.session_state["trp.step"] == 0
    gen, lang = keys(at)
    assert lang == "de"
    for q in first.questions:
        if isinstance(q, ChoiceQuestion) and q.id in answers:
            widget = at.radio(key=f"q.{gen}.de.{q.id}")
            assert widget.value == answers[q.id]
            assert widget.label == q.text("de")
    assert "Weiter" in [b.label for b in at.button]


def _curve_points(spec: dict) -> list[float]:
    """The cumulative cash flow drawn by the calculator's chart (the line's data set)."""
    found: list[list[dict]] = list(spec.get("datasets", {}).values())
    found += [layer["data"]["values"] for layer in spec.get("layer", []) if "values" in layer.get("data", {})]
    for rows in found:
        if len(rows) > 1 and "cf" in rows[0] and "amount" in rows[0]:
            return [row["cf"] for row in rows]
    raise AssertionError(f"no curve in the chart: {sorted(spec)}")


def _drawn_curve(at) -> list[float]:
    """The cumulative cash flow of the calculator's chart as the page sent it."""
    (chart,) = at.get("vega_lite_chart")
    return _curve_points(json.loads(chart.proto.spec))


def _expected_curve(at, survey) -> list[float]:
    return list(be.compute(breakeven_inputs(survey, at.session_state["trp.answers"])).cumulative)


def test_calculator_curve_follows_the_figures_and_is_kept_while_they_stay(app_db):
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    answers = fixture("trp-standard", "held")
    at = new_app(survey="trp-standard", lang="en")
    at.button(key="start").click().run()
    for section in survey.ordered_sections:
        answer_step(at, section, answers)
    figures = _expected_curve(at, survey)
    assert _drawn_curve(at) == figures
    built = result_charts._breakeven_spec.cache_info().misses
    at.run()  # nothing changed: the spec built for these figures is drawn again, not rebuilt
    assert result_charts._breakeven_spec.cache_info().misses == built
    assert _drawn_curve(at) == figures
    gen, lang = keys(at)
    name = next(n for n in survey.calculator.asked if n not in FRACTION_INPUTS)
    field = at.text_input(key=f"c.{gen}.{lang}.{name}")
    field.input(plain(parse_number(field.value, lang) * 2, lang)).run()
    changed = _expected_curve(at, survey)
    assert result_charts._breakeven_spec.cache_info().misses == built + 1
    assert _drawn_curve(at) == changed != figures


def test_double_submit_stores_one_row(app_db):
    survey = load_survey(SURVEYS / "trp-classic.yaml")
    at = new_app(survey="trp-classic", lang="de")
    run_through(at, survey, fixture("trp-classic", "kandidat"))
    code = at.session_state["trp.result"].code
    # Back to the calculator, and submit the same answers again.
    at.switch_page("pages/partner/questionnaire.py").run()
    at.button(key="submit").click().run()
    assert at.session_state["trp.result"].code == code
    assert stored_rows(app_db) == 1


def test_reopening_by_code_shows_the_same_result(app_db):
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    at = new_app(survey="trp-standard", lang="en")
    run_through(at, survey, fixture("trp-standard", "kandidat"))
    first = at.session_state["trp.result"]
    later = new_app(lang="en", page="pages/partner/result.py", code=first.code.lower().replace("-", " "))
    assert not later.exception
    again = later.session_state["trp.result"]
    assert again.assessment.quadrant is first.assessment.quadrant
    for axis in Axis:
        assert again.assessment.axes[axis].score == first.assessment.axes[axis].score
    assert again.assessment.breakeven.cumulative == first.assessment.breakeven.cumulative


def test_wrong_codes_get_one_message_and_are_throttled(app_db):
    at = new_app(lang="en", page="pages/partner/start.py")
    messages = []
    for code in ["AAAA-BBBB-CCCC-DDDD", "not a code", "'; DROP TABLE responses; --", "x" * 40, "Z" * 16]:
        at.text_input[0].input(code)
        at.button[-1].click().run()
        assert not at.exception
        messages.append(at.error[0].value if at.error else None)
    invalid = "There is no result for this code. Please check what you entered."
    assert messages[:4] == [invalid] * 4  # the same message whatever was wrong
    assert messages[4].startswith("Too many attempts. Please wait")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"survey": "no-such-survey", "lang": "en"}, "There is no questionnaire “no-such-survey” here"),
        ({"lang": "fr"}, "The language “fr” is not available"),
        ({"survey": "<script>alert(1)</script>", "lang": "de"}, "Den Fragebogen"),
        ({"survey": "![x](https://evil.example/i.png)", "lang": "en"}, "There is no questionnaire"),
        ({"lang": "[click](https://evil.example)"}, "is not available"),
    ],
)
def test_bad_url_parameters_get_a_clear_message(app_db, query, expected):
    at = new_app(**query)
    assert not at.exception
    shown = [e.value for e in at.error] + [i.value for i in at.info]
    assert any(expected in m for m in shown), shown
    # What is repeated from the URL cannot turn into markup, links or images.
    assert not any(c in m for m in shown for c in "<>[]()!"), shown


def test_start_page_promises_anonymity_in_both_languages(app_db):
    for lang, words in (("de", "Nicht gespeichert werden"), ("en", "We do not store")):
        at = new_app(lang=lang)
        assert any(words in m.value for m in at.markdown)
        assert at.button(key="start")


def test_vendor_name_from_settings_and_bad_settings_named(app_db, monkeypatch):
    monkeypatch.setenv("TRP_VENDOR_NAME", "Example Systems GmbH")
    at = new_app(lang="en")
    assert any("Example Systems GmbH" in c.value for c in at.caption)
    monkeypatch.setenv("TRP_ACCENT_COLOR", "red")
    import streamlit as st

    st.cache_resource.clear()
    at = new_app(lang="en")
    assert not at.exception
    assert "TRP_ACCENT_COLOR" in at.error[0].value


def test_published_surveys_follow_the_settings(app_db, monkeypatch):
    """The surveys offered are kept between runs, and made again when the settings are."""
    import streamlit as st

    at = new_app(lang="en")
    assert len(at.radio(key="choose.en").options) == 3
    monkeypatch.setenv("TRP_PUBLISHED", '["trp-cloud"]')
    st.cache_resource.clear()
    at = new_app(lang="en")
    assert not at.radio, "one published survey needs no choice"
    assert at.subheader[0].value == load_survey(SURVEYS / "trp-cloud.yaml").title("en")


def test_funnel_counters_count_steps_without_a_row_per_visitor(app_db):
    from pages.components import resources
    from trp_core.store import make_engine, reads

    survey = load_survey(SURVEYS / "trp-standard.yaml")
    for outcome in ("held", "schatten"):
        at = new_app(survey="trp-standard", lang="en")
        run_through(at, survey, fixture("trp-standard", outcome))
    resources.flush_counts()  # written in the background, within a moment
    funnel = reads.funnel(make_engine(app_db), reads.Filters(survey="trp-standard"))
    assert funnel["started"] == 2 and funnel["completed"] == 2 and funnel["calculator"] == 2
    for section in survey.ordered_sections:
        assert funnel[f"step:{section.id}"] == 2
    # Going back and forth in one session counts a step once.
    at = new_app(survey="trp-standard", lang="en")
    at.button(key="start").click().run()
    answer_step(at, survey.ordered_sections[0], {})
    at.button(key="nav.back").click().run()
    answer_step(at, survey.ordered_sections[0], {})
    resources.flush_counts()
    funnel = reads.funnel(make_engine(app_db), reads.Filters(survey="trp-standard"))
    assert funnel["started"] == 3 and funnel[f"step:{survey.ordered_sections[1].id}"] == 3


def test_a_session_adds_one_record_key_to_every_step_it_reaches(app_db):
    """The cell-key method for the funnel (PRIVACY.md, "Sessions"): a session's key, drawn with its
    first step and kept in the session, goes into the key sum of every step it reaches, once; another
    session brings its own."""
    from pages.components import resources
    from trp_core.store import make_engine, reads

    survey = load_survey(SURVEYS / "trp-standard.yaml")
    keys = []
    for outcome in ("held", "schatten"):
        at = new_app(survey="trp-standard", lang="en")
        run_through(at, survey, fixture("trp-standard", outcome))
        keys.append(at.session_state["trp.session_key"])
    resources.flush_counts()
    (steps,) = reads.funnel_by_atom(make_engine(app_db), "trp-standard").values()  # one tag, one day
    assert all(0 <= key <= 255 for key in keys)
    assert {"started", "completed", "calculator"} <= set(steps)
    assert steps == dict.fromkeys(steps, (2, sum(keys) % 256))


def test_preview_stores_and_counts_nothing(app_db):
    from pages.components import resources
    from trp_core.store import make_engine, reads

    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    at = app_with_preview("trp-cloud")
    assert any("Preview" in w.value for w in at.warning)
    run_through(at, survey, fixture("trp-cloud", "held"))
    assert at.session_state["trp.result"].assessment.quadrant is Quadrant.HELD
    assert stored_rows(app_db) == 0
    resources.flush_counts()
    assert reads.funnel(make_engine(app_db), reads.Filters(survey="trp-cloud")) == {}


def app_with_preview(survey_id: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["survey"] = survey_id
    at.query_params["lang"] = "en"
    at.session_state["trp.preview"] = True
    return at.run()


def test_profile_and_header_name_the_vendor_only_when_it_is_set(app_db, monkeypatch):
    """Without TRP_VENDOR_NAME no product name stands in for the vendor's ("So sieht TRP Self-Check ...")."""
    from trp_core.presentation.i18n import t

    at = new_app("pages/partner/profile.py", survey="trp-standard", lang="de")
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert t("profile_intro_plain", "de") in shown
    assert "TRP" not in shown and "Self-Check" not in shown
    monkeypatch.setenv("TRP_VENDOR_NAME", "Example Systems GmbH")
    import streamlit as st

    st.cache_resource.clear()
    at = new_app("pages/partner/profile.py", survey="trp-standard", lang="de")
    assert any(t("profile_intro", "de", vendor="Example Systems GmbH") == m.value for m in at.markdown)


def test_open_question_hint_offers_dont_know_only_where_there_is_one(app_db):
    from trp_core.presentation.i18n import t

    survey = load_survey(SURVEYS / "trp-standard.yaml")
    section = survey.ordered_sections[0]
    at = new_app(survey="trp-standard", lang="de")
    at.button(key="start").click().run()
    at.button(key="nav.next").click().run()
    hints = [m.value for m in at.markdown if ":material/error:" in m.value]
    expected = [t("no_answer_yet" if q.dont_know else "no_answer_yet_no_dk", "de") for q in section.questions]
    assert len(hints) == len(expected) and all(e in h for e, h in zip(expected, hints, strict=True))
    assert {q.dont_know for q in section.questions} == {True, False}, "the step has both kinds"


def test_submit_shows_the_result_without_drawing_the_calculator_again(app_db, monkeypatch):
    """The tap on submit stores and scores in its callback: the run it starts goes to the result page
    before the calculator step is drawn once more."""
    from pages.components import widgets

    survey = load_survey(SURVEYS / "trp-standard.yaml")
    answers = fixture("trp-standard", "held")
    at = new_app(survey="trp-standard", lang="en")
    at.button(key="start").click().run()
    for section in survey.ordered_sections:
        answer_step(at, section, answers)
    drawn = []
    calculator = widgets.calculator
    monkeypatch.setattr(widgets, "calculator", lambda *a, **kw: drawn.append(a) or calculator(*a, **kw))
    at.button(key="submit").click().run()
    assert not at.exception
    assert at.session_state["trp.result"].code in " ".join(m.value for m in at.markdown)
    assert drawn == []
    assert stored_rows(app_db) == 1


def test_a_figure_typed_just_before_submit_counts(app_db):
    """A figure whose field was left by the tap on submit (no rerun of its own in between) is the one
    stored; a text that is no figure stops the submit with the marked field."""
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    answers = fixture("trp-standard", "held")
    at = new_app(survey="trp-standard", lang="de")
    at.button(key="start").click().run()
    for section in survey.ordered_sections:
        answer_step(at, section, answers)
    gen, lang = keys(at)
    at.text_input(key=f"c.{gen}.{lang}.first_deal_month").input("25")
    at.button(key="submit").click().run()
    assert "trp.result" not in at.session_state
    assert [e.value for e in at.error] == ["Bitte korrigieren Sie die markierten Felder."]
    at.text_input(key=f"c.{gen}.{lang}.first_deal_month").input("7")
    at.button(key="submit").click().run()
    assert at.session_state["trp.result"].answers["first_deal_month"] == 7
    assert stored_rows(app_db) == 1
