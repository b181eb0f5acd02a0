"""Publishing in releases (trp_core.privacy.releases; PRIVACY.md, "Time"): an intruder who writes down
every published figure after every release, and subtracts any of them from any other, never finds a
group of fewer than k responses; live publication (every response at once, as before) lets it."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest

from trp_core.method.figures import Period
from trp_core.privacy import releases
from trp_core.privacy.cells import Lattice, View

K = 5
START = date(2025, 3, 3)  # a Monday


@dataclass(frozen=True)
class Response:
    version: str
    lang: str
    tag: str
    day: date


def arrivals(seed: int, days: int = 70) -> list[Response]:
    """A busy untagged stream in German, a thin English one, a fair of a dozen over three days, a tiny
    fair of three, and a second survey version from the sixth week on."""
    rng = random.Random(seed)
    out: list[Response] = []
    for i in range(days):
        day = START + timedelta(days=i)
        version = "1.0" if i < 35 else "1.1"
        out += [Response(version, "de", "", day) for _ in range(rng.choice([0, 1, 2, 3]))]
        if rng.random() < 0.3:
            out.append(Response(version, "en", "", day))
    fair = START + timedelta(days=20)
    out += [
        Response("1.0", rng.choice(["de", "de", "en"]), "fair", fair + timedelta(days=rng.randrange(3)))
        for _ in range(12)
    ]
    out += [Response("1.0", "de", "tiny", START + timedelta(days=30)) for _ in range(3)]
    return out


def counts_until(responses: list[Response], day: date) -> Counter[tuple[str, str, str, date]]:
    """The cell counts of what is stored on `day`: every response of the days before and of that day."""
    return Counter((r.version, r.lang, r.tag, r.day) for r in responses if r.day <= day)


def small_parts(responses: list[Response], looks: list[tuple[Lattice, set[int]]]) -> list[int]:
    """The parts that every published figure of every look cuts the responses into (the smallest sets
    that intersections, unions and differences of published selections form; the exports of rows
    let the intruder form exactly these), and the sizes of those with 1 to k - 1 responses."""
    labels = np.zeros(len(responses), dtype=np.int64)
    for lat, shown in looks:
        for view in lat.offered():
            member = np.array(
                [
                    i in shown and lat.within(view, r.version, r.lang, r.tag, r.day)
                    for i, r in enumerate(responses)
                ]
            )
            _, labels = np.unique(labels * 2 + member, return_inverse=True)
            labels = labels.reshape(-1)
    ever = set().union(*(shown for _, shown in looks))
    sizes = Counter(int(labels[i]) for i in ever)
    return sorted(n for n in sizes.values() if 0 < n < K)


def released_looks(responses: list[Response], days: int) -> list[tuple[Lattice, set[int]]]:
    history: dict[releases.Stream, tuple[date, ...]] = {}
    looks = []
    for i in range(1, days + 1):
        day = START + timedelta(days=i)
        stored = counts_until(responses, day)
        history = releases.record(history, releases.advance(stored, releases.latest(history), day, K))
        lat = Lattice(stored, K, history=history)
        shown = {
            j
            for j, r in enumerate(responses)
            if releases.published_by(history, (r.version, r.lang, r.tag), r.day)
        }
        looks.append((lat, shown))
    return looks


def live_looks(responses: list[Response], days: int) -> list[tuple[Lattice, set[int]]]:
    looks = []
    for i in range(1, days + 1):
        day = START + timedelta(days=i)
        looks.append(
            (
                Lattice(counts_until(responses, day), K),
                {j: None for j, r in enumerate(responses) if r.day <= day},
            )
        )
    return looks


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_two_releases_differ_by_fewer_than_k_responses(seed):
    responses = arrivals(seed)
    looks = released_looks(responses, 72)
    assert small_parts(responses, looks) == []
    lat, published = looks[-1]
    waiting = Counter((r.version, r.lang, r.tag) for i, r in enumerate(responses) if i not in published)
    assert max(waiting.values()) < K, "no stream keeps k or more waiting"
    offered = Counter(v.period.period for v in lat.offered() if v.period is not None)
    assert min(offered.values()) > 0 and len(offered) == 3, "weeks, months and quarters are offered"


@pytest.mark.slow
def test_live_publication_shows_single_arrivals():
    """As before releases: each look shows what is stored that day, with the lattice of that day."""
    responses = arrivals(1)
    assert 1 in small_parts(responses, live_looks(responses, 72))


def test_a_single_arrival_changes_no_figure_until_k_of_its_stream_have_come():
    responses = arrivals(1)
    day = START + timedelta(days=72)
    stored = counts_until(responses, day)
    cuts = releases.advance(stored, {}, day, K)
    one = Response("1.1", "en", "", day)  # a visitor finishes at the stand
    later = stored + Counter({(one.version, one.lang, one.tag, one.day): 1})
    tomorrow = day + timedelta(days=1)
    moved = releases.advance(later, cuts, tomorrow, K)
    assert moved == cuts
    assert releases.published(later, moved) == releases.published(stored, cuts)
    for _ in range(K - 1):  # k of the stream: the release publishes them together
        later[(one.version, one.lang, one.tag, one.day)] += 1
    assert releases.advance(later, cuts, tomorrow, K)[("1.1", "en", "")] == tomorrow


def test_a_period_keeps_the_responses_published_by_the_first_release_after_it():
    """One English response of a week waits for its stream; the week is offered after the next release
    with its German responses only, and keeps them when the English one is published with four more."""
    responses = [Response("1.0", "de", "", START + timedelta(days=i)) for i in range(7) for _ in range(K)]
    responses += [Response("1.0", "en", "", START + timedelta(days=2))]
    looks = released_looks(responses, 8)
    lat, shown = looks[-1]
    week = View(period=next(iter(lat.periods[Period.WEEK])))
    assert lat.published[week] and lat.count(week) == 7 * K
    responses += [Response("1.0", "en", "", START + timedelta(days=9)) for _ in range(K - 1)]
    looks = released_looks(responses, 12)
    lat, shown = looks[-1]
    assert len(shown) == len(responses)
    assert lat.published[week] and lat.count(week) == 7 * K
    assert lat.count(View()) == 8 * K
    assert small_parts(responses, looks) == []
