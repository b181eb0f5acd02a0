"""Soak: many sessions stay open and act now and then; the server's memory must level off.

Starts the app on a fresh SQLite file and opens --sessions protocol sessions
(tests/system/load/stclient.py, Streamlit's own websocket) that stay open for --minutes. Each acts
every --interval seconds (random): answers a step and goes on, goes back, changes an answer,
types a calculator figure, now and then submits and starts a new self-check. The server's
resident memory (VmRSS of its process) is sampled every 10 s. Printed: RSS when all sessions
are open, half-way and at the end, the growth over the second half (target < 10 %), the
actions and submissions, their time at p50/p95, and the failed sessions (target 0) with their
reasons: a session fails when an action times out, the connection drops, a submission shows no
result code, or an error is shown. Exit status 1 when a session failed, 3 when only the growth
target was missed.

    .venv/bin/python bench/soak.py [--sessions 120] [--minutes 10] [--interval 5-20] [--seed 2026]
        [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import Server  # noqa: E402
from tests.support.stclient import ClientError, Visitor  # noqa: E402
from trp_core.files.surveys import load_survey  # noqa: E402
from trp_core.method.survey import Survey  # noqa: E402
from trp_core.method.synthetic import random_input  # noqa: E402

LANGS = ("de", "en")
SAMPLE_EVERY = 10.0
GROWTH_TARGET = 10.0  # percent over the second half
OPENING = 8  # sessions opening at the same time


@dataclass
class Soaker:
    """What one session did."""

    n: int
    survey: str
    lang: str
    actions: int = 0
    submissions: int = 0
    seconds: list[float] = field(default_factory=list)  # each action's time
    failure: str | None = None
    ready: bool = False  # open and in the questionnaire


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def parse_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    span = (float(low), float(high or low))
    if span[0] < 0 or span[1] < span[0]:
        raise argparse.ArgumentTypeError(f"not a range of seconds: {text!r} (e.g. 5-20)")
    return span


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


async def soak(args, url: str, pid: int, surveys: list[Survey]) -> tuple[list[Soaker], list[tuple]]:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=120)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--interval", type=parse_range, default=(5.0, 20.0), help="seconds, e.g. 5-20")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one action may take")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.sessions < 1 or args.minutes <= 0:
        parser.error("need at least one session and a positive duration")

    command = shlex.join([Path(sys.executable).name, *sys.argv])
    print("command:", command, flush=True)
    surveys = [load_survey(p) for p in sorted((ROOT / "surveys").glob("*.yaml"))]
    tmp = Path(tempfile.mkdtemp(prefix="trp-soak-"))
    server = Server(tmp)
    try:
        soakers, samples = asyncio.run(soak(args, server.url, server.process.pid, surveys))
    finally:
        server.stop()

    duration = samples[-1][0]
    start, half, end = samples[0][1], rss_at(samples, duration / 2), samples[-1][1]
    growth = (end - half) / half * 100
    failed = [s for s in soakers if s.failure]
    seconds = sorted(x for s in soakers for x in s.seconds)
    q = statistics.quantiles(seconds, n=100, method="inclusive") if len(seconds) > 1 else seconds * 99
    summary = {
        "command": command,
        "sessions": args.sessions,
        "minutes": args.minutes,
        "interval": args.interval,
        "rss_start_mb": start,
        "rss_half_mb": half,
        "rss_end_mb": end,
        "rss_max_mb": max(r for _, r in samples),
        "growth_second_half_pct": growth,
        "samples": samples,
        "actions": sum(s.actions for s in soakers),
        "submissions": sum(s.submissions for s in soakers),
        "action_p50_s": q[49] if q else None,
        "action_p95_s": q[94] if q else None,
        "failed_sessions": len(failed),
        "failures": dict(Counter(s.failure for s in failed)),
    }
    print()
    print(
        f"sessions:              {args.sessions}, open for {duration / 60:.1f} min, acting every {args.interval[0]:g}–{args.interval[1]:g} s"
    )
    print(f"actions:               {summary['actions']} ({summary['submissions']} submissions)")
    if q:
        print(f"action time:           p50 {q[49]:.3f} s, p95 {q[94]:.3f} s")
    print(f"server RSS at start:   {start:8.1f} MB (all sessions open)")
    print(f"server RSS half-way:   {half:8.1f} MB")
    print(
        f"server RSS at the end: {end:8.1f} MB (max {summary['rss_max_mb']:.1f} MB, {len(samples)} samples)"
    )
    met = "met" if growth < GROWTH_TARGET else "NOT met"
    print(f"growth, second half:   {growth:+8.2f} % (target < {GROWTH_TARGET:g} %: {met})")
    print(f"failed sessions:       {len(failed)}")
    for reason, n in summary["failures"].items():
        print(f"  {n}× {reason}")
    if args.json:
        args.json.write_text(json.dumps({**summary, "soakers": [asdict(s) for s in soakers]}, indent=1))
    if failed:
        print(f"server log kept: {server.log}")
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if growth < GROWTH_TARGET else 3


if __name__ == "__main__":
    sys.exit(main())
