"""The `trp` command as a user runs it: real processes, real files, exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUNDLED, ROOT, WORKED, WORKED_ANSWERS
from tests.unit.test_breakeven import EXAMPLE_A, EXAMPLE_B
from trp_core.method.vocabulary import METHOD_VERSION

TRP = [sys.executable, "-m", "trp_core.cli"]


def trp(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TRP, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=60, input=stdin
    )


def write_json(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    "args",
    [[], ["validate"], ["score"], ["breakeven"], ["survey"], ["survey", "show"], ["db", "rescore"]],
    ids=lambda a: " ".join(a) or "trp",
)
def test_help_on_every_command(args):
    result = trp(*args, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout


def test_validate_bundled_surveys():
    result = trp("validate", *BUNDLED, WORKED)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok (") == len(BUNDLED) + 1


def test_validate_reports_every_bad_file_and_fails(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n  broken: [")
    result = trp("validate", WORKED, bad)
    assert result.returncode == 1
    assert f"{bad}:" in result.stderr and "YAML syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_score_reproduces_the_worked_example():
    result = trp("score", "--survey", WORKED, WORKED_ANSWERS)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"survey", "quadrant", "axes", "criteria", "breakeven", "levers", "method"}
    assert data["method"] == METHOD_VERSION
    assert data["quadrant"] == "kandidat"
    assert data["axes"]["kann"]["score"] == 66.7 and data["axes"]["will"]["score"] == 20.0
    assert data["axes"]["will"]["knockouts"] == ["rank"]
    assert set(data["axes"]["kann"]) == {
        "score", "coverage", "threshold", "determined", "passed", "borderline", "knockouts", "unconfirmed",
    }  # fmt: skip
    assert data["criteria"]["reputation"] == {"axis": "kann", "weight": 1.0, "score": 0.0, "answered": False}
    assert data["breakeven"]["break_even_month"] == 12
    assert data["breakeven"]["required_deals_per_month"] == 2.9
    assert data["levers"]["will"]["steps"][0]["question"] == "rank"
    assert data["levers"]["will"]["steps"][1]["question"] == "realistic"


def test_score_lists_every_answer_problem(tmp_path):
    answers = write_json(
        tmp_path,
        "a.json",
        {"survey": "other", "answers": {"nope": 1, "know_how": 7, "customers": -2, "addressable": "x"}},
    )
    result = trp("score", "--survey", WORKED, answers)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 5, lines
    assert all(line.startswith(f"{answers}:") for line in lines)
    assert "Traceback" not in result.stderr


def _other_answers() -> dict:
    data = json.loads(WORKED_ANSWERS.read_text())
    return {"survey": data["survey"], "answers": {**data["answers"], "rank": "top3", "know_how": 5}}


def test_score_prints_one_assessment_per_line_for_several_files(tmp_path):
    other = write_json(tmp_path, "b.json", _other_answers())
    one = json.loads(trp("score", "--survey", WORKED, WORKED_ANSWERS).stdout)
    two = json.loads(trp("score", "--survey", WORKED, other).stdout)
    assert one != two
    result = trp("score", "--survey", WORKED, WORKED_ANSWERS, other, WORKED_ANSWERS)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [json.loads(line) for line in lines] == [one, two, one], "JSON Lines, in the order given"


def test_score_reads_json_lines_on_standard_input(tmp_path):
    sets = [json.loads(WORKED_ANSWERS.read_text()), _other_answers()]
    stdin = "\n".join(json.dumps(s) for s in sets) + "\n\n"  # a blank line is no answer set
    result = trp("score", "--survey", WORKED, "-", stdin=stdin)
    assert result.returncode == 0, result.stderr
    expected = [json.loads(trp("score", "--survey", WORKED, write_json(tmp_path, f"{i}.json", s)).stdout)
                for i, s in enumerate(sets)]  # fmt: skip
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected
    single = trp("score", "--survey", WORKED, "-", stdin=json.dumps(sets[0]))
    assert single.returncode == 0 and single.stdout.count("\n") == 1, "standard input: always JSON Lines"
    both = trp("score", "--survey", WORKED, WORKED_ANSWERS, "-", stdin=json.dumps(sets[1]))
    assert [json.loads(line) for line in both.stdout.splitlines()] == expected


def test_score_lists_the_problems_of_every_line_and_prints_nothing(tmp_path):
    good = json.dumps(json.loads(WORKED_ANSWERS.read_text()))
    stdin = "\n".join([good, "{not json", good, '{"survey": "worked-example", "answers": {"know_how": 9}}'])
    result = trp("score", "--survey", WORKED, WORKED_ANSWERS, "-", stdin=stdin)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("<stdin>:2: not valid JSON") and lines[1].startswith(
        "<stdin>:4:answers.know_how"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"survey": "worked-example"}'])
def test_score_rejects_malformed_answers_files(tmp_path, content):
    path = tmp_path / "a.json"
    path.write_text(content)
    result = trp("score", "--survey", WORKED, path)
    assert result.returncode == 2 and str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_score_with_an_invalid_survey_exits_1(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("")
    result = trp("score", "--survey", bad, WORKED_ANSWERS)
    assert result.returncode == 1 and "the file is empty" in result.stderr


@pytest.mark.parametrize(("inputs", "month", "roi"), [(EXAMPLE_A, 12, 0.0654), (EXAMPLE_B, 8, 0.5648)])
def test_breakeven_examples(tmp_path, inputs, month, roi):
    result = trp("breakeven", write_json(tmp_path, "in.json", inputs))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "break_even_month",
        "roi_12",
        "required_deals_per_month",
        "cumulative",
        "gross_profit",
    }
    assert data["break_even_month"] == month and round(data["roi_12"], 4) == roi


def test_breakeven_names_bad_inputs(tmp_path):
    bad = {**EXAMPLE_B, "investment": -5, "margin": 1.5, "first_deal_month": 0}
    del bad["deal_value"]
    result = trp("breakeven", write_json(tmp_path, "in.json", bad))
    assert result.returncode == 2
    for name in (
        "investment: must not be negative",
        "margin: must be a fraction",
        "first_deal_month",
        "deal_value",
    ):
        assert name in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("lang", ["en", "de"])
def test_survey_show_outlines_weights_bands_and_thresholds(lang):
    result = trp("survey", "show", WORKED, "--lang", lang)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Thresholds: kann 60, will 60" in out
    assert "customer_base 2" in out and "break_even 2" in out
    assert "(0, 0), (25, 40), (100, 80), (500, 100)" in out
    assert "KNOCK-OUT" in out
    assert "break-even in month 12" in out
    assert ("Aktive Kunden" in out) == (lang == "de")
