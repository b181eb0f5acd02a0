"""Exports for managers: the filtered responses as CSV and XLSX, the dashboard's tables as CSV, charts
as PNG, and a calibrated survey as a new version file.

Nothing finer than the ISO week leaves the app, and only for at least k responses. Every text cell
is made safe against spreadsheet formula injection (OWASP: a text that starts with =, +, -, @, tab
or carriage return gets a leading '); XLSX text cells are written as strings, never as formulas;
numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, Final

import yaml
from sqlalchemy import Connection, Engine, select

from trp_core.method.scoring import CRITERIA
from trp_core.method.survey import Survey, TextQuestion
from trp_core.method.vocabulary import Criterion, Quadrant
from trp_core.presentation.dashboard_charts import band_label, keep_out_label, step_label
from trp_core.presentation.labels import axis_label, criterion_label
from trp_core.presentation.report import chart_png
from trp_core.services.analytics import (
    FREE_TEXT_MIN,
    Bind,
    Dashboard,
    Filters,
    Period,
    count_responses,
    min_group,
    period_label,
    period_start,
)
from trp_core.store.models import CRITERION_COLUMNS, Response

EXPORT_MAX: Final = 200_000  # responses in one file; more needs narrower filters
# OWASP's list, plus a line feed, and the full-width forms some spreadsheets read as the same signs.
DANGEROUS: Final = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters that XML 1.0, and so XLSX, cannot hold.
_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HIDDEN: Final = "–"
SCORE_COLUMNS: Final = (
    "kann_score",
    "will_score",
    "kann_coverage",
    "will_coverage",
    "kann_knockout",
    "will_knockout",
    "break_even_month",
)

__all__ = ["EXPORT_MAX", "ExportRefused", "chart_png", "responses_csv", "responses_xlsx", "safe_text"]


class ExportRefused(Exception):
    """The filtered set may not or cannot be exported: fewer than k responses, or too many."""

    def __init__(self, reason: str, count: int):
        super().__init__(f"{reason}: {count} responses")
        self.reason = reason  # "too_small" or "too_big"
        self.count = count


def safe_text(value: str) -> str:
    """A text cell that no spreadsheet runs as a formula: a leading ' where one could start."""
    value = _ILLEGAL.sub("", value)
    if value.lstrip(" ").startswith(DANGEROUS):
        return "'" + value
    return value


def safe_cell(value: Any) -> Any:
    """Numbers stay numbers (booleans become yes/no), None stays empty, anything else is safe text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


# --- the responses ------------------------------------------------------------------------------


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


def response_rows(
    bind: Bind, f: Filters, surveys: Sequence[Survey], *, k: int | None = None, limit: int = EXPORT_MAX
) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows of the filtered responses, each cell already safe.

    Raises ExportRefused when the filtered set has fewer than k or more than `limit` responses.
    Free-text answers are included only when it has at least 10. Rows are ordered by week, and
    within a week by the random response id, so their order tells nothing finer than the week.
    """
    n = count_responses(bind, f)
    if n < min_group(k):
        raise ExportRefused("too_small", n)
    if n > limit:
        raise ExportRefused("too_big", n)
    questions = answer_columns(surveys, free_text=n >= FREE_TEXT_MIN)
    criteria = [CRITERION_COLUMNS[c] for c in CRITERIA]
    header = [
        "survey",
        "version",
        "language",
        "event",
        "iso_week",
        *questions,
        *SCORE_COLUMNS,
        *criteria,
        "quadrant",
    ]
    week = period_start(Period.WEEK)
    table = Response.__table__.c
    stmt = (
        select(
            Response.survey_id,
            Response.survey_version,
            Response.lang,
            Response.event,
            week,
            Response.answers,
            *(table[c] for c in SCORE_COLUMNS),
            *(table[c] for c in criteria),
            Response.quadrant,
        )
        .where(*f.responses())
        .order_by(week, Response.id)
    )

    def rows() -> Iterator[list[Any]]:
        with _connection(bind) as conn:
            for row in conn.execution_options(yield_per=2_000).execute(stmt):
                survey_id, version, lang, event, start, answers, *numbers, quadrant = row
                start = start if isinstance(start, date) else date.fromisoformat(str(start))
                answers = answers or {}
                yield [
                    safe_cell(survey_id),
                    safe_cell(version),
                    lang,
                    safe_cell(event),
                    period_label(start, Period.WEEK),
                    *(safe_cell(answers.get(q)) for q in questions),
                    *(safe_cell(v) for v in numbers),
                    quadrant,
                ]

    return header, rows()


