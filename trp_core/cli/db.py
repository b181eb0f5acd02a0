"""`trp db`: bring the database schema up to date, show its revision, back it up and restore it.

SQLAlchemy and Alembic are imported inside the commands, so the other `trp` commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

EXIT_DATABASE = 1  # the database cannot be reached, is not a database, or is ahead of this version

URL_HELP = "Database URL; default: the environment variable TRP_DATABASE_URL, else data/trp.sqlite3."


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(EXIT_DATABASE)


def _reason(exc: BaseException) -> str:
    """The first line of the driver's own message, without SQLAlchemy's wrapping."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def _parse(url: str | None) -> URL:
    from sqlalchemy.exc import ArgumentError

    from trp_core.store.engine import database_url

    source = "--url" if url is not None else "TRP_DATABASE_URL"
    try:
        parsed = database_url(url)
    except (ArgumentError, ValueError):
        # The URL is not echoed: it may hold a password.
        _fail(
            f"{source} is not a database URL (e.g. sqlite:///data/trp.sqlite3 or postgresql://user@host/db)"
        )
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        _fail(f"{source}: TRP Self-Check stores its data in SQLite or PostgreSQL, not {backend}")
    return parsed


@contextmanager
def _database(parsed: URL) -> Iterator[tuple[Engine, str]]:
    """(engine, printable URL without password); every database error becomes one line, exit 1."""
    from alembic.util import CommandError
    from sqlalchemy.exc import NoSuchModuleError, SQLAlchemyError

    from trp_core.store.engine import make_engine

    shown = parsed.render_as_string(hide_password=True)
    engine = None
    try:
        engine = make_engine(parsed)
        yield engine, shown
    except (NoSuchModuleError, ImportError) as exc:
        _fail(f"{shown}: no driver for this kind of database ({_reason(exc)})")
    except CommandError as exc:
        _fail(f"{shown}: {_reason(exc)} (is the database from a newer version of TRP Self-Check?)")
    except SQLAlchemyError as exc:
        _fail(f"{shown}: cannot use the database: {_reason(exc)}")
    except OSError as exc:
        _fail(f"{shown}: {exc.strerror or exc}")
    finally:
        if engine is not None:
            engine.dispose()


def _missing_sqlite_file(parsed: URL) -> bool:
    database = parsed.database or ""
    return (
        parsed.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not database.startswith("file:")
        and not Path(database).expanduser().exists()
    )


def _url_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--url", metavar="URL", default=None, help=URL_HELP)(f)


@click.group()
def db() -> None:
    """The database: schema migrations, backup and restore (SQLite or PostgreSQL)."""


@db.command("upgrade")
@_url_option
def db_upgrade(url: str | None) -> None:
    """Create or update the schema to this version's newest revision.

    The app does this itself on SQLite; on PostgreSQL run it once per release, before the
    app replicas start. Running it again does nothing. Exit code 1 when the database cannot
    be used.
    """
    from trp_core.store.migrate import current_revision, head_revision, upgrade

    with _database(_parse(url)) as (engine, shown):
        before = current_revision(engine)
        upgrade(engine)
        head = head_revision()
        if before == head:
            click.echo(f"{shown}: already at revision {head} (head)")
        else:
            click.echo(f"{shown}: upgraded from revision {before or 'none'} to {head} (head)")


@db.command("current")
@_url_option
def db_current(url: str | None) -> None:
    """Show the schema revision of the database and whether it is up to date."""
    from trp_core.store.migrate import current_revision, head_revision, revisions

    parsed = _parse(url)
    if _missing_sqlite_file(parsed):
        shown = parsed.render_as_string(hide_password=True)
        click.echo(f"{shown}: no database file yet; `trp db upgrade` creates it")
        return
    with _database(parsed) as (engine, shown):
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
        _fail(f"{shown}: no driver for this kind of database ({_reason(exc)})")
    except SQLAlchemyError as exc:
        _fail(f"{shown}: cannot use the database: {_reason(exc)}")
    except OSError as exc:
        _fail(f"{exc.filename or shown}: {exc.strerror or exc}")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


@db.command("backup")
@click.argument("file", type=click.Path(path_type=Path))
@_url_option
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def db_backup(file: Path, url: str | None, force: bool) -> None:
    """Write a consistent backup of the database to FILE, also while the app runs.

    SQLite: the online backup API, checked with PRAGMA integrity_check; FILE is a SQLite
    database. PostgreSQL: pg_dump --format=custom (the client tools of the server's version
    must be installed). Exit code 1 when the database or a tool fails, 2 when refused.
    """
    from trp_core.store.backup import backup

    parsed = _parse(url)
    done = _run_backup(lambda: backup(parsed, file, force=force), parsed)
    shown = parsed.render_as_string(hide_password=True)
    click.echo(
        f"{shown}: backed up to {done.file} ({_size(done.size)}, {done.responses:,} responses, "
        f"schema revision {done.revision})"
    )


@db.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@_url_option
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
    single transaction into an existing database (createdb it first). Exit code 1 when the
    database or a tool fails, 2 when refused (FILE is not a usable backup, or --force is missing).
    """
    from trp_core.store.backup import restore

    parsed = _parse(url)
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
