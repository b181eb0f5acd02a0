"""Helpers of the fault tests: a visitor's steps without waiting for the result, the stored code
hashes, and a TCP proxy whose connections can be cut and restored."""

from __future__ import annotations

import json
import select
import socket
import struct
import threading
import time
from collections import Counter
from typing import Any

from playwright.sync_api import Page
from sqlalchemy import Engine, func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session

from tests.conftest import ROOT
from tests.support.driver import Partner, settle
from trp_core.presentation.i18n import t
from trp_core.store.models import Response

EXCEPTION = '[data-testid="stException"]'
CODE_LINE = {lang: t("code_line", lang) for lang in ("de", "en")}


# What the current step shows: every choice, box and field, in order.
FORM_STATE = """() => [...document.querySelectorAll('[data-testid=stMain] input, textarea, [role=radio]')]
  .map((el) => el.matches('input[type=radio], input[type=checkbox]') ? `${el.type}:${el.checked}`
    : el.matches('[role=radio]:not(input)') ? `choice:${el.getAttribute('aria-checked')}` : `value:${el.value}`)"""


def form_state(page: Page) -> list[str]:
    return page.evaluate(FORM_STATE)


def answers(survey_id: str, outcome: str) -> dict[str, Any]:
    """An answer set of tests/answers."""
    path = ROOT / "tests" / "answers" / f"{survey_id}.{outcome}.json"
    return json.loads(path.read_text(encoding="utf-8"))["answers"]


def to_calculator(partner: Partner, given: dict[str, Any], figures: bool = True) -> None:
    """From the start page through every section to the calculator, with these answers (and the
    figures among them, unless `figures` is false: then the calculator keeps its defaults)."""
    partner.start()
    for section in partner.survey.ordered_sections:
        partner.answer_section(section, given)
        partner.next()
    if figures:
        partner.set_figures(given)


def tap_submit(page: Page, lang: str) -> None:
    """Tap the submit button and return at once: the submission is in flight."""
    page.get_by_role("button", name=t("submit", lang), exact=True).first.click()


def tap_submit_now(page: Page, lang: str) -> bool:
    """Tap submit through the page's own script, without Playwright's checks before a click: the
    fastest way to have several visitors submit at the same moment. False if there was no button."""
    return page.evaluate(
        """(label) => {
            const button = [...document.querySelectorAll('button')].find((b) => b.innerText.trim() === label);
            if (!button || button.disabled) return false;
            button.click();
            return true;
        }""",
        t("submit", lang),
    )


def shown_code(partner: Partner) -> str | None:
    """The result code once the result page shows it, else None."""
    if partner.page.get_by_text(CODE_LINE[partner.lang]).count() == 0:
        return None
    code = partner.page.locator("code").filter(has_text="-")
    if code.count() == 0:
        return None
    return partner.result_code()


def storage_down_shown(page: Page, lang: str) -> bool:
    return page.get_by_text(t("storage_down", lang)).count() > 0


def traceback_shown(page: Page) -> bool:
    """An exception box, or Python's own words, anywhere on the page."""
    if page.locator(EXCEPTION).count():
        return True
    return "Traceback (most recent call last)" in page.locator("body").inner_text()


def submit(partner: Partner, timeout: float = 60_000) -> str:
    """Tap submit and wait for the result page; the code it shows."""
    tap_submit(partner.page, partner.lang)
    partner.page.wait_for_selector("text=" + CODE_LINE[partner.lang], timeout=timeout)
    settle(partner.page)
    code = shown_code(partner)
    assert code is not None
    return code


def wait_for_code(partner: Partner, seconds: float = 15) -> str | None:
    """The result code once the result page shows it; None if it does not within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if shown_code(partner) is not None:
            settle(partner.page)
            return shown_code(partner)
        partner.page.wait_for_timeout(300)
    return None


def stored_code_hashes(engine: Engine) -> Counter[str]:
    """How many rows each stored code hash has."""
    with Session(engine) as s:
        return Counter(s.scalars(sql_select(Response.code_hash)))


def stored_count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.scalar(sql_select(func.count()).select_from(Response)) or 0


class TcpProxy:
    """A TCP proxy on a loopback port in front of the app. `cut()` closes every connection through
    it and refuses new ones, as a lost network does to the browser; `restore()` lets them through again.
    """

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.is_cut = False
        self.accepted = 0  # connections let through
        self.refused = 0  # connections closed at once while cut
        self.dropped = 0  # open connections closed by a cut
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                if self.is_cut:
                    self.refused += 1
                    _reset(client)
                    continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            with self.lock:
                self.accepted += 1
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        try:
            while True:
                readable, _, _ = select.select(list(peers), [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (client, upstream):
                _reset(sock)
            with self.lock:
                if (client, upstream) in self.pairs:
                    self.pairs.remove((client, upstream))

    def cut(self) -> None:
        with self.lock:
            self.is_cut = True
            pairs, self.pairs = self.pairs, []
            self.dropped += len(pairs)
        for client, upstream in pairs:
            _reset(client)
            _reset(upstream)

    def restore(self) -> None:
        with self.lock:
            self.is_cut = False

    def close(self) -> None:
        self.running = False
        self.cut()
        self.listener.close()
        self.thread.join(timeout=5)


def _reset(sock: socket.socket) -> None:
    """Close at once with a reset, as a connection that is gone."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass
