"""`trp score` and `trp breakeven`: answers files scored, the calculation model run, as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import click

from trp_core.cli.common import EXIT_INPUT, fail, load_survey_or_exit
from trp_core.method import breakeven as be
from trp_core.method.survey import Survey


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


STDIN: Final = "-"


def _answer_sets(paths: tuple[Path, ...]) -> Iterator[tuple[str, Any]]:
    """(where, parsed data) of each answer set: a file holds one; standard input one per line."""
    for path in paths:
        if str(path) != STDIN:
            yield str(path), _read_json(path)
            continue
        for number, line in enumerate(click.get_text_stream("stdin"), start=1):
            if line.strip():
                yield f"<stdin>:{number}", _parse_line(line)


class _BadLine:
    """A line of standard input that is not JSON: its problem, reported with the others."""

    def __init__(self, problem: str):
        self.problem = problem


def _parse_line(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return _BadLine(f"not valid JSON: {exc.msg} (column {exc.colno})")
    except (ValueError, RecursionError):
        return _BadLine("not valid JSON here: a number has too many digits or it is nested too deeply")


def _problems(survey: Survey, data: Any) -> list[str]:
    """Every problem of one parsed answer set, each "<path in the set>: <message>" (the whole set: an
    empty path); none when it can be scored."""
    from trp_core.method.scoring import check_answers

    if isinstance(data, _BadLine):
        return [f" {data.problem}"]
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        return [' expected {"survey": "<id>", "answers": {...}}']
    problems = [f"{k}: unknown key" for k in sorted(set(data) - {"survey", "answers"})]
    survey_id = data.get("survey")
    if not isinstance(survey_id, str):
        problems.append("survey: missing or not a survey id")
        survey_id = None
    return problems + check_answers(survey, data["answers"], survey_id)


@click.command()
@click.option(
    "--survey", "survey_path", required=True, type=click.Path(path_type=Path), help="The survey file."
)
@click.argument(
    "answers_paths", metavar="ANSWERS.json...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
def score(survey_path: Path, answers_paths: tuple[Path, ...]) -> None:
    """Score answers files and print the Assessment JSON (METHOD.md section 7).

    One file: the Assessment, indented. Several files, or `-` for JSON Lines on standard input
    (one answers object per line): one Assessment per line (JSON Lines), in the order given, all
    in one process. Every answer set is checked before any is scored. Exit code 1 for an invalid
    survey file, 2 for an invalid answers file or line (every problem listed, nothing printed).
    """
    from trp_core.method.levers import assess
    from trp_core.method.vocabulary import METHOD_VERSION

    survey = load_survey_or_exit(survey_path)
    sets = list(_answer_sets(answers_paths))
    problems = [f"{where}:{p}" for where, data in sets for p in _problems(survey, data)]
    if problems:
        fail(*problems, code=EXIT_INPUT)
    one = len(answers_paths) == 1 and str(answers_paths[0]) != STDIN
    for _, data in sets:
        result = assess(survey, data["answers"]).model_dump(mode="json") | {"method": METHOD_VERSION}
        if one:
            _print_json(result)
        else:
            click.echo(json.dumps(result, ensure_ascii=False, separators=(",", ":")))


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
