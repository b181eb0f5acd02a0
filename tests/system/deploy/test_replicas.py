"""Two replicas behind Debian's nginx on one PostgreSQL database, set up from the files in deploy/.

nginx runs deploy/nginx/trp.conf with only its ports and file paths substituted; the migration and
the replicas run the ExecStart lines of deploy/systemd/ with the environment of deploy/trp.env.example
(only the database, the paths, a manager account and the minimum group overridden). Chromium asks for
the public name https://trp.example.com, mapped to nginx's loopback port, so Host and Origin are
those of production. Which replica served a request is read from nginx's access log, whose shipped
format names the upstream. Without nginx, PostgreSQL or Chromium the tests are skipped; under
CI=true they fail.
"""

from __future__ import annotations

import gzip
import http.client
import io
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.conftest import ROOT, SURVEYS
from tests.store.conftest import pg_admin, pg_database  # noqa: F401 - pg_admin is a fixture
from tests.store.manager.conftest import answers_for, hash_code
from tests.support.kiosk_events import signed_query, write_events
from tests.support.server import ARTIFACTS, CHROMIUM_ARGS, TABLET, chromium_path
from trp_core.files.surveys import load_survey
from trp_core.method.levers import assess
from trp_core.presentation import formatting
from trp_core.presentation.i18n import t
from trp_core.services.auth import hash_password
from trp_core.settings import Settings
from trp_core.store.engine import make_engine
from trp_core.store.repository import Store

DEPLOY = ROOT / "deploy"
NGINX = Path("/usr/sbin/nginx")
HOST = "trp.example.com"
ORIGIN = f"https://{HOST}"
PASSWORD = "correct horse battery"
SURVEY_ID = "trp-cloud"
VISITORS = 3  # at least the minimum group, so that the dashboard shows its figures
ROUTE = "trp_route"
# The shipped log_format: method, path, status, bytes, "upstream address", "upstream status".
LOG_LINE = re.compile(r'^(\S+) (.*) (\d{3}) (\d+) "([^"]*)" "([^"]*)"$')


def missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: it must be there)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(outcome: str) -> dict:
    return json.loads((ROOT / "tests" / "answers" / f"{SURVEY_ID}.{outcome}.json").read_text())["answers"]


# --- the shipped files ------------------------------------------------------------------------------


def env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile reads them (one pair of quotes around a value)."""
    env = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", key), f"{path.name}: not KEY=value: {raw!r}"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key] = value
    return env


def exec_start(unit: str, **values: str) -> list[str]:
    """The unit's ExecStart as an argument list, with the venv for /opt/trp/.venv and %i etc. filled in."""
    text = (DEPLOY / "systemd" / unit).read_text()
    assert "WorkingDirectory=/opt/trp\n" in text and "EnvironmentFile=/etc/trp/trp.env\n" in text, unit
    (line,) = [x for x in text.splitlines() if x.startswith("ExecStart=")]
    argv = shlex.split(line.removeprefix("ExecStart="))
    assert argv[0].startswith("/opt/trp/.venv/bin/"), argv
    argv[0] = str(Path(sys.executable).parent / Path(argv[0]).name)
    for name, value in values.items():
        argv = [a.replace(f"%{name}", value) for a in argv]
    return argv


def render_site(
    *, http_port: int, https_port: int, replicas: list[int], cert: Path, key: Path, logs: Path
) -> str:
    """deploy/nginx/trp.conf with loopback ports and temporary files; every substitution must match."""
    text = (DEPLOY / "nginx" / "trp.conf").read_text()
    rules = [
        (r"^(\s*)listen \[::\]:\d+.*\n", "", 4),  # IPv6 may be missing on a test machine
        (r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http_port};", 1),
        (r"^(\s*)listen 80 default_server;", rf"\1listen 127.0.0.1:{http_port} default_server;", 1),
        (r"^(\s*)listen 443 ssl", rf"\1listen 127.0.0.1:{https_port} ssl", 2),
        (r"^(\s*)server 127\.0\.0\.1:8501 ", rf"\1server 127.0.0.1:{replicas[0]} ", 1),
        (r"^(\s*)server 127\.0\.0\.1:8502 ", rf"\1server 127.0.0.1:{replicas[1]} ", 1),
        (r"/etc/letsencrypt/live/trp\.example\.com/fullchain\.pem", str(cert), 1),
        (r"/etc/letsencrypt/live/trp\.example\.com/privkey\.pem", str(key), 1),
        (r"/var/log/nginx/trp\.access\.log", str(logs / "trp.access.log"), 1),
        (r"/var/log/nginx/trp\.error\.log", str(logs / "trp.error.log"), 1),
    ]
    for pattern, replacement, expected in rules:
        text, found = re.subn(pattern, replacement, text, flags=re.M)
        assert found == expected, f"deploy/nginx/trp.conf: {pattern!r} found {found} times, not {expected}"
    return text


