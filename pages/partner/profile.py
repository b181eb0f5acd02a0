"""The vendor's profile of the right partner, in plain words, from the survey file."""

import streamlit as st

from pages.components import resources, session
from pages.components import shared as ui
from pages.components.urls import START_PAGE, echo
from trp_core.method.vocabulary import (
    AXIS_CRITERIA,
    Axis,
    Quadrant,
)
from trp_core.presentation import explain, recompute
from trp_core.presentation import formatting as fmt
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import (
    axis_label,
    criterion_label,
    criterion_meaning,
    partner_meaning,
    quadrant_label,
)

ui.header()
lang = session.lang()
surveys = resources.published()
survey_id = st.query_params.get("survey") or session.survey_id()
if survey_id not in surveys:
    if not surveys:
        st.warning(t("no_surveys", lang))
        st.stop()
    if survey_id:
        st.error(t("unknown_survey", lang, survey=echo(survey_id, 60)))
    survey_id = next(iter(surveys))
survey = surveys[survey_id]

st.title(t("profile_title", lang))
vendor = resources.settings().vendor_name
st.write(t("profile_intro", lang, vendor=vendor) if vendor else t("profile_intro_plain", lang))
st.caption(f"{survey.title(lang)} · {survey.version}")


for axis in Axis:
    weighted = [c for c in AXIS_CRITERIA[axis] if survey.weights[c] > 0]
    total = sum(survey.weights[c] for c in weighted)
    threshold = survey.thresholds.kann if axis is Axis.KANN else survey.thresholds.will
    st.header(t("profile_axis", lang, axis=axis_label(axis, lang), threshold=fmt.number(threshold, lang)))
    for c in weighted:
        share = fmt.percent(survey.weights[c] / total, lang)
        with st.expander(f"**{criterion_label(c, lang)}** · {t('profile_weight', lang, share=share)}"):
            st.caption(criterion_meaning(c, lang))
            st.caption(
                t(
                    "profile_criterion_weight",
                    lang,
                    weight=recompute.num(survey.weights[c], lang),
                    total=recompute.num(total, lang),
                )
            )
            for q in survey.scored_questions:
                if q.criterion is not c:
                    continue
                best, _ = explain.best_and_knockouts(survey, q, lang)
                st.markdown(f"**{q.text(lang)}**")
                if best:
                    st.markdown(f"- {t('profile_best', lang, answer=best)}")
                # Every answer with its points (or the bands, or the scale's formula), knock-outs marked.
                for line, knockout in recompute.question_rules(survey, q, lang):
                    st.markdown(f"- :red[{line}]" if knockout else f"- {line}")
                st.caption(t("profile_question_weight", lang, weight=recompute.num(q.weight, lang)))
            if c.value == "break_even" and survey.calculator:
                target = survey.calculator.target_months
                st.write(t("profile_breakeven", lang, target=target, double=2 * target))
                bands = recompute.band_points_line(survey.calculator.effective_bands, lang)
                st.markdown(f"- {t('profile_breakeven_bands', lang, bands=bands)}")

st.caption(t("profile_missing", lang))
st.caption(
    t(
        "profile_rules",
        lang,
        coverage=fmt.percent(survey.min_coverage, lang),
        band=fmt.number(survey.borderline, lang),
    )
)

st.subheader(t("profile_quadrants", lang))
for q in (Quadrant.HELD, Quadrant.KANDIDAT, Quadrant.VAMPIR, Quadrant.SCHATTEN):
    st.markdown(f"**{quadrant_label(survey, q, lang)}** – {partner_meaning(q, lang)}")

st.page_link(
    START_PAGE,
    label=t("start_button", lang),
    icon=":material/play_arrow:",
    query_params={"survey": survey.id},
)
