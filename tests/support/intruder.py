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


@dataclass(frozen=True)
class Ask:
    version: str | None = None
    lang: str | None = None
    tag: str | None = None
    period: str | None = None
    since: date | None = None
    until: date | None = None


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
    def __init__(self, publisher: Publisher, people: Sequence[Person], k: int):
        self.pub = publisher
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
    ) -> list[str]:
        found: list[str] = []
        asks = self.selections()
        reports = [self.pub.dashboard(a) for a in asks]
        found += self._counts(reports, groups)
        if free_text:
            found += self._free_texts([self.pub.free_text(a) for a in asks])
        if exports:
            found += self._exports([self.pub.export(a) for a in asks if a.version is not None])
        if thresholds:
            found += self._calibration(asks, groups, thresholds)
        return found

    def _counts(
        self, reports: list[dict[str, Any]], groups: dict[str, Callable[[Person], bool]]
    ) -> list[str]:
        """Linear algebra over every published total, quadrant count and trend count."""
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
            members = frozenset(i for a, i in self.atom_of.items() if within(Person(*a, quadrant=""), shown))
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
        return self._determined(rows, values, n_q, groups, classes, "counts")

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


def _end(start: date, kind: str) -> date:
    if kind == "week":
        return start + timedelta(days=6)
    months = 3 if kind == "quarter" else 1
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1) - timedelta(days=1)