def nginx_conf(tmp: Path, site: Path) -> str:
    """The main configuration around the site, as Debian's nginx.conf has it, with its own files."""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Workers started by root would run as nobody, who cannot enter pytest's private temp folders.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""{user}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / "other.access.log"};
{temp}
    include {site};
}}
"""


# --- the running deployment ------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    method: str
    path: str
    status: int
    upstream: str  # "127.0.0.1:PORT" of the replica, "-" when nginx answered itself


class AccessLog:
    """nginx's access log of the site, read from a mark on."""

    def __init__(self, path: Path):
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def hits(self, since: int) -> list[Hit]:
        with self.path.open("rb") as f:
            f.seek(since)
            lines = f.read().decode().splitlines()
        hits = []
        for line in lines:
            match = LOG_LINE.match(line)
            assert match, f"an access log line not in the shipped format: {line!r}"
            method, path, status, _, upstream, _ = match.groups()
            hits.append(Hit(method, path, int(status), upstream or "-"))
        return hits

    def wait(self, since: int, predicate: Callable[[Hit], bool] = bool, count: int = 1) -> list[Hit]:
        """The hits since the mark, once `count` of them match: nginx logs a request after its
        response, and a websocket when it closes."""
        deadline = time.monotonic() + 20
        while True:
            hits = self.hits(since)
            if sum(map(predicate, hits)) >= count or time.monotonic() > deadline:
                assert sum(map(predicate, hits)) >= count, f"fewer than {count} such requests logged: {hits}"
                return hits
            time.sleep(0.05)


