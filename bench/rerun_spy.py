"""Where the real server's time goes in the reruns of a questionnaire step: py-spy on `streamlit run
app.py` while a protocol client (tests/support/stclient.py) reruns the first step `--reruns` times.

Starts the server (tests/support/server.py), opens `/?survey=trp-standard&lang=en`, taps start,
then records the server with py-spy (`--rate 200 --format raw`, busy samples only) during the
reruns, and prints the time per rerun as the client sees it and the functions on most busy
samples of the script thread's runs (bench/spy_top.py, samples under ScriptRunner._run_script).

    .venv/bin/python bench/rerun_spy.py [--reruns 400] [--survey trp-standard] [--app-dir DIR] [--keep FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=400)
    parser.add_argument("--survey", default="trp-standard")
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--keep", type=Path, help="keep py-spy's raw stacks in this file")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    from spy_top import top

    from tests.support.server import Server
    from tests.support.stclient import Session

    with tempfile.TemporaryDirectory(prefix="trp-bench-") as tmp:
        server = Server(Path(tmp), app_dir=args.app_dir.resolve())
        out = args.keep or Path(tmp) / "spy.txt"
        times: list[float] = []
        try:

            async def visit() -> None:
                async with Session(server.url) as s:
                    await s.connect(f"survey={args.survey}&lang=en")
                    await s.click(s.find(key="start"))
                    for _ in range(20):  # warm
                        await s.rerun()
                    spy = subprocess.Popen(
                        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(server.process.pid),
                         "--rate", "200", "--format", "raw", "--output", str(out)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    )  # fmt: skip
                    await asyncio.sleep(1.0)
                    try:
                        for _ in range(args.reruns):
                            start = time.perf_counter()
                            await s.rerun()
                            times.append(time.perf_counter() - start)
                    finally:
                        spy.send_signal(signal.SIGINT)
                        spy.wait(timeout=60)

            asyncio.run(visit())
        finally:
            server.stop()
        print(
            f"{args.reruns} reruns of the first step of {args.survey} ({args.app_dir}):"
            f" median {statistics.median(times) * 1000:.1f} ms as the client sees it"
        )
        total, rows = top([out], "_run_script", args.top)
        print(f"{total} busy samples of the script thread's runs: on the stack, as the leaf")
        for name, share, leaf in rows:
            print(f"  {share * 100:5.1f} % {leaf * 100:5.1f} %  {name}")


if __name__ == "__main__":
    main()
