"""The soak: many protocol sessions stay open on one server and act now and then; its memory is sampled.

Driven by bench/soak.py (full size, by hand) and tests/system/load/test_soak.py (CI size).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from tests.support.server import ROOT, Server
from tests.support.stclient import ClientError, Visitor
from trp_core.files.surveys import load_survey
from trp_core.method.survey import Survey
from trp_core.method.synthetic import random_input

LANGS = ("de", "en")
SAMPLE_EVERY = 10.0
GROWTH_TARGET = 10.0  # percent over the second half
OPENING = 8  # sessions opening at the same time


@dataclass
class Soak:
    """What to run: bench/soak.py's options, with its defaults."""

    sessions: int = 120
    minutes: float = 10.0
    interval: tuple[float, float] = (5.0, 20.0)  # seconds between a session's actions
    seed: int = 2026
    timeout: float = 60.0  # seconds one action may take


@dataclass
class Soaker:
    """What one session did."""

    n: int
    survey: str
    lang: str
    actions: int = 0
    submissions: int = 0
    seconds: list[float] = dataclass_field(default_factory=list)  # each action's time
    failure: str | None = None
    ready: bool = False  # open and in the questionnaire


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def act(v: Visitor, rng: random.Random, s: Soaker) -> None:
    """One interaction, chosen by where the session is."""
    place = v.where()
    if place == "start":
        await v.start()
    elif place.startswith("section:"):
        r = rng.random()
        back = v.session.find(key="nav.back")
        if r < 0.2 and not back.disabled:
            await v.back()
        elif r < 0.35:  # change one answer, then on
            q = rng.choice(v.section().questions)
            await v.fill({q.id: v.draw(q)})
            await v.next()
        else:
            await v.answer_step()
    elif place == "calculator":
        r = rng.random()
        if r < 0.5:
            name = rng.choice(v.survey.calculator.asked)
            await v.set_figure(name, random_input(v.survey, name, rng))
        elif r < 0.65:
            await v.back()
        else:
            code, _ = await v.submit()
            if code is None:
                raise ClientError(f"submit showed no result code but {v.session.texts()[-3:]}")
            s.submissions += 1
    elif place == "result":
        await v.new_check()
    else:
        raise ClientError(f"the session ended up at {place}")


async def soak_session(
    s: Soaker,
    url: str,
    survey: Survey,
    opening: asyncio.Semaphore,
    opened: asyncio.Event,
    stop: asyncio.Event,
    interval: tuple[float, float],
    timeout: float,
    rng: random.Random,
) -> Visitor:
    v = Visitor(url, survey, s.lang, rng, timeout=timeout)
    try:
        async with opening:
            await v.open()
            await v.start()
        s.ready = True
        await opened.wait()
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), rng.uniform(*interval))
                break
            except TimeoutError:
                pass
            began = time.perf_counter()
            await act(v, rng, s)
            s.seconds.append(time.perf_counter() - began)
            s.actions += 1
            if v.errors:
                raise ClientError(f"error shown: {v.errors[0]}")
    except ClientError as exc:
        s.failure = str(exc)
    return v


async def soak(args: Soak, url: str, pid: int, surveys: list[Survey]) -> tuple[list[Soaker], list[tuple]]:
    opening, opened, stop = asyncio.Semaphore(OPENING), asyncio.Event(), asyncio.Event()
    soakers, tasks = [], []
    for n in range(args.sessions):
        rng = random.Random(f"{args.seed}-soak-{n}")
        survey = rng.choice(surveys)
        s = Soaker(n, survey.id, rng.choice(LANGS))
        soakers.append(s)
        tasks.append(
            asyncio.create_task(
                soak_session(s, url, survey, opening, opened, stop, args.interval, args.timeout, rng)
            )
        )
    # Every session open and in its questionnaire: the start of the measurement.
    while not all(s.ready or s.failure for s in soakers):
        await asyncio.sleep(0.2)
    opened.set()
    samples: list[tuple[float, float]] = []  # (seconds since start, RSS MB)
    began = time.monotonic()
    end = began + args.minutes * 60
    print(f"{args.sessions} sessions open; soaking for {args.minutes:g} min", flush=True)
    while True:
        now = time.monotonic()
        samples.append((now - began, rss_mb(pid)))
        if now >= end:
            break
        if len(samples) % 6 == 1:
            failed = sum(1 for s in soakers if s.failure)
            actions = sum(s.actions for s in soakers)
            print(
                f"  {now - began:5.0f} s  RSS {samples[-1][1]:7.1f} MB  actions {actions}  failed {failed}",
                flush=True,
            )
        await asyncio.sleep(min(SAMPLE_EVERY, end - now))
    stop.set()
    visitors = await asyncio.gather(*tasks)
    for v in visitors:
        await v.close()
    return soakers, samples


def rss_at(samples: list[tuple[float, float]], second: float) -> float:
    return min(samples, key=lambda p: abs(p[0] - second))[1]


def run(config: Soak, tmp: Path, command: str = "") -> tuple[dict[str, Any], Path]:
    """The soak on its own server with a fresh SQLite file in `tmp`; the figures and the server's log."""
    if config.sessions < 1 or config.minutes <= 0:
        raise ValueError("need at least one session and a positive duration")
    surveys = [load_survey(p) for p in sorted((ROOT / "surveys").glob("*.yaml"))]
    server = Server(tmp)
    try:
        soakers, samples = asyncio.run(soak(config, server.url, server.process.pid, surveys))
    finally:
        server.stop()

    duration = samples[-1][0]
    start, half, end = samples[0][1], rss_at(samples, duration / 2), samples[-1][1]
    failed = [s for s in soakers if s.failure]
    seconds = sorted(x for s in soakers for x in s.seconds)
    q = statistics.quantiles(seconds, n=100, method="inclusive") if len(seconds) > 1 else seconds * 99
    summary = {
        "command": command,
        "sessions": config.sessions,
        "minutes": config.minutes,
        "interval": config.interval,
        "rss_start_mb": start,
        "rss_half_mb": half,
        "rss_end_mb": end,
        "rss_max_mb": max(r for _, r in samples),
        "growth_second_half_pct": (end - half) / half * 100,
        "samples": samples,
        "actions": sum(s.actions for s in soakers),
        "submissions": sum(s.submissions for s in soakers),
        "action_p50_s": q[49] if q else None,
        "action_p95_s": q[94] if q else None,
        "failed_sessions": len(failed),
        "failures": dict(Counter(s.failure for s in failed)),
        "soakers": [asdict(s) for s in soakers],
    }
    return summary, server.log


def exit_status(summary: dict[str, Any]) -> int:
    """bench/soak.py's: 1 when a session failed, 3 when only the growth target was missed, else 0."""
    if summary["failed_sessions"]:
        return 1
    return 0 if summary["growth_second_half_pct"] < GROWTH_TARGET else 3
