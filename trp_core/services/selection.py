"""What the manager pages' filters offer: the surveys a manager can look at, the one to show first, the
stored contents of a selection, and the published views of a survey (trp_core.privacy.cells): which
tags, periods, languages and versions may be chosen, and what is shown for a choice that may not be.

Every function here that reads the store raises StoreUnavailable when the database cannot be used.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from trp_core.method.figures import Period
from trp_core.privacy import releases
from trp_core.privacy.cells import (
    GRANULARITIES,
    NO_TAG,
    Decision,
    Lattice,
    Outcome,
    PeriodCell,
    TagGroup,
    View,
)
from trp_core.privacy.suppression import min_group
from trp_core.services.storage import store_errors
from trp_core.store import reads
from trp_core.store import releases as store_releases
from trp_core.store.reads import Choices, Filters
from trp_core.store.repository import NO_EVENT

if TYPE_CHECKING:
    from trp_core.method.survey import Survey
    from trp_core.store import Store
    from trp_core.store.reads import Bind

__all__ = [
    "GRANULARITIES",
    "NO_EVENT",
    "Choices",
    "Decision",
    "Filters",
    "Lattice",
    "Outcome",
    "PeriodCell",
    "Selected",
    "TagGroup",
    "View",
    "choices",
    "contents",
    "latest",
    "lattice",
    "min_group",
    "select",
    "surveys",
    "versions",
    "view_for",
]


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
    """The versions, event tags and first and last day of a survey's responses."""
    return reads.choices(bind, survey_id)


# --- the published views ------------------------------------------------------------------------


_LATTICES: dict[tuple[Any, ...], Lattice] = {}
_KEEP: Final = 32  # lattices kept, newest last
_LOCK = threading.Lock()  # the sessions of a Streamlit server are threads of one process


@store_errors()
def lattice(bind: Bind, survey_id: str, *, k: int | None = None, today: date | None = None) -> Lattice:
    """The published views of a survey's responses as they stand after today's release
    (trp_core.privacy.releases: the first look of a day makes it, publishing every stream with at
    least k responses waiting). Looked up by the state of the data (`reads.fingerprint`) and of the
    releases; after a change, the cell counts are read again (one GROUP BY over the roll-ups), and the
    lattice is built only when what it publishes changed: a response of today waits for tomorrow's
    release, so it costs a look one read, not a new lattice."""
    k = min_group(k)
    day = today or release_day()
    history = store_releases.history(bind, survey_id, "responses")
    key = (*reads.fingerprint(bind, survey_id), k, day, _signature(history))
    with _LOCK:
        found = _LATTICES.get(key)
    if found is None:
        counts = reads.cell_counts(bind, survey_id)
        history = _release(bind, survey_id, "responses", counts, history, day, k)
        found = _built(("responses", str(reads.engine_of(bind).url), survey_id), counts, k, history)
        with _LOCK:
            _LATTICES[(*key[:-1], _signature(history))] = found
            _trim(_LATTICES)
    return found


_BUILT: dict[tuple[Any, ...], Lattice] = {}  # by what a lattice publishes


def _built(
    where: tuple[Any, ...],
    counts: releases.CellCounts,
    k: int,
    history: releases.History,
    groups: Sequence[TagGroup] | None = None,
) -> Lattice:
    """The lattice of these counts under these releases: it depends only on the published counts,
    the streams and the cuts (and the tag groups given), so one built for the same is used again."""
    published = releases.published(counts, releases.latest(history))
    streams = frozenset(releases.stream_of(c) for c, n in counts.items() if n)
    key = (
        *where,
        k,
        None if groups is None else tuple((g.id, tuple(sorted(g.members))) for g in groups),
        tuple(sorted(history.items())),
        streams,
        frozenset(published.items()),
    )
    with _LOCK:
        found = _BUILT.get(key)
    if found is None:
        found = Lattice(counts, k, groups=groups, history=history)
        with _LOCK:
            _BUILT[key] = found
            _trim(_BUILT)
    return found


def _trim(cache: dict[tuple[Any, ...], Lattice]) -> None:
    while len(cache) > _KEEP:
        del cache[next(iter(cache))]


def release_day() -> date:
    """The day of today's release: it publishes the responses of the days before."""
    return date.today()


def _signature(history: releases.History) -> tuple[Any, ...]:
    return tuple(sorted((s, cuts[-1], len(cuts)) for s, cuts in history.items()))


