"""The event burst: protocol visitors and Chromium contexts submit at once against a fresh server.

Driven by bench/burst.py (full size, by hand) and tests/system/load/test_burst.py (CI size);
`run` starts the server on a fresh database, drives the visits, and reads back what was stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as DbSession

from tests.support.server import CHROMIUM_ARGS, ROOT, TABLET, Replicas, Server, chromium_path
from tests.support.stclient import CODE, ClientError, Visitor
from trp_core.files.surveys import load_survey
from trp_core.method.codes import code_hash
from trp_core.method.survey import Survey
from trp_core.method.synthetic import random_answers
from trp_core.presentation.i18n import t
from trp_core.store.engine import database_url, make_engine
from trp_core.store.models import Response

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LANGS = ("de", "en")
ERROR_SELECTOR = '[data-testid="stAlertContentError"], [data-testid="stException"]'
# What the server log says when something went wrong (the app logs with logger.exception).
LOG_PROBLEM = re.compile(r"Traceback|not stored|locked|QueuePool|Error\b", re.IGNORECASE)


@dataclass
class Burst:
    """What to run: bench/burst.py's options, with its defaults."""

    db: str  # "sqlite" or "postgres"
    visitors: int = 40  # concurrent protocol visitors
    responses: int = 1000  # acknowledged submissions in total
    browsers: int = 4  # concurrent Chromium contexts
    pause: tuple[float, float] | None = (0.2, 2.0)  # seconds between actions; None: no pauses
    double_tap: float = 0.1  # share of submissions tapped twice at once
    seed: int = 2026
    timeout: float = 120.0  # seconds one action may take
    pg_url: str = field(default_factory=lambda: os.environ.get("TRP_TEST_DATABASE_URL", PG_DEFAULT))
    replicas: int | None = None  # N: `trp serve --replicas N` (N app processes behind nginx); None: one app


class DatabaseUnavailable(RuntimeError):
    """The PostgreSQL server named by --pg-url does not answer."""


class Outcome(NamedTuple):
    summary: dict[str, Any]
    attempts: list[Attempt]
    where: str  # the database, in words
    server_log: Path


@dataclass
class Attempt:
    """One self-check: acknowledged when a result code was shown."""

    driver: str  # "protocol" or "browser"
    survey: str
    lang: str
    code: str | None = None
    seconds: float | None = None  # submit until the result page with the code
    errors: list[str] = field(default_factory=list)  # error texts shown on the way
    failure: str | None = None  # why the visit broke off
    taps: int = 1  # 2: submit was double-tapped


class Quota:
    """Submissions still to be made, shared by the asyncio visitors and the browser threads.

    A visit claims a slot before it starts and gives it back when no code was shown, so that
    exactly `total` acknowledged submissions are made; too many failures end the run.
    """

    def __init__(self, total: int, max_failures: int):
        self.free, self.max_failures = total, max_failures
        self.attempts: list[Attempt] = []
        self.failures = 0
        self._lock = threading.Lock()

    def close(self) -> None:
        """No further visits (the run was interrupted)."""
        with self._lock:
            self.free, self.max_failures = 0, -1

    def claim(self) -> bool:
        with self._lock:
            if self.free <= 0 or self.failures > self.max_failures:
                return False
            self.free -= 1
            return True

    def record(self, attempt: Attempt) -> None:
        with self._lock:
            self.attempts.append(attempt)
            if attempt.code is None:
                self.free += 1
                self.failures += 1


# --- drivers ----------------------------------------------------------------------------------


async def protocol_visitor(n: int, url: str, surveys: list[Survey], quota: Quota, args: Burst) -> None:
    rng = random.Random(f"{args.seed}-protocol-{n}")
    while quota.claim():
        survey, lang = rng.choice(surveys), rng.choice(LANGS)
        visitor = Visitor(
            url, survey, lang, rng, pause=args.pause, timeout=args.timeout, double_tap=args.double_tap
        )
        attempt = Attempt("protocol", survey.id, lang)
        try:
            visit = await visitor.complete()
            attempt.code, attempt.seconds, attempt.taps = visit.code, visit.submit_seconds, visit.taps
            if visit.code is None:
                attempt.failure = "no result code after submit"
        except ClientError as exc:
            attempt.failure = str(exc)
        finally:
            attempt.errors = list(visitor.errors)
            await visitor.close()
        quota.record(attempt)


