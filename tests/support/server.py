"""The real app as a process, and how the tests and bench start Chromium against it.

Shared by the e2e fixtures, the system tests and bench/; nothing here needs pytest.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    """Debian's Chromium, or None when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    """A loopback port no one listens on right now (each server gets its own: tests run in parallel)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` of `app_dir` (the app with its HTTP routes) on a loopback port with its own
    SQLite file."""

    def __init__(self, tmp: Path, env: dict[str, str] | None = None, app_dir: Path = ROOT):
        self.port = free_port()
        self.db = tmp / "trp.sqlite3"
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "server.log"
        environment = {
            **os.environ,
            "TRP_DATABASE_URL": f"sqlite:///{self.db}",
            "TRP_PUBLIC_URL": self.url,
            **(env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=app_dir, env=environment, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the app did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def free_ports(count: int) -> int:
    """The first of `count` consecutive loopback ports no one listens on right now."""
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20_000, 60_000 - count)
        try:
            with contextlib.ExitStack() as stack:
                for port in range(first, first + count):
                    s = stack.enter_context(socket.socket())
                    s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError(f"no {count} consecutive free ports")


class Replicas:
    """`trp serve --replicas N`: N app processes behind nginx on a loopback port, its own SQLite file
    unless `env` names another database; nginx's files and the replicas' logs in `tmp / "run"`.

    `url` is the public address (nginx); `log` collects the replicas' logs once stopped, as `Server.log`
    holds the one server's."""

    def __init__(self, tmp: Path, replicas: int, env: dict[str, str] | None = None, app_dir: Path = ROOT):
        self.port = free_port()
        self.first = free_ports(replicas)
        self.replica_ports = list(range(self.first, self.first + replicas))
        self.db = tmp / "trp.sqlite3"
        self.url = f"http://127.0.0.1:{self.port}"
        self.run = tmp / "run"
        self.output = tmp / "serve.log"  # what `trp serve` itself says
        self.log = tmp / "server.log"
        environment = {
            **os.environ,
            "TRP_DATABASE_URL": f"sqlite:///{self.db}",
            "TRP_PUBLIC_URL": self.url,
            **(env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "trp_core.cli", "serve", "--replicas", str(replicas), "--port", str(self.port),
             "--first-replica-port", str(self.first), "--run-dir", str(self.run)],
            cwd=app_dir, env=environment, stdout=self.output.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            if "Ctrl+C stops" in self.output.read_text():
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"trp serve did not start: {self.output.read_text()[-3000:]}")

    def children(self) -> list[int]:
        """The process ids below `trp serve` (the replicas, nginx and its workers)."""
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(stat.parent.name)] = int(fields[1])
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            kids = [c for c, p in parents.items() if p == pid]
            found += kids
            todo += kids
        return found

    def sessions_per_replica(self) -> dict[str, int]:
        """Websocket sessions per replica ("127.0.0.1:PORT"), from nginx's access log (logged when closed)."""
        log = self.run / "trp.access.log"
        lines = log.read_text().splitlines() if log.exists() else []
        found = Counter(line.split('"')[1] for line in lines if line.startswith("GET /_stcore/stream 101 "))
        return dict(sorted(found.items()))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stop everything as Ctrl+C or systemd would; `trp serve`'s exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        logs = sorted(self.run.glob("replica-*.log")) if self.run.exists() else []
        self.log.write_text("".join(f.read_text(errors="replace") for f in logs))
        return self.process.returncode
