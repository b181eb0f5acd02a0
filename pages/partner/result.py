"""The result: where the partner stands in the matrix, why, what would move him, and how to keep it."""

from datetime import date

import streamlit as st

from pages.components import kiosk, resources, session
from pages.components import shared as ui
from pages.components.urls import CHECK_PAGE, PROFILE_PAGE, START_PAGE, result_link
from trp_core.method.codes import normalize
from trp_core.method.vocabulary import Axis, Quadrant
from trp_core.presentation import explain, recompute, result_charts
from trp_core.presentation import formatting as fmt
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import axis_label, partner_meaning, quadrant_label

# The one way a result is opened from an address: a reload, a bookmark, a link or the kiosk's QR code.
code_param = None if kiosk.active() else st.query_params.get("code")  # a shared tablet opens no codes
current = session.result()
error = None
if code_param and (current is None or current.code != normalize(code_param)):
    before = session.lang()
    error = ui.open_result(code_param, show_in=st.query_params.get("lang"))
    if error is None and session.lang() != before:
        st.rerun()  # the navigation and the header in the result's language
    current = session.result()

ui.header()
lang = session.lang()
if error:
    st.error(error)
    st.page_link(START_PAGE, label=t("page_start", lang), icon=":material/arrow_back:")
    st.stop()
if current is None and kiosk.active():
    ui.go(START_PAGE)
if current is None:
    st.info(t("no_result", lang))
    st.page_link(START_PAGE, label=t("page_start", lang), icon=":material/arrow_back:")
    st.stop()

wanted = ui.result_params()
if any(st.query_params.get(name) != value for name, value in wanted.items()):
    st.query_params.update(wanted)  # the address now reopens what is shown, in this language

survey = current.survey
assessment = current.assessment
answers = current.answers
code = current.code
quadrant = assessment.quadrant
kann, will = assessment.axes[Axis.KANN], assessment.axes[Axis.WILL]

st.title(t("page_result", lang))

# --- where he stands ---------------------------------------------------------------------
st.subheader(quadrant_label(survey, quadrant, lang))
st.write(partner_meaning(quadrant, lang))
take_home = st.container()  # on a kiosk tablet the QR code comes first: the visitor may not scroll
for axis, result in ((Axis.KANN, kann), (Axis.WILL, will)):
    if result.borderline:
        st.info(t("result_borderline", lang, axis=axis_label(axis, lang)), icon=":material/compare_arrows:")

specs = session.charts(current).specs  # built once per result and language


def spec(name: str, build) -> dict:
    if (name, lang) not in specs:
        specs[name, lang] = build()
    return specs[name, lang]


ui.chart(
    spec(
        "matrix",
        lambda: result_charts.matrix_chart(
            assessment, survey, lang, accent=resources.settings().accent_color
        ),
    )
)
with st.expander(t("chart_text", lang)):
    st.write(result_charts.matrix_text(assessment, survey, lang))


for axis, result in ((Axis.KANN, kann), (Axis.WILL, will)):
    st.markdown(
        "**"
        + t(
            "axis_line"
            if result.determined
            else "axis_line_provisional"
            if result.coverage
            else "axis_line_open",
            lang,
            axis=axis_label(axis, lang),
            score=fmt.score(result.score, lang),
            threshold=fmt.number(result.threshold, lang),
            verdict=explain.verdict(result, lang),
        )
        + "**  \n"
        + t(
            "coverage_line",
            lang,
            coverage=fmt.percent(result.coverage, lang),
            minimum=fmt.percent(survey.min_coverage, lang),
        )
    )

# --- undetermined: what is missing, and the way back to it ----------------------------------
missing = recompute.open_questions(assessment, survey, answers)
if quadrant is Quadrant.UNDETERMINED:
    with st.container(border=True):
        st.markdown(f"**{t('undetermined_title', lang)}**")
        # The answers are still in this session only if they are the ones this result was made from.
        if session.survey_id() == survey.id and session.answers() == answers and missing:
            first = next(iter(missing.values()))[0]
            if st.button(t("undetermined_back", lang), type="primary", icon=":material/edit:", key="to_open"):
                # The step of the first open question, with its open questions pointed out.
                to = next(
                    i for i, s in enumerate(survey.ordered_sections) if first in {q.id for q in s.questions}
                )
                st.session_state[session.STEP] = st.session_state[session.WARNED] = to
                ui.go(CHECK_PAGE)
            st.caption(t("undetermined_back_hint", lang))
        elif not kiosk.active():
            st.caption(t("undetermined_restart", lang))
        for axis, ids in missing.items():
            st.markdown(
                t(
                    "undetermined_axis",
                    lang,
                    axis=axis_label(axis, lang),
                    have=fmt.percent(assessment.axes[axis].coverage, lang),
                    need=fmt.percent(survey.min_coverage, lang),
                )
            )
            st.markdown("\n".join(f"- {survey.question_index[q].text(lang)}" for q in ids))

# --- why -----------------------------------------------------------------------------------
st.subheader(t("why_title", lang))
st.caption(t("why_intro", lang))
ui.chart(spec("criteria", lambda: result_charts.criteria_chart(assessment, survey, lang)))
with st.expander(t("chart_text", lang)):
    st.write(result_charts.criteria_text(assessment, survey, lang))
