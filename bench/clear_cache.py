"""What a client's clear-cache message costs the server: a page run right after one, against a plain rerun.

Starts `streamlit run app.py` on its own SQLite file (tests/support/server.py's Server; --app-dir runs
another checkout's app.py, to compare) and drives sessions over Streamlit's websocket
(tests/support/stclient.py): a visitor completes a survey, then one session opens the result by its
link (/result?code=...) and is run N times plainly and N times right after a BackMsg clear_cache (which
any client may send, and which also empties the session's state, so the result is looked up again),
alternating so that both see the same machine load. Prints the median and spread of each and their
ratio. A clear should find nothing to rebuild but the settings and the survey files: the store
(engine, migration check, re-score check) and the throttles live outside Streamlit's caches.

    .venv/bin/python bench/clear_cache.py [-n 30] [--app-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.server import Server  # noqa: E402
from tests.support.stclient import Session, Visitor  # noqa: E402
from trp_core.files.surveys import load_survey  # noqa: E402


async def measure(url: str, n: int) -> tuple[list[float], list[float]]:
    visitor = Visitor(
        url, load_survey(ROOT / "surveys" / "trp-cloud.yaml"), "en", random.Random(1), answer_rate=1.0
    )
    try:
        code = (await visitor.complete()).code
    finally:
        await visitor.close()
    plain, cleared = [], []
    async with Session(url, timeout=60) as s:
        await s.connect(f"code={code}&lang=en", page="result")
        assert code in " ".join(s.texts()), "the result is shown"
        for _ in range(3):  # warm-up
            await s.rerun()
        for _ in range(n):
            start = time.perf_counter()
            await s.rerun()
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            await s.clear_cache()
            await s.rerun()
            cleared.append(time.perf_counter() - start)
    return plain, cleared


def ms(values: list[float]) -> str:
    q = statistics.quantiles(values, n=4)
    return f"{statistics.median(values) * 1000:7.1f} ms (IQR {q[0] * 1000:.1f}–{q[2] * 1000:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="runs of each kind")
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder), app_dir=args.app_dir)
        try:
            plain, cleared = asyncio.run(measure(server.url, args.n))
        finally:
            server.stop()
    print(f"result page of {args.app_dir}, median of {args.n} runs each")
    print(f"plain rerun           {ms(plain)}")
    print(f"after a clear-cache   {ms(cleared)}")
    print(f"ratio                 {statistics.median(cleared) / statistics.median(plain):.2f}")


if __name__ == "__main__":
    main()
