"""A small OpenID Connect provider on a loopback port, for the single sign-on tests: discovery,
authorize (it consents at once for the user it is told to be), token (authorization code, with the
client's secret and PKCE when asked), userinfo and JWKS, ID tokens signed with RS256 (joserfc).

Real HTTP and real signatures: Streamlit's st.login (Authlib) checks issuer, audience, nonce,
expiry and the signature against /jwks as with any provider.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    claims: dict


@dataclass
class Provider:
    """The provider; `user` holds the claims of whoever logs in next (a test sets it)."""

    client_id: str = "trp-test"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    user: dict = field(
        default_factory=lambda: {"sub": "u1", "email": "anna@example.com", "email_verified": True}
    )
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
    )
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)
    authorized: int = 0  # how many logins the provider granted
    port: int = 0

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {**grant.claims, "iss": self.issuer, "aud": grant.client_id, "iat": now, "exp": now + 300}
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def _json(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        p = self.server.provider
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            return self._json(p.discovery())
        if url.path == "/jwks":
            return self._json({"keys": [p.key.as_dict(private=False)]})
        if url.path == "/authorize":
            if query.get("client_id") != p.client_id or query.get("response_type") != "code":
                return self._json({"error": "invalid_request"}, 400)
            code = secrets.token_urlsafe(24)
            p.grants[code] = Grant(
                p.client_id,
                query["redirect_uri"],
                query.get("nonce"),
                query.get("code_challenge"),
                dict(p.user),
            )
            p.authorized += 1
            self.send_response(302)
            self.send_header(
                "Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            )
            self.end_headers()
            return None
        if url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            claims = p.tokens.get(token)
            return self._json(claims) if claims else self._json({"error": "invalid_token"}, 401)
        return self._json({"error": "not_found"}, 404)

    def do_POST(self) -> None:
        p = self.server.provider
        if urlsplit(self.path).path != "/token":
            return self._json({"error": "not_found"}, 404)
        body = {
            k: v[0]
            for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()
        }
        client_id, client_secret = body.get("client_id"), body.get("client_secret")
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if client_id != p.client_id or client_secret != p.client_secret:
            return self._json({"error": "invalid_client"}, 401)
        grant = p.grants.pop(body.get("code", ""), None)  # a code works once
        if (
            grant is None
            or body.get("grant_type") != "authorization_code"
            or body.get("redirect_uri") != grant.redirect_uri
        ):
            return self._json({"error": "invalid_grant"}, 400)
        if grant.challenge:
            verifier = body.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if digest != grant.challenge:
                return self._json({"error": "invalid_grant"}, 400)
        access = secrets.token_urlsafe(24)
        p.tokens[access] = grant.claims
        return self._json(
            {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": p.id_token(grant)}
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, provider: Provider) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.provider = provider


class OidcProvider:
    """Runs a Provider in a thread: `with OidcProvider() as provider: …`."""

    def __init__(self) -> None:
        self.provider = Provider()
        self._server = _Server(self.provider)
        self.provider.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self._thread.start()
        return self.provider

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
