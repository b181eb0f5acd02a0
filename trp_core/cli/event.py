"""`trp event`: events and campaigns (tags) with their signed links, and the event file of the kiosk tablets
(check it, make a staff PIN hash)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trp_core.files.events import load_events
from trp_core.files.surveys import load_surveys
from trp_core.method.survey import SurveyError
from trp_core.settings import get_settings

_FILE = click.option(
    "--file",
    "events_file",
    type=click.Path(path_type=Path),
    default=None,
    help="The event file (default: TRP_EVENTS_FILE, or data/events.yaml).",
)


def _events(events_file: Path | None):
    path = events_file or get_settings().events_file
    if not path.exists():
        click.echo(f"{path}: no such event file", err=True)
        sys.exit(1)
    try:
        return load_events(path)
    except SurveyError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        sys.exit(1)


_DB = click.option(
    "--db-url", default=None, help="Database URL; default: TRP_DATABASE_URL, else data/trp.sqlite3."
)


def _engine(db_url: str | None):
    """An engine on a schema at this version's head: SQLite is migrated here (as the app does), PostgreSQL not."""
    from sqlalchemy.exc import SQLAlchemyError

    from trp_core.store import make_engine
    from trp_core.store.migrate import current_revision, head_revision, upgrade

    try:
        engine = make_engine(db_url)
        if current_revision(engine) != head_revision():
            if engine.dialect.name != "sqlite":
                shown = engine.url.render_as_string(hide_password=True)
                click.echo(
                    f"{shown}: the schema is not at revision {head_revision()}: run `trp db upgrade`",
                    err=True,
                )
                sys.exit(1)
            upgrade(engine)
    except (SQLAlchemyError, OSError) as exc:
        orig = getattr(exc, "orig", None) or exc
        click.echo(
            f"cannot use the database: {str(orig).splitlines()[0] if str(orig) else type(orig).__name__}",
            err=True,
        )
        sys.exit(1)
    return engine


def _file_events(events_file: Path | None):
    """The event file's events, or none when there is no file (a tag needs none)."""
    path = events_file or get_settings().events_file
    return _events(path) if path.exists() else {}


@click.group()
def event() -> None:
    """Events and campaigns (tags): their signed links and QR codes; the kiosk tablets' event file."""


@event.command("validate")
@_FILE
def validate(events_file: Path | None) -> None:
    """Check the event file and that each event's survey is published."""
    events = _events(events_file)
    surveys, _ = load_surveys(get_settings().surveys_dir)
    bad = False
    for slug, e in events.items():
        if e.survey not in surveys:
            click.echo(
                f"events.{slug}.survey: no valid survey {e.survey!r} in {get_settings().surveys_dir}",
                err=True,
            )
            bad = True
        else:
            click.echo(f"{slug}: ok ({e.name('en')}, survey {e.survey}, idle {e.idle_seconds} s)")
    sys.exit(1 if bad else 0)


@event.command("pin")
def pin() -> None:
    """Ask for a staff PIN and print its argon2id hash for the event file (staff_pin_hash)."""
    from trp_core.services.auth import HASHER

    value = click.prompt("Staff PIN", hide_input=True, confirmation_prompt=True)
    if len(value) < 4:
        click.echo("a staff PIN has at least 4 characters", err=True)
        sys.exit(1)
    click.echo(HASHER.hash(value))


