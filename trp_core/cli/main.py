"""The `trp` command: validate and show surveys, score answer sets, run the calculation model."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from trp_core.files.surveys import load_survey
from trp_core.method import breakeven as be
from trp_core.method.survey import (
    ChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    Survey,
    SurveyError,
    TextQuestion,
    YesNoQuestion,
)
from trp_core.method.vocabulary import CRITERION_LABELS, Axis, Criterion

EXIT_SURVEY = 1  # a survey file is invalid
EXIT_INPUT = 2  # an answers or inputs file is invalid


def _fail(lines: list[str], code: int) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail([f"{path}: cannot read the file: {exc}"], EXIT_INPUT)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _fail([f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"], EXIT_INPUT)
    except ValueError:  # Python refuses integers of more than 4300 digits
        _fail([f"{path}: not valid JSON here: a number has too many digits"], EXIT_INPUT)
    except RecursionError:
        _fail([f"{path}: not valid JSON here: nested too deeply"], EXIT_INPUT)


def _load(path: Path) -> Survey:
    try:
        return load_survey(path)
    except SurveyError as exc:
        _fail([str(i) for i in exc.issues], EXIT_SURVEY)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """TRP Self-Check: tools for survey files, answer sets and the calculation model."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check survey files (or folders of them); print every problem as FILE:PATH: message.

    Exit code 0 when all are valid, 1 otherwise.
    """
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.glob("*.y*ml")) if p.is_dir() else [p])
    bad = 0
    seen: dict[str, Path] = {}
    for file in files:
        try:
            survey = load_survey(file)
        except SurveyError as exc:
            bad += 1
            for issue in exc.issues:
                click.echo(str(issue), err=True)
            continue
        if survey.id in seen:
            bad += 1
            click.echo(f"{file}:id: survey id {survey.id!r} is also used by {seen[survey.id]}", err=True)
            continue
        seen[survey.id] = file
        click.echo(
            f"{file}: ok ({survey.id} version {survey.version}, {len(survey.questions)} questions, "
            f"hash {survey.content_hash[:12]})"
        )
    if not files:
        _fail(["no survey files found"], EXIT_SURVEY)
    if bad:
        sys.exit(EXIT_SURVEY)


@main.command()
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

    survey = _load(survey_path)
    data = _read_json(answers_path)
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        _fail([f'{answers_path}: expected {{"survey": "<id>", "answers": {{...}}}}'], EXIT_INPUT)
    extra = sorted(set(data) - {"survey", "answers"})
    problems = [f"{k}: unknown key" for k in extra]
    survey_id = data.get("survey")
    if not isinstance(survey_id, str):
        problems.append("survey: missing or not a survey id")
        survey_id = None
    problems += check_answers(survey, data["answers"], survey_id)
    if problems:
        _fail([f"{answers_path}:{p}" for p in problems], EXIT_INPUT)
    _print_json(assess(survey, data["answers"]).model_dump(mode="json"))


@main.command()
@click.argument("inputs_path", metavar="INPUTS.json", type=click.Path(path_type=Path))
def breakeven(inputs_path: Path) -> None:
    """Run the calculation model (METHOD.md section 6) on an inputs file and print the result JSON.

    Exit code 2 when an input is missing or out of range (every problem listed).
    """
    data = _read_json(inputs_path)
    if not isinstance(data, dict):
        _fail([f"{inputs_path}: expected a JSON object of inputs"], EXIT_INPUT)
    result, problems = be.evaluate(data)
    if result is None:
        _fail([f"{inputs_path}:{p}" for p in problems], EXIT_INPUT)
    _print_json(result.model_dump(mode="json"))


@main.group()
def survey() -> None:
    """Look at survey files."""


@survey.command("show")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(["de", "en"]), default="en", show_default=True)
def survey_show(path: Path, lang: str) -> None:
    """Print a readable outline: sections, questions, points, weights, bands, thresholds."""
    s = _load(path)
    click.echo(outline(s, lang))


def outline(s: Survey, lang: str) -> str:
    """The survey as plain text, for people who adapt or review it."""
    out: list[str] = []
    add = out.append
    add(f"{s.title(lang)}  [{s.id} version {s.version}, hash {s.content_hash[:12]}]")
    add(s.description(lang))
    add("")
    add(
        f"Thresholds: kann {s.thresholds.kann:g}, will {s.thresholds.will:g}; minimum coverage "
        f"{s.min_coverage:g}; borderline band ±{s.borderline:g}; labels for partners: {s.labels}"
    )
    for axis in Axis:
        weights = [(c, w) for c, w in s.weights.items() if w > 0 and c.value in _axis_names(axis)]
        total = sum(w for _, w in weights)
        add(f"Weights {axis.value} (sum {total:g}): " + ", ".join(f"{c.value} {w:g}" for c, w in weights))
    unused = [c.value for c, w in s.weights.items() if w == 0]
    if unused:
        add("Not asked (weight 0): " + ", ".join(unused))
    for section in s.ordered_sections:
        add("")
        add(f"[{section.axis.value}] {section.title(lang)}  ({section.id})")
        for q in section.questions:
            add("  " + _question_line(q, lang))
            for detail in _question_details(q, lang):
                add("      " + detail)
    if s.calculator:
        c = s.calculator
        add("")
        add(f"[kann] {c.title(lang)}  (calculator, model {c.model.value})")
        bands = ", ".join(f"({x:g}, {p:g})" for x, p in c.effective_bands)
        add(f"  break_even: target {c.target_months} months, horizon {c.horizon_months}")
        add(f"  break_even bands (month, points): {bands}")
        for name, spec in c.inputs.items():
            how = (
                "fixed by the vendor"
                if spec.fixed
                else f"range {spec.min:g}–{spec.max:g}, step {spec.step:g}"
            )
            add(f"  {name} = {spec.default:g}  ({how})  {spec.help(lang)}")
        month = be.compute(c.default_inputs()).break_even_month
        add(f"  with the defaults: break-even in month {month if month else 'none within the horizon'}")
    if s.contact:
        add("")
        add(f"Contact: {s.contact.name} {s.contact.email or ''} {s.contact.url or ''}".rstrip())
    return "\n".join(out)


def _axis_names(axis: Axis) -> set[str]:
    from trp_core.method.vocabulary import AXIS_CRITERIA

    return {c.value for c in AXIS_CRITERIA[axis]}


def _question_line(q: Any, lang: str) -> str:
    if isinstance(q, TextQuestion):
        return f"{q.id} (text, not scored, up to {q.max_length} characters): {q.text(lang)}"
    flags = [f"weight {q.weight:g}"] if q.weight != 1 else []
    if q.dont_know:
        flags.append("don't know allowed")
    label = CRITERION_LABELS[Criterion(q.criterion)][lang]
    extra = f", {', '.join(flags)}" if flags else ""
    return f"{q.id} ({q.type} → {q.criterion.value} / {label}{extra}): {q.text(lang)}"


def _question_details(q: Any, lang: str) -> list[str]:
    if isinstance(q, ChoiceQuestion):
        return [
            f"- {o.id}: {o.points:g} points{' KNOCK-OUT' if o.knockout else ''}  {o.label(lang)}"
            for o in q.options
        ]
    if isinstance(q, ScaleQuestion):
        order = "reversed, " if q.reverse else ""
        return [
            f"1–{q.steps} ({order}{q.low(lang)} … {q.high(lang)}), points 100·(v−1)/(n−1)"
            if not q.reverse
            else f"1–{q.steps} ({order}{q.low(lang)} … {q.high(lang)}), points 100·(n−v)/(n−1)"
        ]
    if isinstance(q, NumberQuestion):
        unit = f" {q.unit(lang)}" if q.unit else ""
        lines = [
            f"range {q.min:g}–{q.max:g}{unit}; bands (x, points): "
            + ", ".join(f"({x:g}, {p:g})" for x, p in q.bands)
        ]
        if q.knockout_below is not None:
            lines.append(f"KNOCK-OUT below {q.knockout_below:g}{unit}")
        return lines
    if isinstance(q, YesNoQuestion):

        def side(name: str, b: Any) -> str:
            return f"{name} {b.points:g}{' KNOCK-OUT' if b.knockout else ''}"

        return [f"{side('yes', q.yes)}, {side('no', q.no)}"]
    return []


from trp_core.cli.admin import admin  # noqa: E402  (manager accounts)
from trp_core.cli.db import db  # noqa: E402  (the database commands live with the store)
from trp_core.cli.demo import demo  # noqa: E402  (synthetic responses)
from trp_core.cli.event import event  # noqa: E402  (kiosk mode at recruitment events)

main.add_command(db)
main.add_command(admin)
main.add_command(demo)
main.add_command(event)

if __name__ == "__main__":
    main()
