"""What the manager pages' filters offer: the surveys a manager can look at, the one to show first, the
stored contents of a selection, and the versions, events and days of a survey (pages never import the store).

Every function here raises StoreUnavailable when the database cannot be used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from trp_core.services.storage import store_errors
from trp_core.store import reads
from trp_core.store.reads import Choices, Filters
from trp_core.store.repository import NO_EVENT

if TYPE_CHECKING:
    from trp_core.method.survey import Survey
    from trp_core.store import Store
    from trp_core.store.reads import Bind

__all__ = ["NO_EVENT", "Choices", "Filters", "choices", "contents", "latest", "surveys", "versions"]


@store_errors()
def surveys(store: Store, published: Mapping[str, Survey]) -> dict[str, Survey]:
    """Every survey a manager can look at, by id: the published files, and those only the store still has."""
    found = dict(published)
    for info in reversed(store.snapshots()):  # newest first: the latest content of a survey wins
        if info.survey_id not in found:
            survey = store.snapshot(info.hash)
            if survey is not None:
                found[info.survey_id] = survey
    return dict(sorted(found.items()))


@store_errors()
def latest(store: Store, ids: Sequence[str]) -> str:
    """The survey whose newest content was first answered most recently, else the first."""
    answered = sorted(
        (info.first_seen, info.survey_id) for info in store.snapshots() if info.survey_id in ids
    )
    return answered[-1][1] if answered else ids[0]


@store_errors()
def contents(store: Store, current: Survey, version: str | None) -> tuple[Survey, list[Survey]]:
    """The content whose thresholds and sections the figures use, and every stored content of the
    selection (of one version, or of all), oldest first, for the export's columns.

    The figures use the current file; for another version, that version's newest stored content.
    """
    stored = [
        survey
        for info in store.snapshots(current.id)
        if (version is None or info.version == version) and (survey := store.snapshot(info.hash)) is not None
    ]
    if version is not None and current.version != version and stored:
        current = stored[-1]
    return current, stored or [current]


def versions(choices: Choices, current: Survey) -> list[str]:
    """The versions to offer, newest first: those answered, and the current file's even before it is."""
    answered = list(choices.versions)
    if current.version not in answered:
        answered.append(current.version)
    return answered[::-1]


@store_errors()
def choices(bind: Bind, survey_id: str) -> Choices:
    """The versions, event tags and first and last day of a survey's responses: what the filters offer."""
    return reads.choices(bind, survey_id)
