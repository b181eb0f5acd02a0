"""Manager accounts and sessions, and the failure counts of guessable secrets (manager logins,
kiosk PINs) that every app process shares.

The store counts and locks; how long a count holds an attempt is the caller's rule (a FailureRule,
e.g. trp_core.services.throttle.Backoff), and what a key stands for is the caller's too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from trp_core.store.engine import writer
from trp_core.store.models import MANAGER_NAME_LENGTH, LoginFailures, ManagerAccount, ManagerSession

TOUCH_SECONDS: Final = 10.0  # a session's activity is written at most this often
# Failure times are kept rounded up to this many seconds: enough for delays of minutes, and no
# record says at what second of the day someone mistyped. Rounding up only ever holds longer.
GRAIN: Final = 60.0


class AccountExists(Exception):
    """An account of this name is stored already (replace it explicitly)."""


@dataclass(frozen=True, slots=True)
class AccountInfo:
    name: str
    created: date


class Accounts:
    """Manager accounts in the database: a name and an argon2id hash each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def add(self, name: str, password_hash: str, *, replace: bool = False, day: date | None = None) -> bool:
        """Store an account; True when it was new. AccountExists unless `replace`."""
        if not 0 < len(name) <= MANAGER_NAME_LENGTH:
            raise ValueError(f"a manager name has 1 to {MANAGER_NAME_LENGTH} characters")
        with Session(self._writer) as s, s.begin():
            row = s.get(ManagerAccount, name, with_for_update=True)
            if row is None:
                s.add(ManagerAccount(name=name, password_hash=password_hash, created=day or date.today()))
                return True
            if not replace:
                raise AccountExists(name)
            row.password_hash = password_hash
            return False

    def password_hash(self, name: str) -> str | None:
        with Session(self.engine) as s, s.begin():
            return s.scalar(select(ManagerAccount.password_hash).where(ManagerAccount.name == name))

    def update_hash(self, name: str, old: str, new: str) -> None:
        """Replace a hash with a stronger one, unless it was changed meanwhile."""
        stmt = (
            update(ManagerAccount)
            .where(ManagerAccount.name == name, ManagerAccount.password_hash == old)
            .values(password_hash=new)
        )
        with Session(self._writer) as s, s.begin():
            s.execute(stmt)

    def remove(self, name: str) -> bool:
        with Session(self._writer) as s, s.begin():
            return s.execute(delete(ManagerAccount).where(ManagerAccount.name == name)).rowcount > 0

    def list(self) -> list[AccountInfo]:
        stmt = select(ManagerAccount.name, ManagerAccount.created).order_by(ManagerAccount.name)
        with Session(self.engine) as s, s.begin():
            return [AccountInfo(*r) for r in s.execute(stmt)]


class FailureRule(Protocol):
    """How failures hold back the next attempt; applied inside the transaction that counts them."""

    @property
    def forget(self) -> float:
        """Seconds after the latest failure when the failures no longer count."""
        ...

    def current(self, failures: int, last_failure: float, now: float) -> int:
        """The failures that still count at `now`."""
        ...

    def wait(self, failures: int, last_failure: float, now: float) -> float:
        """Seconds from `now` until the next attempt may be checked (0: now)."""
        ...


@dataclass(frozen=True, slots=True)
class Attempt:
    """An attempt, counted as a failure until it succeeds; `wait` > 0: refused, not counted."""

    key: str
    wait: float


class FailureCounts:
    """Recent failures per key in the database, so that every app process sees them and no client
    message can reset them (they are no Streamlit cache).

    An attempt is counted as a failure before the secret is checked and taken back when it
    succeeds: parallel attempts cannot slip through between a check and a count. Each key is held
    on its own: no key's failures ever hold another (a shared budget would let anyone lock out
    everyone, OWASP's warning about account lock-out). A row keeps the key, a count and the time of
    the latest failure rounded up to GRAIN seconds; the caller chooses keys that reveal nothing
    (trp_core.services.auth.throttle_key).
    """

    def __init__(
        self,
        engine: Engine,
        rule: FailureRule,
        clock: Callable[[], float] = time.time,
        grain: float = GRAIN,
    ) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self.rule = rule
        self._clock = clock
        self.grain = grain

    def _stamp(self, now: float) -> float:
        return math.ceil(now / self.grain) * self.grain

    def wait_seconds(self, key: str) -> float:
        """Seconds until an attempt for this key may be checked (0: now)."""
        now = self._clock()
        with Session(self.engine) as s, s.begin():
            row = s.execute(
                select(LoginFailures.failures, LoginFailures.last_failure).where(LoginFailures.key == key)
            ).first()
        return 0.0 if row is None else self.rule.wait(row.failures, row.last_failure, now)

    def begin(self, key: str) -> Attempt:
        """Count an attempt as a failure, or refuse it (nothing counted) while the key is held."""
        now = self._clock()
        with Session(self._writer) as s, s.begin():
            s.execute(
                self._insert(LoginFailures)
                .values(key=key, failures=0, last_failure=0.0)
                .on_conflict_do_nothing()
            )
            row = s.get_one(LoginFailures, key, with_for_update=True)
            wait = self.rule.wait(row.failures, row.last_failure, now)
            if wait > 0:
                return Attempt(key, wait)
            row.failures = self.rule.current(row.failures, row.last_failure, now) + 1
            row.last_failure = self._stamp(now)
            # Forget keys that have stopped failing long ago: the table stays small.
            s.execute(delete(LoginFailures).where(LoginFailures.last_failure <= now - self.rule.forget))
        return Attempt(key, 0.0)

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt was right: its key's failures are forgotten."""
        if attempt.wait > 0:
            raise ValueError("only an attempt that was let through can succeed")
        with Session(self._writer) as s, s.begin():
            s.execute(delete(LoginFailures).where(LoginFailures.key == attempt.key))


