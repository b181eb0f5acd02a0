"""The PDF report: text in the chosen language, the code, numbers per language, fonts, contact."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from trp_core.files.surveys import load_survey
from trp_core.method.levers import assess
from trp_core.method.vocabulary import Axis, Quadrant
from trp_core.presentation import result_charts as charts
from trp_core.presentation.explain import lever_sentence
from trp_core.presentation.labels import partner_meaning, quadrant_label
from trp_core.presentation.render import FONT_DIR, chart_png
from trp_core.presentation.report import pdf_report

ROOT = Path(__file__).resolve().parents[2]
CODE = "7k3m q9tx-2b4f hw8d"  # as typed; the report shows the canonical grouping
GROUPED = "7K3M-Q9TX-2B4F-HW8D"
DAY = date(2025, 3, 7)


@cache
def fixture(name: str):
    data = json.loads((ROOT / "tests" / "answers" / f"{name}.json").read_text())
    survey = load_survey(ROOT / "surveys" / f"{data['survey']}.yaml")
    return assess(survey, data["answers"]), survey


@cache
def report(name: str, lang: str, contact: bool = True) -> bytes:
    assessment, survey = fixture(name)
    if not contact:
        survey = survey.model_copy(update={"contact": None})
    return pdf_report(assessment, survey, lang, CODE, DAY)


def text_of(pdf: bytes) -> str:
    """The PDF's text with line breaks and no-break spaces as plain spaces."""
    raw = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", raw.replace("\u00a0", " "))


@pytest.mark.parametrize(
    ("lang", "numbers"),
    [
        ("de", ["83,4", "33,5", "22,0 %", "2,9"]),  # kann, will, ROI after 12 months, required deals
        ("en", ["83.4", "33.5", "22.0%", "2.9"]),
    ],
)
def test_report_in_both_languages(lang, numbers):
    assessment, survey = fixture("trp-cloud.kandidat")
    pdf = report("trp-cloud.kandidat", lang)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert survey.title(lang) in text
    assert quadrant_label(survey, Quadrant.KANDIDAT, lang) in text
    assert partner_meaning(Quadrant.KANDIDAT, lang) in text
    assert GROUPED in text
    for number in numbers:
        assert number in text
    assert ("7. März 2025" if lang == "de" else "7 March 2025") in text
    # the criteria table with its sums, the levers as sentences, the contact box
    row = next(r for r in charts.criteria_table(assessment, survey, lang) if r["row"] == "sum")
    assert f"{row['weighted_text']} ÷ {row['weight_text']} = {row['score_text']}" in text
    first = assessment.levers.will.steps[0]
    assert lever_sentence(survey, first, Axis.WILL, lang).replace("\u00a0", " ") in text
    assert survey.contact.name in text
    ours, other = ("Ihr Ergebnis", "Your result") if lang == "de" else ("Your result", "Ihr Ergebnis")
    assert ours in text and other not in text


def test_report_shows_german_letters_and_symbols():
    text = text_of(report("trp-cloud.vampir", "de"))
    for word in ("zählt", "Können", "würde", "schließt", "4.000 €", "Σ W·s ÷ Σ W", "–", "„", "“"):
        assert word in text, word


def test_report_names_knockouts_by_question_and_answer():
    assessment, survey = fixture("trp-cloud.vampir")
    (qid,) = assessment.axes[Axis.KANN].knockouts
    text = text_of(report("trp-cloud.vampir", "en"))
    question = " ".join(survey.question_index[qid].text("en").split())
    assert f"“{question}” – the answer “" in text
    assert "rules out Ability (can), whatever the points" in text


def test_report_names_unconfirmed_knockouts():
    assessment, survey = fixture("trp-classic.schatten")
    (qid,) = assessment.axes[Axis.KANN].unconfirmed
    text = text_of(report("trp-classic.schatten", "de"))
    assert f"„{survey.question_index[qid].text('de')}“ – Sie wussten es nicht." in text


def test_report_without_contact():
    _, survey = fixture("trp-cloud.kandidat")
    text = text_of(report("trp-cloud.kandidat", "de", contact=False))
    assert survey.contact.name not in text
    assert "Möchten Sie mit uns sprechen?" not in text
    assert GROUPED in text


@pytest.mark.parametrize("lang", ["de", "en"])
def test_report_undetermined_without_breakeven(lang):
    assessment, survey = fixture("trp-standard.undetermined")
    assert assessment.quadrant is Quadrant.UNDETERMINED and assessment.breakeven is None
    pdf = report("trp-standard.undetermined", lang)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert quadrant_label(survey, Quadrant.UNDETERMINED, lang) in text
    assert ("21,7" if lang == "de" else "21.7") in text
    if lang == "de":
        assert "Ihre Zahlen im Rechner sind noch unvollständig" in text
        assert "Zu Wollen ist noch keine Frage beantwortet" in text
        assert "nicht beantwortet" in text
    else:
        assert "Your figures in the calculator are not complete yet" in text
        assert "not answered" in text


def test_report_keeps_no_time_of_day():
    meta = PdfReader(BytesIO(report("trp-cloud.kandidat", "en"))).metadata
    assert meta["/CreationDate"].startswith("D:20250307000000")


def test_report_embeds_the_bundled_font_and_two_charts():
    pdf = report("trp-cloud.kandidat", "de")
    reader = PdfReader(BytesIO(pdf))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
    }
    assert any("DejaVu" in f for f in fonts)
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == 2


def test_chart_png_renders_with_the_bundled_font():
    assert (FONT_DIR / "DejaVuSans.ttf").is_file() and (FONT_DIR / "LICENSE").is_file()
    assessment, survey = fixture("trp-cloud.kandidat")
    png = chart_png(charts.matrix_chart(assessment, survey, "de", width=360), scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 10_000
