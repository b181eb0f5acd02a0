"""What the manager pages' filters offer: the surveys a manager can look at, the one to show first, the
stored contents of a selection, the versions, events and days of a survey (pages never import the store), and
the days a bookmarked address asks for, kept inside the days on offer.

Every function here raises StoreUnavailable when the database cannot be used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from trp_core.services.storage import store_errors
from trp_core.store import reads
from trp_core.store.reads import Choices, Filters
from trp_core.store.repository import NO_EVENT

if TYPE_CHECKING:
    from trp_core.method.survey import Survey
    from trp_core.store import Store
    from trp_core.store.reads import Bind

__all__ = [
    "NO_EVENT", "Choices", "Filters", "choices", "contents", "date_range", "latest", "surveys", "versions",
]  # fmt: skip


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


def date_range(since: str | None, until: str | None, first: date, last: date) -> tuple[date, date, bool]:
    """The days an address's f_since and f_until ask for, inside the offered days `first`..`last`.

    A missing value means the first or last offered day; a value that is no date is left out; a day
    outside the offered ones is moved to the nearest offered one, and a range that misses them all
    becomes all of them. The flag says whether anything given had to be changed, so that the page
    says so once (a date picker given a day outside its range would stop the page with an error).
    """
    adjusted = False

    def parse(raw: str | None) -> date | None:
        nonlocal adjusted
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw.strip()[:10])
        except ValueError:
            adjusted = True
            return None

    start, end = parse(since) or first, parse(until) or last
    start, end = min(start, end), max(start, end)
    if end < first or start > last:
        return first, last, True
    if start < first or end > last:
        adjusted = True
    return max(start, first), min(end, last), adjusted
