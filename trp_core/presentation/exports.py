"""The managers' exports written as files: responses as CSV and XLSX, the dashboard's tables as CSV,
the note at the top of a calibrated survey file.

Every text cell is made safe against spreadsheet formula injection (OWASP: a text that starts with
=, +, -, @, tab or carriage return gets a leading '); XLSX text cells are written as strings, never
as formulas; numbers stay numbers. Charts as PNG: trp_core.presentation.render.chart_png.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from trp_core.method.scoring import DONT_KNOW
from trp_core.method.survey import ChoiceQuestion, Survey, TextQuestion
from trp_core.method.vocabulary import Criterion, Quadrant
from trp_core.presentation.dashboard_charts import band_label, keep_out_label, step_label
from trp_core.presentation.i18n import catalog, t
from trp_core.presentation.labels import (
    axis_label,
    criterion_label,
    input_label,
    quadrant_labels,
    quadrant_name,
)

if TYPE_CHECKING:
    from trp_core.services.dashboard import Dashboard
    from trp_core.services.export import ResponseTable

# OWASP's list, plus a line feed, and the full-width forms some spreadsheets read as the same signs.
DANGEROUS: Final = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters that XML 1.0, and so XLSX, cannot hold.
_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HIDDEN: Final = "–"

Table = tuple[list[str], list[list[Any]]]


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


def safe_rows(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """Every cell of every row made safe (`safe_cell`)."""
    for row in rows:
        yield [safe_cell(v) for v in row]


# --- the responses ------------------------------------------------------------------------------


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], lang: str = "en") -> bytes:
    """UTF-8 CSV with a byte order mark (spreadsheets then read the umlauts right); text quoted,
    numbers bare. German as a German Excel reads it: semicolons between cells and a decimal comma
    (0,2531); English with commas and a decimal point. The rows must be safe already (`safe_rows`)."""
    sep, point = (";", ",") if lang == "de" else (",", ".")

    def field(value: Any) -> str:
        if value is None:
            value = ""  # quoted like any text, as Python's csv module writes it
        elif isinstance(value, int | float):  # never a bool here: safe_cell made those text
            return repr(value).replace(".", point)
        return '"' + str(value).replace('"', '""') + '"'

    lines = [sep.join(field(safe_text(h)) for h in header)]
    lines += (sep.join(field(v) for v in row) for row in rows)
    return ("\ufeff" + "".join(line + "\r\n" for line in lines)).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "responses") -> bytes:
    """An XLSX workbook; text cells are strings (never formulas), numbers numbers. The rows must be
    safe already (`safe_rows`)."""
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


def responses_csv(table: ResponseTable, surveys: Sequence[Survey], lang: str) -> bytes:
    """The responses for people: column names and answers in words of the manager's language."""
    return csv_bytes(
        column_labels(table.header, surveys, lang), safe_rows(labelled_rows(table, surveys, lang)), lang
    )


def responses_xlsx(table: ResponseTable) -> bytes:
    """The responses for analysis: the ids of columns and answers, as the survey files write them."""
    return xlsx_bytes(table.header, safe_rows(table.rows))


LANGUAGE_NAMES: Final = {"de": "Deutsch", "en": "English"}


def _questions(surveys: Sequence[Survey]) -> dict[str, Any]:
    """Each question id with its question in the newest of the given versions that asks it."""
    found: dict[str, Any] = {}
    for survey in surveys:
        for q in survey.questions:
            found[q.id] = q
    return found


def column_labels(header: Sequence[str], surveys: Sequence[Survey], lang: str) -> list[str]:
    """The export's column ids as a reader names them: the question's text, the input's name, the
    criterion's name, or the catalog's name of a fixed column."""
    questions = _questions(surveys)
    names = catalog("de" if lang == "de" else "en")
    criteria = {f"c_{c.value}": c for c in Criterion}  # the store's column of each criterion's points
    labels = []
    for column in header:
        if f"exp_col_{column}" in names:  # survey, version, ..., the scores, quadrant
            labels.append(names[f"exp_col_{column}"])
        elif column in questions:
            labels.append(questions[column].text(lang))
        elif column in criteria:
            labels.append(criterion_label(criteria[column], lang))
        else:
            labels.append(input_label(column, lang))
    return labels


def answer_text(question: Any, value: Any, lang: str) -> Any:
    """An answer as the partner saw it: the option's label, yes or no, "don't know"; numbers stay numbers."""
    if value is None or isinstance(question, TextQuestion):  # free text stays as written
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if value == DONT_KNOW:
        return t("dont_know", lang)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(question, ChoiceQuestion) and (option := question.option(value)) is not None:
        return option.label(lang)
    return value


def labelled_rows(table: ResponseTable, surveys: Sequence[Survey], lang: str) -> Iterator[list[Any]]:
    """The rows with answers, languages, yes/no and quadrants in words of `lang` (not yet made safe)."""
    questions = _questions(surveys)
    quadrants = {q.value: quadrant_name(q, lang, "internal") for q in Quadrant}
    for row in table.rows:
        out = []
        for column, value in zip(table.header, row, strict=True):
            if column == "language":
                value = LANGUAGE_NAMES.get(value, value)
            elif column == "quadrant":
                value = quadrants.get(value, value)
            elif column in questions or isinstance(value, bool):
                value = answer_text(questions.get(column), value, lang)
            out.append(value)
        yield out


# --- the dashboard's tables ------------------------------------------------------------------------


def _n(value: int | float | None) -> Any:
    return HIDDEN if value is None else value


def _share(value: float | None) -> Any:
    return HIDDEN if value is None else round(value, 4)


def _mean(value: float | None) -> Any:
    return HIDDEN if value is None else round(value, 1)


def dashboard_tables(dash: Dashboard, survey: Survey, lang: str) -> dict[str, Table]:
    """Every figure of the dashboard as a table (header, rows), hidden values as "–"."""
    names = quadrant_labels(survey, lang, "internal")
    col = {key: t(f"mgr_col_{key}", lang) for key in ("quadrant", "count", "share", "criterion", "axis", "period", "step", "band", "mean", "ability", "motivation")}  # fmt: skip
    tables: dict[str, Table] = {}
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


def table_csv(table: Table, lang: str = "en") -> bytes:
    header, rows = table
    return csv_bytes(header, safe_rows(rows), lang)


def calibrated_survey_note(base: Survey, revised: Survey, day: date) -> str:
    """The comment at the top of a calibrated survey file: where it comes from, and what to do with it.

    In English in every language of the page, as the survey file's keys are: it is part of the file.
    """
    return (
        f"{revised.id} version {revised.version}: calibrated from version {base.version} "
        f"on {day.isoformat()}.\nReview before publishing; it replaces the file in surveys/."
    )
