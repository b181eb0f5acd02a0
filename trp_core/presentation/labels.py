"""The names of the method's axes, criteria, quadrants and calculator inputs, read from the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trp_core.method.vocabulary import Axis, Criterion, Quadrant
from trp_core.presentation.i18n import catalog, t

if TYPE_CHECKING:
    from trp_core.method.survey import Survey


def axis_label(axis: Axis, lang: str) -> str:
    """ "Können" / "Ability (can)", "Wollen" / "Motivation (wants to)"."""
    return t(f"axis_{Axis(axis).value}", lang)


def criterion_label(criterion: Criterion, lang: str) -> str:
    """The criterion's name, e.g. "Kundenstamm" / "Customer base"."""
    return t(f"criterion_{Criterion(criterion).value}", lang)


def criterion_meaning(criterion: Criterion, lang: str) -> str:
    """What the criterion asks of a partner, in one line."""
    return t(f"criterion_meaning_{Criterion(criterion).value}", lang)


def quadrant_name(quadrant: Quadrant, lang: str, audience: str = "partner") -> str:
    """The quadrant's name for partners ("Startklar – …") or, with audience "internal", the method's
    own names for managers ("Held der Arbeit", "Kandidat", …)."""
    return t(f"quadrant_{audience}_{Quadrant(quadrant).value}", lang)


def quadrant_label(survey: Survey, quadrant: Quadrant, lang: str) -> str:
    """The quadrant's name as the survey file chooses to show it to partners (its `labels` setting)."""
    return quadrant_name(quadrant, lang, survey.labels)


def quadrant_labels(survey: Survey, lang: str, labels: str = "partner") -> dict[Quadrant, str]:
    """The names of the four fields and of an undetermined result, as the chosen audience sees them.

    "partner" uses the survey's own choice (`quadrant_label`), "internal" the managers' names.
    """
    if labels == "internal":
        return {q: quadrant_name(q, lang, "internal") for q in Quadrant}
    return {q: quadrant_label(survey, q, lang) for q in Quadrant}


def partner_meaning(quadrant: Quadrant, lang: str) -> str:
    """What the quadrant means for the partner, in two sentences."""
    return t(f"quadrant_meaning_{Quadrant(quadrant).value}", lang)


def input_label(name: str, lang: str) -> str:
    """The catalog's name of a calculation-model input (a survey may set its own); the name itself
    when it is no input."""
    return catalog("de" if lang == "de" else "en").get(f"input_{name}", name)
