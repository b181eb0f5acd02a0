"""Login timing: an unknown name against a wrong password for a known one, through the real Authenticator.

Prints the median and spread of N logins each (alternating, so that both see the same machine
load), on SQLite and, when it answers, on PostgreSQL, and their ratio: close to 1 means the
answer time does not tell whether an account exists. The throttle is relaxed for the run (a
Backoff that never holds), since held attempts are answered without any check.

    .venv/bin/python bench/login_timing.py [-n 20] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from trp_core.services.auth import MEMORY_KIB, PARALLELISM, TIME_COST, Authenticator, hash_password
from trp_core.services.throttle import Backoff
from trp_core.store.accounts import Accounts
from trp_core.store.engine import database_url, make_engine
from trp_core.store.migrate import upgrade

NEVER_HOLD = Backoff(free=10**9, base=0.0, cap=0.0, forget=1.0)
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def measure(url: str | URL, n: int) -> tuple[list[float], list[float]]:
    engine = make_engine(url)
    try:
        upgrade(engine)
        Accounts(engine).add("alice", hash_password("correct horse battery"), replace=True)
        auth = Authenticator(engine, per_account=NEVER_HOLD)
        auth.log_in("warm-up", "not the password")
        wrong, unknown = [], []
        for i in range(n):
            for name, into in (("alice", wrong), (f"nobody-{i}", unknown)):
                start = time.perf_counter()
                result = auth.log_in(name, "not the password")
                into.append(time.perf_counter() - start)
                assert result.name is None and result.checked
        return wrong, unknown
    finally:
        engine.dispose()


def report(backend: str, wrong: list[float], unknown: list[float]) -> None:
    def ms(values: list[float]) -> str:
        q = statistics.quantiles(values, n=4)
        return f"{statistics.median(values) * 1000:8.1f} ms (IQR {q[0] * 1000:.1f}–{q[2] * 1000:.1f})"

    ratio = statistics.median(unknown) / statistics.median(wrong)
    print(f"{backend:<11} wrong password {ms(wrong)}   unknown name {ms(unknown)}   ratio {ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="logins of each kind")
    parser.add_argument("--postgres", default=os.environ.get("TRP_TEST_DATABASE_URL", PG_DEFAULT))
    args = parser.parse_args()
    print(f"argon2id m={MEMORY_KIB} KiB, t={TIME_COST}, p={PARALLELISM}; median of {args.n} logins each")
    with tempfile.TemporaryDirectory() as folder:
        report("SQLite", *measure(f"sqlite:///{Path(folder) / 'trp.sqlite3'}", args.n))
    admin = create_engine(database_url(args.postgres), isolation_level="AUTOCOMMIT")
    name = f"trp_bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError:
        print("PostgreSQL   not reachable: skipped")
        return
    try:
        report("PostgreSQL", *measure(database_url(args.postgres).set(database=name), args.n))
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
