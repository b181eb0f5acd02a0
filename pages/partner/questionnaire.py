"""The questionnaire: one form per section (ability first), then the live calculator, then submit."""

import streamlit as st

from pages.components import resources, session
from pages.components import shared as ui
from pages.components import widgets as w
from pages.components.urls import RESULT_PAGE, START_PAGE
from trp_core.method.scoring import is_real, score
from trp_core.method.vocabulary import Axis, Quadrant
from trp_core.presentation import formatting as fmt
from trp_core.presentation import recompute
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import axis_label
from trp_core.services.results import StoreUnavailable
from trp_core.services.submit import InvalidAnswers, open_questions, submission_for, submit

if st.session_state.pop(session.TO_RESULT, False):
    ui.go(RESULT_PAGE)  # stored and scored by the submit button's callback (below)

lang = session.lang()
surveys = resources.published()
survey_id = session.survey_id()
if survey_id not in surveys:
    requested = st.query_params.get("survey")
    if requested in surveys:
        session.start_new(requested)
        survey_id = requested
    else:
        ui.go(START_PAGE)
survey = surveys[survey_id]
answers = session.answers()
steps = w.steps(survey)
step = min(max(st.session_state.get(session.STEP, 0), 0), len(steps) - 1)
st.session_state[session.STEP] = step
kind, section = steps[step]
gen = session.generation()


def go(to: int) -> None:
    st.session_state[session.STEP] = to
    st.session_state.pop(session.WARNED, None)
    st.rerun()


if kind == "section":
    ui.header(switch=False)
    w.progress(survey, steps, step, lang)
    warned = st.session_state.get(session.WARNED) == step
    other = "en" if lang == "de" else "de"
    # No Enter to submit: Streamlit's hint for it is English and covers the next field on a phone.
    with st.form(f"step.{gen}.{section.id}", border=False, enter_to_submit=False):
        title, switch_col = st.columns([4, 1], vertical_alignment="bottom")
        title.subheader(section.title(lang))
        switch = switch_col.form_submit_button(
            {"de": "Deutsch", "en": "English"}[other],
            help=t("language", lang),
            key="nav.lang",
            icon=":material/translate:",
        )
        if section.intro:
            st.write(section.intro(lang))
        alert = st.empty()  # "correct the marked fields", once the fields are known
        values = {}
        unanswered = open_questions(section.questions, answers)
        for q in section.questions:
            with st.container(border=True):
                values[q.id] = w.question(q, lang, f"q.{gen}.{lang}.{q.id}", answers.get(q.id))
                if warned and q.id in unanswered:
                    hint = "no_answer_yet" if q.dont_know else "no_answer_yet_no_dk"
                    st.markdown(f":orange[:material/error: {t(hint, lang)}]")
        open_count = len(unanswered)
        if warned and open_count:
            st.warning(t("unanswered_summary", lang, n=open_count))
        back_col, _, next_col = st.columns([1, 1, 1])
        back = back_col.form_submit_button(
            t("back", lang), disabled=step == 0, width="stretch", key="nav.back"
        )
        forward = next_col.form_submit_button(
            t("next_anyway" if warned and open_count else "next", lang),
            type="primary",
            width="stretch",
            key="nav.next",
        )
    invalid = [v.key for v in values.values() if isinstance(v, w.Invalid)]
    if invalid and (back or forward or switch):
        # The step stays, with every field as typed: the message is under the field and on top.
        alert.error(t("fix_marked", lang), icon=":material/error:")
        w.scroll_to(invalid[0])
    elif back or forward or switch:
        for qid, value in values.items():
            if value is None:
                answers.pop(qid, None)
            else:
                answers[qid] = value
        if switch:
            session.set_language(other)
            st.rerun()
        if back:
            go(step - 1)
        if open_questions(section.questions, answers) and not warned:
            st.session_state[session.WARNED] = step
            st.rerun()
        go(step + 1)
