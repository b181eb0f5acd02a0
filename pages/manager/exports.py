"""Exports: the filtered responses as CSV and XLSX (ISO week, nothing finer; only for at least k
responses; safe against spreadsheet formulas), the dashboard's tables as CSV and its charts as PNG."""

import streamlit as st

from pages.components import auth, session
from pages.components import manage as m
from trp_core.presentation import dashboard_charts, exports
from trp_core.presentation.i18n import t
from trp_core.presentation.render import chart_png
from trp_core.services import export
from trp_core.services.dashboard import dashboard

PNG_WIDTH = 720
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

m.begin()
lang = session.lang()
st.title(t("mgr_exports_title", lang))
engine = m.engine()
selection = m.selection(engine, "exports", period=True)


def download(where, label: str, produce, file_name: str, mime: str, icon: str, key: str) -> None:
    where.download_button(
        label, auth.guarded_download(produce, mime, file_name), file_name=file_name, mime=mime, icon=icon,
        key=key, on_click="ignore",
    )  # fmt: skip


def responses(selection: m.Selection) -> None:
    st.subheader(t("mgr_exp_responses", lang))
    st.caption(t("mgr_exp_lead", lang))
    with m.database_errors():
        size = export.export_size(engine, selection.filters)
    n, k = size.count, size.k
    st.write(t("mgr_exp_count", lang, n=dashboard_charts.group_count_text(n, k, lang)))
    if size.too_small:
        st.warning(t("mgr_exp_too_small", lang, k=k), icon=":material/group_off:")
        return
    if size.too_big:
        st.warning(t("mgr_exp_too_big", lang, max=m.count(size.limit)))
        return
    if not size.free_text:
        st.caption(t("mgr_exp_free_text_omitted", lang, n=size.free_text_min))
    st.caption(t("mgr_exp_safe", lang))
    st.caption(t("mgr_exp_formats", lang))
    name = f"{selection.filters.survey}-responses"
    filters, versions = selection.filters, selection.versions

    def as_csv() -> bytes:
        with m.database_errors():
            return exports.responses_csv(export.response_rows(engine, filters, versions), versions, lang)

    def as_xlsx() -> bytes:
        with m.database_errors():
            return exports.responses_xlsx(export.response_rows(engine, filters, versions))

    left, right = st.columns(2)
    download(
        left, t("mgr_exp_csv", lang), as_csv, f"{name}.csv", "text/csv", ":material/download:", "exp.csv"
    )
    download(right, t("mgr_exp_xlsx", lang), as_xlsx, f"{name}.xlsx", XLSX, ":material/download:", "exp.xlsx")


def aggregates(selection: m.Selection) -> None:
    survey = selection.survey
    with m.database_errors():
        dash = dashboard(engine, selection.filters, survey, period=selection.period)
    if dash.too_small or dash.total == 0:
        return
    st.subheader(t("mgr_exp_tables", lang))
    st.caption(t("mgr_rule", lang, k=dash.k))
    tables = exports.dashboard_tables(dash, survey, lang)
    cols = st.columns(3)
    for i, (key, table) in enumerate(tables.items()):
        download(
            cols[i % 3],
            t(f"mgr_table_{key}", lang),
            lambda table=table: exports.table_csv(table, lang),
            f"{survey.id}-{key}.csv",
            "text/csv",
            ":material/table:",
            f"exp.table.{key}",
        )
    st.subheader(t("mgr_exp_charts", lang))
    builders = {
        "heat": lambda: dashboard_charts.heatmap_chart(dash, survey, lang, width=PNG_WIDTH),
        "trend": lambda: dashboard_charts.trend_chart(dash, survey, lang, width=PNG_WIDTH),
        "keep_out": lambda: dashboard_charts.keep_out_chart(dash, lang, width=PNG_WIDTH),
        "means": lambda: dashboard_charts.means_chart(dash, survey, lang, width=PNG_WIDTH),
        "break_even": lambda: dashboard_charts.break_even_chart(dash, lang, width=PNG_WIDTH),
        "funnel": lambda: dashboard_charts.funnel_chart(dash, survey, lang, width=PNG_WIDTH),
    }
    cols = st.columns(3)
    for i, (key, build) in enumerate(builders.items()):
        download(
            cols[i % 3],
            t(f"mgr_table_{key}", lang),
            lambda build=build: chart_png(build()),
            f"{survey.id}-{key}.png",
            "image/png",
            ":material/image:",
            f"exp.png.{key}",
        )


if selection is not None:
    responses(selection)
    aggregates(selection)
