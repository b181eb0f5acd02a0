"""`trp serve --replicas 2`: the single-machine deployment, two app processes behind nginx, one command.

Started as an operator starts it (tests/support/server.py's Replicas runs `trp serve` with a port and
a run folder), on SQLite and on PostgreSQL: both replicas serve, the sticky route cookie keeps a
browser's requests and a protocol session on one replica and other cookies reach the other one,
a submission through nginx is stored once, and Ctrl+C or SIGTERM leaves no process behind. Which
replica served a request is read from nginx's access log (the shipped format names the upstream).
Without nginx the tests are skipped; under CI=true they fail.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import random
import re
import secrets
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import ROOT, SURVEYS, in_own_thread
from tests.store.conftest import pg_admin, pg_database  # noqa: F401 - pg_admin is a fixture
from tests.support.server import Replicas
from tests.support.stclient import Session as Tab
from tests.support.stclient import Visitor
from trp_core.files.surveys import load_survey
from trp_core.method.codes import code_hash
from trp_core.store.engine import make_engine
from trp_core.store.models import Response

NGINX = Path("/usr/sbin/nginx")
ROUTE = "trp_route"
STREAM = re.compile(r'^GET /_stcore/stream (\d{3}) \d+ "([^"]*)"')


def missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: it must be there)")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def deployment(request, tmp_path) -> Iterator[tuple[Replicas, str]]:
    if not NGINX.exists():
        missing("nginx is not installed (apt-get install nginx)")
    if request.param == "postgres":
        with pg_database(request.getfixturevalue("pg_admin")) as url:
            database = url.render_as_string(hide_password=False)
            dep = Replicas(tmp_path, 2, env={"TRP_DATABASE_URL": database, "TRP_SURVEYS_DIR": str(SURVEYS)})
            try:
                yield dep, database
            finally:
                dep.stop()
        return
    dep = Replicas(tmp_path, 2, env={"TRP_SURVEYS_DIR": str(SURVEYS)})
    try:
        yield dep, f"sqlite:///{dep.db}"
    finally:
        dep.stop()


def get(
    dep: Replicas, path: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, str]:
    """One request to nginx as a browser at the public URL makes it; returns once nginx has logged it."""
    log = dep.run / "trp.access.log"
    before = len(log.read_text().splitlines()) if log.exists() else 0
    connection = http.client.HTTPConnection("127.0.0.1", dep.port, timeout=30)
    connection.request("GET", path, headers={"Host": f"127.0.0.1:{dep.port}", **(headers or {})})
    response = connection.getresponse()
    if response.status != 101:
        response.read()
    connection.close()
    deadline = time.monotonic() + 20
    while len(log.read_text().splitlines()) <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    (line,) = log.read_text().splitlines()[before:]
    return response.status, response.headers, line.split('"')[1]


def route_to(dep: Replicas, replica: str) -> str:
    """A route cookie that leads to `replica`, found by trying random ones as browsers get them."""
    for _ in range(60):
        route = secrets.token_hex(16)
        if get(dep, "/_stcore/health", {"Cookie": f"{ROUTE}={route}"})[2] == replica:
            return route
    raise AssertionError(f"no route to {replica} in 60 random cookies")


def sessions(dep: Replicas) -> list[tuple[int, str]]:
    """(status, replica) of every websocket nginx has logged (it logs one when it closes)."""
    lines = (dep.run / "trp.access.log").read_text().splitlines()
    return [(int(m[1]), m[2]) for m in map(STREAM.match, lines) if m]


def test_two_replicas_behind_nginx_started_and_stopped_by_one_command(deployment):
    dep, database = deployment
    replicas = [f"127.0.0.1:{p}" for p in dep.replica_ports]
    assert "2 replicas" in dep.output.read_text() and "upgraded from revision none" in dep.output.read_text()

    # A first visit gets a random route cookie (no Secure flag over plain HTTP) and the site's headers.
    status, headers, first = get(dep, "/?lang=en")
    assert status == 200 and first in replicas
    (cookie,) = [c for c in headers.get_all("Set-Cookie") if c.startswith(f"{ROUTE}=")]
    route = re.fullmatch(rf"{ROUTE}=([0-9a-f]{{32}}); Path=/; HttpOnly; SameSite=Lax", cookie)
    assert route, cookie
    assert (
        headers["X-Content-Type-Options"] == "nosniff"
        and "frame-ancestors" in headers["Content-Security-Policy"]
    )
    # The same cookie, the same replica; other browsers' cookies reach the other replica too.
    assert {get(dep, "/_stcore/health", {"Cookie": cookie.split(";")[0]})[2] for _ in range(6)} == {first}
    routes = {replica: route_to(dep, replica) for replica in replicas}
    # A page of another origin may not open the app's websocket.
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
    assert get(dep, "/_stcore/stream", {**upgrade, "Origin": "http://evil.example"})[:1] == (403,)

    # A protocol visitor on each replica, pinned there by its cookie, completes a survey and submits.
    survey = load_survey(SURVEYS / "trp-cloud.yaml")

    async def visit(replica: str) -> str:
        visitor = Visitor(dep.url, survey, "en", random.Random(replica), double_tap=1.0,
                          cookie=f"{ROUTE}={routes[replica]}")  # fmt: skip
        try:
            done = await visitor.complete()
        finally:
            await visitor.close()
        assert done.code and not done.errors, done
        return done.code

    before = len(sessions(dep))
    codes = {replica: in_own_thread(asyncio.run, visit(replica)) for replica in replicas}
    deadline = time.monotonic() + 20
    while len(sessions(dep)) < before + 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sessions(dep)[before:] == [(101, replica) for replica in replicas]  # each on its replica

    # Each submission (tapped twice) is stored once, whichever replica took it.
    engine = make_engine(database)
    try:
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(Response)) == 2
            for code in codes.values():
                assert s.scalar(select(func.count()).where(Response.code_hash == code_hash(code))) == 1
    finally:
        engine.dispose()

    # Every replica opens every result by its code.
    async def reopen(replica: str, code: str) -> list[str]:
        async with Tab(dep.url, cookie=f"{ROUTE}={routes[replica]}") as tab:
            await tab.connect(f"code={code}&lang=en", page="result")
            return tab.texts()

    for replica in replicas:
        for code in codes.values():
            assert any(code in text for text in in_own_thread(asyncio.run, reopen(replica, code))), (
                replica,
                code,
            )

    # Ctrl+C stops nginx and both replicas; nothing is left running, every port is free again.
    children = dep.children()
    assert len(children) >= 4  # two replicas, nginx's master and its worker
    assert dep.stop(signal.SIGINT) == 0
    assert "stopped" in dep.output.read_text().splitlines()[-1]
    time.sleep(0.5)
    assert [pid for pid in children if _alive(pid)] == []
    for port in [dep.port, *dep.replica_ports]:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_serve_refuses_what_it_cannot_run(tmp_path):
    """Without a database driver, with a port taken, or with half a certificate: a message, no process."""
    from click.testing import CliRunner

    from trp_core.cli.main import main

    runner = CliRunner()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(
            main, ["serve", "-r", "2", "--port", str(port), "--url", f"sqlite:///{tmp_path}/x"]
        )
    if NGINX.exists():
        assert result.exit_code == 1 and f"port {port} already in use" in result.stderr
    result = runner.invoke(main, ["serve", "--cert", str(ROOT / "README.md")])
    assert result.exit_code == 2 and "--cert and --key go together" in result.stderr
    result = runner.invoke(main, ["serve", "--url", "mysql://x@y/z"])
    assert result.exit_code == 1 and "not mysql" in result.stderr


def test_https_site_keeps_the_shipped_tls_settings(tmp_path):
    """With --cert and --key the site stays the shipped HTTPS one on one port, and nginx accepts it."""
    import subprocess

    from trp_core.cli.serve import SITE, Site, SiteError, main_config, render_site

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=trp.test",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = Site("127.0.0.1", 8443, "https://TRP.test:8443/", [9001, 9002, 9003], tmp_path, cert, key)
    text = render_site(SITE.read_text(), site)
    assert "listen 127.0.0.1:8443 ssl http2;" in text and "listen 127.0.0.1:8443 ssl default_server;" in text
    assert "ssl_reject_handshake on;" in text and "Strict-Transport-Security" in text
    assert "Path=/; Secure; HttpOnly; SameSite=Lax" in text
    assert '"~^https://trp\\.test:8443$" 1;' in text and "server_name trp.test;" in text
    assert [line.strip() for line in text.splitlines() if line.strip().startswith("server 127")] == [
        f"server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in (9001, 9002, 9003)
    ]
    assert "listen 80" not in text and "listen 443" not in text and "/etc/letsencrypt" not in text
    # A changed site that no longer has a line the command adapts fails loudly, never half-adapted.
    with pytest.raises(SiteError):
        render_site(SITE.read_text().replace("listen 443 ssl http2;", "listen 443 ssl;"), site)
    if not NGINX.exists():
        missing("nginx is not installed (apt-get install nginx)")
    (tmp_path / "trp.conf").write_text(text)
    (tmp_path / "nginx.conf").write_text(main_config(tmp_path, tmp_path / "trp.conf"))
    checked = subprocess.run(
        [str(NGINX), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