@contextmanager
def _connection(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            yield conn
    else:
        yield bind


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte order mark (spreadsheets then read the umlauts right); text quoted."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "responses") -> bytes:
    """An XLSX workbook; text cells are strings (never formulas), numbers numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])

    def cell(value: Any) -> Any:
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # openpyxl would take a text that starts with "=" for a formula
        return c

    ws.append([cell(safe_text(h)) for h in header])
    for row in rows:
        ws.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def responses_csv(bind: Bind, f: Filters, surveys: Sequence[Survey], *, k: int | None = None) -> bytes:
    header, rows = response_rows(bind, f, surveys, k=k)
    return csv_bytes(header, rows)


def responses_xlsx(bind: Bind, f: Filters, surveys: Sequence[Survey], *, k: int | None = None) -> bytes:
    header, rows = response_rows(bind, f, surveys, k=k)
    return xlsx_bytes(header, rows)


# --- the dashboard's tables ------------------------------------------------------------------------


def _n(value: int | float | None) -> Any:
    return HIDDEN if value is None else value


def _share(value: float | None) -> Any:
    return HIDDEN if value is None else round(value, 4)


def dashboard_tables(
    dash: Dashboard, survey: Survey, lang: str
) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every figure of the dashboard as a table (header, rows), hidden values as "–"."""
    from trp_core.presentation.i18n import t
    from trp_core.presentation.labels import quadrant_labels

    names = quadrant_labels(survey, lang, "internal")
    col = {key: t(f"mgr_col_{key}", lang) for key in ("quadrant", "count", "share", "criterion", "axis", "period", "step", "band", "mean", "ability", "motivation")}  # fmt: skip
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
    tables["quadrants"] = (
        [col["quadrant"], col["count"], col["share"]],
        [[names[q], _n(dash.quadrants[q]), _share(dash.quadrant_share(q))] for q in Quadrant]
        + [[t("mgr_responses", lang), _n(dash.total), _share(1.0 if dash.total else None)]],
    )
    tables["heat"] = (
        [col["ability"], col["motivation"], col["quadrant"], col["count"]],
        [
            [
                f"{c.kann_from:g}–{c.kann_to:g}",
                f"{c.will_from:g}–{c.will_to:g}",
                names[c.quadrant],
                _n(c.count),
            ]
            for c in sorted(dash.heat, key=lambda c: (c.kann_from, c.will_from))
        ],
    )
    tables["trend"] = (
        [col["period"], col["quadrant"], col["count"], col["share"]],
        [
            [
                c.label,
                names[c.quadrant] if c.quadrant else t("mgr_hidden", lang),
                _n(c.count),
                _share(c.share),
            ]
            for c in dash.trend
        ],
    )
    tables["keep_out"] = (
        [col["criterion"], col["axis"], col["count"], col["share"]],
        [
            [
                keep_out_label(r.key, lang),
                axis_label(r.axis, lang),
                _n(r.count),
                _share(r.share),
            ]
            for r in dash.keep_out
        ],
    )
    criteria = [c for c in Criterion if survey.weights[c] > 0]
    tables["means"] = (
        [col["criterion"], *(names[q] for q in Quadrant)],
        [
            [
                criterion_label(c, lang),
                *(_mean(dash.means[(c, q)]) for q in Quadrant),
            ]
            for c in criteria
        ],
    )
    tables["break_even"] = (
        [col["band"], col["count"]],
        [[band_label(key, lang), _n(n)] for key, n in dash.break_even.items()],
    )
    tables["funnel"] = (
        [col["step"], col["count"], col["share"]],
        [[step_label(s.step, survey, lang), _n(s.count), _share(s.share)] for s in dash.funnel],
    )
    return tables


def _mean(value: float | None) -> Any:
    return HIDDEN if value is None else round(value, 1)


def table_csv(table: tuple[list[str], list[list[Any]]]) -> bytes:
    header, rows = table
    return csv_bytes(header, [[safe_cell(v) for v in row] for row in rows])


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
