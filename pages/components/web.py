"""The app's HTTP edge beside Streamlit (st.App routes and middleware, mounted by app.py's st.App): the manager
session cookie, set by a route, and manager downloads served only to their own session.

A Streamlit script cannot set an HttpOnly cookie, so the login page hands a one-time token to
/trp-auth/session, which sets the cookie and sends the browser on to the page it came for.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit.runtime.memory_media_file_storage import _calculate_file_id

from trp_core.services.auth import Sessions
from trp_core.services.results import StoreUnavailable
from trp_core.services.storage import open_store
from trp_core.settings import get_settings

log = logging.getLogger("trp")

COOKIE: Final = "trp_manager"
SESSION_PATH: Final = "/trp-auth/session"
REFUSED_PATH: Final = "/trp-auth/refused"
STREAMLIT_IDENTITY: Final = "_streamlit_user"  # st.login's cookies (and their chunks) start so
LOGIN_PATH: Final = "/manage"
MEDIA: Final = re.compile(r"^/media/([0-9a-f]{16,128})(\.[A-Za-z0-9]{1,8})?$")
PAGE_PATH: Final = re.compile(r"^/[a-z0-9_]{0,64}$")  # the url_path of an st.Page
DOWNLOAD_SECONDS: Final = 600.0  # a finished manager download stays fetchable this long
NO_STORE: Final = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def safe_target(target: str | None, default: str = "/manage_dashboard") -> str:
    """A page of this app with its query, or `default`: never another site (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not PAGE_PATH.match(parts.path):
        return default
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True)[:32])
    return parts.path + (f"?{query}" if query else "")


# --- the sessions, made once per process (their state is in the database) -----------------------

_lock = threading.Lock()
_sessions: Sessions | None = None


def sessions() -> Sessions:
    global _sessions
    with _lock:
        if _sessions is None:
            _sessions = Sessions(open_store().engine, get_settings().manager_idle_minutes)
        return _sessions


# --- the cookie ---------------------------------------------------------------------------------

LOOPBACK_NAMES: Final = ("localhost",)


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure_request(request: Request) -> bool:
    """Whether the browser reached us over https (directly or through the proxy), or on a loopback
    address, where browsers keep Secure cookies over plain http too."""
    if request.url.scheme == "https":
        return True
    proxy = request.client is not None and _loopback(request.client.host)
    if proxy and request.headers.get("x-forwarded-proto", "").lower() == "https":
        return True
    return _loopback(request.url.hostname)


def set_cookie(response: Response, request: Request, session_id: str) -> None:
    """The session cookie: HttpOnly, SameSite=Strict, Secure wherever the browser keeps it; a session
    cookie (no Max-Age), since the server ends the session."""
    secure = secure_request(request)
    if not secure:
        log.warning("manager session cookie without Secure: the app is reached over plain http")
    response.set_cookie(COOKIE, session_id, path="/", secure=secure, httponly=True, samesite="strict")


def forget_identity(response: Response, request: Request) -> None:
    """Delete st.login's identity cookies: after single sign-on, the manager session is the login,
    and a logout must not be undone by a 30-day identity cookie."""
    for name in request.cookies:
        if name.startswith(STREAMLIT_IDENTITY):
            response.delete_cookie(name, path="/")


def auth_secrets() -> dict[str, dict[str, str]] | None:
    """st.login's [auth] secrets from the TRP_OIDC_* settings, or None when single sign-on is off."""
    cfg = get_settings()
    if not cfg.oidc_metadata_url:
        return None
    return {
        "auth": {
            "redirect_uri": f"{cfg.public_url.rstrip('/')}/oauth2callback",
            "cookie_secret": cfg.oidc_cookie_secret or secrets.token_urlsafe(32),
            "client_id": cfg.oidc_client_id,
            "client_secret": cfg.oidc_client_secret,
            "server_metadata_url": cfg.oidc_metadata_url,
        }
    }


# --- routes ------------------------------------------------------------------------------------


