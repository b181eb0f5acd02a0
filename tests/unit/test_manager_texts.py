"""What the manager pages show, shaped in presentation: calibration tables, counts, free text, the file note."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from trp_core.files.surveys import load_survey
from trp_core.method.vocabulary import Quadrant
from trp_core.presentation import dashboard_charts as dc
from trp_core.presentation.exports import calibrated_survey_note
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import quadrant_labels
from trp_core.services.calibrate import CalibrationCounts, protect_calibration, recalibrated

ROOT = Path(__file__).resolve().parents[2]
SURVEY = load_survey(ROOT / "surveys" / "trp-standard.yaml")
HELD, KANDIDAT = Quadrant.HELD, Quadrant.KANDIDAT


def counts(moves: dict[tuple[Quadrant, Quadrant], int]) -> CalibrationCounts:
    return CalibrationCounts({(a, b): moves.get((a, b), 0) for a in Quadrant for b in Quadrant})


def test_calibration_rows_show_before_after_and_a_signed_change():
    cal = protect_calibration(counts({(HELD, HELD): 40, (KANDIDAT, HELD): 20, (KANDIDAT, KANDIDAT): 30}), k=5)
    names = quadrant_labels(SURVEY, "en", "internal")
    rows = {r[t("mgr_col_quadrant", "en")]: r for r in dc.calibration_rows(cal, SURVEY, "en")}
    assert list(rows) == [names[q] for q in Quadrant]
    change = t("mgr_cal_change", "en")
    assert rows[names[HELD]][t("mgr_cal_before", "en")] == "40"
    assert rows[names[HELD]][t("mgr_cal_after", "en")] == "60"
    assert rows[names[HELD]][change] == "+20"
    assert rows[names[KANDIDAT]][change] == "-20"
    moves = dc.calibration_moves(cal, SURVEY, "en")
    assert [r["→"] for r in moves] == [names[q] for q in Quadrant]
    assert moves[list(Quadrant).index(KANDIDAT)][names[HELD]] == "20"


def test_a_hidden_change_is_shown_as_hidden():
    cal = protect_calibration(counts({(HELD, HELD): 40, (KANDIDAT, HELD): 2}), k=5)
    rows = dc.calibration_rows(cal, SURVEY, "de")
    assert dc.HIDDEN in {r[t("mgr_cal_change", "de")] for r in rows}


def test_group_count_below_k_says_only_that():
    assert dc.group_count_text(3, 5, "en") == "< 5"
    assert dc.group_count_text(0, 5, "en") == "0"
    assert dc.group_count_text(1234, 5, "de") == "1.234"


def test_free_text_block_keeps_one_answer_a_line():
    assert dc.free_text_block(["a\nb  c", " d "]) == "a b c\nd"


def test_the_note_of_a_calibrated_file_and_when_there_is_one():
    revised = SURVEY.revised(version="9.1", thresholds={"kann": 55.0, "will": 50.0})
    assert calibrated_survey_note(SURVEY, revised, date(2025, 3, 4)) == (
        f"trp-standard version 9.1: calibrated from version {SURVEY.version} on 2025-03-04.\n"
        "Review before publishing; it replaces the file in surveys/."
    )
    assert recalibrated(SURVEY, revised)
    assert not recalibrated(SURVEY, SURVEY.revised(version="9.1"))
