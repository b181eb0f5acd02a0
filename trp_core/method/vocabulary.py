"""The fixed vocabulary of the TRP method: axes, criteria and quadrants as ids; their names in both
languages are in the text catalog (trp_core/presentation/labels.py).

Survey files may only weight these criteria, never invent new ones (METHOD.md section 3).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

LANGUAGES: Final = ("de", "en")
# The version of METHOD.md's scoring rules (section 4) that `score` follows; a stored response keeps
# the version it was scored with, and `trp db rescore` brings older ones up to this one.
METHOD_VERSION: Final = 2


class Axis(StrEnum):
    KANN = "kann"
    WILL = "will"


class Quadrant(StrEnum):
    HELD = "held"
    KANDIDAT = "kandidat"
    VAMPIR = "vampir"
    SCHATTEN = "schatten"
    UNDETERMINED = "undetermined"


class Criterion(StrEnum):
    CUSTOMER_BASE = "customer_base"
    STAFF = "staff"
    COMPETENCE = "competence"
    REPUTATION = "reputation"
    DECISION_ACCESS = "decision_access"
    LOW_INVESTMENT = "low_investment"
    FAST_START = "fast_start"
    LOW_RISK = "low_risk"
    BREAK_EVEN = "break_even"
    SEES_ATTRACTIVENESS = "sees_attractiveness"
    SEES_LUCRATIVENESS = "sees_lucrativeness"
    STRATEGY_FIT = "strategy_fit"
    TIMING = "timing"


CRITERION_AXIS: Final[dict[Criterion, Axis]] = {
    **{
        c: Axis.KANN
        for c in (
            Criterion.CUSTOMER_BASE,
            Criterion.STAFF,
            Criterion.COMPETENCE,
            Criterion.REPUTATION,
            Criterion.DECISION_ACCESS,
            Criterion.LOW_INVESTMENT,
            Criterion.FAST_START,
            Criterion.LOW_RISK,
            Criterion.BREAK_EVEN,
        )
    },
    **{
        c: Axis.WILL
        for c in (
            Criterion.SEES_ATTRACTIVENESS,
            Criterion.SEES_LUCRATIVENESS,
            Criterion.STRATEGY_FIT,
            Criterion.TIMING,
        )
    },
}

AXIS_CRITERIA: Final[dict[Axis, tuple[Criterion, ...]]] = {
    axis: tuple(c for c in Criterion if CRITERION_AXIS[c] is axis) for axis in Axis
}


def quadrant_for(kann_passed: bool, will_passed: bool) -> Quadrant:
    """The quadrant of a determined result (METHOD.md section 2)."""
    if kann_passed:
        return Quadrant.HELD if will_passed else Quadrant.KANDIDAT
    return Quadrant.VAMPIR if will_passed else Quadrant.SCHATTEN


def round_half_up(value: float) -> float:
    """Round to one decimal, half up, so that 73.35 becomes 73.4 as a person would do it."""
    # The tiny epsilon absorbs binary representation error (73.35 is stored as 73.3499...).
    return (value * 10 + 0.5 + 1e-9) // 1 / 10  # `// 1` floors a number and a numpy array alike
