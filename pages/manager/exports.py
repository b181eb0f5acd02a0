"""Exports: the responses of a published selection as CSV and XLSX rows (one survey version, no
tag, language, date or free text in a row; safe against spreadsheet formulas), the dashboard's
tables as CSV and its charts as PNG — never more than the dashboard shows (PRIVACY.md)."""

from collections.abc import Callable

import streamlit as st

from pages.components import auth, session
from pages.components import manage as m
from trp_core.presentation import dashboard_charts, exports
from trp_core.presentation.i18n import t
from trp_core.presentation.render import chart_png
from trp_core.services import export
from trp_core.services.dashboard import published_dashboard

PNG_WIDTH = 720
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

m.begin()
lang = session.lang()
st.title(t("mgr_exports_title", lang))
engine = m.engine()
selection = m.selection(engine, "exports")


def download(
    where: object, label: str, produce: Callable[[], bytes], file_name: str, mime: str, icon: str, key: str
) -> None:
    """One download button: every download of this page goes through here, built on click after the
    session is checked again, and served only to this manager's browser (auth.guarded_download)."""
    where.download_button(  # type: ignore[attr-defined]
        label, auth.guarded_download(produce, mime, file_name), file_name=file_name, mime=mime, icon=icon,
        key=key, on_click="ignore",
    )  # fmt: skip


def responses(selection: m.Selection) -> None:
    st.subheader(t("mgr_exp_responses", lang))
    with m.database_errors():
        pub = export.published_rows(engine, selection.survey.id, selection.versions, selection.view)
    if not m.decision(pub.selected):
        return
    if pub.reason == "version_needed":
        st.info(t("mgr_exp_version_needed", lang))
        return
    if pub.reason == "too_big":
        st.warning(t("mgr_exp_too_big", lang, max=m.count(export.EXPORT_MAX)))
        return
    st.caption(t("mgr_exp_lead", lang))
    st.caption(t("mgr_exp_rows_lead", lang))
    st.caption(t("mgr_exp_safe", lang))
    st.caption(t("mgr_exp_formats", lang))
    name = f"{selection.survey.id}-responses"
    view, versions = selection.view, selection.versions

    def rows() -> export.ResponseTable:
        table = export.published_rows(engine, selection.survey.id, versions, view).table
        assert table is not None  # the same choice as above, on the same data
        return table

    def as_csv() -> bytes:
        with m.database_errors():
            return exports.responses_csv(rows(), versions, lang)

    def as_xlsx() -> bytes:
        with m.database_errors():
            return exports.responses_xlsx(rows())

    left, right = st.columns(2)
    download(
        left, t("mgr_exp_csv", lang), as_csv, f"{name}.csv", "text/csv", ":material/download:", "exp.csv"
    )
    download(right, t("mgr_exp_xlsx", lang), as_xlsx, f"{name}.xlsx", XLSX, ":material/download:", "exp.xlsx")


def aggregates(selection: m.Selection) -> None:
    survey = selection.survey
    with m.database_errors():
        pub = published_dashboard(engine, survey, selection.view, period=selection.period)
    dash = pub.dashboard
    if dash is None or dash.too_small or dash.total == 0:
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
