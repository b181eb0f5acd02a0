"""Memory of the app process with 20 kiosk sessions open, compared with 1 (target ≤ 5 MB per session).

Starts the real server with an event file, opens tablets (Chromium contexts) on the kiosk link,
each starting the questionnaire and answering the first step, and reads the server's resident
memory (VmRSS) after 1 and after 20 sessions, in the same run.

    .venv/bin/python bench/kiosk_memory.py [--sessions 20]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.support.driver import settle  # noqa: E402
from tests.support.kiosk_events import signed_query, write_events  # noqa: E402
from tests.support.server import CHROMIUM_ARGS, TABLET, Server, chromium_path  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def open_tablet(browser, url: str, link: str):
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.goto(f"{url}/?{link}")
    settle(page)
    page.get_by_role("button", name="Start in English").click()
    settle(page)
    page.get_by_role("button", name="Next", exact=True).click()
    settle(page)
    return context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    events = write_events(tmp / "events.yaml", idle=3600, warning=60, result=3600)
    server = Server(tmp, env={"TRP_EVENTS_FILE": str(events)})
    link = urlencode(signed_query(f"sqlite:///{server.db}"))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            warm = open_tablet(browser, server.url, link)  # imports, caches, the first chart: not per session
            warm.close()
            time.sleep(2)
            contexts = [open_tablet(browser, server.url, link)]
            time.sleep(2)
            gc.collect()
            one = rss_mb(server.process.pid)
            for _ in range(args.sessions - 1):
                contexts.append(open_tablet(browser, server.url, link))
            time.sleep(3)
            many = rss_mb(server.process.pid)
            per_session = (many - one) / (args.sessions - 1)
            print(f"server RSS with 1 session:  {one:8.1f} MB")
            print(f"server RSS with {args.sessions} sessions: {many:8.1f} MB")
            print(f"per additional session:    {per_session:8.2f} MB (target ≤ 5 MB)")
            for c in contexts:
                c.close()
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
