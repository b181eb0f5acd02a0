"""Texts of explain.py that only the profile page uses: the best and the ruling-out answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from trp_core.files.surveys import load_survey
from trp_core.method.survey import ChoiceQuestion, NumberQuestion, ScaleQuestion, YesNoQuestion
from trp_core.presentation.explain import answer_text, best_and_knockouts
from trp_core.presentation.i18n import t

ROOT = Path(__file__).resolve().parents[2]
SURVEYS = sorted((ROOT / "surveys").glob("*.yaml"))


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", SURVEYS, ids=[p.stem for p in SURVEYS])
def test_best_and_knockouts_of_every_question(path, lang):
    survey = load_survey(path)
    for q in survey.scored_questions:
        best, kos = best_and_knockouts(survey, q, lang)
        assert best, q.id
        if isinstance(q, ChoiceQuestion):
            assert best == max(q.options, key=lambda o: o.points).label(lang)
            assert kos == [o.label(lang) for o in q.options if o.knockout]
        elif isinstance(q, YesNoQuestion):
            assert best == t("yes" if q.yes.points >= q.no.points else "no", lang)
            assert len(kos) == q.yes.knockout + q.no.knockout
        elif isinstance(q, ScaleQuestion):
            assert best == (q.low if q.reverse else q.high)(lang) and kos == []
        else:
            assert isinstance(q, NumberQuestion)
            top = max(p for _, p in q.bands)
            assert best.endswith(answer_text(survey, q.id, min(x for x, p in q.bands if p == top), lang))
            assert len(kos) == (q.knockout_below is not None)
            assert all(ko.startswith("< ") for ko in kos)
