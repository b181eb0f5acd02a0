"""The vocabulary of the managers' figures: periods, break-even bands, keep-out rows, funnel steps.

Shared by the store's queries, the dashboard service and the charts, so it lives in the core.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from trp_core.method.survey import Survey
from trp_core.method.vocabulary import Criterion, Quadrant

PLACED: Final = (Quadrant.HELD, Quadrant.KANDIDAT, Quadrant.VAMPIR, Quadrant.SCHATTEN)
NOT_HELD: Final = (Quadrant.KANDIDAT, Quadrant.VAMPIR, Quadrant.SCHATTEN)


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


def period_label(start: date, period: Period) -> str:
    """ISO week "2025-W07", month "2025-02" or quarter "2025-Q1"."""
    if period is Period.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period is Period.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def period_start(day: date, period: Period) -> date:
    """The first day of the whole ISO week, month or quarter that holds `day`."""
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, day.month, 1)


def period_end(start: date, period: Period) -> date:
    """The last day of the period that begins on `start`."""
    if period is Period.WEEK:
        return start + timedelta(days=6)
    months = 3 if period is Period.QUARTER else 1
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1) - timedelta(days=1)


class KnockOut(StrEnum):
    """Rows of the keep-out figure beside the criteria: an axis failed by a knock-out answer."""

    KANN = "knockout_kann"
    WILL = "knockout_will"


KeepOutKey = Criterion | KnockOut

# Break-even months in the bands a manager reads; "none": not within the horizon; "open": the
# calculator was not filled in.
BREAK_EVEN_BANDS: Final = ((1, 3), (4, 6), (7, 9), (10, 12), (13, 18), (19, 24), (25, 36), (37, None))
BE_NONE: Final = "none"
BE_OPEN: Final = "open"


def band_key(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


BREAK_EVEN_KEYS: Final = (*(band_key(lo, hi) for lo, hi in BREAK_EVEN_BANDS), BE_NONE, BE_OPEN)


def funnel_steps(survey: Survey) -> list[str]:
    """The funnel steps of a survey in questionnaire order."""
    steps = ["started", *(f"step:{s.id}" for s in survey.ordered_sections)]
    if survey.calculator is not None:
        steps.append("calculator")
    return [*steps, "completed"]
