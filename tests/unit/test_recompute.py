"""The working of a result in words (presentation/recompute.py), in the PDF and on the profile page."""

from __future__ import annotations

import io
import json
import random
from datetime import date

import pytest
from pypdf import PdfReader

from tests.conftest import BUNDLED, ROOT
from trp_core.files.surveys import load_survey
from trp_core.method.levers import assess
from trp_core.method.survey import NumberQuestion
from trp_core.method.synthetic import random_answers
from trp_core.presentation import recompute
from trp_core.presentation.i18n import t
from trp_core.presentation.report import pdf_report

SURVEY = ROOT / "surveys" / "trp-standard.yaml"


def test_a_number_answer_shows_its_band_and_interpolation():
    survey = load_survey(SURVEY)
    q = next(q for q in survey.scored_questions if isinstance(q, NumberQuestion) and len(q.bands) > 2)
    (x0, p0), (x1, p1) = q.bands[1], q.bands[2]
    x = x0 + (x1 - x0) / 4
    points = q.points(x)
    rule = recompute.answer_rule(survey, q, x, points, False, "de")
    assert f"zwischen {recompute.num(x0, 'de')} ({recompute.num(p0, 'de')} Punkte)" in rule
    assert f"und {recompute.num(x1, 'de')} ({recompute.num(p1, 'de')} Punkte)" in rule
    assert rule.endswith(f"= {recompute.num(points, 'de')}")


def test_the_brief_example_reads_as_written():
    rule = recompute.band_rule([(100, 80), (500, 100)], 140, "140 Kunden", 82.0, "de")
    assert rule == "140 Kunden: zwischen 100 (80 Punkte) und 500 (100 Punkte) → 80 + 40/400 × 20 = 82"
    assert recompute.band_rule([(0, 100), (10, 60)], 5, "5", 80.0, "en").endswith("100 + 5/10 × (-40) = 80")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_pdf_lists_the_points_the_inputs_and_the_monthly_table(lang):
    survey = load_survey(SURVEY)
    answers = json.loads((ROOT / "tests/answers/trp-standard.kandidat.json").read_text())["answers"]
    assessment = assess(survey, answers)
    pdf = pdf_report(assessment, survey, lang, "ABCD-EFGH", date(2026, 1, 1), answers)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert t("report_working_title", lang) in flat
    for working in recompute.criteria_working(assessment, survey, answers, lang):
        assert " ".join(working.mean.split()) in flat
    for row in recompute.inputs_table(survey, answers, lang):
        for value in row.values():
            assert " ".join(value.split()) in flat, value
    assert t("source_own", lang) in flat and t("source_default", lang) in flat
    assert t("col_cumulative", lang) in flat
    months = recompute.monthly_rows(survey, answers, lang)
    assert len(months) == survey.calculator.horizon_months + 1
    for row in months[1:]:
        assert " ".join(row[t("col_cumulative", lang) + " (€)"].split()) in flat
    assert recompute.breakeven_line(assessment, survey, lang) in flat


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_the_working_uses_the_kernels_numbers(path):
    survey = load_survey(path)
    for seed in range(5):
        answers = random_answers(survey, random.Random(seed), dont_know_rate=0.2)
        assessment = assess(survey, answers)
        for working in recompute.criteria_working(assessment, survey, answers, "en"):
            assert working.score == assessment.criteria[working.criterion].score
            pairs = [(q.weight, q.points) for q in working.questions if q.points is not None]
            if working.score is not None and pairs:
                mean = sum(w * p for w, p in pairs) / sum(w for w, _ in pairs)
                assert mean == pytest.approx(working.score)


def test_an_undetermined_pdf_calls_its_score_provisional():
    survey = load_survey(SURVEY)
    answers = json.loads((ROOT / "tests/answers/trp-standard.undetermined.json").read_text())["answers"]
    pdf = pdf_report(assess(survey, answers), survey, "de", "ABCD-EFGH", date(2026, 1, 1), answers)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Können: noch nicht bestimmt – vorläufig" in text
