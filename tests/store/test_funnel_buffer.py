"""The funnel counts a process keeps in memory reach the store exactly once: from many threads at once,
through a store that fails for a while, when the buffer is closed and when the process ends."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date

import pytest

from tests.conftest import ROOT
from tests.store.test_repository import funnel, in_threads
from trp_core.services.funnel import FunnelBuffer
from trp_core.services.results import StoreUnavailable
from trp_core.store import reads
from trp_core.store.repository import NO_EVENT

DAY = date(2026, 3, 2)


def test_counts_from_many_threads_are_written_once_each(store):
    buffer = FunnelBuffer(lambda: store, delay=0.01)

    def work(i: int) -> None:
        for n in range(50):
            buffer.add("s1", "fair" if i % 2 else None, ["started", f"step:s{n % 3}"], DAY)

    in_threads(8, work)  # the background writer runs meanwhile
    buffer.flush()
    assert buffer.pending() == 0
    assert funnel(store, "s1") == {"started": 400, "step:s0": 136, "step:s1": 136, "step:s2": 128}
    assert funnel(store, "s1", "fair") == {"started": 200, "step:s0": 68, "step:s1": 68, "step:s2": 64}


def test_counts_wait_while_the_store_fails_and_are_written_once_it_answers(store):
    failures = [StoreUnavailable(), StoreUnavailable()]

    def flaky():
        if failures:
            raise failures.pop()
        return store

    buffer = FunnelBuffer(flaky, delay=3600)  # no background write: the test writes
    buffer.add("s1", None, ["started"], DAY)
    for _ in range(2):
        with pytest.raises(StoreUnavailable):
            buffer.flush()
        assert buffer.pending() == 1 and funnel(store, "s1") == {}
    buffer.add("s1", None, ["started", "completed"], DAY)
    buffer.flush()
    assert funnel(store, "s1") == {"started": 2, "completed": 1}
    buffer.flush()  # nothing waits: nothing more is written
    assert funnel(store, "s1") == {"started": 2, "completed": 1}


def test_key_sums_wait_with_their_counts_and_are_written_once(store):
    """A failed write puts the sessions' key sums back with the counts; the next write stores both."""
    failures = [StoreUnavailable()]

    def flaky():
        if failures:
            raise failures.pop()
        return store

    buffer = FunnelBuffer(flaky, delay=3600)
    buffer.add("s1", None, ["started", "completed"], DAY, key=250)
    with pytest.raises(StoreUnavailable):
        buffer.flush()
    buffer.add("s1", None, ["started"], DAY, key=10)
    buffer.flush()
    buffer.flush()
    assert reads.funnel_by_atom(store.engine, "s1") == {
        (NO_EVENT, DAY): {"started": (2, (250 + 10) % 256), "completed": (1, 250)}
    }


def test_a_wrong_step_is_refused_when_counted_and_nothing_of_it_waits(store):
    buffer = FunnelBuffer(lambda: store, delay=3600)
    with pytest.raises(ValueError, match="funnel step"):
        buffer.add("s1", None, ["started", "visitor:42"], DAY)
    assert buffer.pending() == 0


def test_closing_writes_what_waits_and_later_counts_at_once(store):
    buffer = FunnelBuffer(lambda: store, delay=3600)
    buffer.add("s1", None, ["started"], DAY)
    assert funnel(store, "s1") == {}, "kept in memory for the moment"
    buffer.close()
    assert funnel(store, "s1") == {"started": 1}
    buffer.add("s1", None, ["completed"], DAY)
    assert funnel(store, "s1") == {"started": 1, "completed": 1}


def test_the_end_of_the_process_writes_what_waits(tmp_path):
    url = f"sqlite:///{tmp_path / 'trp.sqlite3'}"
    script = textwrap.dedent(f"""
        from datetime import date
        from trp_core.services.funnel import FunnelBuffer
        from trp_core.store import Store, make_engine, upgrade

        engine = make_engine({url!r})
        upgrade(engine)
        buffer = FunnelBuffer(lambda: Store(engine), delay=3600)
        buffer.add("s1", "fair", ["started", "step:s0"], date(2026, 3, 2))
    """)
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=60)
    from trp_core.store import Store, make_engine

    engine = make_engine(url)
    try:
        assert funnel(Store(engine), "s1", "fair") == {"started": 1, "step:s0": 1}
    finally:
        engine.dispose()