else:
    ui.header()
    w.progress(survey, steps, step, lang)
    calc = survey.calculator
    st.subheader(calc.title(lang))
    if calc.intro:
        st.write(calc.intro(lang))
    st.caption(t("calc_live", lang))
    for name in calc.asked:
        # An input filled from an answer stays out of the answers until the partner types his own.
        if not calc.inputs[name].from_question:
            answers.setdefault(name, calc.inputs[name].default)
    alert = st.empty()
    invalid = w.calculator(survey, answers, lang, f"c.{gen}.{lang}")
    shown = w.accepted(survey, answers)  # every figure as the calculator shows it

    # Too few answers for a result: say so before submitting, and offer the first open question.
    check = score(survey, shown)
    nothing = not any(is_real(answers.get(q.id)) for q in survey.scored_questions)
    if check.quadrant is Quadrant.UNDETERMINED:
        missing = recompute.open_questions(check, survey, answers)
        axes = t("and_join", lang).join(axis_label(a, lang) for a in Axis if not check.axes[a].determined)
        need = fmt.percent(survey.min_coverage, lang)
        st.warning(t("coverage_empty" if nothing else "coverage_low", lang, axes=axes, need=need))
        if missing and st.button(t("to_first_open", lang), icon=":material/edit:", key="to_open"):
            first = next(iter(missing.values()))[0]
            st.session_state[session.STEP] = next(
                i
                for i, (k, s) in enumerate(steps)
                if k == "section" and any(q.id == first for q in s.questions)
            )
            st.session_state[session.WARNED] = st.session_state[session.STEP]
            st.rerun()

    def submit_first() -> None:
        """The tap on submit, before the page runs: with every figure valid, the answers are stored
        and scored here, and the page's run switches to the result at its top, before it draws
        anything: the tap costs the result page's run, not a run of this step first. Otherwise
        nothing is done here and this step's run below does it: it shows what to fix, or tries the
        store again and says it is down."""
        if not w.calculator_figures(survey, answers, f"c.{gen}.{lang}", lang):
            return
        figures = w.accepted(survey, answers)  # every figure as the calculator shows it
        # Kept before storing: a repeated tap, or one after a storage error, reuses its key and code.
        submission = st.session_state[session.SUBMISSION] = submission_for(figures, session.submission())
        store = None if session.preview() else resources.store
        try:
            result = submit(survey, figures, submission, lang=lang, event=session.event(), store=store)
        except (InvalidAnswers, StoreUnavailable):  # the reason is in the server log
            return
        ui.count("completed")
        st.session_state[session.RESULT] = result
        # The switch itself is the page's (at its top): in a callback under AppTest, st.switch_page
        # finds no pages, as the app has not called st.navigation yet in that run.
        st.session_state[session.TO_RESULT] = True

    back_col, _, submit_col = st.columns([1, 1, 1])
    if back_col.button(t("back", lang), width="stretch", disabled=step == 0, key="nav.back"):
        go(step - 1)
    # Nothing answered is nothing to evaluate: no empty response is stored.
    submitted = submit_col.button(
        t("submit", lang),
        type="primary",
        width="stretch",
        key="submit",
        disabled=nothing,
        on_click=submit_first,
    )
    if submitted and invalid:
        alert.error(t("fix_marked", lang), icon=":material/error:")
        w.scroll_to(invalid[0])
    elif submitted:
        # Kept before storing: a repeated tap, or one after a storage error, reuses its key and code.
        submission = st.session_state[session.SUBMISSION] = submission_for(shown, session.submission())
        store = None if session.preview() else resources.store
        with st.spinner(t("submitting", lang)):
            try:
                result = submit(survey, shown, submission, lang=lang, event=session.event(), store=store)
            except (InvalidAnswers, StoreUnavailable):  # the reason is in the server log
                st.error(t("storage_down", lang))
                st.stop()
        ui.count("completed")
        st.session_state[session.RESULT] = result
        ui.go(RESULT_PAGE)

# Counted after the page is drawn: its elements are already on their way to the browser while
# the counters are written (a step that is left by a rerun was counted when it was shown).
ui.count("started", f"step:{section.id}" if section else "calculator")
