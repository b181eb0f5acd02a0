"""Manager accounts and the failure counts of logins and PINs on SQLite and PostgreSQL: storage, growth,
sharing, races, and no lock-out by other names."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import DateTime, Engine, delete, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.conftest import ROOT
from trp_core.services.auth import (
    HASHER,
    PER_ACCOUNT,
    Authenticator,
    Verifier,
    hash_password,
    throttle_key,
)
from trp_core.services.throttle import Backoff
from trp_core.store.accounts import GRAIN, AccountExists, Accounts, FailureCounts
from trp_core.store.engine import make_engine, writer
from trp_core.store.migrate import current_revision, head_revision, upgrade
from trp_core.store.models import LoginFailures, ManagerAccount

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self, now: float = 16_666 * GRAIN) -> None:  # a whole minute: stored as it is
        self.now = now

    def __call__(self) -> float:
        return self.now


class CountingHasher(PasswordHasher):
    """The app's parameters, counting verifications."""

    def __init__(self) -> None:
        p = extract_parameters(HASHER.hash("x"))
        super().__init__(p.time_cost, p.memory_cost, p.parallelism, p.hash_len, p.salt_len, type=p.type)
        self.verified = 0

    def verify(self, hash, password):
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def clean(engine: Engine) -> Engine:
    """The session's migrated database with no accounts and no failures."""
    with Session(writer(engine)) as s, s.begin():
        s.execute(delete(ManagerAccount))
        s.execute(delete(LoginFailures))
    return engine


@pytest.fixture(scope="module")
def alice_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def auth(engine: Engine, clock: Clock, **kwargs) -> Authenticator:
    return Authenticator(engine, clock=clock, **kwargs)


# --- the tables ---------------------------------------------------------------------------


def test_accounts_add_list_replace_remove(clean, alice_hash):
    accounts = Accounts(clean)
    assert accounts.list() == []
    assert accounts.add("alice", alice_hash, day=date(2025, 3, 1)) is True
    assert accounts.password_hash("alice") == alice_hash
    assert accounts.password_hash("bob") is None
    with pytest.raises(AccountExists):
        accounts.add("alice", HASHER.hash("another long password"))
    other = HASHER.hash("another long password")
    assert accounts.add("alice", other, replace=True) is False
    assert accounts.password_hash("alice") == other
    [info] = accounts.list()
    assert (info.name, info.created) == ("alice", date(2025, 3, 1)), "replacing keeps the creation date"
    assert accounts.remove("alice") and not accounts.remove("alice")
    assert accounts.list() == []


def test_only_argon2id_hashes_can_be_stored(clean):
    with pytest.raises(IntegrityError):
        Accounts(clean).add("mallory", "plain text password")


def test_manager_tables_hold_no_ip_agent_or_password(clean):
    inspector = inspect(clean)
    columns = {
        t: {c["name"] for c in inspector.get_columns(t)} for t in ("manager_accounts", "login_failures")
    }
    assert columns == {
        "manager_accounts": {"name", "password_hash", "created"},
        "login_failures": {"key", "failures", "last_failure"},
    }
    for table in columns:
        for column in inspector.get_columns(table):
            assert not isinstance(column["type"], DateTime), "a day for accounts, seconds for the throttle"


