"""Start page: the published surveys."""

import streamlit as st

from trp_core.settings import get_settings
from trp_core.survey import load_surveys


@st.cache_resource
def published(directory: str):
    return load_surveys(directory)


settings = get_settings()
surveys, issues = published(str(settings.surveys_dir))
lang = "de" if st.query_params.get("lang") == "de" else "en"

st.title("TRP Self-Check")
st.write(
    "Finden Sie anonym heraus, ob Sie der Partner sind, den wir suchen."
    if lang == "de"
    else "Find out anonymously whether you are the partner we are looking for."
)
for survey in surveys.values():
    with st.container(border=True):
        st.subheader(survey.title(lang))
        st.write(survey.description(lang))
        st.caption(
            f"≈ {survey.minutes} min · {len(survey.questions)} " + ("Fragen" if lang == "de" else "questions")
        )
if not surveys:
    st.info(
        "Derzeit ist keine Umfrage veröffentlicht."
        if lang == "de"
        else "No survey is published at the moment."
    )