class Deployment:
    """Ports, files and processes of one test deployment."""

    def __init__(self, tmp: Path, database_url: str):
        self.tmp = tmp
        self.http_port, self.https_port = free_port(), free_port()
        self.ports = [free_port(), free_port()]
        self.replicas = [f"127.0.0.1:{p}" for p in self.ports]
        self.database_url = database_url
        self.cert, self.key = tmp / "cert.pem", tmp / "key.pem"
        self.log = AccessLog(tmp / "trp.access.log")
        self.processes: list[subprocess.Popen] = []

    def env(self) -> dict[str, str]:
        shipped = env_file(DEPLOY / "trp.env.example")
        assert shipped["TRP_PUBLIC_URL"] == ORIGIN
        return {
            **os.environ,
            **shipped,
            "TRP_DATABASE_URL": self.database_url,
            "TRP_SURVEYS_DIR": str(SURVEYS),
            "TRP_EVENTS_FILE": str(write_events(self.tmp / "events.yaml")),
            "TRP_MANAGERS": f"alice:{hash_password(PASSWORD)}",
            "TRP_MIN_GROUP": "3",
            "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
        }

    def start(self) -> None:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
             "-addext", f"subjectAltName=DNS:{HOST}", "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        env = self.env()
        migrate = exec_start("trp-migrate.service")
        first = subprocess.run(migrate, cwd=ROOT, env=env, capture_output=True, text=True)
        assert first.returncode == 0 and "upgraded from revision none" in first.stdout, first
        again = subprocess.run(migrate, cwd=ROOT, env=env, capture_output=True, text=True)
        assert again.returncode == 0 and "already at revision" in again.stdout, again
        for port in self.ports:
            self.spawn(exec_start("trp@.service", i=str(port)), f"replica-{port}.log", env)
        site = self.tmp / "trp.conf"
        site.write_text(
            render_site(
                http_port=self.http_port,
                https_port=self.https_port,
                replicas=self.ports,
                cert=self.cert,
                key=self.key,
                logs=self.tmp,
            )
        )
        conf = self.tmp / "nginx.conf"
        conf.write_text(nginx_conf(self.tmp, site))
        nginx = [str(NGINX), "-p", str(self.tmp), "-c", str(conf)]
        checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        self.spawn([*nginx, "-g", "daemon off;"], "nginx.out", os.environ)
        for port in self.ports:
            self._wait(
                lambda p=port: urllib.request.urlopen(
                    f"http://127.0.0.1:{p}/_stcore/health", timeout=2
                ).close()
            )
        self._wait(lambda: socket.create_connection(("127.0.0.1", self.https_port), timeout=2).close())

    def spawn(self, argv: list[str], log: str, env: Mapping[str, str]) -> None:
        with (self.tmp / log).open("w") as out:
            self.processes.append(
                subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            )

    def _wait(self, probe: Callable[[], Any], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            dead = [p.args for p in self.processes if p.poll() is not None]
            if dead:
                raise RuntimeError(f"exited: {dead}\n{self.logs()}")
            try:
                probe()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"did not start in time\n{self.logs()}") from None
                time.sleep(0.3)

    def logs(self) -> str:
        files = [*sorted(self.tmp.glob("replica-*.log")), self.tmp / "nginx.out", self.tmp / "error.log"]
        return "\n".join(f"--- {f.name}\n{f.read_text()[-3000:]}" for f in files if f.exists())

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def request(
        self, path: str, headers: dict[str, str] | None = None, *, host: str = HOST, sni: str = HOST
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One HTTPS request to nginx as a browser at https://trp.example.com would make it; returns
        once nginx has logged it (a websocket: once closed), so a mark taken next sees only later ones."""
        context = ssl.create_default_context(cafile=self.cert)
        mark = self.log.mark()
        with (
            socket.create_connection(("127.0.0.1", self.https_port), timeout=15) as raw,
            context.wrap_socket(raw, server_hostname=sni) as tls,
        ):
            reply = _exchange(tls, path, {"Host": host, **(headers or {})})
        self.log.wait(mark)
        return reply

    def route_to(self, replica: str) -> str:
        """A route cookie that leads to `replica`, found by trying random ones as browsers get them."""
        for _ in range(60):
            route, mark = secrets.token_hex(16), self.log.mark()
            self.request("/_stcore/health", {"Cookie": f"{ROUTE}={route}"})
            (hit,) = self.log.hits(mark)
            if hit.upstream == replica:
                return route
        raise AssertionError(f"no route to {replica} in 60 random cookies")

    def replica_request(self, port: int, path: str, headers: dict[str, str]) -> int:
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            return _exchange(sock, path, headers)[0]


def _exchange(sock: socket.socket, path: str, headers: dict[str, str]) -> tuple[int, Any, bytes]:
    connection = http.client.HTTPConnection(headers["Host"])
    connection.sock = sock
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = b"" if response.status == 101 else response.read()
    return response.status, response.headers, body


def websocket_headers(origin: str | None) -> dict[str, str]:
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    return headers | ({"Origin": origin} if origin else {})


@pytest.fixture(scope="module")
def database(pg_admin: Engine) -> Iterator[str]:  # noqa: F811 - pg_admin is the imported fixture
    """A scratch database on the test server, dropped afterwards."""
    with pg_database(pg_admin) as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def nginx() -> Path:
    if not NGINX.exists():
        missing("nginx is not installed (apt-get install nginx)")
    return NGINX


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, nginx, database) -> Iterator[Deployment]:
    dep = Deployment(tmp_path_factory.mktemp("replicas"), database)
    try:
        dep.start()
        yield dep
    finally:
        dep.stop()


class BrowserThread:
    """Chromium in a thread of its own: Playwright's sync API allows one instance per thread, and
    the browser tests' session-wide one may still be open in the main thread."""

    def __init__(self, executable: str, args: list[str]):
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="chromium")
        self.pool.submit(self._start, executable, args).result()

    def _start(self, executable: str, args: list[str]) -> None:
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=executable, args=args)

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.pool.submit(fn, self.browser, *args).result()

    def close(self) -> None:
        def stop() -> None:
            self.browser.close()
            self.playwright.stop()

        self.pool.submit(stop).result()
        self.pool.shutdown()


