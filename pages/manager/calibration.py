"""Calibration: try other thresholds and weights on the filtered past responses (the core's batch
re-scoring), see who would change quadrant, and download the changed survey as a new version file."""

from datetime import date

import streamlit as st

from pages.components import auth, session
from pages.components import manage as m
from trp_core.method.survey import Survey
from trp_core.method.vocabulary import AXIS_CRITERIA, Axis
from trp_core.presentation import dashboard_charts
from trp_core.presentation.exports import calibrated_survey_note
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import axis_label, criterion_label
from trp_core.services.calibrate import (
    CalibrationForm,
    published_calibration,
    recalibrated,
    revise,
    revised_version,
)
from trp_core.services.export import survey_yaml

m.begin()
lang = session.lang()
st.title(t("mgr_calibration_title", lang))
st.caption(t("mgr_cal_lead", lang))
engine = m.engine()
selection = m.selection(engine, "calibration", any_version=False)


def changed_survey(base: Survey) -> Survey | None:
    """The form: thresholds, the weights of the criteria the survey asks, a new version."""
    key = f"cal.{base.content_hash[:12]}"
    with st.form(key):
        st.markdown(f"**{t('mgr_cal_thresholds', lang)}**")
        cols = st.columns(2)
        thresholds = {
            axis: cols[i].number_input(
                axis_label(axis, lang),
                min_value=0.0,
                max_value=100.0,
                value=float(base.thresholds.kann if axis is Axis.KANN else base.thresholds.will),
                step=1.0,
                key=f"{key}.t.{axis.value}",
            )
            for i, axis in enumerate(Axis)
        }
        st.markdown(f"**{t('mgr_cal_weights', lang)}**")
        weights = dict(base.weights)
        cols = st.columns(2)
        for i, axis in enumerate(Axis):
            with cols[i]:
                for c in AXIS_CRITERIA[axis]:
                    if base.weights[c] > 0:  # a weight of 0 means "not asked": that needs other questions
                        weights[c] = st.number_input(
                            criterion_label(c, lang),
                            min_value=0.1,
                            max_value=100.0,
                            value=float(base.weights[c]),
                            step=0.5,
                            key=f"{key}.w.{c.value}",
                        )
        version = st.text_input(
            t("mgr_cal_version", lang), value=revised_version(base.version), max_chars=32, key=f"{key}.v"
        )
        st.form_submit_button(t("mgr_cal_apply", lang), type="primary")
    form = CalibrationForm(thresholds=thresholds, weights=weights, version=version)
    revision = revise(base, form)
    if revision.same_version:
        st.error(t("mgr_cal_same_version", lang, version=base.version))
    elif revision.problems:
        st.error(t("mgr_cal_invalid", lang, problem="; ".join(revision.problems)))
    return revision.survey


def results(selection: m.Selection, base: Survey, revised: Survey) -> None:
    thresholds = {Axis.KANN: revised.thresholds.kann, Axis.WILL: revised.thresholds.will}
    with m.database_errors():
        pub = published_calibration(engine, base, thresholds, dict(revised.weights), selection.view)
    if not m.decision(pub.selected):
        return
    tk, tw = (f"{pub.thresholds[a]:g}" for a in Axis)
    st.caption(t("mgr_cal_snapped", lang, tk=tk, tw=tw, k=pub.selected.lattice.k))
    moved = [f"{criterion_label(c, lang)} {w:g}" for c, w in pub.weights.items() if w != revised.weights[c]]
    if moved:
        st.caption(t("mgr_cal_weights_snapped", lang, weights=", ".join(moved)))
    if pub.reason in ("moved_few", "step_few"):
        st.warning(t(f"mgr_cal_{pub.reason}", lang, k=pub.selected.lattice.k), icon=":material/group_off:")
        return
    cal = pub.calibration
    if cal is None or not m.enough(cal):
        return
    if cal.changed is None:
        st.info(t("mgr_cal_summary_hidden", lang))
    else:
        share = m.share(cal.changed / cal.total if cal.total else None)
        st.info(
            t("mgr_cal_summary", lang, changed=m.count(cal.changed), total=m.count(cal.total), share=share)
        )
    st.altair_chart(dashboard_charts.calibration_chart(cal, base, lang), width="stretch")
    st.dataframe(dashboard_charts.calibration_rows(cal, base, lang), hide_index=True, width="stretch")
    st.markdown(f"**{t('mgr_cal_moves', lang)}**")
    st.dataframe(dashboard_charts.calibration_moves(cal, base, lang), hide_index=True, width="stretch")


if selection is not None:
    base = selection.survey
    revised = changed_survey(base)
    if revised is not None:
        results(selection, base, revised)
        if recalibrated(base, revised):
            file_name = f"{revised.id}-{revised.version}.yaml"
            st.download_button(
                t("mgr_cal_download", lang, version=revised.version),
                data=auth.guarded_download(
                    lambda: survey_yaml(
                        revised, calibrated_survey_note(base, revised, date.today())
                    ).encode(),
                    "application/yaml",
                    file_name,
                ),
                file_name=file_name,
                mime="application/yaml",
                icon=":material/download:",
                key="cal.download",
                on_click="ignore",
            )
            st.caption(t("mgr_cal_download_note", lang))
