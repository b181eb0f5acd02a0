"""Event burst: many partners submit at once; nothing may be lost, doubled or refused.

Starts the app on a fresh database (a SQLite file in a temporary folder, or a new database on
the PostgreSQL server, migrated with `trp db upgrade` and dropped afterwards) and runs, all at
once, --visitors protocol visitors (tests/support/stclient.py: Streamlit's own websocket, no
browser) and --browsers Chromium contexts (Playwright, tests/support/driver.py), each completing
self-checks with random answers and random pauses between actions, until --responses
submissions have been acknowledged (the visitor saw his result code). A share of the
submissions (--double-tap) is tapped twice at once, as impatient visitors do; it must still
store one row. Then it reads the
database and prints, per driver and overall: acknowledged against stored responses, missing
and unacknowledged rows, duplicates, every error a visitor saw (by text), failed visits, the
server log's errors, and the submit time (click on submit until the result page with the code)
at p50/p95/p99. Exit status 1 when anything was lost, doubled, refused or failed.

    .venv/bin/python bench/burst.py --db sqlite|postgres [--visitors 40] [--responses 1000]
        [--browsers 4] [--pause 0.2-2.0] [--double-tap 0.1] [--seed 2026] [--pg-url URL]
        [--json FILE] [--replicas N]

--replicas N starts the app as the single-machine deployment does, `trp serve --replicas N` (N app
processes behind nginx with sticky sessions), and runs the visitors against nginx; without it, one
app process serves them directly.

PostgreSQL: --pg-url (default TRP_TEST_DATABASE_URL, else the `test` database on
127.0.0.1:5432) names the server; the run creates and drops its own database there.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.burst import PG_DEFAULT, Burst, DatabaseUnavailable, run  # noqa: E402
from tests.support.server import chromium_path  # noqa: E402


def parse_pause(text: str) -> tuple[float, float] | None:
    low, _, high = text.partition("-")
    pause = (float(low), float(high or low))
    if pause[0] < 0 or pause[1] < pause[0]:
        raise argparse.ArgumentTypeError(f"not a pause range: {text!r} (e.g. 0.2-2.0)")
    return None if pause[1] == 0 else pause


def print_report(s: dict[str, Any], where: str) -> None:
    def sec(v: float | None) -> str:
        return "–" if v is None else f"{v:.3f}"

    per = s["per_driver"]
    print(f"database:   {where}")
    pause = "none" if not s["pause"] else f"{s['pause'][0]:g}–{s['pause'][1]:g} s"
    print(
        f"drivers:    {s['visitors']} protocol visitors + {s['browsers']} Chromium contexts; "
        f"pauses between actions {pause}"
    )
    rate = s["acknowledged"] / s["wall_seconds"] * 60 if s["wall_seconds"] else 0
    if s.get("sessions_per_replica"):
        spread = ", ".join(f"{k} {v}" for k, v in s["sessions_per_replica"].items())
        print(f"replicas:   {s['replicas']}; websocket sessions each (nginx's log): {spread}")
    print(f"wall time:  {s['wall_seconds']:.0f} s ({rate:.0f} acknowledged submissions a minute)")
    print()
    print(f"{'':24}{'protocol':>10}{'browser':>10}{'all':>10}")
    rows = [
        ("acknowledged", lambda d: d["acknowledged"]),
        ("  of them double-tapped", lambda d: d["double_taps"]),
        ("submit p50 (s)", lambda d: sec(d["submit_seconds"]["p50"])),
        ("submit p95 (s)", lambda d: sec(d["submit_seconds"]["p95"])),
        ("submit p99 (s)", lambda d: sec(d["submit_seconds"]["p99"])),
        ("errors shown", lambda d: d["errors_shown"]),
        ("failed visits", lambda d: d["failed_visits"]),
    ]
    for name, get in rows:
        print(f"{name:24}" + "".join(f"{get(per[k])!s:>10}" for k in ("protocol", "browser", "all")))
    print()
    print(f"target responses:        {s['target']}")
    print(f"acknowledged:            {s['acknowledged']}")
    print(f"stored rows:             {s['stored']}")
    print(f"acknowledged, not stored:{s['missing']:>5}")
    print(f"stored, not acknowledged:{s['unacknowledged_rows']:>5}")
    print(f"duplicates:              {s['duplicates']}")
    print(f"wrong survey/language:   {s['wrong_survey_or_language']}")
    for text, n in s["visitor_errors"].items():
        print(f"error shown {n}×: {text}")
    for text, n in s["failures"].items():
        print(f"failed {n}×: {text}")
    if s["server_log"]:
        print("server log:")
        for line, n in sorted(s["server_log"].items(), key=lambda kv: -kv[1])[:20]:
            print(f"  {n:>5}× {line}")
    else:
        print("server log:              no errors")
    print()
    print("result:", "PASS" if s["ok"] else "FAIL")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--visitors", type=int, default=40, help="concurrent protocol visitors")
    parser.add_argument("--responses", type=int, default=1000, help="acknowledged submissions in total")
    parser.add_argument("--browsers", type=int, default=4, help="concurrent Chromium contexts")
    parser.add_argument("--pause", type=parse_pause, default=(0.2, 2.0), help="seconds, e.g. 0.2-2.0")
    parser.add_argument(
        "--double-tap", type=float, default=0.1, help="share of submissions tapped twice at once"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one action may take")
    parser.add_argument("--pg-url", default=os.environ.get("TRP_TEST_DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--replicas",
        type=int,
        default=None,
        help="N app processes behind nginx (trp serve); default: one app",
    )
    args = parser.parse_args()
    if args.visitors < 0 or args.browsers < 0 or args.visitors + args.browsers == 0 or args.responses < 1:
        parser.error("need at least one visitor or browser and one response")
    if args.replicas is not None and args.replicas < 1:
        parser.error("--replicas needs at least 1")
    if args.browsers and chromium_path() is None:
        parser.error("--browsers needs Chromium (apt-get install chromium)")

    command = shlex.join([Path(sys.executable).name, *sys.argv])
    print("command:", command, flush=True)
    config = Burst(
        db=args.db,
        visitors=args.visitors,
        responses=args.responses,
        browsers=args.browsers,
        pause=args.pause,
        double_tap=args.double_tap,
        seed=args.seed,
        timeout=args.timeout,
        pg_url=args.pg_url,
        replicas=args.replicas,
    )
    tmp = Path(tempfile.mkdtemp(prefix="trp-burst-"))
    try:
        summary, attempts, where, server_log = run(config, tmp, command)
    except DatabaseUnavailable as exc:
        sys.exit(str(exc))
    print_report(summary, where)
    if summary["ok"]:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"server log kept: {server_log}")
    if args.json:
        args.json.write_text(json.dumps({**summary, "attempts": [asdict(a) for a in attempts]}, indent=1))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