@pytest.fixture(scope="module")
def public_browser(deployment) -> Iterator[BrowserThread]:
    """Chromium that finds trp.example.com (port 443) at nginx's loopback port."""
    path = chromium_path()
    if path is None:
        missing("Chromium is not installed (apt-get install chromium)")
    rule = f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{deployment.https_port}"
    thread = BrowserThread(path, [*CHROMIUM_ARGS, rule])
    yield thread
    thread.close()


# --- tests -----------------------------------------------------------------------------------------


def test_env_example_and_readme_name_every_setting():
    """Every TRP_* setting is in deploy/trp.env.example (set or commented out) and deploy/README.md."""
    settings = {f"TRP_{name.upper()}" for name in Settings.model_fields}
    example = DEPLOY / "trp.env.example"
    assert set(re.findall(r"^#?(TRP_[A-Z_]+)=", example.read_text(), flags=re.M)) == settings
    readme = (DEPLOY / "README.md").read_text()
    assert {name for name in settings if f"| `{name}` |" not in readme} == set()
    # A shell that sources the file (as the README's `trp` function does) reads what systemd reads.
    shipped = env_file(example)
    sourced = subprocess.run(
        ["sh", "-c", 'set -a; . "$0"; env -0', str(example)], env={}, capture_output=True, check=True
    ).stdout.decode()
    sourced_env = dict(line.split("=", 1) for line in sourced.split("\0") if "=" in line)
    assert {k: sourced_env.get(k) for k in shipped} == shipped
    # The values are valid settings.
    Settings(**{k.removeprefix("TRP_").lower(): v for k, v in shipped.items() if k.startswith("TRP_")})


