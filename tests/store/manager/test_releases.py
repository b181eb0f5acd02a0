"""Releases (PRIVACY.md, "Releases"), from the outside: what `trp report` publishes does not move when
one visitor finishes the self-check, and moves by at least k when k of a stream have come. The day
of the release is the only stand-in: `selection.release_day` (tomorrow cannot be waited for here)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tests.store.manager.test_intruder import store_people
from tests.store.manager.test_report_cli import run
from trp_core.privacy.cells import Lattice
from trp_core.services import selection as sel
from trp_core.store import releases as store_releases

K = 5
START = date(2025, 5, 5)
DAY = date(2025, 6, 10)  # the event: a visitor finishes at the stand


def everything(engine) -> dict:
    """Every figure `trp report` publishes for a few selections (rows and texts sorted: they come in
    random order)."""
    out = {}
    for args in (
        [],
        ["--lang", "en"],
        ["--lang", "de"],
        ["--tag", "fair"],
        ["--period", "month", "--since", "2025-05-01"],
    ):
        dash = run(engine, "dashboard", *args)
        for listed in ("heat", "trend"):  # lists of figures: their order is the query's, not a figure
            dash[listed] = sorted(map(str, dash.get(listed) or []))
        out[("dashboard", *args)] = dash
        texts = run(engine, "free-text", *args)
        out[("free-text", *args)] = sorted(
            str({**c, "texts": {q: sorted(ts) for q, ts in (c["texts"] or {}).items()}})
            for c in texts["cells"]
        )
    export = run(engine, "export", "--version", "1.0")
    out["export"] = sorted(map(str, export["rows"] or []))
    out["calibration"] = run(engine, "calibration", "--threshold", "kann=60")
    return out


def differences(a: dict, b: dict) -> list[str]:
    out = []
    for key in a:
        if isinstance(a[key], dict):
            out += [
                f"{key} {k}: {a[key][k]} != {b[key].get(k)}" for k in a[key] if a[key][k] != b[key].get(k)
            ]
        elif a[key] != b[key]:
            out.append(f"{key}")
    return out


def test_one_arrival_changes_no_published_figure_until_k_of_its_stream_have_come(store, surveys, monkeypatch):
    survey = surveys["trp-standard"]
    rng = random.Random(3)
    rows = [
        {
            "version": "1.0",
            "lang": rng.choice(["de", "de", "en"]),
            "tag": "",
            "day": START + timedelta(days=rng.randrange(30)),
        }
        for _ in range(80)
    ]
    rows += [
        {"version": "1.0", "lang": "de", "tag": "fair", "day": START + timedelta(days=3)} for _ in range(10)
    ]
    store_people(store, survey, rows, 3)
    monkeypatch.setattr(sel, "release_day", lambda: DAY)
    before = everything(store.engine)
    assert before[("dashboard",)]["total"] == 90 and before[("dashboard",)]["released"] == DAY.isoformat()

    # One English visitor at the fair finishes; the next days' releases publish nothing of it.
    one = {"version": "1.0", "lang": "en", "tag": "fair", "day": DAY}
    store_people(store, survey, [one], 4)
    for later in (DAY + timedelta(days=1), DAY + timedelta(days=8)):
        monkeypatch.setattr(sel, "release_day", lambda later=later: later)
        now = everything(store.engine)
        assert now == before, differences(before, now)

    # Four more of the same stream: the next release publishes the five together.
    store_people(store, survey, [one] * (K - 1), 5)
    monkeypatch.setattr(sel, "release_day", lambda: DAY + timedelta(days=9))
    after = run(store.engine, "dashboard")
    assert after["total"] == 90 + K and after["released"] == (DAY + timedelta(days=9)).isoformat()
    history = store_releases.history(store.engine, survey.id, "responses")
    assert history[("1.0", "en", "fair")] == (DAY + timedelta(days=9),)


def test_without_releases_one_arrival_moves_the_total(store, surveys, monkeypatch):
    """The lattice without the releases' history (every stored response published at once, as before
    releases): the total moves by one, so the test above can fail."""
    survey = surveys["trp-standard"]
    rows = [
        {"version": "1.0", "lang": "de", "tag": "", "day": START + timedelta(days=i % 30)} for i in range(40)
    ]
    store_people(store, survey, rows, 6)
    monkeypatch.setattr(sel, "Lattice", lambda counts, k, history=None, **kw: Lattice(counts, k, **kw))
    monkeypatch.setattr(sel, "_BUILT", {})  # none built with the history
    monkeypatch.setattr(sel, "release_day", lambda: DAY)
    assert run(store.engine, "dashboard")["total"] == 40
    store_people(store, survey, [{"version": "1.0", "lang": "en", "tag": "", "day": DAY}], 7)
    monkeypatch.setattr(sel, "release_day", lambda: DAY + timedelta(days=1))
    assert run(store.engine, "dashboard")["total"] == 41


def test_a_visitor_of_today_costs_the_next_look_no_new_lattice(store, surveys, monkeypatch):
    """A response of today waits for tomorrow's release, so what the lattice publishes is the same:
    the look after it reads the counts again and takes the lattice it has (at a million responses a
    new one takes a second; bench/published_dashboard.py). The next day's release builds a new one."""
    survey = surveys["trp-standard"]
    rows = [
        {"version": "1.0", "lang": "de", "tag": "", "day": START + timedelta(days=i % 30)} for i in range(40)
    ]
    store_people(store, survey, rows, 8)
    monkeypatch.setattr(sel, "release_day", lambda: DAY)
    first = sel.lattice(store.engine, survey.id, k=K)
    sessions = sel.sessions_lattice(store.engine, survey.id, {("", "", "", START): 9}, first)
    store_people(store, survey, [{"version": "1.0", "lang": "de", "tag": "", "day": DAY}] * K, 9)
    assert sel.lattice(store.engine, survey.id, k=K) is first
    assert (
        sel.sessions_lattice(store.engine, survey.id, {("", "", "", START): 9, ("", "", "", DAY): 1}, first)
        is sessions
    )
    monkeypatch.setattr(sel, "release_day", lambda: DAY + timedelta(days=1))
    later = sel.lattice(store.engine, survey.id, k=K)
    assert later is not first and later.total == first.total + K
