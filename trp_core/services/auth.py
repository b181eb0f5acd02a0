"""Manager login: argon2id password hashes, accounts from the database and the environment, throttling.

No Streamlit here: pages/components/auth.py keeps the session, this module decides who may log in.
Failed logins are held per typed name only (see trp_core.services.throttle for why no shared
budget): thirty wrong logins under random names cost a real manager nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine

from trp_core.services.storage import store_errors
from trp_core.services.throttle import Backoff
from trp_core.store.accounts import Accounts, FailureCounts

# Above every row of OWASP's Password Storage Cheat Sheet for argon2id (the minimum is
# m=19 MiB, t=2, p=1): 32 MiB and three passes, about 0.1 s on a small server.
MEMORY_KIB: Final = 32 * 1024
TIME_COST: Final = 3
PARALLELISM: Final = 1
HASHER: Final = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_KIB,
    parallelism=PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)
# OWASP's equivalent minimum settings for argon2id with p=1: (memory in KiB, passes).
OWASP_MINIMA: Final = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))

MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 1024  # a longer "password" is not checked at all
NAME_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
MAX_TYPED_NAME: Final = 200

# Per typed name: three failures free, then 2 s doubling up to 15 minutes, forgotten after a day.
# The stored time is rounded up to a minute (trp_core.store.accounts.GRAIN), so a held name waits
# up to a minute longer than the rule's delay.
PER_ACCOUNT: Final = Backoff(free=3, base=2.0, cap=15 * 60.0, forget=24 * 3600.0)
# The key of typed names that are no account's: made when the process starts, never stored, so a
# row of the failure counts cannot be turned back into what was typed (a mistyped password, say)
# even with the whole database. Such names count per process; they can never log in anyway. (With
# several replicas, someone who spreads tries over them could tell such a name from an account's,
# whose count all replicas share: account names are no secret, passwords are.)
_UNKNOWN_NAME_KEY: Final = secrets.token_bytes(32)


class ConfigError(ValueError):
    """TRP_MANAGERS cannot be read; the message names the entry, never a hash."""


class Verifier:
    """Checks a password against an argon2id hash; the same work when there is no account."""

    def __init__(self, hasher: PasswordHasher = HASHER) -> None:
        self.hasher = hasher
        # An unknown name is checked against this, so that it takes as long as a wrong password.
        self._dummy = hasher.hash(secrets.token_urlsafe(24))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Exactly one argon2 verification, whatever the arguments."""
        try:
            return self.hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.hasher.check_needs_rehash(stored_hash)


def hash_password(password: str, hasher: PasswordHasher = HASHER) -> str:
    """The argon2id hash to store (PHC string: $argon2id$v=19$m=...,t=...,p=...$salt$hash)."""
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return hasher.hash(password)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password has at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"a password has at most {MAX_PASSWORD_LENGTH} characters"
    if password != password.strip():
        return "a password does not begin or end with white space"
    return None


def meets_owasp(password_hash: str) -> bool:
    """An argon2id hash whose parameters are at least one of OWASP's minimum settings."""
    try:
        p = extract_parameters(password_hash)
    except InvalidHashError:
        return False
    return p.type is Type.ID and any(p.memory_cost >= m and p.time_cost >= t for m, t in OWASP_MINIMA)


def normalize_name(name: str) -> str:
    """Names are compared without case and surrounding white space."""
    return name.strip().casefold()


def name_problem(name: str) -> str | None:
    """Why a new account name is refused, or None (the name as given, before normalising)."""
    if not NAME_PATTERN.match(normalize_name(name)):
        return "a name has 1 to 64 characters: letters a-z, digits, and . _ @ - (not first)"
    return None


def parse_managers(text: str) -> dict[str, str]:
    """Accounts from TRP_MANAGERS: NAME:HASH entries separated by ";" or white space.

    Neither separator occurs in a name or in an argon2 hash (PHC strings use only letters,
    digits, "$", "=", ",", "+" and "/"), so the split is unambiguous. Only argon2id hashes
    with at least OWASP's minimum parameters are accepted.
    """
    accounts: dict[str, str] = {}
    for n, entry in enumerate(re.split(r"[;\s]+", text.strip()), start=1):
        if not entry:
            continue
        name, colon, password_hash = entry.partition(":")
        where = f"TRP_MANAGERS entry {n}"
        if not colon or name_problem(name):
            raise ConfigError(f"{where}: expected NAME:HASH, {name_problem(name) or 'no colon'}")
        if not meets_owasp(password_hash):
            raise ConfigError(
                f"{where} ({normalize_name(name)}): not an argon2id hash with at least OWASP's minimum "
                "parameters; make one with `trp admin hash`"
            )
        if normalize_name(name) in accounts:
            raise ConfigError(f"{where}: {normalize_name(name)} is given twice")
        accounts[normalize_name(name)] = password_hash
    return accounts


def throttle_key(name: str, *, account: bool) -> str:
    """The failure counts' key of a normalised typed name.

    An account's name is no secret (it is stored in the clear with the account): its plain digest
    lets every app process count its failures together. Any other name may be a mistyped password:
    its key is an HMAC under a key that exists only in this process's memory.
    """
    if account:
        return hashlib.sha256(f"account:{name}".encode()).hexdigest()
    return hmac.new(_UNKNOWN_NAME_KEY, name.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class LoginResult:
    name: str | None  # the manager, when the login succeeded
    wait: float  # seconds before the next attempt will be checked
    checked: bool  # False: refused by the throttle without looking at name or password


class Authenticator:
    """Decides logins: the same steps, one database query and one argon2 check for every name."""

    def __init__(
        self,
        engine: Engine,
        managers: Mapping[str, str] | None = None,
        *,
        verifier: Verifier | None = None,
        per_account: Backoff = PER_ACCOUNT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.accounts = Accounts(engine)
        self.throttle = FailureCounts(engine, per_account, clock)
        self.managers = dict(managers or {})
        self.verifier = verifier or Verifier()

    @store_errors()
    def log_in(self, typed_name: str, password: str) -> LoginResult:
        """Check a login; StoreUnavailable when the database cannot be used.

        Only the typed name's own failures can hold it: a right password logs in once the delay of
        its name has passed, whatever was tried under other names.
        """
        name = normalize_name(typed_name)[:MAX_TYPED_NAME]
        stored = self.accounts.password_hash(name)  # asked for every name: the same time for all
        password_hash = self.managers.get(name, stored)
        key = throttle_key(name, account=password_hash is not None)
        attempt = self.throttle.begin(key)
        if attempt.wait > 0:
            return LoginResult(None, attempt.wait, checked=False)
        if len(password) > MAX_PASSWORD_LENGTH:
            password = ""  # checked all the same, and never right: no account has an empty password
        if not self.verifier.verify(password_hash, password):
            return LoginResult(None, self.throttle.wait_seconds(key), checked=True)
        self.throttle.succeeded(attempt)
        if name not in self.managers and stored and self.verifier.needs_rehash(stored):
            self.accounts.update_hash(name, stored, self.verifier.hasher.hash(password))
        return LoginResult(name, 0.0, checked=True)
