"""Re-scoring stored responses under this version's method, from their raw answers and survey snapshots,
so that the store holds the scores of one method version only (`trp db rescore`, `trp db upgrade`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from trp_core.method.scoring import check_answers, score
from trp_core.method.survey import Survey, SurveyError
from trp_core.method.vocabulary import METHOD_VERSION
from trp_core.store.repository import ScoredRow, Store, scored_columns

BATCH: Final = 1000  # responses per transaction: a stopped run loses at most one batch of work

Progress = Callable[[int, int], None]  # (responses seen so far, responses to see)


@dataclass(frozen=True, slots=True)
class Rescored:
    """What a re-scoring run did."""

    seen: int  # responses read
    rescored: int  # responses whose stored scores or method version changed
    skipped: int  # responses that cannot be scored any more (their snapshot or answers are invalid)
    method_version: int = METHOD_VERSION

    @property
    def unchanged(self) -> int:
        return self.seen - self.rescored - self.skipped


def rescore_responses(
    store: Store, *, everything: bool = False, batch: int = BATCH, progress: Progress | None = None
) -> Rescored:
    """Re-score the responses scored with an older method version than METHOD_VERSION (or all of them).

    Each response is scored afresh with `score` from its answers and the survey snapshot it was
    scored with, and every score column and its method version are written where they differ;
    each batch is committed on its own. Running it again changes nothing; a run that was stopped
    continues where it stopped, since the responses it re-scored are no longer of an older version.
    A response that cannot be scored (its snapshot no longer reads as a survey, its answers fail
    the checks) is skipped and keeps its version, which keeps it out of the managers' figures.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    total = store.count_to_rescore(everything=everything)
    seen = rescored = skipped = 0
    after: str | None = None
    surveys: dict[str, Survey | None] = {}
    while True:
        rows = store.to_rescore(after=after, limit=batch, everything=everything)
        if not rows:
            break
        changed: dict[str, dict[str, Any]] = {}
        for row in rows:
            columns = _fresh_columns(store, surveys, row)
            if columns is None:
                skipped += 1
            elif columns != row.columns:
                changed[row.response_id] = columns
        store.write_scores(changed)
        rescored += len(changed)
        seen += len(rows)
        after = rows[-1].response_id
        if progress is not None:
            progress(seen, max(total, seen))  # an older replica may still be writing responses
    return Rescored(seen=seen, rescored=rescored, skipped=skipped)


def _fresh_columns(store: Store, surveys: dict[str, Survey | None], row: ScoredRow) -> dict[str, Any] | None:
    if row.survey_hash not in surveys:
        try:
            surveys[row.survey_hash] = store.snapshot(row.survey_hash)
        except SurveyError:
            surveys[row.survey_hash] = None
    survey = surveys[row.survey_hash]
    if survey is None or not isinstance(row.answers, dict) or check_answers(survey, row.answers):
        return None
    return scored_columns(score(survey, row.answers))