def test_upgrade_from_the_first_revision_adds_the_manager_tables(empty_url: URL):
    engine = make_engine(empty_url)
    try:
        upgrade(engine, "0001")
        assert "manager_accounts" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert {"manager_accounts", "login_failures"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# --- the throttle -------------------------------------------------------------------------


def fail(throttle: FailureCounts, key: str, times: int = 1) -> list[float]:
    """Let `times` attempts through and leave them failed; the waits each one left behind."""
    waits = []
    for _ in range(times):
        attempt = throttle.begin(key)
        assert attempt.wait == 0, "refused while the test expected it to pass"
        waits.append(throttle.wait_seconds(key))
    return waits


def key(name: str) -> str:
    return throttle_key(name, account=True)


def test_per_key_delay_grows_and_a_held_attempt_is_not_counted(clean, clock):
    throttle = FailureCounts(clean, PER_ACCOUNT, clock, grain=1.0)
    alice = key("alice")
    assert fail(throttle, alice, 4) == [0, 0, 0, 2]
    held = throttle.begin(alice)
    assert held.wait == 2
    clock.now += 1
    assert throttle.begin(alice).wait == 1, "refused, and the refusal did not add a failure"
    clock.now += 1
    assert fail(throttle, alice) == [4]
    clock.now += 4
    assert fail(throttle, alice) == [8]
    assert throttle.wait_seconds(key("bob")) == 0, "other names are not held"


def test_stored_times_are_whole_minutes(clean, clock):
    """No row says at what second someone failed; rounding up only ever holds longer."""
    throttle = FailureCounts(clean, PER_ACCOUNT, clock)
    clock.now += 17.25
    fail(throttle, key("alice"), 4)
    with Session(clean) as s:
        (row,) = s.scalars(select(LoginFailures)).all()
    assert row.last_failure % 60 == 0 and 0 < row.last_failure - clock.now <= 60
    assert throttle.wait_seconds(key("alice")) == row.last_failure + PER_ACCOUNT.delay(4) - clock.now


def test_delay_is_capped_and_forgotten_after_a_day(clean, clock):
    throttle = FailureCounts(clean, Backoff(3, 2.0, 60.0, 24 * 3600.0), clock, grain=1.0)
    alice = key("alice")
    for _ in range(16):
        clock.now += 60
        fail(throttle, alice)
    assert throttle.wait_seconds(alice) == 60
    clock.now += 24 * 3600
    assert throttle.wait_seconds(alice) == 0
    assert fail(throttle, alice) == [0], "counting starts afresh"


def test_thirty_random_names_do_not_hold_a_real_one(clean, clock, alice_hash):
    """Finding 7: failures under other names, however many, never hold a manager's own name."""
    Accounts(clean).add("alice", alice_hash)
    a = auth(clean, clock)
    for i in range(30):
        assert a.log_in(f"random-{i}-{i * 7919 % 1000}", "guess").checked
    result = a.log_in("alice", PASSWORD)
    assert (result.name, result.checked, result.wait) == ("alice", True, 0)


def test_a_held_manager_logs_in_after_the_delay_of_her_own_name(clean, clock, alice_hash):
    Accounts(clean).add("alice", alice_hash)
    a = auth(clean, clock)
    for _ in range(PER_ACCOUNT.free + 2):  # her own name: held now
        a.log_in("alice", "not the password")
    for i in range(30):  # and thirty random names meanwhile
        a.log_in(f"someone-{i}", "guess")
    held = a.log_in("alice", PASSWORD)
    assert (held.name, held.checked) == (None, False) and 0 < held.wait <= PER_ACCOUNT.delay(5) + GRAIN
    clock.now += held.wait
    assert a.log_in("alice", PASSWORD).name == "alice"


def test_success_clears_only_its_own_name(clean, clock):
    throttle = FailureCounts(clean, PER_ACCOUNT, clock)
    fail(throttle, key("alice"), 3)
    fail(throttle, key("bob"), 2)
    throttle.succeeded(throttle.begin(key("alice")))
    with Session(clean) as s:
        rows = {r.key: r.failures for r in s.scalars(select(LoginFailures))}
    assert rows == {key("bob"): 2}


def test_old_keys_are_pruned(clean, clock):
    throttle = FailureCounts(clean, PER_ACCOUNT, clock)
    fail(throttle, key("typo"))
    clock.now += PER_ACCOUNT.forget + GRAIN
    fail(throttle, key("alice"))
    with Session(clean) as s:
        keys = set(s.scalars(select(LoginFailures.key)))
    assert keys == {key("alice")}


def test_parallel_attempts_cannot_slip_past_the_throttle(clean, clock):
    """Twelve attempts at the same moment: only those before the first delay are let through."""
    engines = [make_engine(clean.url) for _ in range(4)]
    throttles = [FailureCounts(e, PER_ACCOUNT, clock) for e in engines]
    alice = key("alice")
    barrier = threading.Barrier(12)
    results: list[float] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results.append(throttles[i % 4].begin(alice).wait)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(12)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for e in engines:
            e.dispose()
    assert errors == []
    assert sum(1 for w in results if w == 0) == PER_ACCOUNT.free + 1


def test_failures_are_shared_by_processes(clean, clock):
    """Another process's failures hold this one: the throttle lives in the database."""
    url = clean.url.render_as_string(hide_password=False)
    script = (
        "import sys\n"
        "from trp_core.services.auth import PER_ACCOUNT, throttle_key\n"
        "from trp_core.store.accounts import FailureCounts\n"
        "from trp_core.store.engine import make_engine\n"
        "t = FailureCounts(make_engine(sys.argv[1]), PER_ACCOUNT, lambda: float(sys.argv[2]))\n"
        "for _ in range(4):\n"
        "    assert t.begin(throttle_key('alice', account=True)).wait == 0\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, url, str(clock.now)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    here = FailureCounts(make_engine(url), PER_ACCOUNT, clock)
    try:
        assert here.wait_seconds(key("alice")) == PER_ACCOUNT.delay(4) > 0
    finally:
        here.engine.dispose()


def test_failure_records_keep_nothing_that_gives_back_a_typed_name(clean, clock, alice_hash):
    """Finding 8: a password typed into the name field leaves no unsalted hash, and no second of the day."""
    import hashlib

    Accounts(clean).add("alice", alice_hash)
    a = auth(clean, clock)
    typed = "Correct Horse Battery 2026!"
    clock.now += 23.5
    a.log_in(typed, "whatever")
    a.log_in("alice", "not the password")
    with Session(clean) as s:
        rows = {r.key: r.last_failure for r in s.scalars(select(LoginFailures))}
    assert len(rows) == 2
    name = typed.strip().casefold()
    for candidate in (name, typed, f"account:{name}"):
        digest = hashlib.sha256(candidate.encode()).hexdigest()
        assert digest not in rows and not any(digest[:16] in k for k in rows), candidate
        assert candidate not in rows
    assert all(t % GRAIN == 0 for t in rows.values()), "minutes only"


# --- logging in ---------------------------------------------------------------------------


def test_login_with_a_stored_account(clean, clock, alice_hash):
    Accounts(clean).add("alice", alice_hash)
    a = auth(clean, clock)
    result = a.log_in("  Alice ", PASSWORD)
    assert (result.name, result.wait, result.checked) == ("alice", 0, True)


def test_unknown_name_and_wrong_password_look_the_same(clean, clock, alice_hash):
    Accounts(clean).add("alice", alice_hash)
    hasher = CountingHasher()
    a = auth(clean, clock, verifier=Verifier(hasher))
    wrong = a.log_in("alice", "not the password")
    assert hasher.verified == 1
    unknown = a.log_in("nobody", "not the password")
    assert hasher.verified == 2, "an unknown name is checked against a dummy hash all the same"
    assert wrong == unknown
    assert (wrong.name, wrong.checked) == (None, True)
    # And the throttle treats both alike.
    for name in ("alice", "nobody"):
        for _ in range(3):
            a.log_in(name, "not the password")
    assert a.log_in("alice", PASSWORD) == a.log_in("nobody", PASSWORD)
    assert a.log_in("alice", PASSWORD).checked is False
    assert hasher.verified == 2 + 6, "a held attempt is not even checked"


def test_a_success_clears_the_accounts_failures(clean, clock, alice_hash):
    Accounts(clean).add("alice", alice_hash)
    a = auth(clean, clock)
    for _ in range(3):
        a.log_in("alice", "not the password")
    assert a.log_in("alice", PASSWORD).name == "alice"
    assert a.throttle.wait_seconds(key("alice")) == 0
    assert a.log_in("alice", "not the password").wait == 0, "counting starts afresh"


def test_environment_accounts_take_precedence(clean, clock, alice_hash):
    Accounts(clean).add("alice", alice_hash)
    env_hash = HASHER.hash("the environment's password")
    a = auth(clean, clock, managers={"alice": env_hash, "carol": env_hash})
    assert a.log_in("carol", "the environment's password").name == "carol"
    assert a.log_in("alice", "the environment's password").name == "alice"
    assert a.log_in("alice", PASSWORD).name is None


def test_state_is_shared_by_two_authenticators(clean, clock, alice_hash):
    Accounts(clean).add("alice", alice_hash)
    other = make_engine(clean.url)
    try:
        first, second = auth(clean, clock), auth(other, clock)
        for _ in range(4):
            first.log_in("alice", "not the password")
        held = second.log_in("alice", PASSWORD)
        assert (held.name, held.checked, held.wait) == (None, False, 2)
    finally:
        other.dispose()


def test_a_weaker_stored_hash_is_upgraded_at_login(clean, clock):
    weak = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID).hash(PASSWORD)
    Accounts(clean).add("alice", weak)
    assert auth(clean, clock).log_in("alice", PASSWORD).name == "alice"
    upgraded = Accounts(clean).password_hash("alice")
    assert upgraded != weak
    assert extract_parameters(upgraded) == extract_parameters(HASHER.hash("x"))
    assert auth(clean, clock).log_in("alice", PASSWORD).name == "alice"


def test_an_overlong_password_is_never_right(clean, clock):
    long_password = "p" * 2000
    Accounts(clean).add("alice", HASHER.hash(long_password))
    assert auth(clean, clock).log_in("alice", long_password).name is None
