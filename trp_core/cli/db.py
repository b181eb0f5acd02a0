"""`trp db`: bring the database schema up to date, re-score the stored responses under this version's
method, show the revision, back the database up and restore it.

SQLAlchemy and Alembic are imported inside the commands, so the other `trp` commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from trp_core.cli.common import (
    EXIT_DATABASE,
    database,
    fail,
    missing_sqlite_file,
    parse_url,
    reason,
    url_option,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

    from trp_core.services.rescore import Rescored

BATCH_DEFAULT: Final = 1000
BATCH_HELP: Final = "Responses re-scored per transaction; a stopped run loses at most one batch."


@click.group()
def db() -> None:
    """The database: schema migrations, backup and restore (SQLite or PostgreSQL)."""


@db.command("upgrade")
@url_option
def db_upgrade(url: str | None) -> None:
    """Create or update the schema to this version's newest revision, then re-score the responses
    scored with an older method version (as `trp db rescore` does).

    The app does this itself on SQLite; on PostgreSQL run it once per release, before the
    app replicas start. Running it again does nothing. Exit code 1 when the database cannot
    be used.
    """
    from trp_core.store.migrate import current_revision, head_revision, upgrade

    with database(parse_url(url)) as (engine, shown):
        before = current_revision(engine)
        upgrade(engine)
        head = head_revision()
        if before == head:
            click.echo(f"{shown}: already at revision {head} (head)")
        else:
            click.echo(f"{shown}: upgraded from revision {before or 'none'} to {head} (head)")
        _rescore(engine, shown, everything=False, batch=BATCH_DEFAULT)


@db.command("rescore")
@url_option
@click.option(
    "--all", "everything", is_flag=True, help="Re-score every response, not only those of an older method."
)
@click.option(
    "--batch", type=click.IntRange(min=1), default=BATCH_DEFAULT, show_default=True, help=BATCH_HELP
)
def db_rescore(url: str | None, everything: bool, batch: int) -> None:
    """Re-score the stored responses under this version's method (METHOD.md section 4).

    Each response scored with an older method version (with --all: every response) is scored
    again from its answers and the survey snapshot it was scored with, and every stored score
    and its method version are updated. Each batch is committed on its own, so a stopped run
    continues where it stopped; running it again changes nothing. Progress goes to standard
    error. `trp db upgrade` runs this after the migrations. Exit code 1 when the database cannot
    be used or its schema is not up to date.
    """
    from trp_core.store.migrate import current_revision, head_revision

    parsed = parse_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if missing_sqlite_file(parsed):
        fail(f"{shown}: no database file; `trp db upgrade` creates it", code=EXIT_DATABASE)
    with database(parsed) as (engine, shown):
        current, head = current_revision(engine), head_revision()
        if current != head:
            fail(
                f"{shown}: the schema is at revision {current or 'none'}, not {head}: "
                "run `trp db upgrade` (it re-scores too)",
                code=EXIT_DATABASE,
            )
        _rescore(engine, shown, everything=everything, batch=batch)


def _rescore(engine: Engine, shown: str, *, everything: bool, batch: int) -> Rescored:
    """Re-score, with the progress on standard error (about every percent) and the outcome on standard output."""
    from trp_core.services.rescore import rescore_responses
    from trp_core.store import Store

    shown_percent = -1

    def progress(seen: int, total: int) -> None:
        nonlocal shown_percent
        percent = seen * 100 // total
        if percent > shown_percent or seen == total:
            shown_percent = percent
            click.echo(f"re-scoring: {seen:,} of {total:,} responses ({percent}%)", err=True)

    done = rescore_responses(Store(engine), everything=everything, batch=batch, progress=progress)
    version = done.method_version
    if done.seen == 0:
        click.echo(f"{shown}: every response is scored with method version {version}")
    else:
        click.echo(
            f"{shown}: {done.rescored:,} of {done.seen:,} responses re-scored under method version {version}"
            f" ({done.unchanged:,} already right)"
        )
    if done.skipped:
        click.echo(
            f"{shown}: {done.skipped:,} responses cannot be scored any more (their survey snapshot or "
            "answers are invalid); they keep their old method version and stay out of every figure",
            err=True,
        )
    return done


@db.command("rollups")
@url_option
@click.option("--check", "what", flag_value="check", default=True, help="Compare with a recount (default).")
@click.option("--rebuild", "what", flag_value="rebuild", help="Count them afresh from the responses.")
def db_rollups(url: str | None, what: str) -> None:
    """The dashboard's roll-ups: check them against a recount from the stored responses, or count them
    afresh (each survey version with the thresholds of its newest stored content).

    They are kept as responses are stored, re-scored or seeded; --rebuild is needed only after a
    survey's thresholds changed without a new version (until then the dashboard reads that version's
    heat map and keep-out counts from the responses). Exit code 1 when the check finds a difference
    or the database cannot be used.
    """
    from trp_core.store import rollups
    from trp_core.store.migrate import current_revision, head_revision

    parsed = parse_url(url)
    if missing_sqlite_file(parsed):
        fail(f"{parsed.render_as_string(hide_password=True)}: no database file", code=EXIT_DATABASE)
    with database(parsed) as (engine, shown):
        if current_revision(engine) != head_revision():
            fail(f"{shown}: the schema is not up to date: run `trp db upgrade`", code=EXIT_DATABASE)
        if what == "rebuild":
            versions = rollups.rebuild(engine)
            click.echo(f"{shown}: roll-ups counted afresh for {versions:,} survey versions")
            return
        checked = rollups.check(engine)
        for survey_id, version in checked.uncovered:
            click.echo(f"{shown}: {survey_id} {version} is not in the roll-ups (read from the responses)")
        for (survey_id, version), (counted, newest) in checked.stale.items():
            click.echo(
                f"{shown}: {survey_id} {version}: counted with thresholds {counted}, its newest content has "
                f"{newest}; `trp db rollups --rebuild` counts them anew"
            )
        for d in checked.differences[:20]:
            click.echo(f"{shown}: {d.table} {d.key}: stored {d.stored}, recounted {d.counted}", err=True)
        if not checked.ok:
            fail(
                f"{shown}: {len(checked.differences):,} roll-up rows differ from a recount; "
                "`trp db rollups --rebuild` counts them anew",
                code=1,
            )
        click.echo(f"{shown}: the roll-ups equal a recount from the responses")


@db.command("current")
@url_option
def db_current(url: str | None) -> None:
    """Show the schema revision of the database and whether it is up to date."""
    from trp_core.store.migrate import current_revision, head_revision, revisions

    parsed = parse_url(url)
    if missing_sqlite_file(parsed):
        shown = parsed.render_as_string(hide_password=True)
        click.echo(f"{shown}: no database file yet; `trp db upgrade` creates it")
        return
    with database(parsed) as (engine, shown):
        current, head = current_revision(engine), head_revision()
        if current is None:
            click.echo(f"{shown}: empty (no schema yet); run `trp db upgrade`")
        elif current == head:
            click.echo(f"{shown}: revision {current} (head)")
        elif current not in revisions():
            click.echo(
                f"{shown}: revision {current}, from a newer version of TRP Self-Check (head here: {head})"
            )
        else:
            click.echo(f"{shown}: revision {current}; this version's head is {head}: run `trp db upgrade`")


def _run_backup(action: Callable[[], Any], parsed: URL) -> Any:
    """Run a backup or restore; every failure becomes one line (exit 1, or 2 when refused)."""
    from sqlalchemy.exc import NoSuchModuleError, SQLAlchemyError

    from trp_core.store.backup import BackupError

    shown = parsed.render_as_string(hide_password=True)
    try:
        return action()
    except BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(exc.code)
    except (NoSuchModuleError, ImportError) as exc:
        fail(f"{shown}: no driver for this kind of database ({reason(exc)})", code=EXIT_DATABASE)
    except SQLAlchemyError as exc:
        fail(f"{shown}: cannot use the database: {reason(exc)}", code=EXIT_DATABASE)
    except OSError as exc:
        fail(f"{exc.filename or shown}: {exc.strerror or exc}", code=EXIT_DATABASE)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


@db.command("backup")
@click.argument("file", type=click.Path(path_type=Path))
@url_option
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def db_backup(file: Path, url: str | None, force: bool) -> None:
    """Write a consistent backup of the database to FILE, also while the app runs.

    SQLite: the online backup API, checked with PRAGMA integrity_check; FILE is a SQLite
    database. PostgreSQL: pg_dump --format=custom (the client tools of the server's version
    must be installed). Exit code 1 when the database or a tool fails, 2 when refused.
    """
    from trp_core.store.backup import backup

    parsed = parse_url(url)
    done = _run_backup(lambda: backup(parsed, file, force=force), parsed)
    shown = parsed.render_as_string(hide_password=True)
    click.echo(
        f"{shown}: backed up to {done.file} ({_size(done.size)}, {done.responses:,} responses, "
        f"schema revision {done.revision})"
    )


@db.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@url_option
@click.option(
    "--force",
    is_flag=True,
    help="Replace a database that holds data (SQLite keeps it next to itself as NAME.replaced-N).",
)
def db_restore(file: Path, url: str | None, force: bool) -> None:
    """Restore the backup FILE (from `trp db backup`) into the database.

    A database that holds data is replaced only with --force. SQLite: the backup is checked,
    brought to this version's schema, and copied in with the online backup API; the database
    it replaces is kept next to it. PostgreSQL: pg_restore --clean --if-exists --no-owner in a
    single transaction into an existing database (createdb it first). A restored database at this
    version's schema then has its responses re-scored as `trp db rescore` does. Exit code 1 when the
    database or a tool fails, 2 when refused (FILE is not a usable backup, or --force is missing).
    """
    from trp_core.store.backup import restore

    parsed = parse_url(url)
    done = _run_backup(lambda: restore(parsed, file, force=force), parsed)
    shown = parsed.render_as_string(hide_password=True)
    click.echo(
        f"{shown}: restored from {done.file} ({done.responses:,} responses, schema revision {done.revision})"
    )
    if done.upgraded_from:
        click.echo(f"the backup's schema revision {done.upgraded_from} was brought up to {done.revision}")
    if done.kept:
        click.echo(f"the database it replaced is kept as {done.kept}")
    if done.behind:
        click.echo("the schema is older than this version's: run `trp db upgrade` before starting the app")
        return
    with database(parsed) as (engine, shown):  # a backup of an older version holds older scores
        _rescore(engine, shown, everything=False, batch=BATCH_DEFAULT)
