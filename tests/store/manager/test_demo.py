"""`trp demo seed`: synthetic responses scored by the core, with funnel counters to match."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trp_core.cli.main import main
from trp_core.method.scoring import score
from trp_core.method.vocabulary import Axis, Quadrant
from trp_core.services.demo import seed
from trp_core.store.models import FunnelCounter, Response

TODAY = date(2025, 6, 30)


def test_seeded_responses_are_scored_by_the_core_and_spread_out(store, surveys):
    survey = surveys["trp-cloud"]
    result = seed(store.engine, [survey], 600, events=[None, "expo"], days=30, seed=4, today=TODAY, pool=150)
    assert result.responses == 600
    with Session(store.engine) as s:
        rows = s.scalars(select(Response)).all()
        counters = s.execute(select(FunnelCounter)).scalars().all()
    assert len(rows) == 600
    assert (
        len({r.id for r in rows})
        == len({r.submission_key for r in rows})
        == len({r.code_hash for r in rows})
        == 600
    )
    assert {r.lang for r in rows} == {"de", "en"}
    assert {r.event for r in rows} == {None, "expo"}
    assert all(TODAY - timedelta(days=30) <= r.day <= TODAY for r in rows)
    quadrants = Counter(r.quadrant for r in rows)
    assert set(quadrants) == {q.value for q in Quadrant}, quadrants  # a plausible mix: every quadrant
    assert quadrants.most_common(1)[0][1] < 0.45 * 600
    for r in random.Random(1).sample(rows, 40):
        a = score(survey, r.answers)
        assert r.quadrant == a.quadrant.value
        assert r.kann_score == a.axes[Axis.KANN].score and r.will_score == a.axes[Axis.WILL].score
        assert r.kann_passed == a.axes[Axis.KANN].passed and r.will_knockout == bool(
            a.axes[Axis.WILL].knockouts
        )
        break_even = a.criteria["break_even"]
        assert r.c_break_even == (break_even.score if break_even.answered else None)
        assert r.break_even_month == (a.breakeven.break_even_month if a.breakeven else None)
    # The counters: per survey, event and day, completions equal the stored responses, and every step
    # before has at least as many sessions as the one after it.
    per_day = Counter((r.event or "", r.day) for r in rows)
    steps: dict[tuple[str, date], dict[str, int]] = {}
    for c in counters:
        steps.setdefault((c.event, c.day), {})[c.step] = c.count
    assert {key: value["completed"] for key, value in steps.items()} == dict(per_day)
    order = ["started", *(f"step:{s.id}" for s in survey.ordered_sections), "calculator", "completed"]
    for value in steps.values():
        counts = [value[step] for step in order]
        assert counts == sorted(counts, reverse=True)
        assert counts[0] > counts[-1] or counts[-1] <= 1


def test_seeding_again_adds_and_never_collides(store, surveys):
    chosen = [surveys["trp-standard"], surveys["trp-classic"]]
    seed(store.engine, chosen, 150, seed=1, today=TODAY, pool=40)
    seed(store.engine, chosen, 150, seed=1, today=TODAY, pool=40)  # the same seed: new keys all the same
    with Session(store.engine) as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 300
        by_survey = dict(
            s.execute(select(Response.survey_id, func.count()).group_by(Response.survey_id)).all()
        )
        completed = s.scalar(select(func.sum(FunnelCounter.count)).where(FunnelCounter.step == "completed"))
    assert set(by_survey) == {"trp-standard", "trp-classic"}
    assert completed == 300


def test_the_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    runner = CliRunner()
    args = [
        "demo",
        "seed",
        "--responses",
        "120",
        "--survey",
        "trp-cloud",
        "--event",
        "expo-2025",
        "--days",
        "10",
    ]
    result = runner.invoke(main, [*args, "--seed", "3", "--url", url])
    assert result.exit_code == 0, result.output
    assert "120 responses" in result.stdout
    bad = runner.invoke(main, ["demo", "seed", "-n", "5", "--survey", "nope", "--url", url])
    assert bad.exit_code == 2 and "unknown survey nope" in bad.stderr
    bad = runner.invoke(main, ["demo", "seed", "-n", "5", "--event", "<script>", "--url", url])
    assert bad.exit_code == 2
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    bad = runner.invoke(main, ["demo", "seed", "-n", "5", "--url", f"sqlite:///{broken}"])
    assert bad.exit_code == 1 and "cannot seed the database" in bad.stderr
