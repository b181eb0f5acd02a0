"""Calibration figures equal re-scoring every stored response with trp_core.method.scoring.score, on both back-ends."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date

import pytest
import yaml

from tests.store.manager.conftest import empty_store, hash_code
from trp_core.files.surveys import load_survey
from trp_core.method.scoring import score
from trp_core.method.synthetic import random_answers
from trp_core.method.vocabulary import Criterion, Quadrant
from trp_core.services import calibrate as calibration
from trp_core.services.export import survey_yaml
from trp_core.store import reads


@pytest.fixture(scope="module")
def stored(engine, surveys):
    """200 responses to each bundled survey, with their answers, stored once per database."""
    store = empty_store(engine)
    rng = random.Random(5)
    out = {}
    for survey in surveys.values():
        sets = []
        for _ in range(200):
            answers = random_answers(survey, rng, answer_rate=rng.choice([0.5, 0.9, 1.0]), dont_know_rate=0.1)
            lang = rng.choice(["de", "en"])
            store.save_response(
                survey=survey,
                assessment=score(survey, answers),
                answers=answers,
                lang=lang,
                event=None,
                submission_key=uuid.uuid4().hex,
                code_hash=hash_code(uuid.uuid4().hex),
                day=date(2025, 5, 1 + rng.randrange(28)),
            )
            sets.append((answers, lang))
        out[survey.id] = sets
    return out


CHANGES = [
    {"thresholds": {"kann": 50, "will": 70}},
    {"thresholds": {"kann": 65, "will": 55}},
    {"weights": {Criterion.BREAK_EVEN: 6, Criterion.TIMING: 4, Criterion.STAFF: 0.5}},
    {
        "thresholds": {"kann": 58.5, "will": 61},
        "weights": {Criterion.CUSTOMER_BASE: 1, Criterion.STRATEGY_FIT: 5},
    },
]


def changed(survey, change):
    weights = {c.value: w for c, w in survey.weights.items()}
    weights.update({c.value: w for c, w in change.get("weights", {}).items()})
    return survey.revised(
        thresholds=change.get("thresholds", survey.thresholds.model_dump()), weights=weights
    )


@pytest.mark.parametrize("change", CHANGES, ids=range(len(CHANGES)))
@pytest.mark.parametrize("survey_id", ["trp-standard", "trp-cloud", "trp-classic"])
def test_calibration_equals_scoring_each_response(engine, surveys, stored, survey_id, change):
    survey = surveys[survey_id]
    after = changed(survey, change)
    expected = Counter(
        (score(survey, answers).quadrant, score(after, answers).quadrant) for answers, _ in stored[survey_id]
    )
    matrix, weights = reads.criterion_matrix(engine, reads.Filters(survey=survey_id))
    counts = calibration.rescore_counts(matrix, survey, after, weights)
    assert {key: n for key, n in counts.moves.items() if n} == dict(expected)
    assert counts.total == 200
    assert counts.changed == sum(n for (a, b), n in expected.items() if a is not b)
    # Through calibrate with k = 3: every figure shown equals the count, and hidden ones are small or
    # needed to protect a small one.
    cal = calibration.calibrate(engine, reads.Filters(survey=survey_id), survey, after, k=3)
    for key, n in cal.moves.items():
        assert n is None or n == expected.get(key, 0)
    for q in Quadrant:
        assert cal.before[q] in (None, sum(n for (a, _), n in expected.items() if a is q))
        assert cal.after[q] in (None, sum(n for (_, b), n in expected.items() if b is q))
    assert cal.total == 200


def test_calibration_with_filters(engine, surveys, stored):
    survey = surveys["trp-standard"]
    after = changed(survey, CHANGES[0])
    expected = Counter(
        (score(survey, answers).quadrant, score(after, answers).quadrant)
        for answers, lang in stored[survey.id]
        if lang == "en"
    )
    matrix, weights = reads.criterion_matrix(engine, reads.Filters(survey=survey.id, lang="en"))
    assert {
        k: n for k, n in calibration.rescore_counts(matrix, survey, after, weights).moves.items() if n
    } == dict(expected)


def test_nothing_changes_without_a_change(engine, surveys, stored):
    survey = surveys["trp-cloud"]
    cal = calibration.calibrate(
        engine, reads.Filters(survey=survey.id), survey, survey.revised(version="1.1"), k=3
    )
    assert cal.changed == 0
    assert cal.before == cal.after


def test_the_changed_survey_downloads_as_a_new_version_file(tmp_path, surveys):
    survey = surveys["trp-classic"]
    after = changed(survey, CHANGES[3]).revised(version="1.1")
    text = survey_yaml(after, "calibrated\nreview before publishing")
    assert text.startswith("# calibrated\n# review before publishing\n")
    assert "&" not in text.split("\n", 2)[2].split(":")[0]  # no YAML anchors
    path = tmp_path / "trp-classic.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_survey(path)
    assert loaded.content_hash == after.content_hash
    assert loaded.version == "1.1"
    assert loaded.thresholds.kann == 58.5
    assert yaml.safe_load(text)["weights"]["strategy_fit"] == 5