def browser_visitor(n: int, url: str, surveys: list[Survey], quota: Quota, args: Burst, shots: Path) -> None:
    """One Chromium of its own (Playwright's sync API is per thread), a fresh context per visit."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from tests.support.driver import Partner

    rng = random.Random(f"{args.seed}-browser-{n}")
    if not quota.claim():
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            while True:
                survey, lang = rng.choice(surveys), rng.choice(LANGS)
                attempt = Attempt("browser", survey.id, lang)
                context = browser.new_context(viewport=TABLET)
                page = None
                try:
                    page = context.new_page()
                    browse(Partner(page, url, survey, lang, shots, f"burst-{n}"), rng, args, attempt)
                except (PlaywrightError, AssertionError) as exc:
                    attempt.failure = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                    if page is not None:  # for a look at what it showed
                        with contextlib.suppress(PlaywrightError):
                            page.screenshot(path=shots / f"failed-{n}-{len(quota.attempts)}.png")
                finally:
                    context.close()
                quota.record(attempt)
                if not quota.claim():
                    break
        finally:
            browser.close()


def browse(partner, rng: random.Random, args: Burst, attempt: Attempt) -> None:
    """A partner in Chromium, with pauses; fills `attempt`.

    Clicks as tests/support/driver.py does, but after each step waits for the next step's heading
    (or the "continue anyway" button) instead of for a quiet moment, which a loaded server may
    not give before it has even begun the run.
    """
    from tests.support.driver import settle

    page, lang, survey = partner.page, partner.lang, partner.survey
    wait = args.timeout * 1000

    def think() -> None:
        if args.pause:
            page.wait_for_timeout(rng.uniform(*args.pause) * 1000)

    def look() -> None:
        shown = page.locator(ERROR_SELECTOR).all_inner_texts()
        attempt.errors.extend(text.strip().splitlines()[0] for text in shown if text.strip())

    def heading(title: str):
        return page.locator("h3", has_text=title).first

    def button(label: str):
        return page.get_by_role("button", name=label, exact=True).first

    answers = random_answers(survey, rng, answer_rate=0.9, dont_know_rate=0.05)
    titles = [s.title(lang) for s in survey.ordered_sections] + [survey.calculator.title(lang)]
    partner.open()
    look()
    think()
    button(t("start_button", lang)).click()
    heading(titles[0]).wait_for(timeout=wait)
    for i, section in enumerate(survey.ordered_sections):
        settle(page)
        partner.answer_section(section, answers)
        think()
        button(t("next", lang)).click()
        anyway = button(t("next_anyway", lang))
        heading(titles[i + 1]).or_(anyway).first.wait_for(timeout=wait)
        if anyway.is_visible():
            anyway.click()
            heading(titles[i + 1]).wait_for(timeout=wait)
        look()
    settle(page)
    think()
    partner.set_figures(answers)
    look()
    think()
    submit = button(t("submit", lang))
    attempt.taps = 2 if rng.random() < args.double_tap else 1
    began = time.perf_counter()
    if attempt.taps == 2:
        submit.dblclick()
    else:
        submit.click()
    page.wait_for_selector("text=" + t("code_line", lang), timeout=wait)
    attempt.seconds = time.perf_counter() - began
    settle(page)
    look()
    code = partner.result_code()
    attempt.code = code if CODE.fullmatch(code) else None
    if attempt.code is None:
        attempt.failure = f"no result code on the result page: {code!r}"


def drive(args: Burst, url: str, surveys: list[Survey], shots: Path) -> tuple[Quota, float]:
    quota = Quota(args.responses, max_failures=max(5, args.responses // 20))
    threads = [
        threading.Thread(
            target=browser_visitor,
            args=(n, url, surveys, quota, args, shots),
            name=f"browser-{n}",
        )
        for n in range(args.browsers)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()

    async def protocol() -> None:
        await asyncio.gather(*(protocol_visitor(n, url, surveys, quota, args) for n in range(args.visitors)))

    try:
        asyncio.run(protocol())
    except BaseException:
        quota.close()  # interrupted: the browsers stop after their current visit
        raise
    finally:
        for thread in threads:
            thread.join()
    return quota, time.perf_counter() - began


# --- database -----------------------------------------------------------------------------


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new database on the PostgreSQL server, migrated with `trp db upgrade`, dropped afterwards."""
    admin = create_engine(
        database_url(admin_url), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect():
            pass
    except OperationalError as exc:
        admin.dispose()
        raise DatabaseUnavailable(
            f"PostgreSQL at {admin.url.render_as_string()} does not answer: {exc.orig}"
        ) from exc
    name = f"trp_burst_{os.getpid()}"
    with admin.connect() as c:
        c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        subprocess.run(
            [sys.executable, "-m", "trp_core.cli", "db", "upgrade", "--url", url],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        yield url
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def check_database(url: str, attempts: list[Attempt]) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        with DbSession(engine) as s:
            rows = s.execute(
                select(Response.code_hash, Response.submission_key, Response.survey_id, Response.lang)
            ).all()
    finally:
        engine.dispose()
    acknowledged = [a for a in attempts if a.code]
    acked = Counter(code_hash(a.code) for a in acknowledged)
    by_hash = {r.code_hash: r for r in rows}
    keys = Counter(r.submission_key for r in rows)
    hashes = Counter(r.code_hash for r in rows)
    wrong = [
        a
        for a in acknowledged
        if code_hash(a.code) in by_hash
        and (by_hash[code_hash(a.code)].survey_id, by_hash[code_hash(a.code)].lang) != (a.survey, a.lang)
    ]
    return {
        "stored": len(rows),
        "missing": sum(1 for h in acked if h not in by_hash),
        "unacknowledged_rows": sum(1 for h in by_hash if h not in acked),
        # Rows sharing a submission key or code, and one code shown for two submissions.
        "duplicates": sum(c - 1 for c in keys.values())
        + sum(c - 1 for c in hashes.values())
        + sum(c - 1 for c in acked.values()),
        "wrong_survey_or_language": len(wrong),
    }


def server_log_problems(log: Path) -> Counter:
    """Lines of the server log that tell of an error, without their varying details."""
    found: Counter = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if LOG_PROBLEM.search(line) and not line.startswith(" "):
            found[re.sub(r"\b[0-9a-f]{8,}\b|\d+", "#", line.strip())[:160]] += 1
    return found


# --- summary -------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None}
    if len(values) == 1:
        return {"n": 1, "p50": values[0], "p95": values[0], "p99": values[0]}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"n": len(values), "p50": q[49], "p95": q[94], "p99": q[98]}


def summarise(
    args: Burst, command: str, attempts: list[Attempt], wall: float, db: dict, log: Counter
) -> dict[str, Any]:
    drivers = {"protocol": [a for a in attempts if a.driver == "protocol"]}
    drivers["browser"] = [a for a in attempts if a.driver == "browser"]
    drivers["all"] = attempts
    per = {
        name: {
            "acknowledged": sum(1 for a in group if a.code),
            "double_taps": sum(1 for a in group if a.code and a.taps > 1),
            "errors_shown": sum(len(a.errors) for a in group),
            "failed_visits": sum(1 for a in group if a.failure),
            "submit_seconds": percentiles([a.seconds for a in group if a.code and a.seconds is not None]),
        }
        for name, group in drivers.items()
    }
    acknowledged = per["all"]["acknowledged"]
    summary = {
        "command": command,
        "db": args.db,
        "visitors": args.visitors,
        "browsers": args.browsers,
        "replicas": args.replicas,
        "target": args.responses,
        "pause": args.pause,
        "wall_seconds": wall,
        "acknowledged": acknowledged,
        **db,
        "visitor_errors": dict(Counter(e for a in attempts for e in a.errors)),
        "visitor_error_count": per["all"]["errors_shown"],
        "failures": dict(Counter(a.failure for a in attempts if a.failure)),
        "failed_visits": per["all"]["failed_visits"],
        "server_log": dict(log),
        "per_driver": per,
    }
    summary["ok"] = (
        acknowledged == db["stored"] == args.responses
        and db["missing"] == db["unacknowledged_rows"] == db["duplicates"] == 0
        and db["wrong_survey_or_language"] == 0
        and summary["visitor_error_count"] == 0
        and summary["failed_visits"] == 0
    )
    return summary


def run(config: Burst, tmp: Path, command: str = "") -> Outcome:
    """The burst on its own server and database; the server's log and SQLite file stay in `tmp`."""
    if config.visitors < 0 or config.browsers < 0 or config.visitors + config.browsers == 0:
        raise ValueError("need at least one visitor or browser")
    surveys = [load_survey(p) for p in sorted((ROOT / "surveys").glob("*.yaml"))]
    database = postgres_database(config.pg_url) if config.db == "postgres" else _sqlite(tmp)
    with database as url:
        where = (
            f"PostgreSQL, database {database_url(url).database}"
            if config.db == "postgres"
            else f"SQLite file {tmp / 'trp.sqlite3'}"
        )
        if config.replicas:
            server: Server | Replicas = Replicas(tmp, config.replicas, env={"TRP_DATABASE_URL": url})
            where += (
                f", {config.replicas} replica{'s' if config.replicas > 1 else ''} behind nginx (trp serve)"
            )
        else:
            server = Server(tmp, env={"TRP_DATABASE_URL": url})
        try:
            quota, wall = drive(config, server.url, surveys, tmp)
        finally:
            server.stop()
        summary = summarise(
            config,
            command,
            quota.attempts,
            wall,
            check_database(url, quota.attempts),
            server_log_problems(server.log),
        )
    if isinstance(server, Replicas):
        summary["sessions_per_replica"] = server.sessions_per_replica()
    return Outcome(summary, quota.attempts, where, server.log)


@contextmanager
def _sqlite(tmp: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp / 'trp.sqlite3'}"