@event.command("create")
@click.argument("name")
@click.option("--survey", required=True, help="The id of the survey the link opens.")
@click.option("--kind", type=click.Choice(["event", "campaign"]), default="event", show_default=True)
@click.option("--slug", default=None, help="The tag in the address; default: made from the name.")
@click.option("--lang", type=click.Choice(["de", "en"]), default=None, help="The link's language.")
@click.option("--starts", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (YYYY-MM-DD).")
@click.option("--ends", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day (YYYY-MM-DD).")
@_DB
def create(
    name: str, survey: str, kind: str, slug: str | None, lang: str | None, starts, ends, db_url: str | None
) -> None:
    """Make an event or campaign and print its signed link."""
    from trp_core.services import tags

    surveys, _ = load_surveys(get_settings().surveys_dir)
    engine = _engine(db_url)
    try:
        row = tags.create(
            engine, kind=kind, name=name, survey=survey, surveys=surveys, slug=slug, lang=lang,
            starts_on=starts.date() if starts else None, ends_on=ends.date() if ends else None,
        )  # fmt: skip
    except tags.TagProblem as problem:
        reasons = {
            "name": "a name has 1 to 120 characters",
            "slug": "a slug has 2 to 64 lower-case letters, digits or hyphens, starting with a letter or digit",
            "taken": f"the slug {slug or name!r} is taken; give another with --slug",
            "survey": f"no valid survey {survey!r} in {get_settings().surveys_dir}",
            "dates": "the last day comes before the first",
        }
        click.echo(reasons.get(problem.code, problem.code), err=True)
        sys.exit(2)
    click.echo(tags.link(engine, row, get_settings().public_url))


@event.command("list")
@_DB
@_FILE
def list_tags(db_url: str | None, events_file: Path | None) -> None:
    """Every event and campaign: slug, kind, status, survey, first and last day, name."""
    from trp_core.services import tags

    engine = _engine(db_url)
    tags.adopt(engine, _file_events(events_file))
    for row in tags.all_tags(engine):
        days = f"{row.starts_on or '-'}..{row.ends_on or '-'}"
        click.echo(f"{row.slug}\t{row.kind}\t{tags.status(row).value}\t{row.survey_id}\t{days}\t{row.name}")


@event.command("end")
@click.argument("slug")
@_DB
def end(slug: str, db_url: str | None) -> None:
    """End an event or campaign now: its links tag nothing from then on."""
    from trp_core.services import tags

    engine = _engine(db_url)
    if tags.find(engine, slug) is None:
        click.echo(f"no event or campaign {slug!r}", err=True)
        sys.exit(1)
    tags.end(engine, slug)
    click.echo(f"{slug}: ended")


@event.command("link")
@click.argument("slug")
@_FILE
@click.option("--url", default=None, help="The app's address as visitors reach it (default: TRP_PUBLIC_URL).")
@click.option(
    "--kiosk/--partner",
    default=None,
    help="The tablets' kiosk link or the partners' link; default: kiosk for an event of the event file.",
)
@click.option(
    "--qr", type=click.Path(path_type=Path), default=None, help="Also write a QR code (.png or .svg)."
)
@_DB
def link(
    slug: str,
    events_file: Path | None,
    url: str | None,
    kiosk: bool | None,
    qr: Path | None,
    db_url: str | None,
) -> None:
    """Print the signed link of an event or campaign (and write it as a QR code)."""
    from trp_core.services import tags

    events = _file_events(events_file)
    engine = _engine(db_url)
    tags.adopt(engine, events)
    row = tags.find(engine, slug)
    if row is None:
        known = ", ".join(t.slug for t in tags.all_tags(engine)) or "none"
        click.echo(f"no event or campaign {slug!r}; there are: {known}", err=True)
        sys.exit(1)
    if kiosk and slug not in events:
        click.echo(f"{slug!r} has no tablet settings in the event file: a kiosk link needs them", err=True)
        sys.exit(1)
    as_kiosk = slug in events if kiosk is None else kiosk
    address = tags.link(engine, row, url or get_settings().public_url, kiosk=as_kiosk)
    if tags.status(row) not in (tags.TagStatus.OPEN, tags.TagStatus.UPCOMING):
        click.echo(f"note: {slug!r} is {tags.status(row).value}; its link tags nothing", err=True)
    click.echo(address)
    if qr is not None:
        import segno

        segno.make(address, error="m").save(str(qr), scale=8, border=4)
        click.echo(f"QR code written to {qr}")
