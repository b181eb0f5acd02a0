"""Manager tests run on SQLite and on PostgreSQL, with the store's fixtures; helpers to craft data."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.store.conftest import (  # noqa: F401  (fixtures, shared with the store tests)
    backend,
    empty_store,
    engine,
    hash_code,
    pg_admin,
    store,
    surveys,
)
from trp_core.method.levers import assess
from trp_core.method.scoring import score
from trp_core.method.survey import Survey
from trp_core.method.vocabulary import Quadrant
from trp_core.store.repository import Store

ANSWERS = ROOT / "tests" / "answers"


def answers_for(survey_id: str, outcome: str) -> dict[str, Any]:
    """An answer set of tests/answers that lands in the quadrant `outcome`."""
    return json.loads((ANSWERS / f"{survey_id}.{outcome}.json").read_text(encoding="utf-8"))["answers"]


def add(
    into: Store,
    survey: Survey,
    answers: dict[str, Any],
    n: int = 1,
    *,
    lang: str = "de",
    event: str | None = None,
    day: date | None = None,
) -> None:
    """Store `n` responses with these answers, scored as the app does."""
    assessment = assess(survey, answers) if n else None
    for _ in range(n):
        into.save_response(
            survey=survey,
            assessment=assessment,
            answers=answers,
            lang=lang,
            event=event,
            submission_key=uuid.uuid4().hex,
            code_hash=hash_code(uuid.uuid4().hex),
            day=day or date(2025, 3, 12),
        )


def add_quadrants(into: Store, survey: Survey, counts: dict[Quadrant, int], **kw: Any) -> None:
    """Responses in the given quadrants, from the answer fixtures."""
    for q, n in counts.items():
        answers = answers_for(survey.id, q.value)
        assert score(survey, answers).quadrant is q
        add(into, survey, answers, n, **kw)


@pytest.fixture
def standard(surveys: dict[str, Survey]) -> Survey:  # noqa: F811
    return surveys["trp-standard"]
