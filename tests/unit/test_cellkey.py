"""The cell-key method's p-table (trp_core.privacy.cellkey): bounded, unbiased, zero stays zero, never
below k, and a function of the set of responses only (its count and key sum)."""

from __future__ import annotations

from collections import Counter

import pytest

from trp_core.privacy import cellkey
from trp_core.privacy.cellkey import CELL_KEYS, NOISE, P_TABLE, perturb, shift


def test_every_row_covers_the_256_cell_keys_within_d():
    for row in P_TABLE.values():
        assert len(row) == CELL_KEYS
        assert all(abs(p) <= NOISE for p in row)
    assert NOISE == 2


@pytest.mark.parametrize("k", [3, 5, 10])
def test_the_shift_has_mean_zero_for_every_count_of_at_least_k(k):
    for n in range(k, k + 40):
        assert sum(shift(n, key, k) for key in range(CELL_KEYS)) == 0, n


@pytest.mark.parametrize("k", [3, 5, 10])
def test_zero_stays_zero_and_a_count_shown_is_never_below_k(k):
    for key in range(CELL_KEYS):
        assert perturb(0, key, k) == 0
        for n in range(k, k + 40):
            assert k <= perturb(n, key, k) <= n + NOISE
            assert perturb(n, key, k) >= n - NOISE


def test_large_counts_are_shifted_by_every_amount_up_to_d():
    shifts = Counter(shift(100, key, 5) for key in range(CELL_KEYS))
    assert set(shifts) == {-2, -1, 0, 1, 2}
    assert shifts[0] < CELL_KEYS / 2  # most large counts are shifted


def test_the_figure_depends_only_on_the_count_and_the_key_sum_modulo_256():
    for key_sum in (0, 17, 255, 256 + 17, 10 * 256 + 3):
        assert perturb(40, key_sum, 5) == perturb(40, key_sum % 256, 5)
    assert cellkey.cell_key(256 * 7 + 9) == 9
