"""What releases cost (PRIVACY.md, "Releases"): on the demo data of bench/privacy_utility.py (2 000
responses over 26 weeks, untagged 1 297, tags of 3, 20, 80, 200 and 400 responses; k = 5), a release
each day as the responses come in, from the first day on. Prints how many responses are published
at the end and how many wait (per stream), how long a response waits for its release, and how many
periods the last release offers, with releases and without (every response published at once).

    .venv/bin/python bench/releases.py [--responses 2000] [--seed 13] [--every 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trp_core.files.surveys import load_surveys  # noqa: E402
from trp_core.method.figures import Period  # noqa: E402
from trp_core.privacy import releases  # noqa: E402
from trp_core.privacy.cells import Lattice  # noqa: E402
from trp_core.services.demo import seed  # noqa: E402
from trp_core.store import reads  # noqa: E402
from trp_core.store.engine import make_engine  # noqa: E402
from trp_core.store.migrate import upgrade  # noqa: E402

K = 5
TAGS = {"tiny-fair": 3, "roadshow": 20, "webinar": 80, "expo": 200, "campaign": 400}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--every", type=int, default=1, help="days between releases")
    args = parser.parse_args()
    found, _ = load_surveys(ROOT / "surveys")
    survey = found["trp-standard"]
    from datetime import date

    today = date(2025, 6, 30)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/trp.sqlite3")
        upgrade(engine)
        seed(engine, [survey], args.responses - sum(TAGS.values()), days=182, seed=args.seed, today=today)
        for i, (tag, n) in enumerate(TAGS.items()):
            seed(engine, [survey], n, events=[tag], days=182, seed=args.seed + i + 1, today=today)
        counts = reads.cell_counts(engine, survey.id, rollups=False)
        engine.dispose()
    total = sum(counts.values())
    first = min(c[3] for c in counts)
    days = [first + timedelta(days=i) for i in range(1, (today - first).days + 2, args.every)]
    started = time.perf_counter()
    history: dict[releases.Stream, tuple[date, ...]] = {}
    waited: Counter[int] = Counter()
    for day in days:
        stored = {c: n for c, n in counts.items() if c[3] < day + timedelta(days=1)}
        before = releases.latest(history)
        history = releases.record(history, releases.advance(stored, before, day, K))
        after = releases.latest(history)
        for c, n in stored.items():
            s = releases.stream_of(c)
            if before.get(s, releases.NEVER) <= c[3] < after.get(s, releases.NEVER):
                waited[(day - c[3]).days] += n
    simulated = time.perf_counter() - started
    published = releases.published(counts, releases.latest(history))
    waiting = Counter()
    for c, n in counts.items():
        if c not in published:
            waiting[releases.stream_of(c)] += n
    started = time.perf_counter()
    with_releases = Lattice(counts, K, history=history)
    built = time.perf_counter() - started
    live = Lattice(counts, K)
    print(f"{total} responses, {len(days)} releases (one every {args.every} day(s)), k = {K}")
    print(f"published at the last release: {sum(published.values())} ({sum(published.values()) / total:.1%})")
    print(f"waiting: {sum(waiting.values())}, per stream (version, language, tag):")
    for stream, n in sorted(waiting.items(), key=lambda x: -x[1]):
        print(f"  {stream}: {n}")
    n = sum(waited.values())
    share = lambda d: sum(v for w, v in waited.items() if w <= d) / n  # noqa: E731
    print(
        "waited for their release: "
        + ", ".join(f"{share(d):.0%} within {d} day(s)" for d in (1, 7, 14, 28))
        + f", longest {max(waited)} days"
    )
    for name, lat in (("with releases", with_releases), ("without releases", live)):
        offered = {v.period for v in lat.offered() if v.period is not None}
        kinds = ", ".join(
            f"{sum(p.period is g for p in offered)} {g.value}s"
            for g in (Period.WEEK, Period.MONTH, Period.QUARTER)
        )
        views = sum(1 for _ in lat.offered())
        print(f"{name}: {views} of {len(lat.published)} views offered; periods offered in some view: {kinds}")
    print(f"time: {simulated:.2f} s for the releases, {built:.2f} s for the last lattice")


if __name__ == "__main__":
    main()
