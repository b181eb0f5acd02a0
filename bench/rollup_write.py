"""What keeping the dashboard's roll-ups costs a submission: `Store.save_response` timed with the roll-ups
maintained (as shipped) and with their maintenance switched off (`rollups.add` a no-op, as before the
roll-ups), alternating one by one in the same run, on SQLite (a file, synchronous = FULL) and PostgreSQL.

Seeds N responses first (trp_core.services.demo) so that the tables and indexes have a realistic size.

    .venv/bin/python bench/rollup_write.py [--responses N] [--saves S] [--pg URL] [--no-pg] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from trp_core.files.surveys import load_surveys  # noqa: E402
from trp_core.method.codes import code_hash, new_code  # noqa: E402
from trp_core.method.levers import assess  # noqa: E402
from trp_core.method.synthetic import random_answers  # noqa: E402
from trp_core.services.demo import seed  # noqa: E402
from trp_core.store import rollups  # noqa: E402
from trp_core.store.engine import database_url, make_engine  # noqa: E402
from trp_core.store.migrate import upgrade  # noqa: E402
from trp_core.store.repository import Store  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def run(name: str, url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    upgrade(engine)
    found, _ = load_surveys(ROOT / "surveys")
    survey = found["trp-standard"]
    seed(engine, [survey], args.responses, events=[None, "fair"], days=90, seed=1, today=date(2026, 6, 30))
    store = Store(engine)
    rng = random.Random(5)
    cases = []
    for _ in range(50):
        answers = random_answers(survey, rng, answer_rate=0.9, dont_know_rate=0.05)
        cases.append((answers, assess(survey, answers)))
    real_add = rollups.add
    times: dict[bool, list[float]] = {True: [], False: []}

    def save(i: int) -> float:
        answers, assessment = cases[i % len(cases)]
        start = time.perf_counter()
        store.save_response(
            survey=survey,
            assessment=assessment,
            answers=answers,
            lang="de",
            event="fair",
            submission_key=uuid.uuid4().hex,
            code_hash=code_hash(new_code()),
            day=date(2026, 6, 30),
        )
        return time.perf_counter() - start

    try:
        for i in range(args.saves * 2 + 10):
            maintained = i % 2 == 0
            rollups.add = real_add if maintained else _no_add  # type: ignore[assignment]
            t = save(i)
            if i >= 10:  # warm-up
                times[maintained].append(t)
    finally:
        rollups.add = real_add  # type: ignore[assignment]
    rollups.rebuild(engine)  # the unmaintained saves are counted in again
    for maintained, label in ((False, "without roll-ups"), (True, "with roll-ups")):
        ts = sorted(times[maintained])
        p50, p95 = statistics.median(ts), ts[int(len(ts) * 0.95) - 1]
        print(
            f"{name:<11} save_response {label:<17} p50 {p50 * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms  ({len(ts)} saves)"
        )
    engine.dispose()


def _no_add(*args: Any, **kwargs: Any) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--saves", type=int, default=200, help="saves each way")
    parser.add_argument("--pg", default=os.environ.get("TRP_TEST_DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print(
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; {args.responses:,} responses seeded"
    )
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="trp-bench-") as folder:
            run("sqlite", f"sqlite:///{folder}/bench.sqlite3", args)
    if not args.no_pg:
        admin = create_engine(database_url(args.pg), isolation_level="AUTOCOMMIT")
        name = f"trp_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.exec_driver_sql(f"CREATE DATABASE {name}")
        try:
            run(
                "postgresql",
                database_url(args.pg).set(database=name).render_as_string(hide_password=False),
                args,
            )
        finally:
            with admin.connect() as c:
                c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.dispose()
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
