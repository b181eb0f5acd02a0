"""Manager login: argon2id password hashes, accounts from the database and the environment, throttling,
and the server-side manager sessions behind the browser's cookie.

No Streamlit here: pages/components/auth.py and pages/components/web.py carry the session to the
browser, this module decides who may log in and whether a session still holds.
Failed logins are held per typed name only (see trp_core.services.throttle for why no shared
budget): thirty wrong logins under random names cost a real manager nothing.
"""

from __future__ import annotations

import enum
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
from trp_core.store.accounts import Accounts, FailureCounts, ManagerSessions, SessionRules

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


# --- sessions ------------------------------------------------------------------------------------

SESSION_ID: Final = re.compile(r"^[0-9a-f]{64}$")  # 32 random bytes, hex: the cookie's value
HANDOVER_TOKEN: Final = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 random bytes, URL-safe base64
HANDOVER_SECONDS: Final = 60.0  # from the login to the browser's request that sets the cookie
LIFETIME_SECONDS: Final = 12 * 3600.0  # a login holds at most a working day, active or not


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _pad(token: str) -> bytes:
    # The hand-over token (256 random bits, never stored) keys a one-time pad over the session id,
    # so that the stored row holds neither the session id nor the token in the clear.
    return hashlib.sha256(b"trp manager session hand-over:" + token.encode()).digest()


@dataclass(frozen=True, slots=True)
class OpenedSession:
    session_id: str  # the cookie's value; never stored
    handover: str  # one-time token with which the browser fetches its cookie


class SessionEnd(enum.Enum):
    """Why a session id no longer logs anyone in."""

    UNKNOWN = "unknown"  # never issued, malformed, or deleted long ago
    ENDED = "ended"  # idle or too old: expired
    REVOKED = "revoked"  # logged out


@dataclass(frozen=True, slots=True)
class SessionCheck:
    manager: str | None
    end: SessionEnd | None = None


class Sessions:
    """Manager sessions behind the cookie: opened at login, checked on every page run and download,
    handed to the browser once, revoked at logout. The database keeps only hashes."""

    def __init__(
        self, engine: Engine, idle_minutes: float, *, clock: Callable[[], float] = time.time
    ) -> None:
        rules = SessionRules(idle=idle_minutes * 60, lifetime=LIFETIME_SECONDS, handover=HANDOVER_SECONDS)
        self.store = ManagerSessions(engine, rules, clock)
        self.idle_minutes = idle_minutes

    @store_errors()
    def open(self, manager: str) -> OpenedSession:
        session_id = secrets.token_bytes(32)
        handover = secrets.token_urlsafe(32)
        sealed = bytes(a ^ b for a, b in zip(session_id, _pad(handover), strict=True)).hex()
        self.store.open(_digest(session_id.hex()), manager, _digest(handover), sealed)
        return OpenedSession(session_id.hex(), handover)

    @store_errors()
    def redeem(self, handover: str) -> str | None:
        """The session id for a hand-over token, once and within HANDOVER_SECONDS; else None."""
        if not HANDOVER_TOKEN.match(handover):
            return None
        sealed = self.store.take_handover(_digest(handover))
        if sealed is None:
            return None
        return bytes(a ^ b for a, b in zip(bytes.fromhex(sealed), _pad(handover), strict=True)).hex()

    @store_errors()
    def check(self, session_id: str) -> SessionCheck:
        """Who holds a live session (counted as activity), or why it holds no longer."""
        if not SESSION_ID.match(session_id):
            return SessionCheck(None, SessionEnd.UNKNOWN)
        manager, state = self.store.check(_digest(session_id))
        if manager is not None:
            return SessionCheck(manager)
        return SessionCheck(None, SessionEnd(state))

    @store_errors()
    def close(self, session_id: str) -> bool:
        """Log out: the session ends for every tab and process; True when it was live."""
        return bool(SESSION_ID.match(session_id)) and self.store.revoke(_digest(session_id))


# --- single sign-on ---------------------------------------------------------------------------------


def parse_sso_managers(text: str) -> frozenset[str]:
    """The e-mail addresses of TRP_OIDC_MANAGERS (separated by ";" or white space), compared without case."""
    return frozenset(normalize_name(e) for e in re.split(r"[;\s]+", text) if e.strip())


def sso_manager(email: object, verified: object, allowed: frozenset[str]) -> str | None:
    """The manager an identity provider's user logs in as (the e-mail address), or None: only an
    address on the allow-list that the provider has not marked unverified, and that fits a name."""
    if not isinstance(email, str) or verified is False:
        return None
    name = normalize_name(email)
    if name not in allowed or name_problem(name):
        return None
    return name