def test_systemd_units_pass_systemd_analyze(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    units = []
    for unit in ("trp@.service", "trp-migrate.service"):
        text = (DEPLOY / "systemd" / unit).read_text()
        # systemd-analyze wants the programs to exist: those of the test's own environment.
        text = text.replace("/opt/trp/.venv/bin/", f"{Path(sys.executable).parent}/")
        name = unit.replace("@.", "@8501.")
        (tmp_path / name).write_text(text)
        if name != unit:
            (tmp_path / unit).write_text(text)
        units.append(str(tmp_path / name))
    checked = subprocess.run([analyze, "verify", *units], capture_output=True, text=True)
    assert (checked.returncode, checked.stderr, checked.stdout) == (0, "", "")


@pytest.mark.postgres
def test_proxy_routes_by_cookie_checks_origins_and_compresses(deployment):
    dep, log = deployment, deployment.log

    # A first visit gets a random route cookie and the security headers.
    mark = log.mark()
    status, headers, body = dep.request(f"/?survey={SURVEY_ID}&lang=en")
    assert status == 200 and b"<title>" in body
    (cookie,) = [c for c in headers.get_all("Set-Cookie") if c.startswith(f"{ROUTE}=")]
    route = re.fullmatch(rf"{ROUTE}=([0-9a-f]{{32}}); Path=/; Secure; HttpOnly; SameSite=Lax", cookie)
    assert route, cookie
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["Server"] == "nginx"
    # The log keeps the path only: no query string (it may hold a result code).
    (hit,) = log.hits(mark)
    assert (hit.path, hit.status) == ("/", 200)
    first = hit.upstream
    assert first in dep.replicas
    # Nor of a result's address, whose code opens the result.
    mark = log.mark()
    status, _, _ = dep.request("/result?code=ABCD-EFGH-JKMN-PQRS&lang=de", {"Cookie": f"{ROUTE}={route[1]}"})
    (hit,) = log.hits(mark)
    assert (hit.path, hit.status) == ("/result", 200)

    # The same cookie, the same replica, and no new cookie.
    mark = log.mark()
    for _ in range(6):
        _, headers, _ = dep.request("/_stcore/health", {"Cookie": f"{ROUTE}={route[1]}"})
        assert not [c for c in headers.get_all("Set-Cookie") or [] if c.startswith(ROUTE)]
    assert {h.upstream for h in log.hits(mark)} == {first}
    # Other browsers' random cookies lead to the other replica too; a malformed one is replaced.
    for replica in dep.replicas:
        dep.route_to(replica)
    _, headers, _ = dep.request("/_stcore/health", {"Cookie": f"{ROUTE}=../../etc"})
    assert [c for c in headers.get_all("Set-Cookie") if c.startswith(f"{ROUTE}=")]

    # Streamlit sends its scripts uncompressed; nginx compresses them.
    script = re.search(rb'src="\./(static/js/[^"]+\.js)"', body)[1].decode()
    _, plain_headers, plain = dep.request(f"/{script}")
    _, gz_headers, packed = dep.request(f"/{script}", {"Accept-Encoding": "gzip"})
    assert plain_headers["Content-Encoding"] is None
    assert gz_headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed) == plain and len(packed) < len(plain) / 2

    # The websocket: another page's Origin, or none, is refused by nginx itself (no upstream);
    # the public origin is passed to a replica and upgraded.
    for origin in ("https://evil.example", "http://trp.example.com", "https://TRP.EXAMPLE.COM",
                   "https://trp.example.com.evil.example", "https://trpXexample.com", None):  # fmt: skip
        mark = log.mark()
        status, _, _ = dep.request("/_stcore/stream", websocket_headers(origin))
        assert status == 403, origin
        assert log.hits(mark) == [Hit("GET", "/_stcore/stream", 403, "-")]
    # Nor does another spelling of the path get a foreign page a websocket.
    for path in ("//_stcore/stream", "/_stcore/%73tream", "/_stcore/stream?x=1", "/_stcore/stream/"):
        status, _, _ = dep.request(path, websocket_headers("https://evil.example"))
        assert status in (403, 404), path
    mark = log.mark()
    status, headers, _ = dep.request("/_stcore/stream", websocket_headers(ORIGIN))
    assert status == 101 and headers["Upgrade"].lower() == "websocket"
    (hit,) = log.hits(mark)
    assert hit.status == 101 and hit.upstream in dep.replicas
    # Streamlit's metrics are not public, in any spelling of their path.
    for path in (
        "/_stcore/metrics",
        "/_stcore/METRICS",
        "//_stcore/metrics",
        "/_stcore/%6Detrics",
        "/_stcore/metrics/",
    ):
        mark = log.mark()
        status, _, body = dep.request(path, {"Cookie": f"{ROUTE}={route[1]}"})
        assert status == 404 and b"session" not in body, path
        assert [h.upstream for h in log.hits(mark)] == ["-"], path
    assert dep.replica_request(dep.ports[0], "/_stcore/metrics", {"Host": HOST}) == 200, "the operator's"
    # A replica refuses a websocket for another host name (STREAMLIT_SERVER_ALLOWED_HOSTS).
    direct = {"Host": "evil.example", **websocket_headers("http://evil.example")}
    assert dep.replica_request(dep.ports[0], "/_stcore/stream", direct) == 403
    direct = {"Host": HOST, **websocket_headers(ORIGIN)}
    assert dep.replica_request(dep.ports[0], "/_stcore/stream", direct) == 101

    # Plain HTTP only redirects; other names get no answer at all.
    with socket.create_connection(("127.0.0.1", dep.http_port), timeout=15) as sock:
        status, headers, _ = _exchange(sock, "/result?lang=en", {"Host": HOST})
    assert (status, headers["Location"]) == (301, f"{ORIGIN}/result?lang=en")
    with (
        socket.create_connection(("127.0.0.1", dep.http_port), timeout=15) as sock,
        pytest.raises(http.client.RemoteDisconnected),
    ):
        _exchange(sock, "/", {"Host": "other.example"})
    with pytest.raises(ssl.SSLError):
        dep.request("/", sni="other.example", host="other.example")
    # No query string anywhere in the log: no result code ever reaches it.
    logged = log.path.read_text()
    assert "code=" not in logged and "ABCD-EFGH" not in logged and "?" not in logged


@pytest.mark.postgres
@pytest.mark.browser
def test_visitors_on_both_replicas_and_the_dashboard_on_each(deployment, public_browser):
    ARTIFACTS.mkdir(exist_ok=True)
    public_browser.run(scenario, deployment, ARTIFACTS)


