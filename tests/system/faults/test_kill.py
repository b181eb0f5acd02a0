"""kill -9 of the app on SQLite while visitors submit: every acknowledged response is stored exactly
once, the file passes SQLite's integrity check, and the app restarted on the same file serves again.

Acknowledged means that the visitor's browser shows the result page with its result code; the
store keeps only the code's hash. Six visitors in one Chromium (a context each) fill in their
answers; two submit and see their results, then the other four tap submit together, and the app is
killed as soon as the first of these four is stored: the others are still in flight.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SURVEYS
from tests.support.driver import Partner, screenshot
from tests.support.server import TABLET, Server
from tests.system.faults.helpers import (
    answers,
    shown_code,
    stored_code_hashes,
    submit,
    tap_submit_now,
    to_calculator,
    traceback_shown,
    wait_for_code,
)
from trp_core.files.surveys import load_survey
from trp_core.method.codes import code_hash
from trp_core.store.engine import make_engine

pytestmark = pytest.mark.browser

VISITORS = [  # survey, outcome, language
    ("trp-standard", "kandidat", "en"),
    ("trp-cloud", "held", "de"),
    ("trp-classic", "vampir", "en"),
    ("trp-standard", "schatten", "de"),
    ("trp-cloud", "borderline", "en"),
    ("trp-classic", "undetermined", "de"),
]
EARLY = 2  # visitors who see their result before the burst
RETURNING = 3  # visitors who submit together once the app runs again


def stored(db: Path) -> Counter[str]:
    engine = make_engine(f"sqlite:///{db}")
    try:
        return stored_code_hashes(engine)
    finally:
        engine.dispose()


class Killer(threading.Thread):
    """Watches the database file and kills the app once more than `base` responses are stored."""

    def __init__(self, server: Server, base: int):
        super().__init__(daemon=True)
        self.server, self.base = server, base
        self.stored_at_kill: int | None = None

    def run(self) -> None:
        db = sqlite3.connect(f"file:{self.server.db}?mode=ro", uri=True, isolation_level=None)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                count = db.execute("SELECT count(*) FROM responses").fetchone()[0]
                if count > self.base:
                    os.kill(self.server.process.pid, signal.SIGKILL)
                    self.stored_at_kill = count - self.base
                    return
                time.sleep(0.002)
        finally:
            db.close()


def test_kill_during_a_burst(with_browser, artifacts, tmp_path):
    with_browser(lambda browser: kill_during_a_burst(browser, artifacts, tmp_path))


def at_calculator(browser, contexts: list, url: str, visitors, artifacts, tag: str) -> list[Partner]:
    """One browser context per visitor (added to `contexts`), each with its answers given and at
    the calculator, ready to submit."""
    partners = []
    for n, (survey_id, outcome, lang) in enumerate(visitors):
        context = browser.new_context(viewport=TABLET, locale=lang)
        contexts.append(context)
        context.set_default_timeout(30_000)
        survey = load_survey(SURVEYS / f"{survey_id}.yaml")
        partner = Partner(context.new_page(), url, survey, lang, artifacts, f"{tag}-{n}")
        partner.open()
        to_calculator(partner, answers(survey_id, outcome), figures=False)
        partners.append(partner)
    return partners


def kill_during_a_burst(browser, artifacts, tmp_path) -> None:
    server = Server(tmp_path)
    contexts = []
    try:
        partners = at_calculator(browser, contexts, server.url, VISITORS, artifacts, "fault-kill")

        acknowledged = [submit(partner) for partner in partners[:EARLY]]
        for partner in partners[:EARLY]:
            assert not traceback_shown(partner.page), f"{partner.tag} saw an error: see the server log"
        killer = Killer(server, base=sum(stored(server.db).values()))
        killer.start()
        burst = partners[EARLY:]
        tapped = [tap_submit_now(partner.page, partner.lang) for partner in burst]
        killer.join(timeout=120)
        assert killer.stored_at_kill is not None, "no response of the burst was stored within 120 s"
        server.process.wait(timeout=10)
        burst_acknowledged = []
        for partner in burst:  # what each visitor's browser shows once the app is gone
            partner.page.wait_for_timeout(500)
            code = shown_code(partner)
            if code is not None:
                burst_acknowledged.append(code)
                assert not traceback_shown(partner.page), f"{partner.tag} saw an error: see the server log"
        acknowledged += burst_acknowledged
        screenshot(burst[-1].page, artifacts / "fault-kill-after-kill.png")
    finally:
        for context in contexts:
            context.close()
        server.stop()
    taps = EARLY + sum(tapped)
    print(
        f"burst of {sum(tapped)}: {killer.stored_at_kill} stored when the kill was sent, "
        f"{len(burst_acknowledged)} acknowledged; {len(acknowledged)} acknowledged in all"
    )

    with sqlite3.connect(server.db) as db:  # opening the file recovers its write-ahead log
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()
    before = stored(server.db)
    for code in acknowledged:
        assert before[code_hash(code)] == 1, f"{code}: stored {before[code_hash(code)]} times"
    assert len(acknowledged) <= sum(before.values()) <= taps
    assert max(before.values()) == 1

    # The app starts again on the same file, and visitors who come back together get their results.
    (tmp_path / "again").mkdir()
    again = Server(tmp_path / "again", env={"TRP_DATABASE_URL": f"sqlite:///{server.db}"})
    contexts = []
    try:
        returning = at_calculator(
            browser, contexts, again.url, VISITORS[EARLY : EARLY + RETURNING], artifacts, "fault-kill-again"
        )
        assert all(tap_submit_now(partner.page, partner.lang) for partner in returning)
        codes = []
        for partner in returning:
            code = wait_for_code(partner, 60)
            if code is None or traceback_shown(partner.page):
                screenshot(partner.page, artifacts / f"{partner.tag}-error.png")
            assert not traceback_shown(partner.page), f"{partner.tag} saw an error: see {again.log}"
            assert code is not None, f"{partner.tag}: no result within 60 s"
            codes.append(code)
        screenshot(returning[0].page, artifacts / "fault-kill-again-result.png")
    finally:
        for context in contexts:
            context.close()
        again.stop()
    after = stored(server.db)
    assert all(after[code_hash(code)] == 1 for code in codes)
    assert after - Counter({code_hash(code): 1 for code in codes}) == before
