"""The fixed cells behind everything published (PRIVACY.md): tags merged into groups of at least k,
whole periods, and the views (filter choices) that may be published without letting anyone work out
a group of fewer than k responses by subtracting published figures from each other.

Pure: takes counts, returns decisions. The services read the counts and apply the decisions.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from itertools import product
from typing import Final

import numpy as np

from trp_core.method.figures import Period, period_end, period_label, period_start
from trp_core.privacy import releases

NO_TAG: Final = ""  # the raw tag of a response stored without one
GROUP_NONE: Final = "none"  # the group of untagged responses
GROUP_OTHER: Final = "other"  # tags below k, merged
UNGROUPED: Final = "~"  # a raw tag outside the given groups (Lattice(groups=...)): never offered alone
GRANULARITIES: Final = (Period.QUARTER, Period.MONTH, Period.WEEK)  # coarsest first
# How finely a filter cuts, for the order in which views are considered: the coarse ones first, so
# that when two views cannot both be published, the one that keeps more responses together is.
FINENESS: Final = {Period.QUARTER: 1, Period.MONTH: 2, Period.WEEK: 4}

CellCounts = releases.CellCounts  # (survey version, language, raw tag, day) -> responses


@dataclass(frozen=True)
class TagGroup:
    """A tag as it may be filtered on: one tag of at least k responses, or tags merged until they are."""

    id: str  # a tag's slug, "none", "other", or such ids joined by "+"
    members: frozenset[str]  # raw tags; NO_TAG for untagged responses
    count: int

    @property
    def parts(self) -> list[str]:
        return self.id.split("+")

    @property
    def merged(self) -> bool:
        return "+" in self.id or self.id == GROUP_OTHER


def tag_groups(counts: Mapping[str, int], k: int) -> list[TagGroup]:
    """Every tag of at least k responses on its own; the smaller ones together as "other tags"; and
    while a group is still below k, it is merged into the smallest other group (so "all" = "no tag" +
    each group always splits into parts of at least k, or of none)."""
    own = sorted(t for t, n in counts.items() if t != NO_TAG and n >= k)
    small = sorted(t for t, n in counts.items() if t != NO_TAG and 0 < n < k)
    groups: list[tuple[str, set[str], int]] = []
    if counts.get(NO_TAG, 0) > 0:
        groups.append((GROUP_NONE, {NO_TAG}, counts[NO_TAG]))
    groups += [(t, {t}, counts[t]) for t in own]
    if small:
        groups.append((GROUP_OTHER, set(small), sum(counts[t] for t in small)))
    while len(groups) > 1:
        below = [g for g in groups if g[2] < k]
        if not below:
            break
        g = min(below, key=lambda x: (x[2], x[0]))
        groups.remove(g)
        i, into = min(enumerate(groups), key=lambda x: (x[1][2], x[1][0]))
        groups[i] = (f"{into[0]}+{g[0]}", into[1] | g[1], into[2] + g[2])
    return [TagGroup(i, frozenset(m), n) for i, m, n in groups]


@dataclass(frozen=True, order=True)
class PeriodCell:
    """A whole ISO week, month or quarter."""

    period: Period
    start: date

    @classmethod
    def of(cls, day: date, period: Period) -> PeriodCell:
        return cls(period, period_start(day, period))

    @property
    def end(self) -> date:
        return period_end(self.start, self.period)

    @property
    def label(self) -> str:
        return period_label(self.start, self.period)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class View:
    """One choice of the filters: None in a field means "all"."""

    version: str | None = None
    lang: str | None = None
    tag: str | None = None  # a TagGroup id
    period: PeriodCell | None = None

    @property
    def depth(self) -> int:
        return sum(x is not None for x in (self.version, self.lang, self.tag, self.period))

    def coarser(self) -> list[View]:
        """The views one step wider, in the order a coarsening tries them: the period first (week to
        month to quarter to all), then the tag, the language, the version."""
        out: list[View] = []
        p = self.period
        if p is not None:
            wider = GRANULARITIES[: GRANULARITIES.index(p.period)]
            out += [replace(self, period=PeriodCell.of(p.start, g)) for g in reversed(wider)]
            out.append(replace(self, period=None))
        for field in ("tag", "lang", "version"):
            if getattr(self, field) is not None:
                out.append(replace(self, **{field: None}))
        return out


class Outcome(StrEnum):
    SHOWN = "shown"  # the view as asked
    COARSENED = "coarsened"  # a wider view instead
    WITHHELD = "withheld"  # nothing


@dataclass(frozen=True)
class Decision:
    asked: View
    shown: View | None
    outcome: Outcome


@dataclass(frozen=True)
class Atom:
    version: str
    lang: str
    tag: str  # group id
    week: date
    month: date
    batch: int = 0  # the release batch (trp_core.privacy.releases.batches); no view filters on it
    released: date | None = None  # the day of the release that published it

    def within(self, view: View) -> bool:
        if view.version is not None and view.version != self.version:
            return False
        if view.lang is not None and view.lang != self.lang:
            return False
        if view.tag is not None and view.tag != self.tag:
            return False
        p = view.period
        if p is None:
            return True
        if p.period is Period.WEEK:
            return p.start == self.week
        if p.period is Period.MONTH:
            return p.start == self.month
        return p.start == period_start(self.month, Period.QUARTER)


class Lattice:
    """The published views of one survey's responses.

    The candidate views (every combination of "all" or one value per filter) are taken widest first,
    coarse periods before fine ones. A view is published when, together with the views published
    before it, every group of responses that the published counts single out (the smallest sets that
    every published figure either wholly holds or wholly leaves out, found by linear algebra over all
    of them, not only pairs) still holds 0 or at least k responses. This is the differencing
    protection, taken over every combination of subtractions at once.
    """

    def __init__(
        self,
        counts: CellCounts,
        k: int,
        groups: Sequence[TagGroup] | None = None,
        *,
        history: releases.History | None = None,
    ):
        """`groups`: the tag groups to use instead of those the counts would form (the sessions'
        lattice takes the responses' groups, so that a tag filter means the same for both); a raw
        tag in none of them falls into UNGROUPED, which no view offers but "all" holds.

        `history`: the cuts of every release (trp_core.privacy.releases); then `counts` are those of
        every stored response and the lattice publishes only the released ones. The parts start as
        the release batches, which the intruder can form by subtracting two releases. A period is
        offered once a release came after its end, and holds the responses published by then:
        responses of it published later are in no view of the period, so that its figures never
        change. Periods are decided in the order in which releases fixed them (`candidates`), so a
        later release takes the same decisions on them again."""
        self.k = k
        self.history = history
        self.releases = history is not None
        self.release_days = [] if history is None else releases.release_days(history)
        batches = None
        self.streams: frozenset[releases.Stream] = frozenset(
            releases.stream_of(c) for c, n in counts.items() if n
        )
        if history is not None:
            counts = releases.published(counts, releases.latest(history))
            batches = releases.batches(counts, history)
        by_tag: Counter[str] = Counter()
        for (_, _, tag, _), n in counts.items():
            by_tag[tag or NO_TAG] += n
        self.groups = tag_groups(by_tag, k) if groups is None else list(groups)
        self._group_of = {m: g.id for g in self.groups for m in g.members}
        atoms: Counter[Atom] = Counter()
        for (version, lang, tag, day), n in counts.items():
            if n:
                batch, released = (0, None) if batches is None else batches[(version, lang, tag, day)]
                atoms[self._atom(version, lang, tag, day, batch=batch, released=released)] += n
        self.atoms = list(atoms)
        self.sizes = np.array([atoms[a] for a in self.atoms], dtype=np.int64)
        self.total = int(self.sizes.sum())
        self.versions = sorted({a.version for a in self.atoms})
        self.langs = sorted({a.lang for a in self.atoms})
        periods = {
            Period.WEEK: {PeriodCell(Period.WEEK, a.week) for a in self.atoms},
            Period.MONTH: {PeriodCell(Period.MONTH, a.month) for a in self.atoms},
            Period.QUARTER: {PeriodCell.of(a.month, Period.QUARTER) for a in self.atoms},
        }
        self.periods: dict[Period, list[PeriodCell]] = {
            g: sorted(c for c in cells if not self.releases or self.frozen(c) is not None)
            for g, cells in periods.items()
        }
        # Each atom's fields as arrays, for `members` (a view's atoms by a few array comparisons).
        self._columns = {
            "version": np.array([a.version for a in self.atoms], dtype=object),
            "lang": np.array([a.lang for a in self.atoms], dtype=object),
            "tag": np.array([a.tag for a in self.atoms], dtype=object),
            Period.WEEK: np.array([a.week.toordinal() for a in self.atoms], dtype=np.int64),
            Period.MONTH: np.array([a.month.toordinal() for a in self.atoms], dtype=np.int64),
            Period.QUARTER: np.array(
                [period_start(a.month, Period.QUARTER).toordinal() for a in self.atoms], dtype=np.int64
            ),
            "released": np.array(
                [a.released.toordinal() if a.released is not None else 0 for a in self.atoms], dtype=np.int64
            ),
        }
        self.published = self._protect()

    def group(self, tag: str | None) -> str | None:
        """The group a raw tag ("" or "none": untagged) or a group id belongs to; None when unknown."""
        if tag in (None, GROUP_NONE):
            tag = NO_TAG
        for g in self.groups:
            if tag == g.id or tag in g.members:
                return g.id
        return None

    def candidates(self) -> list[View]:
        periods = [None, *(p for g in GRANULARITIES for p in self.periods[g])]
        views = [
            View(v, lang, tag, p)
            for v, lang, tag, p in product(
                [None, *self.versions], [None, *self.langs], [None, *(g.id for g in self.groups)], periods
            )
        ]

        def rank(view: View) -> tuple[int, int]:
            fine = FINENESS[view.period.period] if view.period is not None else 0
            fine += (view.tag is not None) + (view.lang is not None) + (view.version is not None)
            return view.depth, fine

        if not self.releases:
            return sorted(views, key=rank)  # stable: the product's own order within a rank

        def released(view: View) -> tuple[bool, date, int, int]:
            # With releases, the periods in the order in which releases fixed them: a decision on a
            # period then depends only on the batches and periods fixed before it, so every later
            # release takes the same decision on it again (what was published stays published).
            if view.period is None:
                return (False, date.min, *rank(view))
            frozen = self.frozen(view.period)
            assert frozen is not None  # self.periods holds only the fixed ones
            return (True, frozen, *rank(view))

        return sorted(views, key=released)

    def frozen(self, period: PeriodCell) -> date | None:
        """The release that fixed a period's responses: the first after its end (None: none yet)."""
        i = bisect_right(self.release_days, period.end)
        return self.release_days[i] if i < len(self.release_days) else None

    def holds(self, view: View, atom: Atom) -> bool:
        if not atom.within(view):
            return False
        if not self.releases or view.period is None:
            return True
        frozen = self.frozen(view.period)
        return frozen is not None and atom.released is not None and atom.released <= frozen

    def members(self, view: View) -> np.ndarray:
        """Which atoms a view holds (as `holds`, for all atoms at once), as 0.0 or 1.0."""
        c = self._columns
        mask = np.ones(len(self.atoms), dtype=bool)
        for field in ("version", "lang", "tag"):
            value = getattr(view, field)
            if value is not None:
                mask &= c[field] == value
        p = view.period
        if p is not None:
            mask &= c[p.period] == p.start.toordinal()
            if self.releases:
                frozen = self.frozen(p)
                if frozen is None:
                    mask[:] = False
                else:
                    mask &= (c["released"] > 0) & (c["released"] <= frozen.toordinal())
        return mask.astype(float)

    def _atom(
        self, version: str, lang: str, tag: str, day: date, *, batch: int = 0, released: date | None = None
    ) -> Atom:
        w, m = period_start(day, Period.WEEK), period_start(day, Period.MONTH)
        return Atom(version, lang, self._group_of.get(tag or NO_TAG, UNGROUPED), w, m, batch, released)

    def within(self, view: View, version: str, lang: str, tag: str, day: date) -> bool:
        """Whether the published responses of a version, language, raw tag and day belong to a view."""
        released = None
        if self.history is not None:
            released = releases.published_by(self.history, (version, lang, tag or NO_TAG), day)
            if released is None:
                return False
        return self.holds(view, self._atom(version, lang, tag, day, released=released))

    def cuts(self, view: View) -> dict[releases.Stream, date] | None:
        """The cuts that select a view's responses (None: no releases, every response): the latest,
        or for a period those of the release that fixed it."""
        if self.history is None:
            return None
        if view.period is None:
            return releases.latest(self.history)
        frozen = self.frozen(view.period)
        return {} if frozen is None else releases.as_of(self.history, frozen)

    def _protect(self) -> dict[View, bool]:
        out: dict[View, bool] = {}
        # One part before anything is published; with releases, one part per release batch.
        labels = np.array([a.batch for a in self.atoms], dtype=np.int64)
        for view in self.candidates():
            # The parts that the published views cut the responses into: the smallest sets that can
            # be formed from them by intersection, union and difference.
            _, refined = np.unique(
                np.stack([labels, self.members(view).astype(np.int64)]), axis=1, return_inverse=True
            )
            refined = refined.reshape(-1)
            sums = np.bincount(refined, weights=self.sizes)
            out[view] = bool(np.all((sums == 0) | (sums >= self.k)))
            if out[view]:
                labels = refined
        return out

    def count(self, view: View) -> int:
        return int(self.sizes[self.members(view) > 0].sum())

    def resolve(self, asked: View) -> Decision:
        """The view as asked when it is published, else the first published of its coarser views,
        else nothing."""
        if asked not in self.published or self.published[asked]:  # not a candidate: it holds nobody
            return Decision(asked, asked, Outcome.SHOWN)
        seen: set[View] = set()
        todo = asked.coarser()
        while todo:
            view = todo.pop(0)
            if view in seen:
                continue
            seen.add(view)
            if self.published.get(view, False):
                return Decision(asked, view, Outcome.COARSENED)
            todo += view.coarser()
        return Decision(asked, None, Outcome.WITHHELD)

    def offered(self) -> Iterable[View]:
        return (v for v, ok in self.published.items() if ok)
