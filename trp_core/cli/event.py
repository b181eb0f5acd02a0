"""`trp event`: check an event file, make a staff PIN hash, print a tablet's kiosk link as a QR code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trp_core.files.events import kiosk_link, load_events
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


@click.group()
def event() -> None:
    """Recruitment events: kiosk mode for shared tablets."""


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


@event.command("link")
@click.argument("slug")
@_FILE
@click.option(
    "--url", default=None, help="The app's address as the tablets reach it (default: TRP_PUBLIC_URL)."
)
@click.option("--lang", type=click.Choice(["de", "en"]), default=None)
@click.option(
    "--qr", type=click.Path(path_type=Path), default=None, help="Also write a QR code (.png or .svg)."
)
def link(slug: str, events_file: Path | None, url: str | None, lang: str | None, qr: Path | None) -> None:
    """Print the kiosk link of an event (and write it as a QR code to open on the tablets)."""
    events = _events(events_file)
    if slug not in events:
        click.echo(f"no event {slug!r}; the events are: {', '.join(events)}", err=True)
        sys.exit(1)
    address = kiosk_link(url or get_settings().public_url, events[slug], lang)
    click.echo(address)
    if qr is not None:
        import segno

        segno.make(address, error="m").save(str(qr), scale=8, border=4)
        click.echo(f"QR code written to {qr}")
