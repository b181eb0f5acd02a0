"""The partner's result as a PDF (fpdf2), in German or English, to take away.

The PDF holds the survey title, the date, the result code, the field of the matrix and what it
means, the matrix and break-even charts as images (rendered with vl-convert), the criteria table
with W × s and the axis sums, knock-outs, the levers as sentences, the break-even figures and the
vendor's contact. Text and chart images use DejaVu Sans, shipped in trp_core/presentation/fonts/ with its
licence, so the PDF shows ä ö ü ß € – on any machine, without system fonts or network.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from io import BytesIO
from typing import Any, Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from trp_core.method.codes import normalize
from trp_core.method.scoring import Assessment
from trp_core.method.survey import ChoiceQuestion, NumberQuestion, Survey, YesNoQuestion
from trp_core.method.vocabulary import Axis
from trp_core.presentation import formatting as fmt
from trp_core.presentation import recompute
from trp_core.presentation import result_charts as charts
from trp_core.presentation.explain import answer_text, lever_lines, verdict
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import axis_label, partner_meaning, quadrant_label
from trp_core.presentation.render import FONT_DIR, chart_png

_PDF_FONT: Final = "DejaVu"

INK: Final = (34, 34, 34)
MUTED: Final = (90, 90, 90)
ACCENT: Final = (0, 90, 140)  # a darker Okabe–Ito blue, readable as text
SHADE: Final = (238, 240, 243)
MARGIN: Final = 18.0  # mm
LINE: Final = 5.2  # mm per line of 10 pt text

# --- chart images -------------------------------------------------------------------------------


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    return struct.unpack(">II", png[16:24])


# --- answers in words ---------------------------------------------------------------------------


def _knockout_answer(survey: Survey, assessment: Assessment, qid: str, lang: str) -> str | None:
    """The knock-out answer given to a question: from the levers (which start by changing it) or,
    where the question has only one knock-out answer, from the survey; None if it cannot be told."""
    levers = assessment.levers
    if levers is not None:
        for axis_levers in (levers.kann, levers.will):
            for step in axis_levers.steps:
                if step.question == qid and step.removes_knockout:
                    return answer_text(survey, qid, step.before, lang)
    q = survey.question_index.get(qid)
    if isinstance(q, ChoiceQuestion):
        knocking = [o for o in q.options if o.knockout]
        return knocking[0].label(lang) if len(knocking) == 1 else None
    if isinstance(q, YesNoQuestion):
        if q.yes.knockout != q.no.knockout:
            return t("yes" if q.yes.knockout else "no", lang)
        return None
    if isinstance(q, NumberQuestion) and q.knockout_below is not None:
        unit = f" {q.unit(lang)}" if q.unit else ""
        return t("report_below", lang, x=fmt.number(q.knockout_below, lang, 2, trim=True) + unit)
    return None


# --- the document -------------------------------------------------------------------------------


class _Report(FPDF):
    """A4 with the bundled fonts and a footer naming the survey and the page."""

    def __init__(self, lang: str, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.lang = lang
        self.footer_text = footer_text
        self.add_font(_PDF_FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(_PDF_FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN, 16, MARGIN)
        self.set_auto_page_break(True, margin=18)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_PDF_FONT, "", 8)
        self.set_text_color(*MUTED)
        page = t("report_page", self.lang, n=self.page_no(), total="{nb}")
        self.cell(0, 4, f"{self.footer_text} · {page}", align="C")
        self.set_text_color(*INK)

    # small helpers, all starting at the left margin and ending on the next line
    def heading(self, text: str, size: float = 13, space: float = 4, keep: float = 18) -> None:
        """A section heading; a new page first unless `keep` mm of what follows fit below it."""
        if self.will_page_break(space + 8 + keep):
            self.add_page()
            space = 0
        self.ln(space)
        self.set_font(_PDF_FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def para(self, text: str, size: float = 10, bold: bool = False, colour: Sequence[int] = INK) -> None:
        self.set_font(_PDF_FONT, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.52, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def bullet(self, text: str, size: float = 10) -> None:
        self.set_font(_PDF_FONT, "", size)
        self.cell(5, size * 0.52, "•")
        self.multi_cell(0, size * 0.52, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def note(self, text: str) -> None:
        """A small grey remark under the bullet before it, indented like the bullet's text."""
        self.set_font(_PDF_FONT, "", 9)
        self.set_text_color(*MUTED)
        self.set_x(self.l_margin + 5)
        self.multi_cell(0, 4.6, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(1)

    def picture(self, png: bytes, width_mm: float, alt_text: str, caption: str | None = None) -> None:
        """An image centred on the page, kept whole on one page, with an optional caption below."""
        w_px, h_px = _png_size(png)
        height = width_mm * h_px / w_px
        if self.will_page_break(height + 2):
            self.add_page()
        self.image(BytesIO(png), x=(self.w - width_mm) / 2, w=width_mm, h=height, alt_text=alt_text)
        if caption:
            self.ln(1)
            self.para(caption, size=8.5, colour=MUTED)


def _header(pdf: _Report, survey: Survey, lang: str, code: str, generated_on: date) -> None:
    pdf.set_font(_PDF_FONT, "B", 18)
    pdf.multi_cell(0, 8, survey.title(lang), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(f"{t('report_report', lang)} · {fmt.day(generated_on, lang)}", size=10, colour=MUTED)
    pdf.ln(3)
    top = pdf.get_y()
    pdf.set_fill_color(*SHADE)
    pdf.rect(MARGIN, top, pdf.w - 2 * MARGIN, 21, style="F")
    pdf.set_xy(MARGIN + 4, top + 2.5)
    pdf.set_font(_PDF_FONT, "", 9)
    pdf.cell(0, 4.5, t("report_code", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(MARGIN + 4)
    pdf.set_font(_PDF_FONT, "B", 16)
    pdf.set_char_spacing(1)
    pdf.cell(0, 8, code, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_char_spacing(0)
    pdf.set_x(MARGIN + 4)
    pdf.set_font(_PDF_FONT, "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 4, t("report_code_hint", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(255, 255, 255)  # fpdf2 tables fill styled cells with the current colour
    pdf.set_y(top + 21)


def _result(pdf: _Report, assessment: Assessment, survey: Survey, lang: str) -> None:
    pdf.heading(t("page_result", lang), space=6)
    pdf.set_text_color(*ACCENT)
    pdf.para(quadrant_label(survey, assessment.quadrant, lang), size=15, bold=True, colour=ACCENT)
    pdf.ln(1)
    pdf.para(partner_meaning(assessment.quadrant, lang))
    pdf.ln(2)
    for axis in Axis:
        result = assessment.axes[axis]
        threshold = fmt.number(result.threshold, lang, 1, trim=True)
        if not result.coverage:
            key = "report_axis_line_none"
        else:  # too few answers: the score is provisional, no result
            key = "axis_line" if result.determined else "axis_line_provisional"
        line = t(
            key,
            lang,
            axis=axis_label(axis, lang),
            score=fmt.score(result.score, lang),
            threshold=threshold,
            verdict=verdict(result, lang),
        )
        pdf.bullet(line)
        if not result.determined:
            have, need = fmt.percent(result.coverage, lang), fmt.percent(survey.min_coverage, lang)
            pdf.note(t("report_coverage", lang, have=have, need=need, axis=axis_label(axis, lang)))
        if result.borderline:
            band = fmt.number(survey.borderline, lang, 1, trim=True)
            pdf.note(t("report_borderline", lang, axis=axis_label(axis, lang), band=band))


def _matrix(pdf: _Report, assessment: Assessment, survey: Survey, lang: str) -> None:
    pdf.heading(t("result_where", lang), keep=100)
    chart = charts.matrix_chart(assessment, survey, lang, width=360, height=330)
    text = charts.matrix_text(assessment, survey, lang)
    pdf.picture(chart_png(chart), 105, alt_text=text, caption=text)


def _criteria(pdf: _Report, assessment: Assessment, survey: Survey, lang: str) -> None:
    pdf.heading(t("why_title", lang), keep=110)  # the table, whole, if it fits on a page
    pdf.para(t("report_why_intro", lang), size=9, colour=MUTED)
    pdf.ln(2)
    rows = charts.criteria_table(assessment, survey, lang)
    head = FontFace(emphasis="BOLD", fill_color=SHADE)
    pdf.set_font(_PDF_FONT, "", 9.5)
    with pdf.table(
        col_widths=(86, 26, 28, 34),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=5.2,
        borders_layout="HORIZONTAL_LINES",
        headings_style=head,
        padding=(1, 1.5),
    ) as table:
        header = table.row()
        for key in ("col_criterion", "col_weight", "col_score", "col_product"):
            header.cell(t(key, lang))
        for axis in Axis:
            group = [r for r in rows if r["axis"] == axis.value]
            total = group[-1]
            table.row().cell(
                total["axis_label"], colspan=4, style=FontFace(emphasis="BOLD", fill_color=SHADE)
            )
            for r in group[:-1]:
                row = table.row()
                row.cell(r["label"])
                row.cell(r["weight_text"])
                if r["counted"]:
                    row.cell(r["score_text"])
                    row.cell(r["weighted_text"])
                else:  # never a 0: the criterion does not count at all
                    row.cell(t("not_answered", lang), colspan=2)
            row = table.row(style=FontFace(emphasis="BOLD"))
            row.cell(t("report_sum_row", lang))
            row.cell(total["weight_text"])
            row.cell("")
            row.cell(total["weighted_text"])
            if total["score"] is None:
                line = t("report_axis_score_none", lang, axis=total["axis_label"])
            else:
                line = t(
                    "report_axis_score",
                    lang,
                    axis=total["axis_label"],
                    num=total["weighted_text"],
                    den=total["weight_text"],
                    score=total["score_text"],
                    threshold=fmt.number(total["threshold"], lang, 1, trim=True),
                )
            table.row().cell(line, colspan=4, align="RIGHT", style=FontFace(emphasis="BOLD", color=ACCENT))


def _knockouts(pdf: _Report, assessment: Assessment, survey: Survey, lang: str) -> None:
    lines = []
    for axis in Axis:
        result = assessment.axes[axis]
        for qid in result.knockouts:
            question = survey.question_index[qid].text(lang)
            answer = _knockout_answer(survey, assessment, qid, lang)
            key, extra = ("report_knockout", {"answer": answer}) if answer else ("report_knockout_plain", {})
            lines.append(t(key, lang, question=question, axis=axis_label(axis, lang), **extra))
        for qid in result.unconfirmed:
            question = survey.question_index[qid].text(lang)
            lines.append(t("report_unconfirmed", lang, question=question, axis=axis_label(axis, lang)))
    if lines:
        pdf.heading(t("knockouts_title", lang))
        for line in lines:
            pdf.bullet(line)


def _levers(pdf: _Report, assessment: Assessment, survey: Survey, lang: str) -> None:
    levers = assessment.levers
    if levers is None:
        return
    pdf.heading(t("levers_title", lang))
    per_axis = {Axis.KANN: levers.kann, Axis.WILL: levers.will}
    if all(lv.passed for lv in per_axis.values()):
        pdf.para(t("levers_none", lang))
        return
    lines = lever_lines(assessment, survey, lang, form="sentence")
    for axis, axis_levers in per_axis.items():
        if axis_levers.passed:
            continue
        pdf.para(t("report_levers_axis", lang, axis=axis_label(axis, lang)), bold=True)
        pdf.ln(1)
        if axis not in lines:
            pdf.para(t("report_levers_none_found", lang))
        else:
            *changes, outcome = lines[axis]
            for line in changes:
                pdf.bullet(line)
            pdf.para(outcome, size=9.5)
        pdf.ln(2)


def _breakeven(pdf: _Report, assessment: Assessment, survey: Survey, lang: str) -> None:
    if survey.calculator is None:
        return
    pdf.heading(t("breakeven_title", lang), keep=110 if assessment.breakeven else 18)
    be = assessment.breakeven
    if be is None:
        pdf.para(t("report_no_breakeven", lang))
        return
    target = survey.calculator.target_months
    horizon = len(be.cumulative) - 1
    if be.break_even_month is None:
        month = t("report_be_never", lang, n=horizon)
    else:
        month = t("report_be_in_month", lang, month=be.break_even_month)
    required = (
        t("report_required_none", lang)
        if be.required_deals_per_month is None
        else fmt.number(be.required_deals_per_month, lang, 1)
    )
    figures = [
        (t("report_be_month", lang, target=target), month),
        (t("report_roi", lang), fmt.percent(be.roi_12, lang, 1)),
        (t("report_required", lang, target=target), required),
    ]
    pdf.set_font(_PDF_FONT, "", 9.5)
    with pdf.table(
        col_widths=(108, 66),
        text_align=("LEFT", "RIGHT"),
        line_height=5.4,
        borders_layout="HORIZONTAL_LINES",
        first_row_as_headings=False,
        padding=(1, 1.5),
    ) as table:
        for label, value in figures:
            row = table.row()
            row.cell(label)
            row.cell(value, style=FontFace(emphasis="BOLD"))
    pdf.ln(3)
    chart = charts.breakeven_chart(be.cumulative, lang, target, be.break_even_month, width=480, height=250)
    text = charts.breakeven_text(be.cumulative, lang, target, be.break_even_month)
    pdf.picture(chart_png(chart), 150, alt_text=text, caption=text)


def _table(pdf: _Report, rows: list[dict[str, str]], widths: Sequence[float], align: Sequence[str]) -> None:
    """A table of rows keyed by their column titles, the titles as its head."""
    if not rows:
        return
    head = FontFace(emphasis="BOLD", fill_color=SHADE)
    pdf.set_font(_PDF_FONT, "", 8)
    with pdf.table(
        col_widths=tuple(widths),
        text_align=tuple(align),
        line_height=4.2,
        borders_layout="HORIZONTAL_LINES",
        headings_style=head,
        padding=(0.8, 1.2),
    ) as table:
        header = table.row()
        for title in rows[0]:
            header.cell(title)
        for r in rows:
            row = table.row()
            for value in r.values():
                row.cell(value)
    pdf.ln(1.5)


def _working(pdf: _Report, assessment: Assessment, survey: Survey, answers: dict, lang: str) -> None:
    """Every answer with its points and rule, each criterion's mean, the thresholds."""
    pdf.heading(t("report_working_title", lang), keep=60)
    pdf.para(t("recompute_points_intro", lang), size=9, colour=MUTED)
    pdf.ln(1)
    for working in recompute.criteria_working(assessment, survey, answers, lang):
        pdf.para(working.label, size=9.5, bold=True)
        _table(
            pdf,
            recompute.question_table(working, lang),
            (48, 30, 18, 16, 62),
            ("LEFT", "LEFT", "RIGHT", "RIGHT", "LEFT"),
        )
        pdf.para(working.mean, size=9)
        pdf.ln(1.5)
    for line in recompute.threshold_lines(assessment, survey, lang):
        pdf.bullet(line, size=9)


def _calculation(pdf: _Report, assessment: Assessment, survey: Survey, answers: dict, lang: str) -> None:
    """The calculator's inputs (own or default) and the month-by-month cash flow."""
    inputs = recompute.inputs_table(survey, answers, lang)
    if not inputs:
        return
    pdf.heading(t("calc_inputs_title", lang), keep=60)
    _table(pdf, inputs, (90, 40, 44), ("LEFT", "RIGHT", "LEFT"))
    months = recompute.monthly_rows(survey, answers, lang)
    pdf.heading(t("monthly_title", lang), keep=60)
    pdf.para(recompute.monthly_note(survey, answers, lang), size=8.5, colour=MUTED)
    pdf.ln(1)
    n = len(months[0])
    widths = (16, 24, 24, 36, 34, 40) if n == 6 else (16, 30, 42, 40, 46)
    _table(pdf, months, widths, ("RIGHT",) * n)
    pdf.para(recompute.breakeven_line(assessment, survey, lang), size=9.5, bold=True)


def _contact(pdf: _Report, survey: Survey, lang: str, code: str) -> None:
    contact = survey.contact
    if contact is None:
        return
    lines = [contact.name, *(v for v in (contact.email, contact.phone, contact.url) if v)]
    note = contact.note(lang) if contact.note else None
    # Measure the box before drawing it, so it never breaks across pages.
    pdf.set_font(_PDF_FONT, "", 10)
    inner = pdf.w - 2 * MARGIN - 8
    texts = [*lines, *([note] if note else []), t("contact_hint", lang, code=code)]
    height = (
        9
        + sum(len(pdf.multi_cell(inner, LINE, text, dry_run=True, output="LINES")) * LINE for text in texts)
        + 4
    )
    pdf.heading(t("contact_title", lang))
    if pdf.will_page_break(height):
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.5)
    pdf.rect(MARGIN, top, pdf.w - 2 * MARGIN, height - 4)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(MARGIN + 4, top + 3)
    for i, text in enumerate(texts):
        bold = i == 0
        pdf.set_font(_PDF_FONT, "B" if bold else "", 10)
        pdf.set_x(MARGIN + 4)
        pdf.multi_cell(inner, LINE, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if text is note or i == len(lines) - 1:
            pdf.ln(1.5)
    pdf.set_y(top + height)


def pdf_report(
    assessment: Assessment,
    survey: Survey,
    lang: str,
    code: str,
    generated_on: date,
    answers: dict[str, Any] | None = None,
) -> bytes:
    """The partner's result as a PDF in `lang` ("de" or "en"); `code` is shown grouped for reading.
    With the `answers`, it also lists every answer's points and the calculator's month-by-month table.

    The PDF's creation date is `generated_on` at midnight UTC: like the store, it keeps no time of day.
    """
    lang = "de" if lang == "de" else "en"
    code = normalize(code) or code
    footer = f"{survey.title(lang)} · {survey.id} {survey.version}"
    pdf = _Report(lang, footer)
    pdf.set_title(f"{survey.title(lang)} – {t('report_report', lang)}")
    pdf.set_lang(lang)
    pdf.set_creator("TRP Self-Check")
    pdf.set_creation_date(datetime.combine(generated_on, time(0, 0), tzinfo=UTC))
    pdf.add_page()
    _header(pdf, survey, lang, code, generated_on)
    _result(pdf, assessment, survey, lang)
    _matrix(pdf, assessment, survey, lang)
    _criteria(pdf, assessment, survey, lang)
    _knockouts(pdf, assessment, survey, lang)
    _levers(pdf, assessment, survey, lang)
    _breakeven(pdf, assessment, survey, lang)
    if answers is not None:
        _working(pdf, assessment, survey, answers, lang)
        _calculation(pdf, assessment, survey, answers, lang)
    _contact(pdf, survey, lang, code)
    return bytes(pdf.output())