def _release(
    bind: Bind,
    survey_id: str,
    kind: store_releases.Kind,
    counts: releases.CellCounts,
    history: releases.History,
    day: date,
    k: int,
) -> releases.History:
    """Today's release: the streams with at least k responses (or sessions) waiting get their cut,
    stored before anything of them is shown."""
    before = releases.latest(history)
    cuts = releases.advance(counts, before, day, k)
    moved = {s: c for s, c in cuts.items() if before.get(s) != c}
    if not moved:
        return history
    store_releases.record(bind, survey_id, kind, moved)
    return releases.record(history, cuts)


@store_errors()
def sessions_lattice(
    bind: Bind, survey_id: str, sizes: releases.CellCounts, lat: Lattice, *, today: date | None = None
) -> Lattice:
    """The published views of a survey's sessions (the funnel): released per tag like the responses,
    a lattice of their own with the responses' tag groups."""
    day = today or release_day()
    history = store_releases.history(bind, survey_id, "sessions")
    history = _release(bind, survey_id, "sessions", sizes, history, day, lat.k)
    return _built(("sessions", str(reads.engine_of(bind).url), survey_id), sizes, lat.k, history, lat.groups)


def view_for(
    lat: Lattice,
    *,
    version: str | None = None,
    lang: str | None = None,
    tag: str | None = None,
    period: Period | None = None,
    since: date | None = None,
    until: date | None = None,
) -> View:
    """The view a choice of filters asks for: a tag (a slug, "none", or a group id) stands for its
    group; the days since..until for the one whole period of the given kind (default: month) that
    holds them, else the next coarser one that does, else all periods."""
    group = None if tag is None else (lat.group(tag) or f"unknown:{tag}")
    cell = None
    if since is not None or until is not None:
        first, last = since or until, until or since
        assert first is not None and last is not None
        kinds = GRANULARITIES[: GRANULARITIES.index(period or Period.MONTH) + 1][::-1]
        for kind in kinds:
            if PeriodCell.of(first, kind).contains(last):
                cell = PeriodCell.of(first, kind)
                break
    return View(version, lang, group, cell)


def filters_for(survey_id: str, lat: Lattice, view: View) -> Filters:
    """The store's filters that select exactly the responses of a view."""
    events = None
    if view.tag is not None:
        group = next((g for g in lat.groups if g.id == view.tag), None)
        members = (
            () if group is None else tuple(sorted(NO_EVENT if m == NO_TAG else m for m in group.members))
        )
        events = members
    p = view.period
    cuts = lat.cuts(view)
    return Filters(
        survey=survey_id,
        version=view.version,
        lang=view.lang,  # type: ignore[arg-type]
        events=events,
        since=None if p is None else p.start,
        until=None if p is None else p.end,
        released=None if cuts is None else released(cuts, lat.streams),
    )


def released(
    cuts: Mapping[releases.Stream, date], streams: Collection[releases.Stream]
) -> tuple[date, tuple[tuple[str, str, str, date | None], ...]]:
    """The store's form of the cuts (Filters.released): the latest cut, and every stream (of all
    those stored) that is not published up to it, with its own cut or None."""
    until = max(cuts.values(), default=date.min)
    exceptions = [
        (v, lang, NO_EVENT if tag == NO_TAG else tag, cuts.get((v, lang, tag)))
        for v, lang, tag in sorted(set(streams) | set(cuts))
        if cuts.get((v, lang, tag)) != until
    ]
    return until, tuple(exceptions)


@dataclass(frozen=True)
class Selected:
    """What a choice of filters publishes: the decision, and the store's filters of the view shown."""

    decision: Decision
    filters: Filters | None  # None: withheld
    lattice: Lattice

    @property
    def view(self) -> View | None:
        return self.decision.shown

    @property
    def withheld(self) -> bool:
        return self.decision.outcome is Outcome.WITHHELD

    def published(self, view: View) -> bool:
        """Whether a view is published (a view that holds nobody is)."""
        return self.lattice.published.get(view, True)

    @property
    def released(self) -> date | None:
        """The day of the release whose figures are shown: the latest, or for a period the one that
        fixed it (trp_core.privacy.releases); None before the first release."""
        lat, view = self.lattice, self.view
        if view is not None and view.period is not None:
            return lat.frozen(view.period)
        return lat.release_days[-1] if lat.release_days else None


@store_errors()
def select(bind: Bind, survey_id: str, asked: View, *, k: int | None = None) -> Selected:
    """The view to show for a choice of filters (trp_core.privacy.cells.Lattice.resolve)."""
    lat = lattice(bind, survey_id, k=k)
    decision = lat.resolve(asked)
    shown = decision.shown
    return Selected(decision, None if shown is None else filters_for(survey_id, lat, shown), lat)
