"""What the `trp` commands share: exit codes, one-line failures, the --url option and the database.

SQLAlchemy and Alembic are imported inside the functions, so the commands without a database start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

import click

from trp_core.files.surveys import load_survey
from trp_core.method.survey import Survey, SurveyError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

EXIT_DATABASE: Final = 1  # the database cannot be reached, is not a database, or is ahead of this version
EXIT_SURVEY: Final = 1  # a survey file is invalid
EXIT_INPUT: Final = 2  # an answers or inputs file is invalid

URL_HELP: Final = "Database URL; default: the environment variable TRP_DATABASE_URL, else data/trp.sqlite3."


def fail(*lines: str, code: int) -> NoReturn:
    """Print each line to standard error and exit with `code`."""
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)


def load_survey_or_exit(path: Path) -> Survey:
    """The survey file at `path`, or every problem printed and exit code 1."""
    try:
        return load_survey(path)
    except SurveyError as exc:
        fail(*(str(i) for i in exc.issues), code=EXIT_SURVEY)


def reason(exc: BaseException) -> str:
    """The first line of the driver's own message, without SQLAlchemy's wrapping."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def url_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """The --url option of the commands that use the database."""
    return click.option("--url", metavar="URL", default=None, help=URL_HELP)(f)


def parse_url(url: str | None) -> URL:
    """The --url value (or TRP_DATABASE_URL) as a SQLite or PostgreSQL URL, or exit code 1."""
    from sqlalchemy.exc import ArgumentError

    from trp_core.store.engine import database_url

    source = "--url" if url is not None else "TRP_DATABASE_URL"
    try:
        parsed = database_url(url)
    except (ArgumentError, ValueError):
        # The URL is not echoed: it may hold a password.
        fail(
            f"{source} is not a database URL (e.g. sqlite:///data/trp.sqlite3 or postgresql://user@host/db)",
            code=EXIT_DATABASE,
        )
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        fail(
            f"{source}: TRP Self-Check stores its data in SQLite or PostgreSQL, not {backend}",
            code=EXIT_DATABASE,
        )
    return parsed


@contextmanager
def database(parsed: URL) -> Iterator[tuple[Engine, str]]:
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
        fail(f"{shown}: no driver for this kind of database ({reason(exc)})", code=EXIT_DATABASE)
    except CommandError as exc:
        fail(
            f"{shown}: {reason(exc)} (is the database from a newer version of TRP Self-Check?)",
            code=EXIT_DATABASE,
        )
    except SQLAlchemyError as exc:
        fail(f"{shown}: cannot use the database: {reason(exc)}", code=EXIT_DATABASE)
    except OSError as exc:
        fail(f"{shown}: {exc.strerror or exc}", code=EXIT_DATABASE)
    finally:
        if engine is not None:
            engine.dispose()


def missing_sqlite_file(parsed: URL) -> bool:
    """A SQLite URL whose file does not exist yet (opening it would create an empty one)."""
    file = parsed.database or ""
    return (
        parsed.get_backend_name() == "sqlite"
        and file not in ("", ":memory:")
        and not file.startswith("file:")
        and not Path(file).expanduser().exists()
    )
