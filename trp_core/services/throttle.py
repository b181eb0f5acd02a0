"""Throttling of guessable attempts (result codes, kiosk PINs, manager logins) without storing who tried.

Where the state lives: never in a Streamlit cache, which any client can empty with one websocket
message (BackMsg clear_cache). Result codes are throttled in this process's memory (Throttle, one
per process, kept by pages/components/resources.py in a module variable); staff PINs and logins in
the database (Guard, trp_core.store.accounts.FailureCounts), so that every app process counts the
same failures.

Why no throttle is a lock-out weapon (OWASP Authentication Cheat Sheet, "account lockout"):
- Result codes carry 80 random bits. Guessing one is hopeless at any rate a server answers
  (2^80 / 10 000 stored codes ≈ 10^20 guesses per hit), so the throttle only keeps one session from
  hammering the database; it never refuses a session for the failures of others. When many
  failures arrive at once (`busy_per_minute`, process-wide), a failing session gets no free tries,
  but a session that has not failed is always checked: many guessing sessions cannot keep a
  visitor with a valid code out.
- A staff PIN is short and the same for every session of its event; a new session costs an
  attacker nothing, so only a count per event can slow guessing. Its delay is capped at a few
  minutes (PIN): staff wait at most that long while someone guesses, and a guesser gets about one
  try per cap (PIN_TRIES_PER_DAY), far too few for a PIN of six digits or more.
- Logins are held per name only (trp_core.services.auth): failures under other names, random ones
  included, never hold a real manager, whose right password logs in once the delay of its own
  name has passed.

Per-client keys (the address behind the proxy's X-Forwarded-For) were considered and not used: the
nginx site drops the client's address on purpose (nothing that identifies a person reaches the
app), and at an event every tablet and every guesser on the fair's network share one address, so
a key by address would be a shared budget again.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from trp_core.services.storage import store_errors

if TYPE_CHECKING:
    from sqlalchemy import Engine


class Throttle:
    """A growing delay per key (a browser session), in process memory, for result codes.

    The first `free_failures` failures of a key cost nothing, then `base_delay` doubling up to
    `max_delay`. While the process has seen `busy_per_minute` failures within a minute, no failure
    is free: every failing key is held from its first failure on. A key's wait never depends on
    other keys: a key without failures is always let through.
    """

    def __init__(
        self,
        free_failures: int = 3,
        base_delay: float = 2.0,
        max_delay: float = 300.0,
        busy_per_minute: int = 120,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.free_failures = free_failures
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.busy_per_minute = busy_per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, blocked until)
        self._recent: deque[float] = deque()

    def wait_seconds(self, key: str) -> float:
        """Seconds until this key may try again (0 when it may try now)."""
        now = self._clock()
        with self._lock:
            _, until = self._failures.get(key, (0, 0.0))
            return max(0.0, until - now)

    def busy(self) -> bool:
        """Whether the process has seen `busy_per_minute` failures within the last minute."""
        with self._lock:
            self._expire(self._clock())
            return len(self._recent) >= self.busy_per_minute

    def failure(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            self._expire(now)
            free = 0 if len(self._recent) >= self.busy_per_minute else self.free_failures
            count, _ = self._failures.get(key, (0, 0.0))
            count += 1
            extra = count - free
            delay = 0.0 if extra <= 0 else min(self.max_delay, self.base_delay * 2 ** min(extra - 1, 64))
            self._failures[key] = (count, now + delay)
            self._recent.append(now)

    def success(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _expire(self, now: float) -> None:
        while self._recent and self._recent[0] < now - 60:
            self._recent.popleft()
        if len(self._failures) > 10_000:  # forget keys that have long stopped trying
            self._failures = {k: v for k, v in self._failures.items() if v[1] > now - 3600}


@dataclass(frozen=True)
class Backoff:
    """A growing delay after failures: none for the first `free`, then `base` doubling up to `cap`.

    Failures are forgotten once `forget` seconds have passed since the latest one. Pure
    arithmetic (a trp_core.store.accounts.FailureRule), so that the store can apply it to the
    counts it keeps for several processes, inside the transaction that counts them.
    """

    free: int
    base: float
    cap: float
    forget: float

    def delay(self, failures: int) -> float:
        """Seconds to wait after the latest of `failures` failures."""
        extra = failures - self.free
        return 0.0 if extra <= 0 else min(self.cap, self.base * 2.0 ** min(extra - 1, 64))

    def current(self, failures: int, last_failure: float, now: float) -> int:
        """The failures that still count at `now`."""
        return 0 if now - last_failure >= self.forget else failures

    def wait(self, failures: int, last_failure: float, now: float) -> float:
        """Seconds from `now` until the next attempt may be checked (0: now)."""
        delay = self.delay(self.current(failures, last_failure, now))
        return 0.0 if delay == 0 else max(0.0, last_failure + delay - now)


# A kiosk's staff PIN, counted per event over every session and process: five failures free (a
# visitor who found the staff button), then 2 s doubling up to 3 minutes, forgotten after an hour.
PIN: Final = Backoff(free=5, base=2.0, cap=180.0, forget=3600.0)
# One counted try per held period at most, the stored time rounded up to a minute (GRAIN).
PIN_TRIES_PER_DAY: Final = int(24 * 3600 / PIN.cap)


def pin_key(event: str) -> str:
    """The failure counts' key of an event's staff PIN (a slug is public; the digest keeps keys uniform)."""
    return hashlib.sha256(f"pin:{event}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool  # the secret was right
    wait: float  # seconds before the next attempt will be checked
    checked: bool  # False: refused by the throttle without looking at the secret


class Guard:
    """Attempts at a secret shared by many sessions (a kiosk's staff PIN), counted in the database."""

    def __init__(self, engine: Engine, rule: Backoff = PIN, clock: Callable[[], float] = time.time) -> None:
        from trp_core.store.accounts import FailureCounts

        self.counts = FailureCounts(engine, rule, clock)

    @store_errors()
    def attempt(self, key: str, check: Callable[[], bool]) -> Verdict:
        """Check the secret unless `key` is held; StoreUnavailable when the database cannot be used."""
        attempt = self.counts.begin(key)
        if attempt.wait > 0:
            return Verdict(False, attempt.wait, checked=False)
        if not check():
            return Verdict(False, self.counts.wait_seconds(key), checked=True)
        self.counts.succeeded(attempt)
        return Verdict(True, 0.0, checked=True)
