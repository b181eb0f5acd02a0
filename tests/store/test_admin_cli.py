"""`trp admin` on SQLite and PostgreSQL: accounts made, refused, replaced, listed and removed."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from sqlalchemy.engine import URL

from trp_core.cli.main import main
from trp_core.services.auth import HASHER, meets_owasp
from trp_core.store.accounts import Accounts
from trp_core.store.engine import make_engine
from trp_core.store.migrate import upgrade

PASSWORD = "correct horse battery"


def trp(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env={"TRP_MANAGERS": "", **(env or {})}).invoke(main, list(args), input=input)


@pytest.fixture
def url(empty_url: URL, backend: str) -> str:
    """A database URL; PostgreSQL migrated (as `trp db upgrade` would), SQLite left empty."""
    if backend == "postgresql":
        engine = make_engine(empty_url)
        upgrade(engine)
        engine.dispose()
    return empty_url.render_as_string(hide_password=False)


def stored_hash(url: str, name: str) -> str | None:
    engine = make_engine(url)
    try:
        return Accounts(engine).password_hash(name)
    finally:
        engine.dispose()


def test_add_user_asks_twice_without_echo(url):
    result = trp("admin", "add-user", "Alice", "--url", url, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output, "hidden input"
    assert "Repeat the password" in result.output
    assert "account alice added" in result.stdout
    stored = stored_hash(url, "alice")
    assert stored.startswith("$argon2id$") and meets_owasp(stored)
    assert PasswordHasher().verify(stored, PASSWORD)


def test_add_user_asks_again_after_a_short_or_mismatched_password(url):
    answers = ["short", "", f"{PASSWORD}", "something else entirely", PASSWORD, PASSWORD]
    result = trp("admin", "add-user", "alice", "--url", url, input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "at least 12 characters" in result.output
    assert "do not match" in result.output.lower()
    assert stored_hash(url, "alice") is not None


def test_add_user_from_stdin_refuses_an_existing_name_unless_replace(url):
    first = trp("admin", "add-user", "alice", "--password-stdin", "--url", url, input=PASSWORD + "\n")
    assert first.exit_code == 0, first.output
    before = stored_hash(url, "alice")
    again = trp("admin", "add-user", "ALICE", "--password-stdin", "--url", url, input="another long one\n")
    assert again.exit_code == 1 and "exists already" in again.stderr and "--replace" in again.stderr
    assert stored_hash(url, "alice") == before
    replaced = trp(
        "admin",
        "add-user",
        "alice",
        "--replace",
        "--password-stdin",
        "--url",
        url,
        input="another long one\n",
    )
    assert replaced.exit_code == 0 and "given a new password" in replaced.stdout
    assert PasswordHasher().verify(stored_hash(url, "alice"), "another long one")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add-user", "al:ice", "--password-stdin"], PASSWORD, "a name has"),
        (["add-user", "alice", "--password-stdin"], "too short", "at least 12 characters"),
        (["add-user", "alice", "--password-stdin"], " " + PASSWORD, "white space"),
        (["remove-user", "nobody"], "", "there is no account nobody"),
    ],
)
def test_refusals_are_one_clear_message(url, args, stdin, message):
    result = trp("admin", *args, "--url", url, input=stdin + "\n")
    assert result.exit_code in (1, 2)
    assert message in result.stderr and "Traceback" not in result.output


def test_list_shows_the_database_and_the_environment(url):
    trp("admin", "add-user", "alice", "--password-stdin", "--url", url, input=PASSWORD + "\n")
    env = {"TRP_MANAGERS": f"carol:{HASHER.hash(PASSWORD)};alice:{HASHER.hash(PASSWORD)}"}
    result = trp("admin", "list", "--url", url, env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("alice\tdatabase, created ") and "TRP_MANAGERS overrides it" in lines[0]
    assert lines[1:] == ["alice\tTRP_MANAGERS", "carol\tTRP_MANAGERS"]
    assert "$argon2id$" not in result.stdout, "hashes are not listed"
    bad = trp("admin", "list", "--url", url, env={"TRP_MANAGERS": "carol:plain"})
    assert bad.exit_code == 1 and "TRP_MANAGERS entry 1" in bad.stderr


def test_remove_user(url):
    trp("admin", "add-user", "alice", "--password-stdin", "--url", url, input=PASSWORD + "\n")
    result = trp("admin", "remove-user", "Alice", "--url", url)
    assert result.exit_code == 0 and "account alice removed" in result.stdout
    assert stored_hash(url, "alice") is None


def test_an_empty_database_is_migrated_on_sqlite_only(empty_url: URL, backend: str):
    """As the app: SQLite brings its schema up to date itself, PostgreSQL needs `trp db upgrade`."""
    url = empty_url.render_as_string(hide_password=False)
    result = trp("admin", "add-user", "alice", "--password-stdin", "--url", url, input=PASSWORD + "\n")
    if backend == "sqlite":
        assert result.exit_code == 0 and stored_hash(url, "alice") is not None
    else:
        assert result.exit_code == 1 and "run `trp db upgrade`" in result.stderr


def test_hash_for_the_environment():
    result = trp("admin", "hash", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    printed = result.stdout.strip().splitlines()[-1]
    assert meets_owasp(printed) and PasswordHasher().verify(printed, PASSWORD)
    assert PASSWORD not in result.stdout
    piped = trp("admin", "hash", "--password-stdin", input=PASSWORD + "\n")
    assert piped.exit_code == 0 and piped.stdout.count("$argon2id$") == 1
    short = trp("admin", "hash", "--password-stdin", input="4711\n")
    assert short.exit_code == 2 and "at least 12" in short.stderr
