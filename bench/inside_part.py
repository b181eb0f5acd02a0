"""What the cell-key method leaves inside a part: the automated intruder (tests/support/intruder.py,
linear programming over every published figure) on the tiny-fair data set of the tests (60 untagged,
30 at a big fair, 3 at a tiny fair, k = 5), run after run with fresh random record keys. Per run: the
counts of 1 to k − 1 inside a part worked out exactly, and those bounded surely inside 1 to k − 1
(with the width of each range); and once with the method switched off.

    .venv/bin/python bench/inside_part.py [--runs 10]

Prints one line per run and a summary (PRIVACY.md, "What remains", quotes it).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from tests.support.intruder import Ask, Intruder, Person  # noqa: E402
from trp_core.cli import report  # noqa: E402
from trp_core.files.surveys import load_surveys  # noqa: E402
from trp_core.method.levers import assess  # noqa: E402
from trp_core.method.synthetic import random_answers  # noqa: E402
from trp_core.privacy import cellkey  # noqa: E402
from trp_core.store import rollups  # noqa: E402
from trp_core.store.engine import make_engine  # noqa: E402
from trp_core.store.migrate import upgrade  # noqa: E402
from trp_core.store.repository import Store  # noqa: E402

K = 5


class Reports:
    """The intruder's view: the functions behind `trp report dashboard`."""

    def __init__(self, engine: Any, survey: Any):
        self.engine, self.survey = engine, survey

    def dashboard(self, ask: Ask) -> dict[str, Any]:
        return report.dashboard_report(self.engine, self.survey, ask)


def tiny_fair(store: Store, survey: Any) -> list[Person]:
    """The data set of tests/store/manager/test_intruder.py's `tiny_fair`."""
    rng = random.Random(13)
    start = date(2025, 4, 7)
    rows = [("", rng.choice(["de", "en"]), start + timedelta(days=rng.randrange(56))) for _ in range(60)]
    rows += [
        ("big-fair", rng.choice(["de", "en"]), start + timedelta(days=rng.randrange(56))) for _ in range(30)
    ]
    rows += [("tiny-fair", "de", start + timedelta(days=20)) for _ in range(3)]
    answers_rng = random.Random(13)
    people = []
    for tag, lang, day in rows:
        answers = random_answers(survey, answers_rng, answer_rate=0.95, dont_know_rate=0.05)
        assessment = assess(survey, answers)
        store.save_response(
            survey=survey,
            assessment=assessment,
            answers=answers,
            lang=lang,
            event=tag or None,
            submission_key=uuid.uuid4().hex,
            code_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
            day=day,
        )
        people.append(Person(survey.version, lang, tag, day, assessment.quadrant.value))
    return people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    found, _ = load_surveys(ROOT / "surveys")
    survey = found["trp-standard"]
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/trp.sqlite3")
        upgrade(engine)
        people = tiny_fair(Store(engine), survey)
        thresholds = (survey.thresholds.kann, survey.thresholds.will)
        widths: Counter[int] = Counter()
        bounded_runs = []
        for run in range(args.runs):
            with engine.begin() as conn:  # fresh record keys, as if every response were stored anew
                conn.execute(text("UPDATE responses SET record_key = (random() % 256 + 256) % 256"))
            rollups.rebuild(engine)
            started = time.perf_counter()
            intruder = Intruder(Reports(engine, survey), people, K, thresholds)
            out = intruder.attack({}, exports=False, free_text=False, inside_parts=True)
            exact = [f for f in out if f.endswith("worked out")]
            bounded = [f for f in out if f.endswith("bounded")]
            for f in bounded:
                low, high = map(int, re.search(r": (\d+) to (\d+) responses", f).groups())  # type: ignore[union-attr]
                widths[high - low + 1] += 1
            bounded_runs.append(len(bounded))
            print(
                f"run {run + 1}: {len(exact)} worked out exactly, {len(bounded)} bounded inside 1 to {K - 1}"
                f" ({time.perf_counter() - started:.0f} s)"
            )
        perturb, noise = cellkey.perturb, cellkey.NOISE
        cellkey.perturb, cellkey.NOISE = (lambda n, key_sum, k: n), 0  # the method switched off
        try:
            out = Intruder(Reports(engine, survey), people, K, thresholds).attack(
                {}, exports=False, free_text=False, inside_parts=True
            )
        finally:
            cellkey.perturb, cellkey.NOISE = perturb, noise
        engine.dispose()
    families = Counter(f.split(":")[0].split(" ")[0] for f in out if f.endswith("worked out"))
    print(
        f"\n{args.runs} runs: bounded counts per run {sorted(bounded_runs)} (mean "
        f"{sum(bounded_runs) / max(1, len(bounded_runs)):.1f}); ranges of "
        + ", ".join(f"{w} values: {n}" for w, n in sorted(widths.items()))
    )
    print(
        f"without the cell-key method: {sum(families.values())} counts worked out exactly ({dict(families)})"
    )


if __name__ == "__main__":
    main()
