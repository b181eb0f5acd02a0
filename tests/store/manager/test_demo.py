"""`trp demo seed`: synthetic responses scored by the core, with funnel counters to match."""

from __future__ import annotations

import hashlib
import json
import random
import re
import uuid
from collections import Counter
from datetime import date, timedelta

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trp_core.cli.main import main
from trp_core.method.codes import code_hash, normalize
from trp_core.method.scoring import check_answers, score
from trp_core.method.vocabulary import Axis, Quadrant
from trp_core.services.demo import random_ids, result_codes, seed
from trp_core.services.submit import Submission, submit
from trp_core.store.models import FunnelCounter, Response
from trp_core.store.repository import SCORED_COLUMNS, scored_columns

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
    for r in rows:  # every row: the many-responses path stores what `score` gives a submission
        assert check_answers(survey, r.answers, survey.id) == []
        assert {c: getattr(r, c) for c in SCORED_COLUMNS} == scored_columns(score(survey, r.answers))
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
    # Each counter's key sum (the cell-key method), of its sessions' random keys, modulo 256.
    assert all(0 <= c.keys <= 255 for c in counters) and len({c.keys for c in counters}) > 50


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


UUID4_HEX = re.compile(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}")


def test_a_seeded_row_has_the_shape_of_a_submitted_one(store, surveys):
    """Column by column, as the database driver returns it, a seeded row equals the row that
    submitting the same answers stores; only its own id, submission key, result code, record key and
    day differ."""
    survey = surveys["trp-standard"]
    seed(store.engine, [survey], 300, events=["expo"], days=0, seed=5)
    with store.engine.connect() as conn:
        seeded = [dict(r._mapping) for r in conn.exec_driver_sql("SELECT * FROM responses")]

    # Free text with an umlaut and a calculator figure typed: the JSON as the store writes it.
    def answers_of(row: dict) -> dict:
        return row["answers"] if isinstance(row["answers"], dict) else json.loads(row["answers"])

    chosen = [r for r in seeded if "ü" in str(answers_of(r)) and r["break_even_month"] is not None][:3]
    chosen += [r for r in seeded if r["quadrant"] == "undetermined"][:2]
    assert len(chosen) == 5
    for row in chosen:
        answers = answers_of(row)
        key = uuid.uuid4().hex
        submit(survey, answers, Submission(key, result_codes(1)[0], ""), lang=row["lang"], event="expo",
               store=lambda: store)  # fmt: skip
        with store.engine.connect() as conn:
            (submitted,) = [
                dict(r._mapping)
                for r in conn.exec_driver_sql(f"SELECT * FROM responses WHERE submission_key = '{key}'")
            ]
        own = {"id", "submission_key", "code_hash", "record_key"}
        assert 0 <= row["record_key"] <= 255 and 0 <= submitted["record_key"] <= 255
        assert {k: v for k, v in row.items() if k not in own} == {
            k: v for k, v in submitted.items() if k not in own
        }
        assert {k: type(v) for k, v in row.items()} == {k: type(v) for k, v in submitted.items()}
        for name in ("id", "submission_key"):
            assert UUID4_HEX.fullmatch(row[name]) and UUID4_HEX.fullmatch(submitted[name])
        assert re.fullmatch(r"[0-9a-f]{64}", row["code_hash"])


def test_seeded_ids_and_result_codes_are_those_of_submissions():
    ids = random_ids(2000)
    assert len(set(ids)) == 2000
    assert all(uuid.UUID(i).version == 4 and uuid.UUID(i).hex == i and UUID4_HEX.fullmatch(i) for i in ids)
    codes = result_codes(2000)
    assert len(set(codes)) == 2000
    for code in codes:  # each a code that opens its result: canonical, and hashed as the store hashes it
        assert normalize(code) == code
        assert hashlib.sha256(code.encode("ascii")).hexdigest() == code_hash(code)
    # 80 random bits: every character of the alphabet turns up at every position.
    assert all(len({c[i] for c in codes}) == 32 for i in range(19) if i % 5 != 4)
