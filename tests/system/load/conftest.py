"""Load tests: the real server driven by the protocol client (tests/support/stclient.py) and, for the
burst, by Chromium too (tests/support/burst.py, which bench/burst.py runs in full size).

The `chromium` fixture is tests/conftest.py's and `pg_admin` tests/store's: skipped when Chromium
or the server is missing, failed under CI=true.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from tests.conftest import in_own_thread
from tests.store.conftest import pg_admin
from tests.support.server import Server

__all__ = ["pg_admin"]  # a fixture, used by the tests here


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
