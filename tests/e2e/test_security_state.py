"""Throttles against a real server over Streamlit's own websocket protocol (tests/support/stclient.py):
a client's clear-cache message leaves every throttle in force, and guessers cannot lock others out.

Finding 6 of the intruder's report: "Clear cache" (BackMsg clear_cache, which any client may send)
emptied st.cache_resource, where the throttles of result codes and staff PINs lived, and this
session's state, where the session's throttle key lived: 112 PIN tries in 33 s.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import urlencode

import pytest

from tests.conftest import SURVEYS
from tests.support.kiosk_events import STAFF_PIN, signed_query, write_events
from tests.support.server import Server
from tests.support.stclient import Session, Visitor
from tests.system.load.conftest import run_coroutine
from trp_core.files.surveys import load_survey
from trp_core.presentation.i18n import t
from trp_core.services.auth import hash_password

PASSWORD = "correct horse battery"
WRONG_CODE = "AAAA-BBBB-CCCC-DDDD"
HELD_FOR = 8  # seconds a throttle must still hold when the cache is cleared: far more than a run takes


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("security-state")
    env = {
        "TRP_EVENTS_FILE": str(write_events(tmp / "events.yaml")),
        # alice is held by the first test, carol must log in after the second's guessers
        "TRP_MANAGERS": f"alice:{hash_password(PASSWORD)} carol:{hash_password(PASSWORD)}",
    }
    srv = Server(tmp, env=env)
    yield srv
    srv.stop()


def seconds_in(message: str, *keys: str) -> int | None:
    """The seconds a throttle message names, or None when it names none."""
    for lang in ("en", "de"):  # a kiosk speaks the event's first language
        failed = t("login_failed", lang)
        for n in range(1, 3600):
            for key in keys:
                shown = t(key, lang, seconds=n)
                if message in (shown, f"{failed} {shown}"):
                    return n
    return None


async def held(attempt: Callable[[], Awaitable[str]], *keys: str) -> str:
    """Fail until the throttle holds for at least HELD_FOR s (waiting out shorter holds); its message."""
    for _ in range(60):
        message = await attempt()
        wait = seconds_in(message, *keys)
        if wait is not None and wait >= HELD_FOR:
            return message
        if wait is not None:
            await asyncio.sleep(wait)
    raise AssertionError(f"never held for {HELD_FOR} s; last message: {message!r}")


async def try_code(s: Session, code: str) -> str:
    await s.set(s.find(label=t("reopen_label", "en")), code)
    await s.click(s.find(label=t("reopen_button", "en")))
    return " ".join(s.errors())


async def try_pin(s: Session, pin: str) -> str:
    if not s.has(key="kiosk.pin.value"):
        await s.click(s.find(key="kiosk.staff"))
    await s.set(s.find(key="kiosk.pin.value"), pin)
    await s.click(s.find(key="kiosk.pin.submit"))
    return " ".join(s.errors())


async def try_login(s: Session, name: str, password: str) -> str:
    await s.set(s.find(key="login.name"), name)
    await s.set(s.find(key="login.password"), password)
    await s.click(s.find(key="login.submit"))
    return " ".join(s.errors())


def test_clear_cache_leaves_every_throttle_in_force(server: Server) -> None:
    kiosk_link = urlencode(signed_query(f"sqlite:///{server.db}"))

    async def scenario() -> None:
        # Result codes: this session is held; a clear-cache message and the next guess is still held.
        async with Session(server.url) as s:
            await s.connect("lang=en")
            await held(lambda: try_code(s, WRONG_CODE), "reopen_wait")
            await s.clear_cache()
            message = await try_code(s, WRONG_CODE)
            assert seconds_in(message, "reopen_wait"), message

        # The staff PIN: held for the event, in this session, after a clear, and in a new session.
        async with Session(server.url) as s:
            await s.connect(kiosk_link)
            await held(lambda: try_pin(s, "0000"), "reopen_wait")
            await s.clear_cache()
        async with Session(server.url) as s:
            await s.connect(kiosk_link)
            message = await try_pin(s, STAFF_PIN)
            assert seconds_in(message, "reopen_wait"), message
            assert s.has(key="kiosk.staff") or s.has(key="kiosk.pin.value"), "still in kiosk mode"
            assert not s.has(label=t("reopen_label", "en")), "the normal start page is not reached"

        # The manager login: held for the name, after a clear, and in a new session.
        async with Session(server.url) as s:
            await s.connect("lang=en", page="manage")
            await held(lambda: try_login(s, "alice", "not the password"), "login_wait", "login_retry_in")
            await s.clear_cache()
        async with Session(server.url) as s:
            await s.connect("lang=en", page="manage")
            message = await try_login(s, "alice", PASSWORD)
            assert seconds_in(message, "login_wait"), message
            assert s.has(key="login.submit"), "still on the login page"

    run_coroutine(scenario())


def test_guessing_sessions_lock_out_neither_a_visitor_nor_a_manager(server: Server) -> None:
    """Finding 7: sessions guessing codes, and logins under random names, cost the real ones nothing."""
    survey = load_survey(SURVEYS / "trp-cloud.yaml")

    async def scenario() -> None:
        visitor = Visitor(server.url, survey, "en", random.Random(7), answer_rate=1.0, dont_know_rate=0.0)
        try:
            visit = await visitor.complete()
        finally:
            await visitor.close()
        assert visit.code is not None

        for _ in range(40):  # 40 sessions × 4 wrong codes: more than the process's busy threshold
            async with Session(server.url) as s:
                await s.connect("lang=en")
                for _ in range(4):
                    await try_code(s, WRONG_CODE)
        for i in range(30):  # and thirty logins under random names
            async with Session(server.url) as s:
                await s.connect("lang=en", page="manage")
                await try_login(s, f"random-{i}", "guess")

        async with Session(server.url) as s:
            await s.connect("lang=en")
            assert await try_code(s, visit.code) == ""
            assert s.page == "result" and visit.code in " ".join(s.texts())
        async with Session(server.url) as s:
            await s.connect("lang=en", page="manage")
            assert await try_login(s, "bob", "not bob's password") != "", "checked and failed"
        async with Session(server.url) as s:
            await s.connect("lang=en", page="manage")
            assert await try_login(s, "carol", PASSWORD) == ""
            assert not s.has(key="login.submit"), "logged in: on to the dashboard"

    run_coroutine(scenario())
