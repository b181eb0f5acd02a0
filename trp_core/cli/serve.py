"""`trp serve`: the single-machine deployment that uses every core.

N app processes ("replicas", `streamlit run app.py`, as deploy/systemd/trp@.service starts them) on
consecutive loopback ports, with nginx in front running the shipped site deploy/nginx/trp.conf,
adapted to one machine: its port (plain HTTP, or HTTPS with --cert and --key), its public URL, N
upstream servers, and its files in a run folder, so that it needs no root. The migration runs once
before (`trp db upgrade`, as deploy/systemd/trp-migrate.service does). Ctrl+C or SIGTERM stops nginx,
then every replica, and waits for them.

SQLite serves several processes on one machine: every connection uses the write-ahead log and a
busy timeout of 10 s, and every write transaction takes the write lock at its start (BEGIN
IMMEDIATE) and is tried again should the lock stay taken (trp_core/store/engine.py), so concurrent
writers queue instead of failing; readers never wait. The file must be on a local disk (the log's
shared memory does not work over a network file system).
"""

from __future__ import annotations

import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import click

from trp_core.cli.common import EXIT_DATABASE, fail, parse_url, url_option

ROOT: Final = Path(__file__).resolve().parent.parent.parent  # the installation: app.py, deploy/
SITE: Final = ROOT / "deploy" / "nginx" / "trp.conf"
NGINX: Final = "/usr/sbin/nginx"
MIME_TYPES: Final = Path("/etc/nginx/mime.types")
STOP_SECONDS: Final = 20  # as trp@.service's TimeoutStopSec
START_SECONDS: Final = 90
EXIT_START: Final = 1


class SiteError(ValueError):
    """The shipped site no longer has a line this command adapts."""


@dataclass(frozen=True)
class Site:
    """What the shipped site becomes on one machine."""

    address: str  # where nginx listens
    port: int
    public_url: str  # scheme://host[:port], the only origin allowed to open the websocket
    replicas: list[int]  # loopback ports
    logs: Path  # folder of the access and error log
    cert: Path | None = None  # with key: HTTPS on `port`; without: plain HTTP
    key: Path | None = None

    @property
    def tls(self) -> bool:
        return self.cert is not None


