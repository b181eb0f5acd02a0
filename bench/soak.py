"""Soak: many sessions stay open and act now and then; the server's memory must level off.

Starts the app on a fresh SQLite file and opens --sessions protocol sessions
(tests/support/stclient.py, Streamlit's own websocket) that stay open for --minutes. Each acts
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
import json
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.soak import GROWTH_TARGET, Soak, exit_status, run  # noqa: E402


def parse_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    span = (float(low), float(high or low))
    if span[0] < 0 or span[1] < span[0]:
        raise argparse.ArgumentTypeError(f"not a range of seconds: {text!r} (e.g. 5-20)")
    return span


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
    config = Soak(args.sessions, args.minutes, args.interval, args.seed, args.timeout)
    tmp = Path(tempfile.mkdtemp(prefix="trp-soak-"))
    summary, server_log = run(config, tmp, command)

    samples = summary["samples"]
    duration = samples[-1][0]
    growth = summary["growth_second_half_pct"]
    print()
    print(
        f"sessions:              {args.sessions}, open for {duration / 60:.1f} min, acting every {args.interval[0]:g}–{args.interval[1]:g} s"
    )
    print(f"actions:               {summary['actions']} ({summary['submissions']} submissions)")
    if summary["action_p50_s"] is not None:
        print(
            f"action time:           p50 {summary['action_p50_s']:.3f} s, p95 {summary['action_p95_s']:.3f} s"
        )
    print(f"server RSS at start:   {summary['rss_start_mb']:8.1f} MB (all sessions open)")
    print(f"server RSS half-way:   {summary['rss_half_mb']:8.1f} MB")
    print(
        f"server RSS at the end: {summary['rss_end_mb']:8.1f} MB (max {summary['rss_max_mb']:.1f} MB, {len(samples)} samples)"
    )
    met = "met" if growth < GROWTH_TARGET else "NOT met"
    print(f"growth, second half:   {growth:+8.2f} % (target < {GROWTH_TARGET:g} %: {met})")
    print(f"failed sessions:       {summary['failed_sessions']}")
    for reason, n in summary["failures"].items():
        print(f"  {n}× {reason}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    status = exit_status(summary)
    if status == 1:
        print(f"server log kept: {server_log}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
