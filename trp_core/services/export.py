"""Exports for managers, as data: the responses of a published selection as a table of ids and
numbers (PRIVACY.md, rule 6), and a calibrated survey as a new version file.

trp_core.presentation.exports writes them as CSV and XLSX, safe against spreadsheet formulas.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import yaml

from trp_core.method.scoring import CRITERIA
from trp_core.method.survey import Survey, TextQuestion
from trp_core.privacy.cells import View
from trp_core.services import selection as sel
from trp_core.services.storage import store_errors
from trp_core.store import reads
from trp_core.store.models import CRITERION_COLUMNS
from trp_core.store.reads import SCORE_COLUMNS, Bind, Filters

EXPORT_MAX: Final = 200_000  # responses in one file; more needs narrower filters


def answer_columns(surveys: Sequence[Survey], free_text: bool) -> list[str]:
    """Question ids and calculator inputs of the given survey versions, in questionnaire order."""
    out: dict[str, None] = {}
    for survey in surveys:
        for q in survey.questions:
            if free_text or not isinstance(q, TextQuestion):
                out[q.id] = None
        if survey.calculator is not None:
            out.update(dict.fromkeys(survey.calculator.asked))
    return list(out)


class ResponseTable(NamedTuple):
    header: list[str]  # column ids: survey, version, answers, scores, quadrant
    rows: Iterator[list[Any]]  # one per response, as stored (text not yet made safe), read when iterated


# --- the rows as published -------------------------------------------------------------------------

PUBLISHED_HEADER: Final = ("survey", "version")  # the view's own filters: the same in every row


@dataclass(frozen=True)
class PublishedRows:
    """The row export of a choice of filters: the view shown, and its rows, or why there are none."""

    selected: sel.Selected
    table: ResponseTable | None
    reason: str | None  # "withheld", "version_needed", "too_big", or None


@store_errors()
def published_rows(
    bind: Bind, survey_id: str, surveys: Sequence[Survey], asked: View, *, k: int | None = None
) -> PublishedRows:
    """The rows of a published view of one survey version, as microdata that are k-anonymous by
    construction: a row carries no quasi-identifier of its own (no tag, language, period or day; the
    only ones are the view's filters, the same for every row, whose responses are 0 or at least k),
    free-text answers are left out, and the rows come in random order. Every set of rows that can
    be formed from the exports of several views by intersection and difference is a union of the
    lattice's parts, so it holds 0 or at least k rows (trp_core.privacy.cells). Raises StoreUnavailable."""
    selected = sel.select(bind, survey_id, asked, k=k)
    view = selected.view
    if view is None or selected.filters is None:
        return PublishedRows(selected, None, "withheld")
    if view.version is None:
        # The questions of different versions differ: which columns a row fills would tell its version.
        return PublishedRows(selected, None, "version_needed")
    count = reads.count_responses(bind, selected.filters)
    if count == 0:  # nothing published in it (yet): responses wait for their release
        return PublishedRows(selected, None, "withheld")
    if count > EXPORT_MAX:
        return PublishedRows(selected, None, "too_big")
    chosen = [s for s in surveys if s.version == view.version] or list(surveys)
    questions = answer_columns(chosen, free_text=False)
    header = [
        *PUBLISHED_HEADER,
        *questions,
        *SCORE_COLUMNS,
        *(CRITERION_COLUMNS[c] for c in CRITERIA),
        "quadrant",
    ]
    return PublishedRows(selected, ResponseTable(header, _published(bind, selected.filters, questions)), None)


def _published(bind: Bind, f: Filters, questions: list[str]) -> Iterator[list[Any]]:
    with store_errors():
        for r in reads.responses_by_week(bind, f):
            yield [r.survey_id, r.version, *(r.answers.get(q) for q in questions), *r.scores, r.quadrant]


# --- a calibrated survey as a file --------------------------------------------------------------


class _PlainDumper(yaml.SafeDumper):
    """YAML without anchors and aliases, which the survey loader refuses."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def survey_yaml(survey: Survey, note: str = "") -> str:
    """The survey as a YAML file that `load_survey` reads back to the same content (and hash)."""
    head = "".join(f"# {line}\n" for line in note.splitlines())
    body = yaml.dump(
        survey.model_dump(mode="json", exclude_none=True),
        Dumper=_PlainDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    return head + body
