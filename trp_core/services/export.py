"""Exports for managers, as data: the filtered responses as a table of ids and numbers (nothing finer
than the ISO week, only for at least k responses), and a calibrated survey as a new version file.

trp_core.presentation.exports writes them as CSV and XLSX, safe against spreadsheet formulas.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import yaml

from trp_core.method.figures import Period, period_label
from trp_core.method.scoring import CRITERIA
from trp_core.method.survey import Survey, TextQuestion
from trp_core.privacy.suppression import FREE_TEXT_MIN, min_group
from trp_core.services.storage import store_errors
from trp_core.store import reads
from trp_core.store.models import CRITERION_COLUMNS
from trp_core.store.reads import SCORE_COLUMNS, Bind, Filters

EXPORT_MAX: Final = 200_000  # responses in one file; more needs narrower filters


class ExportRefused(Exception):
    """The filtered set may not or cannot be exported: fewer than k responses, or too many."""

    def __init__(self, reason: str, count: int):
        super().__init__(f"{reason}: {count} responses")
        self.reason = reason  # "too_small" or "too_big"
        self.count = count


@dataclass(frozen=True)
class ExportSize:
    """How many responses the filters select, against the limits of an export."""

    count: int
    k: int
    limit: int = EXPORT_MAX
    free_text_min: int = FREE_TEXT_MIN

    @property
    def too_small(self) -> bool:
        return self.count < self.k

    @property
    def too_big(self) -> bool:
        return self.count > self.limit

    @property
    def free_text(self) -> bool:
        """Free-text answers are exported only for groups of at least FREE_TEXT_MIN."""
        return self.count >= self.free_text_min


@store_errors()
def export_size(bind: Bind, f: Filters, *, k: int | None = None, limit: int = EXPORT_MAX) -> ExportSize:
    return ExportSize(reads.count_responses(bind, f), min_group(k), limit)


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
    header: list[str]  # column ids: survey, version, language, event, iso_week, answers, scores, quadrant
    rows: Iterator[list[Any]]  # one per response, as stored (text not yet made safe), read when iterated


@store_errors()
def response_rows(
    bind: Bind, f: Filters, surveys: Sequence[Survey], *, k: int | None = None, limit: int = EXPORT_MAX
) -> ResponseTable:
    """The header and the rows of the filtered responses.

    Raises ExportRefused when the filtered set has fewer than k or more than `limit` responses, and
    StoreUnavailable (also while the rows are read) when the database cannot be used.
    Free-text answers are included only when it has at least 10. Rows are ordered by week, and
    within a week by the random response id, so their order tells nothing finer than the week.
    """
    size = export_size(bind, f, k=k, limit=limit)
    if size.too_small:
        raise ExportRefused("too_small", size.count)
    if size.too_big:
        raise ExportRefused("too_big", size.count)
    questions = answer_columns(surveys, free_text=size.free_text)
    header = [
        "survey",
        "version",
        "language",
        "event",
        "iso_week",
        *questions,
        *SCORE_COLUMNS,
        *(CRITERION_COLUMNS[c] for c in CRITERIA),
        "quadrant",
    ]
    return ResponseTable(header, _rows(bind, f, questions))


def _rows(bind: Bind, f: Filters, questions: list[str]) -> Iterator[list[Any]]:
    with store_errors():  # read when the file is written, after response_rows has returned
        for r in reads.responses_by_week(bind, f):
            yield [
                r.survey_id,
                r.version,
                r.lang,
                r.event,
                period_label(r.week, Period.WEEK),
                *(r.answers.get(q) for q in questions),
                *r.scores,
                r.quadrant,
            ]


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