def public_origin(url: str) -> str:
    """scheme://host[:port] of a public URL, lower case (browsers send Origin so)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{url!r} is not an http:// or https:// address", param_hint="--public-url")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def render_site(template: str, site: Site) -> str:
    """deploy/nginx/trp.conf for one machine; each change must find its line (else SiteError)."""
    origin = public_origin(site.public_url)
    host = urlsplit(origin).hostname or ""
    listen = f"{site.address}:{site.port}"
    ssl = " ssl" if site.tls else ""
    upstream = "".join(
        f"\\1server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in site.replicas
    )
    rules: list[tuple[str, str | Callable[[re.Match[str]], str], int]] = [
        # The redirect from port 80: one port here (a user without root cannot bind 80 anyway).
        (r"^# Plain HTTP: only the redirect(?s:.*?)\n\}\n\n", "", 1),
        (r"^[ \t]*listen \[::\]:\d+.*\n", "", 3),  # the catch-all and the site: one address
        (r"^([ \t]*)listen 80 default_server;\n[ \t]*listen 443 ssl default_server;",
         rf"\1listen {listen}{ssl} default_server;", 1),
        (r"^([ \t]*)listen 443 ssl http2;", rf"\1listen {listen}{ssl}{' http2' if site.tls else ''};", 1),
        (r"^([ \t]*)server 127\.0\.0\.1:8501 .*\n[ \t]*server 127\.0\.0\.1:8502 .*\n", upstream, 1),
        (r"^([ \t]*)server_name trp\.example\.com;", rf"\1server_name {host};", 1),
        (r'"~\^https://trp\\\.example\\\.com\$" 1;', lambda _: f'"~^{_nginx_regex(origin)}$" 1;', 1),
        (r"/var/log/nginx/trp\.access\.log", lambda _: str(site.logs / "trp.access.log"), 1),
        (r"/var/log/nginx/trp\.error\.log", lambda _: str(site.logs / "trp.error.log"), 1),
    ]  # fmt: skip
    if site.tls:
        rules += [
            (r"/etc/letsencrypt/live/trp\.example\.com/fullchain\.pem", lambda _: str(site.cert), 1),
            (r"/etc/letsencrypt/live/trp\.example\.com/privkey\.pem", lambda _: str(site.key), 1),
        ]
    else:  # plain HTTP: no certificate, no HSTS, and a route cookie the browser keeps without TLS
        rules += [
            (r"^[ \t]*ssl_(certificate|certificate_key|protocols|session_cache|session_timeout) .*\n", "", 5),
            (r"^[ \t]*ssl_reject_handshake on;\n", "", 1),
            (r"^[ \t]*add_header Strict-Transport-Security .*\n", "", 1),
            (r"Path=/; Secure; HttpOnly;", "Path=/; HttpOnly;", 1),
        ]
    text = template
    for pattern, replacement, expected in rules:
        text, found = re.subn(pattern, replacement, text, flags=re.M)
        if found != expected:
            raise SiteError(f"{SITE}: {pattern!r} found {found} times, not {expected}")
    return text


def _nginx_regex(text: str) -> str:
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text)


def main_config(run: Path, site: Path) -> str:
    """nginx's main configuration around the site, as Debian's nginx.conf has it, with every file
    it writes (pid, temporary files, logs) in the run folder."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    files = 8192 if hard == resource.RLIM_INFINITY else min(8192, hard)
    temp = "\n".join(
        f"    {kind}_temp_path {run / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Started by root, the workers run as nobody; nginx hands its temporary folders to them.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    return f"""{user}
worker_processes 1;
worker_rlimit_nofile {files};
pid {run / "nginx.pid"};
error_log {run / "error.log"} warn;
events {{ worker_connections {files // 2}; }}
http {{
    sendfile on;
    types_hash_max_size 2048;
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log off;
{temp}
    include {site};
}}
"""


@dataclass
class Deployment:
    """The running processes: replicas first, nginx last."""

    run: Path
    processes: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def spawn(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl+C reaches this command only; it stops them in order
                preexec_fn=_die_with_parent,
            )
        self.processes.append((name, process))
        return process

    def exited(self) -> list[tuple[str, int]]:
        return [(name, p.returncode) for name, p in self.processes if p.poll() is not None]

    def stop(self) -> None:
        """nginx first (no new requests), then the replicas; each has STOP_SECONDS, then is killed."""
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM should this command die without stopping it (kill -9)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _port_free(address: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def _wait(what: str, probe: Callable[[], object], dep: Deployment) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        dead = dep.exited()
        if dead:
            raise RuntimeError(f"{', '.join(n for n, _ in dead)} stopped while starting")
        try:
            probe()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer within {START_SECONDS} s") from None
            time.sleep(0.3)


def _health(port: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
        r.read()


class _Stop(Exception):
    pass


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


@click.command("serve")
@click.option(
    "--replicas",
    "-r",
    type=click.IntRange(1, 256),
    default=None,
    help="App processes; default: one per CPU core of this machine.",
)
@click.option(
    "--port",
    "-p",
    type=click.IntRange(1, 65535),
    default=8080,
    show_default=True,
    help="nginx's port, where browsers connect.",
)
@click.option(
    "--address",
    default="127.0.0.1",
    show_default=True,
    help="nginx's address; 0.0.0.0 for tablets and phones on the network.",
)
@click.option(
    "--first-replica-port",
    type=click.IntRange(1024, 65535),
    default=8501,
    show_default=True,
    help="The replicas listen on 127.0.0.1 from this port on, one port each.",
)
@click.option(
    "--public-url",
    default=None,
    help="The address visitors use (QR codes, links; the only origin nginx admits). "
    "Default: TRP_PUBLIC_URL when set, else http://localhost:PORT.",
)
@click.option(
    "--cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Certificate chain (PEM): HTTPS on --port; with --key.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The certificate's private key (PEM).",
)
@click.option(
    "--run-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="nginx's configuration, pid, logs and the replicas' logs; default: a new temporary "
    "folder, removed at a clean stop.",
)
@click.option("--nginx", "nginx_path", default=NGINX, show_default=True, help="The nginx program.")
@url_option
def serve(
    replicas: int | None,
    port: int,
    address: str,
    first_replica_port: int,
    public_url: str | None,
    cert: Path | None,
    key: Path | None,
    run_dir: Path | None,
    nginx_path: str,
    url: str | None,
) -> None:
    """Run the app on every core: N replicas behind nginx with sticky sessions, until Ctrl+C.

    Migrates the database once (`trp db upgrade`), starts the replicas on consecutive loopback
    ports and nginx with the shipped site (deploy/nginx/trp.conf) on --port, and stops them all on
    Ctrl+C or SIGTERM. SQLite or PostgreSQL (TRP_DATABASE_URL or --url).
    """
    count = replicas or os.cpu_count() or 1
    if (cert is None) != (key is None):
        raise click.UsageError("--cert and --key go together")
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        file = parsed.database or ""
        if file in ("", ":memory:") or file.startswith("file:"):
            fail("trp serve needs a SQLite file (or PostgreSQL) that every replica opens", code=EXIT_DATABASE)
        # The replicas run in the installation's folder: a relative path means the one here.
        parsed = parsed.set(database=str(Path(file).expanduser().resolve()))
    database = parsed.render_as_string(hide_password=False)
    if not Path(nginx_path).exists():
        fail(f"{nginx_path}: nginx is not installed (Debian: apt-get install nginx)", code=EXIT_START)
    if not (ROOT / "app.py").exists() or not SITE.exists():
        fail(
            f"{ROOT}: not an installation of TRP Self-Check (app.py and deploy/ are missing)", code=EXIT_START
        )
    ports = list(range(first_replica_port, first_replica_port + count))
    if ports[-1] > 65535 or port in ports:
        raise click.UsageError("the replicas' ports overlap --port or go beyond 65535")
    taken = [p for p in ports if not _port_free("127.0.0.1", p)]
    if not _port_free(address, port):
        taken.insert(0, port)
    if taken:
        fail(
            f"port {', '.join(map(str, taken))} already in use (--port, --first-replica-port)",
            code=EXIT_START,
        )
    settings_url = os.environ.get("TRP_PUBLIC_URL")
    scheme = "https" if cert else "http"
    public = public_url or settings_url or f"{scheme}://localhost:{port}"
    origin = public_origin(public)

    run = run_dir or Path(tempfile.mkdtemp(prefix="trp-serve-"))
    run.mkdir(parents=True, exist_ok=True)
    run = run.resolve()
    if os.geteuid() == 0:
        run.chmod(0o711)  # nginx's workers (nobody) reach their temporary folders in it
    site = Site(address, port, public, ports, run, cert and cert.resolve(), key and key.resolve())
    try:
        (run / "trp.conf").write_text(render_site(SITE.read_text(), site))
    except SiteError as exc:
        fail(str(exc), code=EXIT_START)
    (run / "nginx.conf").write_text(main_config(run, run / "trp.conf"))
    nginx = [nginx_path, "-p", str(run), "-c", str(run / "nginx.conf")]
    checked = subprocess.run([*nginx, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        fail(f"nginx refuses the configuration in {run}:", checked.stderr.strip(), code=EXIT_START)

    # The environment of every replica and the migration: the same secrets, so that cookies stay
    # valid whichever replica a browser reaches after a failover.
    env = {**os.environ, "TRP_DATABASE_URL": database, "TRP_PUBLIC_URL": public.rstrip("/")}
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
    env.setdefault("TRP_OIDC_COOKIE_SECRET", secrets.token_hex(32))

    shown = parsed.render_as_string(hide_password=True)
    click.echo(f"database {shown}: trp db upgrade", err=True)
    migrate = subprocess.run(
        [sys.executable, "-m", "trp_core.cli", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    for line in (migrate.stdout + migrate.stderr).splitlines():
        click.echo(f"  {line}", err=True)
    if migrate.returncode != 0:
        sys.exit(EXIT_DATABASE)

    dep = Deployment(run)
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    code = 0
    try:
        for p in ports:
            dep.spawn(
                f"replica {p}",
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(p),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                env,
                run / f"replica-{p}.log",
            )  # fmt: skip
        for p in ports:
            _wait(f"replica {p}", lambda p=p: _health(p), dep)
        dep.spawn("nginx", [*nginx, "-g", "daemon off;"], dict(os.environ), run / "nginx.out")
        _wait("nginx", lambda: socket.create_connection((address if address != "0.0.0.0" else "127.0.0.1", port), timeout=2).close(), dep)  # fmt: skip
        click.echo(
            f"TRP Self-Check at {origin}/: {count} replica{'s' if count > 1 else ''} "
            f"(127.0.0.1:{ports[0]}–{ports[-1]}) behind nginx on {address}:{port}; logs in {run}. "
            "Ctrl+C stops.",
            err=True,
        )
        while True:
            dead = dep.exited()
            if dead:
                names = ", ".join(f"{n} (exit {c})" for n, c in dead)
                click.echo(f"stopped by itself: {names}; stopping the others (logs in {run})", err=True)
                code = EXIT_START
                break
            time.sleep(0.5)
    except _Stop as stop:
        click.echo(f"{stop.args[0]}: stopping nginx and the replicas", err=True)
    except RuntimeError as exc:
        click.echo(f"{exc}; logs in {run}", err=True)
        code = EXIT_START
    finally:
        for s in previous:
            signal.signal(s, signal.SIG_IGN)  # a second Ctrl+C does not cut the stop short
        dep.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
    if code == 0 and run_dir is None:
        import shutil

        shutil.rmtree(run, ignore_errors=True)
    click.echo("stopped", err=True)
    sys.exit(code)
