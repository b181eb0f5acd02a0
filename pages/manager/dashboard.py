"""Dashboard for channel managers: the filtered responses at a glance, every figure from one SQL query,
all under the minimum-group rule (trp_core.services.dashboard)."""

import streamlit as st

from pages.components import manage as m
from pages.components import session
from trp_core.method.survey import TextQuestion
from trp_core.method.vocabulary import Quadrant
from trp_core.presentation import dashboard_charts, formatting
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import quadrant_labels
from trp_core.services import dashboard as ds

m.begin()
lang = session.lang()
st.title(t("mgr_dashboard_title", lang))
engine = m.engine()
found = m.surveys()
selection = m.selection(engine, "dashboard")


def figures(selection: m.Selection) -> None:
    survey = selection.survey
    with m.database_errors():
        pub = ds.published_dashboard(engine, survey, selection.view, period=selection.period)
    if not m.decision(pub.selected) or pub.dashboard is None:
        return
    dash = pub.dashboard
    if not m.enough(dash):
        return
    tiles = st.columns(4)
    tiles[0].metric(t("mgr_responses", lang), m.count(dash.total))
    tiles[1].metric(t("mgr_started", lang), m.count(dash.started))
    tiles[2].metric(t("mgr_completed", lang), m.count(dash.completed))
    tiles[3].metric(t("mgr_completion", lang), m.share(dash.completion_rate))
    if dash.counters_coarser:
        st.caption(t("mgr_counters_note", lang))
    if pub.selected.released is not None:
        st.caption(t("mgr_release_note", lang, day=formatting.day(pub.selected.released, lang), k=dash.k))

    st.subheader(t("mgr_quadrants", lang))
    names = quadrant_labels(survey, lang, "internal")
    tiles = st.columns(len(Quadrant))
    for tile, q in zip(tiles, Quadrant, strict=True):
        tile.metric(
            names[q],
            m.count(dash.quadrants[q]),
            m.share(dash.quadrant_share(q)),
            delta_color="off",
            delta_arrow="off",
        )
    if dash.noise:
        st.caption(t("mgr_noise_note", lang, d=dash.noise))
    st.altair_chart(dashboard_charts.heatmap_chart(dash, survey, lang), width="stretch")
    st.caption(t("mgr_heat_caption", lang))

    st.subheader(t("mgr_trend", lang))
    st.altair_chart(dashboard_charts.trend_chart(dash, survey, lang), width="stretch")

    st.subheader(t("mgr_keep_out", lang))
    st.altair_chart(dashboard_charts.keep_out_chart(dash, lang), width="stretch")
    tk, tw = (f"{x:g}" for x in dash.thresholds)
    st.caption(t("mgr_keep_out_def", lang, tk=tk, tw=tw))

    st.subheader(t("mgr_means", lang))
    st.altair_chart(dashboard_charts.means_chart(dash, survey, lang), width="stretch")
    st.caption(t("mgr_means_caption", lang, k=dash.k))

    st.subheader(t("mgr_break_even", lang))
    st.altair_chart(dashboard_charts.break_even_chart(dash, lang), width="stretch")
    st.subheader(t("mgr_funnel", lang))
    st.altair_chart(dashboard_charts.funnel_chart(dash, survey, lang), width="stretch")

    free_text(selection, pub.selected.view, dash.k)


def free_text(selection: m.Selection, view: object, k: int) -> None:
    """Answers to the text questions as plain text (st.text: never markdown or HTML), per survey
    version, whole cells of at least 10 responses that no filter splits, in random order."""
    questions = [q for q in selection.survey.questions if isinstance(q, TextQuestion)]
    if not questions:
        return
    st.subheader(t("mgr_free_text", lang))
    minimum = ds.free_text_min(k)
    st.caption(t("mgr_free_text_caption", lang, n=minimum))
    # Reading the answers themselves is the one slow query: only on request.
    if not st.toggle(t("mgr_free_text_show", lang), key="dash.text.show"):
        return
    with m.database_errors():
        cells = ds.free_text_cells(engine, selection.survey, [q.id for q in questions], view)
    for cell in cells:
        st.markdown(f"**{t('mgr_free_text_cell', lang, version=cell.version, n=m.count(cell.responses))}**")
        if cell.texts is None:
            st.caption(t("mgr_free_text_small", lang, n=minimum))
            continue
        for q in questions:
            with st.expander(q.text(lang)):
                texts = cell.texts.get(q.id, [])
                if not texts:
                    st.caption(t("mgr_free_text_none", lang))
                else:
                    with st.container(height=320):
                        st.text(dashboard_charts.free_text_block(texts))


if selection is not None:
    figures(selection)
st.divider()
m.preview(found)
