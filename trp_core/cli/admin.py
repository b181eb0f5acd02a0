"""`trp admin`: manager accounts (argon2id hashes in the database, or in TRP_MANAGERS)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from trp_core.cli.common import EXIT_DATABASE, database, fail, missing_sqlite_file, parse_url, url_option

if TYPE_CHECKING:
    from sqlalchemy import Engine

STDIN_HELP = "Read the password from the first line of standard input (for scripts)."


def _check_password(value: str) -> str:
    from trp_core.services.auth import password_problem

    problem = password_problem(value)
    if problem:
        raise click.UsageError(problem)
    return value


def _read_password(from_stdin: bool) -> str:
    """From the first line of standard input, or asked twice without echo."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        try:
            return _check_password(line)
        except click.UsageError as exc:
            raise click.BadParameter(exc.message, param_hint="--password-stdin") from None
    return click.prompt(
        "Password", hide_input=True, confirmation_prompt="Repeat the password", value_proc=_check_password
    )


def _ready(engine: Engine, shown: str) -> None:
    """The schema at this version's head: SQLite is migrated here (as the app does), PostgreSQL not."""
    from trp_core.store.migrate import current_revision, head_revision, upgrade

    if current_revision(engine) == head_revision():
        return
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    else:
        fail(
            f"{shown}: the schema is not at this version's revision {head_revision()}: run `trp db upgrade`",
            code=EXIT_DATABASE,
        )


def _environment_accounts() -> dict[str, str]:
    from trp_core.services.auth import ConfigError, parse_managers
    from trp_core.settings import get_settings

    try:
        return parse_managers(get_settings().managers)
    except ConfigError as exc:
        fail(str(exc), code=EXIT_DATABASE)


def _name(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from trp_core.services.auth import name_problem, normalize_name

    problem = name_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return normalize_name(value)


@click.group()
def admin() -> None:
    """Manager accounts: who may log in at /manage."""


@admin.command("add-user")
@click.argument("name", callback=_name)
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
@click.option("--replace", is_flag=True, help="Give an existing account a new password.")
@url_option
def add_user(name: str, password_stdin: bool, replace: bool, url: str | None) -> None:
    """Create a manager account; asks twice for the password (at least 12 characters).

    Only an argon2id hash of the password is stored. Names are compared without case.
    An existing name is refused unless --replace is given.
    """
    from trp_core.services.auth import hash_password
    from trp_core.store.accounts import AccountExists, Accounts

    password = _read_password(password_stdin)
    with database(parse_url(url)) as (engine, shown):
        _ready(engine, shown)
        try:
            new = Accounts(engine).add(name, hash_password(password), replace=replace)
        except AccountExists:
            fail(
                f"{shown}: the account {name} exists already; --replace gives it a new password",
                code=EXIT_DATABASE,
            )
        click.echo(f"{shown}: account {name} {'added' if new else 'given a new password'}")
    if name in _environment_accounts():
        click.echo(f"note: TRP_MANAGERS also has {name}; that hash is the one that counts", err=True)


@admin.command("remove-user")
@click.argument("name", callback=_name)
@url_option
def remove_user(name: str, url: str | None) -> None:
    """Delete a manager account from the database (sessions open now run until they expire)."""
    from trp_core.store.accounts import Accounts

    with database(parse_url(url)) as (engine, shown):
        _ready(engine, shown)
        if not Accounts(engine).remove(name):
            fail(f"{shown}: there is no account {name}", code=EXIT_DATABASE)
        click.echo(f"{shown}: account {name} removed")


@admin.command("hash")
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
def hash_command(password_stdin: bool) -> None:
    """Print an argon2id hash of a password, for TRP_MANAGERS (NAME:HASH;NAME:HASH)."""
    from trp_core.services.auth import hash_password

    click.echo(hash_password(_read_password(password_stdin)))


@admin.command("list")
@url_option
def list_accounts(url: str | None) -> None:
    """List the manager accounts: the database's (with their creation date) and TRP_MANAGERS'."""
    from trp_core.store.accounts import Accounts
    from trp_core.store.migrate import current_revision, head_revision

    environment = _environment_accounts()
    parsed = parse_url(url)
    stored = []
    if not missing_sqlite_file(parsed):
        with database(parsed) as (engine, shown):
            if current_revision(engine) != head_revision():
                fail(
                    f"{shown}: the schema is not at this version's revision: run `trp db upgrade`",
                    code=EXIT_DATABASE,
                )
            stored = Accounts(engine).list()
    for account in stored:
        overridden = " (TRP_MANAGERS overrides it)" if account.name in environment else ""
        click.echo(f"{account.name}\tdatabase, created {account.created.isoformat()}{overridden}")
    for name in sorted(environment):
        click.echo(f"{name}\tTRP_MANAGERS")
    if not stored and not environment:
        click.echo("no manager accounts yet: `trp admin add-user NAME` creates one", err=True)
