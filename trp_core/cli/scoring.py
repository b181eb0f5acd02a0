"""`trp score` and `trp breakeven`: an answers file scored, the calculation model run, as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from trp_core.cli.common import EXIT_INPUT, fail, load_survey_or_exit
from trp_core.method import breakeven as be


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read the file: {exc}", code=EXIT_INPUT)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", code=EXIT_INPUT)
    except ValueError:  # Python refuses integers of more than 4300 digits
        fail(f"{path}: not valid JSON here: a number has too many digits", code=EXIT_INPUT)
    except RecursionError:
        fail(f"{path}: not valid JSON here: nested too deeply", code=EXIT_INPUT)


@click.command()
@click.option(
    "--survey", "survey_path", required=True, type=click.Path(path_type=Path), help="The survey file."
)
@click.argument("answers_path", metavar="ANSWERS.json", type=click.Path(path_type=Path))
def score(survey_path: Path, answers_path: Path) -> None:
    """Score an answers file and print the Assessment JSON (METHOD.md section 7).

    Exit code 1 for an invalid survey file, 2 for an invalid answers file (every problem listed).
    """
    from trp_core.method.levers import assess
    from trp_core.method.scoring import check_answers

    survey = load_survey_or_exit(survey_path)
    data = _read_json(answers_path)
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        fail(f'{answers_path}: expected {{"survey": "<id>", "answers": {{...}}}}', code=EXIT_INPUT)
    extra = sorted(set(data) - {"survey", "answers"})
    problems = [f"{k}: unknown key" for k in extra]
    survey_id = data.get("survey")
    if not isinstance(survey_id, str):
        problems.append("survey: missing or not a survey id")
        survey_id = None
    problems += check_answers(survey, data["answers"], survey_id)
    if problems:
        fail(*(f"{answers_path}:{p}" for p in problems), code=EXIT_INPUT)
    _print_json(assess(survey, data["answers"]).model_dump(mode="json"))


@click.command()
@click.argument("inputs_path", metavar="INPUTS.json", type=click.Path(path_type=Path))
def breakeven(inputs_path: Path) -> None:
    """Run the calculation model (METHOD.md section 6) on an inputs file and print the result JSON.

    Exit code 2 when an input is missing or out of range (every problem listed).
    """
    data = _read_json(inputs_path)
    if not isinstance(data, dict):
        fail(f"{inputs_path}: expected a JSON object of inputs", code=EXIT_INPUT)
    result, problems = be.evaluate(data)
    if result is None:
        fail(*(f"{inputs_path}:{p}" for p in problems), code=EXIT_INPUT)
    _print_json(result.model_dump(mode="json"))
