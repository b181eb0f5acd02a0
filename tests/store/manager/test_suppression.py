"""The minimum-group rule: the algorithm on its own, and every rule on crafted data in both databases."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.store.manager.conftest import add, add_quadrants, answers_for
from trp_core.method.vocabulary import Quadrant
from trp_core.privacy import suppression
from trp_core.services import calibrate as calibration
from trp_core.services import dashboard as ds
from trp_core.store import reads

# --- an independent check: can a hidden entry be worked out from the published sums? ---------------


def worked_out(
    values: dict[Hashable, int], lines: list[suppression.Line], hidden: frozenset
) -> list[Hashable]:
    """Hidden entries fixed by the sums: adding x_i = ? to the equations does not raise their rank."""
    unknown = [key for key in values if key in hidden]
    rows = []
    for line in lines:
        row = [(-1 if key == line.total else 0) + sum(1 for m in line.members if m == key) for key in unknown]
        if any(row):
            rows.append(row)
    if not rows:
        return []
    a = np.array(rows, dtype=float)
    rank = np.linalg.matrix_rank(a)
    out = []
    for i, key in enumerate(unknown):
        unit = np.zeros(len(unknown))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(key)
    return out


def check_lines(
    values: dict[Hashable, int], lines: list[suppression.Line], hidden: frozenset, k: int
) -> None:
    for key, n in values.items():
        assert key in hidden or n == 0 or n >= k, f"{key!r} = {n} is shown"
    for line in lines:
        members = [m for m in line.members if m in hidden]
        if line.total not in hidden and members:
            assert len(members) >= 2, f"a single hidden member of {line.total!r} follows from its total"
            assert sum(values[m] for m in members) >= k, f"the hidden members of {line.total!r} add up to < k"
    assert worked_out(values, lines, hidden) == []


# --- the algorithm --------------------------------------------------------------------------------------


def test_a_group_of_4_is_hidden_with_its_complement_and_the_total_does_not_reveal_it():
    view = suppression.suppress({"a": 4, "b": 30, "c": 12, "d": 40}, k=5)
    assert view.cells["a"] is None
    assert view.cells["c"] is None  # the next smallest: otherwise a = total − b − c − d
    assert view.cells["b"] == 30 and view.cells["d"] == 40
    assert view.total == 86
    assert view.total - 30 - 40 == 16  # what a reader can work out: a + c together, not a


def test_hidden_cells_add_up_to_at_least_k():
    # 1 and 2 hidden first; together 3 < 5 would show a group of three: the next smallest goes too.
    view = suppression.suppress({"a": 1, "b": 2, "c": 9, "d": 50}, k=5)
    assert view.cells == {"a": None, "b": None, "c": None, "d": 50}
    assert view.total == 62


def test_a_total_under_k_hides_everything():
    view = suppression.suppress({"a": 2, "b": 1, "c": 0}, k=5)
    assert view.cells == {"a": None, "b": None, "c": 0}
    assert view.total is None


def test_a_single_hidden_cell_beside_zeros_hides_the_total():
    # b = 7 is shown, a = 3 hidden; the only other cell is zero, so the total must go.
    values = {"a": 3, "b": 7, "c": 0, "T": 10}
    lines = [suppression.Line("T", ("a", "b", "c"))]
    hidden = suppression.protect(values, lines, 5)
    check_lines(values, lines, hidden, 5)
    assert "a" in hidden and ("b" in hidden or "T" in hidden)


def test_zero_is_shown():
    assert suppression.suppress({"a": 0, "b": 10, "c": 12}, k=5).cells == {"a": 0, "b": 10, "c": 12}


def test_k_is_never_below_3(monkeypatch):
    assert suppression.min_group(1) == 3
    assert suppression.min_group(2) == 3
    assert suppression.min_group(7) == 7
    monkeypatch.setenv("TRP_MIN_GROUP", "1")
    assert suppression.min_group() == 3
    monkeypatch.setenv("TRP_MIN_GROUP", "8")
    assert suppression.min_group() == 8
    monkeypatch.delenv("TRP_MIN_GROUP")
    assert suppression.min_group() == suppression.MIN_GROUP_DEFAULT == 5
    with pytest.raises(ValueError, match="at least 3"):
        suppression.protect({"a": 1}, [], 2)
    # A group of 2 is hidden even when asked for k = 1.
    assert suppression.suppress({"a": 2, "b": 20, "c": 30}, k=1).cells["a"] is None


def test_a_table_with_both_margins():
    # Rows: periods, columns: quadrants; row and column totals and the grand total are published.
    cells = {
        ("p1", "q1"): 4,
        ("p1", "q2"): 20,
        ("p2", "q1"): 30,
        ("p2", "q2"): 25,
        ("p3", "q1"): 12,
        ("p3", "q2"): 9,
    }
    values: dict[Hashable, int] = dict(cells)
    rows, cols = ("p1", "p2", "p3"), ("q1", "q2")
    values.update({r: sum(cells[(r, c)] for c in cols) for r in rows})
    values.update({c: sum(cells[(r, c)] for r in rows) for c in cols})
    values["N"] = sum(cells.values())
    lines = [suppression.Line(r, tuple((r, c) for c in cols)) for r in rows]
    lines += [suppression.Line(c, tuple((r, c) for r in rows)) for c in cols]
    lines += [suppression.Line("N", rows), suppression.Line("N", cols)]
    hidden = suppression.protect(values, lines, 5)
    assert ("p1", "q1") in hidden
    check_lines(values, lines, hidden, 5)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 14), min_size=2, max_size=5), min_size=1, max_size=6).filter(
        lambda t: len({len(r) for r in t}) == 1
    ),
    st.integers(3, 8),
)
def test_random_tables_never_show_or_reveal_a_small_group(table, k):
    values: dict[Hashable, int] = {}
    lines = []
    n_cols = len(table[0])
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            values[("c", i, j)] = n
        values[("r", i)] = sum(row)
        lines.append(suppression.Line(("r", i), tuple(("c", i, j) for j in range(n_cols))))
    for j in range(n_cols):
        values[("k", j)] = sum(row[j] for row in table)
        lines.append(suppression.Line(("k", j), tuple(("c", i, j) for i in range(len(table)))))
    values["N"] = sum(map(sum, table))
    lines += [
        suppression.Line("N", tuple(("r", i) for i in range(len(table)))),
        suppression.Line("N", tuple(("k", j) for j in range(n_cols))),
    ]
    hidden = suppression.protect(values, lines, k)
    check_lines(values, lines, hidden, k)


# --- on crafted data, in both databases -------------------------------------------------------------


def test_dashboard_hides_a_quadrant_of_4_and_its_complement(store, standard):
    add_quadrants(
        store,
        standard,
        {
            Quadrant.HELD: 4,
            Quadrant.KANDIDAT: 20,
            Quadrant.VAMPIR: 9,
            Quadrant.SCHATTEN: 12,
            Quadrant.UNDETERMINED: 6,
        },
    )
    dash = ds.dashboard(store.engine, reads.Filters(survey=standard.id), standard, k=5)
    assert dash.total == 51
    assert dash.quadrants[Quadrant.HELD] is None
    assert dash.quadrants[Quadrant.UNDETERMINED] is None  # the next smallest
    assert dash.quadrants[Quadrant.KANDIDAT] == 20
    assert dash.quadrants[Quadrant.VAMPIR] == 9
    assert dash.quadrants[Quadrant.SCHATTEN] == 12
    # The total minus what is shown leaves 4 + 6: neither hidden count on its own.
    assert dash.total - 20 - 9 - 12 == 10
    assert dash.quadrant_share(Quadrant.HELD) is None
    # The heat map's cells of "held" add up to 4: all hidden.
    held_cells = [c for c in dash.heat if c.quadrant is Quadrant.HELD]
    assert held_cells and all(c.count is None for c in held_cells)
    assert all(c.count is None or c.count >= 5 for c in dash.heat)
    # The period's cells: held and undetermined hidden; the rest of the bar is one grey block.
    shown = {c.quadrant: c.count for c in dash.trend}
    assert Quadrant.HELD not in shown and Quadrant.UNDETERMINED not in shown
    assert shown[None] is None
    assert sum(c.share for c in dash.trend) == pytest.approx(1.0)
    # Break-even bands and keep-out counts: nothing between 1 and k − 1.
    assert all(n is None or n == 0 or n >= 5 for n in dash.break_even.values())
    assert all(r.count is None or r.count == 0 or r.count >= 5 for r in dash.keep_out)
    for r in dash.keep_out:  # nor a complement of fewer than k among those outside "held"
        if r.count is not None and dash.placed_out is not None:
            assert (
                r.count == dash.placed_out or dash.placed_out - r.count == 0 or dash.placed_out - r.count >= 5
            )
    # Means only for groups of at least k answers.
    assert all(dash.means[(c, Quadrant.HELD)] is None for c in standard.weights)


def test_a_group_of_3_is_shown_when_k_is_3(store, standard):
    add_quadrants(store, standard, {Quadrant.HELD: 4, Quadrant.KANDIDAT: 20, Quadrant.SCHATTEN: 12})
    dash = ds.dashboard(store.engine, reads.Filters(survey=standard.id), standard, k=3)
    assert dash.quadrants[Quadrant.HELD] == 4
    clamped = ds.dashboard(store.engine, reads.Filters(survey=standard.id), standard, k=1)
    assert clamped.k == 3


def test_a_selection_under_k_shows_nothing(store, standard):
    add_quadrants(store, standard, {Quadrant.HELD: 2, Quadrant.KANDIDAT: 2})
    dash = ds.dashboard(store.engine, reads.Filters(survey=standard.id), standard, k=5)
    assert dash.too_small
    assert dash.quadrants == dict.fromkeys(Quadrant, None) | {
        Quadrant.VAMPIR: 0,
        Quadrant.SCHATTEN: 0,
        Quadrant.UNDETERMINED: 0,
    }
    assert all(c.count is None for c in dash.heat)
    assert dash.trend == []
    assert all(v is None for v in dash.means.values())


def test_an_event_filter_does_not_single_out_its_responses(store, standard):
    # 30 responses without an event, 4 at a small event: filtered to the event, nothing shows.
    add_quadrants(store, standard, {Quadrant.KANDIDAT: 15, Quadrant.SCHATTEN: 15})
    add_quadrants(store, standard, {Quadrant.HELD: 4}, event="tiny-fair")
    small = ds.dashboard(store.engine, reads.Filters(survey=standard.id, event="tiny-fair"), standard, k=5)
    assert small.too_small
    everything = ds.dashboard(store.engine, reads.Filters(survey=standard.id), standard, k=5)
    assert everything.quadrants[Quadrant.HELD] is None


def test_free_text_only_for_groups_of_at_least_10(store, standard):
    answers = {**answers_for(standard.id, "kandidat"), "what_would_help": "Mehr Presales"}
    add(store, standard, answers, 9)
    f = reads.Filters(survey=standard.id)
    assert ds.free_texts(store.engine, f, "what_would_help", k=5) is None
    add(store, standard, answers, 1)
    assert ds.free_texts(store.engine, f, "what_would_help", k=5) == ["Mehr Presales"]
    # Of one quadrant: that quadrant needs 10 too.
    assert ds.free_texts(store.engine, f, "what_would_help", Quadrant.HELD, k=5) is None
    # A larger k raises the bar.
    assert ds.free_texts(store.engine, f, "what_would_help", k=12) is None


def test_calibration_hides_small_moves(store, standard):
    add_quadrants(store, standard, {Quadrant.HELD: 12, Quadrant.KANDIDAT: 12, Quadrant.SCHATTEN: 12})
    add(store, standard, answers_for(standard.id, "borderline"), 3)  # held, close to the thresholds
    before = standard
    after = standard.revised(thresholds={"kann": 70, "will": 70})
    cal = calibration.calibrate(store.engine, reads.Filters(survey=standard.id), before, after, k=5)
    assert all(n is None or n == 0 or n >= 5 for n in cal.moves.values())
    assert all(n is None or n == 0 or n >= 5 for n in cal.before.values())
    assert cal.total == 39