@dataclass(frozen=True, slots=True)
class SessionRules:
    """How long a manager session lives: since its last activity, since its login, and its hand-over."""

    idle: float  # seconds
    lifetime: float
    handover: float


class ManagerSessions:
    """Manager sessions by the hash of their id, in the database, so that every app process sees them.

    The caller hashes; nothing here sees a session id or a hand-over token.
    """

    def __init__(self, engine: Engine, rules: SessionRules, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self.rules = rules
        self._clock = clock

    def open(self, id_hash: str, manager: str, handover_hash: str, sealed: str) -> None:
        """Store a new session, waiting for its hand-over; sessions ended long ago are deleted."""
        now = self._clock()
        with Session(self._writer) as s, s.begin():
            s.execute(delete(ManagerSession).where(ManagerSession.last_seen < now - self.rules.lifetime))
            s.add(
                ManagerSession(
                    id_hash=id_hash,
                    manager=manager,
                    created=now,
                    last_seen=now,
                    revoked=False,
                    handover_hash=handover_hash,
                    sealed=sealed,
                    handover_until=now + self.rules.handover,
                )
            )

    def take_handover(self, handover_hash: str) -> str | None:
        """The sealed session id of a hand-over, once: it is cleared in the same transaction."""
        now = self._clock()
        with Session(self._writer) as s, s.begin():
            row = s.scalar(
                select(ManagerSession).where(ManagerSession.handover_hash == handover_hash).with_for_update()
            )
            if row is None:
                return None
            sealed, until = row.sealed, row.handover_until
            row.handover_hash = row.sealed = row.handover_until = None
            if row.revoked or until is None or until < now or self._ended(row, now):
                return None
            return sealed

    def check(self, id_hash: str) -> tuple[str | None, str]:
        """(manager, "live") for a live session, which counts as activity; else (None, why):
        "unknown", "ended" (idle or too old) or "revoked" (logged out)."""
        now = self._clock()
        with Session(self.engine) as s, s.begin():
            row = s.execute(
                select(
                    ManagerSession.manager,
                    ManagerSession.created,
                    ManagerSession.last_seen,
                    ManagerSession.revoked,
                ).where(ManagerSession.id_hash == id_hash)
            ).first()
        if row is None:
            return None, "unknown"
        ended = now - row.last_seen > self.rules.idle or now - row.created > self.rules.lifetime
        if row.revoked:
            return None, "ended" if ended else "revoked"
        if not ended and now - row.last_seen < TOUCH_SECONDS:
            return row.manager, "live"  # seen a moment ago: no write on every page run
        with Session(self._writer) as s, s.begin():
            live = ManagerSession.revoked.is_(False)
            if ended:
                s.execute(
                    update(ManagerSession).where(ManagerSession.id_hash == id_hash).values(revoked=True)
                )
                return None, "ended"
            # Only while the row is still live: a logout or expiry meanwhile wins.
            touched = s.execute(
                update(ManagerSession)
                .where(
                    ManagerSession.id_hash == id_hash, live, ManagerSession.last_seen > now - self.rules.idle
                )
                .values(last_seen=now)
            ).rowcount
        return (row.manager, "live") if touched else (None, "revoked")

    def revoke(self, id_hash: str) -> bool:
        """End a session (logout); True when it was live."""
        with Session(self._writer) as s, s.begin():
            stmt = (
                update(ManagerSession)
                .where(ManagerSession.id_hash == id_hash, ManagerSession.revoked.is_(False))
                .values(revoked=True, handover_hash=None, sealed=None, handover_until=None)
            )
            return s.execute(stmt).rowcount > 0

    def _ended(self, row: ManagerSession, now: float) -> bool:
        return now - row.last_seen > self.rules.idle or now - row.created > self.rules.lifetime
