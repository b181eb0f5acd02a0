"""The minimum-group rule per part (PRIVACY.md, rule 4).

The published views (`cells.Lattice`) cut the responses into parts: the smallest sets that can be
formed from them, each of 0 or at least k responses. Every view is a union of parts, so a figure of
a view is the sum of the same figure over its parts, and the difference of two views is a union of
parts too. The minimum-group rule therefore runs once per part, with the part's own sums
(`suppression.Published`), and a view shows a figure only when every one of its parts shows it:
every view hides the same figures of a part, so that no subtraction of two views brings out a
count of 1 to k − 1 that a part hides. Pure: takes counts, returns what may be shown.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable, Mapping
from typing import Final, TypeVar

from trp_core.privacy.suppression import Published, protect

P = TypeVar("P", bound=Hashable)

_HIDDEN: dict[tuple[object, ...], frozenset[Hashable]] = {}
_KEEP: Final = 20_000  # parts remembered, newest last
_LOCK = threading.Lock()


def hidden_in_part(figures: Published, k: int) -> frozenset[Hashable]:
    """The figures of one part that the minimum-group rule hides (with complementary suppression
    over the part's own sums). The parts are disjoint, so what one shows tells nothing about
    another. A part without a figure of 1 to k − 1 hides nothing; the others are remembered by
    their figures, since the same part comes back in every view that holds it."""
    if not any(0 < n < k for n in figures.values.values()):
        return frozenset()
    key = (k, tuple(figures.values.items()), tuple(figures.lines), tuple(figures.cost.items()))
    with _LOCK:
        found = _HIDDEN.get(key)
    if found is None:
        found = protect(figures.values, figures.lines, k, figures.cost)
        with _LOCK:
            _HIDDEN[key] = found
            while len(_HIDDEN) > _KEEP:
                del _HIDDEN[next(iter(_HIDDEN))]
    return found


def combine(values: Mapping[P, int], hidden: Iterable[frozenset[Hashable]]) -> dict[P, int | None]:
    """The figures of a view made of parts: `values` the sums over its parts, `hidden` what each
    part hides; a figure is shown only when no part hides it."""
    out: dict[P, int | None] = dict(values)
    for part in hidden:
        for key in part:
            if key in out:
                out[key] = None  # type: ignore[index]
    return out


def each_at_least(values: Mapping[P, int], k: int) -> dict[P, int | None]:
    """Figures that are no sum of one another (the funnel's steps, each counting sessions on its
    own): each of 1 to k − 1 hidden."""
    return {key: None if 0 < n < k else n for key, n in values.items()}
