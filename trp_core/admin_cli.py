"""`trp admin`: manager accounts (argon2id hashes in the database, or in TRP_MANAGERS)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from .store.cli import _database, _fail, _missing_sqlite_file, _parse, _url_option

if TYPE_CHECKING:
    from sqlalchemy import Engine

STDIN_HELP = "Read the password from the first line of standard input (for scripts)."


MIN_PIN_LENGTH = 4


def _check_password(value: str) -> str:
    from .auth import password_problem

    problem = password_problem(value)
    if problem:
        raise click.UsageError(problem)
    return value


def _check_pin(value: str) -> str:
    if len(value) < MIN_PIN_LENGTH or value != value.strip():
        raise click.UsageError(f"a PIN has at least {MIN_PIN_LENGTH} characters, without surrounding spaces")
    return value


def _read_secret(from_stdin: bool, *, pin: bool = False) -> str:
    """A password (or a kiosk PIN) from standard input, or asked twice without echo."""
    check = _check_pin if pin else _check_password
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        try:
            return check(line)
        except click.UsageError as exc:
            raise click.BadParameter(exc.message, param_hint="--password-stdin") from None
    what = "PIN" if pin else "Password"
    return click.prompt(
        what, hide_input=True, confirmation_prompt=f"Repeat the {what.lower()}", value_proc=check
    )


def _ready(engine: Engine, shown: str) -> None:
    """The schema at this version's head: SQLite is migrated here (as the app does), PostgreSQL not."""
    from .store.migrate import current_revision, head_revision, upgrade

    if current_revision(engine) == head_revision():
        return
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    else:
        _fail(
            f"{shown}: the schema is not at this version's revision {head_revision()}: run `trp db upgrade`"
        )


def _environment_accounts() -> dict[str, str]:
    from .auth import ConfigError, parse_managers
    from .settings import get_settings

    try:
        return parse_managers(get_settings().managers)
    except ConfigError as exc:
        _fail(str(exc))


def _name(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from .auth import name_problem, normalize_name

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
@_url_option
def add_user(name: str, password_stdin: bool, replace: bool, url: str | None) -> None:
    """Create a manager account; asks twice for the password (at least 12 characters).

    Only an argon2id hash of the password is stored. Names are compared without case.
    An existing name is refused unless --replace is given.
    """
    from .auth import hash_password
    from .store.accounts import AccountExists, Accounts

    password = _read_secret(password_stdin)
    with _database(_parse(url)) as (engine, shown):
        _ready(engine, shown)
        try:
            new = Accounts(engine).add(name, hash_password(password), replace=replace)
        except AccountExists:
            _fail(f"{shown}: the account {name} exists already; --replace gives it a new password")
        click.echo(f"{shown}: account {name} {'added' if new else 'given a new password'}")
    if name in _environment_accounts():
        click.echo(f"note: TRP_MANAGERS also has {name}; that hash is the one that counts", err=True)


@admin.command("remove-user")
@click.argument("name", callback=_name)
@_url_option
def remove_user(name: str, url: str | None) -> None:
    """Delete a manager account from the database (sessions open now run until they expire)."""
    from .store.accounts import Accounts

    with _database(_parse(url)) as (engine, shown):
        _ready(engine, shown)
        if not Accounts(engine).remove(name):
            _fail(f"{shown}: there is no account {name}")
        click.echo(f"{shown}: account {name} removed")


@admin.command("hash")
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
@click.option(
    "--pin", is_flag=True, help=f"Hash a kiosk staff PIN (at least {MIN_PIN_LENGTH} characters) instead."
)
def hash_command(password_stdin: bool, pin: bool) -> None:
    """Print an argon2id hash of a password, for TRP_MANAGERS (NAME:HASH;NAME:HASH).

    With --pin: of a kiosk staff PIN, for an event file's staff_pin_hash.
    """
    from .auth import HASHER, hash_password

    secret = _read_secret(password_stdin, pin=pin)
    click.echo(HASHER.hash(secret) if pin else hash_password(secret))


@admin.command("list")
@_url_option
def list_accounts(url: str | None) -> None:
    """List the manager accounts: the database's (with their creation date) and TRP_MANAGERS'."""
    from .store.accounts import Accounts
    from .store.migrate import current_revision, head_revision

    environment = _environment_accounts()
    parsed = _parse(url)
    stored = []
    if not _missing_sqlite_file(parsed):
        with _database(parsed) as (engine, shown):
            if current_revision(engine) != head_revision():
                _fail(f"{shown}: the schema is not at this version's revision: run `trp db upgrade`")
            stored = Accounts(engine).list()
    for account in stored:
        overridden = " (TRP_MANAGERS overrides it)" if account.name in environment else ""
        click.echo(f"{account.name}\tdatabase, created {account.created.isoformat()}{overridden}")
    for name in sorted(environment):
        click.echo(f"{name}\tTRP_MANAGERS")
    if not stored and not environment:
        click.echo("no manager accounts yet: `trp admin add-user NAME` creates one", err=True)
