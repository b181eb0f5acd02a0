"""The minimum-group rule of DESIGN.md, applied to every figure a manager sees (`protect`):

- a group of fewer than k responses (k from TRP_MIN_GROUP, default 5, never below 3) is hidden;
- every published sum (a total, a quadrant count that is also the sum of its heat-map cells, a
  row or column of a table) is a `Line`: when one of its entries is hidden, another is hidden
  too (the next smallest), so that no hidden entry can be worked out from what is shown, and
  the hidden members of a line whose total is shown add up to at least k;
- free text only for groups of at least 10 (`FREE_TEXT_MIN`), and never a single response.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

import numpy as np

from trp_core.settings import get_settings

MIN_GROUP_DEFAULT: Final = 5
MIN_GROUP_FLOOR: Final = 3
FREE_TEXT_MIN: Final = 10
FREE_TEXT_LIMIT: Final = 300  # texts shown at most, per question

K = TypeVar("K", bound=Hashable)


def min_group(k: int | None = None) -> int:
    """k of the minimum-group rule: the argument, else TRP_MIN_GROUP (default 5); never below 3."""
    value = get_settings().min_group if k is None else k
    return max(MIN_GROUP_FLOOR, int(value))


@dataclass(frozen=True, slots=True)
class Line:
    """A published sum: `total` = Σ `members`. Whoever sees all but one of them can work out the last."""

    total: Hashable
    members: tuple[Hashable, ...]


def protect(
    values: Mapping[Hashable, int],
    lines: Iterable[Line],
    k: int,
    cost: Mapping[Hashable, float] | None = None,
) -> frozenset[Hashable]:
    """The entries to hide, so that no group of fewer than k responses can be seen or worked out.

    1. Every entry of 1 to k − 1 is hidden. A zero is shown: it is nobody.
    2. Then, over every line until nothing changes: a line with a hidden entry needs a second
       one, and when its total is shown, hidden members that add up to at least k; otherwise
       one more of its shown entries above zero is hidden: the one that costs least to lose
       (`cost`, default 1 each), of those the smallest, of those the first (the total last).
    3. Lines share entries (the total, the quadrant counts), so a hidden entry might still follow
       from several lines together: `derivable` checks the whole system of sums, and while it
       finds one, one more entry on a line through it is hidden and step 2 runs again; when no
       line through it has an entry above zero left, every shown entry of those lines (zeros too)
       is hidden, and when nothing is left at all, every entry is.
    """
    if k < MIN_GROUP_FLOOR:
        raise ValueError(f"k must be at least {MIN_GROUP_FLOOR}")
    lines = [line for line in lines if line.members]
    order = {key: i for i, key in enumerate(values)}
    hidden = {key for key, n in values.items() if 0 < n < k}
    cost = cost or {}
    while True:
        _secondary(values, lines, hidden, k, cost)
        determined = derivable(lines, hidden, order)
        if not determined:
            return frozenset(hidden)
        # The line rule missed a combination of lines: hide one more entry beside the first such one.
        for line in lines:
            if determined[0] in (line.total, *line.members) and _hide_one_more(values, line, hidden, cost):
                break
        else:
            # Nothing above zero is left to hide beside it: it follows through shown zeros or a chain
            # of lines. Hide everything still shown on the lines through any determined entry, zeros
            # included; with nothing left to hide at all, none of these figures is published.
            more = {
                key
                for line in lines
                if any(d == line.total or d in line.members for d in determined)
                for key in (line.total, *line.members)
                if key not in hidden
            }
            if not more:
                return frozenset(values)
            hidden |= more


def derivable(
    lines: Iterable[Line], hidden: set[Hashable] | frozenset[Hashable], order: Mapping[Hashable, int]
) -> list[Hashable]:
    """The hidden entries that the published sums determine exactly (linear algebra over the lines)."""
    unknown = sorted(hidden, key=lambda key: order[key])
    if not unknown:
        return []
    column = {key: j for j, key in enumerate(unknown)}
    rows = []
    for line in lines:
        row = np.zeros(len(unknown))
        if line.total in column:
            row[column[line.total]] -= 1
        for m in line.members:
            if m in column:
                row[column[m]] += 1
        if row.any():
            rows.append(row)
    if not rows:
        return []
    _, singular, vt = np.linalg.svd(np.array(rows), full_matrices=True)
    rank = int((singular > 1e-9).sum())
    free = vt[rank:]  # a basis of what the sums leave open
    return [key for j, key in enumerate(unknown) if not np.any(np.abs(free[:, j]) > 1e-9)]


def _hide_one_more(
    values: Mapping[Hashable, int], line: Line, hidden: set[Hashable], cost: Mapping[Hashable, float]
) -> bool:
    entries = [*line.members, line.total]
    shown = [
        (cost.get(key, 1.0), values[key], i, key)
        for i, key in enumerate(entries)
        if key not in hidden and values[key] > 0
    ]
    if not shown:  # only zeros left beside a hidden total: nothing more to hide on this line
        return False
    hidden.add(min(shown)[3])
    return True


def _secondary(
    values: Mapping[Hashable, int],
    lines: list[Line],
    hidden: set[Hashable],
    k: int,
    cost: Mapping[Hashable, float],
) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            members = [m for m in line.members if m in hidden]
            total_hidden = line.total in hidden
            count = len(members) + total_hidden
            if count == 0:
                continue
            hidden_sum = sum(values[m] for m in members)
            if count >= 2 and (total_hidden or hidden_sum >= k):
                continue
            changed = _hide_one_more(values, line, hidden, cost) or changed


@dataclass(frozen=True)
class Breakdown(Generic[K]):
    """A breakdown as it may be shown: None for a hidden cell or total."""

    cells: dict[K, int | None]
    total: int | None


_TOTAL: Final = object()


def suppress(counts: Mapping[K, int], k: int | None = None) -> Breakdown[K]:
    """One breakdown of counts under the minimum-group rule (see `protect`)."""
    k = min_group(k)
    values: dict[Hashable, int] = {**counts, _TOTAL: sum(counts.values())}
    hidden = protect(values, [Line(_TOTAL, tuple(counts))], k)
    return Breakdown(
        cells={c: None if c in hidden else n for c, n in counts.items()},
        total=None if _TOTAL in hidden else values[_TOTAL],
    )


def free_text_min(k: int | None = None) -> int:
    """The smallest group whose free-text answers may be shown: FREE_TEXT_MIN, or k if larger."""
    return max(FREE_TEXT_MIN, min_group(k))


class Published:
    """Figures published together and the sums among them, collected for `protect` in the order
    given (the order decides which entry goes first when two would do)."""

    def __init__(self) -> None:
        self.values: dict[Hashable, int] = {}
        self.lines: list[Line] = []
        self.cost: dict[Hashable, float] = {}

    def add(self, key: Hashable, n: int, cost: float | None = None) -> None:
        """A figure; `cost`: how much it matters to show it (default 1; see `protect`)."""
        self.values[key] = n
        if cost is not None:
            self.cost[key] = cost

    def sum(self, total: Hashable, members: Iterable[Hashable]) -> None:
        """`total` is published as the sum of `members`."""
        self.lines.append(Line(total, tuple(members)))

    def protect(self, k: int) -> dict[Hashable, int | None]:
        """Every figure as it may be shown: None where the minimum-group rule hides it."""
        hidden = protect(self.values, self.lines, k, self.cost)
        return {key: None if key in hidden else n for key, n in self.values.items()}
