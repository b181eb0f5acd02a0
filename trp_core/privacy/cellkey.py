"""The cell-key method (Australian Bureau of Statistics, TableBuilder; the 2021 census flexible tables
for England and Wales) for the counts inside a published selection (PRIVACY.md, rule 4).

Every response carries a random record key, 0..255, given when it is stored and never shown. The
cell key of a count is the sum of the record keys of the responses it counts, modulo 256: it depends
only on that set of responses, so the same set shows the same figure in every selection, on every
read, from the roll-ups or from the responses. A count n is published as n + p(n, cell key), p read
from a fixed table (`P_TABLE`, below), so that two selections that differ by one part no longer give
that part's counts exactly by subtraction.

The table, for every n, over the 256 cell keys:

- n = 0 stays 0 (nobody is nobody), and no count above 0 becomes 0;
- |p| <= D = 2, and p has mean 0 over the keys for every n >= k (so perturbation adds no bias);
- n + p is never below k for n >= k: a count shown is never one that rule 4 would hide, so a small
  count never appears, and rule 4 decides on the true count as before (counts of 1 to k - 1 are
  hidden, and never perturbed into view):
  n = k: p = 0; n = k + 1: p = -1 (112 keys), 0 (64), +1 (48), +2 (32);
  n >= k + 2: p = -2 (48 keys), -1 (48), 0 (64), +1 (48), +2 (48).
"""

from __future__ import annotations

from typing import Final

NOISE: Final = 2  # D: the most a count is shifted, either way
CELL_KEYS: Final = 256  # record keys and cell keys are 0..255

# (p, how many of the 256 cell keys give it), in the order of the keys.
_ROW_K1: Final = ((-1, 112), (0, 64), (1, 48), (2, 32))
_ROW_FULL: Final = ((-2, 48), (-1, 48), (0, 64), (1, 48), (2, 48))


def _row(spec: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    row = tuple(p for p, times in spec for _ in range(times))
    assert len(row) == CELL_KEYS
    return row


P_TABLE: Final[dict[str, tuple[int, ...]]] = {
    "k": (0,) * CELL_KEYS,  # n = k (and 0; a count of 1 to k - 1 is never shown)
    "k+1": _row(_ROW_K1),
    "k+2 and more": _row(_ROW_FULL),
}


def cell_key(key_sum: int) -> int:
    """The cell key of a count: the sum of its responses' record keys, modulo 256."""
    return int(key_sum) % CELL_KEYS


def shift(n: int, key_sum: int, k: int) -> int:
    """p(n, cell key): how much a count n of responses whose record keys add up to `key_sum` is shifted."""
    if n <= k:  # 0 stays 0; k is shown as it is; 1 to k - 1 is hidden by rule 4 and never shown
        return 0
    row = P_TABLE["k+1"] if n == k + 1 else P_TABLE["k+2 and more"]
    return row[cell_key(key_sum)]


def perturb(n: int, key_sum: int, k: int) -> int:
    """The count as published: n + p(n, cell key). The same set of responses (the same n and key sum)
    always gives the same figure."""
    return n + shift(n, key_sum, k)


__all__ = ["CELL_KEYS", "NOISE", "P_TABLE", "cell_key", "perturb", "shift"]
