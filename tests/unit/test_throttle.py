"""The throttles' rules without a database: per-key delays, the busy mode that never refuses a key
without failures, and what the staff PIN's rule leaves a guesser."""

from __future__ import annotations

from trp_core.services.throttle import PIN, PIN_TRIES_PER_DAY, Throttle, pin_key


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_held_only_by_its_own_failures():
    clock = Clock()
    throttle = Throttle(free_failures=3, base_delay=2.0, busy_per_minute=1000, clock=clock)
    for _ in range(5):
        throttle.failure("guesser")
    assert throttle.wait_seconds("guesser") == 4.0
    assert throttle.wait_seconds("visitor") == 0.0
    throttle.success("guesser")
    assert throttle.wait_seconds("guesser") == 0.0


def test_when_busy_failures_are_not_free_but_no_one_else_is_refused():
    clock = Clock()
    throttle = Throttle(free_failures=3, base_delay=2.0, busy_per_minute=120, clock=clock)
    for i in range(120):
        throttle.failure(f"session {i}")
    assert throttle.busy()
    assert throttle.wait_seconds("session 0") == 0.0, "its failure came before the busy minute"
    throttle.failure("a newcomer")
    assert throttle.wait_seconds("a newcomer") == 2.0, "held from the first failure"
    assert throttle.wait_seconds("a visitor with a valid code") == 0.0
    clock.now += 61
    assert not throttle.busy()
    throttle.failure("later")
    assert throttle.wait_seconds("later") == 0.0, "free again once the minute is quiet"


def test_the_pin_rule_caps_staff_waits_and_starves_a_guesser():
    assert PIN.delay(PIN.free) == 0 and PIN.delay(PIN.free + 1) == 2.0
    assert PIN.delay(100) == PIN.cap == 180.0, (
        "staff never wait more than 3 minutes (plus a minute's rounding)"
    )
    assert PIN_TRIES_PER_DAY == 480
    assert 10**6 / 2 / PIN_TRIES_PER_DAY > 1000, "a six-digit PIN: years for even odds"
    assert pin_key("expo") != pin_key("expo-2") and len(pin_key("x" * 64)) == 64
