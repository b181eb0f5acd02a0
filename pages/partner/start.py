"""Start page: language, survey, the promise of anonymity, start; reopen a result by its code."""

import streamlit as st

from pages.components import kiosk, resources, session
from pages.components import shared as ui
from pages.components.urls import CHECK_PAGE, PROFILE_PAGE, RESULT_PAGE, echo
from trp_core.presentation.i18n import t
from trp_core.services.selection import min_group

if st.session_state.pop(session.TO_CHECK, False):
    # The start button's callback (below) began the answers: on to them, without drawing this page again.
    ui.go(CHECK_PAGE)

event = kiosk.current()
ui.header(switch=event is None)
if event is not None:
    kiosk.welcome(event)
    st.stop()
lang = session.lang()
surveys = resources.published()

st.title(t("app_title", lang))
st.markdown(f"**{t('start_lead', lang)}**")
st.write(t("start_how", lang))

if not surveys:
    st.warning(t("no_surveys", lang))
    st.stop()

requested = st.query_params.get("survey")
if requested and requested not in surveys:
    st.error(t("unknown_survey", lang, survey=echo(requested, 60)))
    requested = None

if requested:
    survey_id = requested
elif len(surveys) == 1:
    survey_id = next(iter(surveys))
else:
    current = session.survey_id()
    ids = list(surveys)
    survey_id = st.radio(
        t("choose_survey", lang),
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func=lambda i: surveys[i].title(lang),
        captions=[surveys[i].description(lang) for i in ids],
        key=f"choose.{lang}",
    )
survey = surveys[survey_id]


def start_first(chosen: str) -> None:
    """The tap on start, before the page runs: the answers begin here, and the run that follows goes
    to the questionnaire at the top of this page, before drawing it once more."""
    session.start_new(chosen)
    st.session_state[session.TO_CHECK] = True


with st.container(border=True):
    st.subheader(survey.title(lang))
    if requested or len(surveys) == 1:
        st.write(survey.description(lang))
    steps = len(survey.sections) + (1 if survey.calculator else 0)
    st.caption(
        ":material/schedule: "
        + t("duration", lang, minutes=survey.minutes, questions=len(survey.questions), steps=steps)
    )
    in_progress = session.survey_id() == survey_id and bool(session.answers())
    if in_progress:
        if st.button(t("continue_button", lang), type="primary", width="stretch"):
            ui.go(CHECK_PAGE)
        if st.button(t("restart_button", lang), width="stretch"):
            session.start_new(survey_id)
            ui.go(CHECK_PAGE)
    else:
        st.button(
            t("start_button", lang),
            type="primary",
            width="stretch",
            key="start",
            on_click=start_first,
            args=(survey_id,),
        )

with st.container(border=True):
    st.markdown(f"**:material/lock: {t('anonymity_title', lang)}**")
    st.markdown(
        f"- {t('anonymity_stored', lang)}\n- {t('anonymity_not_stored', lang)}\n"
        f"- {t('anonymity_groups', lang, k=min_group(resources.settings().min_group))}\n- {t('anonymity_code', lang)}"
    )

st.page_link(
    PROFILE_PAGE,
    label=t("profile_link", lang),
    icon=":material/explore:",
    query_params={"survey": survey_id},
)

with st.expander(t("reopen_title", lang)):
    with st.form("reopen", border=False):
        typed = st.text_input(t("reopen_label", lang), max_chars=40, placeholder="XXXX-XXXX-XXXX-XXXX")
        opened = st.form_submit_button(t("reopen_button", lang))
    if opened:
        error = ui.open_result(typed)
        if error:
            st.error(error)
        else:
            ui.go(RESULT_PAGE)
