"""Calibration's protection against differencing of what-if runs (PRIVACY.md, rule 7): the runs one
setting away are computed exactly as the core scores them, and a run's counts are always protectable."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from trp_core.files.surveys import load_survey
from trp_core.method.scoring import AXES, CRITERIA, axis_weights, encode, score_matrix
from trp_core.method.synthetic import random_answers
from trp_core.method.vocabulary import Axis, Quadrant
from trp_core.services.calibrate import (
    WEIGHTS,
    CalibrationCounts,
    one_step_away,
    protect_calibration,
    tells_apart_few,
)

SURVEY = load_survey(Path(__file__).parents[2] / "surveys" / "trp-standard.yaml")


def test_every_run_one_setting_away_is_scored_as_the_core_scores_it():
    rng = random.Random(11)
    matrix = encode(SURVEY, [random_answers(SURVEY, rng, answer_rate=0.8) for _ in range(300)])
    after = SURVEY.revised(thresholds={"kann": SURVEY.thresholds.kann + 4, "will": SURVEY.thresholds.will})
    grids = {Axis.KANN: [40.0, 55.0, after.thresholds.kann, 70.0], Axis.WILL: [45.0, after.thresholds.will]}
    full = {c: sorted({*WEIGHTS, SURVEY.weights[c]}) for c in CRITERIA if SURVEY.weights[c] > 0}
    blocks = one_step_away(after, matrix, grids, full)
    w = axis_weights(after)
    # the threshold lines first (3 other kann points, 1 other will point), then every weight line
    expected = [
        (Axis.KANN, [40.0, 55.0, 70.0]),
        (Axis.WILL, [45.0]),
    ]
    for block, (axis, values) in zip(blocks, expected, strict=False):
        for row, value in zip(block, values, strict=True):
            other = {"kann": after.thresholds.kann, "will": after.thresholds.will, axis.value: value}
            assert np.array_equal(row, score_matrix(after.revised(thresholds=other), matrix).quadrant)
    lines = [(a, i) for a in range(len(AXES)) for i in w.weighted[a]]
    assert len(blocks) == 2 + len(lines)
    for block, (_, i) in zip(blocks[2:], lines, strict=True):
        criterion = CRITERIA[i]
        values = sorted({*WEIGHTS, axis_weights(SURVEY).weights[i]} - {w.weights[i]})
        for j in (0, 1, len(values) // 2, len(values) - 1):
            v = values[j]
            revised = after.revised(
                weights={c.value: (v if c is criterion else x) for c, x in after.weights.items()}
            )
            assert np.array_equal(block[j], score_matrix(revised, matrix).quadrant), (criterion, v)


def test_a_run_is_refused_when_another_one_setting_away_differs_by_fewer_than_k():
    run = np.array([0, 0, 1, 1, 2, 2])
    counts = np.array([3, 3, 3, 3, 3, 3])
    assert not tells_apart_few(run, [np.array([[0, 0, 1, 1, 2, 2], [1, 1, 1, 1, 2, 2]])], counts, 5)  # 0, 6
    assert tells_apart_few(run, [np.array([[0, 1, 1, 1, 2, 2]])], counts, 5)  # 3 responses
    assert tells_apart_few(run, [np.array([[0, 0, 1, 1, 2, 2]]), np.array([[0, 0, 1, 1, 2, 3]])], counts, 5)


def test_counts_that_the_move_table_cannot_protect_still_show_the_quadrants():
    """A run the suppression of the full move table gives up on (found by the weight sweep)."""
    q = list(Quadrant)
    moves = dict.fromkeys(((a, b) for a in q for b in q), 0)
    held, kandidat, vampir, schatten, undetermined = q
    moves |= {
        (held, held): 15, (kandidat, kandidat): 47, (kandidat, schatten): 1, (vampir, held): 2,
        (vampir, vampir): 11, (schatten, kandidat): 9, (schatten, schatten): 34, (schatten, undetermined): 1,
    }  # fmt: skip
    cal = protect_calibration(CalibrationCounts(moves), 5)
    assert cal.total == sum(moves.values())
    shown = [n for n in cal.after.values() if n is not None]
    assert all(n == 0 or n >= 5 for n in shown)
    hidden = [qq for qq, n in cal.after.items() if n is None]
    assert len(hidden) != 1, "a single hidden quadrant would follow from the total"
