"""`trp report` as a manager runs it: JSON on standard output, under the same rules as the pages."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from tests.store.manager.test_intruder import store_people
from trp_core.cli.main import main
from trp_core.method.scoring import CRITERIA
from trp_core.method.vocabulary import Quadrant
from trp_core.privacy.cells import View
from trp_core.services.dashboard import published_dashboard
from trp_core.store import reads


def run(engine, *args: str) -> dict:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["report", *args, "--survey", "trp-standard", "--url", url, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_report_dashboard_prints_the_published_figures(store, surveys):
    survey = surveys["trp-standard"]
    rng = random.Random(5)
    start = date(2025, 5, 5)
    rows = [
        {"version": "1.0", "lang": "de", "tag": "", "day": start + timedelta(days=rng.randrange(28))}
        for _ in range(30)
    ]
    rows += [{"version": "1.0", "lang": "de", "tag": "tiny-fair", "day": start} for _ in range(3)]
    store_people(store, survey, rows, 5)
    out = run(store.engine, "dashboard")
    # The tiny fair's 3 wait for more of their stream (trp_core.privacy.releases): never published.
    assert out["total"] == 30 and out["withheld"] is None
    assert set(out["quadrants"]) == {"held", "kandidat", "vampir", "schatten", "undetermined"}
    assert all(n is None or n == 0 or n >= 5 for n in out["quadrants"].values())  # hidden: null
    tiny = run(store.engine, "dashboard", "--tag", "tiny-fair")
    assert tiny["total"] == 0
    day = run(store.engine, "dashboard", "--since", "2025-05-07", "--until", "2025-05-07", "--period", "week")
    assert day["asked"]["period"]["label"] == "2025-W19"  # the whole ISO week, never one day
    export = run(store.engine, "export", "--version", "1.0")
    assert export["rows"] is not None and len(export["rows"]) == 30
    assert not {"event", "language", "iso_week", "what_would_help"} & set(export["rows"][0])
    assert run(store.engine, "export")["rows"] is None  # rows per version only
    cal = run(store.engine, "calibration", "--threshold", "kann=63.7")
    assert float(cal["thresholds"]["kann"]).is_integer()
    texts = run(store.engine, "free-text")
    assert [c["version"] for c in texts["cells"]] == ["1.0"]  # one cell per version, whatever the period


def test_report_dashboard_prints_the_criterion_means_per_quadrant(store, surveys):
    """`means`: every criterion per quadrant, as the dashboard page shows it; a hidden mean is null
    (fewer than k answers, or the quadrant's count hidden in a part of the selection)."""
    survey = surveys["trp-standard"]
    rng = random.Random(8)
    start = date(2025, 5, 5)  # one ISO week: one part, so that some quadrants hold at least k
    rows = [
        {"version": "1.0", "lang": "de", "tag": "", "day": start + timedelta(days=rng.randrange(5))}
        for _ in range(60)
    ]
    store_people(store, survey, rows, 8)
    out = run(store.engine, "dashboard")
    page = published_dashboard(store.engine, survey, View()).dashboard
    assert page is not None
    assert set(out["means"]) == {f"{c.value} {q.value}" for c in CRITERIA for q in Quadrant}
    raw = reads.criterion_means(store.engine, reads.Filters(survey=survey.id))
    for (c, q), m in raw.items():
        shown = out["means"][f"{c.value} {q.value}"]
        assert shown == page.means[(c, q)]
        if shown is not None:
            assert (
                shown == pytest.approx(m.mean) and m.answered >= 5 and out["quadrants"][q.value] is not None
            )
        elif m.answered >= 5 and out["quadrants"][q.value] is not None:
            raise AssertionError(f"{c.value} {q.value} hidden, but {m.answered} answers in a shown quadrant")
    values = list(out["means"].values())
    assert any(v is None for v in values) and any(v is not None for v in values)
