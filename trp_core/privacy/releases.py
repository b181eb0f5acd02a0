"""Publishing in releases, so that two looks at the figures never differ by fewer than k responses
(PRIVACY.md, "Time").

A figure computed live changes with every response: a manager who watches the dashboard while a
visitor finishes at the stand sees the total move by one, and, since every count keeps its figure
while its responses stay the same, which count moved with it. Here the responses are published in
batches instead:

- A **stream** is one survey version, one language and one raw tag (or none): the finest cell that a
  filter without a period can select. Every filter choice without a period is a union of streams.
- Each stream has a **cut**: its responses of the days before the cut are published, the later ones
  wait. At a release (at most once a day, on the release day), a stream's cut moves to the release
  day only when at least k of its responses wait (of closed days: the release day itself is not
  published). So between any two releases a stream adds 0 or at least k responses, and every
  selection without a period adds a union of such batches: two looks differ by 0 or at least k
  responses per stream, whatever was asked in between.
- Every **batch** (the responses of one stream that one release publishes) is a set the intruder
  can form, by subtracting a stream's figures before a release from those after it; rule 3's lattice
  starts from the batches as its parts, so a view that would cut a batch into pieces of 1 to k - 1
  is not offered.
- A **period** (week, month, quarter) is offered once a release came after its end, and holds the
  responses published by that release: responses of the period that wait longer (a thin stream)
  count in every selection without a period when their stream is released, never in the period.
  So a period's figures never change once it is offered.
- Every selection without a period is a union of whole batches and so cuts none; the lattice
  decides on the periods in the order in which releases fixed them (`Lattice.candidates`), so a
  decision on a period depends only on what was fixed before it, and every later release takes the
  same decision again: what was published stays published, and nothing published later singles
  out, with something published before, fewer than k.

Pure: takes counts and cuts, returns cuts and the batches. The store keeps every cut
(`trp_core.store.releases`); the services read only published responses.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Final

CellCounts = Mapping[tuple[str, str, str, date], int]  # (survey version, language, raw tag, day) -> n
Stream = tuple[str, str, str]  # survey version, language, raw tag ("" for none)
Cuts = Mapping[Stream, date]  # per stream: its responses of the days before it are published

NEVER: Final = date.min  # the cut of a stream nothing of which is published yet


def stream_of(cell: tuple[str, str, str, date]) -> Stream:
    version, lang, tag, _ = cell
    return (version, lang, tag or "")


def waiting(counts: CellCounts, cuts: Cuts, day: date) -> Counter[Stream]:
    """Per stream, the responses of closed days (before `day`) that are not published yet."""
    out: Counter[Stream] = Counter()
    for cell, n in counts.items():
        stream = stream_of(cell)
        if n and cuts.get(stream, NEVER) <= cell[3] < day:
            out[stream] += n
    return out


def advance(counts: CellCounts, cuts: Cuts, day: date, k: int) -> dict[Stream, date]:
    """The cuts after a release on `day`: a stream whose waiting responses number at least k is cut at
    `day` (all of them published); the others keep their cut and wait for more."""
    out = dict(cuts)
    for stream, n in waiting(counts, cuts, day).items():
        if n >= k:
            out[stream] = day
    return out


def published(counts: CellCounts, cuts: Cuts) -> dict[tuple[str, str, str, date], int]:
    """The counts of the published responses only."""
    return {cell: n for cell, n in counts.items() if n and cell[3] < cuts.get(stream_of(cell), NEVER)}


History = Mapping[Stream, tuple[date, ...]]  # per stream, every cut it has had, in order


def record(history: History, cuts: Cuts) -> dict[Stream, tuple[date, ...]]:
    """The history with the cuts of a new release added (a stream whose cut did not move: unchanged)."""
    out = dict(history)
    for stream, cut in cuts.items():
        if not out.get(stream) or out[stream][-1] != cut:
            out[stream] = (*out.get(stream, ()), cut)
    return out


def latest(history: History) -> dict[Stream, date]:
    return {stream: cuts[-1] for stream, cuts in history.items() if cuts}


def release_days(history: History) -> list[date]:
    """The days of every release that published something."""
    return sorted({cut for cuts in history.values() for cut in cuts})


def published_by(history: History, stream: Stream, day: date) -> date | None:
    """The release that published a stream's responses of a day (None: not published yet)."""
    cuts = history.get(stream, ())
    i = bisect_right(cuts, day)  # the first cut after the day (the cuts are in order)
    return cuts[i] if i < len(cuts) else None


def as_of(history: History, day: date) -> dict[Stream, date]:
    """The cuts as they stood after the release of `day`."""
    out = {}
    for stream, cuts in history.items():
        before = [c for c in cuts if c <= day]
        if before:
            out[stream] = before[-1]
    return out


def batches(counts: CellCounts, history: History) -> dict[tuple[str, str, str, date], tuple[int, date]]:
    """For each published cell, the batch that published it: the responses of one stream that one
    release published together (at least k of them). Every batch is a set that the intruder can form
    (a stream's selection after a release minus the same before it), so the lattice starts from them
    (`Lattice(batches=...)`): a period that cuts a batch into pieces of 1 to k - 1 is not offered.
    Each with the day of its release."""
    ids: dict[tuple[Stream, date], int] = {}
    out: dict[tuple[str, str, str, date], tuple[int, date]] = {}
    for cell, n in counts.items():
        stream = stream_of(cell)
        cut = published_by(history, stream, cell[3])
        if n and cut is not None:
            out[cell] = (ids.setdefault((stream, cut), len(ids)), cut)
    return out
