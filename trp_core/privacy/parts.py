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

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

from trp_core.privacy.suppression import Published

P = TypeVar("P", bound=Hashable)

Shown = Mapping[Hashable, int | None]


def protect_parts(parts: Mapping[P, Published], k: int) -> dict[P, dict[Hashable, int | None]]:
    """Each part's figures as the minimum-group rule lets them be shown (None: hidden), each part on
    its own: the parts are disjoint, so what one shows tells nothing about another."""
    return {p: figures.protect(k) for p, figures in parts.items()}


def combine(shown: Iterable[Shown]) -> dict[Hashable, int | None]:
    """The figures of a view made of these parts: each the sum over the parts, None when any part
    hides it. A figure a part does not list is 0 there (shown)."""
    out: dict[Hashable, int] = {}
    hidden: set[Hashable] = set()
    for part in shown:
        for key, n in part.items():
            if n is None:
                hidden.add(key)
                out.setdefault(key, 0)
            else:
                out[key] = out.get(key, 0) + n
    return {key: None if key in hidden else n for key, n in out.items()}


def each_at_least(values: Mapping[P, int], k: int) -> dict[P, int | None]:
    """Figures that are no sum of one another (the funnel's steps, each counting sessions on its
    own): each of 1 to k − 1 hidden."""
    return {key: None if 0 < n < k else n for key, n in values.items()}
