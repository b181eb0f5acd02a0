"""The questionnaire: one form per section (ability first), then the live calculator, then submit."""

import hashlib
import json
import uuid

import streamlit as st

from pages.components import shared as ui
from pages.components import widgets as w
from trp_core.method.levers import assess
from trp_core.method.scoring import check_answers
from trp_core.method.survey import TextQuestion
from trp_core.presentation.i18n import t
from trp_core.services.codes import code_hash, new_code

lang = ui.lang()
surveys = ui.published()
survey_id = st.session_state.get(ui.SURVEY)
if survey_id not in surveys:
    requested = st.query_params.get("survey")
    if requested in surveys:
        ui.start_new(requested)
        survey_id = requested
    else:
        ui.go(ui.START_PAGE)
survey = surveys[survey_id]
answers = ui.answers()
steps = w.steps(survey)
step = min(max(st.session_state.get(ui.STEP, 0), 0), len(steps) - 1)
st.session_state[ui.STEP] = step
kind, section = steps[step]
gen = ui.generation()


def go(to: int) -> None:
    st.session_state[ui.STEP] = to
    st.session_state.pop(ui.WARNED, None)
    st.rerun()


if kind == "section":
    ui.header(switch=False)
    w.progress(survey, steps, step, lang)
    warned = st.session_state.get(ui.WARNED) == step
    other = "en" if lang == "de" else "de"
    with st.form(f"step.{gen}.{section.id}", border=False):
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
        values = {}
        for q in section.questions:
            with st.container(border=True):
                values[q.id] = w.question(q, lang, f"q.{gen}.{lang}.{q.id}", answers.get(q.id))
                if warned and answers.get(q.id) is None and not isinstance(q, TextQuestion):
                    st.markdown(f":orange[:material/error: {t('no_answer_yet', lang)}]")
        open_count = sum(
            1 for q in section.questions if not isinstance(q, TextQuestion) and answers.get(q.id) is None
        )
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
    if back or forward or switch:
        for qid, value in values.items():
            if value is None:
                answers.pop(qid, None)
            else:
                answers[qid] = value
        if switch:
            ui.set_language(other)
            st.rerun()
        if back:
            go(step - 1)
        missing = [q for q in section.questions if not isinstance(q, TextQuestion) and q.id not in answers]
        if missing and not warned:
            st.session_state[ui.WARNED] = step
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
        answers.setdefault(name, calc.inputs[name].default)
    w.calculator(survey, answers, lang, f"c.{gen}.{lang}")

    back_col, _, submit_col = st.columns([1, 1, 1])
    if back_col.button(t("back", lang), width="stretch", disabled=step == 0, key="nav.back"):
        go(step - 1)
    if submit_col.button(t("submit", lang), type="primary", width="stretch", key="submit"):
        problems = check_answers(survey, answers, survey.id)
        if problems:  # the widgets only produce valid answers; this is a bug, not the visitor's fault
            ui.log.error("invalid answers reached submit: %s", problems)
            st.error(t("storage_down", lang))
            st.stop()
        fingerprint = hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()
        submission = st.session_state.get(ui.SUBMISSION)
        if not submission or submission[2] != fingerprint:
            # A new answer set gets a new key and code; a repeated tap reuses both, so the
            # store keeps exactly one row.
            submission = (uuid.uuid4().hex, new_code(), fingerprint)
            st.session_state[ui.SUBMISSION] = submission
        key, code, _ = submission
        with st.spinner(t("submitting", lang)):
            assessment = assess(survey, answers)
            try:
                if not ui.preview():
                    ui.store().save_response(
                        survey=survey,
                        assessment=assessment,
                        answers=dict(answers),
                        lang=lang,
                        event=ui.event(),
                        submission_key=key,
                        code_hash=code_hash(code),
                    )
            except Exception:
                ui.log.exception("response not stored")
                st.error(t("storage_down", lang))
                st.stop()
        ui.count("completed")
        st.session_state[ui.RESULT] = {
            "code": code,
            "survey": survey,
            "answers": dict(answers),
            "assessment": assessment,
            "lang": lang,
        }
        ui.go(ui.RESULT_PAGE)

# Counted after the page is drawn: its elements are already on their way to the browser while
# the counters are written (a step that is left by a rerun was counted when it was shown).
ui.count("started", f"step:{section.id}" if section else "calculator")
