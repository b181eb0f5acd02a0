"""Reopen a stored result by its code: one answer for every kind of wrong code, and wrong codes throttled,
so that codes cannot be enumerated."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from trp_core.method.codes import code_hash, normalize
from trp_core.method.levers import assess
from trp_core.services.results import Result, StoreUnavailable

if TYPE_CHECKING:
    from trp_core.services.throttle import Throttle
    from trp_core.store import Store

log = logging.getLogger("trp")


class TooManyAttempts(Exception):
    """Too many wrong codes from this visitor: he must wait `seconds` before the next is even checked."""

    def __init__(self, seconds: float):
        super().__init__(f"wait {seconds:.1f} s")
        self.seconds = seconds


def reopen(typed: str, *, store: Callable[[], Store], throttle: Throttle, who: str) -> Result | None:
    """The result behind a typed code, or None for any code that opens nothing (counted as a failure of `who`).

    The store is opened only for a code that can be one. Raises TooManyAttempts while `who` is
    throttled, StoreUnavailable when the store cannot be read (not counted as a failure).
    """
    wait = throttle.wait_seconds(who)
    if wait > 0:
        raise TooManyAttempts(wait)
    code = normalize(typed)
    found = None
    if code is not None:
        try:
            found = store().find_by_code_hash(code_hash(code))
        except Exception as exc:
            log.exception("result lookup failed")
            raise StoreUnavailable from exc
    if found is None:
        throttle.failure(who)
        return None
    throttle.success(who)
    return Result(
        code=code,
        survey=found.survey,
        answers=found.answers,
        assessment=assess(found.survey, found.answers),
        lang=found.lang,
    )
