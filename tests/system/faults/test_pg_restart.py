"""PostgreSQL stops while visitors submit: they see the clear retry message and keep their answers;
once it runs again, the same tap stores their result; nothing acknowledged is lost or stored twice,
and a submission nobody saw acknowledged is not stored.

The shared server on 5432 stays untouched: the test runs a throwaway cluster of its own (initdb as
the user postgres, trust authentication, a free loopback port), stopped and removed afterwards.
Without PostgreSQL's server programs the test is skipped, or fails under CI=true.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.conftest import SURVEYS
from tests.store.conftest import unavailable
from tests.support.driver import Partner, screenshot
from tests.support.server import TABLET, Server
from tests.system.faults.helpers import (
    answers,
    form_state,
    storage_down_shown,
    stored_code_hashes,
    submit,
    tap_submit,
    tap_submit_now,
    to_calculator,
    traceback_shown,
    wait_for_code,
)
from trp_core.files.surveys import load_survey
from trp_core.method.codes import code_hash
from trp_core.presentation.i18n import t

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def server_programs() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian's layout), or one on the PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Cluster:
    """A PostgreSQL cluster in a temporary folder, on a free loopback port."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="trp-pg-"))  # not under pytest's 0700 folder
        self.data, self.log = self.base / "data", self.base / "postgres.log"
        as_root = os.geteuid() == 0  # initdb and postgres refuse to run as root
        self.prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        if as_root:
            shutil.chown(self.base, "postgres", "postgres")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")

    def _run(self, program: str, *args: object) -> None:
        command = [*self.prefix, str(self.bindir / program), *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout[-1500:]}{done.stderr[-1500:]}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.log, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bindir = server_programs()
    if bindir is None:
        unavailable(
            "PostgreSQL's server programs (initdb, pg_ctl) are not installed: apt-get install postgresql"
        )
    made = Cluster(bindir)
    try:
        made.start()
        yield made
    finally:
        made.remove()


def test_postgres_restart_while_visitors_submit(with_browser, artifacts, tmp_path, cluster):
    with_browser(
        lambda browser: postgres_restart_while_visitors_submit(browser, artifacts, tmp_path, cluster)
    )


def postgres_restart_while_visitors_submit(browser, artifacts, tmp_path, cluster) -> None:
    trp = Path(sys.executable).with_name("trp")
    migrated = subprocess.run(
        [str(trp), "db", "upgrade", "--url", cluster.url], capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    server = Server(tmp_path, env={"TRP_DATABASE_URL": cluster.url})
    contexts = []
    try:
        survey = load_survey(SURVEYS / "trp-standard.yaml")

        def visitor(name: str, lang: str, outcome: str) -> Partner:
            context = browser.new_context(viewport=TABLET, locale=lang)
            contexts.append(context)
            context.set_default_timeout(30_000)
            partner = Partner(context.new_page(), server.url, survey, lang, artifacts, f"fault-pg-{name}")
            partner.open()
            to_calculator(partner, answers("trp-standard", outcome), figures=False)
            return partner

        early = visitor("early", "en", "kandidat")
        acknowledged = [submit(early)]
        waiting = visitor("waiting", "de", "held")  # submits while the database is down
        leaving = visitor("leaving", "en", "vampir")  # submits while it is down, then gives up
        racing = visitor("racing", "en", "schatten")  # submits as the database stops
        waiting_figures = form_state(waiting.page)
        waiting.click_button(t("back", "de"))
        waiting_last_step = form_state(waiting.page)
        waiting.next()

        assert tap_submit_now(racing.page, "en")
        cluster.stop("fast")
        for partner in (waiting, leaving):
            tap_submit(partner.page, partner.lang)
            partner.page.get_by_text(t("storage_down", partner.lang)).wait_for(timeout=60_000)
            assert not traceback_shown(partner.page), f"{partner.tag}: see {server.log}"
        screenshot(waiting.page, artifacts / "fault-pg-storage-down.png")
        # The answers are kept: the same figures, and the step before as it was answered.
        assert form_state(waiting.page) == waiting_figures
        waiting.click_button(t("back", "de"))
        assert form_state(waiting.page) == waiting_last_step
        waiting.next()
        assert form_state(waiting.page) == waiting_figures
        assert not traceback_shown(waiting.page)
        assert waiting.page.get_by_role("button", name=t("submit", "de"), exact=True).is_enabled()
        contexts.remove(leaving.page.context)
        leaving.page.context.close()

        racing_code = wait_for_code(racing, 30)  # stored before the stop, or the retry message
        assert racing_code is not None or storage_down_shown(racing.page, "en")
        print("the submission as the database stopped:", "stored" if racing_code else "retry message")
        assert not traceback_shown(racing.page)

        cluster.start()
        code = submit(waiting)  # the same tap again, once the database is back
        assert not traceback_shown(waiting.page)
        acknowledged.append(code)
        waiting.shot("result")
        if racing_code is None:
            racing_code = submit(racing)
        acknowledged.append(racing_code)
    finally:
        for context in contexts:
            context.close()
        server.stop()

    engine = create_engine(cluster.url)
    try:
        stored = stored_code_hashes(engine)
    finally:
        engine.dispose()
    for code in acknowledged:
        assert stored[code_hash(code)] == 1, f"{code}: stored {stored[code_hash(code)]} times"
    assert sum(stored.values()) == len(acknowledged), "a submission that was never acknowledged is stored"