for table in result_charts.criteria_tables(assessment, survey, lang).values():
    st.table(table.rows)
    st.markdown(table.sum_line)

# Every number by hand: each answer's points and rule, each criterion's mean, the thresholds.
with st.expander(t("recompute_points", lang), icon=":material/calculate:"):
    st.caption(t("recompute_points_intro", lang))
    for working in recompute.criteria_working(assessment, survey, answers, lang):
        st.markdown(f"**{working.label}**")
        st.markdown(recompute.question_list(working, lang))
        st.markdown(working.mean)
with st.expander(t("recompute_rules", lang), icon=":material/rule:"):
    st.markdown("\n".join(f"- {line}" for line in recompute.threshold_lines(assessment, survey, lang)))

knockouts = explain.knockout_lines(assessment, survey, answers, lang)
if knockouts:
    st.subheader(t("knockouts_title", lang))
    for line in knockouts:
        st.markdown(f"- {line}")

# --- what would move him -------------------------------------------------------------------
st.subheader(t("levers_title", lang))
levers = explain.lever_lines(assessment, survey, lang)
if not levers:
    st.write(t("levers_none", lang))
for axis, lines in levers.items():
    st.write(t("levers_intro", lang, axis=axis_label(axis, lang)))
    st.markdown("\n".join(f"1. {line}" for line in lines[:-1]))
    st.caption(lines[-1])
deals_line = explain.required_deals_line(assessment, survey, lang)
if deals_line:
    st.markdown(f"**{deals_line}**")

# --- his business case ---------------------------------------------------------------------
if assessment.breakeven is not None:
    st.subheader(t("breakeven_title", lang))
    b = assessment.breakeven
    target = survey.calculator.target_months
    ui.chart(
        spec(
            "breakeven", lambda: result_charts.breakeven_chart(b.cumulative, lang, target, b.break_even_month)
        )
    )
    with st.expander(t("chart_text", lang)):
        st.write(result_charts.breakeven_text(b.cumulative, lang, target, b.break_even_month))
    for line in explain.breakeven_lines(assessment, survey, lang):
        st.markdown(f"- {line}")
    with st.expander(t("recompute_calc", lang), icon=":material/table_chart:"):
        st.markdown(f"**{t('calc_inputs_title', lang)}**")
        st.table(recompute.inputs_table(survey, answers, lang))
        st.markdown(f"**{t('monthly_title', lang)}**")
        st.caption(recompute.monthly_note(survey, answers, lang))
        st.table(recompute.monthly_rows(survey, answers, lang))
        st.markdown(recompute.breakeven_line(assessment, survey, lang))

# --- keep it -------------------------------------------------------------------------------
st.subheader(t("keep_title", lang))
with st.container(border=True):
    st.markdown(f"{t('code_line', lang)} **`{code}`**")
    st.caption(t("code_hint", lang))
    if not kiosk.active():
        link = result_link(resources.settings().public_url, code, lang)
        st.markdown(t("link_line", lang))
        st.code(link, language=None, wrap_lines=True)
        ui.link_controls(
            link,
            subject=t("link_mail_subject", lang),
            body=t("link_mail_body", lang, survey=survey.title(lang), link=link, code=code),
        )
        st.caption(t("link_hint", lang))


if kiosk.active():
    # A file downloaded on a shared tablet would stay there for the next visitor: the QR code
    # carries the result to the visitor's own phone instead, in the visitor's language.
    link = result_link(resources.settings().public_url, code, lang)
    with take_home.container(border=True):
        qr, text = st.columns([1, 2], vertical_alignment="center")
        qr.image(kiosk.qr_png(link), caption=t("kiosk_qr_alt", lang), width=200)
        text.markdown(f"**{t('kiosk_qr', lang)}**")
        text.code(link, language=None, wrap_lines=True)
        kiosk.done_button()
else:

    def pdf() -> bytes:
        from trp_core.presentation.report import pdf_report

        return pdf_report(assessment, survey, lang, code, date.today(), answers)

    st.download_button(
        t("pdf_button", lang),
        data=pdf,
        file_name=f"trp-{code}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
    )

if survey.contact:
    contact = survey.contact
    with st.container(border=True):
        st.markdown(f"**{t('contact_title', lang)}**")
        st.write(contact.name)
        if contact.note:
            st.write(contact.note(lang))
        if kiosk.active():
            # On a shared tablet a tap on a link would open a mail program or a browser tab that the
            # next visitor finds: the contact as plain text; the QR code carries the links away.
            plain = [x for x in (contact.email, contact.phone, contact.url) if x]
            if plain:
                st.text(" · ".join(plain))
        else:
            parts = []
            if contact.email:
                parts.append(f":material/mail: [{contact.email}](mailto:{contact.email}?subject={code})")
            if contact.phone:
                parts.append(f":material/call: {contact.phone}")
            if contact.url:
                parts.append(f":material/link: [{contact.url}]({contact.url})")
            if parts:
                st.markdown(" · ".join(parts))
        st.caption(t("contact_hint", lang, code=code))

st.page_link(
    PROFILE_PAGE,
    label=t("profile_link", lang),
    icon=":material/explore:",
    query_params={"survey": survey.id},
)
if not kiosk.active() and st.button(t("new_check", lang)):
    session.start_new(survey.id)
    ui.go(START_PAGE)