# --- the browser scenario (runs in the browser's thread) -------------------------------------------


@dataclass
class Visit:
    replica: str
    route: str
    code: str
    link: str | None = None


def new_page(browser, problems: list[str], route: str | None = None, **options: Any):
    context = browser.new_context(
        viewport=TABLET, locale="en", ignore_https_errors=True, accept_downloads=True, **options
    )
    if route:
        cookie = {"name": ROUTE, "value": route, "url": ORIGIN, "secure": True, "httpOnly": True}
        context.add_cookies([{**cookie, "sameSite": "Lax"}])
    page = context.new_page()
    context.websockets = []  # opened by this browser; nginx logs each when it closes
    page.on("websocket", lambda ws: context.websockets.append(ws.url))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on(
        "request",
        lambda r: (
            problems.append(f"request to {r.url}")
            if r.url.startswith("http") and not r.url.startswith(ORIGIN)
            else None
        ),
    )
    return context, page


def close_and_check(context, log: AccessLog, mark: int, replica: str) -> None:
    """Close the browser; every request it made since the mark, its websocket too, went to `replica`."""
    opened = len(context.websockets)
    context.close()
    hits = log.wait(mark, lambda h: h.path == "/_stcore/stream" and h.status == 101, count=opened)
    assert {h.upstream for h in hits} == {replica}, hits


def scenario(browser, dep: Deployment, artifacts: Path) -> None:
    from tests.support.driver import Partner, screenshot, settle
    from tests.support.navigation import go

    survey = load_survey(SURVEYS / f"{SURVEY_ID}.yaml")
    problems: list[str] = []
    visits: list[Visit] = []
    outcomes = ["held", "kandidat", "vampir"]
    # Fresh browsers until VISITORS surveys are completed, at most VISITORS - 1 on one replica: so
    # both replicas have some. A browser that reached a full replica leaves after the start page.
    for _ in range(30):
        if len(visits) == VISITORS:
            break
        kiosk = len(visits) == VISITORS - 1
        mark = dep.log.mark()
        context, page = new_page(browser, problems, has_touch=kiosk)
        partner = Partner(page, ORIGIN, survey, "en", artifacts, f"replicas-{len(visits) + 1}")
        if kiosk:
            page.goto(f"{ORIGIN}/?{urlencode(signed_query(dep.database_url))}&lang=en")
            settle(page)
        else:
            partner.open()
        (replica,) = {h.upstream for h in dep.log.wait(mark)}
        if sum(v.replica == replica for v in visits) == VISITORS - 1:
            close_and_check(context, dep.log, mark, replica)
            continue
        (route,) = [c["value"] for c in context.cookies(ORIGIN) if c["name"] == ROUTE]
        if kiosk:
            visit = kiosk_visit(page, partner, answers(outcomes[len(visits)]), replica, route)
        else:
            partner.run_through(answers(outcomes[len(visits)]), shoot=False)
            visit = Visit(replica, route, partner.result_code())
            assert page.get_by_text(visit.code).first.is_visible()
        if not visits:
            screenshot(page, artifacts / "replicas-visitor-result.png")
            pdf = pdf_download(page, visit)
        visits.append(visit)
        close_and_check(context, dep.log, mark, replica)
        if len(visits) == 1:
            # The PDF is in the memory of the visitor's replica (kept a while after the browser
            # left): the other replica does not have it, so a browser must stay on its replica.
            other = next(r for r in dep.replicas if r != replica)
            status, _, body = dep.request(pdf, {"Cookie": f"{ROUTE}={dep.route_to(other)}"})
            assert status == 404
            status, _, body = dep.request(pdf, {"Cookie": f"{ROUTE}={route}"})
            assert status == 200 and body.startswith(b"%PDF")
    assert len(visits) == VISITORS and {v.replica for v in visits} == set(dep.replicas), visits
    assert len({v.code for v in visits}) == VISITORS
    routes = {v.replica: v.route for v in visits}

    # The kiosk's QR link, opened on a phone whose browser reaches the other replica.
    kiosk = visits[-1]
    other = next(r for r in dep.replicas if r != kiosk.replica)
    mark = dep.log.mark()
    context, page = new_page(browser, problems, routes[other])
    page.goto(kiosk.link)
    settle(page)
    page.get_by_text(kiosk.code).first.wait_for(timeout=30_000)
    close_and_check(context, dep.log, mark, other)

    # A manager on each replica sees the same release: yesterday's surveys (stored here, with their
    # sessions), not today's, which wait for the next day's release (PRIVACY.md, rule 0).
    yesterday = date.today() - timedelta(days=1)
    engine = make_engine(dep.database_url)
    try:
        store = Store(engine)
        for outcome in outcomes:
            given = answers_for(SURVEY_ID, outcome)
            store.save_response(
                survey=survey, assessment=assess(survey, given), answers=given, lang="en", event=None,
                submission_key=uuid.uuid4().hex, code_hash=hash_code(uuid.uuid4().hex), day=yesterday,
            )  # fmt: skip
            store.count(SURVEY_ID, None, ["started", "completed"], day=yesterday)
    finally:
        engine.dispose()
    for n, replica in enumerate(dep.replicas, 1):
        mark = dep.log.mark()
        context, page = new_page(browser, problems, routes[replica])
        log_in(page)
        assert metric(page, t("mgr_responses", "en")) == str(len(outcomes))
        assert metric(page, t("mgr_completed", "en")) == str(len(outcomes))
        note = t("mgr_release_note", "en", day=formatting.day(date.today(), "en"), k=3)
        assert page.get_by_text(note).first.is_visible()
        screenshot(page, artifacts / f"replicas-dashboard-replica{n}.png")
        if n == 2:  # the other manager pages, for the Content-Security-Policy
            for key, title in [
                ("nav_calibration", "mgr_calibration_title"),
                ("nav_exports", "mgr_exports_title"),
            ]:
                go(page, key)
                page.get_by_role("heading", name=t(title, "en")).wait_for(timeout=60_000)
                settle(page, 60_000)
        close_and_check(context, dep.log, mark, replica)

    assert problems == []
    # No request failed over to the other replica, none failed.
    assert [h for h in dep.log.hits(0) if "," in h.upstream or h.status >= 500] == []


