"""Scoring speed: the single-response path and the batch re-scoring path, in one run.

Prints, per bundled survey, responses per second of trp_core.method.scoring.score over 100 000
random valid answer sets (target ≥ 20 000/s on one core), by the clock and by the process's CPU
time (steadier on a shared machine), and for 1 000 000 answer sets the batch path of
trp_core.method.scoring (encode, score_matrix), as ratios against the single path in the same run:
- rescore: the stored per-criterion matrix of each response to axis scores, passed flags and
  quadrants under the survey's weights and thresholds: what calibration repeats for every
  change (target < 5 s);
- encode: answer dicts to that matrix; needed once per response, or again only when
  questions, points or bands change.

    .venv/bin/python bench/scoring_speed.py [--single N] [--batch N]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from trp_core.files.surveys import load_survey
from trp_core.method.levers import assess
from trp_core.method.scoring import encode, score, score_matrix
from trp_core.method.synthetic import random_answers

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=100_000, help="answer sets per survey, single path")
    parser.add_argument("--batch", type=int, default=1_000_000, help="answer sets for the batch path")
    args = parser.parse_args()
    print(f"{'survey':<14} {'single /s':>10} {'cpu /s':>8} {'assess ms':>10} {'single 1M s':>12} {'rescore 1M s':>13} "
          f"{'ratio':>7} {'encode 1M s':>12} {'ratio':>6}")  # fmt: skip
    for path in sorted((ROOT / "surveys").glob("*.yaml")):
        survey = load_survey(path)
        rng = random.Random(2026)
        sets = [
            random_answers(survey, rng, answer_rate=0.95, dont_know_rate=0.05) for _ in range(args.single)
        ]

        start, cpu = time.perf_counter(), time.process_time()
        for answers in sets:
            score(survey, answers)
        single, cpu = time.perf_counter() - start, time.process_time() - cpu
        per_response = single / len(sets)

        start = time.perf_counter()
        for answers in sets[:200]:
            assess(survey, answers)
        assess_ms = (time.perf_counter() - start) / 200 * 1000

        # A million stored answer sets: the generated ones, repeated (generation is not measured).
        many = (sets * (args.batch // len(sets) + 1))[: args.batch]
        start = time.perf_counter()
        matrix = encode(survey, many)
        encoded = time.perf_counter()
        result = score_matrix(survey, matrix)
        done = time.perf_counter()
        single_all = per_response * len(many)
        rescore, full = done - encoded, done - start
        print(
            f"{survey.id:<14} {len(sets) / single:>10,.0f} {len(sets) / cpu:>8,.0f} {assess_ms:>10.1f} {single_all:>12.1f} "
            f"{rescore:>13.3f} {single_all / rescore:>6.0f}x {full:>12.1f} {single_all / full:>5.1f}x"
        )
        assert sum(result.quadrant_counts().values()) == len(many)
    print(
        "single /s: trp_core.method.scoring.score in one process on one core; cpu /s: the same by CPU time;\n"
        "assess ms: score plus levers (the result page);\n"
        "single 1M s: the single path's time for 1M sets, from its measured rate;\n"
        "rescore: scoring.score_matrix on the stored criterion matrix;\n"
        "encode: scoring.encode + score_matrix from answer dicts; ratio: single / batch."
    )


if __name__ == "__main__":
    main()
