"""Manager sessions on SQLite and PostgreSQL: only hashes stored, a hand-over once, idle and lifetime
expiry on the server, logout for every holder of the id, a check from another process."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from tests.conftest import ROOT
from trp_core.services.auth import HANDOVER_SECONDS, LIFETIME_SECONDS, SessionEnd, Sessions
from trp_core.store.engine import writer
from trp_core.store.models import ManagerSession


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clean(engine: Engine) -> Engine:
    with Session(writer(engine)) as s, s.begin():
        s.execute(delete(ManagerSession))
    return engine


def rows(engine: Engine) -> list[ManagerSession]:
    with Session(engine) as s:
        return list(s.scalars(select(ManagerSession)))


def test_only_hashes_are_stored(clean):
    opened = Sessions(clean, 30).open("alice")
    [row] = rows(clean)
    stored = " ".join(str(v) for v in vars(row).values())
    assert opened.session_id not in stored and opened.handover not in stored
    assert row.id_hash == hashlib.sha256(opened.session_id.encode()).hexdigest()
    assert row.manager == "alice" and not row.revoked
    assert len(opened.session_id) == 64 and len(opened.handover) == 43  # 256 random bits each


def test_a_hand_over_gives_the_session_id_once(clean):
    sessions = Sessions(clean, 30)
    opened = sessions.open("alice")
    assert sessions.redeem(opened.handover) == opened.session_id
    assert sessions.redeem(opened.handover) is None, "used"
    [row] = rows(clean)
    assert row.handover_hash is None and row.sealed is None
    assert sessions.check(opened.session_id).manager == "alice", "the session itself lives on"


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 42 + "!", "A" * 4000])
def test_a_made_up_hand_over_gives_nothing(clean, token):
    Sessions(clean, 30).open("alice")
    assert Sessions(clean, 30).redeem(token) is None


def test_a_late_hand_over_gives_nothing(clean):
    clock = Clock()
    sessions = Sessions(clean, 30, clock=clock)
    opened = sessions.open("alice")
    clock.now += HANDOVER_SECONDS + 1
    assert sessions.redeem(opened.handover) is None


def test_idle_expiry_and_activity(clean):
    clock = Clock()
    sessions = Sessions(clean, 30, clock=clock)
    sid = sessions.open("alice").session_id
    clock.now += 29 * 60
    assert sessions.check(sid).manager == "alice"
    clock.now += 29 * 60  # the check above was activity
    assert sessions.check(sid).manager == "alice"
    clock.now += 30 * 60 + 1
    assert sessions.check(sid).end is SessionEnd.ENDED
    assert sessions.check(sid).end is SessionEnd.ENDED, "for every tab that asks later too"
    [row] = rows(clean)
    assert row.revoked, "ended on the server, for good"


def test_an_expired_session_says_so_the_first_time(clean):
    clock = Clock()
    sessions = Sessions(clean, 5, clock=clock)
    sid = sessions.open("alice").session_id
    clock.now += 5 * 60 + 1
    assert sessions.check(sid).end is SessionEnd.ENDED


def test_a_session_ends_after_its_lifetime_however_active(clean):
    clock = Clock()
    sessions = Sessions(clean, 30, clock=clock)
    sid = sessions.open("alice").session_id
    while clock.now < 1_000_000.0 + LIFETIME_SECONDS - 20 * 60:
        clock.now += 20 * 60
        assert sessions.check(sid).manager == "alice"
    clock.now += 21 * 60
    assert sessions.check(sid).end is SessionEnd.ENDED


def test_logout_ends_the_session_for_every_holder(clean):
    sessions, elsewhere = Sessions(clean, 30), Sessions(clean, 30)  # two app processes
    sid = sessions.open("alice").session_id
    assert elsewhere.check(sid).manager == "alice"
    assert sessions.close(sid)
    assert elsewhere.check(sid).end is SessionEnd.REVOKED
    assert not sessions.close(sid), "once"


@pytest.mark.parametrize("sid", ["", "0" * 64, "z" * 64, "0" * 63])
def test_unknown_or_malformed_ids_are_nobody(clean, sid):
    assert Sessions(clean, 30).check(sid).manager is None
    assert not Sessions(clean, 30).close(sid)


def test_a_logout_racing_with_activity_wins(clean):
    clock = Clock()
    sessions = Sessions(clean, 30, clock=clock)
    sid = sessions.open("alice").session_id
    clock.now += 60  # the next check writes the activity
    done = threading.Barrier(2)

    def touch() -> None:
        done.wait()
        for _ in range(20):
            sessions.check(sid)

    worker = threading.Thread(target=touch)
    worker.start()
    done.wait()
    sessions.close(sid)
    worker.join()
    assert sessions.check(sid).manager is None


def test_old_sessions_are_deleted_by_new_logins(clean):
    clock = Clock()
    sessions = Sessions(clean, 30, clock=clock)
    sessions.open("alice")
    clock.now += LIFETIME_SECONDS + 1
    sessions.open("bob")
    assert [r.manager for r in rows(clean)] == ["bob"]


def test_another_process_sees_the_session(clean, engine):
    sid = Sessions(clean, 30).open("alice").session_id
    url = engine.url.render_as_string(hide_password=False)
    code = (
        "import sys; from trp_core.store.engine import make_engine; from trp_core.services.auth import Sessions;"
        f"print(Sessions(make_engine({url!r}), 30).check(sys.argv[1]).manager)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, sid], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "alice", out.stderr[-2000:]
