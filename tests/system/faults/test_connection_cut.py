"""Visitors whose connection is cut for 5 s, 60 s and 180 s keep their answers (the server keeps a
session for disconnectedSessionTTL = 300 s), finish, and each answer set is stored exactly once, also
after a double tap and a cut during the submission.

The cut is real: each browser reaches the app through its own TCP proxy, which closes the open
connections (the WebSocket with them) and refuses new ones until it is restored. A fourth visitor on
a server with a short session time to live shows that the checks see a lost session.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.conftest import SURVEYS
from tests.support.driver import Partner, screenshot, settle
from tests.support.server import TABLET, Server
from tests.system.faults.helpers import (
    TcpProxy,
    answers,
    form_state,
    stored_code_hashes,
    tap_submit,
    traceback_shown,
    wait_for_code,
)
from trp_core.files.surveys import load_survey
from trp_core.method.codes import code_hash
from trp_core.method.survey import Survey
from trp_core.presentation.i18n import t
from trp_core.store.engine import make_engine

pytestmark = pytest.mark.browser

SHORT_TTL = 20  # seconds, for the visitor whose session must be lost


def heading(page: Page) -> str:
    """The current step's title (the start page has none of its own)."""
    titles = page.locator('[data-testid="stMain"] h3').all_inner_texts()
    return titles[0].strip() if titles else ""


@dataclass
class Visitor:
    name: str
    cut_for: float
    proxy: TcpProxy
    partner: Partner
    given: dict[str, Any]
    step: int = 2  # index of the step answered, but not left, when the connection is cut
    state: list[str] = field(default_factory=list)
    code: str | None = None
    cut_at: float = 0.0

    @property
    def page(self) -> Page:
        return self.partner.page

    @property
    def survey(self) -> Survey:
        return self.partner.survey

    def shot(self, what: str, artifacts) -> None:
        screenshot(self.page, artifacts / f"fault-cut-{self.name}-{what}.png")

    def answer_until_cut(self) -> None:
        """Two steps done; the third one answered on screen, not yet sent."""
        self.partner.open()
        self.partner.start()
        sections = self.survey.ordered_sections
        for section in sections[: self.step]:
            self.partner.answer_section(section, self.given)
            self.partner.next()
        self.partner.answer_section(sections[self.step], self.given)
        self.state = form_state(self.page)
        assert heading(self.page) == sections[self.step].title("en")

    def wait_for_reconnect(self) -> None:
        """Until a new connection went through the proxy and the app is idle again."""
        before = self.proxy.accepted
        deadline = time.monotonic() + 30
        while self.proxy.accepted == before and time.monotonic() < deadline:
            self.page.wait_for_timeout(250)
        assert self.proxy.accepted > before, f"{self.name}: the browser did not connect again"
        self.page.get_by_role("dialog").wait_for(state="detached", timeout=30_000)
        settle(self.page)


def test_cuts_of_5_60_and_180_seconds(with_browser, artifacts, tmp_path):
    def body(browser) -> None:
        with ExitStack() as cleanup:
            run_cuts(browser, artifacts, tmp_path, cleanup)

    with_browser(body)


def run_cuts(browser, artifacts, tmp_path, cleanup: ExitStack) -> None:
    for name in ("app", "short"):
        (tmp_path / name).mkdir()
    app = Server(tmp_path / "app")
    cleanup.callback(app.stop)
    short = Server(tmp_path / "short", env={"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(SHORT_TTL)})
    cleanup.callback(short.stop)
    survey = load_survey(SURVEYS / "trp-standard.yaml")

    def visitor(name: str, cut_for: float, server: Server, outcome: str) -> Visitor:
        proxy = TcpProxy(server.port)
        cleanup.callback(proxy.close)
        context = browser.new_context(viewport=TABLET, locale="en")
        cleanup.callback(context.close)
        context.set_default_timeout(30_000)
        partner = Partner(context.new_page(), proxy.url, survey, "en", artifacts, f"cut-{name}")
        return Visitor(name, cut_for, proxy, partner, answers("trp-standard", outcome))

    visitors = [
        visitor("180s", 180, app, "schatten"),
        visitor("60s", 60, app, "held"),
        visitor("5s", 5, app, "kandidat"),
    ]
    lost = visitor("lost", 60, short, "vampir")
    # The longest cut starts first, so that the others run within it.
    for v in [visitors[0], lost, *visitors[1:]]:
        v.answer_until_cut()
        dropped = v.proxy.dropped
        v.cut_at = time.monotonic()
        v.proxy.cut()
        assert v.proxy.dropped > dropped, f"{v.name}: no open connection was cut"
    for v in sorted([*visitors, lost], key=lambda v: v.cut_at + v.cut_for):
        if v.cut_for == 5:
            v.page.get_by_role("dialog").wait_for(timeout=10_000)  # the app noticed the cut
            v.shot("during", artifacts)
        time.sleep(max(0.0, v.cut_at + v.cut_for - time.monotonic()))
        assert v.proxy.refused > 0, f"{v.name}: the browser did not try to connect during the cut"
        v.proxy.restore()
        print(f"{v.name}: cut for {time.monotonic() - v.cut_at:.0f} s")
        v.wait_for_reconnect()
        if v is lost:
            check_lost(v)
        else:
            finish(v, artifacts)

    engine = make_engine(f"sqlite:///{app.db}")
    stored = stored_code_hashes(engine)
    engine.dispose()
    for v in visitors:
        assert v.code is not None
        assert stored[code_hash(v.code)] == 1, f"{v.name}: stored {stored[code_hash(v.code)]} times"
    assert sum(stored.values()) == len(visitors), stored


def check_lost(v: Visitor) -> None:
    """Past the session time to live the server has forgotten the answers: the checks see it."""
    v.partner.next()
    assert heading(v.page) != v.survey.ordered_sections[v.step + 1].title("en")
    assert v.page.get_by_role("button", name=t("start_button", "en"), exact=True).count() == 1


def finish(v: Visitor, artifacts) -> None:
    """The step and its answers as before the cut; then to the end, and submit as each visitor does."""
    sections = v.survey.ordered_sections
    assert not traceback_shown(v.page)
    v.partner.next()  # sends the answers typed before the cut
    assert heading(v.page) == sections[v.step + 1].title("en"), f"{v.name}: the session was lost"
    v.partner.click_button(t("back", "en"))
    assert heading(v.page) == sections[v.step].title("en")
    assert form_state(v.page) == v.state, f"{v.name}: the answers of the step changed"
    v.partner.next()
    for section in sections[v.step + 1 :]:
        v.partner.answer_section(section, v.given)
        v.partner.next()
    v.partner.set_figures(v.given)
    v.shot("calculator", artifacts)
    button = v.page.get_by_role("button", name=t("submit", "en"), exact=True).first
    if v.name == "5s":
        button.dblclick()  # a double tap
    elif v.name == "60s":
        tap_submit(v.page, "en")  # the connection drops while the answers are being stored
        v.proxy.cut()
        v.page.wait_for_timeout(2000)
        v.proxy.restore()
        v.wait_for_reconnect()
    else:
        tap_submit(v.page, "en")
    code = wait_for_code(v.partner)
    if code is None:  # what a visitor does when no result came: tap again
        print(f"{v.name}: no result after the first tap, tapping again")
        tap_submit(v.page, "en")
        code = wait_for_code(v.partner)
    assert code is not None, f"{v.name}: no result page"
    assert not traceback_shown(v.page)
    v.code = code
    v.shot("result", artifacts)
