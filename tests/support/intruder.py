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

`attack` returns what it found, in words; an empty list means it failed. Reusable: it reads the
reports through a `Publisher` (tests pass the functions behind `trp report`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import numpy as np

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
        cell, a keep-out row, a band) inside a part of at least k responses (PRIVACY.md, "What
        remains": this the rules do not prevent yet)."""
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
        other count-like figure of the dashboard (`_figures`)."""
        rows: list[tuple[int, ...]] = []
        values: list[int] = []
        seen: set[tuple[Any, ...]] = set()
        n_q = len(QUADRANTS)

        def add(members: frozenset[int], quadrants: Sequence[int], value: int) -> None:
            key = (members, tuple(quadrants))
            if key in seen:
                return
            seen.add(key)
            rows.append((members, tuple(quadrants)))  # type: ignore[arg-type]
            values.append(value)

        for r in reports:
            shown = r["shown"]
            if shown is None:
                continue
            members = self._members(shown)
            if r["total"] is not None:
                add(members, range(n_q), r["total"])
            for q, n in r["quadrants"].items():
                if n is not None:
                    add(members, [QUADRANTS.index(q)], n)
            for cell in r.get("trend", []):
                if cell["count"] is None or cell["quadrant"] is None:
                    continue
                start = date.fromisoformat(cell["start"])
                kind = (
                    "week" if "-W" in cell["period"] else ("quarter" if "-Q" in cell["period"] else "month")
                )
                end = _end(start, kind)
                sub = frozenset(i for i in members if start <= self.atoms[i][3] <= end)
                add(sub, [QUADRANTS.index(cell["quadrant"])], cell["count"])
        classes = [lambda p, q=q: p.quadrant == q for q in QUADRANTS]
        found = self._determined(rows, values, n_q, groups, classes, "counts")
        if inside_parts:
            found += self._small_cells(rows, values, list(QUADRANTS), "quadrant counts")
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
        a class determined (`_determined`, with the classes as the figures' own categories), and is
        any class of any part that the published views cut the responses into, or of any published
        view where the figure is hidden, worked out as 1 to k − 1 (`_small_cells`)."""
        found: list[str] = []
        for family, (rows, values, labels) in self._families(reports).items():
            zeros = self.zeros.get(family, [])
            found += self._structural(rows, labels, groups, family, zeros)
            if inside_parts and family != "criterion sums":
                found += self._small_cells(rows, values, labels, family, zeros)
        return found

    def _families(self, reports: list[dict[str, Any]]) -> dict[str, tuple[list[Any], list[float], list[str]]]:
        fams: dict[str, tuple[list[Any], list[float], list[str]]] = {}
        seen: set[tuple[Any, ...]] = set()

        def add(family: str, members: frozenset[int], classes: Sequence[str], value: float | None) -> None:
            if value is None:
                return
            rows, values, labels = fams.setdefault(family, ([], [], []))
            for c in classes:
                if c not in labels:
                    labels.append(c)
            key = (family, members, tuple(sorted(classes)))
            if key in seen:
                return
            seen.add(key)
            rows.append((members, tuple(classes)))
            values.append(float(value))

        heat_views: list[tuple[frozenset[int], set[str]]] = []
        for r in reports:
            shown = r["shown"]
            if shown is None or "heat" not in r:
                continue
            members = self._members(shown)
            quadrants = r["quadrants"]
            # Heat map: one class per cell, "undetermined" for responses outside the map; a cell
            # not listed holds nobody of the selection.
            cells = {_cell_label(c): c for c in r["heat"]}
            heat_views.append((members, set(cells)))
            cell_q = {label: self._cell_quadrant(c) for label, c in cells.items()}
            everything = [*cells, "undetermined"]
            add("heat map", members, everything, r["total"])
            add("heat map", members, ["undetermined"], quadrants["undetermined"])
            for label, c in cells.items():
                add("heat map", members, [label], c["count"])
            if self.thresholds is not None:
                for q in QUADRANTS[:4]:
                    add("heat map", members, [lb for lb, cq in cell_q.items() if cq == q], quadrants[q])
            # Keep-out: per key, the responses outside "held" split into those it counts and the rest.
            for key, n in r["keep_out"].items():
                fam = f"keep-out {key}"
                out = [f"{q} {side}" for q in ("kandidat", "vampir", "schatten") for side in ("in", "out")]
                add(fam, members, ["held", "undetermined", *out], r["total"])
                for q in ("held", "undetermined"):
                    add(fam, members, [q], quadrants[q])
                for q in ("kandidat", "vampir", "schatten"):
                    add(fam, members, [f"{q} in", f"{q} out"], quadrants[q])
                add(fam, members, [f"{q} in" for q in ("kandidat", "vampir", "schatten")], n)
            # Break-even bands add up to the total.
            add("break-even bands", members, list(r["break_even"]), r["total"])
            for band, n in r["break_even"].items():
                add("break-even bands", members, [band], n)
            # Criterion means: a sum where the quadrant's count is published.
            for key, mean in r.get("means", {}).items():
                q = key.rsplit(" ", 1)[-1]
                if mean is not None and quadrants.get(q) is not None:
                    add("criterion sums", members, [key], mean * quadrants[q])
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
        figure is constant on each part, so nothing finer than a part can be determined."""
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
        keep = np.ones(a.shape[1], dtype=bool)
        keep[known] = False
        _, singular, vt = np.linalg.svd(a[:, keep], full_matrices=False)
        basis = np.zeros((int((singular > 1e-9 * max(1.0, singular.max(initial=0.0))).sum()), a.shape[1]))
        basis[:, keep] = vt[: len(basis)]
        return a, basis, parts, part_of, known

    def _structural(
        self,
        rows: list[Any],
        labels: list[str],
        groups: dict[str, Callable[[Person], bool]],
        family: str,
        zeros: Sequence[tuple[frozenset[int], str]] = (),
    ) -> list[str]:
        """Whether a small group's count (or sum) in a class of the family, or in all of them, follows
        from the figures: only possible when the group is a union of parts."""
        if not rows:
            return []
        a, basis, parts, part_of, known = self._system(rows, labels, zeros)
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
                if np.linalg.norm(t - basis.T @ (basis @ t)) < 1e-6:
                    label = "all" if c is None else labels[c]
                    found.append(f"{family}: {name} (of {size}) in class {label} is determined")
        return found

    def _small_cells(
        self,
        rows: list[Any],
        values: list[float],
        labels: list[str],
        family: str,
        zeros: Sequence[tuple[frozenset[int], str]] = (),
    ) -> list[str]:
        """Any count of 1 to k − 1 that the figures determine: a class of one part, or a class of a
        view whose own figure for it is hidden ("inside a part": what subtraction of two selections'
        figures gives)."""
        if not rows:
            return []
        if isinstance(rows[0][1][0], int):  # the quadrant system numbers its classes
            rows = [(m, tuple(labels[c] for c in cls)) for m, cls in rows]
        a, basis, parts, part_of, known = self._system(rows, labels, zeros)
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
            if np.linalg.norm(t - basis.T @ (basis @ t)) >= 1e-6:
                continue
            worked_out = float(np.linalg.lstsq(a.T, t, rcond=None)[0] @ vals)
            if 0.5 < worked_out < self.k - 0.5:
                found.append(
                    f"{family}: {round(worked_out)} responses of a set of {len(members)} atoms "
                    f"in class {label}, worked out"
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
    ) -> list[str]:
        if not rows:
            return []
        width = len(self.atoms) * n_class
        a = np.zeros((len(rows), width))
        for r, (members, cls) in enumerate(rows):
            for i in members:
                for c in cls:
                    a[r, i * n_class + c] = 1.0
        _, singular, vt = np.linalg.svd(a, full_matrices=False)
        basis = vt[singular > 1e-9 * max(1.0, singular.max(initial=0.0))]  # the row space
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
                if np.linalg.norm(t - basis.T @ (basis @ t)) < 1e-6:
                    # The combination of published figures that gives the target, and its value.
                    x = np.linalg.lstsq(a.T, t, rcond=None)[0]
                    worked_out = float(x @ np.asarray(values, float))
                    label = "all" if c is None else str(c)
                    found.append(
                        f"{what}: the size of {name} (class {label}) is {truth}, worked out as {worked_out:.1f}"
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


def _cell_label(cell: dict[str, Any]) -> str:
    return f"kann {cell['kann'][0]:g}-{cell['kann'][1]:g} will {cell['will'][0]:g}-{cell['will'][1]:g}"


def _end(start: date, kind: str) -> date:
    if kind == "week":
        return start + timedelta(days=6)
    months = 3 if kind == "quarter" else 1
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1) - timedelta(days=1)
