"""Throttling of guessable attempts (result codes, manager logins) without storing who tried.

Throttle: a growing delay per key (a browser session) and a ceiling on failures per minute
across the whole process; a failed attempt while throttled does not even get checked.
Backoff: the same growing delay as arithmetic only: the rule the login throttle applies to the
failure counts that the database keeps for every process (trp_core.store.accounts.LoginThrottle).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


class Throttle:
    def __init__(
        self,
        free_failures: int = 3,
        base_delay: float = 2.0,
        max_delay: float = 300.0,
        global_per_minute: int = 60,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.free_failures = free_failures
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.global_per_minute = global_per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, blocked until)
        self._recent: deque[float] = deque()

    def wait_seconds(self, key: str) -> float:
        """Seconds until this key may try again (0 when it may try now)."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            _, until = self._failures.get(key, (0, 0.0))
            wait = max(0.0, until - now)
            if len(self._recent) >= self.global_per_minute:
                wait = max(wait, self._recent[0] + 60 - now)
            return wait

    def failure(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            count, _ = self._failures.get(key, (0, 0.0))
            count += 1
            extra = count - self.free_failures
            delay = 0.0 if extra <= 0 else min(self.max_delay, self.base_delay * 2 ** (extra - 1))
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
        counted = self.current(failures, last_failure, now)
        return max(0.0, last_failure + self.delay(counted) - now)
