"""The funnel counts the app keeps in memory for a moment (trp_core.services.funnel) are written when
it is stopped as systemd and `trp serve` stop it (SIGTERM), each visitor's once, however many start
at the same moment."""

from __future__ import annotations

import asyncio
import sqlite3

from tests.conftest import SURVEYS
from tests.support.server import Server
from tests.support.stclient import Session
from tests.system.load.conftest import run_coroutine
from trp_core.files.surveys import load_survey

VISITORS = 12

# Loaded into the server process: the buffer waits an hour before it writes, so that only the stop
# can have written what the test finds.
HOOK = """
import os
import sys

sys.path.insert(0, os.getcwd())
from trp_core.services import funnel

funnel.FunnelBuffer.__init__.__defaults__ = (3600.0, 5.0)
"""


def counts(db) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT step, sum(count) FROM funnel_counters GROUP BY step").fetchall())


def test_counts_held_in_memory_are_written_when_the_server_stops(tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK)
    first = load_survey(SURVEYS / "trp-standard.yaml").ordered_sections[0].id
    server = Server(tmp_path, env={"PYTHONPATH": str(hook)})
    try:

        async def start_together() -> None:
            sessions = [Session(server.url) for _ in range(VISITORS)]
            try:
                await asyncio.gather(*(s.connect("survey=trp-standard&lang=en") for s in sessions))
                await asyncio.gather(*(s.click(s.find(key="start")) for s in sessions))
                assert all(s.page == "check" for s in sessions), [s.page for s in sessions]
            finally:
                for s in sessions:
                    await s.close()

        run_coroutine(start_together())
        assert counts(server.db) == {}, "the counts wait in memory"
    finally:
        server.stop()
    assert server.process.returncode is not None
    assert counts(server.db) == {"started": VISITORS, f"step:{first}": VISITORS}
