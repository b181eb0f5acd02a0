"""An automated motivated intruder (PRIVACY.md): it asks for every selection `trp report` offers, writes
down everything published, and tries to learn something about a group of fewer than k responses.

It knows, as the threat assumes, who answered: every response's survey version, language, tag and
day (`Person`), but not how anyone answered. Its attacks:

- linear algebra over every published count (totals, quadrant counts, quadrants per period, and the
  counts of calibration runs): is the size of a small group, or of its part in a quadrant or above a
  threshold, determined by the published figures?
- set differences and intersections over the free texts and the export rows of every pair of
  selections: does one single out 1 to k − 1 responses?
- threshold steps of calibration: do two runs on one selection tell apart 1 to k − 1 responses?

It knows the rules, the cell-key method among them (PRIVACY.md, rule 4), and its D, but not the
record keys: a count published as perturbed ("noise": D in a report) tells it only that the true count
lies in [v − D, v + D] (and, since rule 4 shows only counts of 0 or at least k and zero stays zero,
that it is 0 when v is 0, else at least k); exact figures (totals) stay equations. Where perturbed
figures take part, it bounds every target by linear programming over every non-negative solution
consistent with all published figures (scipy's HiGHS), rounded inwards to whole responses: a finding
is a target surely of 1 to k − 1 (its minimum and maximum both in [1, k − 1]), or worked out exactly
as 1 to k − 1 from exact figures (as before).

`attack` returns what it found, in words; an empty list means it failed. Reusable: it reads the
reports through a `Publisher` (tests pass the functions behind `trp report`).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from trp_core.cli.report import Ask  # a selection as `trp report` takes it

QUADRANTS = ("held", "kandidat", "vampir", "schatten", "undetermined")
KINDS = ("week", "month", "quarter")


@dataclass(frozen=True)
class Person:
    """One stored response as the intruder knows it (version, language, tag, day) and as it really is."""

    version: str
    lang: str
    tag: str  # "" for none
    day: date
    quadrant: str
    text: str | None = None
    passes: Callable[[float], bool] | None = field(default=None, compare=False, hash=False)  # kann at T


class Publisher(Protocol):
    def dashboard(self, ask: Ask) -> dict[str, Any]: ...
    def free_text(self, ask: Ask) -> dict[str, Any]: ...
    def export(self, ask: Ask) -> dict[str, Any]: ...
    def calibration(self, ask: Ask, kann: float) -> dict[str, Any]: ...


def period_starts(kind: str, days: Iterable[date]) -> list[date]:
    out = set()
    for d in days:
        if kind == "week":
            out.add(d - timedelta(days=d.weekday()))
        elif kind == "month":
            out.add(d.replace(day=1))
        else:
            out.add(date(d.year, (d.month - 1) // 3 * 3 + 1, 1))
    return sorted(out)


def within(person: Person, shown: dict[str, Any]) -> bool:
    """Whether a response belongs to a view as a report describes it ("shown")."""
    if shown["version"] is not None and person.version != shown["version"]:
        return False
    if shown["lang"] is not None and person.lang != shown["lang"]:
        return False
    if shown["tags"] is not None and person.tag not in shown["tags"]:
        return False
    p = shown["period"]
    return p is None or date.fromisoformat(p["start"]) <= person.day <= date.fromisoformat(p["end"])


class Intruder:
    def __init__(
        self,
        publisher: Publisher,
        people: Sequence[Person],
        k: int,
        thresholds: tuple[float, float] | None = None,
    ):
        """`thresholds`: the survey's (kann, will), public in its file: which quadrant each heat-map
        cell lies in, so that the cells are tied to the quadrant counts."""
        self.pub = publisher
        self.thresholds = thresholds
        # per family of figures: (member set, class) known to hold nobody (a heat-map cell that a
        # selection does not list); these unknowns are 0, not equations to solve
        self.zeros: dict[str, list[tuple[frozenset[int], str]]] = {}
        self.people = list(people)
        self.k = k
        self.atoms = sorted({(p.version, p.lang, p.tag, p.day) for p in self.people})
        self.atom_of = {a: i for i, a in enumerate(self.atoms)}

    # --- what it asks for ---------------------------------------------------------------------

    def selections(self, *, periods: bool = True) -> list[Ask]:
        """Every combination of the flags of `trp report`, with every tag it knows of (the small
        ones too), and every week, month and quarter of the responses (`--since` and `--until` the
        first and last day, and one day inside, as a bookmark would have them)."""
        versions = [None, *sorted({p.version for p in self.people})]
        langs = [None, "de", "en"]
        tags = [None, "none", *sorted({p.tag for p in self.people} - {""})]
        days = [p.day for p in self.people]
        spans: list[tuple[str | None, date | None, date | None]] = [(None, None, None)]
        if periods:
            for kind in KINDS:
                for start in period_starts(kind, days):
                    spans.append((kind, start, start))  # the period that holds one day
        return [
            Ask(v, lang, tag, kind, since, until)
            for v, lang, tag, (kind, since, until) in itertools.product(versions, langs, tags, spans)
        ]

    # --- the attack ----------------------------------------------------------------------------

    def attack(
        self,
        groups: dict[str, Callable[[Person], bool]],
        *,
        thresholds: Sequence[float] = (),
        exports: bool = True,
        free_text: bool = True,
        inside_parts: bool = False,
    ) -> list[str]:
        """`inside_parts`: also look for any count of 1 to k − 1 in a category (a quadrant, a heat-map
        cell, a keep-out row, a band) inside a part of at least k responses (PRIVACY.md, rule 4,
        "inside a part": what the cell-key method protects)."""
        found: list[str] = []
        asks = self.selections()
        reports = [self.pub.dashboard(a) for a in asks]
        found += self._counts(reports, groups, inside_parts=inside_parts)
        if free_text:
            found += self._free_texts([self.pub.free_text(a) for a in asks])
        if exports:
            found += self._exports([self.pub.export(a) for a in asks if a.version is not None])
        if thresholds:
            found += self._calibration(asks, groups, thresholds)
        return found

    def _counts(
        self,
        reports: list[dict[str, Any]],
        groups: dict[str, Callable[[Person], bool]],
        *,
        inside_parts: bool = False,
    ) -> list[str]:
        """Linear algebra over every published total, quadrant count and trend count; then over every
        other count-like figure of the dashboard (`_figures`). A perturbed count is a row with its
        noise D (the true count within D of the figure), a total an exact row (noise 0)."""
        rows: list[tuple[int, ...]] = []
        values: list[int] = []
        noise: list[float] = []
        seen: set[tuple[Any, ...]] = set()
        n_q = len(QUADRANTS)

        def add(members: frozenset[int], quadrants: Sequence[int], value: int, d: float) -> None:
            key = (members, tuple(quadrants))
            if key in seen:
                return
            seen.add(key)
            rows.append((members, tuple(quadrants)))  # type: ignore[arg-type]
            values.append(value)
            noise.append(d)

        for r in reports:
            shown = r["shown"]
            if shown is None:
                continue
            members = self._members(shown)
            d = float(r.get("noise") or 0)
            if r["total"] is not None:
                add(members, range(n_q), r["total"], 0.0)
            for q, n in r["quadrants"].items():
                if n is not None:
                    add(members, [QUADRANTS.index(q)], n, d)
            for cell in r.get("trend", []):
                if cell["count"] is None or cell["quadrant"] is None:
                    continue
                start = date.fromisoformat(cell["start"])
                kind = (
                    "week" if "-W" in cell["period"] else ("quarter" if "-Q" in cell["period"] else "month")
                )
                end = _end(start, kind)
                sub = frozenset(i for i in members if start <= self.atoms[i][3] <= end)
                add(sub, [QUADRANTS.index(cell["quadrant"])], cell["count"], d)
        classes = [lambda p, q=q: p.quadrant == q for q in QUADRANTS]
        found = self._determined(rows, values, n_q, groups, classes, "counts", noise)
        if inside_parts:
            found += self._small_cells(rows, values, list(QUADRANTS), "quadrant counts", noise=noise)
        return found + self._figures(reports, groups, inside_parts=inside_parts)

    def _members(self, shown: dict[str, Any]) -> frozenset[int]:
        return frozenset(i for a, i in self.atom_of.items() if within(Person(*a, quadrant=""), shown))

    # --- every other figure of the dashboard ---------------------------------------------------

    def _figures(
        self,
        reports: list[dict[str, Any]],
        groups: dict[str, Callable[[Person], bool]],
        *,
        inside_parts: bool = False,
    ) -> list[str]:
        """The heat map, the keep-out counts, the break-even bands and the criterion means (as sums:
        mean × the quadrant's count, where both are published), each figure family as a system of
        equations in the unknowns "responses of atom a in class c" (for the means: "sum of the
        criterion's points of atom a in quadrant q"), tied to the total and the quadrant counts
        where the figures add up to them. Two attacks on each: is a small group's count (or sum) in
        a class determined or surely 1 to k − 1 (`_structural`, with the classes as the figures' own
        categories), and is any class of any part that the published views cut the responses into,
        or of any published view where the figure is hidden, worked out or bounded as 1 to k − 1
        (`_small_cells`)."""
        found: list[str] = []
        for family, (rows, values, labels, noise) in self._families(reports).items():
            zeros = self.zeros.get(family, [])
            # A criterion sum is points, not responses: only an exact one (no perturbed count in it)
            # can be worked out, and bounds of points say nothing about a group's size.
            sums = family == "criterion sums"
            found += self._structural(rows, labels, groups, family, zeros, values, noise, bound=not sums)
            if inside_parts and not sums:
                found += self._small_cells(rows, values, labels, family, zeros, noise)
        return found

    def _families(
        self, reports: list[dict[str, Any]]
    ) -> dict[str, tuple[list[Any], list[float], list[str], list[float]]]:
        fams: dict[str, tuple[list[Any], list[float], list[str], list[float]]] = {}
        seen: set[tuple[Any, ...]] = set()

        def add(
            family: str, members: frozenset[int], classes: Sequence[str], value: float | None, d: float
        ) -> None:
            if value is None:
                return
            rows, values, labels, noise = fams.setdefault(family, ([], [], [], []))
            for c in classes:
                if c not in labels:
                    labels.append(c)
            key = (family, members, tuple(sorted(classes)))
            if key in seen:
                return
            seen.add(key)
            rows.append((members, tuple(classes)))
            values.append(float(value))
            noise.append(float(d))

        heat_views: list[tuple[frozenset[int], set[str]]] = []
        for r in reports:
            shown = r["shown"]
            if shown is None or "heat" not in r:
                continue
            members = self._members(shown)
            d = float(r.get("noise") or 0)
            quadrants = r["quadrants"]
            # Heat map: one class per cell, "undetermined" for responses outside the map; a cell
            # not listed holds nobody of the selection.
            cells = {_cell_label(c): c for c in r["heat"]}
            heat_views.append((members, set(cells)))
            cell_q = {label: self._cell_quadrant(c) for label, c in cells.items()}
            everything = [*cells, "undetermined"]
            add("heat map", members, everything, r["total"], 0.0)
            add("heat map", members, ["undetermined"], quadrants["undetermined"], d)
            for label, c in cells.items():
                add("heat map", members, [label], c["count"], d)
            if self.thresholds is not None:
                for q in QUADRANTS[:4]:
                    add("heat map", members, [lb for lb, cq in cell_q.items() if cq == q], quadrants[q], d)
            # Keep-out: per key, the responses outside "held" split into those it counts and the rest.
            for key, n in r["keep_out"].items():
                fam = f"keep-out {key}"
                out = [f"{q} {side}" for q in ("kandidat", "vampir", "schatten") for side in ("in", "out")]
                add(fam, members, ["held", "undetermined", *out], r["total"], 0.0)
                for q in ("held", "undetermined"):
                    add(fam, members, [q], quadrants[q], d)
                for q in ("kandidat", "vampir", "schatten"):
                    add(fam, members, [f"{q} in", f"{q} out"], quadrants[q], d)
                add(fam, members, [f"{q} in" for q in ("kandidat", "vampir", "schatten")], n, d)
            # Break-even bands add up to the total.
            add("break-even bands", members, list(r["break_even"]), r["total"], 0.0)
            for band, n in r["break_even"].items():
                add("break-even bands", members, [band], n, d)
            # Criterion means: a sum where the quadrant's count is published (inexact where it is
            # perturbed: then within mean × D).
            for key, mean in r.get("means", {}).items():
                q = key.rsplit(" ", 1)[-1]
                if mean is not None and quadrants.get(q) is not None:
                    add("criterion sums", members, [key], mean * quadrants[q], abs(mean) * d)
        zeros: list[tuple[frozenset[int], str]] = self.zeros.setdefault("heat map", [])
        if "heat map" in fams:
            every_cell = [c for c in fams["heat map"][2] if c != "undetermined"]
            for members, listed in heat_views:
                for c in every_cell:
                    if c not in listed:
                        zeros.append((members, c))
        return fams

    def _cell_quadrant(self, cell: dict[str, Any]) -> str | None:
        if self.thresholds is None:
            return None
        kann = cell["kann"][0] >= self.thresholds[0]
        will = cell["will"][0] >= self.thresholds[1]
        return {(True, True): "held", (True, False): "kandidat", (False, True): "vampir"}.get(
            (kann, will), "schatten"
        )

    def _parts(self, rows: list[Any]) -> list[frozenset[int]]:
        """The smallest sets of atoms that every member set of the rows wholly holds or leaves out."""
        label: dict[int, tuple[int, ...]] = {i: () for i in range(len(self.atoms))}
        for members in {m for m, _ in rows}:
            for i in label:
                label[i] += (i in members,)
        parts: dict[tuple[int, ...], set[int]] = {}
        for i, lab in label.items():
            parts.setdefault(lab, set()).add(i)
        return [frozenset(p) for p in parts.values()]

    def _system(
        self, rows: list[Any], labels: list[str], zeros: Sequence[tuple[frozenset[int], str]] = ()
    ) -> tuple[np.ndarray, np.ndarray, list[frozenset[int]], dict[int, int], list[int]]:
        """The rows over the unknowns (part, class) and a basis of their row space. Every published
        figure is constant on each part, so nothing finer than a part can be determined (nor bounded
        away from 0: responses can move between a part's atoms without changing any figure)."""
        parts = self._parts(rows)
        part_of = {i: j for j, p in enumerate(parts) for i in p}
        n_c = len(labels)
        col = {c: j for j, c in enumerate(labels)}
        a = np.zeros((len(rows), len(parts) * n_c))
        for r, (members, cls) in enumerate(rows):
            for i in members:
                for c in cls:
                    a[r, part_of[i] * n_c + col[c]] += 1.0 / len(parts[part_of[i]])
        # each part's unknown is the part's whole count: a row counts it once, not once per atom
        a = np.where(a > 0, 1.0, 0.0)
        known = sorted(
            {
                part_of[i] * n_c + col[c]
                for members, c in zeros
                for i in members
                if c in col and parts[part_of[i]] <= members
            }
        )
        a[:, known] = 0.0  # they add nothing to any figure
        return a, _basis(a, known), parts, part_of, known

    def _structural(
        self,
        rows: list[Any],
        labels: list[str],
        groups: dict[str, Callable[[Person], bool]],
        family: str,
        zeros: Sequence[tuple[frozenset[int], str]] = (),
        values: Sequence[float] | None = None,
        noise: Sequence[float] | None = None,
        *,
        bound: bool = True,
    ) -> list[str]:
        """Whether a small group's count (or sum) in a class of the family, or in all of them, follows
        from the exact figures; or, where figures are perturbed (`noise`), is bounded to 1 to k − 1
        by all of them together (`bound`). Only possible when the group is a union of parts."""
        if not rows:
            return []
        a, _, parts, part_of, known = self._system(rows, labels, zeros)
        half = _half(values, noise, len(rows))
        exact = _basis(a[half == 0], known)
        bounds = (
            _Bounds(a, values, half, known, self.k) if bound and values is not None and half.any() else None
        )
        n_c = len(labels)
        found = []
        for name, in_group in groups.items():
            size = sum(1 for p in self.people if in_group(p))
            if not 0 < size < self.k:
                continue
            atoms = {self.atom_of[(p.version, p.lang, p.tag, p.day)] for p in self.people if in_group(p)}
            mine = {part_of[i] for i in atoms}
            if any(not parts[j] <= atoms for j in mine):
                continue  # splits a part: no combination of figures can single it out
            for c in [None, *range(n_c)]:
                t = np.zeros(a.shape[1])
                for j in mine:
                    for cc in range(n_c) if c is None else [c]:
                        t[j * n_c + cc] = 1.0
                t[known] = 0.0
                label = "all" if c is None else labels[c]
                if _spanned(exact, t):
                    found.append(f"{family}: {name} (of {size}) in class {label} is determined")
                elif bounds is not None and (b := bounds.small(t)) is not None:
                    found.append(f"{family}: {name} (of {size}) in class {label} is {b[0]} to {b[1]}")
        return found

    def _small_cells(
        self,
        rows: list[Any],
        values: list[float],
        labels: list[str],
        family: str,
        zeros: Sequence[tuple[frozenset[int], str]] = (),
        noise: Sequence[float] | None = None,
    ) -> list[str]:
        """Any count of 1 to k − 1 that the figures determine, or bound to 1 to k − 1 where some are
        perturbed: a class of one part, or a class of a view whose own figure for it is hidden
        ("inside a part": what subtraction of two selections' figures gives)."""
        if not rows:
            return []
        if isinstance(rows[0][1][0], int):  # the quadrant system numbers its classes
            rows = [(m, tuple(labels[c] for c in cls)) for m, cls in rows]
        a, _, parts, part_of, known = self._system(rows, labels, zeros)
        half = _half(values, noise, len(rows))
        exact_rows = half == 0
        exact = _basis(a[exact_rows], known)
        bounds = _Bounds(a, values, half, known, self.k) if half.any() else None
        n_c = len(labels)
        targets: dict[tuple[frozenset[int], str], frozenset[int]] = {}
        for j, p in enumerate(parts):
            for c in range(n_c):
                targets[(p, labels[c])] = frozenset([j * n_c + c])
        for members, _ in rows:
            mine = {part_of[i] for i in members}
            for c in range(n_c):
                targets.setdefault((members, labels[c]), frozenset(j * n_c + c for j in mine))
        vals = np.asarray(values, float)
        found = []
        for (members, label), cols in targets.items():
            t = np.zeros(a.shape[1])
            t[list(cols)] = 1.0
            t[known] = 0.0
            if not t.any():
                continue  # known to hold nobody
            if _spanned(exact, t):
                worked_out = float(np.linalg.lstsq(a[exact_rows].T, t, rcond=None)[0] @ vals[exact_rows])
                if 0.5 < worked_out < self.k - 0.5:
                    found.append(
                        f"{family}: {round(worked_out)} responses of a set of {len(members)} atoms "
                        f"in class {label}, worked out"
                    )
            elif bounds is not None and (b := bounds.small(t)) is not None:
                found.append(
                    f"{family}: {b[0]} to {b[1]} responses of a set of {len(members)} atoms "
                    f"in class {label}, bounded"
                )
        return found

    def _determined(  # groups must be unions of atoms: defined by version, language, tag and day
        self,
        rows: list[Any],
        values: list[int],
        n_class: int,
        groups: dict[str, Callable[[Person], bool]],
        classes: Sequence[Callable[[Person], bool]],
        what: str,
        noise: Sequence[float] | None = None,
    ) -> list[str]:
        """Whether a small group's size (class "all") or its count in a class follows from the exact
        figures; where figures are perturbed (`noise`), also whether all of them together bound it
        to 1 to k − 1."""
        if not rows:
            return []
        width = len(self.atoms) * n_class
        a = np.zeros((len(rows), width))
        for r, (members, cls) in enumerate(rows):
            for i in members:
                for c in cls:
                    a[r, i * n_class + c] = 1.0
        half = _half(values, noise, len(rows))
        exact_rows = half == 0
        basis = _basis(a[exact_rows], [])  # the row space of the exact figures
        bounds = _Bounds(a, values, half, [], self.k) if half.any() else None
        found = []
        for name, in_group in groups.items():
            size = sum(1 for p in self.people if in_group(p))
            if not 0 < size < self.k:
                continue
            atoms = sorted(
                {self.atom_of[(p.version, p.lang, p.tag, p.day)] for p in self.people if in_group(p)}
            )
            for c in [None, *range(n_class)]:
                truth = sum(1 for p in self.people if in_group(p) and (c is None or classes[c](p)))
                if truth == 0:
                    continue
                t = np.zeros(width)
                for i in atoms:
                    for cc in range(n_class) if c is None else [c]:
                        t[i * n_class + cc] = 1.0
                label = "all" if c is None else str(c)
                if _spanned(basis, t):
                    # The combination of published figures that gives the target, and its value.
                    x = np.linalg.lstsq(a[exact_rows].T, t, rcond=None)[0]
                    worked_out = float(x @ np.asarray(values, float)[exact_rows])
                    found.append(
                        f"{what}: the size of {name} (class {label}) is {truth}, worked out as {worked_out:.1f}"
                    )
                elif bounds is not None and (b := bounds.small(t)) is not None:
                    found.append(
                        f"{what}: the size of {name} (class {label}) is {truth}, bounded to {b[0]}-{b[1]}"
                    )
        return found

    def _free_texts(self, reports: list[dict[str, Any]]) -> list[str]:
        """Set differences of the texts of every pair of selections."""
        sets = set()
        for r in reports:
            texts: set[str] = set()
            for cell in r["cells"]:
                for answers in (cell["texts"] or {}).values():
                    texts.update(answers)
            sets.add(frozenset(texts))
        writers: Counter[str] = Counter(p.text for p in self.people if p.text)
        found = []
        for x, y in itertools.permutations(sets, 2):
            behind = sum(writers[t] for t in x - y)
            if 0 < behind < self.k:
                found.append(f"free text: {sorted(x - y)} from {behind} responses, by difference")
        return found

    def _exports(self, reports: list[dict[str, Any]]) -> list[str]:
        """Sizes, differences and intersections of the exported row sets, matched by content."""
        sets = set()
        for r in reports:
            if r["rows"] is None:
                continue
            sets.add(
                frozenset(
                    Counter(tuple(sorted(row.items(), key=lambda kv: kv[0])) for row in r["rows"]).items()
                )
            )
        found = []
        for s in sets:
            n = sum(c for _, c in s)
            if 0 < n < self.k:
                found.append(f"export of {n} rows")
        for x, y in itertools.combinations(sets, 2):
            cx, cy = Counter(dict(x)), Counter(dict(y))
            for name, part in (("difference", cx - cy), ("difference", cy - cx), ("intersection", cx & cy)):
                n = sum(part.values())
                if 0 < n < self.k:
                    found.append(f"export rows: a {name} of two exports holds {n} rows")
        return found

    def _calibration(
        self, asks: list[Ask], groups: dict[str, Callable[[Person], bool]], thresholds: Sequence[float]
    ) -> list[str]:
        """Threshold sweeps on every selection: steps within one, and linear algebra across all at each
        threshold actually tried."""
        found: list[str] = []
        by_threshold: dict[float, list[Any]] = {}
        for ask in asks:
            steps: dict[float, int] = {}
            for t in thresholds:
                r = self.pub.calibration(ask, t)
                if r["shown"] is None or (r["changed"] is None and r["total"] is None):
                    continue
                tried = float(r["thresholds"]["kann"])
                after = r["after"]
                if after["held"] is None or after["kandidat"] is None:
                    continue
                passed = after["held"] + after["kandidat"]
                steps[tried] = passed
                members = frozenset(
                    i for a, i in self.atom_of.items() if within(Person(*a, quadrant=""), r["shown"])
                )
                by_threshold.setdefault(tried, []).append((members, (1,), passed))
            ordered = sorted(steps.items())
            for (_, a), (_, b) in itertools.pairwise(ordered):
                if 0 < abs(a - b) < self.k:
                    found.append(f"calibration: two thresholds on {ask} tell apart {abs(a - b)} responses")
        for tried, figures in by_threshold.items():
            unique = {(m, c): n for m, c, n in figures}
            rows, values = list(unique), list(unique.values())
            classes = [
                lambda p, t=tried: not (p.passes and p.passes(t)),
                lambda p, t=tried: bool(p.passes and p.passes(t)),
            ]
            found += self._determined(rows, values, 2, groups, classes, f"calibration at {tried:g}")
        return found


def _half(values: Sequence[float] | None, noise: Sequence[float] | None, n: int) -> np.ndarray:
    """Each figure's noise: 0 for an exact one, and for a perturbed 0 too (zero stays zero)."""
    if noise is None or values is None:
        return np.zeros(n)
    return np.where(np.asarray(values, float) == 0, 0.0, np.asarray(noise, float))


def _basis(a: np.ndarray, known: Sequence[int]) -> np.ndarray:
    """An orthonormal basis of the row space of `a` (the columns `known` to be 0 left out)."""
    width = a.shape[1]
    keep = np.ones(width, dtype=bool)
    keep[list(known)] = False
    if a.shape[0] == 0 or not keep.any():
        return np.zeros((0, width))
    _, singular, vt = np.linalg.svd(a[:, keep], full_matrices=False)
    rank = int((singular > 1e-9 * max(1.0, singular.max(initial=0.0))).sum())
    basis = np.zeros((rank, width))
    basis[:, keep] = vt[:rank]
    return basis


def _spanned(basis: np.ndarray, t: np.ndarray) -> bool:
    """Whether a target lies in the row space: a combination of the figures gives it exactly."""
    return bool(np.linalg.norm(t - basis.T @ (basis @ t)) < 1e-6)


class _Bounds:
    """The least and the most a target (a sum of unknowns) can be over every non-negative solution
    consistent with the published figures: exact ones as equations, a perturbed figure v as
    v − D <= x <= v + D (at least k when v > 0, and 0 when v is 0: rule 4 shows only 0 or at least k,
    and zero stays zero). Linear programming (HiGHS); the bounds rounded inwards to whole responses,
    as an intruder who knows that counts are whole would. Every solution found is kept: a target that
    one of them makes 0 or at least k cannot be surely 1 to k − 1, so most targets need no program."""

    def __init__(
        self, a: np.ndarray, values: Sequence[float], noise: Sequence[float], known: Sequence[int], k: int
    ):
        v, half = np.asarray(values, float), np.asarray(noise, float)
        noisy = half > 0
        zero = noisy & (v == 0)
        ranged = noisy & ~zero
        low = np.where(ranged & (v > 0), np.maximum(v - half, k), v - half)
        self.k = k
        self.a_eq = csr_matrix(a[~ranged])
        self.b_eq = np.where(zero, 0.0, v)[~ranged]
        ub = csr_matrix(a[ranged])
        self.a_ub = vstack([ub, -ub]).tocsr()
        self.b_ub = np.concatenate([(v + half)[ranged], -low[ranged]])
        self.bounds = [(0.0, 0.0) if j in set(known) else (0.0, None) for j in range(a.shape[1])]
        self.pool: list[np.ndarray] = []
        rng = np.random.default_rng(0)
        for _ in range(6):  # a few vertices to start from, far apart
            self._solve(rng.normal(size=a.shape[1]))

    def _solve(self, c: np.ndarray) -> float | None:
        """min c·x, or None when unbounded; the solution joins the pool."""
        res = linprog(
            c,
            A_ub=self.a_ub if self.a_ub.shape[0] else None,
            b_ub=self.b_ub if self.a_ub.shape[0] else None,
            A_eq=self.a_eq if self.a_eq.shape[0] else None,
            b_eq=self.b_eq if self.a_eq.shape[0] else None,
            bounds=self.bounds,
            method="highs",
        )
        if res.status == 3:
            return None
        assert res.status == 0, f"the published figures contradict what the intruder knows: {res.message}"
        self.pool.append(res.x)
        return float(res.fun)

    def small(self, t: np.ndarray) -> tuple[int, int] | None:
        """(least, most) when the target is surely 1 to k − 1, else None."""
        if self.pool:
            seen = np.array([x @ t for x in self.pool])
            if seen.min() <= 1e-6 or seen.max() >= self.k - 1e-6:
                return None
        most = self._solve(-t)
        if most is None:
            return None
        top = math.floor(-most + 1e-6)
        if not 1 <= top <= self.k - 1:
            return None
        least = self._solve(t)
        assert least is not None
        bottom = math.ceil(least - 1e-6)
        return (bottom, top) if bottom >= 1 else None


def _cell_label(cell: dict[str, Any]) -> str:
    return f"kann {cell['kann'][0]:g}-{cell['kann'][1]:g} will {cell['will'][0]:g}-{cell['will'][1]:g}"


def _end(start: date, kind: str) -> date:
    if kind == "week":
        return start + timedelta(days=6)
    months = 3 if kind == "quarter" else 1
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1) - timedelta(days=1)
