"""Load tests: the real server driven by the protocol client (stclient.py) and, in bench/, by Chromium.

The browser and PostgreSQL fixtures are the ones of tests/e2e and tests/store: skipped when
Chromium or the server is missing, failed under CI=true.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from tests.conftest import ROOT, in_own_thread
from tests.e2e.conftest import Server, chromium
from tests.store.conftest import pg_admin

__all__ = ["chromium", "pg_admin"]  # fixtures, used by the tests here


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """`streamlit run app.py` with its own SQLite file."""
    srv = Server(tmp_path_factory.mktemp("load-server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def database(server: Server) -> Iterator[Engine]:
    """The server's SQLite file, read as the managers' queries would."""
    engine = create_engine(f"sqlite:///{server.db}")
    yield engine
    engine.dispose()


def run_coroutine(coroutine: Coroutine) -> Any:
    """asyncio.run in a thread of its own (see in_own_thread)."""
    return in_own_thread(asyncio.run, coroutine)


def run_bench(script: str, args: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run bench/<script> with the test's Python; its output is printed on failure by pytest."""
    command = [sys.executable, str(ROOT / "bench" / script), *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    return result


def json_path(tmp_path: Path) -> Path:
    return tmp_path / "summary.json"
