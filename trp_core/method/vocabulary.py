"""The fixed vocabulary of the TRP method: axes, criteria, quadrants, labels, recommendations.

Survey files may only weight these criteria, never invent new ones (METHOD.md section 3).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

LANGUAGES: Final = ("de", "en")


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

AXIS_LABELS: Final[dict[Axis, dict[str, str]]] = {
    Axis.KANN: {"de": "Können", "en": "Ability (can)"},
    Axis.WILL: {"de": "Wollen", "en": "Motivation (wants to)"},
}

CRITERION_LABELS: Final[dict[Criterion, dict[str, str]]] = {
    Criterion.CUSTOMER_BASE: {"de": "Kundenstamm", "en": "Customer base"},
    Criterion.STAFF: {"de": "Mitarbeiter", "en": "Staff"},
    Criterion.COMPETENCE: {"de": "Kompetenz", "en": "Competence"},
    Criterion.REPUTATION: {"de": "Reputation", "en": "Reputation"},
    Criterion.DECISION_ACCESS: {"de": "Entscheiderzugang", "en": "Access to decision makers"},
    Criterion.LOW_INVESTMENT: {"de": "Geringe Investition", "en": "Low investment"},
    Criterion.FAST_START: {"de": "Schnelle Umsetzung", "en": "Fast start"},
    Criterion.LOW_RISK: {"de": "Minimales Risiko", "en": "Minimal risk"},
    Criterion.BREAK_EVEN: {"de": "Break-even ≤ 12 Monate", "en": "Break-even ≤ 12 months"},
    Criterion.SEES_ATTRACTIVENESS: {
        "de": "Erkennt kommerzielle Attraktivität",
        "en": "Sees the commercial attractiveness",
    },
    Criterion.SEES_LUCRATIVENESS: {
        "de": "Erkennt finanzielle Lukrativität",
        "en": "Sees the financial lucrativeness",
    },
    Criterion.STRATEGY_FIT: {"de": "Passt in die Strategie", "en": "Fits the strategy"},
    Criterion.TIMING: {"de": "Zeitpunkt stimmt", "en": "The timing is right"},
}

CRITERION_MEANING: Final[dict[Criterion, dict[str, str]]] = {
    Criterion.CUSTOMER_BASE: {
        "de": "Bestehende Kunden im Zielsegment, aus dem Stand erreichbar",
        "en": "Existing customers in the target segment, reachable from a standing start",
    },
    Criterion.STAFF: {
        "de": "Vertriebs-, Presales- und Lieferkapazität ohne Neueinstellungen",
        "en": "Sales, presales and delivery capacity assignable without new hires",
    },
    Criterion.COMPETENCE: {
        "de": "Know-how, angrenzende Projekte, Zertifizierungen, Portfolio-Fit",
        "en": "Know-how, adjacent projects, certifications, portfolio fit",
    },
    Criterion.REPUTATION: {
        "de": "Referenzen, Kundenbindung, Ansehen im Markt",
        "en": "References, customer retention, standing in the market",
    },
    Criterion.DECISION_ACCESS: {
        "de": "Regelmäßiger Zugang zu Budgetverantwortlichen bei Zielkunden",
        "en": "Regular access to budget holders at target customers",
    },
    Criterion.LOW_INVESTMENT: {
        "de": "Die einmalige Investition ist klein im Verhältnis zu den eigenen Mitteln",
        "en": "The one-off investment is small relative to the partner's means",
    },
    Criterion.FAST_START: {
        "de": "Zeit bis zu den ersten qualifizierten Chancen und Abschlüssen",
        "en": "Time until the first qualified opportunities and deals",
    },
    Criterion.LOW_RISK: {
        "de": "Risiko, falls es schiefgeht: Finanzierung, konkurrierende Verpflichtungen",
        "en": "Exposure if it goes wrong: financing, competing commitments",
    },
    Criterion.BREAK_EVEN: {
        "de": "Aus Ihren eigenen Zahlen mit dem Rechenmodell berechnet",
        "en": "Computed by the calculation model from your own figures",
    },
    Criterion.SEES_ATTRACTIVENESS: {
        "de": "Sie halten Erfolg mit geringem Aufwand und Risiko für realistisch",
        "en": "You believe success with low effort and risk is realistic",
    },
    Criterion.SEES_LUCRATIVENESS: {
        "de": "Sie erwarten, dass sich die Partnerschaft rechnet, und wann",
        "en": "You expect the partnership to pay off, and by when",
    },
    Criterion.STRATEGY_FIT: {
        "de": "Im Plan und Budget, ein benannter Verantwortlicher, Rückhalt der Geschäftsführung",
        "en": "In the plan and budget, a named owner, management backing",
    },
    Criterion.TIMING: {
        "de": "Jetzt Priorität, ein konkreter Anlass",
        "en": "A priority now, with a concrete trigger",
    },
}

INTERNAL_LABELS: Final[dict[Quadrant, dict[str, str]]] = {
    Quadrant.HELD: {"de": "Held der Arbeit", "en": "Hero"},
    Quadrant.KANDIDAT: {"de": "Kandidat", "en": "Candidate"},
    Quadrant.VAMPIR: {"de": "Vampir", "en": "Vampire"},
    Quadrant.SCHATTEN: {"de": "Schatten", "en": "Shadow"},
    Quadrant.UNDETERMINED: {"de": "Nicht bestimmbar", "en": "Undetermined"},
}

PARTNER_LABELS: Final[dict[Quadrant, dict[str, str]]] = {
    Quadrant.HELD: {"de": "Startklar – Sie können und wollen", "en": "Ready to launch"},
    Quadrant.KANDIDAT: {
        "de": "Starke Voraussetzungen – rechnen Sie nach",
        "en": "Strong fit – check the business case",
    },
    Quadrant.VAMPIR: {
        "de": "Hohe Motivation – Voraussetzungen im Aufbau",
        "en": "Building the foundation",
    },
    Quadrant.SCHATTEN: {
        "de": "Derzeit kein Fit – später erneut prüfen",
        "en": "Not the right time – revisit later",
    },
    Quadrant.UNDETERMINED: {
        "de": "Noch offen – zu wenige Antworten",
        "en": "Open – too few answers to tell",
    },
}

RECOMMENDATIONS: Final[dict[Quadrant, dict[str, str]]] = {
    Quadrant.HELD: {
        "de": "Unterstützen und vor dem Wettbewerb schützen.",
        "en": "Support them and protect them from the competition.",
    },
    Quadrant.KANDIDAT: {
        "de": "Auf Überzeugung setzen, nicht auf Subventionen.",
        "en": "Focus on persuasion, not subsidies.",
    },
    Quadrant.VAMPIR: {
        "de": "In Ruhe lassen: kosten Geld, Zeit und Aufmerksamkeit, ohne je guten Umsatz zu bringen.",
        "en": "Leave alone: they drain money, time and attention without ever producing good revenue.",
    },
    Quadrant.SCHATTEN: {
        "de": "Beobachten: Hier kann ein künftiger Kandidat entstehen.",
        "en": "Observe: a future candidate may emerge.",
    },
    Quadrant.UNDETERMINED: {
        "de": "Zu wenige Antworten, um den Partner einzuordnen.",
        "en": "Too few answers to place the partner.",
    },
}

PARTNER_MEANING: Final[dict[Quadrant, dict[str, str]]] = {
    Quadrant.HELD: {
        "de": "Sie bringen mit, was es braucht, und Sie wollen es. Die Partnerschaft kann aus "
        "dem Stand starten und sich innerhalb eines Jahres tragen.",
        "en": "You have what it takes and you want it. The partnership can start from a "
        "standing start and pay for itself within a year.",
    },
    Quadrant.KANDIDAT: {
        "de": "Ihre Voraussetzungen sind stark. Ob es sich für Sie lohnt, zeigt die Rechnung "
        "mit Ihren eigenen Zahlen: Prüfen Sie sie, bevor Sie entscheiden.",
        "en": "Your starting position is strong. Whether it pays off for you is shown by the "
        "calculation with your own figures: check it before you decide.",
    },
    Quadrant.VAMPIR: {
        "de": "Ihr Interesse ist da, aber einige Voraussetzungen fehlen noch. Bauen Sie diese "
        "zuerst auf; eine Partnerschaft jetzt würde Sie mehr kosten, als sie bringt.",
        "en": "Your interest is there, but some prerequisites are still missing. Build those "
        "first; a partnership now would cost you more than it brings.",
    },
    Quadrant.SCHATTEN: {
        "de": "Im Moment passt es weder von den Voraussetzungen noch vom Zeitpunkt. Das kann "
        "sich ändern: Prüfen Sie es in einigen Monaten erneut.",
        "en": "Right now neither the prerequisites nor the timing fit. That can change: "
        "check again in a few months.",
    },
    Quadrant.UNDETERMINED: {
        "de": "Es fehlen zu viele Antworten für eine belastbare Einordnung. Beantworten Sie "
        "mehr Fragen, um Ihr Ergebnis zu sehen.",
        "en": "Too many answers are missing for a reliable placement. Answer more questions "
        "to see your result.",
    },
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
