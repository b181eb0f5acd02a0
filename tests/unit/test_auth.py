"""Manager passwords and accounts without a database: argon2id parameters, TRP_MANAGERS, names, back-off."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from starlette.requests import Request

from pages.components import web
from trp_core.services.auth import (
    HASHER,
    MIN_PASSWORD_LENGTH,
    PER_ACCOUNT,
    ConfigError,
    Verifier,
    hash_password,
    meets_owasp,
    name_problem,
    normalize_name,
    parse_managers,
    parse_sso_managers,
    password_problem,
    sso_manager,
    throttle_key,
)
from trp_core.services.throttle import Backoff

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(PASSWORD)


def test_hashes_are_argon2id_with_at_least_owasps_minimum(stored):
    assert stored.startswith("$argon2id$v=19$")
    p = extract_parameters(stored)
    assert p.type is Type.ID
    # OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1 is the least it recommends.
    assert p.memory_cost >= 19 * 1024 and p.time_cost >= 2 and p.parallelism >= 1
    assert p.salt_len >= 16 and p.hash_len >= 32
    assert meets_owasp(stored)
    assert hash_password(PASSWORD) != stored, "a fresh salt every time"


def test_weaker_or_other_hashes_do_not_meet_the_minimum():
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash(PASSWORD)
    argon2i = PasswordHasher(time_cost=3, memory_cost=65536, type=Type.I).hash(PASSWORD)
    owasp_row = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1, type=Type.ID).hash(PASSWORD)
    assert not meets_owasp(weak)
    assert not meets_owasp(argon2i)
    assert not meets_owasp("$2b$12$abcdefghijklmnopqrstuv")  # bcrypt
    assert meets_owasp(owasp_row)


def test_verify(stored):
    verifier = Verifier()
    assert verifier.verify(stored, PASSWORD)
    assert not verifier.verify(stored, PASSWORD + "!")
    assert not verifier.verify(None, PASSWORD), "no account: checked against a dummy, never right"
    assert not verifier.verify("not a hash", PASSWORD)
    assert not verifier.needs_rehash(stored)


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)
        self.verified = 0

    def verify(self, hash, password):
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_account_costs_one_verification_like_a_wrong_password():
    hasher = CountingHasher()
    verifier = Verifier(hasher)
    stored = hasher.hash(PASSWORD)
    assert not verifier.verify(stored, "wrong password!")
    assert hasher.verified == 1
    assert not verifier.verify(None, "wrong password!")
    assert hasher.verified == 2


def test_password_rules():
    assert password_problem("x" * (MIN_PASSWORD_LENGTH - 1))
    assert password_problem("x" * MIN_PASSWORD_LENGTH) is None
    assert password_problem(" leading space is refused")
    assert password_problem("y" * 2000)
    with pytest.raises(ValueError, match="at least 12"):
        hash_password("short")


def test_names():
    assert normalize_name("  Alice ") == "alice"
    assert name_problem("Alice") is None
    assert name_problem("a.b-c_d@example.com") is None
    for bad in ("", ":alice", "al:ice", "al;ice", "al ice", "-alice", "a" * 65):
        assert name_problem(bad), bad


def test_throttle_keys_are_uniform_and_an_unknown_name_is_keyed():
    import hashlib

    for account in (True, False):
        assert throttle_key("alice", account=account) == throttle_key("alice", account=account)
        assert len(throttle_key("x" * 200, account=account)) == 64
    unknown = throttle_key("my password", account=False)
    assert unknown != hashlib.sha256(b"my password").hexdigest()
    assert unknown != throttle_key("my password", account=True)


def test_trp_managers_format(stored):
    other = HASHER.hash("another long password")
    assert parse_managers("") == {}
    assert parse_managers(f"alice:{stored};Bob:{other}") == {"alice": stored, "bob": other}
    # White space and newlines separate entries as well, for readable files.
    assert parse_managers(f"  alice:{stored} ;\n bob:{other}\n") == {"alice": stored, "bob": other}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("alice", "no colon"),
        ("alice $argon2id$v=19$m=32768,t=3,p=1$abc$def", "no colon"),
        (":{h}", "a name has"),
        ("alice:secret", "not an argon2id hash"),
        ("alice:{h};ALICE:{h}", "given twice"),
    ],
)
def test_trp_managers_errors_name_the_entry_never_the_hash(stored, text, message):
    with pytest.raises(ConfigError, match=message) as info:
        parse_managers(text.format(h=stored))
    assert "TRP_MANAGERS entry" in str(info.value)
    assert stored not in str(info.value)


def test_backoff_grows_then_caps_then_forgets():
    rule = Backoff(free=3, base=2.0, cap=60.0, forget=3600.0)
    assert [rule.delay(n) for n in range(9)] == [0, 0, 0, 0, 2, 4, 8, 16, 32]
    assert rule.delay(10) == rule.delay(10_000) == 60
    assert rule.wait(5, last_failure=100.0, now=101.0) == 3.0
    assert rule.wait(5, last_failure=100.0, now=110.0) == 0.0
    assert rule.current(5, last_failure=100.0, now=100.0 + 3600) == 0


def test_the_login_rules():
    assert [PER_ACCOUNT.delay(n) for n in (3, 4, 5, 6)] == [0, 2, 4, 8]
    assert PER_ACCOUNT.delay(100) == 15 * 60


# --- sessions, single sign-on and the cookie's route ------------------------------------------------


def test_the_sso_allow_list():
    allowed = parse_sso_managers(" Anna@Example.com; bob@example.com\n")
    assert allowed == {"anna@example.com", "bob@example.com"}
    assert sso_manager("ANNA@example.com", True, allowed) == "anna@example.com"
    assert sso_manager("anna@example.com", None, allowed) == "anna@example.com", "no claim: not refused"
    assert sso_manager("anna@example.com", False, allowed) is None, "marked unverified"
    assert sso_manager("carl@example.com", True, allowed) is None
    assert sso_manager(None, True, allowed) is None
    assert sso_manager(["anna@example.com"], True, allowed) is None
    assert parse_sso_managers("") == frozenset()


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, "/manage_dashboard"),
        (
            "/manage_exports?f_survey=trp-standard&f_lang=de",
            "/manage_exports?f_survey=trp-standard&f_lang=de",
        ),
        ("https://evil.example/manage_dashboard", "/manage_dashboard"),
        ("//evil.example/x", "/manage_dashboard"),
        ("/\\evil.example", "/manage_dashboard"),
        ("javascript:alert(1)", "/manage_dashboard"),
        ("/manage_dashboard?x=<script>", "/manage_dashboard?x=%3Cscript%3E"),
    ],
)
def test_the_login_target_is_a_page_of_this_app(target, expected):
    assert web.safe_target(target) == expected


def request(url: str, client: str = "127.0.0.1", **headers: str) -> Request:
    parts = url.split("/", 3)
    scheme, host = parts[0].rstrip(":"), parts[2]
    return Request(
        {
            "type": "http",
            "scheme": scheme,
            "server": (host.split(":")[0], 443 if scheme == "https" else 80),
            "path": "/" + parts[3] if len(parts) > 3 else "/",
            "query_string": b"",
            "headers": [(b"host", host.encode())]
            + [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
            "client": (client, 50000),
        }
    )


def test_the_cookie_is_secure_wherever_a_browser_keeps_it():
    assert web.secure_request(request("https://trp.example.com/x", client="203.0.113.9"))
    assert web.secure_request(request("http://127.0.0.1:8501/x", x_forwarded_proto="https")), "behind nginx"
    assert web.secure_request(request("http://127.0.0.1:8501/x")), "loopback: Chromium keeps Secure cookies"
    assert web.secure_request(request("http://localhost:8501/x"))
    assert not web.secure_request(request("http://192.168.1.20:8501/x", client="192.168.1.30"))
    forged = request("http://192.168.1.20:8501/x", client="192.168.1.30", x_forwarded_proto="https")
    assert not web.secure_request(forged), "only the local proxy's header counts"


def test_single_sign_on_is_off_unless_configured(monkeypatch):
    monkeypatch.delenv("TRP_OIDC_METADATA_URL", raising=False)
    assert web.auth_secrets() is None
    monkeypatch.setenv("TRP_OIDC_METADATA_URL", "https://login.example.com/.well-known/openid-configuration")
    monkeypatch.setenv("TRP_OIDC_CLIENT_ID", "trp")
    monkeypatch.setenv("TRP_PUBLIC_URL", "https://trp.example.com")
    auth = web.auth_secrets()["auth"]
    assert auth["redirect_uri"] == "https://trp.example.com/oauth2callback"
    assert auth["client_id"] == "trp" and auth["server_metadata_url"].startswith("https://login.example.com/")
    assert len(auth["cookie_secret"]) >= 32, "random when not given"
    monkeypatch.setenv("TRP_OIDC_COOKIE_SECRET", "s" * 40)
    assert web.auth_secrets()["auth"]["cookie_secret"] == "s" * 40
