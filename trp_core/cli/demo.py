"""`trp demo seed`: synthetic responses in the database (the seeding itself: trp_core.services.demo)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

import click

from trp_core.files.surveys import load_surveys
from trp_core.method.survey import SurveyError
from trp_core.services.demo import seed

EXIT_USAGE: Final = 2
EXIT_DATABASE: Final = 1


def _events(values: tuple[str, ...]) -> list[str | None]:
    from trp_core.method.tags import is_slug

    out: list[str | None] = []
    for v in values:
        if not is_slug(v):
            raise click.BadParameter(
                f"{v!r}: an event slug has 2 to 64 lower-case letters, digits or hyphens, "
                "starting with a letter or digit"
            )
        out.append(v)
    return out or [None]


@click.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("seed")
@click.option(
    "--responses", "-n", type=click.IntRange(1, 10_000_000), required=True, help="How many responses."
)
@click.option("--survey", "survey_ids", multiple=True, help="Survey id (repeatable); default: every survey.")
@click.option(
    "--event",
    "event_slugs",
    multiple=True,
    help="Event tag (repeatable), made as a tag when there is none; default: none.",
)
@click.option(
    "--days",
    type=click.IntRange(0, 3650),
    default=180,
    show_default=True,
    help="Spread over the last D days.",
)
@click.option("--seed", "seed_value", type=int, default=None, help="Random seed, for the same data again.")
@click.option("--surveys-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the survey files are; default: TRP_SURVEYS_DIR, else surveys/.")  # fmt: skip
@click.option("--url", default=None, help="Database URL; default: TRP_DATABASE_URL, else data/trp.sqlite3.")
def seed_command(
    responses: int,
    survey_ids: tuple[str, ...],
    event_slugs: tuple[str, ...],
    days: int,
    seed_value: int | None,
    surveys_dir: Path | None,
    url: str | None,
) -> None:
    """Store N synthetic responses, scored by the core, with funnel counters to match.

    Every row gets its own random id, submission key and result code hash, so running the
    command again adds more responses and never collides with earlier ones.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from trp_core.services.results import StoreUnavailable
    from trp_core.settings import get_settings
    from trp_core.store import make_engine, upgrade

    events = _events(event_slugs)
    found, issues = load_surveys(surveys_dir or get_settings().surveys_dir)
    wanted = list(survey_ids) or sorted(found)
    unknown = [s for s in wanted if s not in found]
    if unknown or not wanted:
        known = ", ".join(sorted(found)) or "none"
        click.echo(
            f"unknown survey {', '.join(unknown) or '(none found)'}; the surveys are: {known}", err=True
        )
        for issue in issues:
            click.echo(str(issue), err=True)
        sys.exit(EXIT_USAGE)
    surveys = [found[s] for s in wanted]
    try:
        engine = make_engine(url)
        upgrade(engine)

        def progress(done: int) -> None:
            click.echo(f"\r{done:,} of {responses:,}", nl=False, err=True)

        result = seed(
            engine, surveys, responses, events=events, days=days, seed=seed_value, progress=progress
        )
    except (SQLAlchemyError, SurveyError, OSError, StoreUnavailable) as exc:
        orig = getattr(exc, "orig", None) or exc.__cause__ or exc
        click.echo(
            f"\ncannot seed the database: {str(orig).splitlines()[0] if str(orig) else type(orig).__name__}",
            err=True,
        )
        sys.exit(EXIT_DATABASE)
    click.echo("", err=True)
    mix = ", ".join(f"{q} {n:,}" for q, n in sorted(result.quadrants.items()))
    click.echo(
        f"{result.responses:,} responses in {result.seconds:.1f} s "
        f"({result.responses / max(result.seconds, 1e-9):,.0f}/s): {mix}"
    )
