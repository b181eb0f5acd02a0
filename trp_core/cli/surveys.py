"""`trp validate` and `trp survey show`: check survey files and print them as a readable outline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from trp_core.cli.common import EXIT_SURVEY, fail, load_survey_or_exit
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
from trp_core.method.vocabulary import Axis, Criterion
from trp_core.presentation.labels import criterion_label


@click.command()
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
        if survey.calculator:
            for name, spec in survey.calculator.inputs.items():
                if spec.from_question:
                    click.echo(f"  calculator.{name} is filled from the answer to {spec.from_question}")
    if not files:
        fail("no survey files found", code=EXIT_SURVEY)
    if bad:
        sys.exit(EXIT_SURVEY)


@click.group()
def survey() -> None:
    """Look at survey files."""


@survey.command("show")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(["de", "en"]), default="en", show_default=True)
def survey_show(path: Path, lang: str) -> None:
    """Print a readable outline: sections, questions, points, weights, bands, thresholds."""
    s = load_survey_or_exit(path)
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
    label = criterion_label(Criterion(q.criterion), lang)
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
