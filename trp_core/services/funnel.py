"""The funnel counters of one process, kept in memory and written to the store in the background.

A page counts a step the moment it is drawn; writing the counter there (a transaction, on SQLite a
flush to disk) cost every step change of every visitor a write of its own. Here the counts wait in
memory for a moment and go to the store together, in one transaction, from a thread of their own:
nothing of a page's run waits for the database, and forty visitors' steps are a few writes.

Nothing counted is lost or counted twice by the buffer: counts leave it only inside the write that
stores them, and go back into it when that write fails (the next write tries again). At the end of
the process (a stop by Ctrl+C, SIGTERM or systemd; the interpreter's exit) whatever waits is written.
Only a process killed outright (kill -9, a power cut) loses the counts of its last moment, at most
`delay` seconds of them; responses are never buffered.

Beside each count waits the sum of the counted sessions' record keys, modulo 256 (PRIVACY.md, the
cell-key method): a session's key (`session_key`) is drawn with its first step and added to every step
it reaches, so that the dashboard can perturb a step's count by the key sum of its sessions.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from trp_core.services.storage import store_errors
from trp_core.store.models import RECORD_KEYS, record_key
from trp_core.store.repository import check_funnel_step

if TYPE_CHECKING:
    from trp_core.store import Store

log = logging.getLogger("trp")

Key = tuple[str, str | None, date, str]  # survey id, event tag or None, day, step


def session_key() -> int:
    """A visitor session's random record key, 0..255 (trp_core.privacy.cellkey), drawn when its first
    step is counted and kept with the session: every step it reaches adds it to the step's key sum."""
    return record_key()


class FunnelBuffer:
    """Counts waiting for the store; `store` opens it (or returns the open one) when a write is due."""

    def __init__(self, store: Callable[[], Store], delay: float = 0.25, retry: float = 5.0):
        self._store = store
        self._delay, self._retry = delay, retry
        self._pending: Counter[Key] = Counter()  # sessions counted per counter
        self._keys: Counter[Key] = Counter()  # the sum of their record keys, modulo 256
        self._lock = threading.Lock()  # guards _pending, _keys and _thread
        self._writing = threading.Lock()  # one write at a time, so that a failed one goes back first
        self._due = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        atexit.register(self.close)

    def add(
        self,
        survey_id: str,
        event: str | None,
        steps: Sequence[str],
        day: date | None = None,
        key: int | None = None,
    ) -> None:
        """Count one session at each step once; written within `delay` seconds (or at the end of the
        process). `key`: the session's record key (`session_key`), added to each step's key sum; a
        fresh one when not given (a session counted once)."""
        when = day or date.today()
        for step in steps:
            check_funnel_step(event, step)
        session = session_key() if key is None else key
        with self._lock:
            for step in steps:
                counter = (survey_id, event, when, step)
                self._pending[counter] += 1
                self._keys[counter] = (self._keys[counter] + session) % RECORD_KEYS
            closed = self._closed
            if not closed and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._run, name="trp-funnel", daemon=True)
                self._thread.start()
        if closed:  # the process is ending: no thread writes it any more
            self.flush()
        else:
            self._due.set()

    def pending(self) -> int:
        """How many counts wait to be written."""
        with self._lock:
            return sum(self._pending.values())

    def flush(self) -> None:
        """Write every waiting count now, in one transaction; on failure they wait again and it raises
        StoreUnavailable."""
        with self._writing:
            with self._lock:
                taken, self._pending = self._pending, Counter()
                keys, self._keys = self._keys, Counter()
            if not taken:
                return
            try:
                with store_errors():
                    self._store().add_counts(taken, {counter: keys[counter] for counter in taken})
            except BaseException:
                with self._lock:
                    self._pending.update(taken)
                    for counter, key_sum in keys.items():
                        self._keys[counter] = (self._keys[counter] + key_sum) % RECORD_KEYS
                raise

    def close(self) -> None:
        """Write what waits, once more; later counts are written at once (the process is ending)."""
        self._closed = True
        self._due.set()
        try:
            self.flush()
        except Exception:
            log.exception("funnel counters not stored at the end: %d", self.pending())

    def _run(self) -> None:
        while not self._closed:
            self._due.wait()
            if self._closed:
                return
            self._due.clear()
            time.sleep(self._delay)  # the counts of a moment go together
            try:
                self.flush()
            except Exception:
                log.exception("funnel counters not stored yet, %d waiting; tried again", self.pending())
                self._due.set()
                time.sleep(self._retry)