def _login(target: str, lang: str | None) -> str:
    query = {"next": target, **({"lang": lang} if lang in ("de", "en") else {})}
    return f"{LOGIN_PATH}?{urlencode(query)}"


async def open_session(request: Request) -> Response:
    """GET /trp-auth/session?token=…&next=…: the login page's one-time token becomes the cookie."""
    target = safe_target(request.query_params.get("next"))
    token = request.query_params.get("token", "")
    try:
        session_id = await run_in_threadpool(sessions().redeem, token)
    except StoreUnavailable:
        log.exception("manager session hand-over failed")
        return PlainTextResponse("Service unavailable", status_code=503, headers=NO_STORE)
    if session_id is None:  # used, expired or made up: log in again, the target kept
        return RedirectResponse(_login(target, request.query_params.get("lang")), 303, headers=NO_STORE)
    response = RedirectResponse(target, 303, headers=NO_STORE)
    set_cookie(response, request, session_id)
    forget_identity(response, request)
    return response


async def refused(request: Request) -> Response:
    """GET /trp-auth/refused: single sign-on with an account not on the list; forget it, say so."""
    query = {
        "sso": "refused",
        **({"lang": lang} if (lang := request.query_params.get("lang")) in ("de", "en") else {}),
    }
    response = RedirectResponse(f"{LOGIN_PATH}?{urlencode(query)}", 303, headers=NO_STORE)
    forget_identity(response, request)
    return response


_mounted = False


def mounted() -> bool:
    """Whether this process serves the routes (app.py's st.App, not AppTest's bare script run)."""
    return _mounted


def routes() -> list[Route]:
    global _mounted
    _mounted = True
    return [
        Route(SESSION_PATH, open_session, methods=["GET"]),
        Route(REFUSED_PATH, refused, methods=["GET"]),
    ]


# --- manager downloads ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Owner:
    session_id: str
    until: float


_protected: dict[str, _Owner] = {}  # media file id -> the session that made it
_protected_lock = threading.Lock()


def guarded(
    produce: Callable[[], bytes], checker: Sessions, session_id: str | None, mime: str, file_name: str
) -> Callable[[], bytes]:
    """A download callable that re-checks the manager session when clicked, and whose file Streamlit's
    /media/ route then serves only to a request carrying that session's cookie."""

    def run() -> bytes:
        if session_id is None or checker.check(session_id).manager is None:
            raise PermissionError("the manager session has ended")
        data = produce()
        # The id Streamlit's media store will give these bytes (its own function, so that a change
        # of the rule shows in tests/e2e/test_manager_session_browser.py rather than opening files).
        file_id = _calculate_file_id(data, mime, file_name)
        now = time.time()
        with _protected_lock:
            for gone in [k for k, v in _protected.items() if v.until < now]:
                del _protected[gone]
            _protected[file_id] = _Owner(session_id, now + DOWNLOAD_SECONDS)
        return data

    return run


def _no_store(send: Send) -> Send:
    async def sending(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
            message = {**message, "headers": [*headers, (b"cache-control", b"no-store")]}
        await send(message)

    return sending


class ProtectDownloads:
    """ASGI middleware: a manager's file under /media/ only for a request with that manager's live session."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = MEDIA.match(scope.get("path", ""))
            with _protected_lock:
                owner = _protected.get(found[1]) if found else None
            if owner is not None:
                if not await self._allowed(Request(scope), owner):
                    await PlainTextResponse("Not found", status_code=404, headers=NO_STORE)(
                        scope, receive, send
                    )
                    return
                await self.app(scope, receive, _no_store(send))
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _allowed(request: Request, owner: _Owner) -> bool:
        cookie = request.cookies.get(COOKIE)
        if cookie != owner.session_id or owner.until < time.time():
            return False
        try:
            return (await run_in_threadpool(sessions().check, cookie)).manager is not None
        except StoreUnavailable:
            log.exception("manager download refused: the database is unavailable")
            return False
