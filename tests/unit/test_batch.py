"""The batch path equals the single path, row by row, and supports re-weighting."""

from __future__ import annotations

import random

import numpy as np
import pytest

from tests.unit.test_properties import SURVEYS
from trp_core.method.scoring import QUADRANT_CODES, encode, rescore, score, score_matrix
from trp_core.method.synthetic import random_answers
from trp_core.method.vocabulary import Axis, Criterion, Quadrant


def _same(single, batch_value) -> bool:
    return (single is None and np.isnan(batch_value)) or single == batch_value


@pytest.mark.parametrize("survey", SURVEYS, ids=[s.id for s in SURVEYS])
def test_batch_equals_single_path(survey):
    rng = random.Random(11)
    sets = [random_answers(survey, rng, answer_rate=rng.random(), dont_know_rate=0.2) for _ in range(3000)]
    result = rescore(survey, sets)
    seen = set()
    for i, answers in enumerate(sets):
        single = score(survey, answers)
        kann, will = single.axes[Axis.KANN], single.axes[Axis.WILL]
        assert result.quadrant[i] == QUADRANT_CODES[single.quadrant]
        assert _same(kann.score, result.kann[i]) and _same(will.score, result.will[i])
        assert kann.coverage == result.kann_coverage[i] and will.coverage == result.will_coverage[i]
        assert (kann.passed, will.passed) == (result.kann_passed[i], result.will_passed[i])
        assert (kann.borderline, will.borderline) == (result.kann_borderline[i], result.will_borderline[i])
        seen.add(single.quadrant)
    assert seen == set(Quadrant), "the sample should reach every quadrant"


def test_reweighting_uses_the_same_matrix(worked, worked_answers):
    matrix = encode(worked, [worked_answers])
    assert score_matrix(worked, matrix).quadrant[0] == QUADRANT_CODES[Quadrant.KANDIDAT]
    # Without its timing criterion (the knock-out), will is 26.7: still kandidat.
    weights = {**worked.weights, Criterion.TIMING: 0.0}
    changed = worked.model_copy(update={"weights": weights})
    assert score_matrix(changed, matrix).will[0] == pytest.approx(26.7)
    # A lower will threshold and no knock-out: the same answers become a held.
    lenient = worked.model_copy(update={"thresholds": worked.thresholds.model_copy(update={"will": 25})})
    no_knockout = encode(worked, [{**worked_answers, "rank": "later"}])
    assert score_matrix(lenient, no_knockout).quadrant[0] == QUADRANT_CODES[Quadrant.HELD]
    assert score(lenient, {**worked_answers, "rank": "later"}).quadrant is Quadrant.HELD


def test_quadrant_counts_add_up(worked):
    rng = random.Random(3)
    sets = [random_answers(worked, rng) for _ in range(500)]
    counts = rescore(worked, sets).quadrant_counts()
    assert sum(counts.values()) == 500 and set(counts) == set(Quadrant)