def kiosk_visit(page, partner, answers: dict, replica: str, route: str) -> Visit:
    from tests.support.driver import screenshot, settle

    page.get_by_role("button", name=t("kiosk_start", "en")).click()
    settle(page)
    for section in partner.survey.ordered_sections:
        partner.answer_section(section, answers)
        partner.next()
    partner.set_figures(answers)
    partner.click_button(t("submit", "en"))
    page.wait_for_selector("text=" + t("kiosk_qr", "en"), timeout=30_000)
    settle(page)
    link = page.locator("code").filter(has_text="/result?code=").first.inner_text().strip()
    assert link.startswith(f"{ORIGIN}/result?code="), link
    # The QR code is an image the replica keeps in memory: it loads only from the same replica.
    qr = page.locator('[data-testid="stImage"] img').first
    qr.wait_for(timeout=30_000)
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, ARTIFACTS / "replicas-kiosk-result.png")
    return Visit(replica, route, link.rsplit("=", 1)[1], link)


def pdf_download(page, visit: Visit) -> str:
    """The PDF of the result; its path under /media/."""
    with page.expect_download() as download:
        page.get_by_role("button", name=t("pdf_button", "en")).click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert visit.code in text
    path = "/" + download.value.url.split("/", 3)[3]
    assert path.startswith("/media/"), path
    return path


def log_in(page) -> None:
    from tests.support.driver import settle

    page.goto(ORIGIN)  # the first run goes through app.py, so that /manage is the login page
    settle(page)
    page.goto(f"{ORIGIN}/manage")
    settle(page)
    page.get_by_label(t("login_name", "en")).fill("alice")
    page.get_by_label(t("login_password", "en"), exact=True).fill(PASSWORD)
    page.get_by_label(t("login_password", "en"), exact=True).press("Enter")
    page.wait_for_url("**/manage_dashboard*", timeout=30_000)
    settle(page, 60_000)


def metric(page, label: str) -> str:
    tile = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return tile.get_by_test_id("stMetricValue").inner_text(timeout=30_000).strip()
